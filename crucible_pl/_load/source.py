"""The interface every source of rows implements, and what a source hands back.

A source is opened for one :class:`~crucible_pl._load.request.LoadRequest`: opening
resolves what the request names (for the Hub: revision -> commit sha -> layout ->
configs) and checks it. The frame builder (:mod:`crucible_pl._load.frame`) then asks
it for whole splits, and does the rest the same way for every source: picking the
default split, slicing, concatenating parts, normalizing, provenance, projection.

Two sources exist, each in its own module: the Hub
(:mod:`crucible_pl._load.source_hub`) and deterministic synthetic rows
(:mod:`crucible_pl._load.source_synthetic`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import polars as pl

__all__ = ["POSITION", "Source", "SplitRows"]

POSITION = "__pos"
"""The column of each canonical row's position among its split's raw rows."""


@dataclass(frozen=True)
class SplitRows:
    """Every row of one split of the load's config (all its Hub configs), lazily.

    Attributes
    ----------
    frame
        Raw rows; or, for canonical rows, the spec's stored columns
        (``DatasetSpec.stored_columns``) plus :data:`POSITION`.
    raw_rows
        The split's raw row count: what a slice's bounds are counted in.
    rows
        The rows of ``frame`` when known without a scan, else ``None``.
    files
        The local files the rows are read from (for a remote read, their URLs).
    count_raw
        For a remote read, where ``raw_rows`` is not known without reading the
        footers: counts them, called only when a slice needs the count.
    stored
        For canonical rows read from the normalized cache, its Parquet file (which
        holds every canonical column), else ``None``.
    """

    frame: pl.LazyFrame
    raw_rows: int
    rows: int | None
    files: tuple[str, ...] = ()
    count_raw: Callable[[], int] | None = None
    stored: str | None = None

    def raw_count(self) -> int:
        """``raw_rows``, counted from the footers first for a remote read."""
        return self.count_raw() if self.count_raw is not None else self.raw_rows


class Source(Protocol):
    """An opened source: the resolved names of one load, and its splits on request."""

    @property
    def kind(self) -> str:
        """``"hub"`` or ``"synthetic"``: the provenance's ``source``."""
        ...

    @property
    def repo(self) -> str: ...

    @property
    def revision(self) -> str: ...

    @property
    def sha(self) -> str: ...

    @property
    def config(self) -> str:
        """The config loaded (a registered one, or the Hub's)."""
        ...

    @property
    def label(self) -> str:
        """How messages name the dataset and config."""
        ...

    def split_names(self) -> list[str]:
        """The splits of the config, for picking a default."""
        ...

    def check_split(self, split: str) -> None:
        """Raise :class:`~crucible_pl.errors.SplitNotFoundError` if there is no such split."""
        ...

    def raw_split(self, split: str) -> SplitRows:
        """The raw rows of ``split``."""
        ...

    def canonical_split(self, split: str) -> SplitRows:
        """The canonical rows of ``split``, stored columns plus :data:`POSITION`."""
        ...
