import polars as pl

import crucible_pl
from crucible_pl.scoring import pass_at_k, run_tests

problems = crucible_pl.load("humaneval", "test").collect()  # input, expected, test, entry_point

# Two samples per problem: the reference body, and a body that returns None.
samples = pl.concat(
    [
        problems.with_columns(prediction=pl.col("expected")),
        problems.with_columns(prediction=pl.lit("    return None\n")),
    ]
)

# Runs model-written code on this machine: opt in explicitly (or set
# CRUCIBLE_PL_ALLOW_CODE_EXECUTION=1). Use a container or VM for untrusted models.
out = run_tests(samples, timeout=10.0, allow_code_execution=True)
print(out.select("id", "outcome", "detail").head(3))
assert out["outcome"].value_counts().sort("outcome")["count"].to_list() == [
    len(problems),  # passed: every reference body
    len(problems),  # failed: every `return None`
]

# pass@k from the outcomes: count samples and passes per id, then the estimator.
per_id = out.group_by("id").agg(n=pl.len(), c=pl.col("passed").sum())
score = per_id.select(pass_at_k("n", "c", k=1).mean()).item()
assert score == 0.5
