"""What the multiple-choice registry modules share: file layouts and choice lookups."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from crucible_pl.registry._spec import HubFile

__all__ = [
    "STR_LIST",
    "UNROLLED_CHOICES",
    "Schema",
    "card_config",
    "label_or_null",
    "parquet_files",
    "position_of",
    "shard",
]

Schema = Mapping[str, pl.DataType | type[pl.DataType]]
STR_LIST = pl.List(pl.String)


# --------------------------------------------------------------------------------------
# Shared helpers
# --------------------------------------------------------------------------------------


def shard(directory: str, split: str) -> str:
    """The single-shard file name the Hub's parquet converter writes."""
    return f"{directory}/{split}-00000-of-00001.parquet"


def parquet_files(
    configs: Sequence[str], splits: Sequence[str], directory: str | None = None
) -> tuple[HubFile, ...]:
    """``<config>/<split>-00000-of-00001.parquet`` (or under ``directory``) per config+split."""
    return tuple(HubFile(shard(directory or c, s), c, s) for c in configs for s in splits)


def card_config(name: str, splits: Sequence[str], directory: str | None = None) -> dict[str, Any]:
    """One entry of a card's YAML ``configs:``, data files as ``<dir>/<split>-*``."""
    folder = name if directory is None else directory
    return {
        "config_name": name,
        "data_files": [{"split": s, "path": f"{folder}/{s}-*"} for s in splits],
    }


def label_or_null(col: str) -> pl.Expr:
    """A string label column as Int64, ``""`` (an unlabeled test row) as null."""
    return pl.col(col).str.strip_chars().replace("", None).cast(pl.Int64)


# Lists up to this long are searched by unrolled comparisons by default; longer ones (and
# a null needle) by the slower exact `list.eval`.
UNROLLED_CHOICES = 8


def position_of(needle: pl.Expr, haystack: pl.Expr, *, unrolled: int = UNROLLED_CHOICES) -> pl.Expr:
    """0-based position of the first ``needle`` in the list ``haystack`` (null when absent).

    The first ``unrolled`` places are compared one by one (``list.get(i) == needle``),
    7x faster than a per-row ``list.eval``; set it to the dataset's usual number of
    choices, since each place costs a little even where the list is shorter. Only rows
    that this cannot decide, a longer list or a null needle (which matches a null
    element), go to ``list.eval``, where the needle rides along as the first element of
    a combined list because ``list.eval`` cannot see other columns; every other row is
    null there.
    """
    places = [
        pl.when(haystack.list.get(i, null_on_oob=True) == needle).then(pl.lit(i, pl.Int64))
        for i in range(unrolled)
    ]
    # Both inputs null outside the fallback rows, so `concat_list` skips those rows (3x faster
    # than building a list for every row).
    undecided = (haystack.list.len() > unrolled) | needle.is_null()
    combined = pl.concat_list(pl.when(undecided).then(needle), pl.when(undecided).then(haystack))
    found = pl.element().slice(1).index_of(pl.element().first())
    slow = combined.list.eval(found).list.first().cast(pl.Int64)
    position = pl.coalesce(*places, slow)
    name = needle.meta.output_name(raise_if_undetermined=False)
    return position if name is None else position.alias(name)
