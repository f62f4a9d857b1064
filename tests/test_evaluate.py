"""evaluate(): join accounting, default metrics per family, summary and bootstrap."""

from __future__ import annotations

import json
import math
import statistics
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from crucible_pl._hashing import mix64_int
from crucible_pl.errors import ColumnNotFoundError, InvalidInputError, ValidationError
from crucible_pl.scoring import EvalResult, evaluate, exact_match, token_f1
from crucible_pl.scoring import _evaluate as evaluate_module

GOLDEN = 0x9E3779B97F4A7C15

MATH_REFS = pl.DataFrame(
    {
        "id": ["m1", "m2", "m3", "m4", "m5"],
        "input": ["q"] * 5,
        "expected": ["72", "1234", "0.5", "18", "7"],
        "subject": ["alg", "alg", "geo", "geo", "geo"],
    }
)
MATH_PREDS = pl.DataFrame(
    {
        "id": ["m1", "m2", "m3", "m4", "m4", "zz", "m2"],
        "prediction": [
            "48 + 24 = 72\n#### 72",  # gsm8k marker
            "The total is $1,234.",  # last number, with separators
            r"so \boxed{1/2} (about 3 halves later)",  # boxed beats the later number
            "It is 17",  # wrong
            "18",  # duplicate of m4: ignored
            "5",  # unknown id
            "wrong duplicate",  # duplicate of m2: ignored
        ],
    }
)


def _python_percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    h = q * (len(ordered) - 1)
    lo = math.floor(h)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (h - lo) * (ordered[hi] - ordered[lo])


def _python_bootstrap(values: list[float], *, stratum: int, n_boot: int, seed: int) -> list[float]:
    """The documented resampling, item by item, in plain Python: unit j of resample b is
    u(stratum * 2**32 + b * n + j) % n with u(x) = mix64(mix64(seed) + x * GOLDEN) mod 2**64
    (n <= _MAX_UNITS, so units are items)."""
    n = len(values)
    key = mix64_int(seed)
    counters = (stratum * (1 << 32) + r for r in range(n_boot * n))
    draws = [mix64_int((key + c * GOLDEN) % (1 << 64)) % n for c in counters]
    return [sum(values[draws[b * n + j]] for j in range(n)) / n for b in range(n_boot)]


# --- join accounting and default metrics ---------------------------------------------


def test_math_items_and_join_accounting() -> None:
    result = evaluate(MATH_REFS, MATH_PREDS, family="math", n_bootstrap=0)
    expected_items = pl.DataFrame(
        {
            "id": ["m1", "m2", "m3", "m4", "m5"],
            "prediction": [
                "48 + 24 = 72\n#### 72",
                "The total is $1,234.",
                r"so \boxed{1/2} (about 3 halves later)",
                "It is 17",
                None,
            ],
            "expected": ["72", "1234", "0.5", "18", "7"],
            "math_match": [True, True, True, False, False],
        }
    )
    assert_frame_equal(result.items, expected_items)
    assert result.missing_ids == ("m5",)
    assert result.unknown_ids == ("zz",)
    assert result.duplicate_ids == ("m2", "m4")
    assert result.n_duplicate_rows == 2
    overall = result.summary.row(0, named=True)
    assert overall["metric"] == "math_match"
    assert overall["scope"] == "overall"
    assert overall["mean"] == pytest.approx(3 / 5)
    assert overall["count"] == 5
    assert overall["ci_low"] is None
    assert overall["ci_high"] is None


def test_lazy_inputs_and_custom_prediction_column() -> None:
    preds = MATH_PREDS.rename({"prediction": "output"}).lazy()
    result = evaluate(
        MATH_REFS.lazy(), preds, family="math", prediction_col="output", n_bootstrap=0
    )
    assert result.items["math_match"].to_list() == [True, True, True, False, False]
    assert "prediction" in result.items.columns


