import crucible_pl

# Configs, splits with row counts, and columns, read from Parquet footers: no data downloaded.
meta = crucible_pl.info("mmlu", config="astronomy")
print(meta)

assert meta.repo == "cais/mmlu"
assert meta.family == "multiple_choice"
assert "astronomy" in meta.configs
assert {s.name for s in meta.splits} >= {"dev", "test"}
assert all(s.num_rows is not None and s.num_rows > 0 for s in meta.splits)
assert meta.canonical is not None
assert list(meta.canonical)[:3] == ["id", "input", "expected"]
