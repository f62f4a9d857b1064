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

__version__ = "0.1.0"

__all__ = [
    # Describing
    "DatasetInfo",
    "SplitInfo",
    # Errors
    "errors",
    "info",
    "list_datasets",
    # Loading
    "load_lazy",
]
