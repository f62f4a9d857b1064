import polars as pl

import crucible_pl

refs = crucible_pl.load("mmlu", "test", config="all")

# Your model's outputs: one row per id. Here a "model" that always answers "A".
preds = refs.lazy().select("id", prediction=pl.lit("A")).head(len(refs) - 2).collect()

result = crucible_pl.evaluate(refs, preds, by="subject", n_bootstrap=200, seed=0)
print(result)  # EvalResult(family='multiple_choice', items=..., choice_match=..., missing=2)

overall = result.summary.filter(pl.col("scope") == "overall").row(0, named=True)
assert overall["metric"] == "choice_match"  # the multiple_choice default
assert 0.0 <= overall["ci_low"] <= overall["mean"] <= overall["ci_high"] <= 1.0
assert set(result.summary["scope"]) == {"overall", "group", "macro"}

# Nothing is dropped silently: ids without a prediction score 0 and are listed.
assert len(result.missing_ids) == 2
assert result.unknown_ids == ()
assert result.items.height == len(refs)
