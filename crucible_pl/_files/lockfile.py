"""The ``crucible.lock`` file: pinned eval suites, as small diffable TOML.

One ``[[dataset]]`` table per locked (name, config, split): the revision asked for, the
commit sha it resolved to, the endpoint, and every data file with its commit, size and
content hash (the Hub's: ``sha256:`` for LFS files, ``git-sha1:`` otherwise). Written by
``crucible-pl lock`` / :func:`crucible_pl.lock`, read by loads given ``lock=`` (or
``CRUCIBLE_PL_LOCK``), ``crucible-pl sync`` and ``crucible-pl lock --check``.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> from crucible_pl._files.lockfile import LockedDataset, LockedFile, read_lock, write_lock
>>> entry = LockedDataset(
...     name="gsm8k", repo="openai/gsm8k", config="main", split="test", revision="main",
...     sha="a" * 40, endpoint="https://huggingface.co",
...     files=(LockedFile("main/test-00000-of-00001.parquet", "a" * 40, 10, "sha256:" + "b" * 64),),
... )
>>> path = Path(tempfile.mkdtemp()) / "crucible.lock"
>>> write_lock(path, [entry])
>>> read_lock(path) == (entry,)
True
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crucible_pl.errors import LockFileError

from .atomic import write_text

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = ["FORMAT", "LockedDataset", "LockedFile", "read_lock", "write_lock"]

FORMAT = 1
_SHA = re.compile(r"[0-9a-f]{40}")
_HASH = re.compile(r"(sha256:[0-9a-f]{64}|git-sha1:[0-9a-f]{40})")
_DATASET_KEYS = {"name", "repo", "config", "split", "revision", "sha", "endpoint", "files"}
_FILE_KEYS = {"path", "sha", "size", "hash"}


@dataclass(frozen=True)
class LockedFile:
    """One data file of a locked split: repo path, its commit, size and content hash."""

    path: str
    sha: str
    size: int
    hash: str


@dataclass(frozen=True)
class LockedDataset:
    """One locked (name, config, split) and the files it is made of."""

    name: str
    repo: str
    config: str
    split: str
    revision: str
    sha: str
    endpoint: str
    files: tuple[LockedFile, ...]

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.name, self.config, self.split)


def write_lock(path: Path, entries: Sequence[LockedDataset]) -> None:
    """Write ``entries`` to ``path`` (atomically), sorted by name, config and split."""
    lines = [
        "# crucible.lock: written by `crucible-pl lock`. Loads given lock= (or",
        "# CRUCIBLE_PL_LOCK) use these commits and check these files; `crucible-pl sync`",
        "# downloads them; `crucible-pl lock --check` reports drift from the Hub.",
        f"version = {FORMAT}",
    ]
    for entry in sorted(entries, key=lambda e: e.key):
        lines += ["", "[[dataset]]"]
        for key in ("name", "repo", "config", "split", "revision", "sha", "endpoint"):
            lines.append(f"{key} = {_string(getattr(entry, key))}")
        for file in entry.files:
            lines += ["", "[[dataset.files]]"]
            lines.append(f"path = {_string(file.path)}")
            lines.append(f"sha = {_string(file.sha)}")
            lines.append(f"size = {file.size}")
            lines.append(f"hash = {_string(file.hash)}")
    write_text(Path(path), "\n".join(lines) + "\n")


def read_lock(path: Path) -> tuple[LockedDataset, ...]:
    """The entries of the lock file at ``path``; :class:`LockFileError` when malformed."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise LockFileError(
            f"Lock file {str(path)!r} does not exist. Write one with `crucible-pl lock "
            "NAME[:CONFIG[:SPLIT]]...` or pass the path of an existing crucible.lock.",
            path=str(path),
        ) from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise LockFileError(
            f"Lock file {str(path)!r} is not valid TOML ({err}). Write it again with "
            "`crucible-pl lock`.",
            path=str(path),
        ) from None
    if data.get("version") != FORMAT:
        raise LockFileError(
            f"Lock file {str(path)!r} has version {data.get('version')!r}; this crucible-pl "
            f"reads version {FORMAT}. Write it again with `crucible-pl lock`.",
            path=str(path),
        )
    unknown = sorted(set(data) - {"version", "dataset"})
    if unknown:
        raise _bad(path, f"unknown top-level key(s) {', '.join(unknown)}")
    raw = data.get("dataset", [])
    if not isinstance(raw, list):
        raise _bad(path, "'dataset' must be an array of tables ([[dataset]])")
    entries = tuple(_entry(path, index, item) for index, item in enumerate(raw))
    keys = [e.key for e in entries]
    repeated = sorted({k for k in keys if keys.count(k) > 1})
    if repeated:
        raise _bad(path, f"{':'.join(repeated[0])} is locked more than once")
    return entries


def _entry(path: Path, index: int, item: Any) -> LockedDataset:
    where = f"dataset #{index + 1}"
    if not isinstance(item, dict):
        raise _bad(path, f"{where} is not a table")
    _check_keys(path, where, item, _DATASET_KEYS)
    for key in _DATASET_KEYS - {"files"}:
        if not isinstance(item[key], str) or not item[key]:
            raise _bad(path, f"{where}: {key} must be a non-empty string")
    if not _SHA.fullmatch(item["sha"]):
        raise _bad(path, f"{where}: sha {item['sha']!r} is not a 40-hex commit sha")
    files = item["files"]
    if not isinstance(files, list) or not files:
        raise _bad(path, f"{where}: files must be a non-empty array of tables")
    return LockedDataset(
        name=item["name"],
        repo=item["repo"],
        config=item["config"],
        split=item["split"],
        revision=item["revision"],
        sha=item["sha"],
        endpoint=item["endpoint"],
        files=tuple(_file(path, f"{where}, file #{i + 1}", f) for i, f in enumerate(files)),
    )


def _file(path: Path, where: str, item: Any) -> LockedFile:
    if not isinstance(item, dict):
        raise _bad(path, f"{where} is not a table")
    _check_keys(path, where, item, _FILE_KEYS)
    name, sha, size, digest = item["path"], item["sha"], item["size"], item["hash"]
    if not isinstance(name, str) or not name or ".." in name.split("/") or name.startswith("/"):
        raise _bad(path, f"{where}: path {name!r} is not a repo path")
    if not isinstance(sha, str) or not _SHA.fullmatch(sha):
        raise _bad(path, f"{where}: sha {sha!r} is not a 40-hex commit sha")
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise _bad(path, f"{where}: size {size!r} is not a non-negative integer")
    if not isinstance(digest, str) or not _HASH.fullmatch(digest):
        raise _bad(
            path, f"{where}: hash {digest!r} is not 'sha256:<64 hex>' or 'git-sha1:<40 hex>'"
        )
    return LockedFile(name, sha, size, digest)


def _check_keys(path: Path, where: str, item: Mapping[str, Any], keys: set[str]) -> None:
    missing, unknown = sorted(keys - set(item)), sorted(set(item) - keys)
    if missing or unknown:
        parts = [f"missing {', '.join(missing)}"] if missing else []
        parts += [f"unknown {', '.join(unknown)}"] if unknown else []
        raise _bad(path, f"{where}: {'; '.join(parts)}")


def _bad(path: Path, what: str) -> LockFileError:
    return LockFileError(
        f"Lock file {str(path)!r} is malformed: {what}. Write it again with `crucible-pl lock`.",
        path=str(path),
    )


def _string(value: str) -> str:
    # A JSON string (ASCII, escaped) is a valid TOML basic string.
    return json.dumps(value, ensure_ascii=True)
