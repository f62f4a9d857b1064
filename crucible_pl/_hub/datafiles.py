"""Resolve a repo's files into configs -> splits -> data files, as ``datasets`` does.

Three sources of truth, in the order the loader tries them:

1. :func:`configs_from_card`: the dataset card's YAML ``configs:`` block
   (``data_files`` as a string, a list, or a list of ``{split, path}``; ``data_dir``;
   ``default: true``).
2. :func:`configs_from_conventions`: the file-name conventions of ``datasets``
   (``data/{split}-NNNNN-of-NNNNN.*``, directories or file names containing ``train``,
   ``validation``, ``test``... and, failing all that, every file as ``train``) for the
   implicit ``default`` config, plus one config per top-level directory that holds
   split-named files (what ``load_dataset(repo, data_dir=...)`` would read).
3. :func:`configs_from_convert_branch`: the ``refs/convert/parquet`` layout
   ``{config}/{split}/NNNN.parquet``.

Everything here is pure: file lists in, mappings out, no network and no file access.
Patterns are matched on repo-relative POSIX paths with the ``fsspec>=2023.12`` glob
rules ``datasets`` relies on: ``*`` and ``?`` stay within one path segment, ``**`` as a
whole segment spans any number of segments, ``[...]`` is a character class.

Examples
--------
>>> from crucible_pl._hub.datafiles import configs_from_conventions, default_split
>>> files = ["README.md", "data/train-00000-of-00002.parquet",
...          "data/train-00001-of-00002.parquet", "data/test-00000-of-00001.parquet"]
>>> cfg = configs_from_conventions(files)["default"]
>>> dict(cfg.splits)
{'train': ('data/train-00000-of-00002.parquet', 'data/train-00001-of-00002.parquet'),
 'test': ('data/test-00000-of-00001.parquet',)}
>>> default_split(cfg.splits)
'test'
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from crucible_pl._files.formats import data_format, is_data_file
from crucible_pl.errors import DataFormatError

from .globs import has_magic, join_pattern, match_pattern

__all__ = [
    "ConfigFiles",
    "configs_from_card",
    "configs_from_conventions",
    "configs_from_convert_branch",
    "default_config",
    "default_split",
]

logger = logging.getLogger(__name__)

# ---------------------------------------------------------------------------------------
# datasets' conventions (data_files.py), reproduced for fsspec >= 2023.12
# ---------------------------------------------------------------------------------------
_DEFAULT_SPLITS = ("train", "validation", "test")
_SPLIT_KEYWORDS: dict[str, tuple[str, ...]] = {
    "train": ("train", "training"),
    "validation": ("validation", "valid", "dev", "val"),
    "test": ("test", "testing", "eval", "evaluation"),
}
_NON_WORDS_CHARS = "-._ 0-9"
_KEYWORDS_IN_FILENAME_BASE_PATTERNS = ("**/{keyword}[{sep}]*", "**/*[{sep}]{keyword}[{sep}]*")
_KEYWORDS_IN_DIR_NAME_BASE_PATTERNS = (
    "**/{keyword}/**",
    "**/{keyword}[{sep}]*/**",
    "**/*[{sep}]{keyword}/**",
    "**/*[{sep}]{keyword}[{sep}]*/**",
)


def _keyword_patterns(bases: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    return {
        split: tuple(
            base.format(keyword=keyword, sep=_NON_WORDS_CHARS)
            for keyword in _SPLIT_KEYWORDS[split]
            for base in bases
        )
        for split in _DEFAULT_SPLITS
    }


_PATTERNS_SPLIT_IN_DIR_NAME = _keyword_patterns(_KEYWORDS_IN_DIR_NAME_BASE_PATTERNS)
_PATTERNS_SPLIT_IN_FILENAME = _keyword_patterns(_KEYWORDS_IN_FILENAME_BASE_PATTERNS)
_PATTERNS_ALL: dict[str, tuple[str, ...]] = {"train": ("**",)}
# datasets' SPLIT_PATTERN_SHARDED "data/{split}-[0-9]{5}-of-[0-9]{5}*.*", split captured.
_SHARD_SUFFIX = r"-[0-9]{5}-of-[0-9]{5}[^/]*\.[^/]*"
_SPLIT_NAME_RE = re.compile(r"[A-Za-z0-9_.\-]+")
_CONVERT_SHARD_RE = re.compile(r"(?P<config>[^/]+)/(?P<split>[^/]+)/[^/]+\.parquet")

_DATA_FILES_FORMS = """\
Valid forms of data_files in a configs entry:
  data_files: data.csv                      (one split, 'train')
  data_files: [part0/*, part1/*]            (one split, 'train')
  data_files:
    - split: train
      path: data/train-*                    (a path or glob, or a list of them)
    - split: test
      path: [data/test-a.jsonl, data/test-b.jsonl]"""


@dataclass(frozen=True)
class ConfigFiles:
    """The data files of one config, per split.

    Parameters
    ----------
    name
        The config name, e.g. ``"main"`` or ``"default"``.
    splits
        Split name -> sorted, repo-relative data file paths. Split names are the
        Hub's, verbatim (``train_sft``, ``auxiliary_train``...).
    default
        ``True`` when the card marks this config ``default: true``.

    Examples
    --------
    >>> cfg = ConfigFiles("main", {"test": ("main/test-00000-of-00001.parquet",)})
    >>> cfg.splits["test"]
    ('main/test-00000-of-00001.parquet',)
    >>> cfg.default
    False
    """

    name: str
    splits: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    default: bool = False


def _resolve_patterns(
    patterns: Mapping[str, Sequence[str]], files: Sequence[str], base: str = ""
) -> dict[str, tuple[str, ...]]:
    resolved: dict[str, tuple[str, ...]] = {}
    for split, split_patterns in patterns.items():
        matched: set[str] = set()
        for pattern in split_patterns:
            hits = match_pattern(join_pattern(base, pattern), files)
            if not hits and not has_magic(pattern):
                logger.warning("data_files path %r (split %r) is not in the repo", pattern, split)
            matched.update(hits)
        resolved[split] = tuple(sorted(matched))
    return _keep_main_format(resolved)


_FAMILY_PREFERENCE = {"parquet": 3, "json": 2, "csv": 1}


def _family(path: str) -> str:
    fmt = data_format(path)[0]
    return "json" if fmt in ("json", "jsonl") else fmt


def _keep_main_format(splits: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """Keep only the most common format family, as datasets' module inference does."""
    counts = Counter(_family(f) for paths in splits.values() for f in paths)
    if len(counts) <= 1:
        return splits
    main = max(counts, key=lambda fam: (counts[fam], _FAMILY_PREFERENCE[fam]))
    logger.info("Mixed data formats %s: keeping the %s files", dict(counts), main)
    return {split: tuple(f for f in paths if _family(f) == main) for split, paths in splits.items()}


def _sharded_splits(files: Sequence[str], prefix: str) -> dict[str, tuple[str, ...]] | None:
    """``{prefix}{split}-NNNNN-of-NNNNN*.*`` files grouped by verbatim split name."""
    regex = re.compile(re.escape(prefix) + r"(?P<split>[^/]+)" + _SHARD_SUFFIX)
    found: dict[str, list[str]] = {}
    for path in files:
        match = regex.fullmatch(path)
        if match and _SPLIT_NAME_RE.fullmatch(match["split"]):
            found.setdefault(match["split"], []).append(path)
    if not found:
        return None
    order = [s for s in _DEFAULT_SPLITS if s in found] + sorted(set(found) - set(_DEFAULT_SPLITS))
    return {split: tuple(sorted(found[split])) for split in order}


def _convention_splits(
    files: Sequence[str], base: str, *, shards_in_base: bool = False
) -> tuple[dict[str, tuple[str, ...]], bool] | None:
    """datasets' ``get_data_patterns`` under ``base``, resolved.

    Returns the splits and whether they came from split names (False for the
    every-file-is-train fallback), or None when ``base`` holds no data file.
    """
    prefix = f"{base}/" if base else ""
    inside = [f for f in files if f.startswith(prefix)]
    if not inside:
        return None
    sharded = _sharded_splits(inside, prefix + "data/")
    if sharded is None and shards_in_base:
        sharded = _sharded_splits(inside, prefix)
    if sharded is not None:
        return _keep_main_format(sharded), True
    for group in (_PATTERNS_SPLIT_IN_DIR_NAME, _PATTERNS_SPLIT_IN_FILENAME):
        relative = [f[len(prefix) :] for f in inside]
        hits = {
            split: tuple(sorted({prefix + f for p in patterns for f in match_pattern(p, relative)}))
            for split, patterns in group.items()
        }
        hits = {split: paths for split, paths in hits.items() if paths}
        if hits:
            return _keep_main_format(hits), True
    return _keep_main_format({"train": tuple(sorted(inside))}), False


# ---------------------------------------------------------------------------------------
# Public resolution functions
# ---------------------------------------------------------------------------------------


def _bad_configs(problem: str) -> DataFormatError:
    return DataFormatError(
        f"Invalid `configs:` block in the dataset card: {problem}. Each entry needs "
        f"`config_name` and optionally `data_files`, `data_dir` and `default: true`.\n"
        f"{_DATA_FILES_FORMS}\nFix the card's YAML, or pass data files explicitly."
    )


def _card_patterns(name: str, data_files: Any) -> dict[str, list[str]]:
    """datasets' ``sanitize_patterns`` on a card's data_files, validated like its YAML."""
    if isinstance(data_files, str):
        return {"train": [data_files]}
    if not isinstance(data_files, list) or not data_files:
        raise _bad_configs(f"config {name!r} has data_files={data_files!r}")
    if all(isinstance(item, str) for item in data_files):
        return {"train": list(data_files)}
    patterns: dict[str, list[str]] = {}
    for item in data_files:
        path = item.get("path") if isinstance(item, Mapping) else None
        valid_path = isinstance(path, str) or (
            isinstance(path, list) and bool(path) and all(isinstance(p, str) for p in path)
        )
        if not (isinstance(item, Mapping) and set(item) == {"split", "path"} and valid_path):
            raise _bad_configs(f"config {name!r} has the data_files entry {item!r}")
        split = str(item["split"])
        if not _SPLIT_NAME_RE.fullmatch(split):
            raise _bad_configs(
                f"config {name!r} has the split name {split!r} (use letters, digits, _ . -)"
            )
        if split in patterns:
            raise _bad_configs(f"config {name!r} lists split {split!r} twice in data_files")
        patterns[split] = [path] if isinstance(path, str) else [str(p) for p in path or ()]
    return patterns


def configs_from_card(
    card_configs: Sequence[Mapping[str, Any]] | None, files: Sequence[str]
) -> dict[str, ConfigFiles] | None:
    """Resolve a card's YAML ``configs:`` block against the repo's files.

    Parameters
    ----------
    card_configs
        The parsed ``configs`` value of the card's YAML, or ``None``.
    files
        Every repo-relative file path of the revision (non-data files are ignored).

    Returns
    -------
    dict or None
        Config name -> :class:`ConfigFiles`, in card order; ``None`` when there is
        no ``configs`` block. A config without ``data_files`` gets ``datasets``'
        conventions under its ``data_dir`` (or the whole repo). Globs that match no
        data file give an empty split, which is dropped.

    Raises
    ------
    DataFormatError
        When the block is malformed: not a list, an entry without ``config_name``, a
        ``data_files`` in none of the valid forms, a duplicated config or split, or
        more than one ``default: true``.

    Examples
    --------
    >>> card = [{"config_name": "main", "data_files": [
    ...     {"split": "train", "path": "main/train-*"},
    ...     {"split": "test", "path": "main/test-*"}]}]
    >>> files = ["README.md", "main/train-00000-of-00001.parquet",
    ...          "main/test-00000-of-00001.parquet"]
    >>> dict(configs_from_card(card, files)["main"].splits)
    {'train': ('main/train-00000-of-00001.parquet',),
     'test': ('main/test-00000-of-00001.parquet',)}
    """
    if not card_configs:
        return None
    if not isinstance(card_configs, Sequence) or isinstance(card_configs, (str, bytes)):
        raise _bad_configs(f"expected a list of configs, got {card_configs!r}")
    data_files = [f for f in files if is_data_file(f)]
    configs: dict[str, ConfigFiles] = {}
    flagged: list[str] = []
    for entry in card_configs:
        if not isinstance(entry, Mapping):
            raise _bad_configs(f"expected each config to be a mapping, got {entry!r}")
        name = entry.get("config_name")
        if not isinstance(name, str) or not name:
            raise _bad_configs(f"an entry has no string `config_name`: {dict(entry)!r}")
        if name in configs:
            raise _bad_configs(f"config {name!r} is listed twice")
        data_dir = entry.get("data_dir")
        if data_dir is not None and not isinstance(data_dir, str):
            raise _bad_configs(f"config {name!r} has data_dir={data_dir!r}, expected a string")
        base = join_pattern("", data_dir.strip("/")) if data_dir else ""
        if entry.get("data_files") is not None:
            splits = _resolve_patterns(_card_patterns(name, entry["data_files"]), data_files, base)
        else:
            found = _convention_splits(data_files, base)
            splits = found[0] if found else {}
        kept = {split: paths for split, paths in splits.items() if paths}
        if len(kept) < len(splits):
            # Info, not a warning: loading such a split still fails with the splits that exist.
            logger.info(
                "Config %r: splits %s match no data file", name, sorted(set(splits) - set(kept))
            )
        is_default = bool(entry.get("default", False))
        if is_default:
            flagged.append(name)
        configs[name] = ConfigFiles(name, kept, is_default)
    if len(flagged) > 1:
        raise _bad_configs(f"several configs are marked `default: true`: {', '.join(flagged)}")
    return configs


def configs_from_conventions(files: Sequence[str]) -> dict[str, ConfigFiles]:
    """Resolve a repo without a ``configs`` block by ``datasets``' file-name conventions.

    Parameters
    ----------
    files
        Every repo-relative file path of the revision (non-data files are ignored).

    Returns
    -------
    dict
        ``"default"``: ``datasets``' implicit config over the whole repo (omitted when
        the repo has no data file); plus one config per top-level directory holding
        split-named data files, named after the directory, as
        ``load_dataset(repo, data_dir=dir)`` reads it (``{dir}/{split}-NNNNN-of-NNNNN.*``
        shards keep their split names verbatim). ``data/`` is not a config: it is
        ``datasets``' own data directory, which ``"default"`` reads.

    Examples
    --------
    >>> files = ["harmless-base/train.jsonl.gz", "harmless-base/test.jsonl.gz",
    ...          "red-team-attempts/red_team_attempts.jsonl.gz"]
    >>> configs = configs_from_conventions(files)
    >>> sorted(configs)
    ['default', 'harmless-base']
    >>> dict(configs["harmless-base"].splits)
    {'train': ('harmless-base/train.jsonl.gz',), 'test': ('harmless-base/test.jsonl.gz',)}
    """
    data_files = [f for f in files if is_data_file(f)]
    found = _convention_splits(data_files, "")
    if found is None:
        return {}
    configs = {"default": ConfigFiles("default", found[0])}
    top_dirs = sorted({f.split("/", 1)[0] for f in data_files if "/" in f})
    for top in top_dirs:
        # "data" is datasets' own data directory, already read by "default".
        if top.startswith("__") or top in ("default", "data"):
            continue
        in_dir = _convention_splits(data_files, top, shards_in_base=True)
        if in_dir is None or not in_dir[1]:
            continue
        configs[top] = ConfigFiles(top, in_dir[0])
    return configs


def configs_from_convert_branch(files: Sequence[str]) -> dict[str, ConfigFiles]:
    """Resolve the Hub's ``refs/convert/parquet`` branch layout.

    Parameters
    ----------
    files
        The repo-relative file paths of the ``refs/convert/parquet`` revision.

    Returns
    -------
    dict
        Config -> :class:`ConfigFiles` from ``{config}/{split}/NNNN.parquet``; a
        ``{config}/partial-{split}/`` directory (a conversion cut short on a large
        split) serves as split ``{split}`` unless the full one exists.

    Examples
    --------
    >>> files = ["default/train/0000.parquet", "default/train/0001.parquet",
    ...          "default/partial-test/0000.parquet", ".gitattributes"]
    >>> dict(configs_from_convert_branch(files)["default"].splits)
    {'train': ('default/train/0000.parquet', 'default/train/0001.parquet'),
     'test': ('default/partial-test/0000.parquet',)}
    """
    full: dict[str, dict[str, list[str]]] = {}
    partial: dict[str, dict[str, list[str]]] = {}
    for path in files:
        match = _CONVERT_SHARD_RE.fullmatch(path)
        if not match or not is_data_file(path):
            continue
        config, split = match["config"], match["split"]
        target = full
        if split.startswith("partial-"):
            target, split = partial, split[len("partial-") :]
        target.setdefault(config, {}).setdefault(split, []).append(path)
    configs: dict[str, ConfigFiles] = {}
    for config in sorted(set(full) | set(partial)):
        merged = {**partial.get(config, {}), **full.get(config, {})}
        order = [s for s in _DEFAULT_SPLITS if s in merged]
        order += sorted(set(merged) - set(_DEFAULT_SPLITS))
        configs[config] = ConfigFiles(config, {s: tuple(sorted(merged[s])) for s in order})
    return configs


def default_config(configs: Mapping[str, ConfigFiles]) -> str | None:
    """Pick the config to load when the user names none.

    Parameters
    ----------
    configs
        Config name -> :class:`ConfigFiles`.

    Returns
    -------
    str or None
        The config marked ``default: true``, else ``"default"``, else the only config,
        else ``None`` (the user must choose).

    Examples
    --------
    >>> default_config({"main": ConfigFiles("main"), "socratic": ConfigFiles("socratic")})
    >>> default_config({"full": ConfigFiles("full", default=True), "sanitized": ConfigFiles("s")})
    'full'
    """
    flagged = [name for name, cfg in configs.items() if cfg.default]
    if flagged:
        return flagged[0]
    if "default" in configs:
        return "default"
    if len(configs) == 1:
        return next(iter(configs))
    return None


def default_split(splits: Iterable[str]) -> str | None:
    """Pick the split to load when the user names none: the evaluation one.

    Parameters
    ----------
    splits
        The split names of a config.

    Returns
    -------
    str or None
        ``"test"``, else ``"validation"``, else the only split, else ``None``.

    Examples
    --------
    >>> default_split(["train", "validation", "test"])
    'test'
    >>> default_split(["train_sft", "test_sft"]) is None
    True
    """
    names = list(dict.fromkeys(splits))
    for preferred in ("test", "validation"):
        if preferred in names:
            return preferred
    return names[0] if len(names) == 1 else None
