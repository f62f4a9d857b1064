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
from crucible_pl.errors import (
    CodeExecutionNotAllowedError,
    ColumnNotFoundError,
    InvalidInputError,
    ValidationError,
)
from crucible_pl.scoring import (
    EXTRACTIONS,
    EvalResult,
    _bootstrap,
    _metrics,
    evaluate,
    exact_match,
    token_f1,
)
from tests.conftest import NO_SHARED, SHARED_HUB

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
    monkeypatch.setattr(_bootstrap, "_MAX_UNITS", 100)
    monkeypatch.setattr(_bootstrap, "_MIN_UNITS", 20)
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


# --- extraction per metric, recorded in provenance --------------------------------------


def _extraction(result: EvalResult) -> dict[str, str | None]:
    recorded = result.provenance["evaluation"]["extraction"]
    for entry in recorded.values():
        assert set(entry) == {"strategy", "description"}
        assert entry["description"]
    return {metric: entry["strategy"] for metric, entry in recorded.items()}


def test_default_extraction_per_family_is_recorded() -> None:
    math = evaluate(MATH_REFS, MATH_PREDS, family="math", n_bootstrap=0)
    assert _extraction(math) == {"math_match": "math"}
    assert (
        math.provenance["evaluation"]["extraction"]["math_match"]["description"]
        == (EXTRACTIONS["math"])
    )
    refs = pl.DataFrame({"id": ["a"], "expected": ["x"]})
    preds = pl.DataFrame({"id": ["a"], "prediction": ["x"]})
    generation = evaluate(refs, preds, family="generation", n_bootstrap=0)
    assert _extraction(generation) == {"normalized_exact_match": "none", "token_f1": "none"}
    numeric = evaluate(MATH_REFS, MATH_PREDS, family="math", metrics="numeric_match", n_bootstrap=0)
    assert _extraction(numeric) == {"numeric_match": "gsm8k_or_last_number"}
    mc_refs = pl.DataFrame({"id": ["q"], "expected": [1], "choices": [["x", "y"]]})
    mc = evaluate(
        mc_refs, preds.with_columns(id=pl.lit("q")), family="multiple_choice", n_bootstrap=0
    )
    assert _extraction(mc) == {"choice_match": "choice_letter"}


def test_every_extraction_strategy_is_described_and_runs() -> None:
    assert set(EXTRACTIONS) == set(_metrics._EXTRACTORS)
    for strategy in EXTRACTIONS:
        result = evaluate(MATH_REFS, MATH_PREDS, family="math", extraction=strategy, n_bootstrap=0)
        assert result.items["math_match"].dtype == pl.Boolean, strategy


def test_extraction_is_json_in_the_saved_result(tmp_path: Path) -> None:
    result = evaluate(MATH_REFS, MATH_PREDS, family="math", n_bootstrap=0)
    result.to_json(tmp_path / "r.json")
    document = json.loads((tmp_path / "r.json").read_text())
    assert document["provenance"]["evaluation"]["extraction"]["math_match"] == {
        "strategy": "math",
        "description": EXTRACTIONS["math"],
    }


GSM8K_REFS = pl.DataFrame({"id": ["g1", "g2", "g3"], "expected": ["72", "18", "5"]})
GSM8K_PREDS = pl.DataFrame(
    {
        "id": ["g1", "g2", "g3"],
        "prediction": [
            "48 + 24 = 72\n#### 72",  # GSM8K's own format
            "#### Final Answer\n\\boxed{18}",  # a heading, then a box
            "She has 5 left, 2 more than 3.",  # the answer is not the last number
        ],
    }
)


def test_one_extraction_overrides_every_builtin_metric() -> None:
    result = evaluate(
        GSM8K_REFS,
        GSM8K_PREDS,
        family="math",
        metrics=["math_match", "numeric_match"],
        extraction="gsm8k",
        n_bootstrap=0,
    )
    # Strict GSM8K reads only "#### <number>": the heading and the prose give nothing.
    assert result.items["math_match"].to_list() == [True, False, False]
    assert result.items["numeric_match"].to_list() == [True, False, False]
    assert _extraction(result) == {"math_match": "gsm8k", "numeric_match": "gsm8k"}


