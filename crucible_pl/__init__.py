"""crucible-pl: ML evaluation datasets from the Hugging Face Hub as lazy Polars frames.

Examples
--------
>>> import crucible_pl
>>> crucible_pl.load_lazy("openai/gsm8k", "test[:2]", config="main").collect().height
2
"""

from __future__ import annotations

from . import errors as errors
from ._api import DatasetInfo as DatasetInfo
from ._api import SplitInfo as SplitInfo
from ._api import info as info
from ._api import list_datasets as list_datasets
from ._api import load_lazy as load_lazy
from ._dataset import Dataset as Dataset
from ._dataset import concat as concat
from ._dataset import interleave as interleave
from ._dataset import load as load
from ._dataset import load_from_disk as load_from_disk
from ._load import Provenance as Provenance
from .scoring import EvalResult as EvalResult
from .scoring import evaluate as evaluate

__version__ = "0.1.0"

__all__ = [  # noqa: RUF022 (grouped by purpose, as the public surface reads)
    # Loading
    "load",
    "load_from_disk",
    "load_lazy",
    # The Dataset wrapper
    "Dataset",
    "Provenance",
    "concat",
    "interleave",
    # Scoring
    "EvalResult",
    "evaluate",
    # Describing
    "DatasetInfo",
    "SplitInfo",
    "info",
    "list_datasets",
    # Errors
    "errors",
]
