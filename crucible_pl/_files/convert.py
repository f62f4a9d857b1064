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
import logging
import zlib
from pathlib import Path

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
        _read_json_array(source).write_parquet(tmp)
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
    array is read whole, as Polars cannot stream it. The Parquet is written with
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
