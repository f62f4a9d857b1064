"""Time ``compare()`` on 1M items x 1 metric x 1,000 resamples (issue 11, part 4).

Usage::

    python bench/bench_compare_runs.py [--items N] [--resamples B] [--repeat R]

Builds two runs of N items (default 1,000,000) with ``evaluate`` (a 0/1 metric, 57
subjects, accuracies 0.60 and 0.61, drawn from the pinned hash), then times, side by
side in one process and in alternating order: ``compare`` overall; ``compare`` with
``by="subject"``; and, for scale, ``evaluate`` itself with the same number of bootstrap
resamples on the same items. Prints the best of R runs of each and the ratios
(compare / evaluate). The target is "seconds, not minutes" for the first line.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import polars as pl

from crucible_pl._hashing import stable_hash
from crucible_pl.scoring import EvalResult, compare, evaluate


def _runs(n: int) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    refs = pl.select(
        id=pl.format("bench/{}", pl.int_range(n)),
        subject=pl.format("subject_{}", pl.int_range(n) % 57),
        expected=pl.lit("1"),
    )

    def preds(seed: int, accuracy: float) -> pl.DataFrame:
        right = stable_hash("id", seed) % 1000 < int(accuracy * 1000)
        return refs.select("id", prediction=pl.when(right).then(pl.lit("1")).otherwise(pl.lit("0")))

    return refs, preds(1, 0.60), preds(2, 0.61)


def _evaluate(refs: pl.DataFrame, preds: pl.DataFrame, n_bootstrap: int) -> EvalResult:
    return evaluate(
        refs,
        preds,
        family="generation",
        metrics={"correct": lambda p: p == pl.col("expected")},
        by="subject",
        n_bootstrap=n_bootstrap,
    )


def _best(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--resamples", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    refs, preds_a, preds_b = _runs(args.items)
    run_a = _evaluate(refs, preds_a, 0)
    run_b = _evaluate(refs, preds_b, 0)
    b = args.resamples
    cases: dict[str, Callable[[], object]] = {
        "compare, overall": lambda: compare(run_a, run_b, n_bootstrap=b),
        "compare, by subject (57 groups)": lambda: compare(
            run_a, run_b, by="subject", n_bootstrap=b
        ),
        "evaluate, by subject, same resamples": lambda: _evaluate(refs, preds_b, b),
    }
    times = {name: _best(fn, args.repeat) for name, fn in cases.items()}
    base = times["evaluate, by subject, same resamples"]
    print(f"{args.items:,} items x 1 metric x {b:,} resamples (best of {args.repeat})")
    for name, seconds in times.items():
        print(f"  {name:<40} {seconds:7.2f} s   {seconds / base:5.2f}x evaluate")
    print(compare(run_a, run_b, n_bootstrap=b))


if __name__ == "__main__":
    main()
