"""`Dataset`: a LazyFrame plus where it came from, with seeded sampling and splitting.

A ``Dataset`` never mutates: every method returns a new one. Everything stays lazy
except the methods that are eager by name (``collect``, ``iter_batches``, ``save``,
``validate``, ``len``). Seeded selection is keyed by a pinned hash of ``(id, seed)``
(:mod:`crucible_pl._hashing`), so it does not depend on file order, row order,
machine or Polars version.
"""

# Over 500 lines on purpose: about 890 of them are the public docstrings (this is the
# layer that carries the documentation, with runnable examples); the code is about 400.

from __future__ import annotations

import contextlib
import html
import json
import math
import os
import textwrap
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import Any, Literal

import polars as pl

from . import _display, _reshape, _sampling
from ._cache.damage import reading_cached_files
from ._files.atomic import atomic_path
from ._load.frame import open_frame
from ._load.provenance import Provenance
from ._load.request import LoadRequest
from .errors import DataFormatError, InvalidInputError

__all__ = ["Dataset", "concat", "interleave", "load", "load_from_disk"]

_METADATA_KEY = "crucible_pl"


class Dataset:
    """A lazy frame of one dataset split and its provenance.

    Build one with :func:`load` (or :func:`load_from_disk`). A ``Dataset`` never
    mutates: every method returns a new one. Everything stays lazy except the methods
    that are eager by name (:meth:`collect`, :meth:`iter_batches`, :meth:`save`,
    :meth:`validate`) and ``len()``, which is exact: from Parquet footers while no filter
    applies, else by a count query.

    Seeded selections (:meth:`sample`, :meth:`shuffle`, :meth:`stratified_sample`,
    :meth:`train_test_split`, :meth:`k_fold`, :meth:`shuffle_choices`) are keyed by a
    pinned hash of each row's ``id`` and the seed, with the id breaking (astronomically
    rare) hash ties. A result therefore depends only on the set of rows and the seed:
    not on file order, row order, machine or Polars version. Those methods return their
    rows in that hash order.

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
    stored
        A Parquet file holding exactly these rows, in order, with every column of
        ``frame`` (a whole split's normalized cache file), else ``None``; see
        :meth:`normalized_file`.

    See Also
    --------
    load : Load a dataset split as a ``Dataset``.
    crucible_pl.load_lazy : The same rows as a plain ``pl.LazyFrame``.

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

    __slots__ = ("_files", "_frame", "_num_rows", "_provenance", "_stored")

    def __init__(
        self,
        frame: pl.LazyFrame,
        provenance: Provenance,
        *,
        num_rows: int | None = None,
        files: Sequence[str] = (),
        stored: str | None = None,
    ) -> None:
        self._frame = frame
        self._provenance = provenance
        self._num_rows = num_rows
        self._files = tuple(files)
        # Not passed on by _derive: a derived Dataset's rows are no longer the file's.
        self._stored = stored

    # ------------------------------------------------------------------ basics

    @property
    def provenance(self) -> Provenance:
        """Where the rows came from: enough to reload exactly the same data.

        Returns
        -------
        Provenance
            Name, repo, config, split, revision, resolved commit sha, family and spec
            version.

        See Also
        --------
        load_from_disk : Reads the provenance back from a saved file.

        Examples
        --------
        >>> import crucible_pl
        >>> p = crucible_pl.load("gsm8k", "test[:10]").provenance
        >>> p.repo, p.config, p.split, len(p.sha)
        ('openai/gsm8k', 'main', 'test[:10]', 40)
        """
        return self._provenance

    @property
    def family(self) -> str | None:
        """The dataset family (``"math"``, ``"multiple_choice"``...), ``None`` for raw rows.

        The family names the canonical columns the rows have (see
        :mod:`crucible_pl.schemas`).

        Returns
        -------
        str or None

        Examples
        --------
        >>> import crucible_pl
        >>> crucible_pl.load("gsm8k", "test").family
        'math'
        >>> crucible_pl.load("gsm8k", "test", raw=True).family is None
        True
        """
        return self._provenance.family

    @property
    def columns(self) -> list[str]:
        """Column names (from the schema; no data is read).

        Returns
        -------
        list[str]

        See Also
        --------
        schema : The names with their dtypes.

        Examples
        --------
        >>> import crucible_pl
        >>> crucible_pl.load("gsm8k", "test").columns
        ['id', 'input', 'expected', 'solution']
        """
        return self._frame.collect_schema().names()

    @property
    def schema(self) -> pl.Schema:
        """The column names and dtypes (no data is read).

        Returns
        -------
        pl.Schema

        Examples
        --------
        >>> import crucible_pl
        >>> crucible_pl.load("mmlu", "test", config="all").schema["choices"]
        List(String)
        """
        return self._frame.collect_schema()

    def files(self) -> list[str]:
        """The local raw Hub files this dataset's rows come from (as downloaded, or
        converted to Parquet once for JSON Lines and CSV), for provenance or other tools.

        They hold the whole split's raw columns, not the result of this dataset's
        normalization, filters or selections; the canonical rows of a whole split are
        in :meth:`normalized_file`.

        Returns
        -------
        list[str]
            Absolute paths, in scan order.

        Examples
        --------
        >>> import crucible_pl
        >>> from pathlib import Path
        >>> files = crucible_pl.load("gsm8k", "test[:10]").files()
        >>> [Path(f).suffix for f in files]
        ['.parquet']
        """
        return list(self._files)

    def normalized_file(self) -> str | None:
        """The normalized cache's Parquet file holding exactly this dataset's rows.

        Set for a whole split of a named dataset as :func:`load` returned it (no slice,
        ``columns=`` or multi-config load, and before any sampling, filter or
        selection). The file holds every canonical column under its own name, in row
        order, plus columns of ours named ``__...``: DuckDB, Spark, Dask or Ray read the
        canonical rows from it without crucible-pl by selecting :attr:`columns`.

        Returns
        -------
        str or None
            The absolute path, or ``None`` when the rows are not a whole stored split.

        Examples
        --------
        >>> import crucible_pl
        >>> import polars as pl
        >>> ds = crucible_pl.load("gsm8k", "test")
        >>> path = ds.normalized_file()
        >>> pl.read_parquet(path, columns=ds.columns).equals(ds.collect())
        True
        >>> ds.sample(5, seed=0).normalized_file() is None
        True
        """
        return self._stored

    def lazy(self) -> pl.LazyFrame:
        """The underlying LazyFrame, for any Polars operation the ``Dataset`` lacks.

        Returns
        -------
        pl.LazyFrame

        See Also
        --------
        crucible_pl.load_lazy : Loads the LazyFrame directly.

        Examples
        --------
        >>> import crucible_pl
        >>> ds = crucible_pl.load("mmlu", "test", config="all")
        >>> ds.lazy().group_by("expected").len().sort("expected").collect().rows()
        [(0, 7), (1, 9), (2, 15), (3, 9)]
        """
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
            with self._reading():
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

    def _facts(self) -> list[tuple[str, str]]:
        p = self._provenance
        rows = str(self._num_rows) if self._num_rows is not None else "? (len(ds) counts them)"
        facts = [("dataset", p.name), ("repo", p.repo), ("config", p.config)]
        facts += [("split", p.split), ("rows", rows), ("family", p.family or "-")]
        facts += [("revision", p.revision), ("sha", p.sha), ("source", p.source)]
        return facts

    def _preview(self) -> tuple[pl.Schema, pl.DataFrame] | str:
        """The schema and first rows, or why they cannot be shown (a display never raises)."""
        try:
            with self._reading():
                schema = self._frame.collect_schema()
            return schema, self.head(_display.PREVIEW_ROWS).collect()
        except Exception as err:  # shown to the user instead of raised
            return f"(no preview: {type(err).__name__}: {err})"

    def _repr_html_(self) -> str:
        """The notebook view: provenance, row count, schema and the first rows."""
        preview = self._preview()
        if isinstance(preview, str):
            shown = f"<p>{html.escape(preview)}</p>"
        else:
            schema, rows = preview
            shown = (
                f"<details><summary>schema: {len(schema)} columns</summary>"
                f"{_display.frame_html(_display.schema_rows(schema))}</details>"
                f"<p>first {_display.PREVIEW_ROWS} rows:</p>{_display.frame_html(rows)}"
            )
        return (
            '<div class="crucible-pl-dataset">'
            f"<p><b>Dataset</b> {html.escape(repr(self))}</p>"
            f"{_display.facts_html(self._facts())}{shown}</div>"
        )

    def __str__(self) -> str:
        """``repr`` plus provenance, schema and the first rows (what ``print(ds)`` shows)."""
        facts = "\n".join(f"  {label:<9} {value}" for label, value in self._facts())
        preview = self._preview()
        if isinstance(preview, str):
            return f"{self!r}\n{facts}\n{preview}"
        schema, rows = preview
        columns = textwrap.fill(
            ", ".join(f"{name}: {dtype}" for name, dtype in schema.items()),
            width=100,
            subsequent_indent=" " * 12,
        )
        table = _display.frame_text(rows)
        return f"{self!r}\n{facts}\n  columns   {columns}\nfirst rows:\n{table}"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """IPython's terminal display: the same as ``str``."""
        printer.text(repr(self) if cycle else str(self))

    def to_pandas(self) -> Any:
        """The collected rows as a pandas DataFrame (needs pandas and pyarrow).

        Examples
        --------
        >>> import crucible_pl
        >>> df = crucible_pl.load("gsm8k", "test[:3]").to_pandas()  # doctest: +SKIP
        >>> len(df)  # doctest: +SKIP
        3
        """
        return self.collect().to_pandas()

    def to_arrow(self) -> Any:
        """The collected rows as a ``pyarrow.Table`` (needs pyarrow).

        Examples
        --------
        >>> import crucible_pl
        >>> table = crucible_pl.load("gsm8k", "test[:3]").to_arrow()  # doctest: +SKIP
        >>> table.num_rows  # doctest: +SKIP
        3
        """
        return self.collect().to_arrow()

    def _reading(self) -> contextlib.AbstractContextManager[None]:
        """Where this dataset runs its query: a cached file removed meanwhile (``crucible-pl
        cache rm``) is a CacheChangedError saying to load again, not a bare FileNotFoundError."""
        p = self._provenance
        return reading_cached_files(
            f"{p.name} (config {p.config!r}, split {p.split!r})",
            dataset=p.name,
            config=p.config,
            split=p.split,
        )

    # ------------------------------------------------------- frame operations

    def collect(self, *, streaming: bool = False) -> pl.DataFrame:
        """Run the query and return the rows.

        Parameters
        ----------
        streaming
            Use Polars' streaming engine, which holds a few batches at a time rather
            than every intermediate result.

        Returns
        -------
        pl.DataFrame

        See Also
        --------
        iter_batches : The rows in batches of a fixed size.

        Examples
        --------
        >>> import crucible_pl
        >>> ds = crucible_pl.load("gsm8k", "test[:10]")
        >>> ds.collect().shape
        (10, 4)
        >>> ds.select("expected").collect(streaming=True)["expected"].to_list()[:3]
        ['7.4', '4.4', '28']
        """
        with self._reading():
            return self._frame.collect(engine="streaming" if streaming else "auto")

    def head(self, n: int = 5) -> Dataset:
        """The first ``n`` rows, lazily.

        Parameters
        ----------
        n
            Number of rows, ``>= 0``; all rows when the dataset has fewer.

        Returns
        -------
        Dataset

        Raises
        ------
        InvalidInputError
            If ``n`` is not an int ``>= 0``.

        See Also
        --------
        sample : A seeded sample instead of the first rows.

        Examples
        --------
        >>> import crucible_pl
        >>> ds = crucible_pl.load("gsm8k", "test")
        >>> ds.head(3).collect()["id"].to_list()
        ['gsm8k/main/test/0', 'gsm8k/main/test/1', 'gsm8k/main/test/2']
        >>> len(ds.head(100))
        40
        """
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise InvalidInputError(
                f"Invalid n={n!r} for head(): expected an int >= 0, e.g. head(5).",
                dataset=self._provenance.name,
            )
        # A frame holds at most MAX_ROWS rows; Polars' head() overflows above its index type.
        frame = self._frame.head(min(n, _sampling.MAX_ROWS))
        return self._derive(frame, num_rows=self._known(lambda rows: min(n, rows)))

    def filter(self, *predicates: Any, **constraints: Any) -> Dataset:
        """Rows matching the predicates (as ``pl.LazyFrame.filter``), lazily.

        Parameters
        ----------
        *predicates
            Boolean expressions, combined with *and*.
        **constraints
            ``column=value`` equality constraints.

        Returns
        -------
        Dataset
            Its ``len()`` runs a count query (the filter is applied to the files).

        Examples
        --------
        >>> import crucible_pl
        >>> import polars as pl
        >>> ds = crucible_pl.load("mmlu", "test", config="all")
        >>> len(ds.filter(pl.col("expected") == 2))
        15
        >>> len(ds.filter(subject="virology"))
        1
        """
        return self._derive(self._frame.filter(*predicates, **constraints))

    def select(self, *exprs: Any, **named: Any) -> Dataset:
        """Columns or expressions (as ``pl.LazyFrame.select``), lazily.

        The row count stays known (no scan for ``len()``) when only columns are selected;
        other expressions (an aggregation, ``explode``...) can change it.

        Parameters
        ----------
        *exprs
            Column names or expressions.
        **named
            Expressions named by the keyword.

        Returns
        -------
        Dataset

        Examples
        --------
        >>> import crucible_pl
        >>> import polars as pl
        >>> ds = crucible_pl.load("gsm8k", "test")
        >>> ds.select("id", answer="expected").columns
        ['id', 'answer']
        >>> ds.select(pl.col("input").str.len_chars().max()).collect().height
        1
        """
        picked = (*exprs, *named.values())
        keeps = bool(picked) and all(_is_column_selection(e) for e in picked)
        return self._derive(self._frame.select(*exprs, **named), keeps_rows=keeps)

    def with_columns(self, *exprs: Any, **named: Any) -> Dataset:
        """Add or replace columns (as ``pl.LazyFrame.with_columns``), lazily.

        Parameters
        ----------
        *exprs
            Expressions; each replaces the column of its output name, or adds it.
        **named
            Expressions named by the keyword.

        Returns
        -------
        Dataset

        Examples
        --------
        >>> import crucible_pl
        >>> import polars as pl
        >>> ds = crucible_pl.load("gsm8k", "test[:2]")
        >>> ds.with_columns(chars=pl.col("input").str.len_chars()).columns
        ['id', 'input', 'expected', 'solution', 'chars']
        """
        return self._derive(self._frame.with_columns(*exprs, **named), keeps_rows=True)

    def rename(self, mapping: dict[str, str]) -> Dataset:
        """Rename columns, lazily.

        Parameters
        ----------
        mapping
            Old name -> new name.

        Returns
        -------
        Dataset

        Examples
        --------
        >>> import crucible_pl
        >>> ds = crucible_pl.load("gsm8k", "test[:2]")
        >>> ds.rename({"input": "question", "expected": "answer"}).columns
        ['id', 'question', 'answer', 'solution']
        """
        return self._derive(self._frame.rename(mapping), keeps_rows=True)

    def flatten(self, *, separator: str = ".") -> Dataset:
        """Replace struct columns by one column per leaf field, named ``parent.child``.

        Nested structs are flattened recursively (``a.b.c``); lists, including lists of
        structs, are left as they are. Column order is kept, each struct expanding in
        place.

        Parameters
        ----------
        separator
            Joins the parent and field names; must not be empty.

        Returns
        -------
        Dataset
            The same rows without struct columns.

        Raises
        ------
        InvalidInputError
            If ``separator`` is empty, or a flattened name collides with another column.

        Examples
        --------
        >>> import crucible_pl
        >>> import polars as pl
        >>> ds = crucible_pl.load("gsm8k", "test[:2]").select(
        ...     "id", meta=pl.struct("expected", pl.struct("solution").alias("work"))
        ... )
        >>> ds.flatten().columns
        ['id', 'meta.expected', 'meta.work.solution']
        """
        return self._derive(_reshape.flatten(self._frame, separator=separator), keeps_rows=True)

    # ---------------------------------------------------------------- sampling
    #
    # The selections are :mod:`crucible_pl._sampling`'s, which compute them on the keys
    # (id, hash, strata) and join the chosen ids back, so the other columns are only
    # streamed (see bench/bench_dataset.py). Here we add exact lengths, computed from
    # the known row count without a scan.

    def sample(
        self, n: int | None = None, *, fraction: float | None = None, seed: int = 0
    ) -> Dataset:
        """A seeded sample: the rows with the smallest ``stable_hash(id, seed)``.

        Exactly ``n`` rows (all rows when the dataset has fewer), or exactly
        ``floor(fraction * len + 0.5)`` rows (``fraction * len`` rounded half up).
        Samples are nested: with the same seed, a smaller sample is a prefix of a larger
        one. Only the ids and their hashes are sorted; the chosen rows are then joined
        back, so the other columns are streamed, never held whole.

        Parameters
        ----------
        n
            Number of rows, ``>= 0``. Exactly one of ``n`` and ``fraction`` must be given.
        fraction
            Share of rows in ``(0, 1]``.
        seed
            Seed of the hash, an int in ``[0, 2**64)``.

        Returns
        -------
        Dataset
            The sampled rows, in hash order.

        Raises
        ------
        InvalidInputError
            If both or neither of ``n`` and ``fraction`` are given, either is out of
            range, or ``seed`` is not an int in ``[0, 2**64)``.
        ColumnNotFoundError
            If the dataset has no ``id`` column.

        See Also
        --------
        stratified_sample : A sample that keeps the proportions of strata.
        shuffle : Every row, in the same seeded order.

        Examples
        --------
        >>> import crucible_pl
        >>> ds = crucible_pl.load("gsm8k", "test")
        >>> len(ds.sample(5, seed=1)), len(ds.sample(fraction=0.25, seed=1))
        (5, 10)
        >>> small = ds.sample(3, seed=1).collect()["id"]
        >>> large = ds.sample(5, seed=1).collect()["id"]
        >>> large.head(3).equals(small)
        True
        """
        frame = _sampling.sample(self._frame, n=n, fraction=fraction, seed=seed)
        if n is not None:
            return self._derive(frame, num_rows=self._known(lambda rows: min(n, rows)))
        assert fraction is not None  # checked by _sampling.sample
        return self._derive(
            frame, num_rows=self._known(lambda rows: _round_half_up(fraction * rows))
        )

    def shuffle(self, *, seed: int = 0) -> Dataset:
        """Every row, in ascending ``stable_hash(id, seed)`` order.

        The order depends only on the ids and the seed, not on file or row order.

        Parameters
        ----------
        seed
            Seed of the hash, an int in ``[0, 2**64)``.

        Returns
        -------
        Dataset
            The same rows in hash order.

        Raises
        ------
        InvalidInputError
            If ``seed`` is not an int in ``[0, 2**64)``.
        ColumnNotFoundError
            If the dataset has no ``id`` column.

        See Also
        --------
        sample : The first rows of this order.

        Examples
        --------
        >>> import crucible_pl
        >>> import polars as pl
        >>> ds = crucible_pl.load("gsm8k", "test")
        >>> a = ds.shuffle(seed=3).collect()
        >>> b = ds.with_columns(pl.all().reverse()).shuffle(seed=3).collect()
        >>> a.equals(b), a["id"].sort().equals(ds.collect()["id"].sort())
        (True, True)
        """
        return self._derive(_sampling.shuffle(self._frame, seed=seed), keeps_rows=True)

    def stratified_sample(
        self, n: int, *, by: str | Sequence[str] = "subject", seed: int = 0
    ) -> Dataset:
        """Exactly ``n`` rows, allocated to the strata of ``by`` in proportion to their size.

        The allocation is the largest-remainder (Hamilton) method: each stratum gets the
        floor of its quota ``n * N_s / N``, and the leftover rows go to the largest
        fractional parts (ties broken by a seeded draw). When ``n`` is at least the
        number of strata, every stratum gets at least one row, taken back from the most
        over-allocated strata. Within a stratum the rows with the smallest
        ``stable_hash(id, seed)`` are taken. ``n`` larger than the dataset takes every
        row. Null values in ``by`` form their own stratum.

        Parameters
        ----------
        n
            Total number of rows, ``>= 0``.
        by
            Column name or names defining the strata.
        seed
            Seed of the hash, an int in ``[0, 2**64)``.

        Returns
        -------
        Dataset
            The sampled rows, in hash order.

        Raises
        ------
        InvalidInputError
            If ``n`` is negative, ``by`` is empty or ``seed`` is out of range.
        ColumnNotFoundError
            If ``by`` names a missing column, or the dataset has no ``id`` column.

        See Also
        --------
        sample : Without strata.

        Examples
        --------
        >>> import crucible_pl
        >>> ds = crucible_pl.load("mmlu", "test", config="all")
        >>> ds.lazy().group_by("expected").len().sort("expected").collect().rows()
        [(0, 7), (1, 9), (2, 15), (3, 9)]
        >>> picked = ds.stratified_sample(10, by="expected", seed=0)
        >>> picked.lazy().group_by("expected").len().sort("expected").collect().rows()
        [(0, 2), (1, 2), (2, 4), (3, 2)]
        """
        frame = _sampling.stratified_sample(self._frame, n, by=by, seed=seed)
        return self._derive(frame, num_rows=self._known(lambda rows: min(n, rows)))

    def train_test_split(
        self,
        *,
        test_size: float | int = 0.2,
        seed: int = 0,
        stratify_by: str | Sequence[str] | None = None,
    ) -> tuple[Dataset, Dataset]:
        """Split the rows into a train and a test dataset of exact sizes.

        The test dataset has ``floor(test_size * N + 0.5)`` rows for a float
        ``test_size`` (``test_size`` rows, capped at ``N``, for an int): the rows with the
        smallest ``stable_hash(id, seed)``. With ``stratify_by``, the test rows are
        allocated to the strata as in :meth:`stratified_sample`. The two are disjoint and
        together hold every row.

        Parameters
        ----------
        test_size
            A fraction in ``(0, 1)`` or a number of rows ``>= 0``.
        seed
            Seed of the hash, an int in ``[0, 2**64)``.
        stratify_by
            Column name or names whose strata keep their proportions in the test set.

        Returns
        -------
        tuple[Dataset, Dataset]
            ``(train, test)``, each in hash order.

        Raises
        ------
        InvalidInputError
            If ``test_size`` is neither a fraction in ``(0, 1)`` nor an int ``>= 0``, or
            ``seed`` is out of range.
        ColumnNotFoundError
            If ``stratify_by`` names a missing column, or the dataset has no ``id`` column.

        See Also
        --------
        k_fold : ``k`` train/test pairs whose test sets cover every row once.

        Examples
        --------
        >>> import crucible_pl
        >>> ds = crucible_pl.load("mmlu", "test", config="all")
        >>> train, test = ds.train_test_split(test_size=0.25, seed=0)
        >>> len(train), len(test)
        (30, 10)
        >>> train.lazy().join(test.lazy(), on="id").collect().height
        0
        >>> _, test = ds.train_test_split(test_size=10, stratify_by="expected")
        >>> test.lazy().group_by("expected").len().sort("expected").collect().rows()
        [(0, 2), (1, 2), (2, 4), (3, 2)]
        """
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
        """Split the rows into ``k`` folds and return the ``k`` (train, test) pairs.

        Rows are dealt round-robin in hash order: the row of rank ``r`` goes to fold
        ``r mod k``, so fold sizes differ by at most one. With ``stratify_by``, rows are
        ordered by stratum (strata in a seeded order), then by hash, before being dealt:
        each stratum is spread over the folds with sizes differing by at most one, and
        the fold totals still differ by at most one. Test folds are disjoint and cover
        every row exactly once; each train set is the other ``k - 1`` folds.

        Parameters
        ----------
        k
            Number of folds, ``>= 2``.
        seed
            Seed of the hash, an int in ``[0, 2**64)``.
        stratify_by
            Column name or names whose strata are spread evenly over the folds.

        Returns
        -------
        list[tuple[Dataset, Dataset]]
            ``k`` pairs ``(train, test)``, each in hash order.

        Raises
        ------
        InvalidInputError
            If ``k < 2``, ``k`` is above the number of rows (the count is computed when
            not known), or ``seed`` is out of range.
        ColumnNotFoundError
            If ``stratify_by`` names a missing column, or the dataset has no ``id`` column.

        See Also
        --------
        train_test_split : One split of exact sizes.

        Examples
        --------
        >>> import crucible_pl
        >>> ds = crucible_pl.load("gsm8k", "test[:10]")
        >>> [(len(train), len(test)) for train, test in ds.k_fold(3, seed=0)]
        [(6, 4), (7, 3), (7, 3)]
        >>> ids = [test.collect()["id"] for _, test in ds.k_fold(3, seed=0)]
        >>> sorted(i for fold in ids for i in fold) == sorted(ds.collect()["id"])
        True
        """
        if isinstance(k, bool) or not isinstance(k, int) or k < 2:
            raise InvalidInputError(
                f"Invalid k={k!r} for k_fold(): expected an int >= 2, e.g. k_fold(5).",
                dataset=self._provenance.name,
            )
        # Checked before the k folds are built: k_fold(10**9) would build 10**9 query pairs,
        # and k above the row count would leave empty test folds.
        rows = len(self)
        if k > rows:
            raise InvalidInputError(
                f"Invalid k={k} for k_fold(): the dataset has {rows} rows, so at most "
                f"{rows} folds can each hold a test row. Pass k <= {rows}, or load more rows.",
                dataset=self._provenance.name,
            )
        folds = _sampling.k_fold(self._frame, k=k, seed=seed, stratify_by=stratify_by)
        out = []
        for i, (train, test) in enumerate(folds):
            # Rows are dealt round-robin in hash order: fold i gets ranks i, i + k, ...
            n_test = self._known(partial(_fold_size, index=i, k=k))
            n_train = None if n_test is None else len(self) - n_test
            out.append((self._derive(train, num_rows=n_train), self._derive(test, num_rows=n_test)))
        return out

    def shard(self, num_shards: int, index: int, *, contiguous: bool = False) -> Dataset:
        """Shard ``index`` of ``num_shards`` for data-parallel workers, like ``datasets``.

        With ``contiguous=False`` the shard holds the rows at positions ``index``,
        ``index + num_shards``, ``index + 2 * num_shards``... With ``contiguous=True`` it
        is one block of consecutive rows; the first ``N % num_shards`` shards hold one
        row more. Either way every row is in exactly one shard. Sharding is by position:
        :meth:`shuffle` first for shards that do not depend on row order.

        Parameters
        ----------
        num_shards
            Number of shards, ``>= 1``.
        index
            Which shard, in ``[0, num_shards)``.
        contiguous
            Blocks of consecutive rows instead of every ``num_shards``-th row.

        Returns
        -------
        Dataset
            The rows of the shard, in their original order.

        Raises
        ------
        InvalidInputError
            If ``num_shards < 1`` or ``index`` is outside ``[0, num_shards)``.

        Examples
        --------
        >>> import crucible_pl
        >>> ds = crucible_pl.load("gsm8k", "test[:7]")
        >>> ds.shard(3, 0).collect()["id"].str.split("/").list.last().to_list()
        ['0', '3', '6']
        >>> ds.shard(3, 0, contiguous=True).collect()["id"].str.split("/").list.last().to_list()
        ['0', '1', '2']
        >>> [len(ds.shard(3, i, contiguous=True)) for i in range(3)]
        [3, 2, 2]
        """
        frame = _sampling.shard(self._frame, num_shards, index, contiguous=contiguous)

        def shard_rows(rows: int) -> int:
            if contiguous:
                return rows // num_shards + (index < rows % num_shards)
            return len(range(index, rows, num_shards))

        return self._derive(frame, num_rows=self._known(shard_rows))

    def shuffle_choices(self, *, seed: int = 0) -> Dataset:
        """Re-order each row's ``choices`` by a seeded permutation and remap ``expected``.

        For multiple-choice datasets, to check that a model does not favour an answer
        position. Choice ``i`` of the row with id ``x`` gets the key
        ``mix64(stable_hash(x, seed) + mix64(i))`` (the splitmix64 mixer, arithmetic
        modulo 2**64); the choices are sorted by key and ``expected`` becomes the new
        position of the previously correct choice, so ``choices[expected]`` names the
        same text before and after. A null ``expected`` stays null; an ``expected``
        outside the list makes the query fail when collected.

        Parameters
        ----------
        seed
            Seed of the permutation, an int in ``[0, 2**64)``.

        Returns
        -------
        Dataset
            The rows in their original order, ``choices`` and ``expected`` replaced.

        Raises
        ------
        InvalidInputError
            If ``seed`` is not an int in ``[0, 2**64)``.
        ColumnNotFoundError
            If the dataset lacks ``id``, ``choices`` or ``expected``.

        Examples
        --------
        >>> import crucible_pl
        >>> import polars as pl
        >>> ds = crucible_pl.load("mmlu", "test", config="all")
        >>> answer = pl.col("choices").list.get(pl.col("expected")).alias("answer")
        >>> before = ds.select("id", answer).collect()
        >>> after = ds.shuffle_choices(seed=7).select("id", answer).collect()
        >>> before.equals(after)
        True
        """
        return self._derive(_sampling.shuffle_choices(self._frame, seed=seed), keeps_rows=True)

    # ------------------------------------------------------------- prompts

    def prompt_format(self) -> str:
        """The name of the prompt format this dataset gets by default.

        A registered dataset's published format (``mmlu``, ``arc_challenge``,
        ``gsm8k``, ``minerva_math``...), else its family's
        (:func:`crucible_pl.prompts.default_format`).

        Examples
        --------
        >>> import crucible_pl
        >>> crucible_pl.load("gsm8k", "test").prompt_format()
        'gsm8k'
        """
        from crucible_pl.prompts import default_format

        p = self._provenance
        return default_format(p.name, p.config, p.family)

    def with_prompts(self, format: str | None = None) -> Dataset:
        """Add ``prompt`` and ``messages`` (and ``continuations``) columns, lazily.

        ``prompt`` is the text a completion model is given; ``messages`` the same
        prompt as chat turns ``{role, content}``; ``continuations`` (multiple-choice
        formats scored by log-likelihood) each option as lm-evaluation-harness scores
        it, with its leading space. Formats with fixed examples (``gsm8k_cot``,
        ``minerva_math``) include them, as published; see :meth:`with_fewshot` to draw
        examples from data.

        Parameters
        ----------
        format
            A name from :data:`crucible_pl.prompts.FORMATS`; ``None`` for
            :meth:`prompt_format`.

        Returns
        -------
        Dataset
            The same rows with the prompt columns.

        Raises
        ------
        InvalidInputError
            An unknown format.
        ColumnNotFoundError
            The format reads a column this dataset lacks (a format of another family).

        Examples
        --------
        >>> import crucible_pl
        >>> ds = crucible_pl.load("arc", "test", config="ARC-Challenge").head(1)
        >>> print(ds.with_prompts().collect()["prompt"].item())
        Question: Which tool would a student use to measure the volume of a liquid?
        Answer:
        """
        from crucible_pl import prompts

        chosen = format if format is not None else self.prompt_format()
        return self._derive(prompts.render(self._frame, chosen), keeps_rows=True)

    def with_fewshot(
        self,
        k: int,
        *,
        source: Dataset | pl.LazyFrame | pl.DataFrame | None = None,
        format: str | None = None,
        seed: int = 0,
        by: str | None = None,
        sampler: str | None = None,
    ) -> Dataset:
        """Prompts with ``k`` few-shot examples per item, seeded, leak-free and auditable.

        Examples come from ``source`` (another split, e.g. MMLU's ``dev``; ``None``:
        this dataset), never the item itself, from the item's ``by`` group when given,
        in a fixed order, rendered with the same format. Their ids are recorded in a
        ``fewshot_ids`` column so a run can be audited. The ``"hash"`` sampler picks
        per item by the pinned hash (:mod:`crucible_pl.prompts._fewshot`); ``"first"``
        takes the first ``k`` of the group in ``source`` order, lm-eval's ``first_n``,
        which is the default for formats that lm-eval samples that way (``mmlu``: its
        5-shot is each subject's first five ``dev`` rows).

        Parameters
        ----------
        k
            Examples per item, ``>= 0``.
        source
            Canonical rows to draw examples from: a Dataset or a frame.
        format
            A name from :data:`crucible_pl.prompts.FORMATS`; ``None`` for
            :meth:`prompt_format`.
        seed
            Seed of the ``"hash"`` sampler, an int in ``[0, 2**64)``.
        by
            A column of both sides (``"subject"``): examples from the item's group.
        sampler
            ``"hash"`` or ``"first"``; ``None`` for the format's.

        Returns
        -------
        Dataset
            The same rows with ``prompt``, ``messages``, ``fewshot_ids`` (and
            ``continuations``).

        Raises
        ------
        InvalidInputError
            Bad ``k``/``seed``/``sampler``, or an item whose group has fewer than ``k``
            examples besides itself.
        ColumnNotFoundError
            The format reads a column the rows or the source lack.

        Examples
        --------
        >>> import crucible_pl
        >>> test = crucible_pl.load("mmlu", "test", config="astronomy").head(2)
        >>> dev = crucible_pl.load("mmlu", "dev", config="astronomy")
        >>> shots = test.with_fewshot(5, source=dev, by="subject").collect()
        >>> shots["fewshot_ids"].to_list()[0]  # lm-eval's order: the first five dev rows
        ['mmlu/astronomy/dev/0', 'mmlu/astronomy/dev/1', 'mmlu/astronomy/dev/2',
         'mmlu/astronomy/dev/3', 'mmlu/astronomy/dev/4']
        """
        from crucible_pl import prompts

        chosen = format if format is not None else self.prompt_format()
        frame = prompts.render(
            self._frame, chosen, k=k, source=source, seed=seed, by=by, sampler=sampler
        )
        return self._derive(frame, keeps_rows=True)

    def to_inspect(self, *, input_col: str | None = None, name: str | None = None) -> Any:
        """The rows as an inspect_ai ``MemoryDataset``, for any inspect ``Task``.

        Ids, inputs (the rendered ``messages`` or ``prompt`` when present, else
        ``input``), multiple-choice options with the target letter, and every other
        column as metadata: :mod:`crucible_pl._bridges.inspect_ai` has the rules. Read
        the run back with :func:`crucible_pl.from_inspect`. Needs the ``inspect``
        extra.

        Parameters
        ----------
        input_col
            The column to use as input (text, or chat turns ``{role, content}``); by
            default the rendered prompt, else ``input``. Name ``"messages"`` to send a
            chat dataset's whole conversation, e.g. to a model that grades it.
        name
            The inspect dataset's name; this dataset's name by default.

        Returns
        -------
        inspect_ai.dataset.MemoryDataset
            One ``Sample`` per row.

        Raises
        ------
        MissingDependencyError
            inspect_ai is not installed.

        Examples
        --------
        >>> import crucible_pl
        >>> ds = crucible_pl.load("mmlu", "test", config="astronomy").head(2)
        >>> samples = ds.to_inspect()  # doctest: +SKIP
        >>> samples[0].target, len(samples[0].choices)  # doctest: +SKIP
        ('D', 4)
        """
        from crucible_pl._bridges.inspect_ai import to_inspect

        return to_inspect(self, input_col=input_col, name=name)

    def to_ray(self, *, blocks: int | None = None) -> Any:
        """The rows as a ``ray.data.Dataset`` (the optional ``ray`` extra).

        A whole split of a named dataset, as :func:`load` returned it, is read by Ray's
        workers from the normalized cache's Parquet file (every canonical column is
        stored there), so no crucible-pl code runs on them and the rows never pass
        through the driver. Any other Dataset (sampled, sharded, filtered, sliced, raw)
        is collected once as Arrow and split into ``blocks``. Either way the columns are
        :attr:`columns` and ``count()`` equals ``len(self)``. See
        :mod:`crucible_pl._bridges.ray`.

        Parameters
        ----------
        blocks
            Ray blocks; four per CPU of the running cluster by default.

        Returns
        -------
        ray.data.Dataset

        Raises
        ------
        MissingDependencyError
            Ray is not installed.

        Examples
        --------
        >>> import crucible_pl
        >>> ds = crucible_pl.load("gsm8k", "test")
        >>> ds.to_ray().count() == len(ds)  # doctest: +SKIP
        True
        """
        from crucible_pl._bridges.ray import to_ray

        return to_ray(self, blocks=blocks, stored=self.normalized_file())

    # ------------------------------------------------------------- validation

    def validate(self) -> Dataset:
        """Collect and check the rows against the family's schema; return ``self``.

        The checks are those of :func:`crucible_pl.schemas.validate_frame`: the family's
        columns and dtypes, non-null unique ids, and each row rule of the family's model.

        Returns
        -------
        Dataset
            This dataset, unchanged, so that ``validate()`` chains.

        Raises
        ------
        ValidationError
            Listing each failing column and rule with up to 10 failing ``id`` values.
        InvalidInputError
            When the dataset has no family (raw rows).

        See Also
        --------
        load : ``validate=True`` validates while loading.

        Examples
        --------
        >>> import crucible_pl
        >>> import polars as pl
        >>> ds = crucible_pl.load("gsm8k", "test[:5]")
        >>> len(ds.validate())
        5
        >>> ds.with_columns(id=pl.lit("same")).validate()
        Traceback (most recent call last):
        ...
        crucible_pl.errors.ValidationError: ...
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

        Parameters
        ----------
        batch_size
            Rows per batch, ``>= 1``.

        Yields
        ------
        pl.DataFrame
            The next batch, in row order.

        Raises
        ------
        InvalidInputError
            If ``batch_size`` is not a positive int.

        See Also
        --------
        collect : All rows at once.

        Examples
        --------
        >>> import crucible_pl
        >>> ds = crucible_pl.load("gsm8k", "test")
        >>> [batch.height for batch in ds.iter_batches(16)]
        [16, 16, 8]
        """
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
            raise InvalidInputError(
                f"batch_size must be a positive integer, got {batch_size!r}.",
                dataset=self._provenance.name,
            )
        pending: list[pl.DataFrame] = []
        held = 0
        with self._reading():
            batches = iter(self._frame.collect_batches(chunk_size=batch_size, engine="streaming"))
        while True:
            with self._reading():
                chunk = next(batches, None)
            if chunk is None:
                break
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
        ``overwrite=True``. The rows stream to the file (Polars' streaming engine).

        Parameters
        ----------
        path
            The file to write; missing parent directories are created.
        overwrite
            Replace an existing file.

        Returns
        -------
        Path
            ``path``, as a ``Path``.

        Raises
        ------
        InvalidInputError
            If ``path`` exists and ``overwrite`` is false.

        See Also
        --------
        load_from_disk : Reads the file back as a ``Dataset``, provenance included.

        Examples
        --------
        >>> import tempfile
        >>> import crucible_pl
        >>> tmp = tempfile.TemporaryDirectory()
        >>> ds = crucible_pl.load("gsm8k", "test[:5]")
        >>> saved = ds.save(f"{tmp.name}/gsm.parquet")
        >>> saved.name, crucible_pl.load_from_disk(saved).collect().equals(ds.collect())
        ('gsm.parquet', True)
        >>> ds.save(saved)
        Traceback (most recent call last):
        ...
        crucible_pl.errors.InvalidInputError: ... already exists; pass overwrite=True ...
        >>> tmp.cleanup()
        """
        target = Path(path)
        if target.exists() and not overwrite:
            raise InvalidInputError(
                f"{target} already exists; pass overwrite=True to replace it, or choose "
                "another path.",
                dataset=self._provenance.name,
            )
        # A full disk is a DiskFullError (atomic_path), and nothing partial is left.
        with self._reading(), atomic_path(target) as tmp:
            metadata = {_METADATA_KEY: json.dumps(self._provenance.as_dict(), sort_keys=True)}
            self._frame.sink_parquet(tmp, metadata=metadata, engine="streaming")
        return target


def load(
    name: str,
    split: str | None = None,
    *,
    config: str | Sequence[str] | None = None,
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
    lock: str | os.PathLike[str] | None = None,
    remote: bool = False,
) -> Dataset:
    """Load a dataset split as a :class:`Dataset`; same resolution as :func:`load_lazy`.

    The ``Dataset`` adds provenance, an exact ``len()`` (from Parquet footers, no scan)
    and seeded sampling and splitting to the frame :func:`crucible_pl.load_lazy` returns.

    Parameters
    ----------
    name, split, config, revision, columns, offline, token, refresh, raw, source, n, seed
        As in :func:`crucible_pl.load_lazy`.
    lock, remote
        As in :func:`crucible_pl.load_lazy`.
    validate
        Collect once and check the rows against the family's schema
        (:class:`~crucible_pl.errors.ValidationError` on failure).

    Returns
    -------
    Dataset

    Raises
    ------
    CrucibleError
        The errors of :func:`crucible_pl.load_lazy` (unknown dataset, config or split,
        Hub unavailable, cache miss offline...), and
        :class:`~crucible_pl.errors.ValidationError` with ``validate=True``.

    See Also
    --------
    crucible_pl.load_lazy : The same rows as a plain ``pl.LazyFrame``.
    load_from_disk : A ``Dataset`` saved with :meth:`Dataset.save`.

    Examples
    --------
    >>> import crucible_pl
    >>> ds = crucible_pl.load("gsm8k", "test[:10]", validate=True)
    >>> len(ds), ds.family
    (10, 'math')
    >>> [len(test) for _, test in ds.k_fold(3)]
    [4, 3, 3]
    """
    request = LoadRequest.build(
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
        lock=lock,
        remote=remote,
    )
    loaded = open_frame(request)
    dataset = Dataset(
        loaded.frame,
        loaded.provenance,
        num_rows=loaded.num_rows,
        files=loaded.files,
        stored=loaded.stored,
    )
    return dataset.validate() if validate else dataset


def load_from_disk(path: str | os.PathLike[str]) -> Dataset:
    """Read a Parquet file written by :meth:`Dataset.save` back as a :class:`Dataset`.

    The provenance comes back from the file's metadata. Any other Parquet file loads too,
    with a provenance that names only the path (``source="disk"``).

    Parameters
    ----------
    path
        The Parquet file.

    Returns
    -------
    Dataset
        Its row count is read from the footer.

    Raises
    ------
    InvalidInputError
        If there is no file at ``path``.
    DataFormatError
        If the file is not readable Parquet.

    See Also
    --------
    Dataset.save : Writes the file.

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
    from a dataset are filled with nulls; dtypes are widened where needed. The result's
    family is the datasets' family when they share one, else ``None``; its
    ``provenance.parts`` holds each dataset's provenance, in order (see
    :meth:`Provenance.combined`).

    Parameters
    ----------
    datasets
        A non-empty list of datasets.
    source_column
        Name of the added column; no dataset may already have it.

    Returns
    -------
    Dataset
        The rows of each dataset in turn.

    Raises
    ------
    InvalidInputError
        If ``datasets`` is empty or holds something else than ``Dataset`` objects, or a
        dataset already has ``source_column``.

    See Also
    --------
    interleave : Alternate rows instead of stacking.

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

    Without ``probabilities`` the datasets are visited round-robin: row 0 of each in
    turn, then row 1 of each... With ``probabilities``, each step picks a dataset at
    random (step ``t`` draws ``u = stable_hash(str(t), seed) / 2**64`` and picks the
    first dataset whose cumulative probability exceeds ``u``) and emits its next row.
    ``"first_exhausted"`` stops right after the first dataset has emitted its last row
    (round-robin: ``len(datasets) * min(lengths)`` rows). ``"all_exhausted"`` restarts
    each dataset from its first row when it runs out, and stops once every dataset has
    emitted all its rows at least once (round-robin: ``len(datasets) * max(lengths)``
    rows). An empty dataset ends ``"first_exhausted"`` at once and is skipped by
    ``"all_exhausted"``. The random sequence differs from ``datasets`` (which uses
    NumPy's generator) but has the same distribution.

    Parameters
    ----------
    datasets
        A non-empty list of datasets, all with the same schema.
    probabilities
        One probability per dataset, each ``>= 0``, summing to 1 (within 1e-6).
    seed
        Seed of the random choices, an int in ``[0, 2**64)``.
    stopping_strategy
        ``"first_exhausted"`` or ``"all_exhausted"``.

    Returns
    -------
    Dataset
        The interleaved rows; its ``len()`` runs a count query.

    Raises
    ------
    InvalidInputError
        If ``datasets`` is empty or holds something else than ``Dataset`` objects, the
        schemas differ, or ``probabilities`` or ``stopping_strategy`` are invalid
        (``"all_exhausted"`` needs every probability > 0, else it would never stop).

    See Also
    --------
    concat : Stack the datasets instead.

    Examples
    --------
    >>> import crucible_pl
    >>> a = crucible_pl.load("gsm8k", "test[:3]")
    >>> b = crucible_pl.load("gsm8k", "test[10:12]")
    >>> ids = lambda ds: ds.collect()["id"].str.split("/").list.last().to_list()
    >>> ids(crucible_pl.interleave([a, b]))
    ['0', '10', '1', '11']
    >>> ids(crucible_pl.interleave([a, b], stopping_strategy="all_exhausted"))
    ['0', '10', '1', '11', '2', '10']
    >>> mixed = crucible_pl.interleave([a, b], probabilities=[0.5, 0.5], seed=1)
    >>> len(mixed) <= len(a) + len(b)
    True
    """
    items = _check_datasets(datasets, "interleave")
    frame = _reshape.interleave(
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
    # One part per load (flattened), each field shared by the parts or joined by "+".
    parts = tuple(ds.provenance for ds in items)
    name = f"{how}(" + ", ".join(p.name for p in parts) + ")"
    return Provenance.combined(parts, name=name, source=how)
