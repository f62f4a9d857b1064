"""Synthetic raw rows for every registered dataset: test data shaped exactly like the Hub's.

Owns the generators (one module per family) and :func:`generator_for`, the one lookup
the synthetic source (``crucible_pl._load.source_synthetic``) and the fixture writers
(``crucible_pl.testing``) use. A generator takes a
:class:`~crucible_pl.registry._spec.SyntheticRequest` (config, split, ``n``, seed) and
returns ``n`` deterministic rows with the raw Hub schema the registry module of its
family declares; the registry modules hold only the schemas and normalizers.

A spec written by a user (not registered) brings its own generator in
``DatasetSpec(synthetic=...)``, which :func:`generator_for` returns first.

May import: ``registry`` (specs and raw schemas), ``errors``; nothing above.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import polars as pl

from crucible_pl.registry._spec import DatasetSpec, SyntheticRequest

from . import chat, code, instruction, math, multiple_choice, preference, rated, rubric

__all__ = ["GENERATORS", "Generator", "generator_for"]

Generator = Callable[[SyntheticRequest], pl.DataFrame]

GENERATORS: Mapping[str, Generator] = {
    **multiple_choice.GENERATORS,
    **preference.GENERATORS,
    **math.GENERATORS,
    **chat.GENERATORS,
    **code.GENERATORS,
    **instruction.GENERATORS,
    **rated.GENERATORS,
    **rubric.GENERATORS,
}
"""Registered dataset name -> its generator (one per dataset, for all its configs)."""


def generator_for(spec: DatasetSpec, config: str) -> Generator | None:
    """The generator of ``spec``'s raw rows for ``config``; ``None`` when it has none.

    The spec's own ``synthetic`` (that of the variant governing ``config``, else the
    spec's) wins; else the registered generator of ``spec.name``.

    Examples
    --------
    >>> from crucible_pl._synthetic import generator_for
    >>> from crucible_pl.registry import get_spec
    >>> from crucible_pl.registry._spec import SyntheticRequest
    >>> make = generator_for(get_spec("gsm8k"), "main")
    >>> make(SyntheticRequest("main", "test", 2)).columns
    ['question', 'answer']
    """
    return spec.for_config(config).synthetic or GENERATORS.get(spec.name)
