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

The stored columns are every canonical one (so any Parquet reader gets canonical rows),
then, named ``__...``, the columns a spec's ``computed_on_read`` expressions read: a
load computes those canonical columns from them (``DatasetSpec.restore``), such as a
chat's ``input`` sliced from its ``messages``, and never decodes their stored copies.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import polars as pl

from crucible_pl._cache import manifests
from crucible_pl._cache.damage import reading_cached_files, sha256_of, usable_normalized
from crucible_pl._cache.manifests import Layout, NormalizedSplit
from crucible_pl._cache.paths import normalized_paths
from crucible_pl._files.atomic import atomic_path
from crucible_pl._files.parquet import parquet_row_count, scan_parquet_files
from crucible_pl._hub.fetch import get_split
from crucible_pl.errors import DataFormatError

from .source import POSITION

if TYPE_CHECKING:
    from crucible_pl.registry._spec import DatasetSpec

__all__ = ["POSITION", "NormalizedSplit", "check_raw_schema", "normalized_split"]

logger = logging.getLogger(__name__)

_ROW_GROUP_ROWS = 16_384
_ROW_GROUP_BYTES = 8 * 2**20
_MIN_ROW_GROUP_ROWS = 64
_SAMPLE_ROWS = 1_024
UNCOMPRESSED_UP_TO = 512 * 2**20
"""Raw bytes up to which a split's normalized file is written uncompressed (see
:func:`compression_for`)."""


