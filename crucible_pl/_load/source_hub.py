"""The Hub source: rows of a Hub dataset repo, from cached Parquet files.

Opening resolves the revision to a commit sha and the sha to the repo's layout (from
manifests when cached: a warm open makes no request), and picks the Hub configs the
load's config is made of. Raw splits are scans of the split's local files; canonical
splits come from the normalized cache (:mod:`crucible_pl._load.normalized`), built once
per split.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from crucible_pl._cache.damage import usable_normalized, usable_split
from crucible_pl._cache.manifests import Layout
from crucible_pl._files.parquet import scan_parquet_files
from crucible_pl._hub.fetch import get_split
from crucible_pl._hub.remote import remote_files, scan_remote
from crucible_pl._hub.resolve import get_layout, resolve_sha

from .normalized import check_raw_schema, normalized_split
from .request import LoadRequest
from .source import POSITION, SplitRows

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
    _remote_used: set[str] = field(default_factory=set, compare=False, repr=False)

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

    @property
    def remote(self) -> bool:
        """Whether a split of this load was read in place over HTTP (``remote=True``)."""
        return bool(self._remote_used)

    def _cached_whole(self, split: str) -> bool:
        """Whether every Hub config's files of ``split`` are cached and whole."""
        return all(
            usable_split(self.repo, self.sha, hub_config, split)[0] is not None
            for hub_config in self.hub_configs
        )

    def _remote_raw(self, split: str, *, row_index: str | None = None) -> SplitRows:
        """The split's raw rows read in place (:mod:`crucible_pl._hub.remote`)."""
        pieces: list[pl.LazyFrame] = []
        urls: list[str] = []
        for hub_config in self.hub_configs:
            frame, piece_urls = scan_remote(
                self.layout, remote_files(self.layout, hub_config, split), row_index=row_index
            )
            if len(self.hub_configs) > 1:
                frame = frame.with_columns(pl.lit(hub_config, pl.String).alias("__config"))
            pieces.append(frame)
            urls.extend(piece_urls)
        self._remote_used.add(split)
        frame = pieces[0] if len(pieces) == 1 else pl.concat(pieces, how="vertical_relaxed")

        def count() -> int:  # the footers only: Polars reads each file's metadata for pl.len()
            return sum(int(p.select(pl.len()).collect().item()) for p in pieces)

        return SplitRows(frame, 0, None, tuple(urls), count_raw=count)

    def raw_split(self, split: str) -> SplitRows:
        """A scan of the split's cached files (downloaded first if they are not)."""
        if self.request.remote and not self._cached_whole(split):
            return self._remote_raw(split)
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
        spec = self.request.spec.for_config(self.config)
        if self.request.remote and not self._cached_whole(split):
            key = (spec.name, spec.version, self.repo, self.sha, self.config, split)
            if usable_normalized(*key, columns=[*spec.stored_columns(), POSITION]) is None:
                return self._remote_canonical(split)
        cached = normalized_split(
            self.request.spec.for_config(self.config),
            self.layout,
            self.hub_configs,
            config=self.config,
            split=split,
            offline=self.request.offline,
            token=self.request.token,
        )
        return SplitRows(
            pl.scan_parquet(cached.path),
            cached.raw_rows,
            cached.rows,
            cached.sources,
            stored=str(cached.path),
        )

    def _remote_canonical(self, split: str) -> SplitRows:
        """Canonical rows normalized lazily from the raw rows read in place."""
        assert self.request.spec is not None
        spec = self.request.spec.for_config(self.config)
        raw = self._remote_raw(split, row_index="__row")
        for hub_config in self.hub_configs[:1]:
            check_raw_schema(spec, hub_config, raw.frame.collect_schema(), split=split)
        lf = raw.frame.with_row_index(POSITION).with_columns(pl.col(POSITION).cast(pl.Int64))
        frame = spec.normalize_for_storage(
            lf, config=self.config, split=split, passthrough=(POSITION,)
        )
        return SplitRows(frame, 0, None, raw.files, count_raw=raw.count_raw)


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
