"""crucible-pl: ML evaluation datasets from the Hugging Face Hub as lazy Polars frames.

The public names are loaded on first use (PEP 562), so ``import crucible_pl`` costs
almost nothing until a function is called; ``from crucible_pl import load_lazy`` works
as usual.

Examples
--------
>>> import crucible_pl
>>> crucible_pl.load_lazy("openai/gsm8k", "test[:2]", config="main").collect().height
2
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from . import errors as errors

if TYPE_CHECKING:
    from ._api import DatasetInfo as DatasetInfo
    from ._api import SplitInfo as SplitInfo
    from ._api import info as info
    from ._api import list_configs as list_configs
    from ._api import list_datasets as list_datasets
    from ._api import load_lazy as load_lazy
    from ._bridges.inspect_ai import from_inspect as from_inspect
    from ._bridges.lm_eval import lm_eval_task as lm_eval_task
    from ._dataset import Dataset as Dataset
    from ._dataset import concat as concat
    from ._dataset import interleave as interleave
    from ._dataset import load as load
    from ._dataset import load_from_disk as load_from_disk
    from ._load.provenance import Provenance as Provenance
    from ._lock import lock as lock
    from .scoring import Comparison as Comparison
    from .scoring import EvalResult as EvalResult
    from .scoring import compare as compare
    from .scoring import evaluate as evaluate

__version__ = "0.1.0"

__all__ = [  # noqa: RUF022 (grouped by purpose, as the public surface reads)
    # Loading
    "load",
    "load_from_disk",
    "load_lazy",
    "lock",
    # The Dataset wrapper
    "Dataset",
    "Provenance",
    "concat",
    "interleave",
    # Bridges to the tools that run models
    "from_inspect",
    "lm_eval_task",
    # Scoring
    "EvalResult",
    "evaluate",
    "Comparison",
    "compare",
    # Describing
    "DatasetInfo",
    "SplitInfo",
    "info",
    "list_configs",
    "list_datasets",
    # Errors
    "errors",
]

_LAZY: dict[str, str] = {
    "DatasetInfo": "._api",
    "SplitInfo": "._api",
    "info": "._api",
    "list_configs": "._api",
    "list_datasets": "._api",
    "load_lazy": "._api",
    "Dataset": "._dataset",
    "concat": "._dataset",
    "interleave": "._dataset",
    "load": "._dataset",
    "load_from_disk": "._dataset",
    "Provenance": "._load.provenance",
    "lock": "._lock",
    "lm_eval_task": "._bridges.lm_eval",
    "from_inspect": "._bridges.inspect_ai",
    "EvalResult": ".scoring",
    "Comparison": ".scoring",
    "compare": ".scoring",
    "evaluate": ".scoring",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'crucible_pl' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
