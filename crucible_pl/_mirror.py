"""A Hub mirror of what the local caches hold, for ``crucible-pl serve --from-cache``.

One machine with internet fills its caches; the others, air-gapped, point
``HF_ENDPOINT`` at this mirror and load through ``datasets``, ``huggingface_hub`` or
crucible-pl unchanged. The mirror serves dataset repos from the Hugging Face cache
(``HF_HUB_CACHE``: snapshots, blobs and refs, whoever filled it: crucible-pl,
``datasets``, ``hf download``) and takes branch and tag names from our ref manifests
where huggingface_hub recorded none (we download by commit sha, which leaves no ref in
the HF cache).

:func:`build_mirror` lays the caches out as :class:`crucible_pl.testing.LocalHub`
serves them, in a directory of symbolic links (nothing is copied):

- each ref (branch, tag, ``refs/convert/parquet``) points at the snapshot of its sha;
  ``main`` is the ``main`` ref, else the newest snapshot;
- a snapshot no ref names is served as a branch named by its sha, so a load pinned to
  that sha still resolves;
- every ref directory pins its commit sha (``.crucible-commit``), so clients see the
  shas of the Hub the files came from and a lock file written there still matches;
- only files whose blobs are whole are served; a partly downloaded snapshot serves
  what it has;
- a snapshot without its ``README.md`` (crucible-pl reads the card's metadata from the
  repo info, not the file) gets one written from the card metadata our layout manifest
  kept (``configs``, ``dataset_info``, ``license``...), so clients find the same configs.
  Its bytes differ from the original card's; the data files are the original bytes.

Imports: ``_cache`` (paths, manifests), ``_validate``, ``testing`` (the repo layout).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from crucible_pl import _validate
from crucible_pl._cache import manifests, paths
from crucible_pl.errors import InvalidRepoIdError
from crucible_pl.testing._repos import COMMIT_FILE, ref_dir_name

__all__ = ["MirroredRepo", "build_mirror"]

logger = logging.getLogger(__name__)

_PREFIX = "datasets--"


@dataclass(frozen=True)
class MirroredRepo:
    """One dataset repo of the mirror.

    Attributes
    ----------
    repo
        ``owner/name``.
    refs
        Ref name -> the commit sha it serves (``main`` always present).
    files
        Files served, over all refs.
    skipped
        Snapshot entries not served because their blob is missing (partial downloads).
    """

    repo: str
    refs: dict[str, str] = field(default_factory=dict)
    files: int = 0
    skipped: int = 0


def build_mirror(target: Path) -> list[MirroredRepo]:
    """Lay out every cached dataset repo under ``target`` for a LocalHub.

    Parameters
    ----------
    target
        An empty (or new) directory; it receives ``datasets/`` and ``refs/datasets/``.

    Returns
    -------
    list[MirroredRepo]
        The repos laid out, sorted by repo id.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import crucible_pl
    >>> from crucible_pl._mirror import build_mirror
    >>> _ = crucible_pl.load_lazy("openai/gsm8k", "test", config="main").collect()
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     [(m.repo, sorted(m.refs)) for m in build_mirror(Path(tmp))]
    [('openai/gsm8k', ['main'])]
    """
    mirrored = []
    for repo, repo_dir in _cached_repos(paths.hub_root()):
        snapshots = {
            p.name: p
            for p in sorted((repo_dir / "snapshots").glob("*"))
            if p.is_dir() and _validate.is_sha(p.name)
        }
        if not snapshots:
            continue
        refs = _refs(repo, repo_dir, snapshots)
        files = skipped = 0
        for ref, sha in refs.items():
            ref_dir = _ref_dir(target, repo, ref)
            served, missing = _link_snapshot(snapshots[sha], ref_dir, sha)
            files, skipped = files + served, skipped + missing
            if not (ref_dir / "README.md").exists():
                files += _write_card(repo, sha, ref_dir)
        mirrored.append(MirroredRepo(repo, refs, files, skipped))
    return mirrored


def _cached_repos(hub_root: Path) -> Iterator[tuple[str, Path]]:
    """(repo id, HF cache folder) of every dataset repo in the HF cache."""
    if not hub_root.is_dir():
        return
    for folder in sorted(hub_root.glob(f"{_PREFIX}*")):
        parts = folder.name[len(_PREFIX) :].split("--")
        repo = "/".join(parts)
        if len(parts) != 2 or not folder.is_dir() or not _is_repo_id(repo):
            logger.warning("Not mirroring %s: not a dataset repo folder", folder)
            continue
        yield repo, folder


def _is_repo_id(repo: str) -> bool:
    try:
        _validate.repo_id(repo)
    except InvalidRepoIdError:
        return False
    return True


def _refs(repo: str, repo_dir: Path, snapshots: dict[str, Path]) -> dict[str, str]:
    """Ref name -> sha for ``repo``: huggingface_hub's refs, then ours, then bare shas."""
    refs: dict[str, str] = {}
    refs_root = repo_dir / "refs"
    if refs_root.is_dir():
        for path in sorted(p for p in refs_root.rglob("*") if p.is_file()):
            sha = path.read_text(encoding="ascii", errors="replace").strip()
            if sha in snapshots:
                refs[path.relative_to(refs_root).as_posix()] = sha
    for sha, revisions in manifests.ref_revisions(repo).items():
        if sha in snapshots:
            for revision in revisions:
                if not _validate.is_sha(revision):
                    refs.setdefault(revision, sha)
    if "main" not in refs:
        newest = max(snapshots, key=lambda s: (snapshots[s].stat().st_mtime, s))
        logger.info("%s: no cached ref names main; serving the newest snapshot %s", repo, newest)
        refs["main"] = newest
    for sha in snapshots:
        if sha not in refs.values():
            refs[sha] = sha
    return dict(sorted(refs.items(), key=lambda kv: (kv[0] != "main", kv[0])))