def normalized_split(
    spec: DatasetSpec,
    layout: Layout,
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
    key = (spec.name, spec.version, layout.repo, layout.sha, config, split)
    stored = spec.stored_columns()
    cached = usable_normalized(*key, columns=[*stored, POSITION])
    if cached is not None:
        return cached
    path, _ = normalized_paths(*key)
    pieces: list[pl.LazyFrame] = []
    sources: list[str] = []
    raw_rows = 0
    for hub_config in hub_configs:
        split_files = get_split(layout, hub_config, split, offline=offline, token=token)
        local = split_files.local_paths()
        sources.extend(str(p) for p in local)
        lf = scan_parquet_files(local, row_index="__row", uniform=split_files.uniform_schema)
        check_raw_schema(spec, hub_config, lf.collect_schema(), split=split)
        if len(hub_configs) > 1:
            lf = lf.with_columns(pl.lit(hub_config, pl.String).alias("__config"))
        pieces.append(lf)
        raw_rows += split_files.num_rows
    lf = pieces[0] if len(pieces) == 1 else pl.concat(pieces, how="vertical_relaxed")
    lf = lf.with_row_index(POSITION).with_columns(pl.col(POSITION).cast(pl.Int64))
    frame = spec.normalize_for_storage(lf, config=config, split=split, passthrough=(POSITION,))
    sample = spec.normalize_for_storage(
        lf.head(_SAMPLE_ROWS), config=config, split=split, passthrough=(POSITION,)
    )
    # The raw files are read here: one removed meanwhile (cache rm) is a CacheChangedError;
    # a full disk a DiskFullError (atomic_path), with no partial file left.
    where = f"{spec.name} (config {config!r}, split {split!r}) being normalized"
    with reading_cached_files(where, dataset=spec.name, config=config, split=split):
        group_rows = row_group_rows(sample.collect())
        _sink_atomically(
            frame, path, compression=compression_for(sources), row_group_size=group_rows
        )
    result = NormalizedSplit(
        path,
        raw_rows=raw_rows,
        rows=parquet_row_count(path),
        sources=tuple(sources),
        columns=(*stored, POSITION),
        size=path.stat().st_size,
        sha256=sha256_of(path),  # for cache verify; a warm load checks size and ends only
    )
    manifests.write_normalized(
        result,
        name=spec.name,
        version=spec.version,
        repo=layout.repo,
        sha=layout.sha,
        config=config,
        split=split,
    )
    logger.info(
        "Normalized %s (config %r, split %r) once: %d of %d raw rows kept",
        spec.name,
        config,
        split,
        result.rows,
        raw_rows,
    )
    return result


def compression_for(sources: Sequence[str]) -> Literal["uncompressed", "lz4"]:
    """How a split's normalized file is compressed, from the size of its raw files.

    What a warm load pays each time is decoding this file. Uncompressed pages decode
    fastest (86k Tülu 3 conversations of Hub size: 73 ms against 101 with LZ4, 114 for
    the raw Hub files), at about twice LZ4's size on real text (GSM8K train: 4.2 MB
    against 2.4). Eval splits are a few megabytes, so they are written uncompressed; a
    split whose raw files pass :data:`UNCOMPRESSED_UP_TO` bytes (a post-training set)
    is written with LZ4, which halves the disk it takes and still reads within 1.01x of
    the raw files for every registered dataset (``bench/bench_normalize.py
    --compression lz4``).

    Examples
    --------
    >>> compression_for([])
    'uncompressed'
    """
    size = sum(os.stat(source).st_size for source in sources)
    return "uncompressed" if size <= UNCOMPRESSED_UP_TO else "lz4"


def row_group_rows(sample: pl.DataFrame) -> int:
    """Rows per row group of a normalized file, from a sample of its canonical rows.

    Row groups decode in parallel (one row group of nested messages decodes on one
    core) and let ``__pos`` statistics skip what a slice excludes. Short rows get
    groups of 16,384 rows: 100k rows of HH-RLHF prompts decoded in 14 ms against 17 with
    32,768 (7 groups share 2 cores evenly). Long rows get groups of about 8 MiB instead:
    86k Tülu 3 conversations of Hub size (3.1 kB) collected in 66 ms with 1,024-row
    groups against 144 ms with 16,384 rows (a group of 100 MB), and OpenThoughts3's
    100 kB rows in 68 ms with 64-row groups against 227 ms.

    Examples
    --------
    >>> import polars as pl
    >>> row_group_rows(pl.DataFrame({"question": ["What is 2 + 2?"] * 100}))
    16384
    >>> row_group_rows(pl.DataFrame({"messages": ["x" * 50_000] * 10}))
    167
    >>> row_group_rows(pl.DataFrame({"question": []}, schema={"question": pl.String}))
    16384
    """
    if sample.height == 0:
        return _ROW_GROUP_ROWS
    per_row = sample.estimated_size() / sample.height
    fitting = int(_ROW_GROUP_BYTES // max(per_row, 1.0))
    return max(_MIN_ROW_GROUP_ROWS, min(_ROW_GROUP_ROWS, fitting))


def _sink_atomically(
    frame: pl.LazyFrame,
    path: Path,
    *,
    compression: Literal["uncompressed", "lz4"],
    row_group_size: int,
) -> None:
    with atomic_path(path) as tmp:
        frame.sink_parquet(
            tmp, compression=compression, statistics=True, row_group_size=row_group_size
        )


def check_raw_schema(spec: DatasetSpec, hub_config: str, found: pl.Schema, *, split: str) -> None:
    """Refuse raw columns a normalizer does not expect, before it runs.

    The spec's ``raw_schema`` for ``hub_config`` says what the Hub files hold. Extra
    columns are fine, and so are dtypes of the same kind (any integer width, any float,
    String or Categorical, an all-null column, a struct with more fields); a missing
    column or another kind (a struct where a string is expected) is a
    :class:`DataFormatError` naming the dataset, the column and both dtypes, where
    Polars would otherwise fail inside the normalizer with a bare error.

    Examples
    --------
    >>> import polars as pl
    >>> from crucible_pl.registry import get_spec
    >>> from crucible_pl._load.normalized import check_raw_schema
    >>> gsm8k = get_spec("gsm8k")
    >>> fine = pl.Schema({"question": pl.String, "answer": pl.String, "extra": pl.Int8})
    >>> check_raw_schema(gsm8k, "main", fine, split="test")
    >>> drifted = pl.Schema({"question": pl.String, "answer": pl.Int64})
    >>> check_raw_schema(gsm8k, "main", drifted, split="test")
    Traceback (most recent call last):
    ...
    crucible_pl.errors.DataFormatError: gsm8k (config 'main', split 'test'): column 'answer' is
    Int64 in the Hub files, but the normalizer expects String. ...
    """
    expected = spec.raw_schema.get(hub_config)
    if not expected:
        return
    where = f"{spec.name} (config {hub_config!r}, split {split!r})"
    fix = (
        "The files on the Hub changed layout: pin an older revision=, or load with raw=True "
        "and normalize yourself; please report it so the registry can follow."
    )
    shown = [c for c in found if not c.startswith("__")]  # not our own row index
    for column, dtype in expected.items():
        want = _instance(dtype)
        if column not in found:
            raise DataFormatError(
                f"{where}: the Hub files have no column {column!r} ({want}), which the "
                f"normalizer reads; they have {', '.join(shown) or 'no columns'}. {fix}",
                dataset=spec.name,
                config=hub_config,
                split=split,
            )
        if not _same_kind(want, found[column]):
            raise DataFormatError(
                f"{where}: column {column!r} is {found[column]} in the Hub files, but the "
                f"normalizer expects {want}. {fix}",
                dataset=spec.name,
                config=hub_config,
                split=split,
            )


def _same_kind(want: pl.DataType, have: pl.DataType) -> bool:
    if have == want or isinstance(have, pl.Null):
        return True
    if want.is_integer() and have.is_integer():
        return True
    if want.is_float() and (have.is_float() or have.is_integer()):
        return True
    if isinstance(want, pl.String) and isinstance(have, (pl.String, pl.Categorical, pl.Enum)):
        return True
    if isinstance(want, (pl.List, pl.Array)) and isinstance(have, (pl.List, pl.Array)):
        return _same_kind(_instance(want.inner), _instance(have.inner))
    if isinstance(want, pl.Struct) and isinstance(have, pl.Struct):
        fields = {f.name: _instance(f.dtype) for f in have.fields}
        return all(
            f.name in fields and _same_kind(_instance(f.dtype), fields[f.name]) for f in want.fields
        )
    return False


def _instance(dtype: Any) -> pl.DataType:
    """A dtype instance (``pl.String`` the class -> ``pl.String()``)."""
    return dtype if isinstance(dtype, pl.DataType) else pl.Schema({"_": dtype})["_"]
