"""`Dataset`: a LazyFrame plus where it came from, with seeded sampling and splitting.

A ``Dataset`` never mutates: every method returns a new one. Everything stays lazy
except the methods that are eager by name (``collect``, ``iter_batches``, ``save``,
``validate``, ``len``). Seeded selection is keyed by a pinned hash of ``(id, seed)``
(:mod:`crucible_pl._hashing`), so it does not depend on file order, row order,
machine or Polars version.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import Any, Literal

import polars as pl

from . import _load, _sampling
from ._load import Provenance
from .errors import DataFormatError, InvalidInputError

__all__ = ["Dataset", "concat", "interleave", "load", "load_from_disk"]

_METADATA_KEY = "crucible_pl"


class Dataset:
    """A lazy frame of one dataset split and its provenance.

    Build one with :func:`load` (or :func:`load_from_disk`). ``len()`` is exact: from
    Parquet footers while no filter applies, else by a count query.

    Parameters
    ----------
    frame
        The rows, lazily.
    provenance
        Name, repo, config, split, revision, commit sha, family and spec version.
    num_rows
        The exact row count when known without a scan, else ``None``.
    files
        The local Parquet files the frame reads.

    Examples
    --------
    >>> import crucible_pl
    >>> ds = crucible_pl.load("mmlu", "test", config="all")
    >>> ds
    <Dataset mmlu config='all' split='test' rows=40 family=multiple_choice sha=...>
    >>> train, test = ds.train_test_split(test_size=0.25, seed=0)
    >>> len(train), len(test)
    (30, 10)
    """

    __slots__ = ("_files", "_frame", "_num_rows", "_provenance")

    def __init__(
        self,
        frame: pl.LazyFrame,
        provenance: Provenance,
        *,
        num_rows: int | None = None,
        files: Sequence[str] = (),
    ) -> None:
        self._frame = frame
        self._provenance = provenance
        self._num_rows = num_rows
        self._files = tuple(files)

    # ------------------------------------------------------------------ basics

    @property
    def provenance(self) -> Provenance:
        """Where the rows came from: enough to reload exactly the same data."""
        return self._provenance

    @property
    def family(self) -> str | None:
        """The dataset family (``"math"``, ``"multiple_choice"``...), ``None`` for raw rows."""
        return self._provenance.family

    @property
    def columns(self) -> list[str]:
        """Column names (from the schema; no data is read)."""
        return self._frame.collect_schema().names()

    @property
    def schema(self) -> pl.Schema:
        """The schema (no data is read)."""
        return self._frame.collect_schema()

    def files(self) -> list[str]:
        """The local Parquet files this dataset reads, for DuckDB, Ray Data or Spark."""
        return list(self._files)

    def lazy(self) -> pl.LazyFrame:
        """The underlying LazyFrame."""
        return self._frame

    def _derive(
        self, frame: pl.LazyFrame, *, keeps_rows: bool = False, num_rows: int | None = None
    ) -> Dataset:
        """A new Dataset over ``frame``; its row count is known when ``keeps_rows`` or given."""
        return Dataset(
            frame,
            self._provenance,
            num_rows=self._num_rows if keeps_rows else num_rows,
            files=self._files,
        )

    def _known(self, count: Callable[[int], int]) -> int | None:
        """``count(len(self))`` when the row count is known without a scan, else ``None``."""
        return None if self._num_rows is None else count(self._num_rows)

    def __len__(self) -> int:
        if self._num_rows is None:
            count = self._frame.select(pl.len()).collect().item()
            self._num_rows = int(count)
        return self._num_rows

    def __repr__(self) -> str:
        p = self._provenance
        rows = self._num_rows if self._num_rows is not None else "?"
        family = f" family={p.family}" if p.family else ""
        return (
            f"<Dataset {p.name} config={p.config!r} split={p.split!r} rows={rows}{family} "
            f"sha={p.sha[:12]}>"
        )

    # ------------------------------------------------------- frame operations

    def collect(self, *, streaming: bool = False) -> pl.DataFrame:
        """Run the query; ``streaming=True`` uses Polars' streaming engine."""
        return self._frame.collect(engine="streaming" if streaming else "auto")

    def head(self, n: int = 5) -> Dataset:
        """The first ``n`` rows, lazily."""
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise InvalidInputError(
                f"Invalid n={n!r} for head(): expected an int >= 0, e.g. head(5).",
                dataset=self._provenance.name,
            )
        return self._derive(self._frame.head(n), num_rows=self._known(lambda rows: min(n, rows)))

    def filter(self, *predicates: Any, **constraints: Any) -> Dataset:
        """Rows matching the predicates (as ``pl.LazyFrame.filter``), lazily."""
        return self._derive(self._frame.filter(*predicates, **constraints))

    def select(self, *exprs: Any, **named: Any) -> Dataset:
        """Columns or expressions (as ``pl.LazyFrame.select``), lazily.

        The row count stays known (no scan for ``len()``) when only columns are selected;
        other expressions (an aggregation, ``explode``...) can change it.
        """
        picked = (*exprs, *named.values())
        keeps = bool(picked) and all(_is_column_selection(e) for e in picked)
        return self._derive(self._frame.select(*exprs, **named), keeps_rows=keeps)

    def with_columns(self, *exprs: Any, **named: Any) -> Dataset:
        """Add or replace columns (as ``pl.LazyFrame.with_columns``), lazily."""
        return self._derive(self._frame.with_columns(*exprs, **named), keeps_rows=True)

    def rename(self, mapping: dict[str, str]) -> Dataset:
        """Rename columns, lazily."""
        return self._derive(self._frame.rename(mapping), keeps_rows=True)

    def flatten(self, *, separator: str = ".") -> Dataset:
        """Struct columns -> one column per leaf field, named ``parent.child``."""
        return self._derive(_sampling.flatten(self._frame, separator=separator), keeps_rows=True)

    # ---------------------------------------------------------------- sampling
    #
    # The selections are :mod:`crucible_pl._sampling`'s, which compute them on the keys
    # (id, hash, strata) and join the chosen ids back, so the other columns are only
    # streamed (see bench/bench_dataset.py). Here we add exact lengths, computed from
    # the known row count without a scan.

    def sample(
        self, n: int | None = None, *, fraction: float | None = None, seed: int = 0
    ) -> Dataset:
        """Exactly ``n`` rows (or ``fraction`` of them), chosen by ``hash(id, seed)``."""
        frame = _sampling.sample(self._frame, n=n, fraction=fraction, seed=seed)
        if n is not None:
            return self._derive(frame, num_rows=self._known(lambda rows: min(n, rows)))
        assert fraction is not None  # checked by _sampling.sample
        return self._derive(
            frame, num_rows=self._known(lambda rows: _round_half_up(fraction * rows))
        )

    def shuffle(self, *, seed: int = 0) -> Dataset:
        """All rows in a seeded order that does not depend on file or row order."""
        return self._derive(_sampling.shuffle(self._frame, seed=seed), keeps_rows=True)

    def stratified_sample(
        self, n: int, *, by: str | Sequence[str] = "subject", seed: int = 0
    ) -> Dataset:
        """Exactly ``n`` rows, allocated to the strata of ``by`` in proportion to their size."""
        frame = _sampling.stratified_sample(self._frame, n, by=by, seed=seed)
        return self._derive(frame, num_rows=self._known(lambda rows: min(n, rows)))

    def train_test_split(
        self,
        *,
        test_size: float | int = 0.2,
        seed: int = 0,
        stratify_by: str | Sequence[str] | None = None,
    ) -> tuple[Dataset, Dataset]:
        """Disjoint (train, test) datasets of exact sizes covering every row."""
        train, test = _sampling.train_test_split(
            self._frame, test_size=test_size, seed=seed, stratify_by=stratify_by
        )

        def test_rows(rows: int) -> int:
            if isinstance(test_size, int) and not isinstance(test_size, bool):
                return min(test_size, rows)
            return _round_half_up(test_size * rows)

        n_test = self._known(test_rows)
        n_train = None if n_test is None else len(self) - n_test
        return self._derive(train, num_rows=n_train), self._derive(test, num_rows=n_test)

    def k_fold(
        self, k: int = 5, *, seed: int = 0, stratify_by: str | Sequence[str] | None = None
    ) -> list[tuple[Dataset, Dataset]]:
        """``k`` (train, test) pairs whose test folds are disjoint and cover every row once."""
        folds = _sampling.k_fold(self._frame, k=k, seed=seed, stratify_by=stratify_by)
        out = []
        for i, (train, test) in enumerate(folds):
            # Rows are dealt round-robin in hash order: fold i gets ranks i, i + k, ...
            n_test = self._known(partial(_fold_size, index=i, k=k))
            n_train = None if n_test is None else len(self) - n_test
            out.append((self._derive(train, num_rows=n_train), self._derive(test, num_rows=n_test)))
        return out

    def shard(self, num_shards: int, index: int, *, contiguous: bool = False) -> Dataset:
        """Shard ``index`` of ``num_shards`` for data-parallel workers; every row in one shard."""
        frame = _sampling.shard(self._frame, num_shards, index, contiguous=contiguous)

        def shard_rows(rows: int) -> int:
            if contiguous:
                return rows // num_shards + (index < rows % num_shards)
            return len(range(index, rows, num_shards))

        return self._derive(frame, num_rows=self._known(shard_rows))

    def shuffle_choices(self, *, seed: int = 0) -> Dataset:
        """Re-order each row's ``choices`` by a seeded permutation and remap ``expected``."""
        return self._derive(_sampling.shuffle_choices(self._frame, seed=seed), keeps_rows=True)

    # ------------------------------------------------------------- validation

    def validate(self) -> Dataset:
        """Collect and check the rows against the family's schema; return ``self``.

        Raises
        ------
        ValidationError
            Listing each failing column and rule with up to 10 failing ``id`` values.
        InvalidInputError
            When the dataset has no family (raw rows).
        """
        from .schemas import validate_frame

        p = self._provenance
        if p.family is None:
            raise InvalidInputError(
                f"{p.name} holds raw Hub columns, which have no family schema to validate "
                "against. Load a registered name without raw=True to validate.",
                dataset=p.name,
            )
        context = f"{p.name} (config {p.config!r}, split {p.split!r})"
        validate_frame(self.collect(), p.family, context=context)
        return self

    # -------------------------------------------------------------- streaming

    def iter_batches(self, batch_size: int = 100_000) -> Iterator[pl.DataFrame]:
        """Yield batches of exactly ``batch_size`` rows (the last may be shorter).

        Runs the query on Polars' streaming engine, so memory stays bounded by a few
        batches whatever the dataset's size.
        """
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
            raise InvalidInputError(
                f"batch_size must be a positive integer, got {batch_size!r}.",
                dataset=self._provenance.name,
            )
        pending: list[pl.DataFrame] = []
        held = 0
        for chunk in self._frame.collect_batches(chunk_size=batch_size, engine="streaming"):
            if chunk.height == 0:
                continue
            pending.append(chunk)
            held += chunk.height
            while held >= batch_size:
                joined = pl.concat(pending, rechunk=False) if len(pending) > 1 else pending[0]
                yield joined.head(batch_size)
                rest = joined.slice(batch_size)
                pending = [rest] if rest.height else []
                held = rest.height
        if held:
            yield pl.concat(pending) if len(pending) > 1 else pending[0]

    def save(self, path: str | os.PathLike[str], *, overwrite: bool = False) -> Path:
        """Write the rows to a Parquet file with the provenance in its metadata.

        The file is written to a temporary name beside ``path`` and renamed when complete,
        so ``path`` never holds a partial file. An existing file is kept unless
        ``overwrite=True``.
        """
        target = Path(path)
        if target.exists() and not overwrite:
            raise InvalidInputError(
                f"{target} already exists; pass overwrite=True to replace it, or choose "
                "another path.",
                dataset=self._provenance.name,
            )
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        os.close(fd)
        try:
            metadata = {_METADATA_KEY: json.dumps(self._provenance.as_dict(), sort_keys=True)}
            self._frame.sink_parquet(tmp, metadata=metadata, engine="streaming")
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
        return target


