"""Conversion of JSON Lines, JSON and CSV data files to Parquet, once, atomically.

The loader only ever scans Parquet: the other formats (plain, gzip or zstd) are
converted with :func:`convert_to_parquet`, streamed by Polars where it can, and written
atomically so a half-written file is never seen.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> from crucible_pl._files.convert import convert_to_parquet
>>> from crucible_pl._files.parquet import parquet_row_count
>>> tmp = Path(tempfile.mkdtemp())
>>> _ = (tmp / "test.jsonl").write_text('{"q": "1+1?", "a": 2}\\n{"q": "2+2?", "a": 4}\\n')
>>> parquet_row_count(convert_to_parquet(tmp / "test.jsonl", tmp / "test.parquet"))
2
"""

from __future__ import annotations

import gzip
import json
import logging
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl

from crucible_pl.errors import (
    CacheChangedError,
    DataFormatError,
    FileWriteError,
    InvalidInputError,
)

from .atomic import atomic_path
from .formats import data_format

__all__ = ["convert_to_parquet"]

logger = logging.getLogger(__name__)

_SNIFF_BYTES = 1 << 16


# What reading a damaged gzip stream raises: BadGzipFile (an OSError), EOFError when it
# is cut short, zlib.error when a deflate block is corrupt.
_UNREADABLE = (OSError, EOFError, zlib.error)


def _first_byte(source: Path, compression: str | None, label: str) -> bytes | None:
    """The first non-blank byte of the (decompressed) content; None if it cannot tell."""
    if compression == "zstd":
        return None  # no zstd decoder in the standard library; the caller falls back.
    opener = gzip.open if compression == "gzip" else open
    try:
        with opener(source, "rb") as handle:
            chunk: bytes = handle.read(_SNIFF_BYTES)
    except _UNREADABLE as err:
        what = "gzip" if compression == "gzip" else "file"
        raise DataFormatError(
            f"Cannot read {label}: {type(err).__name__}: {err}. The {what} is damaged or cut "
            "short; delete it so it is downloaded again."
        ) from err
    stripped = chunk.removeprefix(b"\xef\xbb\xbf").lstrip()
    if not stripped and len(chunk) == _SNIFF_BYTES:
        return None  # a long blank prefix: let the readers decide
    return stripped[:1]


def _read_json_array(source: Path) -> pl.DataFrame:
    # Polars has no streaming reader for a JSON array: it is read whole, once.
    return pl.read_json(source, infer_schema_length=None)


STREAM_ARRAY_BYTES = 64 * 1024 * 1024
"""A JSON array file larger than this (on disk) is converted in bounded memory."""
_CHUNK = 1 << 20
_BATCH = 10_000  # elements per Parquet part when a JSON array is streamed


def _array_to_parquet(source: Path, compression: str | None, tmp: Path, label: str) -> None:
    """A JSON array file -> Parquet, in memory bounded by a batch of its elements.

    A file up to :data:`STREAM_ARRAY_BYTES` is read whole by Polars. A larger one (the
    1 GB Feedback Collection is one array) is parsed element by element from a sliding
    buffer, written in batches of :data:`_BATCH` rows to Parquet parts next to ``tmp``,
    then streamed into one file (columns aligned by name, dtypes widened where batches
    differ), so neither the file nor its rows are ever all in memory.
    """
    if source.stat().st_size <= STREAM_ARRAY_BYTES:
        _read_json_array(source).write_parquet(tmp)
        return
    parts: list[Path] = []
    batch: list[Any] = []

    def flush() -> None:
        part = tmp.with_name(f"{tmp.name}.part-{len(parts):06d}.parquet")
        parts.append(part)
        pl.DataFrame(batch, infer_schema_length=None).write_parquet(part)
        batch.clear()

    try:
        for element in _array_elements(source, compression, label):
            batch.append(element)
            if len(batch) >= _BATCH:
                flush()
        if batch or not parts:
            flush()
        frames = [pl.scan_parquet(part) for part in parts]
        pl.concat(frames, how="diagonal_relaxed").sink_parquet(tmp)
    finally:
        for part in parts:
            part.unlink(missing_ok=True)


