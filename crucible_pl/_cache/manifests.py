# Over 500 lines on purpose: the one reader and the one writer of each of the four manifest
# formats live together, as one home for the rule "what a manifest holds" (issue 12).
"""The manifest formats of the cache, each with its one reader and its one writer.

A manifest is a small JSON file that pins a resolution to a commit sha, so a warm load
needs no network (where each lies: :mod:`crucible_pl._cache.paths`):

========== ====================================== =====================================
format     what it holds                          reader / writer
========== ====================================== =====================================
ref        a branch or tag -> its commit sha      :func:`read_ref` / :func:`write_ref`
layout     every config and split of a repo       :func:`read_layout` / :func:`write_layout`
split      the cached files of one split          :func:`read_split` / :func:`write_split`
normalized a registered split's canonical rows    :func:`read_normalized` /
                                                  :func:`write_normalized`
========== ====================================== =====================================

Each format's JSON is built by one ``to_json`` and parsed by one ``from_json``. Every
manifest is written atomically (:func:`crucible_pl._files.atomic.write_text`), so a
reader sees the old manifest or the new one, never half of one. A manifest that cannot
be parsed (edited by hand, truncated by a full disk, pointing outside its repo, not
UTF-8, nested too deep for the JSON parser, unreadable) is treated as absent: it is
logged, and the resolution it held is made again. A manifest path that cannot be
written (a directory in its place) raises :class:`~crucible_pl.errors.FileWriteError`
naming the file and ``crucible-pl cache rm <repo>``; a full disk raises
:class:`~crucible_pl.errors.DiskFullError`.

Examples
--------
>>> from crucible_pl._cache import manifests
>>> sha = "0" * 40
>>> manifests.write_ref("me/toy", "main", sha)
>>> manifests.read_ref("me/toy", "main") == sha
True
>>> manifests.read_ref("me/toy", "v2") is None
True
"""

# Over 500 lines on purpose: the one owner of the four manifest formats (ref, layout,
# split, normalized), each with its one reader and one writer and the shared JSON,
# endpoint and content-digest checks they all go through.
from __future__ import annotations

import difflib
import functools
import hashlib
import json
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crucible_pl import _config, _validate
from crucible_pl._files.atomic import write_text
from crucible_pl.errors import (
    ConfigNotFoundError,
    DiskFullError,
    FileWriteError,
    SplitNotFoundError,
)

from . import paths

__all__ = [
    "CachedFile",
    "Layout",
    "ManifestError",
    "NormalizedSplit",
    "SplitFiles",
    "blocked_path",
    "parse_split",
    "read_layout",
    "read_normalized",
    "read_ref",
    "read_split",
    "ref_revisions",
    "write_layout",
    "write_normalized",
    "write_ref",
    "write_split",
]

logger = logging.getLogger(__name__)

_NORMALIZED_FORMAT = 2


class ManifestError(ValueError):
    """A manifest that is absent or cannot be used; the message says why."""


# What parsing a manifest's JSON into its dataclass raises when the JSON is malformed
# (RecursionError: structures nested deeper than Python's limit).
_MALFORMED = (KeyError, TypeError, ValueError, AttributeError, RecursionError)


# ------------------------------------------------------------------------ JSON