def load(
    name: str,
    split: str | None = None,
    *,
    config: str | None = None,
    revision: str | None = None,
    columns: Sequence[str] | None = None,
    offline: bool | None = None,
    token: str | None = None,
    refresh: bool = False,
    raw: bool = False,
    validate: bool = False,
    source: str = "hub",
    n: int | None = None,
    seed: int = 0,
) -> Dataset:
    """Load a dataset split as a :class:`Dataset`; same resolution as :func:`load_lazy`.

    Parameters
    ----------
    name, split, config, revision, columns, offline, token, refresh, raw, source, n, seed
        As in :func:`crucible_pl.load_lazy`.
    validate
        Collect once and check the rows against the family's schema
        (:class:`~crucible_pl.errors.ValidationError` on failure).

    Returns
    -------
    Dataset

    Examples
    --------
    >>> import crucible_pl
    >>> ds = crucible_pl.load("gsm8k", "test[:10]", validate=True)
    >>> len(ds), ds.family
    (10, 'math')
    >>> [len(test) for _, test in ds.k_fold(3)]
    [4, 3, 3]
    """
    loaded = _load.open_frame(
        name,
        split,
        config=config,
        revision=revision,
        columns=columns,
        offline=offline,
        token=token,
        refresh=refresh,
        raw=raw,
        source=source,
        n=n,
        seed=seed,
    )
    dataset = Dataset(loaded.frame, loaded.provenance, num_rows=loaded.num_rows, files=loaded.files)
    return dataset.validate() if validate else dataset


