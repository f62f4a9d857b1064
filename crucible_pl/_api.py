"""The public loading functions: ``load_lazy``, ``info``, ``list_configs``, ``list_datasets``."""

from __future__ import annotations

import os
from collections.abc import Sequence

import polars as pl

from ._load.describe import DatasetInfo, SplitInfo, describe
from ._load.frame import open_frame
from ._load.request import LoadRequest
from ._load.source_hub import config_names
from .errors import InvalidInputError

__all__ = ["DatasetInfo", "SplitInfo", "info", "list_configs", "list_datasets", "load_lazy"]


def load_lazy(
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
    source: str = "hub",
    n: int | None = None,
    seed: int = 0,
    lock: str | os.PathLike[str] | None = None,
    remote: bool = False,
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
        The config (subset); ``None`` uses the default one. A list of configs
        (``["astronomy", "anatomy"]``) loads each the same way and stacks them, with a
        first column ``config`` naming each row's config (provenance: one part per
        config).
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
    lock
        A lock file written by :func:`crucible_pl.lock` (``None`` follows
        ``CRUCIBLE_PL_LOCK``): the load uses the commit it pins for this name, config
        and split, and raises :class:`~crucible_pl.errors.LockMismatchError` if the
        dataset is not locked there or its files differ from the locked ones.
    remote
        Read a split that is not cached in place, over the Hub's resolve URLs pinned to
        the commit sha: ``head``, ``select`` and selective filters fetch only the
        footers and the row groups and columns they need (Parquet files of repos that
        need no token; see docs/loading.md). A cached split is read locally as usual,
        and ``crucible-pl download`` caches one.

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
    return open_frame(request).frame


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
    request = LoadRequest.build(
        name, config=config, revision=revision, offline=offline, token=token
    )
    if request.configs:
        raise InvalidInputError(
            f"info() describes one config at a time, got config={list(request.configs)!r}. "
            "Call it once per config; crucible_pl.list_configs(name) lists them.",
            dataset=name,
        )
    return describe(request)


def list_configs(
    name: str,
    *,
    revision: str | None = None,
    offline: bool | None = None,
    token: str | None = None,
) -> list[str]:
    """The configs of a dataset, without choosing or downloading one.

    Unlike :func:`info`, this works for a repo with several configs and no default.

    Parameters
    ----------
    name
        A registered name or a Hub repo id ``"owner/name"``.
    revision, offline, token
        As in :func:`load_lazy`.

    Returns
    -------
    list[str]
        Config names: the registry's for a registered name (no request is made), else
        the repo's at the resolved commit (from its card's ``configs:`` or the Hub's
        file-name conventions).

    Examples
    --------
    >>> import crucible_pl
    >>> crucible_pl.list_configs("gsm8k")
    ['main', 'socratic']
    >>> crucible_pl.list_configs("openai/gsm8k")
    ['main', 'socratic']
    """
    request = LoadRequest.build(name, revision=revision, offline=offline, token=token)
    return list(config_names(request))


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
