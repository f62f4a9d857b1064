"""Resolution: (repo, revision, config, split) -> commit sha -> local Parquet files.

Each step reads its manifest first and goes to the Hub only when the manifest is
missing (or ``refresh=True`` for a branch), so a warm load makes no request:

1. :func:`resolve_sha` — a branch or tag to the commit sha it pointed at when first
   resolved (a 40-hex revision is taken as the sha).
2. :func:`get_layout` — every config and split of the repo at that sha, from the
   card's ``configs:``, else the Hub's file-name conventions, else (for configs or
   splits main does not have) the ``refs/convert/parquet`` branch.
3. :func:`get_split` — the files of one config and split, downloaded through
   huggingface_hub, JSON/CSV converted once to Parquet, with their row counts.

Nothing here builds a LazyFrame; :mod:`crucible_pl._load` does.
"""

from __future__ import annotations

import difflib
import functools
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import _cache, _datafiles, _hub, _scan, _validate
from .errors import (
    CacheMissError,
    ConfigNotFoundError,
    DataFormatError,
    SplitNotFoundError,
)

__all__ = [
    "CachedFile",
    "Layout",
    "SplitFiles",
    "damage",
    "get_layout",
    "get_split",
    "is_sha",
    "resolve_sha",
]

logger = logging.getLogger(__name__)

_SHA = re.compile(r"[0-9a-f]{40}")


def is_sha(revision: str) -> bool:
    """Whether ``revision`` is a full commit sha.

    Examples
    --------
    >>> is_sha("0" * 40), is_sha("main")
    (True, False)
    """
    return _SHA.fullmatch(revision) is not None


def _download_hint(repo: str, config: str | None = None, split: str | None = None) -> str:
    cmd = f"crucible-pl download {repo}"
    if config:
        cmd += f" --config {config}"
    if split:
        cmd += f" --split {split}"
    return (
        f"Run `{cmd}` with network access first (or load it once online), or unset "
        "HF_HUB_OFFLINE / pass offline=False."
    )


def _miss(
    what: str, repo: str, revision: str | None, config: str | None = None, split: str | None = None
) -> CacheMissError:
    return CacheMissError(
        f"{what} is not in the cache and offline mode is on. "
        + _download_hint(repo, config, split),
        dataset=repo,
        config=config,
        split=split,
        revision=revision,
    )


# --------------------------------------------------------------------------- sha


def resolve_sha(
    repo: str, revision: str, *, offline: bool, refresh: bool, token: str | None
) -> tuple[str, _hub.RepoState | None]:
    """The commit sha of ``revision``, and the repo state when it had to be fetched.

    A branch or tag is resolved once and remembered; ``refresh=True`` asks again.
    """
    if is_sha(revision) and not refresh:
        return revision, None
    ref_file = _cache.ref_path(repo, revision)
    if not refresh:
        cached = _cache.read_json(ref_file)
        sha = cached.get("sha") if cached else None
        if isinstance(sha, str) and is_sha(sha):
            return sha, None
    if offline:
        raise _miss(f"{repo}@{revision}", repo, revision)
    state = _hub.repo_state(repo, revision, token=token)
    _cache.write_json(ref_file, {"revision": revision, "sha": state.sha})
    logger.info("Resolved %s@%s to commit %s", repo, revision, state.sha)
    return state.sha, state


# ------------------------------------------------------------------------ layout


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
            "format": _cache.MANIFEST_FORMAT,
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
                str(s): tuple((_manifest_path(p, repo), _manifest_sha(r)) for p, r in files)
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


def _manifest_path(value: object, repo: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"file path {value!r} is not a string")
    return _validate.repo_path(value, repo=repo)  # InvalidPathError is a ValueError


def _manifest_sha(value: object) -> str:
    if not isinstance(value, str) or not is_sha(value):
        raise ValueError(f"revision {value!r} is not a commit sha")
    return value


def _listing(names: Sequence[str], limit: int = 60) -> str:
    if not names:
        return "(none)"
    shown = ", ".join(names[:limit])
    return shown + (f", ... ({len(names) - limit} more)" if len(names) > limit else "")


