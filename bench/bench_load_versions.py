"""Warm loads of two versions of crucible-pl, side by side: is this change slower?

Usage::

    python bench/bench_load_versions.py BEFORE [--rounds R] [--rows N]

``BEFORE`` is a git revision of this repository (or the path of a checkout). The script
checks it out in a temporary ``git worktree``, then runs ``bench/bench_load.py`` (this
tree's copy, so both versions are measured by the same code) ``--rounds`` times for each
version, alternating which goes first, each run in its own process with
``PYTHONPATH`` pointing at that version's package. From every run it reads the medians of
"warm load_lazy + collect" and "warm load_lazy only" (the fixed overhead), and prints per
version the median over rounds and the ratios after / before. Target (issues 12 and 13):
warm after / before <= 1.05.

The machine is shared and noisy: read the ratios, not the milliseconds, and rerun when
the load average is high.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench" / "bench_load.py"
ROWS = {
    "warm": re.compile(r"warm load_lazy \+ collect\s+([\d.]+)"),
    "fixed": re.compile(r"warm load_lazy only \(fixed overhead\)\s+([\d.]+)"),
    "bare": re.compile(r"bare pl\.scan_parquet\(files\)\.collect\s+([\d.]+)"),
}


# Runs bench_load.py with `package_root` first on sys.path. The editable install of this
# repository puts a finder on sys.meta_path that would win over PYTHONPATH, so it is removed.
_BOOT = """
import runpy, sys
sys.meta_path[:] = [f for f in sys.meta_path if "__editable__" not in getattr(f, "__module__", "")]
sys.path.insert(0, sys.argv[1])
import crucible_pl
print("crucible_pl from", crucible_pl.__file__.rsplit("/crucible_pl/", 1)[0])
script = sys.argv[2]
sys.argv = sys.argv[2:]
runpy.run_path(script, run_name="__main__")
"""


def _run(package_root: Path, rows: int) -> dict[str, float]:
    args = ["--no-real", "--shard-sweep", "", "--cold-repeat", "1", "--rows", str(rows)]
    command = [sys.executable, "-c", _BOOT, str(package_root), str(BENCH), *args]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    out = done.stdout + done.stderr
    if f"crucible_pl from {package_root}" not in out:
        raise SystemExit(f"the run did not import crucible_pl from {package_root}:\n{out}")
    found = {name: pattern.search(out) for name, pattern in ROWS.items()}
    missing = [name for name, match in found.items() if match is None]
    if missing:
        raise SystemExit(f"bench_load.py printed no {missing} row for {package_root}:\n{out}")
    return {name: float(match.group(1)) for name, match in found.items() if match is not None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("before", help="git revision (or checkout path) to compare against")
    parser.add_argument("--rounds", type=int, default=5, help="runs per version")
    parser.add_argument("--rows", type=int, default=200_000, help="rows of the synthetic split")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="crucible-before-") as tmp:
        before = Path(options.before)
        added = False
        if not before.is_dir():
            before = Path(tmp) / "tree"
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(before),
                 options.before],
                check=True,
            )  # fmt: skip
            added = True
        try:
            trees = {"before": before, "after": ROOT}
            results: dict[str, list[dict[str, float]]] = {"before": [], "after": []}
            for round_ in range(options.rounds):
                order = ["before", "after"] if round_ % 2 == 0 else ["after", "before"]
                for name in order:
                    results[name].append(_run(trees[name], options.rows))
        finally:
            if added:
                subprocess.run(
                    ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(before)],
                    check=False,
                )

    print(f"{options.rounds} rounds per version, alternating; medians over rounds (ms)")
    print(f"{'version':<8} {'warm':>8} {'bare':>8} {'fixed':>8}")
    medians = {
        name: {row: statistics.median(run[row] for run in runs) for row in ROWS}
        for name, runs in results.items()
    }
    for name, row in medians.items():
        print(f"{name:<8} {row['warm']:>8.1f} {row['bare']:>8.1f} {row['fixed']:>8.2f}")
    for row in ("warm", "fixed"):
        ratio = medians["after"][row] / medians["before"][row]
        verdict = "PASS" if row != "warm" or ratio <= 1.05 else "FAIL"
        print(
            f"{row} after / before = {ratio:.3f}"
            + (f"  {verdict} (<= 1.05)" if row == "warm" else "")
        )
    print(
        "warm / bare: before {:.3f}, after {:.3f}".format(
            medians["before"]["warm"] / medians["before"]["bare"],
            medians["after"]["warm"] / medians["after"]["bare"],
        )
    )


if __name__ == "__main__":
    main()
