"""``evaluate``: join predictions to references, score them, summarize with intervals.

The per-item scores are one lazy query (join + metric expressions). The summary adds,
for every metric, an overall row, one row per ``by`` group and a macro average over the
groups, each with mean, count, standard error and a percentile bootstrap interval.

Bootstrap
---------
Items are resampled with replacement, ``n_bootstrap`` times, separately within each
stratum (all items for the overall row; each group for its row; the macro row averages
the group resamples, i.e. a stratified bootstrap). Each stratum gets ``K`` resampling
units: ``K = min(n, max(200, ceil(10_000 * n / N)), 10_000)`` for a stratum of ``n`` of
the ``N`` items. When ``K == n`` (every stratum of up to 200 items, and any evaluation
of up to 10,000 items) units are items: the textbook bootstrap. Otherwise items are
assigned at random to ``K`` blocks and whole blocks are resampled (each resample mean is
the pooled mean of the drawn blocks). A block of ``m = n / K`` random items has a mean
of variance ``s**2 / m``, so the mean of ``K`` drawn blocks has variance ``s**2 / n``, the
spread of the item bootstrap, while the work stays about ``n_bootstrap x 10,000`` small
rows whatever ``N`` (1M items, 1000 resamples: ~10M rows rather than 1G).

Random draws come from the project's pinned hash (:func:`crucible_pl._hashing.mix64`,
the splitmix64 output function), never from Polars' ``Expr.hash``, which may change
between Polars versions. With ``key = mix64(seed)`` and ``u(x) = mix64(key + x * G)``
(``G = 0x9E3779B97F4A7C15``, arithmetic modulo 2**64: ``u(x)`` is output ``x + 1`` of
splitmix64 seeded with ``key``), resample ``b`` of stratum ``s`` draws unit
``u(s * 2**32 + b * K + j) % K`` for ``j < K``, and on the block path item ``i`` (its
position in the items frame) belongs to block ``u(2**62 + i) % K``. All of it is
integer arithmetic in Polars expressions, so results for a seed are identical across
runs, machines and Polars versions.
"""

from __future__ import annotations

import importlib.metadata
import json
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

if TYPE_CHECKING:
    from crucible_pl._dataset import Dataset

from crucible_pl._hashing import check_seed, mix64, mix64_int
from crucible_pl.errors import (
    ColumnNotFoundError,
    InvalidInputError,
    ValidationError,
)
from crucible_pl.scoring._answers import extract_answer
from crucible_pl.scoring._choice import choice_match
from crucible_pl.scoring._external import bleu, rouge
from crucible_pl.scoring._f1 import token_f1
from crucible_pl.scoring._math import math_match
from crucible_pl.scoring._numeric import numeric_match
from crucible_pl.scoring._text import exact_match, normalized_exact_match

__all__ = ["BUILTIN_METRICS", "DEFAULT_METRICS", "EvalResult", "MetricFn", "evaluate"]

logger = logging.getLogger(__name__)

MetricFn = Callable[[pl.Expr], pl.Expr]
"""A metric: prediction expression -> score expression over the joined per-item frame."""

_PRED = "__prediction"
_PRESENT = "__present"
_POS = "__pos"
_MAX_UNITS = 10_000
_MIN_UNITS = 200
_STRATUM_STRIDE = 1 << 32
_UNIT_SALT = 1 << 62
_GOLDEN = 0x9E3779B97F4A7C15
_SHOWN_IDS = 5
_SCOPES = ("overall", "group", "macro")


def _math_answer(prediction: pl.Expr) -> pl.Expr:
    return extract_answer(prediction, "math")


BUILTIN_METRICS: Mapping[str, MetricFn] = {
    "exact_match": lambda p: exact_match(p, "expected"),
    "normalized_exact_match": lambda p: normalized_exact_match(p, "expected"),
    "token_f1": lambda p: token_f1(p, "expected"),
    "numeric_match": lambda p: numeric_match(_math_answer(p), "expected"),
    "math_match": lambda p: math_match(_math_answer(p), "expected"),
    "choice_match": lambda p: choice_match(p, "expected", "choices", free_text=True),
    "bleu": lambda p: bleu(p, "expected"),
    "rouge1": lambda p: rouge(p, "expected", rouge_type="rouge1"),
    "rouge2": lambda p: rouge(p, "expected", rouge_type="rouge2"),
    "rougeL": lambda p: rouge(p, "expected", rouge_type="rougeL"),
}
"""Metrics available by name. Each reads the reference columns ``expected`` (and
``choices`` for ``choice_match``):

``math_match`` takes the prediction's answer from ``####`` (GSM8K), else the last
``\\boxed{}``, else its last number, and compares it with ``expected`` as normalized
LaTeX text or as a number (:func:`~crucible_pl.scoring.math_match`); ``numeric_match``
compares the last numbers only; ``choice_match`` reads a
letter, index or choice text, and finds a letter in free text when none of those fits;
``bleu`` and ``rouge*`` need the ``metrics`` extra and run Python per row."""

