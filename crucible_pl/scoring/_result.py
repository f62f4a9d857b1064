"""``EvalResult``, what ``evaluate`` returns, and the helpers its repr and files share.

``_fmt``, ``_dumps`` and ``_version`` are also used by :class:`~crucible_pl.scoring.Comparison`:
one home for the number format of the reprs, the JSON rules and the version lookup.

Examples
--------
>>> from crucible_pl.scoring._result import _fmt
>>> _fmt(0.5), _fmt(0.25, sign=True), _fmt(None)
('0.5000', '+0.2500', 'null')
"""

from __future__ import annotations

import html
import importlib.metadata
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from crucible_pl import _display

__all__ = ["EvalResult"]


@dataclass(frozen=True, eq=False, repr=False)
class EvalResult:
    """The outcome of :func:`evaluate`.

    Attributes
    ----------
    items
        One row per reference item, in reference order: ``id``, the ``by`` columns,
        ``prediction``, ``expected`` and one column per metric. Items without a
        prediction have a null ``prediction`` and score 0 (``False``).
    summary
        ``metric``, ``scope`` (``"overall"``, ``"group"`` or ``"macro"``), the ``by``
        columns (null outside ``"group"`` rows), ``mean``, ``count`` (non-null scores;
        for ``"macro"`` the items behind all groups), ``stderr`` (sample standard
        deviation over square root of count; for ``"macro"`` the root of the summed
        squared group errors over the number of groups), ``ci_low`` and ``ci_high``
        (percentile bootstrap).
    missing_ids
        Reference ids without a prediction (scored 0), in reference order.
    unknown_ids
        Prediction ids that match no reference (not scored), in order of appearance.
    duplicate_ids
        Prediction ids given more than once (the first one is scored).
    n_duplicate_rows
        Prediction rows ignored as repeats of an earlier id.
    provenance
        Caller-supplied provenance plus an ``"evaluation"`` entry recording family,
        metrics, the extraction strategy of each metric (``"extraction"``: metric ->
        ``{"strategy", "description"}``), seeds and versions.

    Examples
    --------
    >>> import polars as pl
    >>> from crucible_pl.scoring import evaluate
    >>> refs = pl.DataFrame({"id": ["a", "b"], "input": ["1+1", "2+2"], "expected": ["2", "4"]})
    >>> preds = pl.DataFrame({"id": ["a", "b"], "prediction": ["It is 2", "5"]})
    >>> result = evaluate(refs, preds, family="math", n_bootstrap=0)
    >>> result
    EvalResult(family='math', items=2, math_match=0.5000 ± 0.5000)
    >>> result.provenance["evaluation"]["extraction"]["math_match"]["strategy"]
    'math'
    """

    items: pl.DataFrame
    summary: pl.DataFrame
    missing_ids: tuple[str, ...] = ()
    unknown_ids: tuple[str, ...] = ()
    duplicate_ids: tuple[str, ...] = ()
    n_duplicate_rows: int = 0
    provenance: Mapping[str, Any] = field(default_factory=dict)

    @property
    def metrics(self) -> tuple[str, ...]:
        """The metric names, in the order they were computed.

        Examples
        --------
        >>> import polars as pl
        >>> from crucible_pl.scoring import evaluate
        >>> refs = pl.DataFrame({"id": ["a", "b"], "expected": ["1", "2"]})
        >>> preds = pl.DataFrame({"id": ["a", "b"], "prediction": ["1", "3"]})
        >>> evaluate(refs, preds, family="math", n_bootstrap=0).metrics
        ('math_match',)
        """
        return tuple(self.summary["metric"].unique(maintain_order=True).to_list())

    def __repr__(self) -> str:
        family = self.provenance.get("evaluation", {}).get("family")
        parts = [f"family={family!r}", f"items={self.items.height}"]
        overall = self.summary.filter(pl.col("scope") == "overall")
        # One summary row per metric, formatted for the repr (not per-item work).
        for metric, mean, stderr, low, high in overall.select(
            "metric", "mean", "stderr", "ci_low", "ci_high"
        ).iter_rows():
            text = f"{metric}={_fmt(mean)}"
            if stderr is not None:
                text += f" ± {_fmt(stderr)}"
            if low is not None and high is not None:
                text += f" [{_fmt(low)}, {_fmt(high)}]"
            parts.append(text)
        for label, ids in (
            ("missing", self.missing_ids),
            ("unknown", self.unknown_ids),
            ("duplicates", self.duplicate_ids),
        ):
            if ids:
                parts.append(f"{label}={len(ids)}")
        return f"EvalResult({', '.join(parts)})"

    def _display_summary(self) -> pl.DataFrame:
        """The summary for display: null-only by columns dropped, floats rounded."""
        keep = [
            c for c in self.summary.columns if self.summary[c].null_count() < self.summary.height
        ]
        return _display.rounded(self.summary.select(keep))

    def _accounting_line(self) -> str:
        e = self.provenance.get("evaluation", {})
        counts = (
            f"{self.items.height} items; {len(self.missing_ids)} missing (scored 0), "
            f"{len(self.unknown_ids)} unknown, {len(self.duplicate_ids)} duplicated ids"
        )
        interval = ""
        if e.get("n_bootstrap"):
            level = round(100 * float(e.get("confidence", 0.95)))
            resamples = f"{e['n_bootstrap']} resamples, seed {e.get('seed')}"
            interval = f"; {level}% bootstrap intervals, {resamples}"
        return counts + interval

    def _repr_html_(self) -> str:
        """The notebook view: the summary table with intervals, and the join accounting."""
        family = self.provenance.get("evaluation", {}).get("family")
        return (
            '<div class="crucible-pl-eval">'
            f"<p><b>EvalResult</b> family <code>{html.escape(str(family))}</code>: "
            f"{html.escape(self._accounting_line())}</p>"
            f"{_display.frame_html(self._display_summary())}</div>"
        )

    def __str__(self) -> str:
        """``repr`` plus the summary table and the join accounting (``print(result)``)."""
        table = _display.frame_text(self._display_summary())
        return f"{self!r}\n{self._accounting_line()}\n{table}"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """IPython's terminal display: the same as ``str``."""
        printer.text(repr(self) if cycle else str(self))

    def plot(self, metric: str | None = None, *, title: str | None = None) -> Any:
        """Per-group scores with their intervals, as a matplotlib ``Figure``.

        One row per summary row of ``metric`` (overall, macro, then each ``by`` group):
        the mean as a point, the bootstrap interval as a line, the item count beside
        it. Needs matplotlib (the ``plot`` extra); see
        :mod:`crucible_pl.scoring._plot`.

        Parameters
        ----------
        metric
            Which metric; the first one by default.
        title
            A title above the chart.

        Returns
        -------
        matplotlib.figure.Figure
            Save it with ``figure.savefig(path)``; Jupyter displays it as is.

        Raises
        ------
        MissingDependencyError
            matplotlib is not installed.
        InvalidInputError
            ``metric`` is not one of this result's metrics.

        Examples
        --------
        >>> import polars as pl
        >>> from crucible_pl.scoring import evaluate
        >>> refs = pl.DataFrame({"id": ["a", "b"], "expected": ["1", "2"], "subject": ["x", "y"]})
        >>> preds = pl.DataFrame({"id": ["a", "b"], "prediction": ["1", "3"]})
        >>> result = evaluate(refs, preds, family="math", by="subject", seed=0)
        >>> result.plot().savefig("scores.png")  # doctest: +SKIP
        """
        from crucible_pl.scoring._plot import plot_summary

        evaluation = self.provenance.get("evaluation", {})
        return plot_summary(
            self.summary,
            list(evaluation.get("by", [])),
            metric=metric,
            title=title,
            confidence=evaluation.get("confidence") if evaluation.get("n_bootstrap") else None,
        )

    def _accounting(self) -> dict[str, Any]:
        return {
            "missing_ids": list(self.missing_ids),
            "unknown_ids": list(self.unknown_ids),
            "duplicate_ids": list(self.duplicate_ids),
            "n_duplicate_rows": self.n_duplicate_rows,
        }

    def to_parquet(self, path: str | Path) -> None:
        """Write the per-item frame to Parquet, with the rest in its key-value metadata.

        The metadata keys are ``crucible_pl.provenance``, ``crucible_pl.summary`` and
        ``crucible_pl.accounting``, each a JSON document; read them back with
        ``pl.read_parquet_metadata(path)``.

        Parameters
        ----------
        path
            The file to write.

        Examples
        --------
        >>> import json, tempfile, pathlib
        >>> import polars as pl
        >>> from crucible_pl.scoring import evaluate
        >>> refs = pl.DataFrame({"id": ["a"], "expected": ["2"]})
        >>> result = evaluate(refs, pl.DataFrame({"id": ["a"], "prediction": ["2"]}),
        ...                   family="math", provenance={"model": "m1"}, n_bootstrap=0)
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     file = pathlib.Path(tmp) / "scores.parquet"
        ...     result.to_parquet(file)
        ...     meta = pl.read_parquet_metadata(file)
        ...     height = pl.read_parquet(file).height
        >>> json.loads(meta["crucible_pl.provenance"])["model"], height
        ('m1', 1)
        """
        metadata = {
            "crucible_pl.provenance": _dumps(dict(self.provenance)),
            "crucible_pl.summary": _dumps(self.summary.to_dicts()),
            "crucible_pl.accounting": _dumps(self._accounting()),
        }
        self.items.write_parquet(path, metadata=metadata)

    def to_json(self, path: str | Path, *, include_items: bool = False) -> None:
        """Write provenance, summary and join accounting as one JSON document.

        Parameters
        ----------
        path
            The file to write.
        include_items
            Also write the per-item rows (large for big evaluations; prefer Parquet).

        Examples
        --------
        >>> import json, tempfile, pathlib
        >>> import polars as pl
        >>> from crucible_pl.scoring import evaluate
        >>> refs = pl.DataFrame({"id": ["a", "b"], "expected": ["2", "3"]})
        >>> result = evaluate(refs, pl.DataFrame({"id": ["a"], "prediction": ["2"]}),
        ...                   family="math", n_bootstrap=0)
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     file = pathlib.Path(tmp) / "scores.json"
        ...     result.to_json(file)
        ...     doc = json.loads(file.read_text())
        >>> doc["accounting"]["missing_ids"], doc["summary"][0]["mean"]
        (['b'], 0.5)
        """
        document: dict[str, Any] = {
            "provenance": dict(self.provenance),
            "summary": self.summary.to_dicts(),
            "accounting": self._accounting(),
        }
        if include_items:
            document["items"] = self.items.to_dicts()
        Path(path).write_text(_dumps(document, indent=2), encoding="utf-8")


def _fmt(value: float | None, *, sign: bool = False) -> str:
    # Shared by the reprs of EvalResult and Comparison.
    if value is None:
        return "null"
    return f"{value:+.4f}" if sign else f"{value:.4f}"


def _dumps(value: object, *, indent: int | None = None) -> str:
    # NaN is not JSON; default=str covers dates and other by-column values.
    return json.dumps(value, default=str, indent=indent, allow_nan=False, ensure_ascii=False)


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"
