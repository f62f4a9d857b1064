"""The normalized cache: a registered dataset's canonical rows, computed once per split.

Normalizers parse text (GSM8K answers, ``\\boxed{}`` solutions, chat transcripts), which
costs a multiple of reading a few strings. So the first load of a config and split
runs the normalizer once over the whole split, streaming, and writes the canonical rows
to Parquet in our cache; every later load is a plain ``pl.scan_parquet`` of that file,
as cheap as a raw load, with projections, filters and ``head`` pushed into the scan::

    <crucible cache>/normalized/<name>/v<spec version>/<owner>/<repo>/<sha>/<config>/
        <split>.parquet        the spec's stored columns + __pos (the raw row position)
        <split>.json           raw row count, kept row count, size, source files

The key holds everything that changes the bytes: the registered name, the spec's
version, the repo's commit sha, the config and the split. ``__pos`` is each row's
position among the split's raw rows, so a slice such as ``test[:100]`` selects the same
rows as slicing the raw files before normalizing (rows a spec drops, such as
preference ties, stay dropped); it is sorted, so Parquet statistics skip what a slice
excludes. Both files are written atomically; the JSON last, so a Parquet file without
its JSON is never read.

The stored columns are the canonical ones, except that a spec's ``computed_on_read``
columns (a chat's ``input`` and ``expected``, slices of its conversation) are stored as
the columns they are computed from, and computed by ``DatasetSpec.restore`` on read.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from . import _cache, _config, _resolve, _scan

if TYPE_CHECKING:
    from .registry._spec import DatasetSpec

__all__ = ["POSITION", "NormalizedSplit", "normalized_split"]

logger = logging.getLogger(__name__)

POSITION = "__pos"
_FORMAT = 2
_ROW_GROUP_ROWS = 32_768


@dataclass(frozen=True)
class NormalizedSplit:
    """A split's canonical rows on disk, with the counts a slice and ``len()`` need."""

    path: Path
    raw_rows: int
    rows: int
    sources: tuple[str, ...]


def _paths(spec: DatasetSpec, repo: str, sha: str, config: str, split: str) -> tuple[Path, Path]:
    owner, name = repo.split("/")
    base = (
        _config.crucible_cache_dir()
        / "normalized"
        / spec.name
        / f"v{spec.version}"
        / owner
        / name
        / sha
        / _cache.component(config)
    )
    stem = _cache.component(split)
    return base / f"{stem}.parquet", base / f"{stem}.json"


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _cached(path: Path, meta_path: Path, stored: Sequence[str]) -> NormalizedSplit | None:
    meta = _cache.read_json(meta_path)
    if meta is None or meta.get("format") != _FORMAT:
        return None
    if meta.get("columns") != [*stored, POSITION]:
        # Written when the spec stored other columns: DatasetSpec.restore cannot read it.
        return None
    raw_rows, rows, size = meta.get("raw_rows"), meta.get("rows"), meta.get("size")
    sources = meta.get("sources")
    if not (_is_count(raw_rows) and _is_count(rows) and _is_count(size)):
        return None
    if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
        return None
    try:
        if path.stat().st_size != size:
            raise ValueError("size differs from the manifest")
        _scan.check_parquet(path, parse_footer=False)
    except (OSError, ValueError) as err:
        logger.warning("Normalized cache %s is damaged (%s); rebuilding it", path, err)
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        return None
    assert isinstance(raw_rows, int)
    assert isinstance(rows, int)
    return NormalizedSplit(path, raw_rows, rows, tuple(sources))


def normalized_split(
    spec: DatasetSpec,
    layout: _resolve.Layout,
    hub_configs: Sequence[str],
    *,
    config: str,
    split: str,
    offline: bool,
    token: str | None,
) -> NormalizedSplit:
    """The canonical rows of ``config``/``split``, from the cache or built once now.

    ``spec`` is the spec governing ``config`` (its variant, if it has one); its rows
    are the union of ``hub_configs`` in order. Building needs the raw files, which are
    downloaded (or taken from the cache) as for a raw load.
    """
    path, meta_path = _paths(spec, layout.repo, layout.sha, config, split)
    stored = spec.stored_columns()
    cached = _cached(path, meta_path, stored)
    if cached is not None:
        return cached
    pieces: list[pl.LazyFrame] = []
    sources: list[str] = []
    raw_rows = 0
    for hub_config in hub_configs:
        split_files = _resolve.get_split(layout, hub_config, split, offline=offline, token=token)
        local = split_files.local_paths()
        sources.extend(str(p) for p in local)
        lf = _scan.scan_parquet_files(local, row_index="__row", uniform=split_files.uniform_schema)
        if len(hub_configs) > 1:
            lf = lf.with_columns(pl.lit(hub_config, pl.String).alias("__config"))
        pieces.append(lf)
        raw_rows += split_files.num_rows
    lf = pieces[0] if len(pieces) == 1 else pl.concat(pieces, how="vertical_relaxed")
    lf = lf.with_row_index(POSITION).with_columns(pl.col(POSITION).cast(pl.Int64))
    frame = spec.normalize_for_storage(lf, config=config, split=split, passthrough=(POSITION,))
    _sink_atomically(frame, path)
    rows = _scan.parquet_row_count(path)
    meta: dict[str, Any] = {
        "format": _FORMAT,
        "name": spec.name,
        "version": spec.version,
        "repo": layout.repo,
        "sha": layout.sha,
        "config": config,
        "split": split,
        "columns": [*stored, POSITION],
        "raw_rows": raw_rows,
        "rows": rows,
        "size": path.stat().st_size,
        "sources": sources,
    }
    _cache.write_json(meta_path, meta)
    logger.info(
        "Normalized %s (config %r, split %r) once: %d of %d raw rows kept",
        spec.name,
        config,
        split,
        rows,
        raw_rows,
    )
    return NormalizedSplit(path, raw_rows, rows, tuple(sources))


def _sink_atomically(frame: pl.LazyFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        # What a warm load pays each time is decoding this file, so it is written for
        # that: LZ4 decodes about twice as fast as Polars' default zstd (and faster than
        # the Hub's snappy), and row groups of _ROW_GROUP_ROWS rows decode in parallel (one
        # row group of nested messages decodes on one core) and let __pos statistics
        # skip what a slice excludes.
        frame.sink_parquet(tmp, compression="lz4", statistics=True, row_group_size=_ROW_GROUP_ROWS)
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