def test_ids_compare_as_strings() -> None:
    refs = pl.DataFrame({"id": [1, 2], "expected": ["a", "b"]})
    preds = pl.DataFrame({"id": ["1", "2"], "prediction": ["a", "c"]})
    result = evaluate(refs, preds, family="generation", n_bootstrap=0)
    assert result.items["normalized_exact_match"].to_list() == [True, False]
    assert result.items["id"].dtype == pl.String


def test_multiple_choice_free_text_and_by_subject() -> None:
    refs = pl.DataFrame(
        {
            "id": ["q1", "q2", "q3", "q4", "q5"],
            "expected": [1, 0, 2, 3, 1],
            "choices": [["red", "green", "blue", "gray"]] * 5,
            "subject": ["art", "art", "law", "law", "law"],
        }
    )
    preds = pl.DataFrame(
        {
            "id": ["q1", "q2", "q3", "q4", "q5"],
            "prediction": ["(B)", "A good answer is (A).", "blue", "2", "I'd say C"],
        }
    )
    result = evaluate(refs, preds, family="multiple_choice", by="subject", n_bootstrap=0)
    assert result.items.columns == ["id", "subject", "prediction", "expected", "choice_match"]
    assert result.items["choice_match"].to_list() == [True, True, True, False, False]
    summary = result.summary.select("scope", "subject", "mean", "count")
    expected = pl.DataFrame(
        {
            "scope": ["overall", "group", "group", "macro"],
            "subject": [None, "art", "law", None],
            "mean": [3 / 5, 1.0, 1 / 3, (1.0 + 1 / 3) / 2],
            "count": [5, 2, 3, 5],
        }
    )
    assert_frame_equal(summary, expected)


def test_generation_defaults() -> None:
    refs = pl.DataFrame({"id": ["a", "b"], "expected": ["The Eiffel Tower", "blue whale"]})
    preds = pl.DataFrame({"id": ["a", "b"], "prediction": ["eiffel tower!", "a whale"]})
    result = evaluate(refs, preds, family="generation", n_bootstrap=0)
    assert result.metrics == ("normalized_exact_match", "token_f1")
    assert result.items["normalized_exact_match"].to_list() == [True, False]
    assert result.items["token_f1"].to_list() == pytest.approx([1.0, 2 / 3])


def test_missing_prediction_scores_zero_for_float_metrics() -> None:
    refs = pl.DataFrame({"id": ["a", "b"], "expected": ["x y", "z"]})
    preds = pl.DataFrame({"id": ["a"], "prediction": ["x y"]})
    result = evaluate(refs, preds, family="code", metrics=["token_f1"], n_bootstrap=0)
    assert result.items["token_f1"].to_list() == [1.0, 0.0]
    assert result.missing_ids == ("b",)


# --- metrics argument ----------------------------------------------------------------


def test_metrics_mapping_mixes_names_and_callables() -> None:
    refs = pl.DataFrame(
        {"id": ["a", "b"], "expected": ["Paris", "Rome"], "alias": ["paris", "roma"]}
    )
    preds = pl.DataFrame({"id": ["a", "b"], "prediction": ["Paris", "roma"]})
    result = evaluate(
        refs,
        preds,
        family="generation",
        metrics={
            "em": "exact_match",
            "alias_em": lambda p: exact_match(p, "alias"),
            "f1": lambda p: token_f1(p, pl.col("expected")),
            "length": lambda p: p.str.len_chars(),
        },
        n_bootstrap=0,
    )
    items = result.items.select("em", "alias_em", "f1", "length")
    expected = pl.DataFrame(
        {"em": [True, False], "alias_em": [False, True], "f1": [1.0, 0.0], "length": [5, 4]},
        schema_overrides={"length": pl.UInt32},
    )
    assert_frame_equal(items, expected)
    assert result.metrics == ("em", "alias_em", "f1", "length")


