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
    parts
        For rows of several loads (several configs in one load, ``concat``,
        ``interleave``): one provenance per load, in order, each exact. The fields above
        then summarize them (a field the parts share, else their values joined by
        ``+``). Empty for a single load.

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
    parts: tuple[Provenance, ...] = ()

    def __post_init__(self) -> None:
        # Rebuilt from JSON (Dataset.save), parts arrive as a list of dicts.
        if not isinstance(self.parts, tuple) or any(isinstance(p, dict) for p in self.parts):
            parts = tuple(p if isinstance(p, Provenance) else Provenance(**p) for p in self.parts)
            object.__setattr__(self, "parts", parts)

    @classmethod
    def combined(cls, parts: tuple[Provenance, ...], *, name: str, source: str) -> Provenance:
        """The provenance of rows gathered from ``parts`` (flattened one level).

        Parameters
        ----------
        parts
            The provenance of each load, in order.
        name, source
            The ``name`` and ``source`` of the result.

        Returns
        -------
        Provenance
            Its ``parts`` are ``parts``; each other field is the value the parts share,
            else their values joined by ``+``.

        Examples
        --------
        >>> from crucible_pl import Provenance
        >>> a = Provenance("mmlu", "cais/mmlu", "astronomy", "test", "main", "f" * 40)
        >>> b = Provenance("mmlu", "cais/mmlu", "anatomy", "test", "main", "f" * 40)
        >>> both = Provenance.combined((a, b), name="mmlu", source="hub")
        >>> both.config, both.split, both.parts == (a, b)
        ('astronomy+anatomy', 'test', True)
        """
        flat = tuple(q for p in parts for q in (p.parts or (p,)))

        def summary(field: str) -> str:
            values = list(dict.fromkeys(str(getattr(p, field)) for p in flat))
            return values[0] if len(values) == 1 else "+".join(values)

        families = {p.family for p in flat}
        versions = {p.spec_version for p in flat}
        return cls(
            name=name,
            repo=summary("repo"),
            config=summary("config"),
            split=summary("split"),
            revision=summary("revision"),
            sha=summary("sha"),
            family=families.pop() if len(families) == 1 else None,
            spec_version=versions.pop() if len(versions) == 1 else None,
            source=source,
            parts=flat,
        )

    def as_dict(self) -> dict[str, Any]:
        """The fields as a dict (what :meth:`Dataset.save` stores, as JSON).

        Returns
        -------
        dict[str, Any]

        Examples
        --------
        >>> import crucible_pl
        >>> fields = crucible_pl.load("gsm8k", "test[:3]").provenance.as_dict()
        >>> sorted(fields)  # doctest: +NORMALIZE_WHITESPACE
        ['config', 'family', 'name', 'parts', 'repo', 'revision', 'sha', 'source',
         'spec_version', 'split']
        >>> crucible_pl.Provenance(**fields).as_dict() == fields
        True
        """
        fields = dict(self.__dict__)
        fields["parts"] = [p.as_dict() for p in self.parts]
        return fields


@dataclass(frozen=True)
class Loaded:
    """A lazy frame, its provenance, and its exact row count when known without a scan.

    ``stored`` is set only when the rows are exactly a whole normalized cache file's,
    in order (a whole split of a named dataset): that file, which other readers (Ray)
    may read in place of the frame.
    """

    frame: pl.LazyFrame
    provenance: Provenance
    num_rows: int | None
    files: tuple[str, ...] = ()
    stored: str | None = None
