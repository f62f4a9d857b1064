"""Benchmark: evaluate's math_match against its Polars fast path alone, and Math-Verify.

Builds N GSM8K-style replies (default 1,000,000) to GSM8K-style integer answers, of
which 5% need the exact checker (``\\boxed{17 + 1}``, ``\\boxed{1 \\cdot 19}``:
neither proven equal nor proven different by the fast path), and times, side by side
in one run:

1. ``fast``: ``evaluate`` with ``math_match(..., exact_checker=False)`` (extraction and
   the fast path; the 5% score False);
2. ``full, distinct``: ``evaluate``'s default ``math_match`` with every one of the 5%
   a distinct (answer, reference) pair, so Math-Verify runs on each (cold cache);
3. ``full, repeated``: the same, with the 5% drawn from a pool of 2,000 distinct
   pairs (model replies repeat; the checker's cache answers the repeats);
4. ``math-verify``: Math-Verify on every row (``parse`` of the reply and of the
   reference, ``verify``), in this process, on a sample of ``--sample`` rows, scaled
   per row.

Targets (issue 11): full within 3x of fast; fast at least 50x faster per row than
Math-Verify on every row.

Usage::

    python bench/bench_math.py [--rows N] [--sample S]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Mapping

import polars as pl

from crucible_pl.scoring import _math_verify, evaluate, extract_answer, math_match

SHARE_UNDECIDED = 0.05
REPEATED_POOL = 2_000


def build(rows: int, *, distinct_undecided: bool) -> tuple[pl.DataFrame, pl.DataFrame]:
    """References (id, expected) and predictions (id, prediction)."""
    i = pl.int_range(rows, eager=True).alias("i")
    answer = (i * 7919) % 100_000 + 1
    step = int(1 / SHARE_UNDECIDED)
    undecided = i % step == 0
    # The undecided rows' answers: each distinct, or drawn from a small pool.
    key = i // step if distinct_undecided else (i // step) % REPEATED_POOL
    hard = (key * 104_729) % 100_000 + 1
    expected = pl.select(pl.when(pl.lit(undecided)).then(pl.lit(hard)).otherwise(pl.lit(answer)))
    expected_text = expected.to_series().cast(pl.String)
    value = pl.lit(expected_text)
    wrong = (pl.lit(expected.to_series()) + 1).cast(pl.String)
    kind = pl.lit(i % 10)
    easy = (
        pl.when(kind < 3)
        .then(pl.concat_str(pl.lit("She buys 3 + 4 = 7 apples, then more.\n#### "), value))
        .when(kind < 5)
        .then(pl.concat_str(pl.lit("Adding up, the total is $\\boxed{"), value, pl.lit("}$.")))
        .when(kind < 7)
        .then(
            pl.concat_str(
                pl.lit("So she has "),
                value,
                pl.lit(" dollars left. The answer is "),
                value,
                pl.lit("."),
            )
        )
        .when(kind < 8)
        .then(pl.concat_str(pl.lit("In all she pays $"), value, pl.lit(" for them.")))
        .otherwise(pl.concat_str(pl.lit("Hence the answer is "), wrong, pl.lit(".")))
    )
    # Exact-checker rows: a sum left unevaluated, right ("N-1 + 1") or wrong
    # ("1 \cdot N+1"), as models write them. (A square root of a large square is a
    # poor choice here: SymPy factors the integer, 5-15 ms a pair.)
    hard_reply = (
        pl.when(pl.lit(i // step) % 2 == 0)
        .then(
            pl.concat_str(
                pl.lit("So the total is $\\boxed{"),
                (pl.lit(expected.to_series()) - 1).cast(pl.String),
                pl.lit(" + 1}$."),
            )
        )
        .otherwise(
            pl.concat_str(pl.lit("So the total is $\\boxed{1 \\cdot "), wrong, pl.lit("}$."))
        )
    )
    ids = i.cast(pl.String).alias("id")
    refs = pl.DataFrame({"id": ids, "expected": expected_text})
    preds = pl.select(
        pl.lit(ids).alias("id"),
        pl.when(pl.lit(undecided)).then(hard_reply).otherwise(easy).alias("prediction"),
    )
    return refs, preds


def timed(label: str, work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    seconds = time.perf_counter() - start
    print(f"  {label:<18} {seconds:8.2f} s")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=2_000)
    args = parser.parse_args()
    rows = args.rows

    fast_only = {
        "math_match": lambda p: math_match(
            extract_answer(p, "math"), "expected", exact_checker=False
        )
    }
    refs, preds = build(rows, distinct_undecided=True)
    refs_rep, preds_rep = build(rows, distinct_undecided=False)

    # Start the checker's workers first: their start-up (~1 s, importing SymPy) is paid
    # once per process, and is not what the ratios are about.
    _math_verify.verify_pairs(["1", "2"], ["1", "2"], seconds=5.0)  # two pairs: two workers

    print(f"{rows:,} replies, {SHARE_UNDECIDED:.0%} for the exact checker")
    results: dict[str, pl.DataFrame] = {}

    def run(
        name: str,
        r: pl.DataFrame,
        p: pl.DataFrame,
        metrics: Mapping[str, Callable[[pl.Expr], pl.Expr]] | None = None,
    ) -> None:
        results[name] = evaluate(r, p, family="math", metrics=metrics, n_bootstrap=0).items

    fast = timed("fast", lambda: run("fast", refs, preds, fast_only))
    _math_verify._CACHE.clear()
    full = timed("full, distinct", lambda: run("full", refs, preds))
    _math_verify._CACHE.clear()
    full_rep = timed("full, repeated", lambda: run("full_rep", refs_rep, preds_rep))

    # Math-Verify alone on every row, on a sample, in this process (as a user would).
    from math_verify import parse, verify

    sample = refs.join(preds, on="id").sample(args.sample, seed=0)
    pairs = list(zip(sample["expected"], sample["prediction"], strict=True))

    def math_verify_alone() -> None:
        for expected, reply in pairs:
            verify(parse(f"${expected}$"), parse(reply))

    mv = timed(f"math-verify x{len(pairs):,}", math_verify_alone)

    fast_items, full_items = results["fast"], results["full"]
    hard = full_items["math_match"] != fast_items["math_match"]
    print(f"\n  rows the checker turned right: {int(hard.sum()):,}")
    print(
        f"  mean math_match: fast {fast_items['math_match'].mean():.4f}, "
        f"full {full_items['math_match'].mean():.4f}"
    )
    per_row_fast = fast / rows
    per_row_mv = mv / len(pairs)
    print("\nratios")
    print(f"  full (distinct) / fast: {full / fast:6.2f}x   (target <= 3x)")
    print(f"  full (repeated) / fast: {full_rep / fast:6.2f}x   (target <= 3x)")
    print(f"  math-verify / fast, per row: {per_row_mv / per_row_fast:8.1f}x   (target >= 50x)")
    print(f"  per row: fast {per_row_fast * 1e6:.2f} us, math-verify {per_row_mv * 1e3:.3f} ms")


if __name__ == "__main__":
    main()