def test_metrics_single_name() -> None:
    refs = pl.DataFrame({"id": ["a"], "expected": ["x"]})
    preds = pl.DataFrame({"id": ["a"], "prediction": ["x"]})
    result = evaluate(refs, preds, family="rubric", metrics="exact_match", n_bootstrap=0)
    assert result.items["exact_match"].to_list() == [True]


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"family": None}, InvalidInputError, "family="),
        ({"family": "preference"}, InvalidInputError, "'preference' has no default"),
        ({"metrics": ["bleurt"]}, InvalidInputError, "'bleurt'.*exact_match"),
        ({"metrics": {"id": "exact_match"}}, InvalidInputError, "clash"),
        ({"metrics": {"x": 3}}, InvalidInputError, "'x' is int"),
        ({"metrics": []}, InvalidInputError, "empty"),
        ({"n_bootstrap": -1}, InvalidInputError, "n_bootstrap=-1"),
        ({"confidence": 1.5}, InvalidInputError, "confidence=1.5"),
        ({"by": "nope"}, ColumnNotFoundError, "'nope'.*Available columns: id, expected"),
        (
            {"prediction_col": "out"},
            ColumnNotFoundError,
            "Predictions lack.*'out'.*prediction_col=",
        ),
        ({"metrics": ["choice_match"]}, ColumnNotFoundError, "'choices'"),
    ],
)
def test_invalid_arguments(kwargs: dict[str, object], error: type[Exception], match: str) -> None:
    refs = pl.DataFrame({"id": ["a"], "expected": ["x"]})
    preds = pl.DataFrame({"id": ["a"], "prediction": ["x"]})
    options: dict[str, object] = {"family": "generation", "n_bootstrap": 0, **kwargs}
    with pytest.raises(error, match=match):
        evaluate(refs, preds, **options)  # type: ignore[arg-type]


def test_custom_metric_naming_an_absent_column() -> None:
    refs = pl.DataFrame({"id": ["a"], "expected": ["x"]})
    preds = pl.DataFrame({"id": ["a"], "prediction": ["x"]})
    with pytest.raises(ColumnNotFoundError, match="Reference columns: id, expected"):
        evaluate(
            refs,
            preds,
            family="generation",
            metrics={"m": lambda p: exact_match(p, "answer")},
            n_bootstrap=0,
        )


def test_duplicate_reference_ids_are_refused() -> None:
    refs = pl.DataFrame({"id": ["a", "a"], "expected": ["x", "y"]})
    preds = pl.DataFrame({"id": ["a"], "prediction": ["x"]})
    with pytest.raises(ValidationError, match="repeated ids include: a"):
        evaluate(refs, preds, family="generation", n_bootstrap=0)


def test_null_prediction_ids_are_refused() -> None:
    refs = pl.DataFrame({"id": ["a"], "expected": ["x"]})
    preds = pl.DataFrame({"id": ["a", None], "prediction": ["x", "y"]})
    with pytest.raises(InvalidInputError, match="1 prediction row"):
        evaluate(refs, preds, family="generation", n_bootstrap=0)


# --- summary statistics and bootstrap -------------------------------------------------