def test_per_metric_extraction_mapping() -> None:
    result = evaluate(
        GSM8K_REFS,
        GSM8K_PREDS,
        family="math",
        metrics={"boxed": "math_match", "default": "math_match", "own": lambda p: p.is_null()},
        extraction={"boxed": "boxed"},
        n_bootstrap=0,
    )
    assert result.items["boxed"].to_list() == [False, True, False]
    assert result.items["default"].to_list() == [True, True, False]
    assert _extraction(result) == {"boxed": "boxed", "default": "math", "own": None}
    # A custom metric is recorded as such: it receives the prediction as given.
    custom = result.provenance["evaluation"]["extraction"]["own"]["description"]
    assert "custom" in custom


def test_a_single_extraction_leaves_custom_metrics_alone() -> None:
    result = evaluate(
        GSM8K_REFS,
        GSM8K_PREDS,
        family="math",
        metrics={"m": "math_match", "raw_length": lambda p: p.str.len_chars()},
        extraction="boxed",
        n_bootstrap=0,
    )
    assert (
        result.items["raw_length"].to_list() == GSM8K_PREDS["prediction"].str.len_chars().to_list()
    )
    assert _extraction(result) == {"m": "boxed", "raw_length": None}


def test_choice_match_without_letter_extraction_reads_only_lone_answers() -> None:
    refs = pl.DataFrame({"id": ["a", "b"], "expected": [1, 1], "choices": [["x", "y"]] * 2})
    preds = pl.DataFrame({"id": ["a", "b"], "prediction": ["The answer is (B).", "B"]})
    default = evaluate(refs, preds, family="multiple_choice", n_bootstrap=0)
    assert default.items["choice_match"].to_list() == [True, True]
    as_given = evaluate(refs, preds, family="multiple_choice", extraction="none", n_bootstrap=0)
    assert as_given.items["choice_match"].to_list() == [False, True]
    # Another strategy extracts first; choice_match reads what it extracted.
    cue = evaluate(refs, preds, family="multiple_choice", extraction="answer_is", n_bootstrap=0)
    assert cue.items["choice_match"].to_list() == [True, False]


@pytest.mark.parametrize(
    ("extraction", "match"),
    [
        ("latex", r"Unknown extraction strategy 'latex'.*Valid strategies: none, gsm8k"),
        ({"math_match": "latex"}, r"'latex' in extraction\['math_match'\].*boxed"),
        ({"em": "boxed"}, r"names metric 'em'.*Its metrics: math_match"),
        (3, r"Invalid extraction=3: expected a strategy name"),
    ],
)
def test_invalid_extraction(extraction: object, match: str) -> None:
    with pytest.raises(InvalidInputError, match=match):
        evaluate(MATH_REFS, MATH_PREDS, family="math", extraction=extraction, n_bootstrap=0)  # type: ignore[arg-type]


def test_extraction_naming_a_custom_metric_is_refused() -> None:
    with pytest.raises(InvalidInputError, match=r"'own', a custom metric.*math_match"):
        evaluate(
            MATH_REFS,
            MATH_PREDS,
            family="math",
            metrics={"math_match": "math_match", "own": lambda p: p},
            extraction={"own": "boxed"},
            n_bootstrap=0,
        )


# --- code: scored by running it, opt-in -------------------------------------------------


CODE_REFS = pl.DataFrame(
    {
        "id": ["c1", "c2", "c3"],
        "input": ['def add(a, b):\n    """Add."""\n'] * 3,
        "expected": ["    return a + b\n"] * 3,
        "test": ["def check(candidate):\n    assert candidate(2, 3) == 5\n"] * 3,
        "entry_point": ["add"] * 3,
    }
)
CODE_PREDS = pl.DataFrame(
    {
        "id": ["c1", "c2", "c3"],
        "prediction": [
            "    return a + b\n",  # the reference body
            "def add(a, b):\n    return sum((a, b))\n",  # another correct function
            "    return a - b\n",  # wrong
        ],
    }
)


