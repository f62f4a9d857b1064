import polars as pl

import crucible_pl

ds = crucible_pl.load("mmlu", "test", config="all")

# Exactly n rows, allocated to the subjects in proportion to their size.
strat = ds.stratified_sample(12, by="subject", seed=0)
assert len(strat) == 12

# Disjoint train/test of exact sizes that together hold every row.
train, test = ds.train_test_split(test_size=0.25, seed=0)
assert len(test) == int(0.25 * len(ds) + 0.5)
assert len(train) + len(test) == len(ds)
assert train.lazy().join(test.lazy(), on="id").collect().is_empty()

# k folds whose test parts are disjoint and cover every row exactly once.
folds = ds.k_fold(4, seed=0, stratify_by="subject")
test_ids = pl.concat([fold_test.select("id").collect() for _, fold_test in folds])
assert test_ids.height == len(ds)
assert test_ids["id"].n_unique() == len(ds)
