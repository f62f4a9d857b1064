"""Data-file formats: which repo files are data, and in which format and compression.

The loader reads Parquet directly and converts the other formats once
(:mod:`crucible_pl._files.convert`); the format comes from the file's suffix.

Examples
--------
>>> from crucible_pl._files.formats import data_format, is_data_file
>>> data_format("harmless-base/train.jsonl.gz")
('jsonl', 'gzip')
>>> is_data_file("README.md")
False
"""

from __future__ import annotations

import posixpath
from typing import Literal

from crucible_pl.errors import DataFormatError

__all__ = ["SUPPORTED_SUFFIXES", "Compression", "DataFormat", "data_format", "is_data_file"]

DataFormat = Literal["parquet", "jsonl", "json", "csv"]
Compression = Literal["gzip", "zstd"]

# suffix -> (format, compression); longest suffixes first so ".jsonl.gz" wins over ".gz".
_SUFFIX_FORMATS: dict[str, tuple[DataFormat, Compression | None]] = {
    ".parquet": ("parquet", None),
    ".jsonl": ("jsonl", None),
    ".jsonl.gz": ("jsonl", "gzip"),
    ".jsonl.zst": ("jsonl", "zstd"),
    ".ndjson": ("jsonl", None),
    ".ndjson.gz": ("jsonl", "gzip"),
    ".ndjson.zst": ("jsonl", "zstd"),
    ".json": ("json", None),
    ".json.gz": ("json", "gzip"),
    ".json.zst": ("json", "zstd"),
    ".csv": ("csv", None),
    ".csv.gz": ("csv", "gzip"),
    ".csv.zst": ("csv", "zstd"),
}
SUPPORTED_SUFFIXES: tuple[str, ...] = tuple(_SUFFIX_FORMATS)
"""File suffixes crucible-pl can read (Parquet directly, the others after conversion)."""

# datasets' FILES_TO_IGNORE: metadata that shares a data suffix but is never data.
_FILES_TO_IGNORE = frozenset(
    {
        "readme.md",
        "config.json",
        "dataset_info.json",
        "dataset_infos.json",
        "dataset_dict.json",
        "dummy_data.zip",
        "state.json",
    }
)


def data_format(path: str) -> tuple[DataFormat, Compression | None]:
    """Return the format and compression of a data file, from its name.

    Parameters
    ----------
    path
        A file path or name; the suffix is matched case-insensitively.

    Returns
    -------
    tuple
        ``(format, compression)``, format one of ``"parquet"``, ``"jsonl"``, ``"json"``,
        ``"csv"`` and compression ``"gzip"``, ``"zstd"`` or ``None``. A ``.json`` file
        may hold JSON Lines; :func:`crucible_pl._files.convert.convert_to_parquet` tells by content.

    Raises
    ------
    DataFormatError
        When the suffix is not one of :data:`SUPPORTED_SUFFIXES`.

    Examples
    --------
    >>> data_format("harmless-base/train.jsonl.gz")
    ('jsonl', 'gzip')
    >>> data_format("main/test-00000-of-00001.parquet")
    ('parquet', None)
    """
    found = _suffix_format(path)
    if found is None:
        raise DataFormatError(
            f"Unsupported data file {path!r}: expected one of the suffixes "
            f"{', '.join(SUPPORTED_SUFFIXES)}. Pick a config or split whose files use one."
        )
    return found


def _suffix_format(path: str) -> tuple[DataFormat, Compression | None] | None:
    name = posixpath.basename(path).lower()
    for suffix in sorted(_SUFFIX_FORMATS, key=len, reverse=True):
        if name.endswith(suffix) and len(name) > len(suffix):
            return _SUFFIX_FORMATS[suffix]
    return None


def is_data_file(path: str) -> bool:
    """Tell whether a repo path is a data file crucible-pl can read.

    A data file has a supported suffix, no hidden part (no segment starting with
    ``.``) and is not one of the metadata files ``datasets`` ignores (``README.md``,
    ``dataset_infos.json``, ``config.json``...).

    Parameters
    ----------
    path
        A repo-relative POSIX path.

    Returns
    -------
    bool

    Examples
    --------
    >>> is_data_file("data/train-00000-of-00001.parquet")
    True
    >>> is_data_file("dataset_infos.json"), is_data_file(".cache/x.parquet")
    (False, False)
    """
    parts = path.split("/")
    if any(part.startswith(".") for part in parts):
        return False
    if parts[-1].lower() in _FILES_TO_IGNORE:
        return False
    return _suffix_format(path) is not None