def _read_json(path: Path, *, any_endpoint: bool = False) -> dict[str, Any] | None:
    """A manifest's content, or ``None`` when it is absent or unreadable (logged).

    A manifest written while ``HF_ENDPOINT`` named another Hub is ``None`` too (unless
    ``any_endpoint``): it describes that Hub's data, never this one's. Manifests written
    before the endpoint was recorded count as the public Hub's.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as err:  # a directory in its place, no read permission...
        logger.warning("Ignoring unreadable manifest %s (%s)", path, err)
        return None
    except ValueError:  # not UTF-8
        logger.warning("Ignoring corrupt manifest %s (not UTF-8); resolving again", path)
        return None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: nested deeper than the parser goes
        logger.warning("Ignoring corrupt manifest %s; it will be resolved again", path)
        return None
    if not isinstance(data, dict):
        logger.warning("Ignoring manifest %s: not a JSON object", path)
        return None
    if not any_endpoint and data.get("endpoint", _config.DEFAULT_ENDPOINT) != _config.endpoint():
        logger.info("Ignoring manifest %s: it was written for %s", path, data.get("endpoint"))
        return None
    return data


def _write_json(path: Path, data: Mapping[str, Any], *, repo: str) -> None:
    """Write a manifest, recording the endpoint (``HF_ENDPOINT``) its content came from.

    A path that cannot be written (a directory in its place, no permission) raises a
    :class:`FileWriteError` naming ``crucible-pl cache rm`` for ``repo``.
    """
    content = {**data, "endpoint": _config.endpoint()}
    try:
        write_text(path, json.dumps(content, indent=1, sort_keys=True))
    except DiskFullError:
        raise
    except FileWriteError as err:
        raise FileWriteError(
            f"{err} It is a manifest of {repo}: `crucible-pl cache rm {repo}` removes the "
            "cache of that repo, damaged parts included; the next load rebuilds it.",
            path=err.path,
            dataset=repo,
        ) from err


def _repo_path(value: object, repo: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"file path {value!r} is not a string")
    return _validate.repo_path(value, repo=repo)  # InvalidPathError is a ValueError


def _commit(value: object) -> str:
    if not isinstance(value, str) or not _validate.is_sha(value):
        raise ValueError(f"revision {value!r} is not a commit sha")
    return value


_SHA256 = re.compile(r"[0-9a-f]{64}")


def _content_check(data: Mapping[str, Any]) -> str:
    """A digest of a manifest's content (without its endpoint and the check itself)."""
    content = {k: v for k, v in data.items() if k not in ("check", "endpoint")}
    text = json.dumps(content, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


# ------------------------------------------------------------------------- ref


def read_ref(repo: str, revision: str) -> str | None:
    """The commit sha ``revision`` of ``repo`` was resolved to, or ``None``."""
    data = _read_json(paths.ref_path(repo, revision))
    sha = data.get("sha") if data else None
    return sha if isinstance(sha, str) and _validate.is_sha(sha) else None


def write_ref(repo: str, revision: str, sha: str) -> None:
    """Remember that ``revision`` of ``repo`` is commit ``sha``."""
    _write_json(paths.ref_path(repo, revision), {"revision": revision, "sha": sha}, repo=repo)


def ref_revisions(repo: str) -> dict[str, list[str]]:
    """sha -> the branch or tag names the ref manifests of ``repo`` resolved to it."""
    out: dict[str, list[str]] = {}
    refs = paths.refs_dir(repo)
    if not refs.is_dir():
        return out
    for path in sorted(refs.glob("*.json")):
        data = _read_json(path, any_endpoint=True) or {}
        sha, revision = data.get("sha"), data.get("revision")
        if isinstance(sha, str) and isinstance(revision, str):
            out.setdefault(sha, []).append(revision)
    return out


# ---------------------------------------------------------------------- layout


@dataclass(frozen=True)
class Layout:
    """Every config and split of a repo at one commit.

    ``configs`` maps config -> split -> ``(repo path, commit sha)`` pairs; files from
    the ``refs/convert/parquet`` branch carry that branch's sha.
    """

    repo: str
    sha: str
    source: str
    configs: Mapping[str, Mapping[str, tuple[tuple[str, str], ...]]]
    default_config: str | None
    card: Mapping[str, Any] = field(default_factory=dict)
    convert_checked: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "format": paths.MANIFEST_FORMAT,
            "repo": self.repo,
            "sha": self.sha,
            "source": self.source,
            "default_config": self.default_config,
            "configs": {
                c: {s: [list(f) for f in files] for s, files in splits.items()}
                for c, splits in self.configs.items()
            },
            "card": dict(self.card),
            "convert_checked": self.convert_checked,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Layout:
        """Rebuild a layout from its manifest; ``ValueError`` etc. when it is malformed.

        Every file path must stay inside the repo and every revision be a commit sha:
        a manifest edited to point elsewhere is refused, not followed.
        """
        repo = str(data["repo"])
        configs = {
            str(c): {
                str(s): tuple((_repo_path(p, repo), _commit(r)) for p, r in files)
                for s, files in splits.items()
            }
            for c, splits in data["configs"].items()
        }
        return cls(
            repo=str(data["repo"]),
            sha=str(data["sha"]),
            source=str(data["source"]),
            configs=configs,
            default_config=data.get("default_config"),
            card=dict(data.get("card") or {}),
            convert_checked=bool(data.get("convert_checked", False)),
        )

    def config_names(self) -> list[str]:
        return sorted(self.configs)

    def pick_config(self, config: str | None) -> str:
        """``config`` if the repo has it; the default config when ``None``; else raise."""
        if config is None:
            if self.default_config is not None:
                return self.default_config
            raise ConfigNotFoundError(
                f"{self.repo} has several configs and none is marked default: pass config=. "
                f"Available configs: {_listing(self.config_names())}.",
                dataset=self.repo,
            )
        if config not in self.configs:
            raise ConfigNotFoundError(
                f"Config {config!r} not found in {self.repo}. "
                f"{_suggest(config, self.config_names())}"
                f"Available configs: {_listing(self.config_names())}.",
                dataset=self.repo,
                config=config,
            )
        return config

    def check_split(self, config: str, split: str) -> None:
        splits = sorted(self.configs[config])
        if split not in self.configs[config]:
            raise SplitNotFoundError(
                f"Split {split!r} not found in {self.repo} (config {config!r}). "
                f"{_suggest(split, splits)}Available splits: {_listing(splits)}.",
                dataset=self.repo,
                config=config,
                split=split,
            )


def _listing(names: Sequence[str], limit: int = 60) -> str:
    if not names:
        return "(none)"
    shown = ", ".join(names[:limit])
    return shown + (f", ... ({len(names) - limit} more)" if len(names) > limit else "")


def _suggest(value: str, names: Sequence[str]) -> str:
    close = difflib.get_close_matches(value, names, n=3, cutoff=0.6)
    return f"Did you mean {' or '.join(repr(c) for c in close)}? " if close else ""


def read_layout(repo: str, sha: str, *, any_endpoint: bool = False) -> Layout | None:
    """The layout of ``repo`` at ``sha`` from its manifest; ``None`` if absent or malformed.

    ``any_endpoint``: also a manifest written for another ``HF_ENDPOINT`` (the mirror,
    which serves whatever the caches hold).
    """
    path = paths.layout_path(repo, sha)
    data = _read_json(path, any_endpoint=any_endpoint)
    if data is None:
        return None
    try:
        layout = Layout.from_json(data)
        if (layout.repo, layout.sha) != (repo, sha):
            raise ValueError(f"it describes {layout.repo}@{layout.sha}")
    except _MALFORMED as err:
        logger.warning("Ignoring malformed layout manifest %s (%s)", path, err)
        return None
    return layout


def write_layout(layout: Layout) -> None:
    """Write the layout manifest of ``layout.repo`` at ``layout.sha``."""
    _write_json(paths.layout_path(layout.repo, layout.sha), layout.to_json(), repo=layout.repo)


# ----------------------------------------------------------------------- split


@dataclass(frozen=True)
class CachedFile:
    """One data file of a split, as cached: repo path, commit, kind, row count and size.

    ``size`` is the local Parquet file's size in bytes (``None`` in manifests written
    before it was recorded); ``sha256`` the digest of a conversion, recorded when it was
    written (a downloaded file is checked against the name of its blob instead).
    """

    path: str
    revision: str
    converted: bool
    rows: int
    size: int | None = None
    sha256: str | None = None

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def from_json(cls, data: Mapping[str, Any], repo: str) -> CachedFile:
        """One file entry of a split manifest; ``ValueError`` etc. when malformed."""
        rows, size, converted = data["rows"], data.get("size"), data["converted"]
        if not _is_count(rows) or not (size is None or _is_count(size)):
            raise ValueError(f"rows {rows!r} / size {size!r} are not non-negative integers")
        if not isinstance(converted, bool):
            raise TypeError(f"converted {converted!r} is not a boolean")
        digest = data.get("sha256")
        if digest is not None and not (isinstance(digest, str) and _SHA256.fullmatch(digest)):
            raise ValueError(f"sha256 {digest!r} is not a sha256 hex digest")
        path, revision = _repo_path(data["path"], repo), _commit(data["revision"])
        return cls(path, revision, converted, rows, size, digest)

    def local_path(self, repo: str) -> Path:
        """The local Parquet file: our conversion, or huggingface_hub's copy."""
        if self.converted:
            return paths.converted_path(repo, self.revision, self.path)
        return paths.hub_file_path(repo, self.revision, self.path)

    def hub_path(self, repo: str) -> Path:
        """huggingface_hub's copy of the repo file (the raw file when converted)."""
        return paths.hub_file_path(repo, self.revision, self.path)

    def remove(self, repo: str) -> None:
        """Remove the cached file, so that the next load fetches or converts it again.

        A file that cannot be removed (a directory in its place) is a
        :class:`FileWriteError` naming it and ``crucible-pl cache rm``.
        """
        try:
            if self.converted:
                self.local_path(repo).unlink(missing_ok=True)
            else:
                paths.remove_hub_file(repo, self.revision, self.path)
        except OSError as err:
            raise blocked_path(err, repo, what=f"the damaged cached {self.path}") from err


def blocked_path(err: OSError, repo: str, *, what: str) -> FileWriteError:
    """The error for a damaged cache file that cannot be removed (``err`` says why)."""
    where = str(err.filename) if err.filename else "it"
    reason = "a directory is in its place" if isinstance(err, IsADirectoryError) else err.strerror
    if err.filename and Path(where).is_relative_to(paths.hub_root()):
        fix = f"Delete it by hand (rm -r '{where}')"  # cache rm keeps HF blobs it cannot map
    else:
        fix = f"Remove it with `crucible-pl cache rm {repo}` (or delete it by hand)"
    return FileWriteError(
        f"Cannot remove {what} of {repo} ({where}): {reason}. {fix}, then load again.",
        path=str(err.filename) if err.filename else None,
        dataset=repo,
    )


@dataclass(frozen=True)
class SplitFiles:
    """The cached files of one config and split, in order."""

    repo: str
    sha: str
    config: str
    split: str
    files: tuple[CachedFile, ...]
    uniform_schema: bool | None = None

    @property
    def num_rows(self) -> int:
        return sum(f.rows for f in self.files)

    @functools.cached_property
    def _paths(self) -> tuple[Path, ...]:
        # One base folder per (kind, revision), then one join per file: a split of
        # hundreds of shards is a warm load's main per-file cost otherwise.
        bases: dict[tuple[bool, str], str] = {}
        out = []
        for f in self.files:
            key = (f.converted, f.revision)
            if key not in bases:
                folder = paths.converted_dir if f.converted else paths.hub_snapshot_dir
                bases[key] = str(folder(self.repo, f.revision))
            suffix = ".parquet" if f.converted else ""  # as paths.converted_path names it
            out.append(Path(f"{bases[key]}/{f.path}{suffix}"))
        return tuple(out)

    def local_paths(self) -> list[Path]:
        """The local Parquet paths, in order (computed once)."""
        return list(self._paths)

    def to_json(self) -> dict[str, Any]:
        data = {
            "format": paths.MANIFEST_FORMAT,
            "repo": self.repo,
            "sha": self.sha,
            "config": self.config,
            "split": self.split,
            "files": [f.to_json() for f in self.files],
            "uniform_schema": self.uniform_schema,
        }
        return {**data, "check": _content_check(data)}

    @classmethod
    def from_json(
        cls, data: Mapping[str, Any], *, repo: str, sha: str, config: str, split: str
    ) -> SplitFiles:
        """The split manifest of ``repo``@``sha`` ``config``/``split``; raises when malformed.

        Its ``check`` must match its content: a row count or path edited by hand (or a
        manifest written before the check was recorded) is not trusted, and the split
        is rebuilt from the files' own footers.
        """
        if data.get("check") != _content_check(data):
            raise ValueError("its check does not match its content (edited by hand?)")
        files = tuple(CachedFile.from_json(f, repo) for f in data["files"])
        uniform = data.get("uniform_schema")
        return cls(repo, sha, config, split, files, uniform if isinstance(uniform, bool) else None)


def parse_split(path: Path, *, repo: str, sha: str, config: str, split: str) -> SplitFiles:
    """The split manifest at ``path``; :class:`ManifestError` saying what is wrong with it."""
    data = _read_json(path, any_endpoint=True)
    if data is None:
        raise ManifestError("the manifest is not valid JSON")
    return _split_from_json(data, repo=repo, sha=sha, config=config, split=split)


def _split_from_json(
    data: Mapping[str, Any], *, repo: str, sha: str, config: str, split: str
) -> SplitFiles:
    try:
        return SplitFiles.from_json(data, repo=repo, sha=sha, config=config, split=split)
    except _MALFORMED as err:
        raise ManifestError(f"the manifest is malformed ({err})") from None


def read_split(repo: str, sha: str, config: str, split: str) -> SplitFiles | None:
    """The split manifest of ``config``/``split``; ``None`` when absent or malformed."""
    path = paths.split_path(repo, sha, config, split)
    data = _read_json(path)  # absent: None, without a word; unreadable: logged
    if data is None:
        return None
    try:
        return _split_from_json(data, repo=repo, sha=sha, config=config, split=split)
    except ManifestError as err:
        logger.warning("Ignoring split manifest %s: %s", path, err)
        return None


def write_split(split_files: SplitFiles) -> None:
    """Write the split manifest of ``split_files``."""
    s = split_files
    _write_json(paths.split_path(s.repo, s.sha, s.config, s.split), s.to_json(), repo=s.repo)


# ------------------------------------------------------------------ normalized


@dataclass(frozen=True)
class NormalizedSplit:
    """A split's canonical rows on disk, with the counts a slice and ``len()`` need.

    ``columns`` are the stored columns (the last one the raw row position), ``size``
    the Parquet file's size in bytes when written.
    """

    path: Path
    raw_rows: int
    rows: int
    sources: tuple[str, ...]
    columns: tuple[str, ...]
    size: int
    sha256: str | None = None

    def to_json(
        self, *, name: str, version: int, repo: str, sha: str, config: str, split: str
    ) -> dict[str, Any]:
        return {
            "format": _NORMALIZED_FORMAT,
            "name": name,
            "version": version,
            "repo": repo,
            "sha": sha,
            "config": config,
            "split": split,
            "columns": list(self.columns),
            "raw_rows": self.raw_rows,
            "rows": self.rows,
            "size": self.size,
            "sha256": self.sha256,
            "sources": list(self.sources),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any], path: Path) -> NormalizedSplit:
        """The manifest of the normalized file at ``path``; ``ValueError`` when malformed."""
        if data.get("format") != _NORMALIZED_FORMAT:
            raise ValueError(f"format {data.get('format')!r} is not {_NORMALIZED_FORMAT}")
        raw_rows, rows, size = data.get("raw_rows"), data.get("rows"), data.get("size")
        sources, columns = data.get("sources"), data.get("columns")
        if not (_is_count(raw_rows) and _is_count(rows) and _is_count(size)):
            raise ValueError("row counts and size must be non-negative integers")
        if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
            raise ValueError("sources must be a list of paths")
        if not isinstance(columns, list) or not all(isinstance(c, str) for c in columns):
            raise ValueError("columns must be a list of names")
        assert isinstance(raw_rows, int)
        assert isinstance(rows, int)
        assert isinstance(size, int)
        digest = data.get("sha256")
        if digest is not None and not (isinstance(digest, str) and _SHA256.fullmatch(digest)):
            raise ValueError(f"sha256 {digest!r} is not a sha256 hex digest")
        return cls(path, raw_rows, rows, tuple(sources), tuple(columns), size, digest)


