# requires: ray
import polars as pl
import ray

import crucible_pl
from crucible_pl.scoring import evaluate, merge_results

ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)

mmlu = crucible_pl.load("mmlu", "test", config="all")
rows = mmlu.to_ray()  # a ray.data.Dataset of the canonical rows, in order
assert rows.count() == len(mmlu)


@ray.remote
def score_shard(rank: int, world_size: int) -> object:
    """A Ray worker: its contiguous shard, a stand-in model, crucible-pl's evaluate."""
    refs = crucible_pl.load("mmlu", "test", config="all").shard(world_size, rank, contiguous=True)
    frame = refs.collect()
    preds = frame.select("id", prediction=pl.lit("A"))
    return evaluate(frame, preds, family="multiple_choice", by="subject", seed=0)


parts = ray.get([score_shard.remote(rank, 2) for rank in range(2)])
merged = merge_results(parts)  # the shards' items, summarized once
single = evaluate(mmlu, mmlu.lazy().select("id", prediction=pl.lit("A")), by="subject", seed=0)
assert merged.summary.equals(single.summary)
ray.shutdown()
