"""Local Parquet files -> ``LazyFrame``, and what their footers say.

The loader only ever scans Parquet (other formats are converted once by
:mod:`crucible_pl._files.convert`). Footers give row counts, schemas and the ``datasets``
features without reading a data page; :func:`check_parquet` is the cheap damage check.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> import polars as pl
>>> from crucible_pl._files.parquet import parquet_row_count, scan_parquet_files
>>> tmp = Path(tempfile.mkdtemp())
>>> parquet = tmp / "test.parquet"
>>> pl.DataFrame({"q": ["1+1?", "2+2?"], "a": [2, 4]}).write_parquet(parquet)
>>> parquet_row_count(parquet)
2
>>> scan_parquet_files([parquet], row_index="__row").collect()
shape: (2, 3)
┌───────┬──────┬─────┐
│ __row ┆ q    ┆ a   │
│ ---   ┆ ---  ┆ --- │
│ i64   ┆ str  ┆ i64 │
╞═══════╪══════╪═════╡
│ 0     ┆ 1+1? ┆ 2   │
│ 1     ┆ 2+2? ┆ 4   │
└───────┴──────┴─────┘
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import polars as pl

from crucible_pl.errors import DataFormatError, InvalidInputError

__all__ = [
    "check_parquet",
    "has_uniform_schema",
    "hf_features",
    "parquet_row_count",
    "parquet_schema",
    "scan_parquet_files",
]

logger = logging.getLogger(__name__)

_MAGIC = b"PAR1"


@contextlib.contextmanager
def _parquet_errors(path: Path) -> Iterator[None]:
    try:
        yield
    except pl.exceptions.PolarsError as err:
        raise DataFormatError(
            f"{path} is not a valid Parquet file ({type(err).__name__}: {err}). It may be "
            "truncated or corrupt: delete it so it is downloaded again."
        ) from err


def _union_schema(paths: Sequence[Path]) -> pl.Schema | None:
    """The union of the files' schemas (supertypes where they differ); None if all equal."""
    schemas = [parquet_schema(path) for path in paths]
    if all(schema == schemas[0] for schema in schemas[1:]):
        return None
    empties = [pl.DataFrame(schema=schema) for schema in schemas]
    try:
        return pl.concat(empties, how="diagonal_relaxed").schema
    except pl.exceptions.PolarsError as err:
        raise DataFormatError(
            f"The files {', '.join(str(p) for p in paths)} have incompatible schemas ({err}); "
            "they cannot be read as one split. Load them one config or split at a time."
        ) from err


def has_uniform_schema(paths: Sequence[Path]) -> bool:
    """Whether every file has the same schema (read from the footers only).

    Recorded in the split manifest at download time, so warm loads of a multi-file
    split need not read every footer again.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> tmp = Path(tempfile.mkdtemp())
    >>> pl.DataFrame({"a": [1]}).write_parquet(tmp / "0.parquet")
    >>> pl.DataFrame({"a": [2]}).write_parquet(tmp / "1.parquet")
    >>> has_uniform_schema([tmp / "0.parquet", tmp / "1.parquet"])
    True
    """
    return len(paths) < 2 or _union_schema([Path(p) for p in paths]) is None


def scan_parquet_files(
    paths: Sequence[Path], *, row_index: str | None = None, uniform: bool | None = None
) -> pl.LazyFrame:
    """Lazily scan local Parquet files as one frame, tolerating schema drift.

    Parameters
    ----------
    paths
        Local Parquet files, in order.
    row_index
        If given, the name of an Int64 row-number column (0-based over all files),
        placed first.
    uniform
        ``True`` when the files are known to share one schema (skips reading every
        footer), ``False`` or ``None`` to reconcile the schemas from the footers.

    Returns
    -------
    polars.LazyFrame
        Files lacking a column another file has get nulls for it; columns whose dtypes
        differ are read as their common supertype (numbers and structs are widened).

    Raises
    ------
    InvalidInputError
        When ``paths`` is empty.
    DataFormatError
        When a file's footer cannot be read or the schemas cannot be reconciled.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> tmp = Path(tempfile.mkdtemp())
    >>> pl.DataFrame({"a": [1]}).write_parquet(tmp / "0.parquet")
    >>> pl.DataFrame({"a": [2], "b": ["x"]}).write_parquet(tmp / "1.parquet")
    >>> scan_parquet_files([tmp / "0.parquet", tmp / "1.parquet"]).collect()
    shape: (2, 2)
    ┌─────┬──────┐
    │ a   ┆ b    │
    │ --- ┆ ---  │
    │ i64 ┆ str  │
    ╞═════╪══════╡
    │ 1   ┆ null │
    │ 2   ┆ x    │
    └─────┴──────┘
    """
    sources = [p if isinstance(p, Path) else Path(p) for p in paths]
    if not sources:
        raise InvalidInputError("scan_parquet_files needs at least one Parquet file, got none.")
    schema = _union_schema(sources) if len(sources) > 1 and not uniform else None
    cast = pl.ScanCastOptions(
        integer_cast=["upcast", "allow-float"],
        float_cast="upcast",
        missing_struct_fields="insert",
    )
    lf = pl.scan_parquet(
        [str(p) for p in sources],
        schema=dict(schema) if schema is not None else None,
        missing_columns="insert",
        cast_options=cast if schema is not None else None,
        row_index_name=row_index,
        glob=False,
    )
    if row_index is not None:
        lf = lf.with_columns(pl.col(row_index).cast(pl.Int64))
    return lf


