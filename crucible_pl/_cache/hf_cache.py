"""Reading the Hugging Face cache as huggingface_hub lays it out, for offline loads.

Files that ``datasets``, ``hf download`` or ``huggingface_hub.snapshot_download`` put in
the HF cache are usable offline even when crucible-pl never loaded them: the cache keeps
``refs/<revision>`` (the commit a branch or tag was at) and ``snapshots/<sha>/<path>``
(links to the downloaded blobs) for each dataset repo, the same records huggingface_hub's
own offline lookups read. This module reads them (never ``huggingface_hub`` itself, which
only the Hub layer imports): a revision's sha, and a snapshot's whole files and card.

A snapshot holds only what was downloaded. Shards named ``<prefix>-00001-of-00004.<ext>``
say how many there are, so :func:`snapshot_files` also names the shards a partly
downloaded split lacks: a load of that split is then refused (they are not on disk)
instead of returning some of its rows.

Examples
--------
>>> from crucible_pl._cache.hf_cache import missing_shards
>>> missing_shards(["data/train-00000-of-00003.parquet", "data/train-00002-of-00003.parquet"])
['data/train-00001-of-00003.parquet']
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from crucible_pl import _validate

from . import paths

__all__ = ["Snapshot", "missing_shards", "ref_sha", "snapshot_files"]

logger = logging.getLogger(__name__)

_SHARD = re.compile(r"^(?P<head>.*)-(?P<index>\d{5})-of-(?P<total>\d{5})(?P<tail>\.[^/]+)$")


@dataclass(frozen=True)
class Snapshot:
    """What a snapshot of the HF cache holds.

    Attributes
    ----------
    files
        Repo paths of its whole files (links whose blob is there), plus the shards its
        sharded splits lack (:func:`missing_shards`), which are not on disk.
    card
        The YAML front matter of its ``README.md``, when that was downloaded.
    """

    files: tuple[str, ...]
    card: dict[str, Any] | None


def ref_sha(repo: str, revision: str) -> str | None:
    """The commit huggingface_hub recorded for ``revision``, if its snapshot is there."""
    if ".." in revision.split("/") or revision.startswith("/"):
        return None
    path = paths.hub_repo_dir(repo) / "refs" / revision
    try:
        sha = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    if not _validate.is_sha(sha) or not (paths.hub_repo_dir(repo) / "snapshots" / sha).is_dir():
        return None
    return sha


def snapshot_files(repo: str, sha: str) -> Snapshot | None:
    """The files of ``repo``'s snapshot at ``sha``; ``None`` when there is none."""
    root = paths.hub_repo_dir(repo) / "snapshots" / sha
    if not root.is_dir():
        return None
    files = []
    for dirpath, _dirnames, filenames in os.walk(root):
        for name in filenames:
            local = Path(dirpath) / name
            if local.is_file():  # a link to a blob that is there
                files.append(local.relative_to(root).as_posix())
            else:
                logger.info("Skipping %s of %s@%s: its blob is missing", name, repo, sha[:12])
    card = _card(root / "README.md")
    missing = missing_shards(files)
    if missing:
        logger.info("%s@%s lacks %d shard(s) in the HF cache", repo, sha[:12], len(missing))
    return Snapshot(tuple(sorted([*files, *missing])), card)


def missing_shards(files: Sequence[str]) -> list[str]:
    """The shards ``<prefix>-NNNNN-of-MMMMM<ext>`` that ``files`` should have but lack."""
    groups: dict[tuple[str, str, str], set[int]] = {}
    for name in files:
        match = _SHARD.match(name)
        if match:
            key = (match["head"], match["total"], match["tail"])
            groups.setdefault(key, set()).add(int(match["index"]))
    missing = []
    for (head, total, tail), present in sorted(groups.items()):
        for index in range(int(total)):
            if index not in present:
                missing.append(f"{head}-{index:05d}-of-{total}{tail}")
    return missing


def _card(readme: Path) -> dict[str, Any] | None:
    try:
        text = readme.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    if not text.startswith("---"):
        return None
    front, sep, _ = text[3:].partition("\n---")
    if not sep:
        return None
    try:
        data = yaml.safe_load(front)
    except yaml.YAMLError:
        logger.warning("Ignoring the card of %s: its YAML front matter does not parse", readme)
        return None
    return data if isinstance(data, dict) else None
