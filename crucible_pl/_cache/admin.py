"""The cache's admin: listing, removing and verifying what crucible-pl has cached.

Plain functions that return data; ``crucible-pl cache ls|rm|verify`` only formats them.
Listing and verifying are :mod:`crucible_pl._cache.entries` (re-exported here); this
module turns a name into cache keys (:func:`resolve_target`) and removes entries.

Removal is planned first (:func:`plan_removal`), so the caller can show what would go
and ask before anything is deleted, then carried out (:func:`apply_removal`). Only paths
inside the two cache directories are ever removed: a link leading elsewhere is
dropped without touching its target, and a Hugging Face blob is removed only when no
remaining manifest, and no other snapshot link, still uses it.

Examples
--------
>>> import crucible_pl
>>> from crucible_pl._cache import admin as _cache_admin
>>> _ = crucible_pl.load_lazy("gsm8k", "test")
>>> [(e.repo, e.config, e.split, e.files, e.rows) for e in _cache_admin.list_entries()]
[('openai/gsm8k', 'main', 'test', 1, 40)]
>>> [c.problem for c in _cache_admin.verify_cache()]  # the raw file, the normalized one
[None, None]
>>> plan = _cache_admin.plan_removal("gsm8k", split="test")
>>> len(plan.entries), [p.parts[-5] for p in plan.converted], plan.hub_files
(1, ['normalized'], ())
>>> _cache_admin.apply_removal(plan) > 0
True
>>> _cache_admin.list_entries()
[]
"""

from __future__ import annotations

import contextlib
import logging
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crucible_pl import _split, _validate
from crucible_pl.errors import CacheMissError

from . import paths
from .entries import (
    CacheEntry,
    FileCheck,
    _entry,
    _Manifest,
    _manifests,
    _matches,
    _size,
    list_entries,
    total_bytes,
    verify_cache,
)
from .leftovers import Leftover, find_leftovers, remove_leftovers
from .manifests import ref_revisions

__all__ = [
    "CacheEntry",
    "FileCheck",
    "Leftover",
    "RemovalPlan",
    "apply_removal",
    "find_leftovers",
    "list_entries",
    "plan_removal",
    "remove_leftovers",
    "resolve_target",
    "total_bytes",
    "verify_cache",
]

logger = logging.getLogger(__name__)


def resolve_target(
    name: str, *, config: str | None = None, split: str | None = None
) -> tuple[str, tuple[str, ...] | None, tuple[str, ...]]:
    """A registered name or repo id, config and split -> repo, Hub configs and split names.

    A registered config that unions several Hub configs names all of them; a split
    string with slices (``test[:10]+validation``) names its splits.

    Raises
    ------
    DatasetNotFoundError
        ``name`` is neither a registered name nor ``owner/name``.
    InvalidInputError
        A malformed repo id, config or split.

    Examples
    --------
    >>> resolve_target("gsm8k", split="test[:5]")
    ('openai/gsm8k', None, ('test',))
    >>> resolve_target("me/toy", config="default")
    ('me/toy', ('default',), ())
    """
    if "/" in name:
        repo = _validate.repo_id(name)
        configs: tuple[str, ...] | None = (config,) if config is not None else None
    else:
        from crucible_pl.registry import get_spec

        spec = get_spec(name)
        repo = spec.repo
        configs = spec.source_configs(config) if config is not None else None
    if config is not None:
        _validate.config_name(config, dataset=name)
    names = tuple(dict.fromkeys(_split.parse_split(split).names)) if split is not None else ()
    return repo, configs, names


# ------------------------------------------------------------------------- removal


