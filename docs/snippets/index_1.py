import polars as pl

import crucible_pl

# A registered dataset, normalized to canonical columns (id, input, expected, ...).
astro = (
    crucible_pl.load_lazy("mmlu", config="astronomy")  # a pl.LazyFrame, nothing read yet
    .filter(pl.col("expected") == 2)
    .select("id", "input", "choices", "expected")
    .collect()
)
assert astro.columns == ["id", "input", "choices", "expected"]
assert (astro["expected"] == 2).all()

# Any Hub dataset repo, raw columns, with datasets' split slicing.
gsm = crucible_pl.load_lazy("openai/gsm8k", "test[:20]", config="main").collect()
assert gsm.columns == ["question", "answer"]
assert gsm.height == 20