def _suggest(value: str, names: Sequence[str]) -> str:
    close = difflib.get_close_matches(value, names, n=3, cutoff=0.6)
    return f"Did you mean {' or '.join(repr(c) for c in close)}? " if close else ""


def _configs_from_state(state: _hub.RepoState) -> tuple[str, dict[str, _datafiles.ConfigFiles]]:
    files = [f for f in state.files if _datafiles.is_data_file(f)]
    card_configs = state.card.get("configs")
    from_card = _datafiles.configs_from_card(card_configs, files)
    if from_card is not None:
        return "card", from_card
    return "conventions", _datafiles.configs_from_conventions(files)


def _as_layout_configs(
    configs: Mapping[str, _datafiles.ConfigFiles], sha: str
) -> dict[str, dict[str, tuple[tuple[str, str], ...]]]:
    out: dict[str, dict[str, tuple[tuple[str, str], ...]]] = {}
    for name, cfg in configs.items():
        splits = {s: tuple((p, sha) for p in paths) for s, paths in cfg.splits.items() if paths}
        if splits:
            out[name] = splits
    return out


def _card_summary(card: Mapping[str, Any]) -> dict[str, Any]:
    keep = ("license", "pretty_name", "dataset_info", "configs", "task_categories", "tags")
    return {k: card[k] for k in keep if k in card}


def get_layout(
    repo: str,
    sha: str,
    *,
    offline: bool,
    token: str | None,
    state: _hub.RepoState | None = None,
    want: tuple[str | None, str | None] = (None, None),
) -> Layout:
    """The layout of ``repo`` at ``sha``, from its manifest or built from the Hub.

    ``want`` is the (config, split) about to be loaded: when main lacks it, the
    ``refs/convert/parquet`` branch is consulted once and merged into the layout.
    """
    path = _cache.layout_path(repo, sha)
    data = _cache.read_json(path)
    layout: Layout | None = None
    if data is not None:
        try:
            layout = Layout.from_json(data)
            if (layout.repo, layout.sha) != (repo, sha):
                raise ValueError(f"it describes {layout.repo}@{layout.sha}")
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            logger.warning("Ignoring malformed layout manifest %s (%s)", path, err)
            layout = None
    if layout is None:
        if offline:
            raise _miss(f"The file layout of {repo}@{sha[:12]}", repo, sha)
        if state is None or state.sha != sha:
            state = _hub.repo_state(repo, sha, token=token)
        source, configs = _configs_from_state(state)
        layout_configs = _as_layout_configs(configs, sha)
        default = _datafiles.default_config(configs) if layout_configs else None
        if default is not None and default not in layout_configs:
            default = None
        layout = Layout(
            repo=repo,
            sha=sha,
            source=source,
            configs=layout_configs,
            default_config=default,
            card=_card_summary(state.card),
        )
        if not layout_configs:
            layout = _merge_convert(layout, token=token)
        _cache.write_json(path, layout.to_json())
    if not offline and not layout.convert_checked and _missing(layout, *want):
        layout = _merge_convert(layout, token=token)
        _cache.write_json(path, layout.to_json())
    return layout


def _missing(layout: Layout, config: str | None, split: str | None) -> bool:
    if config is None:
        return layout.default_config is None and not layout.configs
    if config not in layout.configs:
        return True
    return split is not None and split not in layout.configs[config]