@dataclass(frozen=True)
class RemovalPlan:
    """What :func:`apply_removal` would delete, computed without deleting anything.

    Attributes
    ----------
    repo
        The repo (``owner/name``).
    whole_repo
        True when every manifest of the repo goes (layout and revision refs too).
    entries
        The cached splits removed.
    manifests
        Manifest files removed (with ``whole_repo``, the repo's manifest directory).
    converted
        Converted Parquet files removed (with ``whole_repo``, the repo's directory), and
        every normalized cache of the repo (derived, rebuilt on the next load).
    hub_files
        HF cache snapshot entries removed (only with ``hub_files=True``).
    blobs
        HF cache blobs removed: those no remaining manifest or snapshot link uses.
    bytes
        Bytes freed.
    """

    repo: str
    whole_repo: bool
    entries: tuple[CacheEntry, ...]
    manifests: tuple[Path, ...]
    converted: tuple[Path, ...]
    hub_files: tuple[Path, ...]
    blobs: tuple[Path, ...]
    bytes: int

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serializable dict of the plan."""
        return {
            "repo": self.repo,
            "whole_repo": self.whole_repo,
            "entries": [e.to_dict() for e in self.entries],
            "manifests": [str(p) for p in self.manifests],
            "converted": [str(p) for p in self.converted],
            "hub_files": [str(p) for p in self.hub_files],
            "blobs": [str(p) for p in self.blobs],
            "bytes": self.bytes,
        }


def _inside(path: Path, root: Path) -> bool:
    """Whether ``path`` (its final link not followed) lies inside directory ``root``."""
    try:
        parent = path.parent.resolve()
        return parent.is_relative_to(root.resolve()) and path.name not in ("", ".", "..")
    except OSError:
        return False


def _tree_size(path: Path) -> int:
    if path.is_symlink() or not path.is_dir():
        return 0
    return sum(f.lstat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def _hub_plan(
    repo: str, removed: Sequence[_Manifest], kept: Sequence[_Manifest]
) -> tuple[list[Path], list[Path]]:
    """Snapshot entries and blobs used only by ``removed`` manifests."""
    keep = {f.hub_path(repo) for m in kept for f in m.files or ()}
    drop = {f.hub_path(repo) for m in removed for f in m.files or ()} - keep
    pointers = sorted(p for p in drop if p.is_symlink() or p.exists())
    snapshots = paths.hub_repo_dir(repo) / "snapshots"
    still_linked: set[Path] = set()
    if snapshots.is_dir():
        for link in snapshots.rglob("*"):
            if link.is_symlink() and link not in drop:
                still_linked.add(link.resolve())
    hub_root = paths.hub_root().resolve()
    blobs: set[Path] = set()
    for pointer in pointers:
        if pointer.is_symlink():
            blob = pointer.resolve()
            if blob.is_relative_to(hub_root) and blob.is_file() and blob not in still_linked:
                blobs.add(blob)
    return pointers, sorted(blobs)


def plan_removal(
    name: str,
    *,
    config: str | None = None,
    split: str | None = None,
    hub_files: bool = False,
) -> RemovalPlan:
    """Plan the removal of what is cached for ``name`` (a config, a split, or all of it).

    Parameters
    ----------
    name
        A registered name or ``owner/name``.
    config
        Only this config; ``None`` for all.
    split
        Only this split; ``None`` for all.
    hub_files
        Also remove the Hugging Face cache files of the removed splits that no other
        manifest uses (the HF cache is shared with ``datasets`` and ``transformers``).

    Returns
    -------
    RemovalPlan

    Raises
    ------
    CacheMissError
        Nothing is cached for what was named (the message lists what is).

    Examples
    --------
    >>> plan_removal("me/nothing-cached")
    Traceback (most recent call last):
    ...
    crucible_pl.errors.CacheMissError: Nothing is cached for me/nothing-cached...
    """
    repo, configs, splits = resolve_target(name, config=config, split=split)
    all_manifests = list(_manifests(repo))
    removed = [m for m in all_manifests if _matches(m, configs, splits)]
    kept = [m for m in all_manifests if not _matches(m, configs, splits)]
    whole = configs is None and not splits
    base = paths.manifest_dir(repo)
    if not removed and not (whole and base.is_dir()):
        raise _nothing_cached(name, repo, config, split, all_manifests)
    revisions = ref_revisions(repo)
    entries = tuple(_entry(m, revisions.get(m.sha, [])) for m in removed if m.files is not None)
    converted_dir = paths.converted_repo_dir(repo)
    if whole:
        manifests: list[Path] = [base] if base.is_dir() else []
        converted = [converted_dir] if converted_dir.is_dir() else []
        freed = _tree_size(base) + _tree_size(converted_dir)
    else:
        manifests = [m.path for m in removed]
        still = {f.local_path(repo) for m in kept for f in m.files or () if f.converted}
        mine = {f.local_path(repo) for m in removed for f in m.files or () if f.converted}
        converted = sorted(p for p in mine - still if p.exists())
        freed = sum(_size(p) for p in manifests + converted)
    # Normalized caches are derived from the raw files and rebuilt on the next load:
    # every one of the repo goes with any removal.
    derived = paths.normalized_repo_dirs(repo)
    converted = [*converted, *derived]
    freed += sum(_tree_size(path) for path in derived)
    pointers: list[Path] = []
    blobs: list[Path] = []
    if hub_files:
        pointers, blobs = _hub_plan(repo, removed, kept)
        freed += sum(_size(b) for b in blobs)
        freed += sum(_size(p) for p in pointers if not p.is_symlink())
    return RemovalPlan(
        repo=repo,
        whole_repo=whole,
        entries=entries,
        manifests=tuple(manifests),
        converted=tuple(converted),
        hub_files=tuple(pointers),
        blobs=tuple(blobs),
        bytes=freed,
    )


def _nothing_cached(
    name: str,
    repo: str,
    config: str | None,
    split: str | None,
    manifests: Sequence[_Manifest],
) -> CacheMissError:
    what = repo + "".join(
        f" ({k} {v!r})" for k, v in (("config", config), ("split", split)) if v is not None
    )
    cached = sorted({f"{m.config}/{m.split}" for m in manifests})
    have = (
        f"Cached for {repo}: {', '.join(cached)}."
        if cached
        else "See `crucible-pl cache ls` for what is cached."
    )
    return CacheMissError(
        f"Nothing is cached for {what}. {have}",
        dataset=name,
        config=config,
        split=split,
    )


def _unlink(path: Path, root: Path) -> None:
    if not _inside(path, root):
        logger.warning("Not removing %s: it is outside the cache directory %s", path, root)
        return
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def _prune(path: Path, stop: Path) -> None:
    """Remove the now-empty directories from ``path``'s parent up to ``stop`` (excluded)."""
    parent = path.parent
    while parent != stop and parent.is_relative_to(stop):
        try:
            parent.rmdir()
        except OSError:
            return
        parent = parent.parent


def apply_removal(plan: RemovalPlan) -> int:
    """Delete what ``plan`` lists; return the bytes freed.

    Manifests go first, so an interrupted removal leaves data without a manifest
    (re-resolved on the next load), never a manifest without its data.
    """
    ours = paths.crucible_root()
    hub = paths.hub_root()
    for path in plan.manifests:
        _unlink(path, ours)
        _prune(path, ours / "manifests")
    for path in plan.converted:
        _unlink(path, ours)
        _prune(path, ours / "converted")
    for path in plan.hub_files:
        _unlink(path, hub)
        _prune(path, paths.hub_repo_dir(plan.repo) / "snapshots")
    for path in plan.blobs:
        _unlink(path, hub)
    if plan.hub_files or plan.blobs:
        folder = paths.hub_repo_dir(plan.repo)
        for empty in (folder / "snapshots", folder / "blobs", folder):
            with contextlib.suppress(OSError):
                empty.rmdir()  # only when empty: refs and other files keep the folder
    logger.info("Removed %d cached split(s) of %s", len(plan.entries), plan.repo)
    return plan.bytes
