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
from pathlib import Path

import polars as pl

from crucible_pl.errors import DataFormatError, InvalidInputError

from .atomic import atomic_path
from .formats import data_format

__all__ = ["convert_to_parquet"]

logger = logging.getLogger(__name__)

_SNIFF_BYTES = 1 << 16


def _first_byte(source: Path, compression: str | None) -> bytes | None:
    """The first non-blank byte of the (decompressed) content; None if it cannot tell."""
    if compression == "zstd":
        return None  # no zstd decoder in the standard library; the caller falls back.
    opener = gzip.open if compression == "gzip" else open
    try:
        with opener(source, "rb") as handle:
            chunk: bytes = handle.read(_SNIFF_BYTES)
    except (OSError, EOFError) as err:
        raise DataFormatError(f"Cannot read {source}: {err}.") from err
    stripped = chunk.removeprefix(b"\xef\xbb\xbf").lstrip()
    if not stripped and len(chunk) == _SNIFF_BYTES:
        return None  # a long blank prefix: let the readers decide
    return stripped[:1]


def _read_json_array(source: Path) -> pl.DataFrame:
    # Polars has no streaming reader for a JSON array: it is read whole, once.
    return pl.read_json(source, infer_schema_length=None)


def _write(source: Path, tmp: Path) -> None:
    fmt, compression = data_format(source.name)
    if fmt == "csv":
        pl.scan_csv(source, infer_schema_length=None).sink_parquet(tmp)
        return
    if fmt == "parquet":
        raise InvalidInputError(f"{source} is already Parquet: scan it, do not convert it.")
    first = _first_byte(source, compression)
    if first == b"":
        raise DataFormatError(f"{source} is empty: there are no rows to convert.")
    if first == b"[":
        _read_json_array(source).write_parquet(tmp)
        return
    try:
        pl.scan_ndjson(source, infer_schema_length=None).sink_parquet(tmp)
    except pl.exceptions.PolarsError:
        if first is not None:
            raise
        _read_json_array(source).write_parquet(tmp)  # zstd content we could not sniff


def convert_to_parquet(source: Path, dest: Path) -> Path:
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

    Returns
    -------
    pathlib.Path
        ``dest``.

    Raises
    ------
    DataFormatError
        Naming the file and the parse problem, when it cannot be read as its format;
        nothing is left at ``dest``.

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
    try:
        with atomic_path(dest) as tmp:
            _write(source, tmp)
    except pl.exceptions.PolarsError as err:
        raise DataFormatError(
            f"Cannot convert {source} to Parquet: {type(err).__name__}: {err}. The file is "
            "not valid for its suffix; if it was cut short, delete it so it is downloaded "
            "again."
        ) from err
    logger.debug("Converted %s to %s", source, dest)
    return dest