def load_from_disk(path: str | os.PathLike[str]) -> Dataset:
    """Read a Parquet file written by :meth:`Dataset.save` back as a :class:`Dataset`.

    Examples
    --------
    >>> import tempfile, crucible_pl
    >>> tmp = tempfile.TemporaryDirectory()
    >>> saved = crucible_pl.load("gsm8k", "test[:5]").save(f"{tmp.name}/gsm.parquet")
    >>> back = crucible_pl.load_from_disk(saved)
    >>> back.provenance.name, back.provenance.split, len(back)
    ('gsm8k', 'test[:5]', 5)
    >>> tmp.cleanup()
    """
    source = Path(path)
    if not source.is_file():
        raise InvalidInputError(f"No file at {source}: pass the path a Dataset was saved to.")
    try:
        metadata = pl.read_parquet_metadata(source)
        rows = int(pl.scan_parquet(source).select(pl.len()).collect().item())
    except Exception as err:  # Polars raises several types for a file that is not Parquet.
        raise DataFormatError(f"{source} is not a readable Parquet file ({err}).") from None
    raw = metadata.get(_METADATA_KEY)
    try:
        fields = json.loads(raw) if raw else {}
        provenance = Provenance(**fields) if fields else None
    except (TypeError, ValueError):
        provenance = None
    if provenance is None:
        provenance = Provenance(
            name=str(source),
            repo="",
            config="",
            split="",
            revision="",
            sha="0" * 40,
            source="disk",
        )
    return Dataset(pl.scan_parquet(source), provenance, num_rows=rows, files=(str(source),))