def read_normalized(
    name: str, version: int, repo: str, sha: str, config: str, split: str
) -> NormalizedSplit | None:
    """The manifest of a normalized split; ``None`` when absent or malformed."""
    path, meta_path = paths.normalized_paths(name, version, repo, sha, config, split)
    data = _read_json(meta_path)
    if data is None:
        return None
    try:
        return NormalizedSplit.from_json(data, path)
    except _MALFORMED as err:
        logger.info("Ignoring normalized manifest %s (%s); rebuilding", meta_path, err)
        return None


def parse_normalized(meta_path: Path) -> tuple[dict[str, Any], NormalizedSplit]:
    """A normalized manifest found on disk (any endpoint) and its split; raises when malformed.

    For ``cache verify``: the dict holds the manifest's ``repo``, ``sha``, ``config`` and
    ``split``.
    """
    data = _read_json(meta_path, any_endpoint=True)
    if data is None:
        raise ManifestError("the manifest is not valid JSON")
    try:
        split = NormalizedSplit.from_json(data, meta_path.with_suffix(".parquet"))
    except _MALFORMED as err:
        raise ManifestError(f"the manifest is malformed ({err})") from None
    return data, split


def write_normalized(
    normalized: NormalizedSplit,
    *,
    name: str,
    version: int,
    repo: str,
    sha: str,
    config: str,
    split: str,
) -> None:
    """Write the manifest of a normalized split (after its Parquet file)."""
    _, meta_path = paths.normalized_paths(name, version, repo, sha, config, split)
    data = normalized.to_json(
        name=name, version=version, repo=repo, sha=sha, config=config, split=split
    )
    _write_json(meta_path, data, repo=repo)
