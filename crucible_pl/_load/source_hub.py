"""The Hub source: rows of a Hub dataset repo, from cached Parquet files.

Opening resolves the revision to a commit sha and the sha to the repo's layout (from
manifests when cached: a warm open makes no request), and picks the Hub configs the
load's config is made of. Raw splits are scans of the split's local files; canonical
splits come from the normalized cache (:mod:`crucible_pl._load.normalized`), built once
per split.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from crucible_pl._cache.manifests import Layout
from crucible_pl._files.parquet import scan_parquet_files
from crucible_pl._hub.fetch import get_split
from crucible_pl._hub.resolve import get_layout, resolve_sha

from .normalized import normalized_split
from .request import LoadRequest
from .source import SplitRows

__all__ = ["HubSource"]


@dataclass(frozen=True)
class HubSource:
    """A Hub repo at one commit, with the Hub configs of the config loaded.

    Build one with :meth:`open`. ``hub_configs`` are the Hub configs whose rows make
    up ``config`` (one, unless a registered config unions several), checked against
    the layout.
    """

    request: LoadRequest
    layout: Layout
    revision: str
    config: str
    hub_configs: tuple[str, ...]
    kind: str = "hub"

    @classmethod
    def open(cls, request: LoadRequest, *, split: str | None = None) -> HubSource:
        """Resolve ``request`` to a commit, a layout and Hub configs.

        ``split`` is the first split about to be loaded, if known: when main lacks it,
        the ``refs/convert/parquet`` branch is consulted.
        """
        repo, spec, config = request.repo, request.spec, request.config
        sha, state = resolve_sha(
            repo,
            request.revision,
            offline=request.offline,
            refresh=request.refresh,
            token=request.token,
        )
        wanted = spec.source_configs(config) if spec is not None and config else (config,)
        layout = get_layout(
            repo,
            sha,
            offline=request.offline,
            token=request.token,
            state=state,
            want=(wanted[0], split),
        )
        resolved = tuple(layout.pick_config(c) for c in wanted)
        chosen = config if config is not None else resolved[0]
        return cls(request, layout, request.revision, chosen, resolved)

    @property
    def repo(self) -> str:
        return self.layout.repo

    @property
    def sha(self) -> str:
        return self.layout.sha

    @property
    def label(self) -> str:
        return f"{self.request.name} (config {self.config!r})"

    def split_names(self) -> list[str]:
        return list(self.layout.configs[self.hub_configs[0]])

    def check_split(self, split: str) -> None:
        for hub_config in self.hub_configs:
            self.layout.check_split(hub_config, split)

    def raw_split(self, split: str) -> SplitRows:
        """A scan of the split's cached files (downloaded first if they are not)."""
        pieces: list[pl.LazyFrame] = []
        files: list[str] = []
        rows = 0
        for hub_config in self.hub_configs:
            split_files = get_split(
                self.layout,
                hub_config,
                split,
                offline=self.request.offline,
                token=self.request.token,
            )
            paths = split_files.local_paths()
            files.extend(str(p) for p in paths)
            pieces.append(scan_parquet_files(paths, uniform=split_files.uniform_schema))
            rows += split_files.num_rows
        frame = pieces[0] if len(pieces) == 1 else pl.concat(pieces, how="vertical_relaxed")
        return SplitRows(frame, rows, rows, tuple(files))

    def canonical_split(self, split: str) -> SplitRows:
        """A scan of the split's normalized cache (built once from the raw files)."""
        assert self.request.spec is not None
        cached = normalized_split(
            self.request.spec.for_config(self.config),
            self.layout,
            self.hub_configs,
            config=self.config,
            split=split,
            offline=self.request.offline,
            token=self.request.token,
        )
        return SplitRows(pl.scan_parquet(cached.path), cached.raw_rows, cached.rows, cached.sources)


def config_names(request: LoadRequest) -> tuple[str, ...]:
    """Every config of ``request``'s dataset, without choosing one.

    A registered dataset's configs come from the registry, with no request; a Hub
    repo's from its layout at the resolved commit (a warm call makes no request).
    """
    if request.spec is not None:
        return tuple(request.spec.configs)
    sha, state = resolve_sha(
        request.repo,
        request.revision,
        offline=request.offline,
        refresh=request.refresh,
        token=request.token,
    )
    layout = get_layout(
        request.repo, sha, offline=request.offline, token=request.token, state=state
    )
    return tuple(layout.config_names())
