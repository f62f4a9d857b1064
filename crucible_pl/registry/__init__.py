"""The registry of named datasets: one module per family, each exporting ``SPECS``.

Examples
--------
>>> from crucible_pl.registry import get_spec
>>> get_spec("gsm8k").repo
'openai/gsm8k'
>>> get_spec("gsm8")
Traceback (most recent call last):
...
crucible_pl.errors.DatasetNotFoundError: Unknown dataset 'gsm8': did you mean 'gsm8k'? ...
"""

from __future__ import annotations

import difflib
import functools
import importlib

import polars as pl

from crucible_pl.errors import CrucibleError, DatasetNotFoundError, InvalidInputError

from ._spec import FAMILIES, DatasetSpec

__all__ = ["all_specs", "get_spec", "registry_frame"]

_FAMILY_MODULES = (
    "math",
    "multiple_choice",
    "code",
    "chat",
    "preference",
    "rated",
    "rubric",
    "instruction",
)


@functools.cache
def _index() -> dict[str, DatasetSpec]:
    specs: dict[str, DatasetSpec] = {}
    for module_name in _FAMILY_MODULES:
        module = importlib.import_module(f"{__name__}.{module_name}")
        for spec in module.SPECS:
            if spec.name in specs:
                raise CrucibleError(f"Dataset {spec.name!r} is registered twice.")
            specs[spec.name] = spec
    return dict(sorted(specs.items()))


def all_specs() -> tuple[DatasetSpec, ...]:
    """Every registered spec, sorted by name.

    Returns
    -------
    tuple[DatasetSpec, ...]
        One spec per registered name: repo, configs, family, normalizer...

    See Also
    --------
    get_spec : One spec by name.
    registry_frame : The registry as a filterable frame.

    Examples
    --------
    >>> from crucible_pl.registry import all_specs
    >>> names = [spec.name for spec in all_specs()]
    >>> names == sorted(names), "gsm8k" in names
    (True, True)
    """
    return tuple(_index().values())


def get_spec(name: str) -> DatasetSpec:
    """The spec registered as ``name``; raises with the closest names when unknown.

    Parameters
    ----------
    name
        A registered name, e.g. ``"gsm8k"`` (not a Hub repo id).

    Returns
    -------
    DatasetSpec

    Raises
    ------
    DatasetNotFoundError
        If no dataset is registered as ``name``; the message lists the closest names.

    Examples
    --------
    >>> from crucible_pl.registry import get_spec
    >>> spec = get_spec("mmlu")
    >>> spec.repo, spec.family, spec.default_config
    ('cais/mmlu', 'multiple_choice', 'all')
    >>> get_spec("mmlu_pr")
    Traceback (most recent call last):
    ...
    crucible_pl.errors.DatasetNotFoundError: Unknown dataset 'mmlu_pr': did you mean ...
    """
    index = _index()
    spec = index.get(name)
    if spec is None:
        close = difflib.get_close_matches(name, list(index), n=3, cutoff=0.5)
        hint = f" did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
        raise DatasetNotFoundError(
            f"Unknown dataset {name!r}:{hint} Registered names: {', '.join(index)}. "
            "Any Hub dataset also loads by its repo id, e.g. 'openai/gsm8k'.",
            dataset=name,
        )
    return spec


def registry_frame(
    *, family: str | None = None, domain: str | None = None, tag: str | None = None
) -> pl.DataFrame:
    """The registry as a frame, filtered by family, domain and tag.

    Parameters
    ----------
    family
        Keep one family, e.g. ``"code"``.
    domain
        Keep one domain, e.g. ``"math"``.
    tag
        Keep the datasets carrying this tag.

    Returns
    -------
    pl.DataFrame
        One row per dataset: name, repo, family, domain, task type, configs, default
        config, license, gated, version, tags and description.

    Raises
    ------
    InvalidInputError
        If ``family`` is not a known family.

    Examples
    --------
    >>> from crucible_pl.registry import registry_frame
    >>> code = registry_frame(family="code")
    >>> code.filter(name="humaneval").select("repo", "family").row(0)
    ('openai/openai_humaneval', 'code')
    >>> registry_frame(family="poetry")
    Traceback (most recent call last):
    ...
    crucible_pl.errors.InvalidInputError: Unknown family 'poetry'. Valid families: ...
    """
    if family is not None and family not in FAMILIES:
        raise InvalidInputError(
            f"Unknown family {family!r}. Valid families: {', '.join(FAMILIES)}."
        )
    rows = [
        {
            "name": s.name,
            "repo": s.repo,
            "family": s.family,
            "domain": s.domain,
            "task_type": s.task_type,
            "configs": list(s.configs),
            "default_config": s.default_config,
            "license": s.license,
            "gated": s.gated,
            "version": s.version,
            "tags": list(s.tags),
            "description": s.description,
        }
        for s in all_specs()
        if (family is None or s.family == family)
        and (domain is None or s.domain == domain)
        and (tag is None or tag in s.tags)
    ]
    schema: dict[str, pl.DataType | type[pl.DataType]] = {
        "name": pl.String,
        "repo": pl.String,
        "family": pl.String,
        "domain": pl.String,
        "task_type": pl.String,
        "configs": pl.List(pl.String),
        "default_config": pl.String,
        "license": pl.String,
        "gated": pl.Boolean,
        "version": pl.Int64,
        "tags": pl.List(pl.String),
        "description": pl.String,
    }
    return pl.DataFrame(rows, schema=schema)
