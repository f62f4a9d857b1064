"""Predictions from a file: ``evaluate`` accepts the path of a JSON Lines, JSON or Parquet file."""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl

from crucible_pl.errors import InvalidInputError

__all__ = ["read_predictions"]

_READERS = {".jsonl": "JSON Lines", ".ndjson": "JSON Lines", ".json": "JSON", ".parquet": "Parquet"}


def read_predictions(path: str | os.PathLike[str]) -> pl.LazyFrame:
    """Predictions from a ``.jsonl``/``.ndjson``, ``.json`` (an array) or ``.parquet`` file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import polars as pl
    >>> from crucible_pl.scoring._predictions import read_predictions
    >>> file = pathlib.Path(tempfile.mkdtemp()) / "preds.jsonl"
    >>> pl.DataFrame({"id": ["a"], "prediction": ["4"]}).write_ndjson(file)
    >>> read_predictions(file).collect().rows()
    [('a', '4')]
    """
    file = Path(path)
    kinds = ", ".join(sorted(_READERS))
    if file.suffix.lower() not in _READERS:
        raise InvalidInputError(
            f"Predictions file {str(file)!r} has suffix {file.suffix or '(none)'!r}; "
            f"evaluate reads {kinds} files (or pass a frame)."
        )
    if not file.is_file():
        raise InvalidInputError(
            f"Predictions file {str(file)!r} does not exist. Pass the path of a {kinds} file."
        )
    suffix = file.suffix.lower()
    if suffix == ".parquet":
        return pl.scan_parquet(file)
    if suffix == ".json":
        return pl.read_json(file).lazy()
    return pl.scan_ndjson(file)
