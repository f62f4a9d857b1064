"""The checks and pairing of ``compare``: same data, same items, shared metrics.

:func:`dataset_provenance` refuses runs scored on different data, :func:`resolve_metrics`
picks the metrics both runs computed, :func:`check_items` checks the items frames'
columns, and :func:`pair` joins the runs by ``id`` into one row per item with each
metric's scores ``a|m``, ``b|m`` and difference ``d|m``. The
:mod:`crucible_pl.scoring._compare` docstring states the pairing rules.

Examples
--------
>>> from crucible_pl.scoring._pairing import dataset_provenance
>>> dataset_provenance({}, {}) is None
True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from crucible_pl.errors import ColumnNotFoundError, InvalidInputError, MismatchedRunsError
from crucible_pl.scoring._result import EvalResult

__all__ = [
    "BINARY",
    "DATASET_FIELDS",
    "STATS",
    "check_items",
    "dataset_provenance",
    "pair",
    "resolve_metrics",
]

DATASET_FIELDS = ("repo", "sha", "config", "split")
"""The provenance fields that must be equal for two runs to be compared."""

STATS = ("mean_a", "mean_b", "diff", "ci_low", "ci_high", "p_value", "n")
BINARY = ("n_a_only", "n_b_only")
_SHOWN = 5


def dataset_provenance(
    prov_a: Mapping[str, Any], prov_b: Mapping[str, Any]
) -> dict[str, Any] | None:
    """The shared dataset fields, ``None`` when neither run has them; raise if they differ."""
    has_a = any(prov_a.get(f) is not None for f in DATASET_FIELDS)
    has_b = any(prov_b.get(f) is not None for f in DATASET_FIELDS)
    if not has_a and not has_b:
        return None
    if has_a != has_b:
        with_it, without = ("A", "B") if has_a else ("B", "A")
        known = prov_a if has_a else prov_b
        where = ", ".join(f"{f}={known.get(f)!r}" for f in DATASET_FIELDS)
        raise MismatchedRunsError(
            f"Run {without} has no dataset provenance ({', '.join(DATASET_FIELDS)}) while run "
            f"{with_it} was scored on {where}: nothing shows both are on the same data. "
            f"Evaluate run {without} on the same Dataset (evaluate(ds, ...)), or pass "
            "provenance=ds.provenance.as_dict() to its evaluate().",
            fields=DATASET_FIELDS,
        )
    differing = tuple(f for f in DATASET_FIELDS if prov_a.get(f) != prov_b.get(f))
    if differing:
        shown = "; ".join(f"{f} (A: {prov_a.get(f)!r}, B: {prov_b.get(f)!r})" for f in differing)
        raise MismatchedRunsError(
            f"Runs A and B were scored on different data: {shown}. Compare runs evaluated "
            "on the same dataset repo, commit sha, config and split (load both with the same "
            "revision=).",
            fields=differing,
        )
    return {f: prov_a.get(f) for f in DATASET_FIELDS}


def resolve_metrics(
    metrics: str | Sequence[str] | None, result_a: EvalResult, result_b: EvalResult
) -> list[str]:
    in_a, in_b = result_a.metrics, result_b.metrics
    if metrics is None:
        common = [m for m in in_a if m in in_b]
        if not common:
            raise InvalidInputError(
                f"Runs A and B share no metric (A: {', '.join(in_a) or 'none'}; B: "
                f"{', '.join(in_b) or 'none'}). Evaluate both with the same metrics=."
            )
        return common
    names = [metrics] if isinstance(metrics, str) else list(metrics)
    if not names:
        raise InvalidInputError("metrics= is empty: name at least one metric, or pass None.")
    for name in names:
        if name in in_a and name in in_b:
            continue
        if name not in in_a and name not in in_b:
            common = [m for m in in_a if m in in_b]
            raise InvalidInputError(
                f"Unknown metric {name!r}: neither run computed it. Metrics of both runs: "
                f"{', '.join(common) or 'none'}."
            )
        has, lacks = ("A", "B") if name in in_a else ("B", "A")
        lacking = in_b if lacks == "B" else in_a
        raise InvalidInputError(
            f"Metric {name!r} is in run {has} only (run {lacks} has: "
            f"{', '.join(lacking) or 'none'}). Compare a metric both runs computed, or "
            f"evaluate run {lacks} again with metrics= including {name!r}."
        )
    if len(set(names)) != len(names):
        raise InvalidInputError(f"metrics= names a metric twice: {names!r}.")
    return names


def check_items(
    items_a: pl.DataFrame, items_b: pl.DataFrame, metrics: list[str], by: list[str]
) -> None:
    for label, items in (("A", items_a), ("B", items_b)):
        absent = [c for c in ("id", *by) if c not in items.columns]
        if absent:
            raise ColumnNotFoundError(
                f"The items of run {label} lack column(s) {', '.join(map(repr, absent))} "
                f"(columns: {', '.join(items.columns)}). Group columns come from evaluate(): "
                "pass the same by= to evaluate() for both runs."
            )
        for m in metrics:
            dtype = items.schema.get(m)
            if dtype is None:
                raise ColumnNotFoundError(
                    f"The items of run {label} lack the score column {m!r} of a metric in "
                    f"its summary (columns: {', '.join(items.columns)})."
                )
            if not (dtype.is_numeric() or dtype == pl.Boolean):
                raise InvalidInputError(
                    f"Metric {m!r} of run {label} holds {dtype} scores: compare() needs "
                    "Boolean or numeric scores."
                )
    clash = sorted(set(by) & {"metric", "scope", "id", *STATS, *BINARY, "mcnemar_p"})
    if clash:
        raise InvalidInputError(
            f"by= column(s) {', '.join(map(repr, clash))} clash with a summary column "
            "(or are the item id). Group by other reference columns."
        )


def pair(
    items_a: pl.DataFrame, items_b: pl.DataFrame, metrics: list[str], by: list[str]
) -> pl.DataFrame:
    """One row per id: the ``by`` columns and, per metric, ``a|m``, ``b|m`` and ``d|m``."""
    checked = [c for c in ("expected", *by) if c in items_a.columns and c in items_b.columns]
    a = items_a.lazy().select(
        pl.col("id").cast(pl.String),
        *checked,
        *(pl.col(m).cast(pl.Float64).alias(f"a|{m}") for m in metrics),
    )
    b = items_b.lazy().select(
        pl.col("id").cast(pl.String),
        *(pl.col(c).alias(f"{c}|b") for c in checked),
        *(pl.col(m).cast(pl.Float64).alias(f"b|{m}") for m in metrics),
    )
    dups = [
        frame.select(pl.col("id").filter(pl.col("id").is_duplicated()).unique().sort().head(_SHOWN))
        for frame in (a, b)
    ]
    only = [
        x.join(y, on="id", how="anti").select(
            pl.col("id").sort().head(_SHOWN).implode(), pl.len().alias("n")
        )
        for x, y in ((a, b), (b, a))
    ]
    joined = a.join(b, on="id", how="inner", maintain_order="left")
    differ = (
        joined.select(pl.col(c).ne_missing(pl.col(f"{c}|b")).sum().alias(c) for c in checked)
        if checked
        else pl.LazyFrame({"__none": [0]})
    )
    pairs = joined.select(
        "id",
        *by,
        *(
            expr
            for m in metrics
            for d in [pl.col(f"b|{m}") - pl.col(f"a|{m}")]
            for expr in (
                pl.when(d.is_not_null()).then(pl.col(f"a|{m}")).alias(f"a|{m}"),
                pl.when(d.is_not_null()).then(pl.col(f"b|{m}")).alias(f"b|{m}"),
                d.alias(f"d|{m}"),
            )
        ),
    )
    dup_a, dup_b, only_a, only_b, differences, paired = pl.collect_all(
        [*dups, *only, differ, pairs]
    )
    for label, dup in (("A", dup_a), ("B", dup_b)):
        if dup.height:
            raise InvalidInputError(
                f"The items of run {label} repeat ids ({', '.join(dup['id'].to_list())}): "
                "each item must appear once. Pass results of evaluate(), whose items are unique."
            )
    if only_a["n"][0] or only_b["n"][0]:
        counts = [int(frame["n"][0]) for frame in (only_a, only_b)]
        examples = [", ".join(map(repr, frame["id"][0].to_list())) for frame in (only_a, only_b)]
        raise MismatchedRunsError(
            f"Runs A and B are not on the same items: {counts[0]} id(s) only in A"
            f"{f' (e.g. {examples[0]})' if counts[0] else ''}, {counts[1]} only in B"
            f"{f' (e.g. {examples[1]})' if counts[1] else ''}. Evaluate both runs against the "
            "same references (the same split and slice).",
            fields=("id",),
        )
    differing = [c for c in checked if differences[c][0]]
    if differing:
        shown = ", ".join(f"{c} ({differences[c][0]} items)" for c in differing)
        raise MismatchedRunsError(
            f"Runs A and B give the same ids different reference values: {shown}. The runs "
            "were scored on different versions of the items (another revision, a different "
            "shuffle_choices seed...); evaluate both against the same references.",
            fields=tuple(differing),
        )
    return paired
