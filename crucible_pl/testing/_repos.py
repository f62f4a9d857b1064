"""Reading Hub-shaped dataset repos from a directory: refs, commit shas, file oids, cards.

The layout under ``root``::

    root/datasets/<owner>/<name>/<files...>                       branch "main"
    root/refs/datasets/<owner>/<name>/<quote(ref, safe='')>/...   any other ref

A ref directory named ``refs%2Fconvert%2Fparquet`` is the ``refs/convert/parquet``
convert branch, ``refs%2Fpr%2F1`` a pull request, anything else a branch.

Everything here is derived from the files on disk at the time of the call, so a test
may change a repo while a server is running. Content hashes are cached per
``(path, size, mtime_ns)``: a large file is hashed once.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> from crucible_pl.testing._repos import RepoStore, git_blob_oid
>>> tmp = tempfile.TemporaryDirectory()
>>> repo = Path(tmp.name) / "datasets" / "me" / "toy"
>>> repo.mkdir(parents=True)
>>> _ = (repo / "a.txt").write_bytes(b"hello")
>>> ref = RepoStore(tmp.name).resolve("me/toy", "main")
>>> ref.files["a.txt"].blob_oid == git_blob_oid(b"hello")
True
>>> len(ref.sha)
40
>>> tmp.cleanup()
"""

from __future__ import annotations

import copy
import hashlib
import logging
import os
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import cached_property
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote, unquote

import yaml

__all__ = [
    "COMMIT_FILE",
    "CONVERT_PREFIX",
    "LFS_MIN_SIZE",
    "LFS_SUFFIXES",
    "TMP_PREFIX",
    "FileEntry",
    "RefKind",
    "RefState",
    "RepoStore",
    "git_blob_oid",
    "is_lfs",
    "is_valid_repo_id",
    "parse_card",
    "ref_dir_name",
]

logger = logging.getLogger(__name__)

LFS_SUFFIXES = (".parquet", ".arrow", ".gz", ".zst", ".bin", ".safetensors")
LFS_MIN_SIZE = 10 * 1024 * 1024
CONVERT_PREFIX = "refs/convert/"
PR_PREFIX = "refs/pr/"
TMP_PREFIX = ".crucible-tmp-"
# A ref directory may pin its commit sha in this file (a mirror serves the shas of the
# Hub it copies); the file itself is not served. Without it the sha is a content digest.
COMMIT_FILE = ".crucible-commit"
_SKIP_DIRS = frozenset({".git"})
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_SHA_RE = re.compile(r"^[0-9a-f]{40}$")
_CHUNK = 1024 * 1024
# The C build of yaml.safe_load's loader when available: a big card parses 50x faster.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

RefKind = Literal["branch", "convert", "pull_request"]


def is_valid_repo_id(repo_id: str) -> bool:
    """Whether ``repo_id`` is a safe ``owner/name`` (no ``..``, no extra slashes).

    >>> is_valid_repo_id("openai/gsm8k"), is_valid_repo_id("../etc"), is_valid_repo_id("a/b/c")
    (True, False, False)
    """
    parts = repo_id.split("/")
    return len(parts) == 2 and all(_NAME_RE.match(p) and ".." not in p for p in parts)


def ref_dir_name(ref: str) -> str:
    """The directory name a ref is stored under: ``quote(ref, safe='')``.

    >>> ref_dir_name("refs/convert/parquet")
    'refs%2Fconvert%2Fparquet'
    """
    return quote(ref, safe="")


def is_lfs(path: str, size: int) -> bool:
    """Whether the Hub would store ``path`` with Git LFS: a binary suffix or >= 10 MiB.

    >>> is_lfs("data/train.parquet", 10), is_lfs("README.md", 10)
    (True, False)
    """
    return path.endswith(LFS_SUFFIXES) or size >= LFS_MIN_SIZE


def git_blob_oid(content: bytes) -> str:
    """The git blob sha1 of ``content``, as ``git hash-object`` prints it.

    >>> git_blob_oid(b"")
    'e69de29bb2d1d6434b8b29ae775ad8c2e48c5391'
    """
    h = hashlib.sha1(f"blob {len(content)}\0".encode(), usedforsecurity=False)
    h.update(content)
    return h.hexdigest()


def _lfs_pointer(sha256: str, size: int) -> bytes:
    return (
        f"version https://git-lfs.github.com/spec/v1\noid sha256:{sha256}\nsize {size}\n".encode()
    )


def parse_card(text: str) -> dict[str, Any] | None:
    """The YAML front matter of a dataset card, or ``None`` when it has none.

    >>> parse_card("---\\nlicense: mit\\n---\\n# Title\\n")
    {'license': 'mit'}
    """
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or lines[0].strip() != "---":
        return None
    for i, line in enumerate(lines[1:], start=1):
        if line.strip() == "---":
            try:
                data = yaml.load("\n".join(lines[1:i]), Loader=_SAFE_LOADER)
            except yaml.YAMLError as err:
                logger.warning("Ignoring unparsable dataset card YAML: %s", err)
                return None
            return data if isinstance(data, dict) else None
    return None