DEFAULT_METRICS: Mapping[str, tuple[str, ...]] = {
    "math": ("math_match",),
    "multiple_choice": ("choice_match",),
    "generation": ("normalized_exact_match", "token_f1"),
    "code": ("normalized_exact_match", "token_f1"),
    "rubric": ("normalized_exact_match", "token_f1"),
    "chat": ("normalized_exact_match", "token_f1"),
}
"""Metric names used when ``evaluate`` gets ``metrics=None``, by dataset family."""

_REQUIRED = {"choice_match": ("expected", "choices")}


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
        metrics, seeds and versions.

    Examples
    --------
    >>> import polars as pl
    >>> from crucible_pl.scoring import evaluate
    >>> refs = pl.DataFrame({"id": ["a", "b"], "input": ["1+1", "2+2"], "expected": ["2", "4"]})
    >>> preds = pl.DataFrame({"id": ["a", "b"], "prediction": ["It is 2", "5"]})
    >>> result = evaluate(refs, preds, family="math", n_bootstrap=0)
    >>> result
    EvalResult(family='math', items=2, math_match=0.5000 ± 0.5000)
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
        """The metric names, in the order they were computed."""
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


def _fmt(value: float | None) -> str:
    return "null" if value is None else f"{value:.4f}"


def _dumps(value: object, *, indent: int | None = None) -> str:
    # NaN is not JSON; default=str covers dates and other by-column values.
    return json.dumps(value, default=str, indent=indent, allow_nan=False, ensure_ascii=False)


def _resolve_metrics(
    metrics: Sequence[str] | Mapping[str, str | MetricFn] | str | None, family: str
) -> dict[str, MetricFn]:
    if metrics is None:
        if family not in DEFAULT_METRICS:
            with_defaults = ", ".join(sorted(DEFAULT_METRICS))
            raise InvalidInputError(
                f"Family {family!r} has no default metrics (families with defaults: "
                f"{with_defaults}). Pass metrics=, e.g. metrics={{'score': fn}} with fn "
                "a prediction expression -> score expression."
            )
        metrics = DEFAULT_METRICS[family]
    if isinstance(metrics, str):
        metrics = (metrics,)
    items = metrics.items() if isinstance(metrics, Mapping) else ((m, m) for m in metrics)
    resolved: dict[str, MetricFn] = {}
    for name, metric in items:
        if isinstance(metric, str):
            if metric not in BUILTIN_METRICS:
                valid = ", ".join(BUILTIN_METRICS)
                raise InvalidInputError(
                    f"Unknown metric {metric!r}. Built-in metrics: {valid}; or pass a "
                    "mapping name -> callable(prediction_expr) -> pl.Expr."
                )
            resolved[name] = BUILTIN_METRICS[metric]
        elif callable(metric):
            resolved[name] = metric
        else:
            raise InvalidInputError(
                f"Metric {name!r} is {type(metric).__name__}: expected a built-in metric "
                "name or a callable(prediction_expr) -> pl.Expr."
            )
    if not resolved:
        raise InvalidInputError("metrics= is empty: name at least one metric.")
    return resolved


def _check_columns(schema: pl.Schema, needed: Sequence[str], what: str, *, hint: str = "") -> None:
    absent = [name for name in needed if name not in schema]
    if absent:
        available = ", ".join(schema.names())
        raise ColumnNotFoundError(
            f"{what} lack column(s) {', '.join(map(repr, absent))}. "
            f"Available columns: {available}.{hint}"
        )


def _uniform(counter: pl.Expr, seed: int, bound: pl.Expr) -> pl.Expr:
    """A draw in ``[0, bound)`` for each non-negative Int64 ``counter``, from the pinned hash.

    Output ``counter + 1`` of splitmix64 seeded with ``mix64(seed)``, modulo ``bound``:
    UInt64 arithmetic wraps modulo 2**64 in Polars, as the reference does. ``bound`` is
    at most ``_MAX_UNITS``, so the modulo bias (below 1e-15) is immaterial.
    """
    state = counter.cast(pl.UInt64) * pl.lit(_GOLDEN, dtype=pl.UInt64) + pl.lit(
        mix64_int(seed), dtype=pl.UInt64
    )
    return (mix64(state) % bound.cast(pl.UInt64)).cast(pl.Int64)


