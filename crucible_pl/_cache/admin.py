"""Listing, removing and verifying what crucible-pl has cached.

Plain functions that return data; ``crucible-pl cache ls|rm|verify`` only formats them.
An entry is one split manifest (``<sha>/splits/<config>/<split>.json``, see
:mod:`crucible_pl._cache`) together with the files it uses: our converted Parquet
files and the Hugging Face cache files (snapshot link and blob) of its repo files.

Removal is planned first (:func:`plan_removal`), so the caller can show what would go
and ask before anything is deleted, then carried out (:func:`apply_removal`). Only paths
inside the two cache directories are ever removed: a link leading elsewhere is
dropped without touching its target, and a Hugging Face blob is removed only when no
remaining manifest, and no other snapshot link, still uses it.

Examples
--------
>>> import crucible_pl
>>> from crucible_pl import _cache_admin
>>> _ = crucible_pl.load_lazy("gsm8k", "test")
>>> [(e.repo, e.config, e.split, e.files, e.rows) for e in _cache_admin.list_entries()]
[('openai/gsm8k', 'main', 'test', 1, 40)]
>>> [c.problem for c in _cache_admin.verify_cache()]
[None]
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
import os
import re
import shutil
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from . import _cache, _config, _resolve, _split, _validate
from ._resolve import CachedFile
from .errors import CacheMissError

__all__ = [
    "CacheEntry",
    "FileCheck",
    "RemovalPlan",
    "apply_removal",
    "list_entries",
    "plan_removal",
    "resolve_target",
    "total_bytes",
    "verify_cache",
]

logger = logging.getLogger(__name__)

_SHA = re.compile(r"[0-9a-f]{40}")


# ------------------------------------------------------------------------ scanning


@dataclass(frozen=True)
class _Manifest:
    """One split manifest as found on disk; ``files`` is None when it is malformed."""

    path: Path
    repo: str
    sha: str
    config: str
    split: str
    files: tuple[CachedFile, ...] | None
    problem: str | None = None


def _manifests_root() -> Path:
    return _config.crucible_cache_dir() / "manifests" / f"v{_cache.MANIFEST_FORMAT}"


def _repos_on_disk() -> list[str]:
    root = _manifests_root()
    repos: list[str] = []
    if not root.is_dir():
        return repos
    for owner in sorted(p for p in root.iterdir() if p.is_dir() and not p.is_symlink()):
        for name in sorted(p for p in owner.iterdir() if p.is_dir() and not p.is_symlink()):
            repo = f"{owner.name}/{name.name}"
            try:
                repos.append(_validate.repo_id(repo))
            except ValueError:
                logger.warning("Skipping %s: not a repo manifest directory", name)
    return repos


def _read_manifest(path: Path, repo: str, sha: str) -> _Manifest:
    config = unquote(path.parent.name)
    split = unquote(path.name.removesuffix(".json"))
    data = _cache.read_json(path)
    if data is None:
        return _Manifest(path, repo, sha, config, split, None, "the manifest is not valid JSON")
    try:
        files = tuple(CachedFile.from_json(f, repo) for f in data["files"])
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        return _Manifest(path, repo, sha, config, split, None, f"the manifest is malformed ({err})")
    return _Manifest(path, repo, sha, config, split, files)


def _manifests(repo: str | None = None) -> Iterator[_Manifest]:
    """Every split manifest, of ``repo`` or of all repos, sorted by repo, sha, config, split."""
    for name in [repo] if repo is not None else _repos_on_disk():
        base = _cache.manifest_dir(name)
        if not base.is_dir():
            continue
        for sha_dir in sorted(base.iterdir()):
            if not (_SHA.fullmatch(sha_dir.name) and sha_dir.is_dir()):
                continue
            splits = sha_dir / "splits"
            if not splits.is_dir():
                continue
            for path in sorted(splits.glob("*/*.json")):
                if path.is_file() and not path.is_symlink():
                    yield _read_manifest(path, name, sha_dir.name)


def _revisions(repo: str) -> dict[str, list[str]]:
    """sha -> the branch or tag names our ref manifests resolved to it."""
    out: dict[str, list[str]] = {}
    refs = _cache.manifest_dir(repo) / "refs"
    if not refs.is_dir():
        return out
    for path in sorted(refs.glob("*.json")):
        data = _cache.read_json(path) or {}
        sha, revision = data.get("sha"), data.get("revision")
        if isinstance(sha, str) and isinstance(revision, str):
            out.setdefault(sha, []).append(revision)
    return out


def _hub_paths(repo: str, file: CachedFile) -> Path:
    """The HF cache path of a manifest file's repo file (the raw file when converted)."""
    return _cache.hub_file_path(repo, file.revision, file.path)


