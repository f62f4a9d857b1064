"""EvalResult.plot: one row per summary row, intervals drawn, clear errors."""

from __future__ import annotations

import sys

import polars as pl
import pytest

from crucible_pl import errors
from crucible_pl.scoring import evaluate


def result(n_bootstrap: int = 200) -> object:
    refs = pl.DataFrame(
        {
            "id": [f"q{i}" for i in range(12)],
            "expected": ["1"] * 12,
            "subject": ["bio", "law", "art"] * 4,
        }
    )
    preds = pl.DataFrame(
        {
            "id": [f"q{i}" for i in range(12)],
            "prediction": ["1" if i % 4 else "2" for i in range(12)],
        }
    )
    return evaluate(
        refs,
        preds,
        family="math",
        metrics=["math_match", "exact_match"],
        by="subject",
        n_bootstrap=n_bootstrap,
        seed=0,
    )


def test_one_row_per_summary_row_with_its_interval(tmp_path: object) -> None:
    pytest.importorskip("matplotlib", reason="EvalResult.plot needs the 'plot' extra")
    res = result()
    figure = res.plot(title="demo")  # type: ignore[attr-defined]
    [ax] = figure.axes
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["overall", "macro", "art", "bio", "law"]
    summary = res.summary.filter(pl.col("metric") == "math_match")  # type: ignore[attr-defined]
    # Each row: an interval line and a point; the point sits at the row's mean.
    points = [line for line in ax.get_lines() if line.get_marker() == "o"]
    means = sorted(float(p.get_xdata()[0]) for p in points)
    assert means == pytest.approx(sorted(summary["mean"].to_list()))
    intervals = [line for line in ax.get_lines() if len(line.get_xdata()) == 2]
    assert len(intervals) == 5
    assert "95% bootstrap interval" in ax.get_xlabel()
    assert ax.get_title(loc="left") == "demo"
    path = tmp_path / "scores.png"  # type: ignore[operator]
    figure.savefig(path)
    assert path.stat().st_size > 1000


def test_other_metric_and_no_bootstrap() -> None:
    pytest.importorskip("matplotlib", reason="EvalResult.plot needs the 'plot' extra")
    figure = result(n_bootstrap=0).plot("exact_match")  # type: ignore[attr-defined]
    [ax] = figure.axes
    assert all(len(line.get_xdata()) == 1 for line in ax.get_lines())  # points only
    assert ax.get_xlabel().startswith("exact_match (mean, bootstrap")
    with pytest.raises(errors.InvalidInputError, match="metric='f1' is not in this result"):
        result(n_bootstrap=0).plot("f1")  # type: ignore[attr-defined]


def test_without_matplotlib_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(errors.MissingDependencyError, match=r"crucible-pl\[plot\]"):
        result(n_bootstrap=0).plot()  # type: ignore[attr-defined]
