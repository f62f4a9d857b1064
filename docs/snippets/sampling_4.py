import polars as pl

import crucible_pl

ds = crucible_pl.load("gsm8k", "test")

# Shard i of n for data-parallel workers: every row lands in exactly one shard.
shards = [ds.shard(4, i) for i in range(4)]  # rows i, i+4, i+8, ...
blocks = [ds.shard(4, i, contiguous=True) for i in range(4)]  # consecutive blocks

for parts in (shards, blocks):
    ids = pl.concat([part.select("id").collect() for part in parts])["id"]
    assert ids.len() == len(ds)
    assert ids.n_unique() == len(ds)

# Sharding is by position: shuffle first for shards that do not depend on row order.
balanced = ds.shuffle(seed=0).shard(4, 0)
assert abs(len(balanced) - len(ds) / 4) < 1
