import polars as pl

import crucible_pl

refs = crucible_pl.load("mmlu", "test", config="all")
items = refs.collect()

# Two "models": A always answers "A"; B answers right on every third item, else "A".
letters = ["A", "B", "C", "D"]
answers_b = [letters[e] if k % 3 == 0 else "A" for k, e in enumerate(items["expected"].to_list())]
preds_a = items.select("id", prediction=pl.lit("A"))
preds_b = items.select("id").with_columns(prediction=pl.Series(answers_b))

run_a = crucible_pl.evaluate(refs, preds_a, by="subject", n_bootstrap=0)
run_b = crucible_pl.evaluate(refs, preds_b, by="subject", n_bootstrap=0)

# Paired by id; refused if the runs' repo, sha, config or split differ.
comparison = crucible_pl.compare(run_a, run_b, by="subject", n_bootstrap=1000, seed=0)
print(comparison)  # Comparison(items=..., choice_match: A=... B=... diff=+... [..., ...] p=...)

row = comparison.summary.filter(pl.col("scope") == "overall").row(0, named=True)
assert abs(row["diff"] - (row["mean_b"] - row["mean_a"])) < 1e-12
assert row["diff"] > 0  # B never loses an item to A
assert row["n_a_only"] == 0
assert row["ci_low"] <= row["diff"] <= row["ci_high"]
assert 0 < row["p_value"] <= 1
assert 0 <= row["mcnemar_p"] <= 1
assert comparison.provenance["dataset"]["split"] == "test"
assert set(comparison.summary["scope"]) == {"overall", "group"}