def _array_elements(source: Path, compression: str | None, label: str) -> Iterator[Any]:
    """The elements of the top-level JSON array in ``source``, one at a time."""
    decoder = json.JSONDecoder()
    opener = gzip.open if compression == "gzip" else open
    with opener(source, "rt", encoding="utf-8") as handle:
        buffer, at, ended = handle.read(_CHUNK).lstrip("\ufeff").lstrip(), 1, False
        if not buffer.startswith("["):
            raise DataFormatError(f"{label} is not a JSON array (it does not start with '[').")
        while True:
            while True:  # skip blanks and the comma between elements
                while at < len(buffer) and buffer[at] in " \t\r\n,":
                    at += 1
                if at < len(buffer) or ended:
                    break
                more = handle.read(_CHUNK)
                ended = not more
                buffer, at = buffer[at:] + more, 0
            if at >= len(buffer):
                raise DataFormatError(f"{label} ends inside its JSON array (no closing ']').")
            if buffer[at] == "]":
                return
            try:
                element, end = decoder.raw_decode(buffer, at)
            except json.JSONDecodeError as err:
                if ended:
                    raise DataFormatError(f"{label} is not valid JSON: {err}") from None
                more = handle.read(_CHUNK)  # the element goes on past the buffer
                ended = not more
                buffer, at = buffer[at:] + more, 0
                continue
            yield element
            if end > _CHUNK:  # keep the buffer small: drop what was parsed
                buffer, at = buffer[end:], 0
            else:
                at = end


def _write(source: Path, tmp: Path, label: str) -> None:
    fmt, compression = data_format(source.name)
    if fmt == "csv":
        pl.scan_csv(source, infer_schema_length=None).sink_parquet(tmp)
        return
    if fmt == "parquet":
        raise InvalidInputError(f"{source} is already Parquet: scan it, do not convert it.")
    first = _first_byte(source, compression, label)
    if first == b"":
        raise DataFormatError(f"{label} is empty: there are no rows to convert.")
    if first == b"[":
        _array_to_parquet(source, compression, tmp, label)
        return
    try:
        pl.scan_ndjson(source, infer_schema_length=None).sink_parquet(tmp)
    except pl.exceptions.PolarsError:
        if first is not None:
            raise
        _read_json_array(source).write_parquet(tmp)  # zstd content we could not sniff


def convert_to_parquet(source: Path, dest: Path, *, label: str | None = None) -> Path:
    """Convert a JSON Lines, JSON or CSV file (plain, .gz or .zst) to Parquet, atomically.

    JSON is told apart by content: an array of objects, or JSON Lines (also when
    misnamed ``.json``, or an array misnamed ``.jsonl``). The schema is inferred over
    every row. JSON Lines and CSV are streamed (``scan_*`` + ``sink_parquet``); a JSON
    array is read whole when small, and parsed element by element in batches when over
    :data:`STREAM_ARRAY_BYTES`, as Polars cannot stream it. The Parquet is written with
    :func:`~crucible_pl._files.atomic.atomic_path`.

    Parameters
    ----------
    source
        The local file to convert; its format comes from its suffix.
    dest
        Where the Parquet file goes. If it exists already, it is returned at once.
    label
        What to call the source in error messages (e.g. the repo file and repo);
        ``source`` itself by default.

    Returns
    -------
    pathlib.Path
        ``dest``.

    Raises
    ------
    DataFormatError
        Naming the file and the parse problem, when it cannot be read as its format
        (also a damaged gzip stream); nothing is left at ``dest``.
    DiskFullError
        When the disk fills while writing ``dest``; nothing is left at ``dest``.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> tmp = Path(tempfile.mkdtemp())
    >>> _ = (tmp / "train.csv").write_text("q,a\\nx,1\\ny,2\\n")
    >>> out = convert_to_parquet(tmp / "train.csv", tmp / "out" / "train.parquet")
    >>> pl.read_parquet(out).shape
    (2, 2)
    """
    source, dest = Path(source), Path(dest)
    if dest.exists():
        return dest
    label = label or str(source)
    try:
        with atomic_path(dest) as tmp:
            _write(source, tmp, label)
    except FileWriteError:  # a full disk, from atomic_path: already says what to do
        raise
    except FileNotFoundError as err:
        raise CacheChangedError(
            f"{label} vanished while it was being converted to Parquet: another process "
            "changed the cache (crucible-pl cache rm or clean?). Load again: it is downloaded "
            "again."
        ) from err
    except (pl.exceptions.PolarsError, *_UNREADABLE) as err:
        # What is left is the source not parsing as its format, or not readable at all.
        raise DataFormatError(
            f"Cannot convert {label} to Parquet: {type(err).__name__}: {err}. The file is "
            "not valid for its suffix; if it was cut short, delete it so it is downloaded "
            "again."
        ) from err
    logger.debug("Converted %s to %s", source, dest)
    return dest