def parquet_row_count(path: Path) -> int:
    """Return a Parquet file's row count from its footer, reading no data page.

    Parameters
    ----------
    path
        A local Parquet file.

    Returns
    -------
    int

    Raises
    ------
    DataFormatError
        When the file is not valid Parquet.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> path = Path(tempfile.mkdtemp()) / "x.parquet"
    >>> pl.DataFrame({"a": range(5)}).write_parquet(path)
    >>> parquet_row_count(path)
    5
    """
    with _parquet_errors(path):
        # A bare len() over a Parquet scan is answered from the footer's row counts.
        count = pl.scan_parquet(str(path), glob=False).select(pl.len()).collect().item()
    return int(count)


def parquet_schema(path: Path) -> pl.Schema:
    """Return a Parquet file's schema, from its footer.

    Parameters
    ----------
    path
        A local Parquet file.

    Returns
    -------
    polars.Schema

    Raises
    ------
    DataFormatError
        When the file is not valid Parquet.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> path = Path(tempfile.mkdtemp()) / "x.parquet"
    >>> pl.DataFrame({"a": [1], "b": ["x"]}).write_parquet(path)
    >>> parquet_schema(path)
    Schema([('a', Int64), ('b', String)])
    """
    with _parquet_errors(path):
        return pl.Schema(pl.read_parquet_schema(path))


def hf_features(path: Path) -> dict[str, Any] | None:
    """Return the ``datasets`` features stored in a Parquet file's metadata.

    Files written by ``datasets`` carry a ``huggingface`` key-value entry whose JSON
    holds ``{"info": {"features": ...}}``; the features say, for example, that an
    integer column is a ``ClassLabel`` with names.

    Parameters
    ----------
    path
        A local Parquet file.

    Returns
    -------
    dict or None
        The ``features`` mapping, or ``None`` when the entry is absent or not valid JSON.

    Raises
    ------
    DataFormatError
        When the file is not valid Parquet.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> path = Path(tempfile.mkdtemp()) / "x.parquet"
    >>> pl.DataFrame({"a": [1]}).write_parquet(path)
    >>> hf_features(path) is None
    True
    """
    with _parquet_errors(path):
        metadata = pl.read_parquet_metadata(path)
    raw = metadata.get("huggingface")
    if raw is None:
        return None
    try:
        features = json.loads(raw)["info"]["features"]
    except (ValueError, KeyError, TypeError):
        logger.debug("%s: 'huggingface' metadata is not the expected JSON", path)
        return None
    return features if isinstance(features, dict) else None


def check_parquet(path: Path, *, parse_footer: bool = True, size: int | None = None) -> None:
    """Check cheaply that a file is Parquet: magic bytes and a footer that parses.

    Parameters
    ----------
    path
        A local file.
    parse_footer
        Also parse the footer's metadata (about 1 ms for a footer of a few hundred
        column chunks). Without it, only the magic bytes and the footer length are
        read: two small reads, enough to catch a truncated or padded file.
    size
        The file's size when the caller has just taken it (saves a ``stat``).

    Raises
    ------
    DataFormatError
        Naming the file, when it is not valid Parquet (too short, wrong magic bytes,
        footer length out of range, or a footer that does not parse).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> path = Path(tempfile.mkdtemp()) / "x.parquet"
    >>> _ = path.write_text("<html>rate limited</html>")
    >>> check_parquet(path)
    Traceback (most recent call last):
    ...
    crucible_pl.errors.DataFormatError: ...x.parquet is not a valid Parquet file...
    """
    if size is None:
        size = path.stat().st_size
    problem = None
    if size < 12:
        problem = f"it is only {size} bytes long"
    else:
        # Two positioned reads on a raw descriptor: a warm load runs this on every
        # cached file, so no buffered file object is built.
        fd = os.open(path, os.O_RDONLY)
        try:
            head, tail = os.pread(fd, 4, 0), os.pread(fd, 8, size - 8)
        finally:
            os.close(fd)
        footer_length = int.from_bytes(tail[:4], "little")
        if head != _MAGIC or tail[4:] != _MAGIC:
            problem = "it does not start and end with the Parquet magic bytes 'PAR1'"
        elif footer_length > size - 12:
            problem = f"its footer length {footer_length} exceeds the file size {size}"
    if problem is not None:
        raise DataFormatError(
            f"{path} is not a valid Parquet file: {problem}. It may be truncated or an "
            "error page saved in its place: delete it so it is downloaded again."
        )
    if parse_footer:
        parquet_schema(path)