def _scores_frame(
    values: list[float], groups: list[str] | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    n = len(values)
    ids = [f"i{k}" for k in range(n)]
    refs = pl.DataFrame({"id": ids, "expected": ["x"] * n, "g": groups or ["all"] * n})
    preds = pl.DataFrame({"id": ids, "v": values})
    return refs, preds


def test_stderr_and_bootstrap_match_a_direct_python_computation() -> None:
    values = [1.0, 0.0, 0.5, 1.0, 1.0, 0.0, 0.25, 1.0, 0.0, 0.75, 1.0, 0.0]
    refs, preds = _scores_frame(values)
    result = evaluate(
        refs,
        preds,
        family="generation",
        metrics={"score": lambda p: p},
        prediction_col="v",
        n_bootstrap=200,
        seed=7,
    )
    row = result.summary.row(0, named=True)
    n = len(values)
    assert row["mean"] == pytest.approx(statistics.fmean(values))
    assert row["count"] == n
    assert row["stderr"] == pytest.approx(statistics.stdev(values) / math.sqrt(n))
    means = _python_bootstrap(values, stratum=0, n_boot=200, seed=7)
    assert row["ci_low"] == pytest.approx(_python_percentile(means, 0.025))
    assert row["ci_high"] == pytest.approx(_python_percentile(means, 0.975))
    assert row["ci_low"] < row["mean"] < row["ci_high"]


def test_group_and_macro_bootstrap_match_python() -> None:
    values = [1.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0, 0.0, 1.0, 1.0]
    groups = ["b", "a", "b", "a", "a", "b", "a", "b", "b", "a"]
    refs, preds = _scores_frame(values, groups)
    result = evaluate(
        refs,
        preds,
        family="generation",
        metrics={"score": lambda p: p},
        prediction_col="v",
        by="g",
        n_bootstrap=100,
        seed=3,
    )
    by_group = {g: [v for v, gg in zip(values, groups, strict=True) if gg == g] for g in "ab"}
    # Strata are numbered 1, 2... in sorted key order; units are items in item order.
    boot = {
        g: _python_bootstrap(vals, stratum=i + 1, n_boot=100, seed=3)
        for i, (g, vals) in enumerate(sorted(by_group.items()))
    }
    summary = result.summary
    for g, vals in by_group.items():
        row = summary.filter(pl.col("g") == g).row(0, named=True)
        assert row["mean"] == pytest.approx(statistics.fmean(vals))
        assert row["ci_low"] == pytest.approx(_python_percentile(boot[g], 0.025))
        assert row["ci_high"] == pytest.approx(_python_percentile(boot[g], 0.975))
    macro = summary.filter(pl.col("scope") == "macro").row(0, named=True)
    macro_means = [(a + b) / 2 for a, b in zip(boot["a"], boot["b"], strict=True)]
    assert macro["mean"] == pytest.approx(
        (statistics.fmean(by_group["a"]) + statistics.fmean(by_group["b"])) / 2
    )
    se = [statistics.stdev(v) / math.sqrt(len(v)) for v in by_group.values()]
    assert macro["stderr"] == pytest.approx(math.sqrt(se[0] ** 2 + se[1] ** 2) / 2)
    assert macro["ci_low"] == pytest.approx(_python_percentile(macro_means, 0.025))
    assert macro["ci_high"] == pytest.approx(_python_percentile(macro_means, 0.975))
    assert summary["scope"].to_list() == ["overall", "group", "group", "macro"]


def test_bootstrap_is_deterministic_for_a_seed() -> None:
    values = [float(k % 3 == 0) for k in range(40)]
    refs, preds = _scores_frame(values)
    options = {
        "family": "generation",
        "metrics": {"s": lambda p: p},
        "prediction_col": "v",
        "n_bootstrap": 300,
    }
    first = evaluate(refs, preds, seed=11, **options)  # type: ignore[arg-type]
    again = evaluate(refs, preds, seed=11, **options)  # type: ignore[arg-type]
    other = evaluate(refs, preds, seed=12, **options)  # type: ignore[arg-type]
    assert_frame_equal(first.summary, again.summary)
    assert first.summary["ci_low"].item() != other.summary["ci_low"].item() or (
        first.summary["ci_high"].item() != other.summary["ci_high"].item()
    )


def test_bootstrap_interval_is_pinned() -> None:
    # The draws come from the project's pinned hash, not Polars' Expr.hash: this interval
    # must not move with a Polars upgrade, on any machine.
    values = [float(k % 3 == 0) for k in range(40)]
    refs, preds = _scores_frame(values)
    result = evaluate(
        refs,
        preds,
        family="generation",
        metrics={"s": lambda p: p},
        prediction_col="v",
        n_bootstrap=300,
        seed=11,
    )
    row = result.summary.row(0, named=True)
    assert row["ci_low"] == pytest.approx(0.2, rel=1e-12)
    assert row["ci_high"] == pytest.approx(0.488125, rel=1e-12)


def test_seed_out_of_range_is_refused() -> None:
    refs, preds = _scores_frame([1.0, 0.0])
    with pytest.raises(InvalidInputError, match="Invalid seed -1"):
        evaluate(
            refs,
            preds,
            family="generation",
            metrics={"s": lambda p: p},
            prediction_col="v",
            seed=-1,
        )


def test_block_bootstrap_for_large_strata(monkeypatch: pytest.MonkeyPatch) -> None:
    # Shrink the unit cap so a 2,000-item stratum takes the block path quickly.
    monkeypatch.setattr(evaluate_module, "_MAX_UNITS", 100)
    monkeypatch.setattr(evaluate_module, "_MIN_UNITS", 20)
    values = [float((k * 7919) % 10 < 3) for k in range(2000)]
    refs, preds = _scores_frame(values)
    options = {
        "family": "generation",
        "metrics": {"s": lambda p: p},
        "prediction_col": "v",
        "n_bootstrap": 400,
    }
    result = evaluate(refs, preds, seed=5, **options)  # type: ignore[arg-type]
    row = result.summary.row(0, named=True)
    assert row["ci_low"] < row["mean"] < row["ci_high"]
    # The block bootstrap keeps the item-level spread: width ~ 2 * 1.96 * stderr.
    width = row["ci_high"] - row["ci_low"]
    assert width == pytest.approx(2 * 1.96 * row["stderr"], rel=0.3)
    assert_frame_equal(evaluate(refs, preds, seed=5, **options).summary, result.summary)  # type: ignore[arg-type]


def test_confidence_level_narrows_interval() -> None:
    values = [float(k % 4 == 0) for k in range(60)]
    refs, preds = _scores_frame(values)
    options = {
        "family": "generation",
        "metrics": {"s": lambda p: p},
        "prediction_col": "v",
        "n_bootstrap": 300,
        "seed": 1,
    }
    wide = evaluate(refs, preds, confidence=0.95, **options).summary.row(0, named=True)  # type: ignore[arg-type]
    narrow = evaluate(refs, preds, confidence=0.5, **options).summary.row(0, named=True)  # type: ignore[arg-type]
    assert wide["ci_low"] <= narrow["ci_low"] <= narrow["ci_high"] <= wide["ci_high"]


# --- result object -------------------------------------------------------------------


def test_repr_and_files(tmp_path: Path) -> None:
    result = evaluate(
        MATH_REFS, MATH_PREDS, family="math", provenance={"model": "m-1"}, n_bootstrap=50
    )
    text = repr(result)
    assert text.startswith("EvalResult(family='math', items=5, math_match=0.6000 ± ")
    assert "missing=1" in text
    assert "unknown=1" in text
    assert "duplicates=2" in text
    assert isinstance(result, EvalResult)

    parquet = tmp_path / "scores.parquet"
    result.to_parquet(parquet)
    assert_frame_equal(pl.read_parquet(parquet), result.items)
    meta = pl.read_parquet_metadata(parquet)
    provenance = json.loads(meta["crucible_pl.provenance"])
    assert provenance["model"] == "m-1"
    assert provenance["evaluation"]["family"] == "math"
    assert provenance["evaluation"]["metrics"] == ["math_match"]
    assert provenance["evaluation"]["n_bootstrap"] == 50
    accounting = json.loads(meta["crucible_pl.accounting"])
    assert accounting == {
        "missing_ids": ["m5"],
        "unknown_ids": ["zz"],
        "duplicate_ids": ["m2", "m4"],
        "n_duplicate_rows": 2,
    }
    assert json.loads(meta["crucible_pl.summary"]) == result.summary.to_dicts()

    path = tmp_path / "scores.json"
    result.to_json(path, include_items=True)
    document = json.loads(path.read_text())
    assert document["summary"] == result.summary.to_dicts()
    assert document["accounting"] == accounting
    assert len(document["items"]) == 5
    assert document["provenance"]["model"] == "m-1"


def test_result_is_frozen() -> None:
    result = evaluate(MATH_REFS, MATH_PREDS, family="math", n_bootstrap=0)
    with pytest.raises(AttributeError):
        result.missing_ids = ()  # type: ignore[misc]
