"""Where the rows of a load came from (:class:`Provenance`), and a load's result.

:class:`Provenance` is public (``crucible_pl.Provenance``); :class:`Loaded` is what the
load path hands ``load_lazy`` and ``load``: the frame, its provenance, and its row count
when known without a scan.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

__all__ = ["Loaded", "Provenance"]


@dataclass(frozen=True)
class Provenance:
    """Where the rows of a load came from: enough to reload exactly the same data.

    :attr:`Dataset.provenance <crucible_pl.Dataset.provenance>` holds one;
    :meth:`Dataset.save <crucible_pl.Dataset.save>` stores it in the Parquet metadata.

    Parameters
    ----------
    name
        The name loaded: a registered name or a Hub repo id.
    repo
        The Hub repo id, ``"owner/name"``.
    config, split
        The config, and the split as asked for (slice included, e.g. ``"test[:10]"``).
    revision
        The revision asked for (branch, tag or commit).
    sha
        The commit sha it resolved to: pass it as ``revision=`` to reload the same bytes.
    family
        The dataset family of a registered name; ``None`` for raw rows.
    spec_version
        The version of the registered normalizer; ``None`` for raw rows.
    source
        ``"hub"``, ``"synthetic"``, ``"disk"``, or ``"concat"``/``"interleave"``.

    Examples
    --------
    >>> import crucible_pl
    >>> p = crucible_pl.load("gsm8k", "test[:3]").provenance
    >>> p.repo, p.config, p.split, p.family
    ('openai/gsm8k', 'main', 'test[:3]', 'math')
    >>> again = crucible_pl.load(p.repo, "test[:3]", config=p.config, revision=p.sha, raw=True)
    >>> again.provenance.sha == p.sha
    True
    """

    name: str
    repo: str
    config: str
    split: str
    revision: str
    sha: str
    family: str | None = None
    spec_version: int | None = None
    source: str = "hub"

    def as_dict(self) -> dict[str, Any]:
        """The fields as a dict (what :meth:`Dataset.save` stores, as JSON).

        Returns
        -------
        dict[str, Any]

        Examples
        --------
        >>> import crucible_pl
        >>> fields = crucible_pl.load("gsm8k", "test[:3]").provenance.as_dict()
        >>> sorted(fields)
        ['config', 'family', 'name', 'repo', 'revision', 'sha', 'source', 'spec_version', 'split']
        >>> crucible_pl.Provenance(**fields).as_dict() == fields
        True
        """
        return dict(self.__dict__)


@dataclass(frozen=True)
class Loaded:
    """A lazy frame, its provenance, and its exact row count when known without a scan."""

    frame: pl.LazyFrame
    provenance: Provenance
    num_rows: int | None
    files: tuple[str, ...] = ()