@dataclass(frozen=True)
class FileEntry:
    """One file of a ref, with the hashes the Hub reports for it."""

    path: str
    size: int
    sha256: str
    content_oid: str
    local_path: Path
    mtime: float

    @property
    def lfs(self) -> bool:
        """Whether the file is stored with Git LFS."""
        return is_lfs(self.path, self.size)

    @property
    def pointer(self) -> bytes:
        """The Git LFS pointer file's content."""
        return _lfs_pointer(self.sha256, self.size)

    @property
    def blob_oid(self) -> str:
        """The git oid: of the LFS pointer for LFS files, of the content otherwise."""
        return git_blob_oid(self.pointer) if self.lfs else self.content_oid

    @property
    def etag(self) -> str:
        """The ETag the Hub serves: sha256 for LFS files, the git blob oid otherwise."""
        return self.sha256 if self.lfs else self.content_oid


@dataclass(frozen=True)
class RefState:
    """A ref (branch, convert or pull request) as it is on disk right now."""

    name: str
    kind: RefKind
    directory: Path
    files: Mapping[str, FileEntry]
    sha: str
    _dir_oids: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    @property
    def ref(self) -> str:
        """The full git ref, e.g. ``refs/heads/main``."""
        return self.name if self.kind != "branch" else f"refs/heads/{self.name}"

    @cached_property
    def directories(self) -> frozenset[str]:
        """Every directory that holds a file, at any depth (the root is ``""``)."""
        dirs = {""}
        for path in self.files:
            parts = path.split("/")[:-1]
            dirs.update("/".join(parts[: i + 1]) for i in range(len(parts)))
        return frozenset(dirs)

    @cached_property
    def last_modified(self) -> str:
        """ISO 8601 UTC time of the newest file, the way the Hub writes it."""
        newest = max((f.mtime for f in self.files.values()), default=0.0)
        stamp = datetime.fromtimestamp(newest, tz=timezone.utc)
        return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"

    def children(self, directory: str) -> list[tuple[str, bool]]:
        """Direct children of ``directory`` as ``(path, is_dir)``, sorted, dirs first."""
        prefix = f"{directory}/" if directory else ""
        found: dict[str, bool] = {}
        for path in self.files:
            if path.startswith(prefix):
                head, sep, _ = path[len(prefix) :].partition("/")
                found[prefix + head] = bool(sep)
        return sorted(found.items(), key=lambda kv: (not kv[1], kv[0]))

    def descendants(self, directory: str) -> list[tuple[str, bool]]:
        """Every file and directory under ``directory``, depth first, dirs before files."""
        out: list[tuple[str, bool]] = []
        for path, is_dir in self.children(directory):
            out.append((path, is_dir))
            if is_dir:
                out.extend(self.descendants(path))
        return out

    def tree_oid(self, directory: str) -> str:
        """The git tree sha1 of ``directory``, computed as git would."""
        if directory in self._dir_oids:
            return self._dir_oids[directory]
        entries: list[tuple[bytes, bytes]] = []
        for path, is_dir in self.children(directory):
            name = path.rsplit("/", 1)[-1]
            if is_dir:
                oid, mode, sort_key = self.tree_oid(path), b"40000", name + "/"
            else:
                oid, mode, sort_key = self.files[path].blob_oid, b"100644", name
            entry = mode + b" " + name.encode() + b"\0" + bytes.fromhex(oid)
            entries.append((sort_key.encode(), entry))
        body = b"".join(e for _, e in sorted(entries))
        h = hashlib.sha1(f"tree {len(body)}\0".encode(), usedforsecurity=False)
        h.update(body)
        self._dir_oids[directory] = h.hexdigest()
        return self._dir_oids[directory]


def _pinned_commit(directory: Path) -> str | None:
    """The sha pinned in ``directory``'s :data:`COMMIT_FILE`, if any (and well formed)."""
    try:
        text = (directory / COMMIT_FILE).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    if _SHA_RE.fullmatch(text):
        return text
    logger.warning("Ignoring %s: not a 40-hex commit sha", directory / COMMIT_FILE)
    return None


