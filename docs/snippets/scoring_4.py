import polars as pl

from crucible_pl.scoring import pass_at_k

# n samples per problem, c of them correct: the unbiased pass@k estimator.
runs = pl.DataFrame({"task_id": ["t1", "t2", "t3"], "n": [10, 10, 10], "c": [0, 3, 10]})
scores = runs.with_columns(pass_at_1=pass_at_k("n", "c", k=1), pass_at_5=pass_at_k("n", "c", k=5))
assert scores["pass_at_1"].round(4).to_list() == [0.0, 0.3, 1.0]
assert scores["pass_at_5"].round(4).to_list() == [0.0, 0.9167, 1.0]
