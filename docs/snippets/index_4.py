import polars as pl

import crucible_pl

# A Dataset: the lazy frame plus its provenance (repo, commit sha, config, split, family).
ds = crucible_pl.load("mmlu", "test", config="all", validate=True)  # patito schema check
small = ds.stratified_sample(20, by="subject", seed=0)  # exact total, every subject kept
train, test = ds.train_test_split(test_size=0.25, seed=0, stratify_by="subject")
folds = ds.k_fold(5, seed=0)  # disjoint test folds covering every row once
worker = ds.shard(num_shards=4, index=1)  # one data-parallel worker's rows
rows = sum(batch.height for batch in ds.iter_batches(16))  # streaming, bounded memory
assert len(small) == 20
assert len(train) + len(test) == len(ds) == rows
assert sum(len(fold_test) for _, fold_test in folds) == len(ds)

# Score a model: predictions are joined by id; missing ones score 0 and are listed.
predictions = ds.lazy().select("id", prediction=pl.lit("A")).collect()
result = crucible_pl.evaluate(ds, predictions, by="subject", n_bootstrap=200, seed=0)
print(result.summary.filter(pl.col("scope") != "group"))  # mean, stderr, 95% interval
assert result.missing_ids == ()
assert result.provenance["sha"] == ds.provenance.sha  # every score traces to its data