class RepoStore:
    """Reads the repos under ``root``; safe to share between threads.

    Parameters
    ----------
    root
        The directory holding ``datasets/`` and ``refs/datasets/``.
    trusted_roots
        Other directories the repos' files may link into (a mirror of a cache links
        into the cache's blobs); a link that leaves ``root`` and these is skipped.
    """

    def __init__(
        self, root: str | os.PathLike[str], *, trusted_roots: tuple[Path, ...] = ()
    ) -> None:
        self.root = Path(root).resolve()
        self.trusted_roots = tuple(Path(t).resolve() for t in trusted_roots)
        self._hashes: dict[tuple[str, int, int], tuple[str, str]] = {}
        self._cards: dict[str, dict[str, Any] | None] = {}
        self._lock = threading.Lock()

    def contains(self, path: Path) -> bool:
        """Whether ``path`` (symlinks resolved) lies inside ``root``."""
        try:
            return path.resolve().is_relative_to(self.root)
        except (OSError, RuntimeError):
            return False

    def may_serve(self, path: Path) -> bool:
        """Whether ``path`` (symlinks resolved) lies inside ``root`` or a trusted root."""
        try:
            resolved = path.resolve()
        except (OSError, RuntimeError):
            return False
        return any(resolved.is_relative_to(r) for r in (self.root, *self.trusted_roots))

    def repo_dir(self, repo_id: str) -> Path | None:
        """The ``main`` directory of ``repo_id``, or ``None`` when the repo does not exist."""
        if not is_valid_repo_id(repo_id):
            return None
        path = self.root / "datasets" / repo_id
        return path if path.is_dir() and self.contains(path) else None

    def exists(self, repo_id: str) -> bool:
        """Whether ``repo_id`` exists (its ``main`` directory does)."""
        return self.repo_dir(repo_id) is not None

    def ref_dirs(self, repo_id: str) -> dict[str, Path]:
        """Ref name -> directory, for every ref of an existing repo (``main`` first)."""
        main = self.repo_dir(repo_id)
        if main is None:
            return {}
        dirs = {"main": main}
        other = self.root / "refs" / "datasets" / repo_id
        if other.is_dir() and self.contains(other):
            for child in sorted(other.iterdir()):
                name = unquote(child.name)
                if name.startswith("refs/heads/"):
                    name = name[len("refs/heads/") :]
                if child.is_dir() and name not in dirs and self.contains(child):
                    dirs[name] = child
        return dirs

    def refs(self, repo_id: str) -> dict[str, RefState]:
        """Ref name -> its current state, for every ref of ``repo_id``."""
        return {name: self._load(name, path) for name, path in self.ref_dirs(repo_id).items()}

    def resolve(
        self, repo_id: str, revision: str, tags: Mapping[str, str] | None = None
    ) -> RefState | None:
        """The ref ``revision`` names: a branch, a convert or PR ref, a tag, or a current sha.

        ``tags`` maps tag names to the branch they point at. ``None`` when nothing matches.
        """
        dirs = self.ref_dirs(repo_id)
        tags = tags or {}
        name = revision.removeprefix("refs/heads/")
        if name in dirs:
            return self._load(name, dirs[name])
        tag = revision.removeprefix("refs/tags/")
        if tag in tags and tags[tag] in dirs:
            return self._load(tags[tag], dirs[tags[tag]])
        if _SHA_RE.match(revision):
            for ref_name, path in dirs.items():
                state = self._load(ref_name, path)
                if state.sha == revision:
                    return state
        return None

    def card_data(self, ref: RefState) -> dict[str, Any] | None:
        """The YAML front matter of the ref's ``README.md`` (parsed once per content)."""
        entry = ref.files.get("README.md")
        if entry is None:
            return None
        with self._lock:
            cached = self._cards.get(entry.sha256, False)
        if cached is False:
            text = entry.local_path.read_text(encoding="utf-8", errors="replace")
            cached = parse_card(text)
            with self._lock:
                self._cards[entry.sha256] = cached
        return copy.deepcopy(cached) if isinstance(cached, dict) else None

    def _load(self, name: str, directory: Path) -> RefState:
        files: dict[str, FileEntry] = {}
        for dirpath, dirnames, filenames in os.walk(directory):
            dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS)
            for filename in filenames:
                if filename.startswith(TMP_PREFIX):
                    continue
                local = Path(dirpath) / filename
                if filename == COMMIT_FILE and Path(dirpath) == directory:
                    continue
                if not self.may_serve(local) or not local.is_file():
                    logger.warning("Skipping %s: not a regular file inside the hub root", local)
                    continue
                rel = local.relative_to(directory).as_posix()
                files[rel] = self._entry(rel, local)
        files = dict(sorted(files.items()))
        digest = hashlib.sha1(usedforsecurity=False)
        for path, entry in files.items():
            digest.update(f"{path}\0{entry.size}\0{entry.sha256}\n".encode())
        sha = _pinned_commit(directory) or digest.hexdigest()
        if name.startswith(CONVERT_PREFIX):
            kind: RefKind = "convert"
        elif name.startswith(PR_PREFIX):
            kind = "pull_request"
        else:
            kind = "branch"
        return RefState(name, kind, directory, files, sha)

    def _entry(self, rel: str, local: Path) -> FileEntry:
        st = local.stat()
        key = (str(local), st.st_size, st.st_mtime_ns)
        with self._lock:
            hashes = self._hashes.get(key)
        if hashes is None:
            sha256 = hashlib.sha256()
            sha1 = hashlib.sha1(f"blob {st.st_size}\0".encode(), usedforsecurity=False)
            with local.open("rb") as fh:
                while chunk := fh.read(_CHUNK):
                    sha256.update(chunk)
                    sha1.update(chunk)
            hashes = (sha256.hexdigest(), sha1.hexdigest())
            with self._lock:
                self._hashes[key] = hashes
        return FileEntry(rel, st.st_size, hashes[0], hashes[1], local, st.st_mtime)
