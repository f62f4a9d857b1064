"""Resolution: (repo, revision) -> commit sha -> the layout of its configs and splits.

Each step reads its manifest first and goes to the Hub only when the manifest is
missing (or ``refresh=True`` for a branch), so a warm load makes no request:

1. :func:`resolve_sha` — a branch or tag to the commit sha it pointed at when first
   resolved (a 40-hex revision is taken as the sha).
2. :func:`get_layout` — every config and split of the repo at that sha, from the
   card's ``configs:``, else the Hub's file-name conventions, else (for configs or
   splits main does not have) the ``refs/convert/parquet`` branch.

Then :func:`crucible_pl._hub.fetch.get_split` fetches the files of one config and split.
The manifests themselves (their formats, readers and writers) are
:mod:`crucible_pl._cache.manifests`.
Nothing here builds a LazyFrame; :mod:`crucible_pl._load` does.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from crucible_pl._cache import hf_cache, manifests
from crucible_pl._cache.manifests import Layout
from crucible_pl._files.formats import is_data_file
from crucible_pl._validate import is_sha
from crucible_pl.errors import CacheMissError, RevisionNotFoundError

from . import client as _hub
from . import datafiles as _datafiles

__all__ = ["cache_miss", "get_layout", "resolve_sha"]

logger = logging.getLogger(__name__)


def _download_hint(repo: str, config: str | None = None, split: str | None = None) -> str:
    cmd = f"crucible-pl download {repo}"
    if config:
        cmd += f" --config {config}"
    if split:
        cmd += f" --split {split}"
    return (
        f"Run `{cmd}` with network access first (or load it once online), or unset "
        "HF_HUB_OFFLINE / pass offline=False."
    )


def cache_miss(
    what: str, repo: str, revision: str | None, config: str | None = None, split: str | None = None
) -> CacheMissError:
    return CacheMissError(
        f"{what} is not in the cache and offline mode is on. "
        + _download_hint(repo, config, split),
        dataset=repo,
        config=config,
        split=split,
        revision=revision,
    )


# --------------------------------------------------------------------------- sha


def resolve_sha(
    repo: str, revision: str, *, offline: bool, refresh: bool, token: str | None
) -> tuple[str, _hub.RepoState | None]:
    """The commit sha of ``revision``, and the repo state when it had to be fetched.

    A branch or tag is resolved once and remembered; ``refresh=True`` asks again.
    """
    if is_sha(revision) and not refresh:
        return revision, None
    if not refresh:
        sha = manifests.read_ref(repo, revision)
        if sha is not None:
            return sha, None
    if offline:
        # Files another tool put in the HF cache (datasets, hf download, snapshot_download)
        # carry huggingface_hub's own record of the revision.
        sha = hf_cache.ref_sha(repo, revision)
        if sha is not None:
            return sha, None
        raise cache_miss(f"{repo}@{revision}", repo, revision)
    state = _hub.repo_state(repo, revision, token=token)
    manifests.write_ref(repo, revision, state.sha)
    logger.info("Resolved %s@%s to commit %s", repo, revision, state.sha)
    return state.sha, state


# ------------------------------------------------------------------------ layout


def _configs_from_state(state: _hub.RepoState) -> tuple[str, dict[str, _datafiles.ConfigFiles]]:
    files = [f for f in state.files if is_data_file(f)]
    card_configs = state.card.get("configs")
    from_card = _datafiles.configs_from_card(card_configs, files)
    if from_card is not None:
        return "card", from_card
    return "conventions", _datafiles.configs_from_conventions(files)


def _as_layout_configs(
    configs: Mapping[str, _datafiles.ConfigFiles], sha: str
) -> dict[str, dict[str, tuple[tuple[str, str], ...]]]:
    out: dict[str, dict[str, tuple[tuple[str, str], ...]]] = {}
    for name, cfg in configs.items():
        splits = {s: tuple((p, sha) for p in paths) for s, paths in cfg.splits.items() if paths}
        if splits:
            out[name] = splits
    return out


def _card_summary(card: Mapping[str, Any]) -> dict[str, Any]:
    keep = ("license", "pretty_name", "dataset_info", "configs", "task_categories", "tags")
    return {k: card[k] for k in keep if k in card}


def get_layout(
    repo: str,
    sha: str,
    *,
    offline: bool,
    token: str | None,
    state: _hub.RepoState | None = None,
    want: tuple[str | None, str | None] = (None, None),
) -> Layout:
    """The layout of ``repo`` at ``sha``, from its manifest or built from the Hub.

    ``want`` is the (config, split) about to be loaded: when main lacks it, the
    ``refs/convert/parquet`` branch is consulted once and merged into the layout.
    """
    layout = manifests.read_layout(repo, sha)
    if layout is None:
        if offline:
            return _layout_from_hf_cache(repo, sha)
        if state is None or state.sha != sha:
            state = _hub.repo_state(repo, sha, token=token)
        source, configs = _configs_from_state(state)
        layout_configs = _as_layout_configs(configs, sha)
        default = _datafiles.default_config(configs) if layout_configs else None
        if default is not None and default not in layout_configs:
            default = None
        layout = Layout(
            repo=repo,
            sha=sha,
            source=source,
            configs=layout_configs,
            default_config=default,
            card=_card_summary(state.card),
        )
        if not layout_configs:
            layout = _merge_convert(layout, token=token)
        manifests.write_layout(layout)
    if not offline and not layout.convert_checked and _missing(layout, *want):
        layout = _merge_convert(layout, token=token)
        manifests.write_layout(layout)
    return layout


def _layout_from_hf_cache(repo: str, sha: str) -> Layout:
    """Offline, the layout of a snapshot in the HF cache, built as online from its files.

    The files of ``snapshots/<sha>/`` stand in for the Hub's listing, and its README.md
    (when another tool downloaded it) for the card. The result is not written as a
    manifest: it shows only what is on disk, and an online load must list the repo
    itself. A split whose shards are not all there is refused by :func:`check_complete`.
    """
    snapshot = hf_cache.snapshot_files(repo, sha)
    if snapshot is None:
        raise cache_miss(f"The file layout of {repo}@{sha[:12]}", repo, sha)
    state = _hub.RepoState(
        repo=repo, revision=sha, sha=sha, files=snapshot.files, card=snapshot.card or {}
    )
    source, configs = _configs_from_state(state)
    layout_configs = _as_layout_configs(configs, sha)
    if not layout_configs:
        raise cache_miss(f"The data files of {repo}@{sha[:12]}", repo, sha)
    default = _datafiles.default_config(configs)
    return Layout(
        repo=repo,
        sha=sha,
        source=f"hf-cache ({source})",
        configs=layout_configs,
        default_config=default if default in layout_configs else None,
        card=_card_summary(state.card),
        convert_checked=True,  # offline: there is no convert branch to ask for
    )


def _missing(layout: Layout, config: str | None, split: str | None) -> bool:
    if config is None:
        return layout.default_config is None and not layout.configs
    if config not in layout.configs:
        return True
    return split is not None and split not in layout.configs[config]


def _merge_convert(layout: Layout, *, token: str | None) -> Layout:
    """Add the configs and splits that only the ``refs/convert/parquet`` branch has."""
    try:
        state = _hub.repo_state(layout.repo, _hub.CONVERT_BRANCH, token=token)
    except RevisionNotFoundError:
        logger.info("%s has no %s branch", layout.repo, _hub.CONVERT_BRANCH)
        return Layout(**{**layout.__dict__, "convert_checked": True})
    convert = _datafiles.configs_from_convert_branch([f for f in state.files if is_data_file(f)])
    merged = {c: dict(s) for c, s in layout.configs.items()}
    for name, splits in _as_layout_configs(convert, state.sha).items():
        target = merged.setdefault(name, {})
        for split, files in splits.items():
            target.setdefault(split, files)
    default = layout.default_config
    if default is None:
        default = _datafiles.default_config(
            {n: _datafiles.ConfigFiles(n, {}, default=False) for n in merged}
        )
    logger.info("Merged %s of %s into its layout", _hub.CONVERT_BRANCH, layout.repo)
    return Layout(
        repo=layout.repo,
        sha=layout.sha,
        source=layout.source if layout.configs else "convert",
        configs=merged,
        default_config=default,
        card=layout.card,
        convert_checked=True,
    )
