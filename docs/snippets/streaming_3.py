import polars as pl

import crucible_pl

ds = crucible_pl.load("gsm8k", "test")

# Write a derived set straight to Parquet without holding it in memory. save() streams
# to a temporary file and renames it when complete, and keeps the provenance.
subset = ds.filter(pl.col("expected").str.len_chars() <= 3).shuffle(seed=0)
path = subset.save("gsm8k-short.parquet")

back = crucible_pl.load_from_disk(path)
assert back.provenance.sha == ds.provenance.sha  # where the rows came from, kept
assert back.collect().equals(subset.collect())

# Any Polars sink works on the lazy frame too.
ds.lazy().select("id", "expected").sink_ndjson("answers.jsonl")
assert pl.read_ndjson("answers.jsonl").height == len(ds)