def _bootstrap_means(
    scores: pl.LazyFrame,
    keys: list[str],
    metrics: list[str],
    *,
    n_bootstrap: int,
    seed: int,
    stratum_offset: int,
) -> pl.DataFrame:
    """Per stratum (``keys``) and resample ``__b``: the resampled mean of every metric.

    Strata are numbered ``stratum_offset, stratum_offset + 1, ...`` in the sort order of
    their keys; ``scores`` carries ``__pos``, the item's position in the items frame.
    """
    total = pl.col("__n").sum()
    strata = (
        scores.group_by(keys)
        .agg(pl.len().cast(pl.Int64).alias("__n"))
        .sort(keys, nulls_last=True)
        .with_columns(
            __s=pl.int_range(pl.len(), dtype=pl.Int64) + stratum_offset,
            __units=pl.min_horizontal(
                pl.col("__n"),
                pl.max_horizontal(pl.lit(_MIN_UNITS), (pl.col("__n") * _MAX_UNITS / total).ceil()),
                pl.lit(_MAX_UNITS),
            ).cast(pl.Int64),
        )
    )
    units = pl.col("__units")
    unit = (
        pl.when(units == pl.col("__n"))
        .then(pl.int_range(pl.len(), dtype=pl.Int64).over("__s"))
        .otherwise(_uniform(pl.col(_POS) + _UNIT_SALT, seed, units))
    )
    # One Int64 key per (stratum, unit) keeps the big join and group-by on a single integer.
    stats = (
        scores.join(strata, on=keys, how="inner", nulls_equal=True, maintain_order="left")
        .with_columns(__key=pl.col("__s") * _STRATUM_STRIDE + unit)
        .group_by("__key")
        .agg(
            [pl.col(m).sum().alias(f"__sum_{m}") for m in metrics]
            + [pl.col(m).count().alias(f"__cnt_{m}") for m in metrics]
        )
    )
    draw = pl.col("__s") * _STRATUM_STRIDE + pl.col("__r")
    draws = (
        strata.select("__s", "__units")
        .with_columns(__r=pl.int_ranges(0, units * n_bootstrap, dtype=pl.Int64))
        .explode("__r")
        .select(
            "__s",
            (pl.col("__r") // units).alias("__b"),
            (pl.col("__s") * _STRATUM_STRIDE + _uniform(draw, seed, units)).alias("__key"),
        )
    )
    means = (
        draws.join(stats, on="__key", how="left")
        .group_by("__s", "__b")
        .agg((pl.col(f"__sum_{m}").sum() / pl.col(f"__cnt_{m}").sum()).alias(m) for m in metrics)
        .join(strata.select(*keys, "__s"), on="__s")
        .select(*keys, "__b", *metrics)
    )
    return means.collect()


def _point_estimates(items: pl.LazyFrame, keys: list[str], metrics: list[str]) -> pl.LazyFrame:
    aggs: list[pl.Expr] = []
    for m in metrics:
        aggs += [
            pl.col(m).mean().alias(f"mean|{m}"),
            pl.col(m).count().cast(pl.Int64).alias(f"count|{m}"),
            (pl.col(m).std() / pl.col(m).count().sqrt()).alias(f"stderr|{m}"),
        ]
    return items.group_by(keys).agg(aggs) if keys else items.select(aggs)


def _to_long(wide: pl.LazyFrame, keys: list[str], metrics: list[str], scope: str) -> pl.LazyFrame:
    frames = [
        wide.select(
            pl.lit(m).alias("metric"),
            pl.lit(scope).alias("scope"),
            *keys,
            *(pl.col(f"{stat}|{m}").alias(stat) for stat in _STATS),
        )
        for m in metrics
    ]
    return pl.concat(frames, how="vertical")


_STATS = ("mean", "count", "stderr", "ci_low", "ci_high")


def _intervals(
    resampled: pl.LazyFrame, keys: list[str], metrics: list[str], confidence: float
) -> pl.LazyFrame:
    low, high = (1 - confidence) / 2, 1 - (1 - confidence) / 2
    aggs: list[pl.Expr] = []
    for m in metrics:
        aggs += [
            pl.col(m).quantile(low, interpolation="linear").alias(f"ci_low|{m}"),
            pl.col(m).quantile(high, interpolation="linear").alias(f"ci_high|{m}"),
        ]
    if keys:
        return resampled.group_by(keys).agg(aggs)
    return resampled.select(aggs)


def _summary(
    items: pl.DataFrame,
    by: list[str],
    metrics: list[str],
    *,
    n_bootstrap: int,
    seed: int,
    confidence: float,
) -> pl.DataFrame:
    scores = (
        items.lazy()
        .select(*by, *(pl.col(m).cast(pl.Float64) for m in metrics))
        .with_row_index(_POS)
    )
    no_ci = [pl.lit(None, dtype=pl.Float64).alias(f"{s}|{m}") for m in metrics for s in _STATS[3:]]

    def level(keys: list[str], offset: int) -> tuple[pl.LazyFrame, pl.LazyFrame | None]:
        points = _point_estimates(scores, keys, metrics)
        if n_bootstrap == 0:
            return points.with_columns(no_ci), None
        resampled = _bootstrap_means(
            scores if keys else scores.with_columns(__all=pl.lit(True)),
            keys or ["__all"],
            metrics,
            n_bootstrap=n_bootstrap,
            seed=seed,
            stratum_offset=offset,
        ).lazy()
        if not keys:
            resampled = resampled.drop("__all")
        ci = _intervals(resampled, keys, metrics, confidence)
        joined = (
            points.join(ci, on=keys, nulls_equal=True)
            if keys
            else pl.concat([points, ci], how="horizontal")
        )
        return joined, resampled

    overall, _ = level([], 0)
    parts = [_to_long(overall, [], metrics, "overall")]
    if by:
        groups, resampled = level(by, 1)
        parts.append(_to_long(groups, by, metrics, "group"))
        macro_aggs: list[pl.Expr] = []
        for m in metrics:
            macro_aggs += [
                pl.col(f"mean|{m}").mean().alias(f"mean|{m}"),
                pl.col(f"count|{m}").sum().cast(pl.Int64).alias(f"count|{m}"),
                ((pl.col(f"stderr|{m}") ** 2).sum().sqrt() / pl.len()).alias(f"stderr|{m}"),
            ]
        macro = groups.select(macro_aggs)
        if resampled is None:
            macro = macro.with_columns(no_ci)
        else:
            per_b = resampled.group_by("__b").agg(pl.col(m).mean() for m in metrics)
            macro = pl.concat([macro, _intervals(per_b, [], metrics, confidence)], how="horizontal")
        parts.append(_to_long(macro, [], metrics, "macro"))
    order = {m: i for i, m in enumerate(metrics)}
    summary = pl.concat(parts, how="diagonal_relaxed").collect()
    return (
        summary.with_columns(
            __m=pl.col("metric").replace_strict(order, return_dtype=pl.Int64),
            __scope=pl.col("scope").replace_strict(
                {s: i for i, s in enumerate(_SCOPES)}, return_dtype=pl.Int64
            ),
        )
        .sort(["__m", "__scope", *by], nulls_last=True, maintain_order=True)
        .select("metric", "scope", *by, *_STATS)
    )


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def evaluate(
    references: Dataset | pl.LazyFrame | pl.DataFrame,
    predictions: pl.LazyFrame | pl.DataFrame,
    *,
    family: str | None = None,
    metrics: Sequence[str] | Mapping[str, str | MetricFn] | str | None = None,
    by: str | Sequence[str] | None = None,
    prediction_col: str = "prediction",
    provenance: Mapping[str, Any] | None = None,
    n_bootstrap: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
) -> EvalResult:
    """Score predictions against reference items and summarize with bootstrap intervals.

    Predictions are joined to references on ``id`` (both compared as String). Nothing is
    dropped silently: reference items without a prediction score 0 and are listed in
    ``missing_ids``; predictions whose id is not a reference are listed in
    ``unknown_ids``; repeated ids keep their first prediction and are listed in
    ``duplicate_ids``. See :mod:`crucible_pl.scoring._evaluate` for the bootstrap.

    Parameters
    ----------
    references
        A :class:`~crucible_pl.Dataset` (its family and provenance are used), or a frame
        of canonical reference rows: ``id``, ``expected`` and the family's columns
        (``choices`` for multiple choice), plus any ``by`` columns.
    predictions
        ``id`` and the prediction column.
    family
        The dataset family (``"math"``, ``"multiple_choice"``, ``"generation"``,
        ``"code"``, ``"rubric"``, ``"chat"``...), which picks the default metrics;
        taken from a Dataset when not given.
    metrics
        ``None`` for the family's defaults (:data:`DEFAULT_METRICS`); a sequence of
        built-in names (:data:`BUILTIN_METRICS`); or a mapping output column name ->
        built-in name or callable. A callable receives the prediction expression and
        returns a score expression (Boolean or numeric) evaluated on the joined frame,
        where every reference column is available by name: for example
        ``{"em": lambda p: exact_match(p, "expected")}``.
    by
        Reference column(s) to report per group (e.g. ``"subject"``); adds one summary
        row per group and a macro average over groups.
    prediction_col
        The name of the prediction column in ``predictions``.
    provenance
        JSON-serializable facts to keep with the result (model, dataset revision...).
    n_bootstrap
        Bootstrap resamples for the intervals; 0 skips them (null ``ci_low/ci_high``).
    seed
        Seed of the bootstrap draws, an int in ``[0, 2**64)``.
    confidence
        Coverage of the percentile interval, between 0 and 1.

    Returns
    -------
    EvalResult
        Per-item scores, summary and join accounting.

    Raises
    ------
    ColumnNotFoundError
        A required column is absent from references or predictions.
    InvalidInputError
        Missing family, unknown metric, bad option, or predictions with null ids.
    ValidationError
        References whose ids are not unique.
    MissingDependencyError
        ``bleu``/``rouge*`` without the ``metrics`` extra.

    Examples
    --------
    >>> import polars as pl
    >>> from crucible_pl.scoring import evaluate
    >>> refs = pl.DataFrame(
    ...     {
    ...         "id": ["q1", "q2", "q3", "q4"],
    ...         "input": ["..."] * 4,
    ...         "expected": [1, 0, 2, 3],
    ...         "choices": [["a", "b", "c", "d"]] * 4,
    ...         "subject": ["bio", "bio", "law", "law"],
    ...     }
    ... )
    >>> preds = pl.DataFrame(
    ...     {"id": ["q1", "q2", "q2", "q9"], "prediction": ["(B)", "The answer is A", "C", "D"]}
    ... )
    >>> result = evaluate(refs, preds, family="multiple_choice", by="subject", seed=1)
    >>> result.missing_ids, result.unknown_ids, result.duplicate_ids
    (('q3', 'q4'), ('q9',), ('q2',))
    >>> result.summary.select("scope", "subject", "mean", "count")
    shape: (4, 4)
    ┌─────────┬─────────┬──────┬───────┐
    │ scope   ┆ subject ┆ mean ┆ count │
    │ ---     ┆ ---     ┆ ---  ┆ ---   │
    │ str     ┆ str     ┆ f64  ┆ i64   │
    ╞═════════╪═════════╪══════╪═══════╡
    │ overall ┆ null    ┆ 0.5  ┆ 4     │
    │ group   ┆ bio     ┆ 1.0  ┆ 2     │
    │ group   ┆ law     ┆ 0.0  ┆ 2     │
    │ macro   ┆ null    ┆ 0.5  ┆ 4     │
    └─────────┴─────────┴──────┴───────┘
    """
    from crucible_pl._dataset import Dataset as _Dataset

    if isinstance(references, _Dataset):
        family = family or references.family
        provenance = {**references.provenance.as_dict(), **(provenance or {})}
        references = references.lazy()
    if family is None:
        raise InvalidInputError(
            "evaluate() needs family= when references is a frame, e.g. family='math'. "
            f"Families with default metrics: {', '.join(sorted(DEFAULT_METRICS))}."
        )
    if n_bootstrap < 0:
        raise InvalidInputError(f"Invalid n_bootstrap={n_bootstrap!r}: expected an int >= 0.")
    check_seed(seed)
    if not 0 < confidence < 1:
        raise InvalidInputError(
            f"Invalid confidence={confidence!r}: expected a level between 0 and 1, e.g. 0.95."
        )
    by_cols = [by] if isinstance(by, str) else list(by or [])
    resolved = _resolve_metrics(metrics, family)
    reserved = {"id", "prediction", "expected", *by_cols}
    clash = sorted(reserved & set(resolved))
    if clash:
        raise InvalidInputError(
            f"Metric name(s) {', '.join(map(repr, clash))} clash with an item column "
            "(id, prediction, expected or a by column). Rename the metric."
        )
    if "prediction" in by_cols or "id" in by_cols:
        raise InvalidInputError(f"Invalid by={by!r}: group by reference columns other than id.")

    ref_lf = references.lazy()
    pred_lf = predictions.lazy()
    ref_schema = ref_lf.collect_schema()
    needed = ["id", *by_cols]
    for fn in resolved.values():
        builtin = next((k for k, v in BUILTIN_METRICS.items() if v is fn), None)
        if builtin is not None:
            needed += [c for c in _REQUIRED.get(builtin, ("expected",)) if c not in needed]
    _check_columns(ref_schema, needed, "References")
    _check_columns(
        pred_lf.collect_schema(),
        ["id", prediction_col],
        "Predictions",
        hint=" Pass prediction_col= to name the prediction column.",
    )

    refs = ref_lf.with_columns(pl.col("id").cast(pl.String))
    preds = pred_lf.select(pl.col("id").cast(pl.String), pl.col(prediction_col).alias(_PRED))
    first_preds = preds.filter(pl.col("id").is_first_distinct()).with_columns(
        pl.lit(True).alias(_PRESENT)
    )
    joined = refs.join(first_preds, on="id", how="left", maintain_order="left")
    present = pl.col(_PRESENT).fill_null(False)

    def scored(fn: MetricFn) -> pl.Expr:
        return fn(pl.col(_PRED)).pipe_with_dtype(
            lambda expr, dtype: pl.when(present).then(expr).otherwise(pl.lit(0).cast(dtype))
        )

    item_cols = [
        "id",
        *by_cols,
        pl.col(_PRED).alias("prediction"),
        *(["expected"] if "expected" in ref_schema else []),
        *(scored(fn).alias(name) for name, fn in resolved.items()),
        present.alias(_PRESENT),
    ]
    counts = preds.group_by("id").agg(pl.len().alias("n"))
    queries = [
        joined.select(item_cols),
        preds.filter(pl.col("id").is_first_distinct())
        .join(refs.select("id"), on="id", how="anti", maintain_order="left")
        .select("id"),
        preds.select(pl.col("id").filter(pl.col("id").is_first_distinct())).join(
            counts.filter(pl.col("n") > 1), on="id", how="inner", maintain_order="left"
        ),
        refs.group_by("id").agg(pl.len().alias("n")).filter(pl.col("n") > 1).head(_SHOWN_IDS),
        preds.select(pl.col("id").null_count()),
    ]
    try:
        items, unknown, duplicated, ref_dups, null_ids = pl.collect_all(queries)
    except pl.exceptions.ColumnNotFoundError as err:
        raise ColumnNotFoundError(
            f"A metric refers to a column that is not in the joined frame: {err}. "
            f"Reference columns: {', '.join(ref_schema.names())}; the prediction is passed "
            "to the metric as an expression."
        ) from err
    if ref_dups.height:
        shown = ", ".join(ref_dups["id"].cast(pl.String).to_list())
        raise ValidationError(
            f"Reference ids must be unique; repeated ids include: {shown}. "
            "Deduplicate the references (or give each row its own id) before evaluating."
        )
    if null_ids.item():
        raise InvalidInputError(
            f"{null_ids.item()} prediction row(s) have a null id. Every prediction needs the "
            "id of the reference item it answers."
        )

    missing_ids = tuple(items.filter(~pl.col(_PRESENT))["id"].to_list())
    items = items.drop(_PRESENT)
    metric_names = list(resolved)
    summary = _summary(
        items,
        by_cols,
        metric_names,
        n_bootstrap=n_bootstrap,
        seed=seed,
        confidence=confidence,
    )
    n_dup_rows = int(duplicated["n"].sum() - duplicated.height)
    result_provenance = dict(provenance or {})
    result_provenance["evaluation"] = {
        "family": family,
        "metrics": metric_names,
        "by": by_cols,
        "prediction_col": prediction_col,
        "n_items": items.height,
        "n_bootstrap": n_bootstrap,
        "seed": seed,
        "confidence": confidence,
        "versions": {"crucible-pl": _version("crucible-pl"), "polars": pl.__version__},
    }
    if missing_ids or unknown.height or duplicated.height:
        logger.info(
            "evaluate: %d missing, %d unknown, %d duplicated prediction ids",
            len(missing_ids),
            unknown.height,
            duplicated.height,
        )
    return EvalResult(
        items=items,
        summary=summary,
        missing_ids=missing_ids,
        unknown_ids=tuple(unknown["id"].to_list()),
        duplicate_ids=tuple(duplicated["id"].to_list()),
        n_duplicate_rows=n_dup_rows,
        provenance=result_provenance,
    )