def _local_files(manifest: _Manifest) -> list[Path]:
    """Every on-disk path an entry uses: converted Parquet files, then HF cache files."""
    files = manifest.files or ()
    converted = [f.local_path(manifest.repo) for f in files if f.converted]
    return converted + [_hub_paths(manifest.repo, f) for f in files]


def _size(path: Path) -> int:
    try:
        return path.stat().st_size  # follows the snapshot link to its blob
    except OSError:
        return 0


# ------------------------------------------------------------------------- listing


@dataclass(frozen=True)
class CacheEntry:
    """One cached config and split of a repo, at one commit.

    Attributes
    ----------
    repo, sha, config, split
        What is cached (Hub config and split names, as the Hub repo has them).
    revisions
        Branch or tag names resolved to ``sha`` (empty when loaded by commit sha).
    files, rows
        Data files and rows in the split.
    bytes
        Bytes on disk used by the entry: converted Parquet files plus HF cache files.
    hub_bytes
        The part of ``bytes`` held in the Hugging Face cache.
    missing
        Files the manifest lists that are gone from disk (the next load fetches them).
    paths
        The local files counted in ``bytes``.
    """

    repo: str
    sha: str
    revisions: tuple[str, ...]
    config: str
    split: str
    files: int
    rows: int
    bytes: int
    hub_bytes: int
    missing: int
    paths: tuple[str, ...] = field(repr=False)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serializable dict of every field."""
        data = dict(self.__dict__)
        data["revisions"] = list(self.revisions)
        data["paths"] = list(self.paths)
        return data


def _entry(manifest: _Manifest, revisions: Sequence[str]) -> CacheEntry:
    files = manifest.files or ()
    hub = {_hub_paths(manifest.repo, f) for f in files}
    present = [p for p in dict.fromkeys(_local_files(manifest)) if p.exists()]
    used = {f.local_path(manifest.repo) for f in files}
    return CacheEntry(
        repo=manifest.repo,
        sha=manifest.sha,
        revisions=tuple(revisions),
        config=manifest.config,
        split=manifest.split,
        files=len(files),
        rows=sum(f.rows for f in files),
        bytes=sum(_size(p) for p in present),
        hub_bytes=sum(_size(p) for p in present if p in hub),
        missing=sum(1 for p in used if not p.exists()),
        paths=tuple(str(p) for p in present),
    )


def list_entries(
    repo: str | None = None, *, configs: Sequence[str] | None = None, splits: Sequence[str] = ()
) -> list[CacheEntry]:
    """Every cached config and split, with its files, rows and size on disk.

    Parameters
    ----------
    repo
        Only this repo (``owner/name``); ``None`` for all. See :func:`resolve_target`
        for registered names.
    configs
        Only these Hub configs.
    splits
        Only these splits (empty for all).

    Returns
    -------
    list[CacheEntry]
        Sorted by repo, commit, config and split. Malformed manifests are skipped
        (:func:`verify_cache` reports them).

    Examples
    --------
    >>> list_entries("me/nothing-cached")
    []
    """
    if repo is not None:
        _validate.repo_id(repo)
    entries: list[CacheEntry] = []
    revisions: dict[str, dict[str, list[str]]] = {}
    for manifest in _manifests(repo):
        if not _matches(manifest, configs, splits) or manifest.files is None:
            continue
        by_sha = revisions.setdefault(manifest.repo, _revisions(manifest.repo))
        entries.append(_entry(manifest, by_sha.get(manifest.sha, [])))
    return entries


def _matches(manifest: _Manifest, configs: Sequence[str] | None, splits: Sequence[str]) -> bool:
    if configs is not None and manifest.config not in configs:
        return False
    return not splits or manifest.split in splits


def total_bytes(entries: Iterable[CacheEntry]) -> int:
    """Bytes on disk used by ``entries``, each file counted once (entries may share blobs).

    Examples
    --------
    >>> total_bytes([])
    0
    """
    paths = {os.path.realpath(p) for e in entries for p in e.paths}
    return sum(_size(Path(p)) for p in paths)


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
        from .registry import get_spec

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


def _repo_hub_dir(repo: str) -> Path:
    return _config.hub_cache_dir() / ("datasets--" + repo.replace("/", "--"))


def _hub_plan(
    repo: str, removed: Sequence[_Manifest], kept: Sequence[_Manifest]
) -> tuple[list[Path], list[Path]]:
    """Snapshot entries and blobs used only by ``removed`` manifests."""
    keep = {_hub_paths(repo, f) for m in kept for f in m.files or ()}
    drop = {_hub_paths(repo, f) for m in removed for f in m.files or ()} - keep
    pointers = sorted(p for p in drop if p.is_symlink() or p.exists())
    snapshots = _repo_hub_dir(repo) / "snapshots"
    still_linked: set[Path] = set()
    if snapshots.is_dir():
        for link in snapshots.rglob("*"):
            if link.is_symlink() and link not in drop:
                still_linked.add(link.resolve())
    hub_root = _config.hub_cache_dir().resolve()
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
    base = _cache.manifest_dir(repo)
    if not removed and not (whole and base.is_dir()):
        raise _nothing_cached(name, repo, config, split, all_manifests)
    revisions = _revisions(repo)
    entries = tuple(_entry(m, revisions.get(m.sha, [])) for m in removed if m.files is not None)
    owner, short = repo.split("/")
    converted_dir = _config.crucible_cache_dir() / "converted" / owner / short
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
    derived = sorted(
        path
        for path in (_config.crucible_cache_dir() / "normalized").glob(f"*/v*/{owner}/{short}")
        if path.is_dir()
    )
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
    ours = _config.crucible_cache_dir()
    hub = _config.hub_cache_dir()
    for path in plan.manifests:
        _unlink(path, ours)
        _prune(path, ours / "manifests")
    for path in plan.converted:
        _unlink(path, ours)
        _prune(path, ours / "converted")
    for path in plan.hub_files:
        _unlink(path, hub)
        _prune(path, _repo_hub_dir(plan.repo) / "snapshots")
    for path in plan.blobs:
        _unlink(path, hub)
    if plan.hub_files or plan.blobs:
        folder = _repo_hub_dir(plan.repo)
        for empty in (folder / "snapshots", folder / "blobs", folder):
            with contextlib.suppress(OSError):
                empty.rmdir()  # only when empty: refs and other files keep the folder
    logger.info("Removed %d cached split(s) of %s", len(plan.entries), plan.repo)
    return plan.bytes


# ------------------------------------------------------------------------ verifying


@dataclass(frozen=True)
class FileCheck:
    """The state of one cached file (or of an unreadable manifest, ``path`` empty).

    ``problem`` is ``None`` when the file is intact.
    """

    repo: str
    sha: str
    config: str
    split: str
    path: str
    local_path: str
    problem: str | None

    @property
    def ok(self) -> bool:
        """Whether the file is intact."""
        return self.problem is None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serializable dict of every field, plus ``ok``."""
        return {**self.__dict__, "ok": self.ok}


def _check_file(file: CachedFile, local: Path) -> str | None:
    return _resolve.damage(file, local, parse_footer=True)


def verify_cache(
    repo: str | None = None, *, configs: Sequence[str] | None = None, splits: Sequence[str] = ()
) -> list[FileCheck]:
    """Re-check every cached file: its recorded size and its Parquet footer.

    Parameters
    ----------
    repo, configs, splits
        As in :func:`list_entries`.

    Returns
    -------
    list[FileCheck]
        One per cached file, and one per malformed manifest. A damaged file is
        removed and fetched again by the next load that needs it.

    Examples
    --------
    >>> verify_cache("me/nothing-cached")
    []
    """
    if repo is not None:
        _validate.repo_id(repo)
    checks: list[FileCheck] = []
    for m in _manifests(repo):
        if not _matches(m, configs, splits):
            continue
        if m.files is None:
            checks.append(FileCheck(m.repo, m.sha, m.config, m.split, "", str(m.path), m.problem))
            continue
        for file in m.files:
            local = file.local_path(m.repo)
            problem = _check_file(file, local)
            checks.append(
                FileCheck(m.repo, m.sha, m.config, m.split, file.path, str(local), problem)
            )
    return checks