def _refs_that_fail_when_read() -> pl.LazyFrame:
    def boom(_: pl.Series) -> pl.Series:
        raise AssertionError("evaluate read the references before refusing")

    return CODE_REFS.lazy().with_columns(
        pl.col("expected").map_batches(boom, return_dtype=pl.String)
    )


def test_code_defaults_refuse_to_run_code_without_opt_in() -> None:
    with pytest.raises(CodeExecutionNotAllowedError) as caught:
        evaluate(_refs_that_fail_when_read(), CODE_PREDS, family="code", n_bootstrap=0)
    message = str(caught.value)
    assert "scores code by running it" in message
    assert "allow_code_execution=True" in message
    assert "CRUCIBLE_PL_ALLOW_CODE_EXECUTION=1" in message
    assert "delete or overwrite files" in message  # the risk is stated
    assert "metrics=('normalized_exact_match', 'token_f1')" in message
    assert isinstance(caught.value, PermissionError)


def test_explicit_execution_metric_needs_opt_in_too() -> None:
    with pytest.raises(CodeExecutionNotAllowedError, match=r"'passed'.*allow_code_execution"):
        evaluate(
            CODE_REFS,
            CODE_PREDS,
            family="code",
            metrics={"passed": "execution"},
            n_bootstrap=0,
            allow_code_execution=False,
        )


def test_allow_code_execution_must_be_a_bool() -> None:
    with pytest.raises(InvalidInputError, match=r"allow_code_execution='yes'.*True, False"):
        evaluate(CODE_REFS, CODE_PREDS, family="code", allow_code_execution="yes")  # type: ignore[arg-type]


def test_code_text_metrics_chosen_explicitly_need_no_opt_in() -> None:
    result = evaluate(
        CODE_REFS,
        CODE_PREDS,
        family="code",
        metrics=("normalized_exact_match", "token_f1"),
        n_bootstrap=0,
    )
    # Why text is not the default for code: the correct function scores 0, and the wrong
    # body "return a - b" scores 1 ("+" and "-" are punctuation to normalize_text).
    assert result.items["normalized_exact_match"].to_list() == [True, False, True]


def test_code_family_runs_predictions_when_allowed() -> None:
    result = evaluate(
        CODE_REFS, CODE_PREDS, family="code", n_bootstrap=0, allow_code_execution=True
    )
    assert result.metrics == ("execution",)
    # The other correct function passes: code is scored by running it, not by its text.
    assert result.items["execution"].to_list() == [True, True, False]
    assert _extraction(result) == {"execution": "none"}


def test_code_execution_opt_in_by_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRUCIBLE_PL_ALLOW_CODE_EXECUTION", "1")
    partial = CODE_PREDS.head(2)
    result = evaluate(CODE_REFS, partial, family="code", n_bootstrap=0)
    # c3 has no prediction: it is not run and scores False.
    assert result.items["execution"].to_list() == [True, True, False]
    assert result.missing_ids == ("c3",)


def test_code_execution_needs_test_columns() -> None:
    with pytest.raises(ColumnNotFoundError, match="'test', 'entry_point'"):
        evaluate(
            CODE_REFS.select("id", "input", "expected"),
            CODE_PREDS,
            family="code",
            n_bootstrap=0,
            allow_code_execution=True,
        )


HUMANEVAL = SHARED_HUB / "datasets/openai/openai_humaneval/openai_humaneval"


@pytest.mark.skipif(not HUMANEVAL.is_dir(), reason=NO_SHARED)
def test_real_humaneval_canonical_solutions_pass_and_a_wrong_one_fails() -> None:
    raw = pl.read_parquet(HUMANEVAL / "test-00000-of-00001.parquet").head(4)
    refs = raw.select(
        pl.col("task_id").alias("id"),
        pl.col("prompt").alias("input"),
        pl.col("canonical_solution").alias("expected"),
        "test",
        "entry_point",
    )
    preds = refs.select(
        "id",
        prediction=pl.when(pl.int_range(pl.len()) == 3)
        .then(pl.lit("    return None\n"))
        .otherwise(pl.col("expected")),
    )
    result = evaluate(refs, preds, family="code", n_bootstrap=0, allow_code_execution=True)
    assert result.items["execution"].to_list() == [True, True, True, False]
