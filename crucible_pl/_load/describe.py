"""Describing a dataset for ``info()``: configs, splits, row counts and schemas.

It opens the same :class:`~crucible_pl._load.source_hub.HubSource` a load does (same
checks, same resolution, same manifests), then reads row counts and schemas from
Parquet footers: of the cached files when they are cached, else fetched remotely with
two small Range requests per file, never the data.
"""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from crucible_pl._cache import manifests
from crucible_pl._cache.manifests import Layout
from crucible_pl._cache.paths import hub_file_path
from crucible_pl._files.formats import data_format
from crucible_pl._files.parquet import hf_features, parquet_row_count, parquet_schema
from crucible_pl._hub.footers import fetch_footer
from crucible_pl.errors import DataFormatError, HubUnavailableError

from .request import LoadRequest
from .source_hub import HubSource

__all__ = ["DatasetInfo", "SplitInfo", "describe"]

logger = logging.getLogger(__name__)


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


def describe(request: LoadRequest) -> DatasetInfo:
    """What :func:`crucible_pl.info` reports for ``request`` (its name, config, revision)."""
    source = HubSource.open(request)
    spec, layout, name = request.spec, source.layout, request.name
    our_config, hub_config = request.config, source.hub_configs[0]
    is_offline, token = request.offline, request.token
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
        repo=source.repo,
        revision=request.revision,
        sha=source.sha,
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
                return cached.num_rows, parquet_schema(first), hf_features(first)
        except DataFormatError:
            logger.warning("Ignoring damaged cached file %s of %s", first, layout.repo)
    if offline or any(data_format(p)[0] != "parquet" for p, _ in entries):
        return _card_rows(layout, config, split), None, None
    total = 0
    schema: pl.Schema | None = None
    features: dict[str, Any] | None = None
    with tempfile.TemporaryDirectory(prefix="crucible-footer-") as tmp:
        for index, (path, sha) in enumerate(entries):
            local = hub_file_path(layout.repo, sha, path)
            if not local.is_file():
                try:
                    footer = fetch_footer(layout.repo, sha, path, token=token)
                except HubUnavailableError as err:
                    # The card's row count, when it has one, is the answer; without it,
                    # the error (never "? rows" as if all were well).
                    rows = _card_rows(layout, config, split)
                    if rows is None:
                        raise
                    logger.warning("Using the card's row count for %s: %s", split, err)
                    return rows, schema, features
                local = Path(tmp) / f"{index}.parquet"
                # A footer-only stub: the metadata is complete, the data pages absent.
                local.write_bytes(b"PAR1" + footer)
            total += parquet_row_count(local)
            if schema is None:
                schema, features = parquet_schema(local), hf_features(local)
    return total, schema, features
