"""`DatasetSpec`: how one named dataset maps from its Hub layout to canonical columns.

A spec is data. The loader scans the raw Hub files of a config and split, adds four
context columns, then runs the spec's normalizer, which is pure Polars:

``__dataset`` (String)
    The registered name, e.g. ``"gsm8k"``.
``__config`` (String)
    The Hub config the rows came from (for a spec that unions several Hub configs,
    such as ``mmlu_stem``, the Hub config of each row).
``__split`` (String)
    The split name the rows came from (``"test"`` in ``"test[:10]"``).
``__row`` (Int64)
    The 0-based position of the row within its config and split *before* any
    slicing, so ``id`` values do not move when a user slices.

Normalization is ``lf.pipe(prepare) -> filter(keep) -> select(columns)``: every
canonical column is a ``pl.Expr`` over raw and context columns.

Examples
--------
>>> import polars as pl
>>> from crucible_pl.registry._spec import DatasetSpec, HubFile, default_id
>>> spec = DatasetSpec(
...     name="toy",
...     repo="me/toy",
...     family="math",
...     description="A toy math set.",
...     license="mit",
...     domain="math",
...     task_type="free-form answer",
...     configs=("default",),
...     default_config="default",
...     default_split="test",
...     columns={
...         "id": default_id(),
...         "input": pl.col("q"),
...         "expected": pl.col("a").cast(pl.String),
...     },
...     hub_files=(HubFile("data/test-00000-of-00001.parquet", "default", "test"),),
...     raw_schema={"default": {"q": pl.String, "a": pl.Int64}},
... )
>>> raw = pl.LazyFrame({"q": ["1+1?"], "a": [2]})
>>> spec.normalize(raw, config="default", split="test").collect()
shape: (1, 3)
┌────────────────────┬───────┬──────────┐
│ id                 ┆ input ┆ expected │
│ ---                ┆ ---   ┆ ---      │
│ str                ┆ str   ┆ str      │
╞════════════════════╪═══════╪══════════╡
│ toy/default/test/0 ┆ 1+1?  ┆ 2        │
└────────────────────┴───────┴──────────┘
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import polars as pl

from crucible_pl.errors import InvalidInputError

__all__ = [
    "CONTEXT_COLUMNS",
    "FAMILIES",
    "DatasetSpec",
    "Family",
    "HubFile",
    "SyntheticRequest",
    "add_context",
    "default_id",
]

Family = Literal[
    "math",
    "multiple_choice",
    "code",
    "chat",
    "preference",
    "rated",
    "rubric",
    "instruction",
    "generation",
]
FAMILIES: tuple[Family, ...] = (
    "math",
    "multiple_choice",
    "code",
    "chat",
    "preference",
    "rated",
    "rubric",
    "instruction",
    "generation",
)

CONTEXT_COLUMNS = ("__dataset", "__config", "__split", "__row")


@dataclass(frozen=True)
class HubFile:
    """One data file of the dataset as it lies in the Hub repo.

    Used to build fixture repos and synthetic repos shaped exactly like the Hub.

    Parameters
    ----------
    path
        Repo-relative path, exactly as on the Hub: ``"main/test-00000-of-00001.parquet"``.
        The format follows from the suffix (``.parquet``, ``.jsonl``, ``.jsonl.gz``,
        ``.json``, ``.json.gz``, ``.csv``, ``.csv.gz``).
    config
        The Hub config (or data directory) the file belongs to.
    split
        The split the file belongs to.
    revision
        The branch the file lives on: ``"main"``, or ``"refs/convert/parquet"`` for
        datasets whose data exist only there.
    """

    path: str
    config: str
    split: str
    revision: str = "main"


@dataclass(frozen=True)
class SyntheticRequest:
    """What a synthetic generator is asked for: ``n`` raw rows of one config and split."""

    config: str
    split: str
    n: int
    seed: int = 0

    def rng(self) -> random.Random:
        """A generator seeded from the request, identical across runs and machines."""
        return random.Random(f"{self.config}/{self.split}/{self.seed}")


@dataclass(frozen=True)
class DatasetSpec:
    """A registered dataset: where it lies on the Hub and how it normalizes.

    Parameters
    ----------
    name
        Registered name, e.g. ``"gsm8k"``.
    repo
        Hub repo id, e.g. ``"openai/gsm8k"``.
    family
        One of :data:`FAMILIES`; decides ``expected``'s dtype and the extra columns.
    description, license, domain, task_type, citation, tags
        Catalogue facts, shown by ``list_datasets()``.
    configs
        The configs a user may pass (Hub config names, or data directories).
    default_config, default_split
        Used when the user passes none. ``None`` for the split means the loader's rule
        (``test``, else ``validation``, else the only split).
    columns
        Canonical column -> expression over raw and context columns, in output order.
    prepare
        Optional LazyFrame -> LazyFrame hook run before ``keep`` and ``columns``, for
        reshaping no single expression can do. Must stay lazy and use expressions.
    keep
        Optional row predicate; rows where it is false are dropped (e.g. preference ties)
        and counted by ``info()``.
    hub_configs
        For a config that is a union of Hub configs (``mmlu_stem``): our config -> the Hub
        configs to concatenate. Configs not listed map to themselves.
    hub_files
        The data files as laid out on the Hub, for fixtures and synthetic repos.
    card_configs
        The dataset card's YAML ``configs:`` list as on the Hub, or ``None`` when the card
        has none.
    raw_schema
        Hub config -> raw column -> Polars dtype, as the Hub files hold them.
    synthetic
        Generator of deterministic raw rows with the raw schema: ``SyntheticRequest ->
        pl.DataFrame``, for a spec of your own. The registered datasets leave it unset:
        their generators live in ``crucible_pl._synthetic``, found by name.
    variants
        Config -> a spec that replaces this one for that config, where configs differ in
        raw schema or family (``truthfulqa``'s ``generation`` config, ``mbpp``'s
        ``sanitized``). A variant keeps the parent's name and repo.
    gated
        Whether the Hub gates the dataset behind accepted terms and a token.
    version
        Bumped whenever the normalizer's output changes; part of the cache key.
    computed_on_read
        Canonical columns our reader computes from cheaper stored columns instead of
        decoding their stored values: slices and field lookups over columns ``prepare``
        made, such as a chat's ``input`` (its ``messages`` up to the last assistant
        turn), or a preference side's one-turn list built from the reply's text. The
        normalized cache holds every canonical column (so DuckDB, Ray, Spark or Dask
        read canonical rows from it without crucible-pl) and, under ``__``-prefixed
        names, the columns these expressions read; a load reads those, and a
        projection reads only what the selected columns need.
    """

    name: str
    repo: str
    family: Family
    description: str
    license: str
    domain: str
    task_type: str
    configs: tuple[str, ...]
    default_config: str | None
    default_split: str | None
    columns: Mapping[str, pl.Expr]
    hub_files: tuple[HubFile, ...] = ()
    raw_schema: Mapping[str, Mapping[str, pl.DataType | type[pl.DataType]]] = field(
        default_factory=dict
    )
    prepare: Callable[[pl.LazyFrame], pl.LazyFrame] | None = None
    keep: pl.Expr | None = None
    hub_configs: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    card_configs: tuple[Mapping[str, Any], ...] | None = None
    synthetic: Callable[[SyntheticRequest], pl.DataFrame] | None = None
    citation: str = ""
    tags: tuple[str, ...] = ()
    variants: Mapping[str, DatasetSpec] = field(default_factory=dict)
    gated: bool = False
    version: int = 1
    computed_on_read: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        unknown = [name for name in self.computed_on_read if name not in self.columns]
        if unknown:
            raise InvalidInputError(
                f"DatasetSpec {self.name!r}: computed_on_read names {unknown}, which are "
                f"not among its canonical columns {list(self.columns)}. List only "
                "canonical columns there."
            )
        clash = [root for root in self._private_columns() if root in self.columns]
        if clash:
            raise InvalidInputError(
                f"DatasetSpec {self.name!r}: computed_on_read expressions read {clash}, "
                "which are also canonical column names with other values. Give the "
                "prepared columns other names (our own start with '__')."
            )

    def for_config(self, config: str) -> DatasetSpec:
        """The spec that governs ``config``: its variant if it has one, else this one."""
        return self.variants.get(config, self)

    def source_configs(self, config: str) -> tuple[str, ...]:
        """The Hub configs whose rows make up ``config``."""
        return self.hub_configs.get(config, (config,))

    def normalize(
        self,
        lf: pl.LazyFrame,
        *,
        config: str,
        split: str,
        passthrough: Sequence[str] = (),
    ) -> pl.LazyFrame:
        """Raw Hub rows -> canonical columns, lazily.

        Adds the context columns that are missing (``__row`` from a row index), then runs
        ``prepare``, ``keep`` and ``columns``. ``passthrough`` columns of ``lf`` are kept
        after the canonical ones (the loader keeps each row's raw position this way).
        """
        lf = self._prepared(lf, config=config, split=split)
        canonical = [expr.alias(name) for name, expr in self.columns.items()]
        return lf.select([*canonical, *(pl.col(name) for name in passthrough)])

    def _prepared(self, lf: pl.LazyFrame, *, config: str, split: str) -> pl.LazyFrame:
        """The raw rows with their context columns, after ``prepare`` and ``keep``."""
        lf = add_context(lf, dataset=self.name, config=config, split=split)
        if self.prepare is not None:
            lf = self.prepare(lf)
        return lf if self.keep is None else lf.filter(self.keep)

    def stored_columns(self) -> tuple[str, ...]:
        """The columns the normalized cache holds: every canonical one, then, under
        their stored names, the private columns ``computed_on_read`` expressions read
        (in first-use order; see :meth:`restore`)."""
        return (*self.columns, *self._private_columns().values())

    def _twins(self) -> dict[str, str]:
        """Prepared column -> the canonical column stored with the same values (a chat's
        ``__messages`` is its canonical ``messages``), so it is not stored twice."""
        return {
            expr.meta.root_names()[0]: name
            for name, expr in self.columns.items()
            if name not in self.computed_on_read and expr.meta.is_column()
        }

    def _private_columns(self) -> dict[str, str]:
        """Prepared column a ``computed_on_read`` expression reads -> its stored name
        (``__``-prefixed, so a reader of the file tells ours from the canonical ones)."""
        twins = self._twins()
        private: dict[str, str] = {}
        for name in self.computed_on_read:
            for root in self.columns[name].meta.root_names():
                if root not in twins and root not in private:
                    private[root] = root if root.startswith("__") else f"__{root}"
        return private

    def normalize_for_storage(
        self, lf: pl.LazyFrame, *, config: str, split: str, passthrough: Sequence[str] = ()
    ) -> pl.LazyFrame:
        """Like :meth:`normalize`, but with the columns of :meth:`stored_columns`."""
        lf = self._prepared(lf, config=config, split=split)
        canonical = [expr.alias(name) for name, expr in self.columns.items()]
        private = [pl.col(root).alias(stored) for root, stored in self._private_columns().items()]
        return lf.select([*canonical, *private, *(pl.col(name) for name in passthrough)])

    def restore(self, stored: pl.LazyFrame, *, passthrough: Sequence[str] = ()) -> pl.LazyFrame:
        """The canonical columns from a frame of :meth:`stored_columns`, lazily.

        ``computed_on_read`` columns are computed from the private columns (their
        stored values are for other readers); the rest are read as stored. A projection
        reads only what the selected columns need: ``.select("id", "expected")`` of a
        chat set decodes neither its conversations nor its prompts.
        """
        if not self.computed_on_read:
            return stored
        sources = {**self._twins(), **self._private_columns()}
        inputs = stored.with_columns(
            pl.col(source).alias(root) for root, source in sources.items() if root != source
        )
        canonical = [
            self.columns[name].alias(name) if name in self.computed_on_read else pl.col(name)
            for name in self.columns
        ]
        return inputs.select([*canonical, *(pl.col(name) for name in passthrough)])


def add_context(lf: pl.LazyFrame, *, dataset: str, config: str, split: str) -> pl.LazyFrame:
    """Add the ``__dataset``/``__config``/``__split``/``__row`` columns a spec may use.

    Columns already present (the loader adds ``__row`` in the scan, before slicing, and
    ``__config`` when it unions Hub configs) are kept as they are.
    """
    names = lf.collect_schema().names()
    if "__row" not in names:
        lf = lf.with_row_index("__row").with_columns(pl.col("__row").cast(pl.Int64))
    extra = {"__dataset": dataset, "__config": config, "__split": split}
    return lf.with_columns(
        pl.lit(v, pl.String).alias(k) for k, v in extra.items() if k not in names
    )


def default_id() -> pl.Expr:
    """``<name>/<config>/<split>/<row>``: the id of a dataset without ids of its own."""
    return pl.format(
        "{}/{}/{}/{}", pl.col("__dataset"), pl.col("__config"), pl.col("__split"), pl.col("__row")
    )
