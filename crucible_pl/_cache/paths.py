"""Every path of the cache: our manifests and files, and the Hugging Face cache's layout.

The Hugging Face cache owns the downloaded blobs. We keep small JSON manifests that
pin a resolution to a commit sha (so a warm load needs no network at all), the Parquet
conversions of JSON/CSV files, and the normalized rows of registered datasets::

    <crucible cache>/manifests/v1/<owner>/<name>/
        refs/<revision>.json                   revision (branch or tag) -> commit sha
        <sha>/layout.json                      configs -> splits -> repo files, at that sha
        <sha>/splits/<config>/<split>.json     files of one split, with row counts
    <crucible cache>/converted/<owner>/<name>/<sha>/<repo path>.parquet
                                               JSON/CSV data files converted once to Parquet
    <crucible cache>/normalized/<name>/v<version>/<owner>/<name>/<sha>/<config>/<split>.*
                                               a registered dataset's canonical rows
                                               (see crucible_pl._load.normalized)
    <HF cache>/datasets--<owner>--<name>/snapshots/<sha>/<repo path>
                                               huggingface_hub's copy of a repo file

No other module builds a cache path. What the manifests hold, and how they are read and
written, is :mod:`crucible_pl._cache.manifests`.

Examples
--------
>>> from crucible_pl._cache import paths
>>> paths.split_path("openai/gsm8k", "0" * 40, "main", "test").parts[-5:]
('gsm8k', '0000000000000000000000000000000000000000', 'splits', 'main', 'test.json')
>>> paths.component("a/b")
'a%2Fb'
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import quote

from crucible_pl import _config, _validate

__all__ = [
    "MANIFEST_FORMAT",
    "component",
    "converted_dir",
    "converted_path",
    "converted_repo_dir",
    "crucible_root",
    "hub_file_path",
    "hub_repo_dir",
    "hub_root",
    "hub_snapshot_dir",
    "layout_path",
    "manifest_dir",
    "manifests_root",
    "normalized_manifests",
    "normalized_paths",
    "normalized_repo_dirs",
    "ref_path",
    "refs_dir",
    "remove_hub_file",
    "split_path",
]

logger = logging.getLogger(__name__)

MANIFEST_FORMAT = 1


def component(name: str) -> str:
    """A single, safe path component for a config, split or revision name."""
    return quote(name, safe="")


def crucible_root() -> Path:
    """Our cache directory (``CRUCIBLE_PL_CACHE``, see :mod:`crucible_pl._config`)."""
    return _config.crucible_cache_dir()


def hub_root() -> Path:
    """huggingface_hub's cache directory (``HF_HUB_CACHE`` / ``HF_HOME``)."""
    return _config.hub_cache_dir()


def manifests_root() -> Path:
    """The directory holding every repo's manifests (one folder per owner)."""
    return crucible_root() / "manifests" / f"v{MANIFEST_FORMAT}"


def manifest_dir(repo: str) -> Path:
    """The manifest directory of a (validated) repo id."""
    owner, name = repo.split("/")
    # manifests_root(), inlined: this runs a few times per warm load
    return _config.crucible_cache_dir().joinpath("manifests", f"v{MANIFEST_FORMAT}", owner, name)


def refs_dir(repo: str) -> Path:
    """The directory of ``repo``'s revision manifests."""
    return manifest_dir(repo) / "refs"


def ref_path(repo: str, revision: str) -> Path:
    """Manifest mapping a branch or tag name to the commit sha it was resolved to."""
    return refs_dir(repo) / f"{component(revision)}.json"


def layout_path(repo: str, sha: str) -> Path:
    """Manifest of every config and split of ``repo`` at commit ``sha``."""
    return manifest_dir(repo) / sha / "layout.json"


def split_path(repo: str, sha: str, config: str, split: str) -> Path:
    """Manifest of the downloaded files of one config and split."""
    return manifest_dir(repo) / sha / "splits" / component(config) / f"{component(split)}.json"


def converted_repo_dir(repo: str) -> Path:
    """The directory of every converted file of ``repo``, at every commit."""
    owner, name = repo.split("/")
    return crucible_root() / "converted" / owner / name


def converted_dir(repo: str, sha: str) -> Path:
    """The folder of the Parquet conversions of ``repo``'s files at commit ``sha``."""
    owner, name = repo.split("/")  # converted_repo_dir, in one join (warm path)
    return _config.crucible_cache_dir().joinpath("converted", owner, name, sha)


def converted_path(repo: str, sha: str, filename: str) -> Path:
    """Where the Parquet conversion of a JSON/CSV repo file is cached."""
    base = converted_dir(repo, sha)
    return base.joinpath(*filename.split("/")).with_name(Path(filename).name + ".parquet")


def normalized_paths(
    name: str, version: int, repo: str, sha: str, config: str, split: str
) -> tuple[Path, Path]:
    """The normalized rows of a registered dataset's split, and their manifest."""
    owner, short = repo.split("/")
    base = _normalized_root() / name / f"v{version}" / owner / short / sha / component(config)
    stem = component(split)
    return base / f"{stem}.parquet", base / f"{stem}.json"


def normalized_repo_dirs(repo: str) -> list[Path]:
    """Every normalized cache directory of ``repo`` (any registered name, any version)."""
    owner, short = repo.split("/")
    return sorted(p for p in _normalized_root().glob(f"*/v*/{owner}/{short}") if p.is_dir())


def normalized_manifests(repo: str | None = None) -> list[Path]:
    """The manifests of every normalized split on disk (of ``repo``, or of every repo)."""
    if repo is None:
        found = _normalized_root().glob("*/v*/*/*/*/*/*.json")
    else:
        found = (p for d in normalized_repo_dirs(repo) for p in d.glob("*/*/*.json"))
    return sorted(p for p in found if p.is_file())


def _normalized_root() -> Path:
    return crucible_root() / "normalized"


def hub_repo_dir(repo: str) -> Path:
    """huggingface_hub's cache folder of dataset ``repo`` (snapshots, blobs, refs)."""
    return hub_root() / ("datasets--" + repo.replace("/", "--"))


def hub_snapshot_dir(repo: str, sha: str) -> Path:
    """huggingface_hub's snapshot folder of dataset ``repo`` at commit ``sha``."""
    folder = "datasets--" + repo.replace("/", "--")
    return _config.hub_cache_dir().joinpath(folder, "snapshots", sha)


def hub_file_path(repo: str, sha: str, filename: str) -> Path:
    """Where huggingface_hub keeps ``filename`` of dataset ``repo`` at commit ``sha``.

    This is the cache's documented layout
    (``datasets--<owner>--<name>/snapshots/<sha>/<path>``); computing it here keeps
    the warm path free of any huggingface_hub import or call.
    """
    folder = "datasets--" + repo.replace("/", "--")  # hub_repo_dir, in one join (warm path)
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
        if blob.is_relative_to(hub_root().resolve()):
            blob.unlink(missing_ok=True)
        else:
            logger.warning("Not following %s: it links outside the HF cache", pointer)
    pointer.unlink(missing_ok=True)
    logger.info("Removed %s of %s@%s from the HF cache", filename, repo, sha[:12])