def _merge_convert(layout: Layout, *, token: str | None) -> Layout:
    """Add the configs and splits that only the ``refs/convert/parquet`` branch has."""
    from .errors import RevisionNotFoundError

    try:
        state = _hub.repo_state(layout.repo, _hub.CONVERT_BRANCH, token=token)
    except RevisionNotFoundError:
        logger.info("%s has no %s branch", layout.repo, _hub.CONVERT_BRANCH)
        return Layout(**{**layout.__dict__, "convert_checked": True})
    convert = _datafiles.configs_from_convert_branch(
        [f for f in state.files if _datafiles.is_data_file(f)]
    )
    merged = {c: dict(s) for c, s in layout.configs.items()}
    for name, splits in _as_layout_configs(convert, state.sha).items():
        target = merged.setdefault(name, {})
        for split, files in splits.items():
            target.setdefault(split, files)
    default = layout.default_config
    if default is None:
        default = _datafiles.default_config(
            {n: _datafiles.ConfigFiles(n, {}, default=False) for n in merged}
        )
    logger.info("Merged %s of %s into its layout", _hub.CONVERT_BRANCH, layout.repo)
    return Layout(
        repo=layout.repo,
        sha=layout.sha,
        source=layout.source if layout.configs else "convert",
        configs=merged,
        default_config=default,
        card=layout.card,
        convert_checked=True,
    )


# ------------------------------------------------------------------------- split


@dataclass(frozen=True)
class CachedFile:
    """One data file of a split, as cached: repo path, commit, kind, row count and size.

    ``size`` is the local Parquet file's size in bytes (``None`` in manifests written
    before it was recorded).
    """

    path: str
    revision: str
    converted: bool
    rows: int
    size: int | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any], repo: str) -> CachedFile:
        """One file entry of a split manifest; ``ValueError`` etc. when malformed."""
        rows, size, converted = data["rows"], data.get("size"), data["converted"]
        if not _is_count(rows) or not (size is None or _is_count(size)):
            raise ValueError(f"rows {rows!r} / size {size!r} are not non-negative integers")
        if not isinstance(converted, bool):
            raise TypeError(f"converted {converted!r} is not a boolean")
        return cls(
            _manifest_path(data["path"], repo),
            _manifest_sha(data["revision"]),
            converted,
            rows,
            size,
        )

    def remove(self, repo: str) -> None:
        """Remove the cached file, so that the next load fetches or converts it again."""
        if self.converted:
            self.local_path(repo).unlink(missing_ok=True)
        else:
            _hub.discard_file(repo, self.revision, self.path)

    def local_path(self, repo: str) -> Path:
        if self.converted:
            return _cache.converted_path(repo, self.revision, self.path)
        return _cache.hub_file_path(repo, self.revision, self.path)


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
        return tuple(f.local_path(self.repo) for f in self.files)

    def local_paths(self) -> list[Path]:
        """The local Parquet paths, in order (computed once)."""
        return list(self._paths)


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def damage(file: CachedFile, local: Path, *, parse_footer: bool = False) -> str | None:
    """Why a cached Parquet file cannot be used as complete, or None when it looks intact.

    Cheap by design (a ``stat`` and two small reads, about 20 µs): the recorded size,
    then the magic bytes and footer length. It catches files cut short, padded or
    overwritten at either end; a full checksum runs only when a file is downloaded.
    ``parse_footer=True`` also parses the footer (about 1 ms; ``cache verify``).
    """
    try:
        size = local.stat().st_size
    except OSError:
        return "it is missing"
    if file.size is not None and size != file.size:
        return f"it is {size} bytes long, not the {file.size} bytes it had when cached"
    try:
        _scan.check_parquet(local, parse_footer=parse_footer)
    except (DataFormatError, OSError) as err:
        return str(err)
    return None


def _read_split_manifest(
    path: Path, repo: str, sha: str, config: str, split: str
) -> tuple[SplitFiles | None, list[str]]:
    """The split's cached files, or None (and the damaged files, already removed)."""
    data = _cache.read_json(path)
    if data is None:
        return None, []
    try:
        files = tuple(CachedFile.from_json(f, repo) for f in data["files"])
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        logger.warning("Ignoring malformed split manifest %s (%s)", path, err)
        return None, []
    uniform = data.get("uniform_schema")
    split_files = SplitFiles(
        repo, sha, config, split, files, uniform if isinstance(uniform, bool) else None
    )
    damaged: list[str] = []
    for file, local in zip(files, split_files.local_paths(), strict=True):
        problem = damage(file, local)
        if problem is None:
            continue
        if local.exists() or local.is_symlink():
            logger.warning(
                "Cached %s of %s %s/%s is damaged (%s); removing it to fetch it again",
                file.path,
                repo,
                config,
                split,
                problem,
            )
            file.remove(repo)
            damaged.append(file.path)
        else:
            logger.info(
                "Cached %s of %s %s/%s is gone; fetching again", file.path, repo, config, split
            )
    if damaged or not all(p.is_file() for p in split_files.local_paths()):
        return None, damaged
    return split_files, []


