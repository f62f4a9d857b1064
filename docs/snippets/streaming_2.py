import polars as pl

import crucible_pl

ds = crucible_pl.load("gsm8k", "test")

# Batches of exactly batch_size rows (the last may be shorter), from Polars' streaming
# engine: memory stays bounded by a few batches whatever the size of the split.
seen = 0
for batch in ds.select("id", "input").iter_batches(batch_size=16):
    assert 0 < batch.height <= 16
    seen += batch.height  # e.g. send batch["input"].to_list() to your model here
assert seen == len(ds)

# Or run a whole aggregation on the streaming engine.
stats = ds.select(chars=pl.col("input").str.len_chars()).collect(streaming=True)
assert stats.height == len(ds)
