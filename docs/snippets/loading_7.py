import polars as pl

import crucible_pl

# Two MMLU subjects in one load: a first column `config`, one provenance part per config.
two = crucible_pl.load("mmlu", "test", config=["astronomy", "anatomy"])
counts = two.lazy().group_by("config", maintain_order=True).len().collect()
print(counts)

assert two.columns[0] == "config"
assert counts["config"].to_list() == ["astronomy", "anatomy"]
assert [p.config for p in two.provenance.parts] == ["astronomy", "anatomy"]
assert len(two) == counts["len"].sum()
assert two.lazy().filter(pl.col("config") == "anatomy").collect()["subject"].unique().to_list() == [
    "anatomy"
]
