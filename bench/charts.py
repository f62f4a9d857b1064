"""Draw the docs' charts from benchmark results and a real evaluation.

    python bench/charts.py            # writes docs/img/*.png

- ``docs/img/bench_vs_datasets.png``: how many times better crucible-pl is than
  ``datasets`` on the headline measurements of the last full ``bench_compare.py`` run
  (``bench/results/bench_compare.json``), on a log scale, 1x marked.
- ``docs/img/bench_normalize.png``: a warm canonical collect against a raw collect of
  the same Hub files, for every registered dataset, from ``bench_normalize.py
  --output`` runs (``bench/results/bench_normalize.json``, and ``..._lz4.json`` with
  ``--lz4``, the layout of splits past 512 MB of raw files), 1x and 1.25x marked.
- ``docs/img/scoring_by_subject.png``: :meth:`EvalResult.plot` on real MMLU test rows
  (six subjects of the project's Hub mirror, ``../shared/hub``) scored against a
  constant answer "A": the per-subject share of questions whose answer is A, with 95%
  bootstrap intervals. It shows the method (and how far a position bias moves a score),
  not a model.

Needs matplotlib (``pip install -e ".[plot]"``). The charts are committed; re-run this
after a full benchmark run.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "bench_compare.json"
NORMALIZE = ROOT / "bench" / "results" / "bench_normalize.json"
NORMALIZE_LZ4 = ROOT / "bench" / "results" / "bench_normalize_lz4.json"
IMG = ROOT / "docs" / "img"
SHARED_HUB = ROOT.parent / "shared" / "hub"

# The headline rows of bench_compare's table, with a short label each.
HEADLINES = {
    "MMLU-like astronomy/test: cold load, time": "MMLU cold load, time",
    "MMLU-like astronomy/test: cold load, requests": "MMLU cold load, requests",
    "MMLU-like astronomy/test: warm load, time (crucible-pl: rows collected)": (
        "MMLU warm load, time"
    ),
    "MMLU-like astronomy/test: warm, HF_HUB_OFFLINE=1, time (crucible-pl: rows collected)": (
        "MMLU warm load offline, time"
    ),
    "MMLU-like astronomy/test: peak RSS, cold load": "MMLU cold load, peak memory",
    "GSM8K-like main/test: cold load, time": "GSM8K cold load, time",
    "GSM8K-like main/test: cold load, bytes downloaded": "GSM8K cold load, bytes downloaded",
    "GSM8K-like main/test: warm load, time (crucible-pl: rows collected)": (
        "GSM8K warm load, time"
    ),
    "stream set: warm load, all rows, time": "3M rows: warm load of all rows",
    "stream set: warm head(5), time": "3M rows: warm head(5)",
    "stream set: warm one-column projection (label), time": "3M rows: one-column projection",
    "stream set: warm selective filter (label == 7, ~0.1% of rows), time": (
        "3M rows: selective filter"
    ),
    "stream set: streaming throughput, warm (datasets: Arrow cache)": (
        "3M rows: streaming throughput"
    ),
    "stream set: peak RSS, warm one-column projection": "3M rows: projection, peak memory",
    "`import crucible_pl` vs `import datasets` (fresh interpreter, wall)": "import time",
}


def bench_chart(out: Path) -> None:
    from matplotlib.figure import Figure

    data = json.loads(RESULTS.read_text())
    rows = {r["metric"]: r for r in data["rows"]}
    shown = [(label, rows[m]["ratio_value"]) for m, label in HEADLINES.items() if m in rows]
    shown = [(label, value) for label, value in shown if value]
    figure = Figure(figsize=(8.0, 0.9 + 0.34 * len(shown)), layout="constrained")
    ax = figure.add_subplot()
    ys = list(range(len(shown)))[::-1]
    colors = ["#1f4e79" if v >= 1 else "#b5451b" for _, v in shown]
    ax.barh(ys, [v for _, v in shown], color=colors, height=0.6, left=0)
    ax.set_xscale("log")
    ticks = [0.25, 0.5, 1, 2, 5, 10, 20, 50, 100]
    ax.set_xticks(ticks, [f"{t:g}x" for t in ticks])
    ax.set_xticks([], minor=True)
    ax.axvline(1.0, color="#333333", linewidth=1)
    ax.set_yticks(ys, [label for label, _ in shown])
    for y, (_, value) in zip(ys, shown, strict=True):
        ax.annotate(f"{value:g}x", xy=(value, y), xytext=(4, 0), textcoords="offset points",
                    va="center", fontsize=8)  # fmt: skip
    ax.set_xlabel("times better than datasets (log scale; below 1: datasets is better)")
    versions = data.get("versions", {})
    ax.set_title(
        f"crucible-pl {versions.get('crucible-pl', '?')} vs datasets "
        f"{versions.get('datasets', '?')}, {data.get('date', '')}",
        loc="left",
        fontsize=10,
    )
    ax.grid(axis="x", color="#dddddd", linewidth=0.6, which="both")
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    figure.savefig(out, dpi=110)


def normalize_chart(out: Path) -> None:
    from matplotlib.figure import Figure

    styles = (
        (NORMALIZE, "written uncompressed (splits up to 512 MB)", "#1f4e79"),
        (NORMALIZE_LZ4, "written with LZ4 (larger splits)", "#8fb3d9"),
    )
    found = [(json.loads(p.read_text()), label, color) for p, label, color in styles if p.is_file()]
    runs = [run for run, _, _ in found]
    if not runs:
        print(f"skipped {out.name}: no {NORMALIZE.name}")
        return
    names = [d["name"] for d in runs[0]["datasets"]]
    figure = Figure(figsize=(8.0, 1.2 + 0.3 * len(names)), layout="constrained")
    ax = figure.add_subplot()
    height = 0.8 / len(runs)
    for i, (run, label, color) in enumerate(found):
        ratio = {d["name"]: d["normalized_ms"] / d["raw_ms"] for d in run["datasets"]}
        ys = [len(names) - 1 - j - i * height for j in range(len(names))]
        ax.barh(ys, [ratio[n] for n in names], height=height, color=color, label=label)
    ax.axvline(1.0, color="#333333", linewidth=1)
    ax.axvline(1.25, color="#b5451b", linewidth=1, linestyle="--")
    ax.set_yticks([len(names) - 1 - j - (len(runs) - 1) * height / 2 for j in range(len(names))],
                  names)  # fmt: skip
    ax.set_xlabel("warm canonical collect / warm raw collect of the same Hub files (1.25: dashed)")
    ax.set_title(
        f"{runs[0]['rows']:,} rows per dataset, polars {runs[0]['versions']['polars']}, "
        f"{runs[0]['date']}",
        loc="left",
        fontsize=10,
    )
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    figure.savefig(out, dpi=110)


def scoring_chart(out: Path) -> None:
    if not SHARED_HUB.is_dir():
        print(f"skipped {out.name}: {SHARED_HUB} (the real data) is absent")
        return
    import polars as pl

    from crucible_pl.testing import LocalHub

    subjects = ["astronomy", "anatomy", "college_biology", "college_physics", "marketing",
                "philosophy"]  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp, LocalHub(SHARED_HUB) as hub:
        os.environ.update(
            HF_ENDPOINT=hub.url, HF_HOME=f"{tmp}/hf", CRUCIBLE_PL_CACHE=f"{tmp}/crucible"
        )
        import crucible_pl

        ds = crucible_pl.load("mmlu", "test", config=subjects)
        preds = ds.lazy().select("id", prediction=pl.lit("A")).collect()
        result = crucible_pl.evaluate(ds, preds, by="subject", seed=0)
        figure = result.plot(title="MMLU test, answer always 'A' (real rows, 6 subjects)")
        figure.savefig(out, dpi=110)


def main() -> int:
    IMG.mkdir(parents=True, exist_ok=True)
    bench_chart(IMG / "bench_vs_datasets.png")
    normalize_chart(IMG / "bench_normalize.png")
    scoring_chart(IMG / "scoring_by_subject.png")
    print(f"wrote the charts in {IMG}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
