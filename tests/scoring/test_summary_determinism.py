"""The summary is the same floats on every run, and the same for merged shards.

Before: the macro mean and the macro interval summed group values in the order a hash
group-by handed them over, so repeated runs differed in the last bit (3 of 20 here).
"""

from __future__ import annotations

import polars as pl

from crucible_pl.scoring import evaluate, merge_results


def refs_and_preds() -> tuple[pl.DataFrame, pl.DataFrame]:
    n = 240
    refs = pl.DataFrame(
        {
            "id": [f"q{i}" for i in range(n)],
            "expected": [i % 4 for i in range(n)],
            "choices": [["a", "b", "c", "d"]] * n,
            "subject": [f"s{i % 13}" for i in range(n)],
        }
    )
    preds = refs.select("id", prediction=pl.lit("A"))
    return refs, preds


def test_repeated_runs_give_identical_summaries() -> None:
    refs, preds = refs_and_preds()
    first = evaluate(refs, preds, family="multiple_choice", by="subject", seed=3)
    for _ in range(25):
        again = evaluate(refs, preds, family="multiple_choice", by="subject", seed=3)
        assert again.summary.equals(first.summary)


def test_merged_shards_equal_one_run_to_the_last_bit() -> None:
    refs, preds = refs_and_preds()
    whole = evaluate(refs, preds, family="multiple_choice", by="subject", seed=3)
    for cut in (1, 100, 239):
        parts = [
            evaluate(refs[:cut], preds, family="multiple_choice", by="subject", seed=3),
            evaluate(refs[cut:], preds, family="multiple_choice", by="subject", seed=3),
        ]
        assert merge_results(parts).summary.equals(whole.summary)
