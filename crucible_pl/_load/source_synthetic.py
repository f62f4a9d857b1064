"""The synthetic source: deterministic generated rows with a registered dataset's Hub schema.

``load_lazy(name, source="synthetic", n=..., seed=...)`` reads no file and makes no
request: each Hub config of the load's config gets ``n`` rows per split from the spec's
generator, and the frame builder slices and normalizes them exactly as it does rows
from the Hub (canonical rows go through the same ``normalize_for_storage`` and
``restore`` as the normalized cache).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from crucible_pl._synthetic import generator_for
from crucible_pl.errors import InvalidInputError, SplitNotFoundError
from crucible_pl.registry._spec import DatasetSpec, SyntheticRequest

from .request import LoadRequest
from .source import POSITION, SplitRows

__all__ = ["SyntheticSource"]

_SHA = "0" * 40


@dataclass(frozen=True)
class SyntheticSource:
    """Generated rows of a registered dataset's config. Build one with :meth:`open`."""

    request: LoadRequest
    spec: DatasetSpec
    config: str
    hub_configs: tuple[str, ...]
    splits: tuple[str, ...]
    kind: str = "synthetic"
    revision: str = "synthetic"
    sha: str = _SHA

    @classmethod
    def open(cls, request: LoadRequest) -> SyntheticSource:
        """The synthetic source of ``request`` (whose name must be registered)."""
        spec = request.spec
        assert spec is not None  # LoadRequest.build refuses synthetic loads of repo ids
        config = request.config if request.config is not None else spec.configs[0]
        hub_configs = spec.source_configs(config)
        splits = tuple(sorted({f.split for f in spec.hub_files if f.config in hub_configs}))
        if generator_for(spec, config) is None:
            raise InvalidInputError(
                f"{spec.name} has no synthetic generator.", dataset=spec.name, config=config
            )
        return cls(request, spec, config, hub_configs, splits)

    @property
    def repo(self) -> str:
        return self.spec.repo

    @property
    def label(self) -> str:
        return f"{self.spec.name} ({self.config})"

    def split_names(self) -> list[str]:
        return list(self.splits)

    def check_split(self, split: str) -> None:
        if self.splits and split not in self.splits:
            raise SplitNotFoundError(
                f"Split {split!r} not found in {self.spec.name} (config {self.config!r}). "
                f"Available splits: {', '.join(self.splits)}.",
                dataset=self.spec.name,
                config=self.config,
                split=split,
            )

    def _generated(self, split: str) -> list[pl.LazyFrame]:
        """One frame of ``n`` generated raw rows per Hub config, in order."""
        fallback = generator_for(self.spec, self.config)
        frames = []
        for hub_config in self.hub_configs:
            make = self.spec.for_config(hub_config).synthetic or fallback
            assert make is not None  # checked by open()
            request = SyntheticRequest(hub_config, split, self.request.n, self.request.seed)
            frames.append(make(request).lazy())
        return frames

    def raw_split(self, split: str) -> SplitRows:
        frames = self._generated(split)
        frame = frames[0] if len(frames) == 1 else pl.concat(frames, how="vertical_relaxed")
        return SplitRows(frame, self.request.n * len(frames), None)

    def canonical_split(self, split: str) -> SplitRows:
        pieces = []
        for hub_config, lf in zip(self.hub_configs, self._generated(split), strict=True):
            lf = lf.with_row_index("__row").with_columns(pl.col("__row").cast(pl.Int64))
            if len(self.hub_configs) > 1:
                lf = lf.with_columns(pl.lit(hub_config, pl.String).alias("__config"))
            pieces.append(lf)
        lf = pieces[0] if len(pieces) == 1 else pl.concat(pieces, how="vertical_relaxed")
        lf = lf.with_row_index(POSITION).with_columns(pl.col(POSITION).cast(pl.Int64))
        spec = self.spec.for_config(self.config)
        frame = spec.normalize_for_storage(
            lf, config=self.config, split=split, passthrough=(POSITION,)
        )
        return SplitRows(frame, self.request.n * len(pieces), None)