def concat(datasets: Sequence[Dataset], *, source_column: str = "source") -> Dataset:
    """Stack datasets vertically; schemas aligned by name, provenance kept as a column.

    ``source_column`` holds ``name/config/split`` of each row's dataset. Columns missing
    from a dataset are filled with nulls; dtypes are widened where needed.

    Examples
    --------
    >>> import crucible_pl
    >>> a = crucible_pl.load("gsm8k", "test[:2]")
    >>> b = crucible_pl.load("arc", "test[:3]")
    >>> both = crucible_pl.concat([a, b])
    >>> both.lazy().group_by("source").len().sort("source").collect().rows()
    [('arc/ARC-Challenge/test[:3]', 3), ('gsm8k/main/test[:2]', 2)]
    """
    items = _check_datasets(datasets, "concat")
    for ds in items:
        if source_column in ds.columns:
            raise InvalidInputError(
                f"concat() would overwrite the column {source_column!r} of {ds.provenance.name}. "
                "Pass another source_column=, e.g. source_column='origin'.",
                dataset=ds.provenance.name,
            )
    frames = [
        ds.lazy().with_columns(
            pl.lit(f"{ds.provenance.name}/{ds.provenance.config}/{ds.provenance.split}").alias(
                source_column
            )
        )
        for ds in items
    ]
    frame = pl.concat(frames, how="diagonal_relaxed")
    rows = [ds._num_rows for ds in items]
    total = None if any(r is None for r in rows) else sum(r for r in rows if r is not None)
    return Dataset(
        frame,
        _combined_provenance(items, "concat"),
        num_rows=total,
        files=[f for ds in items for f in ds.files()],
    )


