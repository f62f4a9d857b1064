"""What is cached, entry by entry: listing and verifying, from the split manifests.

An entry is one split manifest (``<sha>/splits/<config>/<split>.json``, see
:mod:`crucible_pl._cache.paths`) together with the files it uses: our converted Parquet
files and the Hugging Face cache files (snapshot link and blob) of its repo files.
``crucible-pl cache ls`` and ``cache verify`` format what these functions return;
removal is :mod:`crucible_pl._cache.admin`.

Examples
--------
>>> from crucible_pl._cache import entries
>>> entries.list_entries("me/nothing-cached"), entries.verify_cache("me/nothing-cached")
([], [])
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from crucible_pl import _validate

from . import manifests, paths
from .damage import damage
from .manifests import CachedFile, ManifestError

__all__ = ["CacheEntry", "FileCheck", "list_entries", "total_bytes", "verify_cache"]

logger = logging.getLogger(__name__)

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


def _repos_on_disk() -> list[str]:
    root = paths.manifests_root()
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
    try:
        split_files = manifests.parse_split(path, repo=repo, sha=sha, config=config, split=split)
    except ManifestError as err:
        return _Manifest(path, repo, sha, config, split, None, str(err))
    return _Manifest(path, repo, sha, config, split, split_files.files)


def _manifests(repo: str | None = None) -> Iterator[_Manifest]:
    """Every split manifest, of ``repo`` or of all repos, sorted by repo, sha, config, split."""
    for name in [repo] if repo is not None else _repos_on_disk():
        base = paths.manifest_dir(name)
        if not base.is_dir():
            continue
        for sha_dir in sorted(base.iterdir()):
            if not (_validate.is_sha(sha_dir.name) and sha_dir.is_dir()):
                continue
            splits = sha_dir / "splits"
            if not splits.is_dir():
                continue
            for path in sorted(splits.glob("*/*.json")):
                if path.is_file() and not path.is_symlink():
                    yield _read_manifest(path, name, sha_dir.name)


def _local_files(manifest: _Manifest) -> list[Path]:
    """Every on-disk path an entry uses: converted Parquet files, then HF cache files."""
    files = manifest.files or ()
    converted = [f.local_path(manifest.repo) for f in files if f.converted]
    return converted + [f.hub_path(manifest.repo) for f in files]


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
    hub = {f.hub_path(manifest.repo) for f in files}
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
        by_sha = revisions.setdefault(manifest.repo, manifests.ref_revisions(manifest.repo))
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
    return damage(file, local, parse_footer=True, hash_contents=True)


def verify_cache(
    repo: str | None = None, *, configs: Sequence[str] | None = None, splits: Sequence[str] = ()
) -> list[FileCheck]:
    """Re-check every cached file: size, Parquet footer and row count, content hash.

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
            if problem is not None and (local.exists() or local.is_symlink()):
                # the warm load's cheap checks may not see this damage: remove the file now,
                # so the next load downloads (or converts) it again instead of trusting it
                file.remove(m.repo)
            checks.append(
                FileCheck(m.repo, m.sha, m.config, m.split, file.path, str(local), problem)
            )
    checks.extend(_normalized_checks(repo, configs, splits))
    return checks


def _normalized_checks(
    repo: str | None, configs: Sequence[str] | None, splits: Sequence[str]
) -> Iterator[FileCheck]:
    """Each normalized split's file: size, footer, row count and recorded sha256.

    A damaged file is removed, so the next load normalizes the split again.
    """
    for meta in paths.normalized_manifests(repo):
        try:
            data, norm = manifests.parse_normalized(meta)
        except ManifestError as err:
            yield FileCheck(repo or "", "", "", "", "", str(meta), str(err))
            continue
        fields = [data.get(k) for k in ("repo", "sha", "config", "split")]
        r, sha, config, split = (f if isinstance(f, str) else "" for f in fields)
        if (configs is not None and config not in configs) or (splits and split not in splits):
            continue
        # a CachedFile carries the size, row count and digest the damage checks compare
        file = CachedFile(f"{meta.stem}.parquet", "0" * 40, True, norm.rows, norm.size, norm.sha256)
        problem = damage(file, norm.path, parse_footer=True, hash_contents=True)
        if problem is not None:
            norm.path.unlink(missing_ok=True)
        yield FileCheck(
            r, sha, config, split, f"normalized {data.get('name')}", str(norm.path), problem
        )
