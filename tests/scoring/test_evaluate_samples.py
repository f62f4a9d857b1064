"""evaluate with several samples per id (pass@k, maj@k) and predictions from files.

Every expectation is computed by hand from the formulas in the comments.
"""

from __future__ import annotations

import math
from pathlib import Path

import polars as pl
import pytest

from crucible_pl import errors
from crucible_pl.scoring import evaluate


def samples(rows: dict[str, list[str]]) -> pl.DataFrame:
    """{id: [answer of sample 0, sample 1, ...]} as a predictions frame."""
    return pl.DataFrame(
        [
            {"id": i, "sample": s, "prediction": answer}
            for i, answers in rows.items()
            for s, answer in enumerate(answers)
        ]
    )


def item(result: object, id_: str) -> dict[str, object]:
    items = result.items  # type: ignore[attr-defined]
    return dict(items.filter(pl.col("id") == id_).row(0, named=True))


def test_pass_at_k_from_n_and_c() -> None:
    refs = pl.DataFrame({"id": ["q"], "expected": ["7"]})
    preds = samples({"q": ["7", "8", "7", "9", "1"]})  # n=5, c=2
    result = evaluate(refs, preds, family="math", k=[1, 2, 5], n_bootstrap=0)
    row = item(result, "q")
    assert row["n_samples"] == 5
    assert row["math_match"] == pytest.approx(0.4)  # the mean over samples
    assert row["math_match_pass@1"] == pytest.approx(2 / 5)
    # 1 - C(n-c, k) / C(n, k) = 1 - C(3, 2) / C(5, 2) = 1 - 3/10
    assert row["math_match_pass@2"] == pytest.approx(1 - math.comb(3, 2) / math.comb(5, 2))
    assert row["math_match_pass@5"] == 1.0
    assert row["predictions"] == ["7", "8", "7", "9", "1"]


def test_majority_vote_with_ties_going_to_the_earliest_answer() -> None:
    refs = pl.DataFrame({"id": ["q"], "expected": ["2"]})
    preds = samples({"q": ["5", "2", "2", "5"]})
    result = evaluate(refs, preds, family="math", k=[1, 3, 4], n_bootstrap=0)
    row = item(result, "q")
    assert row["math_match_maj@1"] == 0.0  # sample 0 alone: 5
    assert row["math_match_maj@3"] == 1.0  # 2 twice, 5 once
    assert row["math_match_maj@4"] == 0.0  # 5 and 2 twice each: 5 came first


def test_equivalent_math_answers_vote_together_and_silent_samples_do_not_vote() -> None:
    refs = pl.DataFrame({"id": ["q"], "expected": ["1000"]})
    # Extracted and normalized: (no answer), 1000, 7, 1000, 7.
    preds = samples({"q": ["", "So \\boxed{1,000}", "The answer is 7", "The answer is 1000", "7"]})
    row = item(evaluate(refs, preds, family="math", k=[1, 5], n_bootstrap=0), "q")
    # 1000 and 7 have two votes each; 1000's first vote (sample 1) comes before 7's (2).
    assert row["math_match_maj@5"] == 1.0
    # Sample 0 alone has no answer: the item scores its first sample, which is wrong.
    assert row["math_match_maj@1"] == 0.0


def test_choice_letters_vote_on_the_letter() -> None:
    refs = pl.DataFrame({"id": ["m"], "expected": [1], "choices": [["a", "b", "c"]]})
    preds = samples({"m": ["(B)", "The answer is C", "B", "C.", "I pick B"]})
    result = evaluate(refs, preds, family="multiple_choice", k=[3, 5], n_bootstrap=0)
    row = item(result, "m")
    assert row["choice_match"] == pytest.approx(3 / 5)
    assert row["choice_match_maj@3"] == 1.0  # B, C, B
    assert row["choice_match_maj@5"] == 1.0  # B three times
    assert row["choice_match_pass@3"] == pytest.approx(1 - math.comb(2, 3) / math.comb(5, 3))


def test_items_with_fewer_than_k_samples_and_missing_items() -> None:
    refs = pl.DataFrame({"id": ["a", "b", "c"], "expected": ["1", "2", "3"]})
    preds = samples({"a": ["1", "1", "0"], "b": ["2"]})  # c has no prediction
    result = evaluate(refs, preds, family="math", k=[1, 3], n_bootstrap=0)
    assert result.missing_ids == ("c",)
    assert item(result, "b")["math_match_pass@3"] is None  # n=1 < k=3: undefined
    assert item(result, "c")["math_match_pass@3"] == 0.0  # missing scores 0
    summary = result.summary.filter(pl.col("scope") == "overall")
    pass3 = summary.filter(pl.col("metric") == "math_match_pass@3").row(0, named=True)
    # a: 1 - C(1,3)/C(3,3) = 1; b: null (not counted); c: 0  ->  mean 0.5 over 2 items
    assert pass3["count"] == 2
    assert pass3["mean"] == pytest.approx(0.5)
    mean = summary.filter(pl.col("metric") == "math_match").row(0, named=True)
    assert mean["mean"] == pytest.approx((2 / 3 + 1 + 0) / 3)
    record = result.provenance["evaluation"]["samples"]
    assert record["k"] == [1, 3]
    assert (record["min_per_item"], record["max_per_item"]) == (1, 3)


