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
def score_shard(refs: pl.DataFrame) -> object:
    """A Ray worker: a stand-in model on its shard, then crucible-pl's evaluate."""
    preds = refs.select("id", prediction=pl.lit("A"))
    return evaluate(refs, preds, family="multiple_choice", by="subject", seed=0)


# Contiguous shards, handed to the workers through Ray's object store.
shards = [mmlu.shard(2, rank, contiguous=True).collect() for rank in range(2)]
parts = ray.get([score_shard.remote(shard) for shard in shards])
merged = merge_results(parts)  # the shards' items, summarized once
single = evaluate(mmlu, mmlu.lazy().select("id", prediction=pl.lit("A")), by="subject", seed=0)
assert merged.summary.equals(single.summary)
ray.shutdown()
