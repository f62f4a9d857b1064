import polars as pl

import crucible_pl

ds = crucible_pl.load("mmlu", "test", config="all")
path = ds.normalized_file()  # the whole split's canonical rows, written on the first load

# Any Parquet reader gets the canonical rows by selecting the canonical columns.
rows = pl.read_parquet(path, columns=ds.columns)
assert rows.equals(ds.collect())
assert ds.sample(5, seed=0).normalized_file() is None  # not a whole split any more
