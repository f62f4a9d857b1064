import polars as pl

import crucible_pl

ds = crucible_pl.load("mmlu", "test", config="all")

# Re-order each question's choices by a seeded permutation; `expected` follows its answer.
shuffled = ds.shuffle_choices(seed=3)

before = ds.lazy().select("id", answer=pl.col("choices").list.get(pl.col("expected")))
after = shuffled.lazy().select("id", answer=pl.col("choices").list.get(pl.col("expected")))
assert before.collect().equals(after.collect())  # every row keeps its correct answer text
