"""compare(): paired differences, bootstrap intervals, sign-flip and McNemar tests.

Expected values are computed here by hand or in plain Python (math.comb, and the
documented resampling written out item by item with the pure-Python hash), never by
the code under test.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from polars.testing import assert_frame_equal

import crucible_pl
from crucible_pl._hashing import mix64_int, stable_hash_int
from crucible_pl.errors import (
    ColumnNotFoundError,
    CrucibleError,
    InvalidInputError,
    MismatchedRunsError,
)
from crucible_pl.scoring import Comparison, EvalResult, compare, evaluate
from crucible_pl.scoring import _compare as compare_module
from crucible_pl.scoring import _paired_bootstrap as paired_bootstrap_module
from crucible_pl.scoring._compare import mcnemar_exact_p
from crucible_pl.testing import LocalHub

SHARED_MMLU = Path(__file__).resolve().parents[3] / "shared" / "hub" / "datasets" / "cais" / "mmlu"
GSM8K_PROVENANCE = {
    "repo": "openai/gsm8k",
    "sha": "3101c7d5",
    "config": "main",
    "split": "test",
}


def make_run(
    scores: dict[str, Sequence[Any]],
    *,
    ids: Sequence[str] | None = None,
    extra: dict[str, Sequence[Any]] | None = None,
    provenance: dict[str, Any] | None = None,
) -> EvalResult:
    """An EvalResult with the given per-item score columns (as evaluate() builds them)."""
    n = len(next(iter(scores.values())))
    columns: dict[str, Any] = {"id": list(ids) if ids is not None else [f"i{k}" for k in range(n)]}
    columns.update(extra or {})
    columns.update(scores)
    items = pl.DataFrame(columns)
    summary = pl.DataFrame({"metric": list(scores), "mean": [0.0] * len(scores)})
    return EvalResult(items=items, summary=summary, provenance=dict(provenance or {}))


def binary_runs(both: int, a_only: int, b_only: int, neither: int) -> tuple[EvalResult, EvalResult]:
    """Two 0/1 runs with the given cells of the 2x2 table, items interleaved."""
    cells = [(1, 1)] * both + [(1, 0)] * a_only + [(0, 1)] * b_only + [(0, 0)] * neither
    random.Random(len(cells)).shuffle(cells)
    a = make_run({"correct": [bool(x) for x, _ in cells]})
    b = make_run({"correct": [bool(y) for _, y in cells]})
    return a, b


def overall(result: Comparison, metric: str | None = None) -> dict[str, Any]:
    rows = result.summary.filter(pl.col("scope") == "overall")
    if metric is not None:
        rows = rows.filter(pl.col("metric") == metric)
    assert rows.height == 1
    return rows.row(0, named=True)


# ------------------------------------------------------------------------ McNemar


def exact_mcnemar(b: int, c: int) -> float:
    """The two-sided exact binomial p-value, straight from its definition.

    comb(n, k) for k = 0..m built upward from comb(n, 0) = 1 in integers (the code under
    test walks down from comb(n, m)).
    """
    n, m = b + c, min(b, c)
    term = total = 1
    for k in range(m):
        term = term * (n - k) // (k + 1)  # comb(n, k + 1)
        total += term
    return min(1.0, (2 * total) / (1 << n))


@pytest.mark.parametrize(
    ("b", "c", "want"),
    [
        (1, 9, 2 * (1 + 10) / 2**10),  # 0.021484375
        (9, 1, 2 * (1 + 10) / 2**10),  # symmetric
        (5, 5, 1.0),
        (0, 0, 1.0),  # no discordant pair
        (0, 1, 1.0),  # 2 * 1/2, capped
        (0, 2, 2 * 1 / 4),
        (0, 5, 2 / 32),
        (1, 4, 2 * (1 + 5) / 32),
        (2, 8, 2 * (1 + 10 + 45) / 2**10),  # 0.109375
        (3, 4, 1.0),
        (10, 30, 2 * sum(math.comb(40, k) for k in range(11)) / 2**40),
    ],
)
def test_mcnemar_exact_p_known_values(b: int, c: int, want: float) -> None:
    assert mcnemar_exact_p(b, c) == want


def test_mcnemar_hand_values() -> None:
    assert exact_mcnemar(30, 70) == 2 * sum(math.comb(100, k) for k in range(31)) / 2**100
    assert mcnemar_exact_p(1, 9) == 0.021484375
    assert mcnemar_exact_p(2, 8) == 0.109375
    assert mcnemar_exact_p(0, 5) == 0.0625


@pytest.mark.parametrize(
    ("b", "c"),
    [(9_000, 11_000), (9_999, 10_001), (9_990, 10_010), (4_000, 16_000), (1, 19_999)],
)
def test_mcnemar_integer_path_is_correctly_rounded(b: int, c: int) -> None:
    assert b + c <= compare_module.EXACT_MCNEMAR_PAIRS
    assert mcnemar_exact_p(b, c) == exact_mcnemar(b, c)


@pytest.mark.parametrize(
    ("b", "c"),
    [(9_800, 10_201), (14_000, 16_000), (14_900, 15_100), (19_950, 20_050), (10, 25_000)],
)
def test_mcnemar_large_counts_agree_with_integers(b: int, c: int) -> None:
    assert b + c > compare_module.EXACT_MCNEMAR_PAIRS  # the Stirling path
    want = exact_mcnemar(b, c)
    assert mcnemar_exact_p(b, c) == pytest.approx(want, rel=1e-12, abs=1e-300)


def test_mcnemar_large_counts_are_fast_and_sane() -> None:
    assert mcnemar_exact_p(500_000, 500_001) == 1.0  # |b - c| <= 1
    assert mcnemar_exact_p(0, 10**6) == 0.0  # 2**(1 - 10**6) underflows
    p = mcnemar_exact_p(499_000, 501_000)
    # Normal approximation with continuity correction: z = (2000 - 1) / sqrt(10**6).
    z = 1999 / 1000
    assert p == pytest.approx(math.erfc(z / math.sqrt(2)), rel=1e-3)


@pytest.mark.parametrize("bad", [-1, 1.5, True])
def test_mcnemar_rejects_bad_counts(bad: Any) -> None:
    with pytest.raises(InvalidInputError, match="discordant count"):
        mcnemar_exact_p(bad, 3)


@pytest.mark.parametrize(("b", "c"), [(1, 9), (5, 5), (0, 0), (2, 8), (0, 5)])
def test_compare_reports_discordant_pairs_and_mcnemar(b: int, c: int) -> None:
    run_a, run_b = binary_runs(both=7, a_only=b, b_only=c, neither=4)
    row = overall(compare(run_a, run_b, n_bootstrap=0))
    assert (row["n_a_only"], row["n_b_only"]) == (b, c)
    assert row["mcnemar_p"] == exact_mcnemar(b, c)
    n = 7 + b + c + 4
    assert row["n"] == n
    assert row["mean_a"] == pytest.approx((7 + b) / n)
    assert row["mean_b"] == pytest.approx((7 + c) / n)
    assert row["diff"] == pytest.approx((c - b) / n)


# ------------------------------------------------------------- known differences


def test_identical_runs_give_zero_difference_and_p_one() -> None:
    run_a, _ = binary_runs(both=30, a_only=10, b_only=5, neither=15)
    row = overall(compare(run_a, run_a, n_bootstrap=300))
    assert row["diff"] == 0.0
    assert (row["ci_low"], row["ci_high"]) == (0.0, 0.0)
    assert row["p_value"] == 1.0
    assert (row["n_a_only"], row["n_b_only"], row["mcnemar_p"]) == (0, 0, 1.0)


def test_pairs_by_id_not_by_position() -> None:
    run_a, _ = binary_runs(both=30, a_only=10, b_only=5, neither=15)
    reversed_items = run_a.items.reverse()
    run_b = EvalResult(items=reversed_items, summary=run_a.summary)
    row = overall(compare(run_a, run_b, n_bootstrap=200))
    assert (row["diff"], row["p_value"], row["n_a_only"], row["n_b_only"]) == (0.0, 1.0, 0, 0)


def test_run_against_itself_shifted_by_one_item() -> None:
    # B's answer on item k is A's answer on item k + 1 (the last item: wrong).
    a = [1, 1, 0, 1, 0, 0, 1, 1, 1, 0, 1, 0]
    b = [*a[1:], 0]
    # Pairs (a, b): (1,1) (1,0) (0,1) (1,0) (0,0) (0,1) (1,1) (1,1) (1,0) (0,1) (1,0) (0,0)
    # A only: items 1, 3, 8, 10 -> 4; B only: items 2, 5, 9 -> 3.
    run_a = make_run({"correct": [bool(x) for x in a]})
    run_b = make_run({"correct": [bool(x) for x in b]})
    row = overall(compare(run_a, run_b, n_bootstrap=2000, seed=3))
    assert (row["n_a_only"], row["n_b_only"]) == (4, 3)
    assert row["mean_a"] == pytest.approx(7 / 12)
    assert row["mean_b"] == pytest.approx(6 / 12)
    assert row["diff"] == pytest.approx(-1 / 12)
    assert row["mcnemar_p"] == 1.0  # |4 - 3| <= 1
    # Exact sign-flip p: 7 non-zero differences of +-1, observed sum -1: every sign vector
    # has an odd sum, so |sum| >= 1 always: p = 1.
    assert row["p_value"] == 1.0
    assert row["ci_low"] < row["diff"] < row["ci_high"]


def test_bootstrap_interval_covers_a_known_difference() -> None:
    # d = B - A is 0.1 + 0.2 or 0.1 - 0.2 alternately: mean 0.1, sd 0.2 (exactly, n even).
    n = 400
    a = [0.25 + 0.5 * (k % 3 == 0) for k in range(n)]
    b = [x + 0.1 + (0.2 if k % 2 else -0.2) for k, x in enumerate(a)]
    result = compare(make_run({"score": a}), make_run({"score": b}), n_bootstrap=2000, seed=7)
    row = overall(result)
    assert row["diff"] == pytest.approx(0.1)
    assert row["ci_low"] < 0.1 < row["ci_high"]
    half_width = 1.96 * 0.2 / math.sqrt(n)  # the normal interval of the mean difference
    assert (row["ci_high"] - row["ci_low"]) / 2 == pytest.approx(half_width, rel=0.15)
    assert row["p_value"] == 1 / 2001  # z = 10: no sign vector reaches the observed sum
    # A non-binary metric has no McNemar test.
    assert (row["n_a_only"], row["n_b_only"], row["mcnemar_p"]) == (None, None, None)


def test_interval_and_test_are_calibrated_on_simulated_runs() -> None:
    """Over 60 simulated comparisons, the 90% interval covers the true difference and the
    test rejects a true null at 10% about as often as it should."""
    rng = random.Random(11)
    covered = rejected = 0
    reps, n = 60, 150
    for rep in range(reps):
        a = [rng.random() < 0.6 for _ in range(n)]
        b = [rng.random() < 0.7 for _ in range(n)]  # true difference 0.1
        row = overall(compare(make_run({"c": a}), make_run({"c": b}), n_bootstrap=400,
                              seed=rep, confidence=0.9))  # fmt: skip
        covered += row["ci_low"] <= 0.1 <= row["ci_high"]
        null_b = [rng.random() < 0.6 for _ in range(n)]  # no true difference
        null_row = overall(compare(make_run({"c": a}), make_run({"c": null_b}), n_bootstrap=400,
                                   seed=rep))  # fmt: skip
        rejected += null_row["p_value"] < 0.1
    assert covered / reps >= 0.8  # nominal 0.9
    assert rejected / reps <= 0.22  # nominal 0.1


# --------------------------------------------------- the documented resampling, by hand


def python_reference(
    ids: list[str],
    groups: list[str | None] | None,
    d: list[float | None],
    *,
    n_bootstrap: int,
    seed: int,
    confidence: float,
) -> dict[int, tuple[float, float, float]]:
    """(ci_low, ci_high, p_value) per stratum, from the module docstring, item by item."""
    total = len(ids)
    strata: list[list[int]] = [list(range(total))]
    if groups is not None:
        keys: list[str | None] = [*sorted({g for g in groups if g is not None})]
        keys += [None] if None in groups else []
        strata += [[i for i in range(total) if groups[i] == key] for key in keys]
    draw_key = mix64_int(mix64_int(seed) ^ paired_bootstrap_module._DRAW_SALT)
    low_q, high_q = (1 - confidence) / 2, 1 - (1 - confidence) / 2
    out = {}
    for s, members in enumerate(strata):
        n = len(members)
        k_units = min(n, max(200, math.ceil(10_000 * n / total)), 10_000)
        order = sorted(members, key=lambda i: stable_hash_int(ids[i], seed))
        sums, counts = [0.0] * k_units, [0] * k_units
        for rank, i in enumerate(order):
            value = d[i]
            if value is not None:
                sums[rank % k_units] += value
                counts[rank % k_units] += 1
        observed = sum(sums)
        tol = 1e-9 * sum(abs(x) for x in sums)
        boots, reached = [], 0
        for b in range(n_bootstrap):
            boot_sum, boot_count, flipped = 0.0, 0, 0.0
            for j in range(k_units):
                h = mix64_int(draw_key + (s << 40) + b * k_units + j)
                drawn = (h // 2) % k_units
                boot_sum += sums[drawn]
                boot_count += counts[drawn]
                flipped += -sums[j] if h % 2 else sums[j]
            boots.append(boot_sum / boot_count)
            reached += abs(flipped) >= abs(observed) - tol
        out[s] = (
            percentile(boots, low_q),
            percentile(boots, high_q),
            (reached + 1) / (n_bootstrap + 1),
        )
    return out


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    h = q * (len(ordered) - 1)
    lo = math.floor(h)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (h - lo) * (ordered[hi] - ordered[lo])


def test_resampling_matches_the_documented_procedure_item_by_item() -> None:
    rng = random.Random(5)
    n = 90
    ids = [f"task/{rng.randrange(10**6)}/{k}" for k in range(n)]
    groups: list[str | None] = [rng.choice(["alg", "geo", None]) for _ in range(n)]
    a: list[float | None] = [rng.choice([0.0, 0.25, 0.5, 1.0]) for _ in range(n)]
    b = [rng.choice([0.0, 0.5, 0.75, 1.0]) for _ in range(n)]
    a[3] = None  # a null score leaves item 3 out
    run_a = make_run({"s": a}, ids=ids, extra={"topic": groups})
    run_b = make_run({"s": b}, ids=ids, extra={"topic": groups})
    result = compare(run_a, run_b, by="topic", n_bootstrap=60, seed=42, confidence=0.8)
    d = [None if x is None else y - x for x, y in zip(a, b, strict=True)]
    want = python_reference(ids, groups, d, n_bootstrap=60, seed=42, confidence=0.8)
    got = result.summary.select("ci_low", "ci_high", "p_value").rows()
    assert len(got) == len(want) == 4  # overall, alg, geo, null
    for s, row in enumerate(got):
        assert row == pytest.approx(want[s], rel=1e-12)
    assert result.summary["topic"].to_list() == [None, "alg", "geo", None]
    assert result.summary["scope"].to_list() == ["overall", "group", "group", "group"]
    assert result.summary["n"][0] == n - 1


def test_block_resampling_matches_the_documented_procedure() -> None:
    # 10,500 items > 10,000 units: items are dealt into blocks of one or two.
    n = 10_500
    rng = random.Random(9)
    ids = [f"q{k}" for k in range(n)]
    a = [float(rng.random() < 0.5) for _ in range(n)]
    b = [float(rng.random() < 0.55) for _ in range(n)]
    result = compare(make_run({"s": a}, ids=ids), make_run({"s": b}, ids=ids), n_bootstrap=3)
    d: list[float | None] = [y - x for x, y in zip(a, b, strict=True)]
    want = python_reference(ids, None, d, n_bootstrap=3, seed=0, confidence=0.95)
    got = result.summary.select("ci_low", "ci_high", "p_value").row(0)
    assert got == pytest.approx(want[0], rel=1e-12)


def test_block_resampling_keeps_the_spread_of_the_item_bootstrap() -> None:
    n = 40_000
    d_values = [0.3 if k % 4 == 0 else -0.1 for k in range(n)]  # mean 0, sd sqrt(0.03)
    a = [0.5] * n
    b = [0.5 + x for x in d_values]
    row = overall(compare(make_run({"s": a}), make_run({"s": b}), n_bootstrap=400, seed=1))
    assert row["diff"] == pytest.approx(0.0, abs=1e-12)
    half_width = 1.96 * math.sqrt(0.03) / math.sqrt(n)
    assert (row["ci_high"] - row["ci_low"]) / 2 == pytest.approx(half_width, rel=0.15)
    assert row["ci_low"] < 0 < row["ci_high"]
    assert row["p_value"] > 0.2  # a true null


def test_same_seed_same_output_and_batches_do_not_matter(monkeypatch: pytest.MonkeyPatch) -> None:
    run_a, run_b = binary_runs(both=40, a_only=12, b_only=25, neither=23)
    first = compare(run_a, run_b, n_bootstrap=500, seed=9)
    again = compare(run_a, run_b, n_bootstrap=500, seed=9)
    assert_frame_equal(first.summary, again.summary)
    other = compare(run_a, run_b, n_bootstrap=500, seed=10)
    assert other.summary["ci_low"][0] != first.summary["ci_low"][0] or (
        other.summary["p_value"][0] != first.summary["p_value"][0]
    )
    monkeypatch.setattr(paired_bootstrap_module, "_BATCH_ROWS", 1_000)  # 10 resamples per batch
    assert_frame_equal(compare(run_a, run_b, n_bootstrap=500, seed=9).summary, first.summary)


def test_swapping_the_runs_mirrors_the_result() -> None:
    run_a, run_b = binary_runs(both=40, a_only=12, b_only=25, neither=23)
    ab = overall(compare(run_a, run_b, n_bootstrap=400, seed=2))
    ba = overall(compare(run_b, run_a, n_bootstrap=400, seed=2))
    assert ba["diff"] == pytest.approx(-ab["diff"])
    assert ba["ci_low"] == pytest.approx(-ab["ci_high"])
    assert ba["ci_high"] == pytest.approx(-ab["ci_low"])
    assert ba["p_value"] == ab["p_value"]
    assert (ba["n_a_only"], ba["n_b_only"]) == (ab["n_b_only"], ab["n_a_only"])
    assert ba["mcnemar_p"] == ab["mcnemar_p"]


# ----------------------------------------------------------------- groups and metrics


def test_per_group_rows_on_real_mmlu_items() -> None:
    if not SHARED_MMLU.is_dir():
        pytest.skip(f"real MMLU not found at {SHARED_MMLU} (../shared is absent)")
    refs = pl.concat(
        pl.read_parquet(path).select(
            pl.format("mmlu/{}/{}", pl.lit(path.parent.name), pl.int_range(pl.len())).alias("id"),
            pl.lit(path.parent.name).alias("subject"),
            pl.col("question").alias("input"),
            "choices",
            pl.col("answer").cast(pl.Int64).alias("expected"),
        )
        for path in sorted(SHARED_MMLU.glob("*/test-*.parquet"))
    )
    assert refs.height == 4474  # PROVENANCE.md
    letters = "ABCD"
    rows = refs.to_dicts()

    def model(name: str, skill: float) -> pl.DataFrame:
        # Right when a hash of (model, id) falls under `skill`, else the next letter.
        preds = [
            letters[(r["expected"] + (stable_hash_int(name + r["id"]) % 1000 >= skill * 1000)) % 4]
            for r in rows
        ]
        return pl.DataFrame({"id": refs["id"], "prediction": preds})

    run_a = evaluate(refs, model("a", 0.55), family="multiple_choice", by="subject", n_bootstrap=0)
    run_b = evaluate(refs, model("b", 0.62), family="multiple_choice", by="subject", n_bootstrap=0)
    result = compare(run_a, run_b, by="subject", n_bootstrap=200)
    summary = result.summary
    subjects = sorted({r["subject"] for r in rows})
    assert summary["scope"].to_list() == ["overall"] + ["group"] * len(subjects)
    assert summary["subject"].to_list() == [None, *subjects]
    # Every figure again in plain Python, per subject.
    metric = run_a.metrics[0]
    right_a = dict(zip(run_a.items["id"], run_a.items[metric], strict=True))
    right_b = dict(zip(run_b.items["id"], run_b.items[metric], strict=True))
    for row in summary.iter_rows(named=True):
        ids = [r["id"] for r in rows if row["subject"] in (None, r["subject"])]
        a_only = sum(right_a[i] and not right_b[i] for i in ids)
        b_only = sum(right_b[i] and not right_a[i] for i in ids)
        assert row["n"] == len(ids)
        assert (row["n_a_only"], row["n_b_only"]) == (a_only, b_only)
        assert row["mcnemar_p"] == exact_mcnemar(a_only, b_only)
        assert row["diff"] == pytest.approx((b_only - a_only) / len(ids))
        assert row["mean_a"] == pytest.approx(sum(right_a[i] for i in ids) / len(ids))
        assert row["ci_low"] <= row["diff"] <= row["ci_high"]
    assert overall(result)["p_value"] < 0.01  # 0.55 vs 0.62 on 4474 items


def test_several_metrics_and_a_chosen_subset() -> None:
    run_a = make_run({"em": [True, False, True, False], "f1": [1.0, 0.5, 0.75, 0.0]})
    run_b = make_run({"em": [True, True, True, False], "f1": [1.0, 0.75, 0.75, 0.25]})
    both = compare(run_a, run_b, n_bootstrap=0)
    assert both.metrics == ("em", "f1")
    assert both.summary["metric"].to_list() == ["em", "f1"]
    assert both.summary["diff"].to_list() == pytest.approx([0.25, 0.125])
    assert both.summary["n_b_only"].to_list() == [1, None]  # f1 is not 0/1
    only_f1 = compare(run_a, run_b, metrics="f1", n_bootstrap=0)
    assert only_f1.summary["metric"].to_list() == ["f1"]


def test_integer_zero_one_scores_count_as_binary() -> None:
    run_a = make_run({"passed": [1, 0, 0, 1, 0]})
    run_b = make_run({"passed": [1, 1, 1, 0, 1]})
    row = overall(compare(run_a, run_b, n_bootstrap=0))
    assert (row["n_a_only"], row["n_b_only"]) == (1, 3)
    assert row["mcnemar_p"] == exact_mcnemar(1, 3)
    assert row["ci_low"] is None  # n_bootstrap=0
    assert row["p_value"] is None


def test_null_scores_leave_their_items_out() -> None:
    run_a = make_run({"s": [1.0, None, 0.0, 1.0]})
    run_b = make_run({"s": [1.0, 1.0, None, 0.0]})
    row = overall(compare(run_a, run_b, n_bootstrap=100))
    assert row["n"] == 2  # items 0 and 3
    assert (row["mean_a"], row["mean_b"], row["diff"]) == (1.0, 0.5, -0.5)
    assert (row["n_a_only"], row["n_b_only"]) == (1, 0)


def test_several_by_columns() -> None:
    extra: dict[str, Sequence[Any]] = {
        "subject": ["x", "x", "y", "y", "y", "x"],
        "level": [1, 2, 1, 1, 2, 1],
    }
    run_a = make_run({"c": [True, False, True, False, False, True]}, extra=extra)
    run_b = make_run({"c": [True, True, True, True, False, False]}, extra=extra)
    summary = compare(run_a, run_b, by=["subject", "level"], n_bootstrap=50).summary
    assert summary.select("subject", "level").rows() == [
        (None, None),
        ("x", 1),
        ("x", 2),
        ("y", 1),
        ("y", 2),
    ]
    assert summary["n"].to_list() == [6, 2, 1, 2, 1]
    assert summary["diff"].to_list() == pytest.approx([1 / 6, -0.5, 1.0, 0.5, 0.0])


# --------------------------------------------------------------- provenance and ids


def test_same_dataset_provenance_is_kept() -> None:
    run_a = make_run({"c": [True, False]}, provenance={**GSM8K_PROVENANCE, "model": "m1"})
    run_b = make_run({"c": [True, True]}, provenance={**GSM8K_PROVENANCE, "model": "m2"})
    result = compare(run_a, run_b, n_bootstrap=0)
    assert result.provenance["dataset"] == GSM8K_PROVENANCE
    assert result.provenance["a"]["model"] == "m1"
    assert result.provenance["b"]["model"] == "m2"
    assert result.provenance["comparison"]["p_value"] == "two-sided paired sign-flip test"


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"sha": "ffffffff"}, ("sha",)),
        ({"split": "train"}, ("split",)),
        ({"config": "socratic", "split": "train"}, ("config", "split")),
        ({"repo": "someone/gsm8k-copy"}, ("repo",)),
    ],
)
def test_different_datasets_are_refused(changes: dict[str, str], fields: tuple[str, ...]) -> None:
    run_a = make_run({"c": [True, False]}, provenance=GSM8K_PROVENANCE)
    run_b = make_run({"c": [True, True]}, provenance={**GSM8K_PROVENANCE, **changes})
    with pytest.raises(MismatchedRunsError, match="different data") as info:
        compare(run_a, run_b)
    assert info.value.fields == fields
    for name, value in changes.items():
        assert f"{name} (A: {GSM8K_PROVENANCE[name]!r}, B: {value!r})" in str(info.value)
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, CrucibleError)


def test_one_run_without_provenance_is_refused() -> None:
    with_it = make_run({"c": [True, False]}, provenance=GSM8K_PROVENANCE)
    without = make_run({"c": [True, True]}, provenance={"model": "m2"})
    with pytest.raises(MismatchedRunsError, match="Run B has no dataset provenance"):
        compare(with_it, without)
    with pytest.raises(MismatchedRunsError, match="Run A has no dataset provenance"):
        compare(without, with_it)


def test_runs_without_provenance_are_compared_on_matching_ids() -> None:
    run_a = make_run({"c": [True, False]}, provenance={"model": "m1"})
    run_b = make_run({"c": [True, True]})
    result = compare(run_a, run_b, n_bootstrap=0)
    assert result.provenance["dataset"] is None
    assert overall(result)["diff"] == 0.5


def test_disjoint_ids_are_refused() -> None:
    run_a = make_run({"c": [True, False]}, ids=["a1", "a2"])
    run_b = make_run({"c": [True, True]}, ids=["b1", "b2"])
    with pytest.raises(MismatchedRunsError, match=r"2 id\(s\) only in A \(e\.g\. 'a1', 'a2'\)"):
        compare(run_a, run_b)


def test_partly_overlapping_ids_are_refused_with_examples() -> None:
    run_a = make_run({"c": [True, False, True]}, ids=["x", "y", "z"])
    run_b = make_run({"c": [True, True, False, True]}, ids=["x", "y", "z", "w"])
    with pytest.raises(MismatchedRunsError) as info:
        compare(run_a, run_b)
    assert "0 id(s) only in A, 1 only in B (e.g. 'w')" in str(info.value)
    assert info.value.fields == ("id",)


def test_same_ids_with_other_expected_values_are_refused() -> None:
    run_a = make_run({"c": [True, False]}, extra={"expected": [1, 2]})
    run_b = make_run({"c": [True, True]}, extra={"expected": [1, 3]})
    with pytest.raises(MismatchedRunsError, match=r"expected \(1 items\)") as info:
        compare(run_a, run_b)
    assert info.value.fields == ("expected",)


def test_repeated_ids_are_refused() -> None:
    run_a = make_run({"c": [True, False]}, ids=["x", "x"])
    with pytest.raises(InvalidInputError, match="run A repeat ids \\(x\\)"):
        compare(run_a, make_run({"c": [True, True]}, ids=["x", "y"]))


# ------------------------------------------------------------------ bad arguments


def test_unknown_metric() -> None:
    run = make_run({"em": [True], "f1": [1.0]})
    with pytest.raises(
        InvalidInputError, match=r"Unknown metric 'acc'.*Metrics of both runs: em, f1"
    ):
        compare(run, run, metrics=["acc"])


def test_metric_in_one_run_only() -> None:
    run_a = make_run({"em": [True], "f1": [1.0]})
    run_b = make_run({"em": [False]})
    with pytest.raises(InvalidInputError, match="Metric 'f1' is in run A only \\(run B has: em\\)"):
        compare(run_a, run_b, metrics="f1")
    with pytest.raises(InvalidInputError, match="Metric 'f1' is in run B only"):
        compare(run_b, run_a, metrics=["em", "f1"])
    assert compare(run_a, run_b, n_bootstrap=0).metrics == ("em",)  # None: the shared ones


def test_no_shared_metric() -> None:
    with pytest.raises(InvalidInputError, match="share no metric \\(A: em; B: f1\\)"):
        compare(make_run({"em": [True]}), make_run({"f1": [1.0]}))


def test_empty_or_repeated_metrics() -> None:
    run = make_run({"em": [True]})
    with pytest.raises(InvalidInputError, match="metrics= is empty"):
        compare(run, run, metrics=[])
    with pytest.raises(InvalidInputError, match="names a metric twice"):
        compare(run, run, metrics=["em", "em"])


@pytest.mark.parametrize("bad", [-1, True, 1.5, 10**8])
def test_bad_n_bootstrap(bad: Any) -> None:
    run = make_run({"em": [True]})
    with pytest.raises(InvalidInputError, match="Invalid n_bootstrap"):
        compare(run, run, n_bootstrap=bad)


@pytest.mark.parametrize("bad", [0, 1, 1.5, -0.1])
def test_bad_confidence(bad: float) -> None:
    run = make_run({"em": [True]})
    with pytest.raises(InvalidInputError, match="Invalid confidence"):
        compare(run, run, confidence=bad)


def test_bad_seed() -> None:
    run = make_run({"em": [True]})
    with pytest.raises(InvalidInputError, match="Invalid seed -1"):
        compare(run, run, seed=-1)


def test_not_an_eval_result() -> None:
    run = make_run({"em": [True]})
    with pytest.raises(InvalidInputError, match="result_b is DataFrame"):
        compare(run, run.items)  # type: ignore[arg-type]


def test_by_column_absent_from_one_run() -> None:
    run_a = make_run({"c": [True, False]}, extra={"subject": ["x", "y"]})
    run_b = make_run({"c": [True, True]})
    with pytest.raises(ColumnNotFoundError, match="run B lack column\\(s\\) 'subject'"):
        compare(run_a, run_b, by="subject")


def test_by_column_clashing_with_the_summary() -> None:
    run = make_run({"c": [True, False]}, extra={"n": [1, 2]})
    with pytest.raises(InvalidInputError, match="clash with a summary column"):
        compare(run, run, by="n")


def test_text_scores_are_refused() -> None:
    run = make_run({"label": ["yes", "no"]})
    with pytest.raises(InvalidInputError, match="holds String scores"):
        compare(run, run)


# ------------------------------------------------------------------ repr and JSON


def test_repr_and_to_json(tmp_path: Path) -> None:
    run_a, run_b = binary_runs(both=5, a_only=1, b_only=9, neither=5)
    result = compare(run_a, run_b, n_bootstrap=100)
    text = repr(result)
    assert text.startswith("Comparison(items=20, correct: A=0.3000 B=0.7000 diff=+0.4000 [")
    assert "McNemar p=0.0215 (A only 1, B only 9)" in text
    doc = json.loads(result.to_json())
    assert doc["summary"][0]["n_b_only"] == 9
    assert doc["provenance"]["comparison"]["n_items"] == 20
    assert result.to_json(tmp_path / "cmp.json") is None
    assert json.loads((tmp_path / "cmp.json").read_text()) == doc


def test_public_exports() -> None:
    assert crucible_pl.compare is compare
    assert crucible_pl.Comparison is Comparison


# ------------------------------------------------------------------ real data, end to end


@pytest.mark.realdata
def test_compare_two_runs_on_real_gsm8k(use_real_hub: LocalHub) -> None:
    ds = crucible_pl.load("gsm8k", "test", config="main")
    refs = ds.collect()
    n = refs.height
    # Model A answers the first 60% right, model B the last 70%.
    pred_a = [e if k < 0.6 * n else "0" for k, e in enumerate(refs["expected"])]
    pred_b = [e if k >= 0.3 * n else "0" for k, e in enumerate(refs["expected"])]
    run_a = evaluate(ds, pl.DataFrame({"id": refs["id"], "prediction": pred_a}), n_bootstrap=0)
    run_b = evaluate(ds, pl.DataFrame({"id": refs["id"], "prediction": pred_b}), n_bootstrap=0)
    result = compare(run_a, run_b, n_bootstrap=500)
    assert result.provenance["dataset"]["repo"] == "openai/gsm8k"
    assert result.provenance["dataset"]["split"] == "test"
    right_a = sum(x == e for x, e in zip(pred_a, refs["expected"], strict=True))
    right_b = sum(x == e for x, e in zip(pred_b, refs["expected"], strict=True))
    a_only = sum(k < 0.3 * n and e != "0" for k, e in enumerate(refs["expected"]))
    b_only = sum(k >= 0.6 * n and e != "0" for k, e in enumerate(refs["expected"]))
    metric = run_a.metrics[0]
    row = overall(result, metric)
    assert row["n"] == n == 1319
    assert (row["n_a_only"], row["n_b_only"]) == (a_only, b_only)
    assert row["diff"] == pytest.approx((right_b - right_a) / n)
    assert row["mcnemar_p"] == exact_mcnemar(a_only, b_only)
    # A slice of the same split is another item set: refused by its provenance.
    part = crucible_pl.load("gsm8k", "test[:100]", config="main")
    part_ids = part.collect()["id"]
    run_part = evaluate(part, pl.DataFrame({"id": part_ids, "prediction": ["0"] * 100}))
    with pytest.raises(MismatchedRunsError, match="split"):
        compare(run_a, run_part)