def interleave(
    datasets: Sequence[Dataset],
    *,
    probabilities: Sequence[float] | None = None,
    seed: int = 0,
    stopping_strategy: Literal["first_exhausted", "all_exhausted"] = "first_exhausted",
) -> Dataset:
    """Interleave datasets row by row, like ``datasets.interleave_datasets``.

    Round-robin without ``probabilities``; otherwise a seeded draw of the source at
    each step. See :func:`crucible_pl._sampling.interleave` for the exact rules.
    """
    items = _check_datasets(datasets, "interleave")
    frame = _sampling.interleave(
        [ds.lazy() for ds in items],
        probabilities=probabilities,
        seed=seed,
        stopping_strategy=stopping_strategy,
    )
    return Dataset(
        frame,
        _combined_provenance(items, "interleave"),
        files=[f for ds in items for f in ds.files()],
    )


def _fold_size(rows: int, *, index: int, k: int) -> int:
    """Rows of fold ``index`` of ``k`` when ``rows`` rows are dealt round-robin."""
    return len(range(index, rows, k))


def _round_half_up(x: float) -> int:
    """``floor(x + 0.5)``, as :mod:`crucible_pl._sampling` rounds fractional sizes."""
    return math.floor(x + 0.5)


def _is_column_selection(expr: Any) -> bool:
    """Whether a ``select`` argument only picks (and maybe renames) existing columns."""
    if isinstance(expr, str):
        return True
    if isinstance(expr, pl.Expr):
        return expr.meta.is_column_selection(allow_aliasing=True)
    if isinstance(expr, (list, tuple)):
        return all(_is_column_selection(e) for e in expr)
    return False


def _check_datasets(datasets: Sequence[Dataset], what: str) -> list[Dataset]:
    items = list(datasets)
    if not items or not all(isinstance(ds, Dataset) for ds in items):
        raise InvalidInputError(
            f"{what}() takes a non-empty list of Dataset objects (from crucible_pl.load)."
        )
    return items


def _combined_provenance(items: Sequence[Dataset], how: str) -> Provenance:
    names = [ds.provenance for ds in items]
    families = {p.family for p in names}
    return Provenance(
        name=f"{how}(" + ", ".join(p.name for p in names) + ")",
        repo=",".join(p.repo for p in names),
        config=",".join(p.config for p in names),
        split=",".join(p.split for p in names),
        revision=",".join(p.revision for p in names),
        sha=",".join(p.sha for p in names),
        family=families.pop() if len(families) == 1 else None,
        source=how,
    )
