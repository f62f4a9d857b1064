import polars as pl

import crucible_pl

ds = crucible_pl.load("mmlu", "test", config="all", raw=True)

# The resolved local Parquet files: any engine that reads Parquet can use them.
files = ds.files()
assert files
assert all(f.endswith(".parquet") for f in files)

# The pure-Polars path over the same files, always available.
per_subject = (
    pl.scan_parquet(files)
    .group_by("subject")
    .agg(n=pl.len(), first_answer=pl.col("answer").min())
    .sort("subject")
    .collect()
)
assert per_subject["n"].sum() == len(ds)
