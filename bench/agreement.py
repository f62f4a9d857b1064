"""Agreement of math graders with the hand-judged verdicts of tests/data/math_agreement.csv.

Usage::

    python bench/agreement.py [--rows all|ours|none]

Scores every row with our ``math_match`` (through ``evaluate``), Math-Verify alone and
lm-eval's hendrycks_math ``is_equiv`` (the reimplementation in
``tests/scoring/_lm_eval_is_equiv.py``), exactly as
``tests/scoring/test_scoring_agreement.py`` does (its functions are reused), and
prints per grader: n, agreement with the human verdict, false positives and false
negatives, over the whole table and over its held-out rows (``note`` starting
"held-out": written after ``math_match`` had been tuned on the others). Then
the rows where a grader disagrees with the human: ``--rows all`` (default) those where
any grader does, ``--rows ours`` those where ours does, ``--rows none`` no rows.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import polars as pl

TEST_ROOT = Path(__file__).resolve().parents[1] / "tests"
TEST_MODULE = TEST_ROOT / "scoring" / "test_scoring_agreement.py"


def _load_test_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("test_scoring_agreement", TEST_MODULE)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {TEST_MODULE}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", choices=("all", "ours", "none"), default="all")
    args = parser.parse_args(argv)
    agreement = _load_test_module()
    graded = agreement.grade(agreement.read_table())
    with pl.Config(tbl_rows=-1, fmt_str_lengths=70, tbl_width_chars=220):
        print(agreement.figures(graded))
        held_out = graded.filter(pl.col("note").str.starts_with("held-out"))
        print("\nheld-out rows (written after math_match was tuned; it was tuned on them since):")
        print(agreement.figures(held_out))
        if args.rows == "none":
            return 0
        rows = (
            agreement.disagreements(graded)
            if args.rows == "all"
            else graded.filter(pl.col("math_match") != pl.col("verdict"))
        )
        print(f"\n{rows.height} rows where {'a grader' if args.rows == 'all' else 'ours'} differs")
        for row in rows.iter_rows(named=True):
            marks = " ".join(f"{name}={row[name]}" for name in agreement.GRADERS)
            print(f"\n[{row['id']}] {row['source']}  human={row['verdict']}  {marks}")
            print(f"  expected: {row['expected']}")
            print(f"  reply:    {row['reply']!r}")
            if row["note"]:
                print(f"  note:     {row['note']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
