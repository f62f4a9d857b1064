"""What the bridges read of a Dataset: they sit below the Dataset layer, so a protocol."""

from __future__ import annotations

from typing import Protocol

import polars as pl

from crucible_pl._load.provenance import Provenance

__all__ = ["DatasetLike"]


class DatasetLike(Protocol):
    """What the bridges read of a :class:`~crucible_pl.Dataset` (they sit below it)."""

    @property
    def provenance(self) -> Provenance: ...  # pragma: no cover - a protocol

    @property
    def family(self) -> str | None: ...  # pragma: no cover - a protocol

    @property
    def columns(self) -> list[str]: ...  # pragma: no cover - a protocol

    def collect(self, *, streaming: bool = False) -> pl.DataFrame: ...  # pragma: no cover
