import polars as pl

import crucible_pl


def my_model(prompts: pl.Series) -> pl.Series:
    return pl.Series(["A"] * len(prompts))  # stand-in for real inference


def run_worker(rank: int, world_size: int) -> pl.DataFrame:
    """What each worker runs: its shard of the eval set, scored per item."""
    shard = crucible_pl.load("mmlu", "test", config="all").shard(world_size, rank)
    refs = shard.collect()
    preds = refs.select("id", prediction=my_model(refs["input"]))
    return crucible_pl.evaluate(refs, preds, family="multiple_choice", n_bootstrap=0).items


# On a cluster each rank runs on its own machine (e.g. rank = int(os.environ["RANK"]))
# and writes its items to shared storage; here the four ranks run one after another.
world_size = 4
items = pl.concat([run_worker(rank, world_size) for rank in range(world_size)])

# The shards cover every item exactly once, so the union is the full evaluation.
full = crucible_pl.load("mmlu", "test", config="all")
assert items.height == len(full)
assert items["id"].n_unique() == len(full)

# Summarize once over all items (with bootstrap intervals).
result = crucible_pl.evaluate(full, items.select("id", "prediction"), n_bootstrap=200)
assert result.items["choice_match"].sum() == items["choice_match"].sum()