def test_default_k_is_one_and_the_most_samples() -> None:
    refs = pl.DataFrame({"id": ["a"], "expected": ["1"]})
    result = evaluate(refs, samples({"a": ["1", "2", "1", "3"]}), family="math", n_bootstrap=0)
    assert "math_match_pass@4" in result.items.columns
    assert "math_match_maj@4" in result.items.columns
    assert result.provenance["evaluation"]["samples"]["k"] == [1, 4]


def test_repeated_sample_rows_keep_the_first_and_are_reported() -> None:
    refs = pl.DataFrame({"id": ["a"], "expected": ["1"]})
    preds = pl.DataFrame(
        {"id": ["a", "a", "a", "z"], "sample": [0, 0, 1, 0], "prediction": ["1", "9", "2", "1"]}
    )
    result = evaluate(refs, preds, family="math", k=1, n_bootstrap=0)
    assert result.duplicate_ids == ("a",)
    assert result.n_duplicate_rows == 1
    assert result.unknown_ids == ("z",)
    assert item(result, "a")["math_match"] == pytest.approx(0.5)  # "1" and "2"


def test_groups_and_intervals_work_on_sample_metrics() -> None:
    refs = pl.DataFrame(
        {"id": [f"q{i}" for i in range(6)], "expected": ["1"] * 6, "subject": ["x", "y"] * 3}
    )
    preds = samples({f"q{i}": ["1", "0"] if i % 2 else ["1", "1"] for i in range(6)})
    result = evaluate(refs, preds, family="math", by="subject", k=2, seed=4)
    group = result.summary.filter(
        (pl.col("metric") == "math_match_pass@2") & (pl.col("scope") == "group")
    )
    assert sorted(group["mean"].to_list()) == [1.0, 1.0]
    means = result.summary.filter(
        (pl.col("metric") == "math_match") & (pl.col("scope") == "group")
    ).sort("subject")
    assert means["mean"].to_list() == [1.0, 0.5]
    assert means["ci_low"].null_count() == 0


def test_custom_metrics_get_the_mean_only_and_execution_no_vote() -> None:
    refs = pl.DataFrame({"id": ["a"], "expected": ["x"]})
    preds = samples({"a": ["x", "xyz"]})
    result = evaluate(
        refs,
        preds,
        family="generation",
        metrics={"length": lambda p: p.str.len_chars().cast(pl.Float64)},
        n_bootstrap=0,
    )
    assert result.metrics == ("length",)
    assert item(result, "a")["length"] == pytest.approx(2.0)


@pytest.mark.parametrize("suffix", [".jsonl", ".json", ".parquet"])
def test_predictions_from_files(tmp_path: Path, suffix: str) -> None:
    refs = pl.DataFrame({"id": ["a", "b"], "expected": ["1", "2"]})
    preds = pl.DataFrame({"id": ["a", "b"], "prediction": ["1", "3"]})
    path = tmp_path / f"preds{suffix}"
    {".jsonl": preds.write_ndjson, ".json": preds.write_json, ".parquet": preds.write_parquet}[
        suffix
    ](path)
    from_file = evaluate(refs, path, family="math", n_bootstrap=0)
    from_frame = evaluate(refs, preds, family="math", n_bootstrap=0)
    assert from_file.items.equals(from_frame.items)
    assert from_file.summary.equals(from_frame.summary)
    assert evaluate(refs, str(path), family="math", n_bootstrap=0).items.equals(from_frame.items)


def test_bad_prediction_files_and_k_are_clear_errors(tmp_path: Path) -> None:
    refs = pl.DataFrame({"id": ["a"], "expected": ["1"]})
    with pytest.raises(errors.InvalidInputError, match=r"suffix '\.txt'.*\.jsonl"):
        evaluate(refs, tmp_path / "preds.txt", family="math")
    with pytest.raises(errors.InvalidInputError, match="does not exist"):
        evaluate(refs, tmp_path / "absent.jsonl", family="math")
    with pytest.raises(errors.InvalidInputError, match="Invalid k=0"):
        evaluate(refs, samples({"a": ["1"]}), family="math", k=0)
    with pytest.raises(errors.InvalidInputError, match="null sample"):
        evaluate(
            refs,
            pl.DataFrame({"id": ["a"], "sample": [None], "prediction": ["1"]}),
            family="math",
        )


