"""Our small on-disk manifests, and where cached data files lie.

The Hugging Face cache owns the downloaded blobs. We keep only JSON manifests that
pin a resolution to a commit sha, so a warm load needs no network at all::

    <crucible cache>/manifests/v1/<owner>/<name>/
        refs/<revision>.json                   revision (branch or tag) -> commit sha
        <sha>/layout.json                      configs -> splits -> repo files, at that sha
        <sha>/splits/<config>/<split>.json     files of one split, with row counts
    <crucible cache>/converted/<owner>/<name>/<sha>/<repo path>.parquet
                                               JSON/CSV data files converted once to Parquet
    <crucible cache>/normalized/<name>/v<version>/<owner>/<name>/<sha>/<config>/<split>.*
                                               a registered dataset's canonical rows
                                               (see crucible_pl._load.normalized)

Every manifest is written atomically (temporary file in the same directory, fsync,
``os.replace``), so a reader sees the old manifest or the new one, never half of one.
A manifest that cannot be parsed (edited by hand, truncated by a full disk) is
treated as absent: it is logged, and the resolution it held is made again.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> from crucible_pl._cache import paths as _cache
>>> root = Path(tempfile.mkdtemp())
>>> path = root / "a" / "b.json"
>>> _cache.write_json(path, {"sha": "0" * 40})
>>> _cache.read_json(path)
{'sha': '0000000000000000000000000000000000000000'}
>>> _cache.read_json(root / "missing.json") is None
True
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import quote

from crucible_pl import _config, _validate

__all__ = [
    "MANIFEST_FORMAT",
    "component",
    "converted_path",
    "hub_file_path",
    "layout_path",
    "manifest_dir",
    "read_json",
    "ref_path",
    "remove_hub_file",
    "split_path",
    "write_json",
]

logger = logging.getLogger(__name__)

MANIFEST_FORMAT = 1


def component(name: str) -> str:
    """A single, safe path component for a config, split or revision name."""
    return quote(name, safe="")


def manifest_dir(repo: str) -> Path:
    """The manifest directory of a (validated) repo id."""
    owner, name = repo.split("/")
    return _config.crucible_cache_dir() / "manifests" / f"v{MANIFEST_FORMAT}" / owner / name


def ref_path(repo: str, revision: str) -> Path:
    """Manifest mapping a branch or tag name to the commit sha it was resolved to."""
    return manifest_dir(repo) / "refs" / f"{component(revision)}.json"


def layout_path(repo: str, sha: str) -> Path:
    """Manifest of every config and split of ``repo`` at commit ``sha``."""
    return manifest_dir(repo) / sha / "layout.json"


def split_path(repo: str, sha: str, config: str, split: str) -> Path:
    """Manifest of the downloaded files of one config and split."""
    return manifest_dir(repo) / sha / "splits" / component(config) / f"{component(split)}.json"


def converted_path(repo: str, sha: str, filename: str) -> Path:
    """Where the Parquet conversion of a JSON/CSV repo file is cached."""
    owner, name = repo.split("/")
    base = _config.crucible_cache_dir() / "converted" / owner / name / sha
    return base.joinpath(*filename.split("/")).with_name(Path(filename).name + ".parquet")


def hub_file_path(repo: str, sha: str, filename: str) -> Path:
    """Where huggingface_hub keeps ``filename`` of dataset ``repo`` at commit ``sha``.

    This is the cache's documented layout
    (``datasets--<owner>--<name>/snapshots/<sha>/<path>``); computing it here keeps
    the warm path free of any huggingface_hub import or call.
    """
    folder = "datasets--" + repo.replace("/", "--")
    return _config.hub_cache_dir().joinpath(folder, "snapshots", sha, *filename.split("/"))


def remove_hub_file(repo: str, sha: str, filename: str) -> None:
    """Remove a file from the HF cache: its snapshot entry and the blob it links to.

    Used on a file found corrupt, so that the next download fetches it afresh
    (huggingface_hub would otherwise link the snapshot to the same blob again). A link
    that leads outside the HF cache is removed without touching its target.
    """
    _validate.repo_path(filename, repo=repo)
    pointer = hub_file_path(repo, sha, filename)
    if pointer.is_symlink():
        blob = pointer.resolve()
        if blob.is_relative_to(_config.hub_cache_dir().resolve()):
            blob.unlink(missing_ok=True)
        else:
            logger.warning("Not following %s: it links outside the HF cache", pointer)
    pointer.unlink(missing_ok=True)
    logger.info("Removed %s of %s@%s from the HF cache", filename, repo, sha[:12])


def read_json(path: Path) -> dict[str, Any] | None:
    """A manifest's content, or ``None`` when it is absent or unreadable."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as err:
        logger.warning("Ignoring unreadable manifest %s (%s)", path, err)
        return None
    try:
        data = json.loads(text)
    except ValueError:
        logger.warning("Ignoring corrupt manifest %s; it will be resolved again", path)
        return None
    if not isinstance(data, dict):
        logger.warning("Ignoring manifest %s: not a JSON object", path)
        return None
    return data


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Write ``data`` as JSON to ``path`` atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=1, sort_keys=True)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