def _ref_dir(target: Path, repo: str, ref: str) -> Path:
    if ref == "main":
        return target / "datasets" / repo
    return target / "refs" / "datasets" / repo / ref_dir_name(ref)


def _write_card(repo: str, sha: str, ref_dir: Path) -> int:
    """Write ``README.md`` from the card metadata of our layout manifest; 1 if written.

    Its ``configs`` list, per config, exactly the files of the splits served whole here
    (clients such as ``datasets`` resolve every split of a config before loading one);
    ``dataset_info`` keeps its features and only the splits served.
    """
    layout = manifests.read_layout(repo, sha, any_endpoint=True)
    if layout is None:
        return 0
    configs = []
    served: dict[str, set[str]] = {}
    for config, splits in layout.configs.items():
        data_files = []
        for split, files in splits.items():
            names = [path for path, file_sha in files if file_sha == sha]
            if names and len(names) == len(files) and all((ref_dir / n).is_file() for n in names):
                data_files.append({"split": split, "path": names})
                served.setdefault(config, set()).add(split)
        if data_files:
            entry: dict[str, Any] = {"config_name": config, "data_files": data_files}
            if config == layout.default_config:
                entry["default"] = True
            configs.append(entry)
    if not configs:
        return 0
    card: dict[str, Any] = {k: v for k, v in layout.card.items() if k != "configs"}
    if "dataset_info" in card:
        card["dataset_info"] = _served_info(card["dataset_info"], served)
    card["configs"] = configs
    front = yaml.safe_dump(card, sort_keys=False, allow_unicode=True)
    (ref_dir / "README.md").write_text(f"---\n{front}---\n", encoding="utf-8")
    return 1


def _served_info(info: Any, served: dict[str, set[str]]) -> Any:
    """``dataset_info`` (one mapping or one per config) with only the served splits."""
    if isinstance(info, list):
        return [i for i in (_served_info(one, served) for one in info) if i is not None]
    if not isinstance(info, dict):
        return info
    config = info.get("config_name", "default")
    if config not in served:
        return None
    splits = info.get("splits")
    if isinstance(splits, list):
        info = {**info, "splits": [s for s in splits if s.get("name") in served[config]]}
    return info


def _link_snapshot(snapshot: Path, ref_dir: Path, sha: str) -> tuple[int, int]:
    """Link every whole file of ``snapshot`` into ``ref_dir``; (served, skipped)."""
    served = skipped = 0
    for dirpath, _dirnames, filenames in os.walk(snapshot):
        for filename in filenames:
            entry = Path(dirpath) / filename
            blob = entry.resolve()
            if not blob.is_file():
                skipped += 1
                continue
            link = ref_dir / entry.relative_to(snapshot)
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(blob)
            served += 1
    ref_dir.mkdir(parents=True, exist_ok=True)
    (ref_dir / COMMIT_FILE).write_text(sha + "\n", encoding="ascii")
    return served, skipped
