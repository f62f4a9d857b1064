"""What both paths of ``evaluate`` (one answer, several samples per id) share.

The id checks run in the same ``collect_all`` as the scores, and the record of what was
computed goes into ``provenance["evaluation"]``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from crucible_pl.errors import ColumnNotFoundError, InvalidInputError, ValidationError
from crucible_pl.scoring._metrics import CUSTOM_DESCRIPTION, EXTRACTIONS
from crucible_pl.scoring._result import _version

__all__ = ["PRED", "collect_checked", "evaluation_record"]

PRED = "__prediction"
"""The prediction column, renamed so that it cannot clash with a reference column."""

_SHOWN_IDS = 5


def collect_checked(
    queries: Sequence[pl.LazyFrame],
    refs: pl.LazyFrame,
    preds: pl.LazyFrame,
    ref_schema: pl.Schema,
) -> list[pl.DataFrame]:
    """Collect ``queries`` in one go with the id checks; raise if the ids are unusable.

    ``refs`` and ``preds`` have a String ``id``. Raises ``ValidationError`` for repeated
    reference ids, ``InvalidInputError`` for null prediction ids and
    ``ColumnNotFoundError`` when a metric reads a column the references lack.
    """
    checks = [
        refs.group_by("id").agg(pl.len().alias("n")).filter(pl.col("n") > 1).head(_SHOWN_IDS),
        preds.select(pl.col("id").null_count()),
    ]
    try:
        *frames, ref_dups, null_ids = pl.collect_all([*queries, *checks])
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
    return frames


def evaluation_record(
    *,
    family: str,
    metric_names: list[str],
    strategies: Mapping[str, str | None],
    by_cols: list[str],
    prediction_col: str,
    n_items: int,
    n_bootstrap: int,
    seed: int,
    confidence: float,
) -> dict[str, Any]:
    """``provenance["evaluation"]``: what was computed, how, and with which versions."""
    return {
        "family": family,
        "metrics": metric_names,
        "extraction": {
            name: {
                "strategy": strategy,
                "description": CUSTOM_DESCRIPTION if strategy is None else EXTRACTIONS[strategy],
            }
            for name, strategy in strategies.items()
        },
        "by": by_cols,
        "prediction_col": prediction_col,
        "n_items": n_items,
        "n_bootstrap": n_bootstrap,
        "seed": seed,
        "confidence": confidence,
        "versions": {"crucible-pl": _version("crucible-pl"), "polars": pl.__version__},
    }
