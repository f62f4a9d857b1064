"""Execution scoring of the 164 canonical HumanEval solutions (issue 11, part 3).

Usage::

    python bench/bench_execution.py [--workers 2] [--hub ../shared/hub]

Reads ``openai/openai_humaneval`` from the local Hub mirror (``../shared/hub``, see its
PROVENANCE.md), normalizes it with the registry's spec, and scores every canonical
solution with ``run_tests`` (``allow_code_execution=True``): one subprocess per item, with
all of its limits, ``--workers`` at a time. Prints the wall time of the whole run against
the target (under 30 s on 2 cores), the outcome counts, and per-item figures from the
``seconds`` column (mean, median, p90, max), plus how much of the wall time the workers
were busy (sum of per-item seconds / (wall x workers)).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import polars as pl

from crucible_pl.registry.code import HUMANEVAL
from crucible_pl.scoring import run_tests

TARGET_SECONDS = 30.0
DEFAULT_HUB = Path(__file__).resolve().parents[2] / "shared" / "hub"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--hub", type=Path, default=DEFAULT_HUB)
    args = parser.parse_args(argv)

    path = (
        args.hub / "datasets/openai/openai_humaneval/openai_humaneval/test-00000-of-00001.parquet"
    )
    if not path.is_file():
        print(f"HumanEval not found at {path}: pass --hub DIR (the shared Hub mirror).")
        return 2
    items = (
        HUMANEVAL.normalize(pl.scan_parquet(path), config="openai_humaneval", split="test")
        .with_columns(prediction=pl.col("expected"))
        .collect()
    )

    load = os.getloadavg()[0]
    started = time.perf_counter()
    out = run_tests(items, workers=args.workers, allow_code_execution=True)
    wall = time.perf_counter() - started

    seconds = out["seconds"]
    counts = dict(out["outcome"].cast(pl.String).value_counts().iter_rows())
    busy = seconds.sum() / (wall * args.workers)
    verdict = "PASS" if wall < TARGET_SECONDS else "FAIL"
    print(f"python {sys.version.split()[0]}, polars {pl.__version__}, cores {os.cpu_count()}")
    print(f"load average before the run: {load:.2f}")
    print(f"items: {out.height}, workers: {args.workers}, outcomes: {counts}")
    print(f"wall time: {wall:.2f} s (target < {TARGET_SECONDS:.0f} s): {verdict}")
    print(f"items per second: {out.height / wall:.1f}")
    print(
        "per item (s): "
        f"mean {seconds.mean():.3f}, median {seconds.median():.3f}, "
        f"p90 {seconds.quantile(0.9):.3f}, max {seconds.max():.3f}"
    )
    print(f"workers busy: {busy:.0%} of the wall time")
    slowest = out.sort("seconds", descending=True).head(3).select("id", "seconds")
    print("slowest: " + ", ".join(f"{i} {s:.2f} s" for i, s in slowest.iter_rows()))
    return 0 if verdict == "PASS" and counts.get("passed") == out.height else 1


if __name__ == "__main__":
    raise SystemExit(main())