def _checked_parquet(
    repo: str, repo_file: str, revision: str, local: Path, *, token: str | None, where: str
) -> tuple[Path, int]:
    """A downloaded Parquet file whose footer parses, and its row count.

    A file that fails is removed and downloaded once more (it may have been damaged
    after huggingface_hub stored it); a second failure is a :class:`DataFormatError`
    naming the file, and the bad file is not left in the cache.
    """
    try:
        return local, _parquet_rows(local)
    except DataFormatError:
        _hub.discard_file(repo, revision, repo_file)
        logger.warning("%s of %s is not valid Parquet; downloading it once more", repo_file, repo)
    local = _hub.download_files(repo, [(repo_file, revision)], token=token)[0]
    try:
        return local, _parquet_rows(local)
    except DataFormatError as err:
        _hub.discard_file(repo, revision, repo_file)
        raise DataFormatError(
            f"{repo_file} of {repo}@{revision[:12]}{where} is not a valid Parquet file, also "
            f"when downloaded again ({err}). Nothing was cached for it; the file on the Hub is "
            "damaged or not Parquet: pin another revision.",
            dataset=repo,
            revision=revision,
        ) from None


def _parquet_rows(local: Path) -> int:
    _scan.check_parquet(local)
    return _scan.parquet_row_count(local)


def get_split(
    layout: Layout, config: str, split: str, *, offline: bool, token: str | None
) -> SplitFiles:
    """The local Parquet files of one config and split, downloading what is missing."""
    repo, sha = layout.repo, layout.sha
    path = _cache.split_path(repo, sha, config, split)
    cached, damaged = _read_split_manifest(path, repo, sha, config, split)
    if cached is not None:
        return cached
    if offline:
        what = f"{repo} (config {config!r}, split {split!r})"
        if damaged:
            what += f" is damaged in the cache ({', '.join(damaged)} removed) and"
        raise _miss(what, repo, sha, config, split)
    entries = layout.configs[config][split]
    local = _hub.download_files(repo, list(entries), token=token)
    files: list[CachedFile] = []
    where = f" (config {config!r}, split {split!r})"
    for (repo_file, revision), downloaded in zip(entries, local, strict=True):
        fmt, _ = _datafiles.data_format(repo_file)
        converted = fmt != "parquet"
        if converted:
            target = _cache.converted_path(repo, revision, repo_file)
            _scan.convert_to_parquet(downloaded, target)
            try:
                rows = _scan.parquet_row_count(target)
            except DataFormatError as err:
                target.unlink(missing_ok=True)
                raise DataFormatError(
                    f"The Parquet conversion of {repo_file} of {repo}@{revision[:12]} cannot be "
                    f"read ({err}).",
                    dataset=repo,
                    config=config,
                    split=split,
                    revision=revision,
                ) from None
        else:
            target, rows = _checked_parquet(
                repo, repo_file, revision, downloaded, token=token, where=where
            )
        size = target.stat().st_size
        files.append(CachedFile(repo_file, revision, converted, rows, size))
    uniform = _scan.has_uniform_schema([f.local_path(repo) for f in files])
    result = SplitFiles(repo, sha, config, split, tuple(files), uniform)
    _cache.write_json(
        path,
        {
            "format": _cache.MANIFEST_FORMAT,
            "repo": repo,
            "sha": sha,
            "config": config,
            "split": split,
            "files": [f.__dict__ for f in files],
            "uniform_schema": uniform,
        },
    )
    logger.info(
        "Cached %s %s/%s: %d file(s), %d rows", repo, config, split, len(files), result.num_rows
    )
    return result
