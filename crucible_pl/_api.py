"""The public loading functions: ``load_lazy``, ``info`` and ``list_datasets``."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from . import _config, _validate
from ._cache import manifests
from ._cache import paths as _cache
from ._cache.manifests import Layout
from ._files import formats as _formats
from ._files import parquet as _scan
from ._hub import client as _hub
from ._hub import resolve as _resolve
from ._load import frame as _load
from .errors import DataFormatError, HubUnavailableError

__all__ = ["DatasetInfo", "SplitInfo", "info", "list_datasets", "load_lazy"]

logger = logging.getLogger(__name__)


def load_lazy(
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
    source: str = "hub",
    n: int | None = None,
    seed: int = 0,
) -> pl.LazyFrame:
    """Load a dataset split from the Hub as a lazy Polars frame over cached Parquet files.

    The first load of a config and split downloads only its files (through
    huggingface_hub, into the standard Hugging Face cache) and remembers the
    resolution; every later load makes no network request at all. The frame is a
    ``pl.scan_parquet`` over local files, so ``select``, ``filter`` and ``head`` are
    pushed into the scan.

    Parameters
    ----------
    name
        A registered name (``"gsm8k"``, ``"mmlu"``; see :func:`list_datasets`), which
        yields the canonical columns, or any Hub dataset repo id ``"owner/name"``,
        which yields the raw columns.
    split
        A split, with ``datasets``' slicing syntax: ``"test"``, ``"test[:100]"``,
        ``"test[-50:]"``, ``"train[10%:20%]"``, ``"train+validation"``. ``None`` picks
        ``test``, else ``validation``, else the only split (logged).
    config
        The config (subset); ``None`` uses the default one.
    revision
        A branch, tag or commit sha. A branch is resolved to its commit once and
        remembered; pass ``refresh=True`` to resolve it again.
    columns
        Keep only these columns (a lazy projection).
    offline
        Never touch the network; ``None`` follows ``HF_HUB_OFFLINE``.
    token
        A Hub token for gated or private datasets; ``None`` follows ``HF_TOKEN``.
    refresh
        Resolve the revision again instead of using the remembered commit.
    raw
        For a registered name, return the raw Hub columns instead of canonical ones.
    source
        ``"hub"`` (default) or ``"synthetic"``: deterministic generated rows with the
        raw Hub schema of a registered dataset, normalized like the real ones.
    n, seed
        Rows per config and split, and the seed, for ``source="synthetic"``.

    Returns
    -------
    pl.LazyFrame

    Raises
    ------
    DatasetNotFoundError, ConfigNotFoundError, SplitNotFoundError, RevisionNotFoundError
        For names that do not exist; the message lists what does.
    InvalidInputError
        For malformed arguments, before any network request.
    GatedDatasetError
        When the Hub refuses access (401/403).
    CacheMissError
        Offline, when what is asked for is not cached.
    HubUnavailableError
        When the Hub cannot be reached after huggingface_hub's retries.

    Examples
    --------
    The examples run against the built-in local Hub of synthetic data.

    >>> import polars as pl
    >>> import crucible_pl
    >>> crucible_pl.load_lazy("gsm8k", "test[:3]").select("id", "expected").collect()
    shape: (3, 2)
    ┌───────────────────┬──────────┐
    │ id                ┆ expected │
    │ ---               ┆ ---      │
    │ str               ┆ str      │
    ╞═══════════════════╪══════════╡
    │ gsm8k/main/test/0 ┆ 7.4      │
    │ gsm8k/main/test/1 ┆ 4.4      │
    │ gsm8k/main/test/2 ┆ 28       │
    └───────────────────┴──────────┘

    A repo id gives the raw Hub columns; filters and projections reach the scan:

    >>> raw = crucible_pl.load_lazy("openai/gsm8k", "test", config="main")
    >>> raw.collect_schema()
    Schema([('question', String), ('answer', String)])
    >>> raw.filter(pl.col("answer").str.contains("= <<37/5")).select(pl.len()).collect().item()
    1
    """
    return _load.open_frame(
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
    ).frame


@dataclass(frozen=True)
class SplitInfo:
    """One split of a config: its row count (``None`` when unknown) and data files.

    Parameters
    ----------
    name
        The split name, e.g. ``"test"``.
    num_rows
        Rows, from the Parquet footers or the card; ``None`` when unknown.
    num_files
        Data files of the split.

    Examples
    --------
    >>> import crucible_pl
    >>> crucible_pl.info("gsm8k").splits[0]
    SplitInfo(name='test', num_rows=40, num_files=1)
    """

    name: str
    num_rows: int | None
    num_files: int


@dataclass(frozen=True)
class DatasetInfo:
    """What :func:`info` reports about a dataset at one commit.

    ``columns`` are the raw columns with their Polars dtypes; ``features`` the Hub
    ``datasets`` features stored in the Parquet metadata (e.g. ``ClassLabel`` names);
    ``canonical`` the normalized schema of a registered dataset.

    Parameters
    ----------
    name, repo
        The name asked for, and its Hub repo id.
    revision, sha
        The revision asked for, and the commit sha it resolved to.
    config, configs, default_config
        The config described, every config of the dataset, and the default one.
    splits
        One :class:`SplitInfo` per split of ``config``.
    columns, features, canonical
        As above.
    family, license, description
        From the registry, for a registered name; else ``None`` (``license`` may come
        from the card).

    Examples
    --------
    >>> import crucible_pl
    >>> about = crucible_pl.info("gsm8k")
    >>> about
    <DatasetInfo gsm8k (openai/gsm8k@...) config='main' family=math splits: test=40, ...>
    >>> about.configs, about.default_config
    (('main', 'socratic'), 'main')
    >>> list(about.canonical)
    ['id', 'input', 'expected', 'solution']
    """

    name: str
    repo: str
    revision: str
    sha: str
    config: str
    configs: tuple[str, ...]
    default_config: str | None
    splits: tuple[SplitInfo, ...]
    columns: dict[str, pl.DataType] = field(default_factory=dict)
    features: dict[str, Any] | None = None
    family: str | None = None
    canonical: dict[str, pl.DataType] | None = None
    license: str | None = None
    description: str | None = None

    def __repr__(self) -> str:
        splits = ", ".join(
            f"{s.name}={s.num_rows if s.num_rows is not None else '?'}" for s in self.splits
        )
        cols = ", ".join(self.columns)
        family = f" family={self.family}" if self.family else ""
        return (
            f"<DatasetInfo {self.name} ({self.repo}@{self.sha[:12]}) config={self.config!r}"
            f"{family} splits: {splits}; columns: {cols}>"
        )


def info(
    name: str,
    *,
    config: str | None = None,
    revision: str | None = None,
    offline: bool | None = None,
    token: str | None = None,
) -> DatasetInfo:
    """Describe a dataset without downloading its data.

    Row counts and schemas come from Parquet footers: of the cached files when they
    are cached, else read remotely with two small Range requests per file. Formats
    without a footer (JSON, CSV) report the card's row counts when it has them.

    Parameters
    ----------
    name
        A registered name or a Hub repo id ``"owner/name"``.
    config
        The config to describe; ``None`` for the default one.
    revision
        A branch, tag or commit sha.
    offline, token
        As in :func:`load_lazy`.

    Returns
    -------
    DatasetInfo

    Examples
    --------
    >>> import crucible_pl
    >>> meta = crucible_pl.info("openai/gsm8k", config="main")
    >>> [(s.name, s.num_rows) for s in meta.splits]
    [('test', 40), ('train', 40)]
    >>> meta.columns
    {'question': String, 'answer': String}
    """
    spec = _load._find_spec(name)
    repo = spec.repo if spec is not None else _validate.repo_id(name)
    if config is not None:
        _validate.config_name(config, dataset=name)
    rev = _validate.revision(revision, dataset=name) if revision is not None else "main"
    is_offline = _config.is_offline(offline)
    sha, state = _resolve.resolve_sha(repo, rev, offline=is_offline, refresh=False, token=token)
    our_config = config if config is not None or spec is None else spec.default_config
    hub_config = (
        spec.source_configs(our_config)[0] if spec is not None and our_config else our_config
    )
    layout = _resolve.get_layout(
        repo, sha, offline=is_offline, token=token, state=state, want=(hub_config, None)
    )
    hub_config = layout.pick_config(hub_config)
    splits = []
    footer_schema: pl.Schema | None = None
    features: dict[str, Any] | None = None
    for split_name in sorted(layout.configs[hub_config]):
        entries = layout.configs[hub_config][split_name]
        rows, schema, feats = _split_stats(
            layout, hub_config, split_name, offline=is_offline, token=token
        )
        if footer_schema is None and schema is not None:
            footer_schema, features = schema, feats
        splits.append(SplitInfo(split_name, rows, len(entries)))
    columns = dict(footer_schema) if footer_schema is not None else {}
    canonical = None
    family = None
    if spec is not None:
        part_spec = spec.for_config(our_config or hub_config)
        family = part_spec.family
        raw_schema = footer_schema or pl.Schema(part_spec.raw_schema.get(hub_config, {}))
        empty = pl.LazyFrame(schema=raw_schema)
        canonical = dict(
            part_spec.normalize(empty, config=our_config or hub_config, split="_").collect_schema()
        )
    card_license = layout.card.get("license")
    return DatasetInfo(
        name=name,
        repo=repo,
        revision=rev,
        sha=sha,
        config=our_config or hub_config,
        configs=tuple(spec.configs) if spec is not None else tuple(layout.config_names()),
        default_config=spec.default_config if spec is not None else layout.default_config,
        splits=tuple(splits),
        columns=columns,
        features=features,
        family=family,
        canonical=canonical,
        license=spec.license if spec is not None else (str(card_license) if card_license else None),
        description=spec.description if spec is not None else None,
    )


def _card_rows(layout: Layout, config: str, split: str) -> int | None:
    infos = layout.card.get("dataset_info")
    if isinstance(infos, dict):
        infos = [infos]
    if not isinstance(infos, list):
        return None
    for entry in infos:
        if not isinstance(entry, dict) or entry.get("config_name", "default") != config:
            continue
        for s in entry.get("splits") or []:
            if isinstance(s, dict) and s.get("name") == split:
                rows = s.get("num_examples")
                return int(rows) if isinstance(rows, int) else None
    return None


def _split_stats(
    layout: Layout, config: str, split: str, *, offline: bool, token: str | None
) -> tuple[int | None, pl.Schema | None, dict[str, Any] | None]:
    """Row count, schema and HF features of a split, from footers, without its data."""
    cached = manifests.read_split(layout.repo, layout.sha, config, split)
    entries = layout.configs[config][split]
    if cached is not None and cached.files:
        first = cached.local_paths()[0]
        try:
            if first.is_file():
                return cached.num_rows, _scan.parquet_schema(first), _scan.hf_features(first)
        except DataFormatError:
            logger.warning("Ignoring damaged cached file %s of %s", first, layout.repo)
    if offline or any(_formats.data_format(p)[0] != "parquet" for p, _ in entries):
        return _card_rows(layout, config, split), None, None
    total = 0
    schema: pl.Schema | None = None
    features: dict[str, Any] | None = None
    with tempfile.TemporaryDirectory(prefix="crucible-footer-") as tmp:
        for index, (path, sha) in enumerate(entries):
            local = _cache.hub_file_path(layout.repo, sha, path)
            if not local.is_file():
                try:
                    footer = _hub.fetch_footer(layout.repo, sha, path, token=token)
                except HubUnavailableError:
                    return _card_rows(layout, config, split), schema, features
                local = Path(tmp) / f"{index}.parquet"
                # A footer-only stub: the metadata is complete, the data pages absent.
                local.write_bytes(b"PAR1" + footer)
            total += _scan.parquet_row_count(local)
            if schema is None:
                schema, features = _scan.parquet_schema(local), _scan.hf_features(local)
    return total, schema, features


def list_datasets(
    *, family: str | None = None, domain: str | None = None, tag: str | None = None
) -> pl.DataFrame:
    """The registry of named datasets as a frame, optionally filtered.

    Parameters
    ----------
    family
        Keep datasets of this family (``"math"``, ``"multiple_choice"``, ...).
    domain
        Keep datasets of this domain.
    tag
        Keep datasets carrying this tag.

    Returns
    -------
    pl.DataFrame
        One row per dataset: name, repo, family, domain, task_type, configs,
        default_config, license, gated, version, tags, description.

    Examples
    --------
    >>> import crucible_pl
    >>> crucible_pl.list_datasets(family="math")["name"].to_list()
    ['deepmath', 'gsm8k', 'hendrycks_math', 'math_500', 'polaris']
    """
    from .registry import registry_frame

    return registry_frame(family=family, domain=domain, tag=tag)