def test_without_a_sample_column_nothing_changes() -> None:
    refs = pl.DataFrame({"id": ["a", "b"], "expected": ["1", "2"]})
    preds = pl.DataFrame({"id": ["a", "a", "b"], "prediction": ["1", "5", "2"]})
    result = evaluate(refs, preds, family="math", n_bootstrap=0)
    assert result.items.columns == ["id", "prediction", "expected", "math_match"]
    assert result.items["math_match"].to_list() == [True, True]  # a keeps its first, "1"
    assert result.duplicate_ids == ("a",)
    assert "samples" not in result.provenance["evaluation"]


def test_k_without_a_sample_column_is_an_error() -> None:
    refs = pl.DataFrame({"id": ["a"], "expected": ["1"]})
    preds = pl.DataFrame({"id": ["a"], "prediction": ["1"]})
    with pytest.raises(errors.InvalidInputError, match=r"no 'sample' column.*drop k="):
        evaluate(refs, preds, family="math", k=5)


def test_a_sample_column_must_hold_integers() -> None:
    refs = pl.DataFrame({"id": ["a"], "expected": ["1"]})
    preds = pl.DataFrame({"id": ["a", "a"], "sample": ["s1", "s2"], "prediction": ["1", "2"]})
    with pytest.raises(errors.InvalidInputError, match=r"'sample' column .* is String"):
        evaluate(refs, preds, family="math")


def test_math_answers_equal_in_value_vote_together() -> None:
    # math_match finds 1/2, \frac12 and 0.5 equal, so they are one answer in the vote.
    refs = pl.DataFrame({"id": ["q"], "expected": ["\\frac{1}{2}"]})
    preds = samples({"q": ["1/3", "\\boxed{1/2}", "\\frac{1}{3}", "0.5", "The answer is \\frac12"]})
    row = item(evaluate(refs, preds, family="math", k=[3, 5], n_bootstrap=0), "q")
    assert row["math_match"] == pytest.approx(3 / 5)  # math_match: all three forms right
    # Values 1/3, 1/2, 1/3: 1/3 has two votes. All five: 1/2 has three.
    assert row["math_match_maj@3"] == 0.0
    assert row["math_match_maj@5"] == 1.0


def test_a_choice_letter_index_and_text_are_one_vote() -> None:
    refs = pl.DataFrame({"id": ["m"], "expected": [1], "choices": [["Paris", "Lyon", "Nice"]]})
    # Readings: A, B (its text), B, A, B (index 1): B has three votes, A two.
    preds = samples({"m": ["A", "Lyon", "(B)", "A", "1"]})
    row = item(evaluate(refs, preds, family="multiple_choice", k=5, n_bootstrap=0), "m")
    assert row["choice_match_maj@5"] == 1.0
    # Samples no choice reading accepts do not vote.
    preds = samples({"m": ["no idea", "pass", "C"]})
    row = item(evaluate(refs, preds, family="multiple_choice", k=3, n_bootstrap=0), "m")
    assert row["choice_match_maj@3"] == 0.0  # C, the only vote


def test_integer_choice_predictions() -> None:
    refs = pl.DataFrame({"id": ["m"], "expected": [2], "choices": [["a", "b", "c"]]})
    preds = pl.DataFrame({"id": ["m"] * 4, "sample": [0, 1, 2, 3], "prediction": [0, 2, 2, 0]})
    row = item(evaluate(refs, preds, family="multiple_choice", k=[1, 4], n_bootstrap=0), "m")
    assert row["choice_match"] == pytest.approx(0.5)
    assert row["choice_match_maj@4"] == 0.0  # 0 and 2 twice each: 0 came first
    assert row["choice_match_pass@1"] == pytest.approx(0.5)


def test_intervals_skip_resamples_without_a_defined_pass_at_k(tmp_path: Path) -> None:
    # Few items have k samples, so some resamples (of a group) draw none of them: their
    # mean is undefined and left out of the interval, which must stay a number.
    refs = pl.DataFrame(
        {"id": [f"q{i}" for i in range(8)], "expected": ["1"] * 8, "s": ["x", "y"] * 4}
    )
    preds = samples({f"q{i}": ["1", "0", "1"] if i >= 6 else ["0"] for i in range(8)})
    result = evaluate(refs, preds, family="math", by="s", k=3, seed=1)
    summary = result.summary.filter(pl.col("metric") == "math_match_pass@3")
    assert summary["count"].to_list() == [2, 1, 1, 2]  # overall, x, y, macro
    assert summary["mean"].to_list() == [1.0, 1.0, 1.0, 1.0]
    assert summary.select(pl.col("ci_low", "ci_high").is_nan().any()).row(0) == (False, False)
    assert summary["ci_high"].to_list() == [1.0, 1.0, 1.0, 1.0]
    result.to_parquet(tmp_path / "run.parquet")  # JSON metadata: no NaN
