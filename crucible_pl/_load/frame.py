"""Build the frame of a load: open its source, pick and slice splits, normalize, project.

This is the whole load path below the public functions: ``load_lazy`` and
``Dataset``'s ``load`` both call :func:`open_frame` with one
:class:`~crucible_pl._load.request.LoadRequest`. The steps that are the same for every
source live here, once; what differs (where rows come from) is the source's
(:mod:`crucible_pl._load.source`).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence

import polars as pl

from crucible_pl._cache.damage import reading_cached_files
from crucible_pl._cache.paths import hub_file_path
from crucible_pl._files.lockfile import LockedDataset, LockedFile
from crucible_pl._hub.datafiles import default_split
from crucible_pl._split import SplitPart, parse_split
from crucible_pl.errors import ColumnNotFoundError, LockMismatchError, SplitNotFoundError

from .provenance import Loaded, Provenance
from .request import LoadRequest
from .source import POSITION, Source
from .source_hub import HubSource

__all__ = ["check_locked_files", "locked_file_facts", "open_frame", "open_source"]

logger = logging.getLogger(__name__)


def open_source(request: LoadRequest) -> Source:
    """The opened source of ``request``: the Hub, or synthetic rows."""
    if request.source == "synthetic":
        from .source_synthetic import SyntheticSource  # only synthetic loads need it

        return SyntheticSource.open(request)
    first = request.split.parts[0].name if request.split is not None else None
    return HubSource.open(request, split=first)


def open_frame(request: LoadRequest) -> Loaded:
    """Resolve and scan one load; see :func:`crucible_pl.load_lazy` for the options.

    A cached file removed while the load opens it (``crucible-pl cache rm`` racing it,
    between the manifest check and a footer read) is a ``CacheChangedError`` saying to
    load again. Once the frame is returned, its files are read when it is collected:
    a file removed by then makes Polars raise ``FileNotFoundError`` at ``collect()``
    (``Dataset``'s own methods turn that into ``CacheChangedError`` too).
    """
    if request.configs:
        return _open_configs(request)
    with reading_cached_files(f"{request.name} (config {request.config!r})", dataset=request.name):
        return _open_frame(request)


CONFIG_COLUMN = "config"
"""The column a load of several configs adds: each row's config."""


def _open_configs(request: LoadRequest) -> Loaded:
    """Several configs of one dataset as one frame, with a ``config`` column.

    Each config is loaded as on its own (same split, revision and columns); the frames
    are stacked in the order given (by name where schemas differ, missing columns as
    nulls), and the provenance has one part per config.
    """
    loads = []
    for config in request.configs:
        one = request.for_config(config)
        with reading_cached_files(f"{request.name} (config {config!r})", dataset=request.name):
            loads.append(_open_frame(one))
    for loaded in loads:
        if CONFIG_COLUMN in loaded.frame.collect_schema():
            raise ColumnNotFoundError(
                f"{request.name} already has a column {CONFIG_COLUMN!r}, which a load of several "
                "configs adds; load the configs one by one and concat() them instead.",
                dataset=request.name,
            )
    frames = [
        loaded.frame.select(pl.lit(config, pl.String).alias(CONFIG_COLUMN), pl.all())
        for config, loaded in zip(request.configs, loads, strict=True)
    ]
    schemas = {tuple(f.collect_schema().items()) for f in frames}
    frame = pl.concat(frames, how="vertical" if len(schemas) == 1 else "diagonal_relaxed")
    counts = [loaded.num_rows for loaded in loads]
    total = None if any(c is None for c in counts) else sum(c for c in counts if c is not None)
    provenance = Provenance.combined(
        tuple(loaded.provenance for loaded in loads),
        name=request.name,
        source=loads[0].provenance.source,
    )
    files = tuple(f for loaded in loads for f in loaded.files)
    return Loaded(frame, provenance, total, files)


def _open_frame(request: LoadRequest) -> Loaded:
    source = open_source(request)
    spec = request.spec.for_config(source.config) if request.spec is not None else None
    split = request.split
    if split is None:
        preferred = spec.default_split if spec is not None else None
        chosen = _default_split(source.split_names(), preferred, what=source.label)
        if source.kind == "hub":
            logger.info("%s: no split given, using split %r", request.name, chosen)
        split = parse_split(chosen)
    for part in split.parts:
        source.check_split(part.name)
    if request.locked:
        assert isinstance(source, HubSource)  # LoadRequest.build locks Hub loads only
        for entry in request.locked:
            check_locked_files(entry, _split_files(source, entry.split), downloaded=False)

    canonical = spec is not None and not request.raw
    frames: list[pl.LazyFrame] = []
    files: list[str] = []
    total: int | None = 0
    stored: str | None = None
    for part in split.parts:
        if canonical:
            assert spec is not None
            rows = source.canonical_split(part.name)
            if len(split.parts) == 1 and part.is_full:
                stored = rows.stored
            raw = rows.raw_rows if part.is_full else rows.raw_count()
            lf, count = _canonical_part(rows.frame, part, raw, rows.rows)
            lf = spec.restore(lf)
            if spec.keep is not None and not part.is_full:
                count = None  # the spec drops rows: a slice's count is known only by a scan
        else:
            rows = source.raw_split(part.name)
            raw = rows.raw_rows if part.is_full else rows.raw_count()
            lf, count = _raw_part(rows.frame, part, raw, rows.rows)
        files.extend(rows.files)
        total = None if total is None or count is None else total + count
        frames.append(lf)
    frame = frames[0] if len(frames) == 1 else pl.concat(frames, how="vertical_relaxed")
    if request.locked:
        assert isinstance(source, HubSource)
        for entry in request.locked:
            check_locked_files(entry, _split_files(source, entry.split), downloaded=True)
    provenance = Provenance(
        name=request.name,
        repo=source.repo,
        config=source.config,
        split=split.text,
        revision=source.revision,
        sha=source.sha,
        family=spec.family if canonical and spec is not None else None,
        spec_version=spec.version if spec is not None else None,
        source="remote" if getattr(source, "remote", False) else source.kind,
    )
    loaded = Loaded(frame, provenance, total, tuple(files), stored=stored)
    return _project(loaded, request.columns)


def _split_files(source: HubSource, split: str) -> list[tuple[str, str]]:
    """(repo path, commit) of every data file of ``split`` in the source's Hub configs."""
    return [
        f for hub_config in source.hub_configs for f in source.layout.configs[hub_config][split]
    ]


def check_locked_files(
    entry: LockedDataset, files: Sequence[tuple[str, str]], *, downloaded: bool
) -> None:
    """Raise :class:`LockMismatchError` unless ``files`` are the ones ``entry`` locks.

    Before the download: the same repo paths at the same commits. After it
    (``downloaded``): each file's size and content hash, read from the HF cache (the
    blob is named after the hash the Hub gave it), where the file is there.
    """
    label = f"{entry.name} (config {entry.config!r}, split {entry.split!r})"
    fix = (
        "Run `crucible-pl lock --check` to see what changed; lock again to accept it, or "
        "load without the lock."
    )
    locked = {(f.path, f.sha): f for f in entry.files}
    found = set(files)
    if found != set(locked):
        extra = sorted(p for p, _ in found - set(locked))
        gone = sorted(p for p, _ in set(locked) - found)
        what = (
            "; ".join(
                part
                for part in (
                    f"files not in the lock: {', '.join(extra)}" if extra else "",
                    f"locked files not found: {', '.join(gone)}" if gone else "",
                )
                if part
            )
            or "the files are at other commits"
        )
        raise LockMismatchError(
            f"{label} does not match the lock: {what}. {fix}",
            dataset=entry.name,
            config=entry.config,
        )
    if not downloaded:
        return
    for (path, sha), want in locked.items():
        have = locked_file_facts(entry.repo, path, sha)
        if have is not None and (have.size, have.hash) != (want.size, want.hash):
            raise LockMismatchError(
                f"{label} does not match the lock: {path} has size {have.size:,} and hash "
                f"{have.hash[:24]}... where the lock has {want.size:,} and {want.hash[:24]}.... "
                f"{fix}",
                dataset=entry.name,
                config=entry.config,
            )


def locked_file_facts(repo: str, path: str, sha: str) -> LockedFile | None:
    """What a lock records of a file in the HF cache (size, content hash); ``None`` if absent."""
    local = hub_file_path(repo, sha, path)
    if not local.is_file():
        return None
    blob = local.resolve()
    name = blob.name
    if len(name) == 64 and all(c in "0123456789abcdef" for c in name):
        digest = f"sha256:{name}"
    elif len(name) == 40 and all(c in "0123456789abcdef" for c in name):
        digest = f"git-sha1:{name}"
    else:  # a cache without symlinks: hash the bytes
        sha256 = hashlib.sha256()
        with blob.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                sha256.update(chunk)
        digest = f"sha256:{sha256.hexdigest()}"
    return LockedFile(path, sha, blob.stat().st_size, digest)


def _raw_part(
    lf: pl.LazyFrame, part: SplitPart, raw_rows: int, rows: int | None
) -> tuple[pl.LazyFrame, int | None]:
    """A split part of raw rows: the rows between its bounds, lazily, and their count."""
    if part.is_full:
        return lf, rows
    start, stop = part.bounds(raw_rows)
    return lf.slice(start, stop - start), None if rows is None else stop - start


def _canonical_part(
    lf: pl.LazyFrame, part: SplitPart, raw_rows: int, rows: int | None
) -> tuple[pl.LazyFrame, int | None]:
    """A split part of canonical rows, selected by raw row position.

    ``test[:100]`` means the first 100 raw rows whether or not the spec drops some of
    them; the position column is sorted, so Parquet statistics skip the rest.
    """
    if not part.is_full:
        start, stop = part.bounds(raw_rows)
        lf = lf.filter(pl.col(POSITION).is_between(start, stop, closed="left"))
        rows = None if rows is None else stop - start
    return lf.drop(POSITION), rows


def _default_split(names: Sequence[str], preferred: str | None, *, what: str) -> str:
    if preferred is not None and preferred in names:
        return preferred
    chosen = default_split(names)
    if chosen is None:
        raise SplitNotFoundError(
            f"{what} has several splits and none of test/validation: pass split=. "
            f"Available splits: {', '.join(sorted(names))}."
        )
    return chosen


def _project(loaded: Loaded, columns: Sequence[str] | None) -> Loaded:
    """Keep only ``columns``, checked against the frame's schema."""
    if columns is None:
        return loaded
    available = loaded.frame.collect_schema().names()
    missing = [c for c in columns if c not in available]
    if missing:
        p = loaded.provenance
        raise ColumnNotFoundError(
            f"Column(s) {', '.join(map(repr, missing))} not found in {p.name} (config "
            f"{p.config!r}, split {p.split!r}). Available columns: {', '.join(available)}.",
            dataset=p.name,
            config=p.config,
            split=p.split,
        )
    frame = loaded.frame.select(list(columns))
    return Loaded(frame, loaded.provenance, loaded.num_rows, loaded.files)
