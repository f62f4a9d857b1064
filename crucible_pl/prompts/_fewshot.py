"""Choosing few-shot examples: k per item, seeded and leak-free, as one lazy query.

Two samplers, both deterministic:

``"hash"`` (ours)
    The pool (per ``by`` group) is put in a fixed shuffled order by the pinned hash of
    each example's id (:func:`crucible_pl._hashing.stable_hash`, seeded). Each item
    starts at a position given by the hash of its own id and takes the next ``k``
    examples in that order, wrapping around and skipping itself. Items get different
    examples, the same item always the same ones, and the cost is ``k + 1`` rows per
    item (no item x pool cross join).
``"first"`` (lm-eval's ``first_n``)
    The first ``k`` examples of the pool (per group) in pool order, skipping the item
    itself: lm-eval's MMLU 5-shot takes a subject's first five ``dev`` rows this way.

Examples
--------
>>> import polars as pl
>>> from crucible_pl.prompts._fewshot import choose_shots
>>> items = pl.LazyFrame({"id": ["q1", "q2"], "subject": ["x", "y"]})
>>> pool = pl.LazyFrame({"id": ["d1", "d2", "d3", "e1"], "subject": ["x", "x", "x", "y"]})
>>> choose_shots(items, pool, k=2, seed=0, by="subject", sampler="first").collect().rows()
[('q1', ['d1', 'd2']), ('q2', ['e1'])]
"""

from __future__ import annotations

import polars as pl

from crucible_pl._hashing import stable_hash

__all__ = ["SHOT_IDS", "choose_shots"]

SHOT_IDS = "fewshot_ids"
"""The column that records each item's few-shot example ids, in prompt order."""

_GROUP = "__group"
_POS = "__pos"
_N = "__n"
_STEP = "__step"


def choose_shots(
    items: pl.LazyFrame,
    pool: pl.LazyFrame,
    *,
    k: int,
    seed: int,
    by: str | None,
    sampler: str,
) -> pl.LazyFrame:
    """``id`` and ``fewshot_ids`` (up to ``k`` pool ids, in order) for every item.

    An item whose group has fewer than ``k`` examples besides itself gets what there is
    (an empty list or null for none); :func:`crucible_pl.prompts.render` refuses it.
    """
    group = pl.col(by).cast(pl.String) if by is not None else pl.lit("")
    pool_ids = pool.select(pl.col("id").cast(pl.String), group.alias(_GROUP))
    if sampler == "hash":
        order = [_GROUP, "__h"]
        pool_ids = pool_ids.with_columns(stable_hash(pl.col("id"), seed).alias("__h"))
    else:
        order = []
        pool_ids = pool_ids.with_row_index("__h")
    ranked = pool_ids.sort(order, maintain_order=True) if order else pool_ids
    ranked = ranked.with_columns(
        pl.int_range(pl.len(), dtype=pl.Int64).over(_GROUP).alias(_POS),
        pl.len().over(_GROUP).cast(pl.Int64).alias(_N),
    ).select("id", _GROUP, _POS, _N)
    sizes = ranked.group_by(_GROUP).agg(pl.col(_N).first())

    targets = items.select(pl.col("id").cast(pl.String), group.alias(_GROUP)).with_row_index(
        "__item"
    )
    if sampler == "hash":
        start = (stable_hash(pl.col("id"), seed ^ 0x5F5F5F5F) % pl.col(_N).cast(pl.UInt64)).cast(
            pl.Int64
        )
    else:
        start = pl.lit(0, pl.Int64)
    steps = (
        targets.join(sizes, on=_GROUP, how="left")
        .with_columns(start.alias("__start"))
        .with_columns(pl.int_ranges(0, pl.min_horizontal(pl.lit(k + 1), pl.col(_N))).alias(_STEP))
        .explode(_STEP)
        .with_columns(((pl.col("__start") + pl.col(_STEP)) % pl.col(_N)).alias(_POS))
    )
    picked = (
        steps.join(
            ranked.select(pl.col("id").alias("__shot"), _GROUP, _POS),
            on=[_GROUP, _POS],
            how="left",
        )
        .filter(pl.col("__shot") != pl.col("id"))
        .sort("__item", _STEP)
        .group_by("__item", maintain_order=True)
        .agg(pl.col("__shot").head(k).alias(SHOT_IDS))
    )
    return targets.join(picked, on="__item", how="left").sort("__item").select("id", SHOT_IDS)
