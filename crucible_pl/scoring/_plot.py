"""``EvalResult.plot``: per-group scores with their intervals, as a matplotlib figure.

One row per summary row of the metric (overall, macro, then each group by name), the
mean as a point and the bootstrap interval as a line (a point alone when the run had
no bootstrap), the item count beside each row. Built on ``matplotlib.figure.Figure``
directly: no pyplot state, no window, safe in scripts, servers and notebooks (a Figure
displays itself in Jupyter). Needs matplotlib (the ``plot`` extra).

Examples
--------
>>> import polars as pl
>>> from crucible_pl.scoring import evaluate
>>> refs = pl.DataFrame({"id": ["a", "b", "c", "d"], "expected": ["1", "2", "3", "4"],
...                      "subject": ["x", "x", "y", "y"]})
>>> preds = pl.DataFrame({"id": ["a", "b", "c", "d"], "prediction": ["1", "2", "3", "0"]})
>>> result = evaluate(refs, preds, family="math", by="subject", seed=0)
>>> figure = result.plot()  # doctest: +SKIP
>>> figure.savefig("scores.png")  # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

import polars as pl

from crucible_pl.errors import InvalidInputError, MissingDependencyError

__all__ = ["plot_summary"]


def plot_summary(
    summary: pl.DataFrame,
    by: list[str],
    *,
    metric: str | None = None,
    title: str | None = None,
    confidence: float | None = None,
) -> Any:
    """The figure of :meth:`EvalResult.plot <crucible_pl.EvalResult.plot>`."""
    try:
        from matplotlib.figure import Figure
    except ImportError as err:
        raise MissingDependencyError(
            "EvalResult.plot needs matplotlib (the 'plot' extra): pip install 'crucible-pl[plot]'."
        ) from err
    metrics = summary["metric"].unique(maintain_order=True).to_list()
    chosen = metric if metric is not None else metrics[0]
    if chosen not in metrics:
        raise InvalidInputError(
            f"metric={chosen!r} is not in this result; it has {', '.join(metrics)}."
        )
    rows = summary.filter(pl.col("metric") == chosen)
    order = {"overall": 0, "macro": 1, "group": 2}
    rows = rows.with_columns(
        pl.col("scope").replace_strict(order, return_dtype=pl.Int8).alias("__order"),
        (
            pl.concat_str([pl.col(c).cast(pl.String) for c in by], separator=" / ")
            if by
            else pl.lit(None, pl.String)
        ).alias("__group"),
    ).sort("__order", "__group", descending=[False, False], nulls_last=True)
    labels = [
        group if scope == "group" else scope
        for scope, group in zip(rows["scope"], rows["__group"], strict=True)
    ]
    means = rows["mean"].to_list()
    lows, highs = rows["ci_low"].to_list(), rows["ci_high"].to_list()
    counts = rows["count"].to_list()

    height = 1.0 + 0.32 * len(labels)
    figure = Figure(figsize=(7.0, height), layout="constrained")
    ax = figure.add_subplot()
    ys = list(range(len(labels)))[::-1]
    for y, mean, low, high, scope in zip(ys, means, lows, highs, rows["scope"], strict=True):
        color = "#1f4e79" if scope == "group" else "#b5451b"
        if low is not None and high is not None:
            ax.plot([low, high], [y, y], color=color, linewidth=2.2, solid_capstyle="round")
        if mean is not None:
            ax.plot([mean], [y], marker="o", color=color, markersize=6)
    ax.set_yticks(ys, labels)
    for y, count in zip(ys, counts, strict=True):
        ax.annotate(f"n={count}", xy=(1.0, y), xycoords=("axes fraction", "data"),
                    xytext=(4, 0), textcoords="offset points", va="center", fontsize=8,
                    color="#555555")  # fmt: skip
    low_all = min([v for v in [*lows, *means] if v is not None], default=0.0)
    high_all = max([v for v in [*highs, *means] if v is not None], default=1.0)
    pad = max((high_all - low_all) * 0.05, 0.01)
    ax.set_xlim(min(0.0, low_all - pad), max(1.0, high_all + pad))
    level = f"{round(100 * confidence)}% " if confidence else ""
    ax.set_xlabel(f"{chosen} (mean, {level}bootstrap interval)")
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if title:
        ax.set_title(title, loc="left", fontsize=11)
    return figure
