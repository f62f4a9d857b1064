"""Checks on user- and server-supplied names, made before any network or disk access.

Repo ids, revisions, config names, split names and repo file paths all end up in
URLs and in cache paths, so each is checked against a strict pattern here. A value
that fails raises an :class:`~crucible_pl.errors.InvalidInputError` subclass that
names the value and says what is valid.

Examples
--------
>>> from crucible_pl._validate import repo_id, repo_path
>>> repo_id("openai/gsm8k")
'openai/gsm8k'
>>> repo_path("main/test-00000-of-00001.parquet", repo="openai/gsm8k")
'main/test-00000-of-00001.parquet'
>>> repo_path("../../etc/passwd", repo="openai/gsm8k")
Traceback (most recent call last):
...
crucible_pl.errors.InvalidPathError: Refusing file path '../../etc/passwd' from openai/gsm8k: ...
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from .errors import InvalidInputError, InvalidPathError, InvalidRepoIdError

__all__ = [
    "column_names",
    "config_name",
    "contained_path",
    "is_sha",
    "repo_id",
    "repo_path",
    "revision",
]

# The Hub's own rule: 1-96 chars of [\w.-], no leading/trailing '-' or '.', no '--' or '..'.
_NAME = r"(?!.*(?:--|\.\.))[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,94}[A-Za-z0-9_])?"
_REPO_ID = re.compile(rf"{_NAME}/{_NAME}")
_REVISION = re.compile(r"[A-Za-z0-9_.\-/%]{1,200}")
_CONFIG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-+ ]{0,199}")
_SHA = re.compile(r"[0-9a-f]{40}")
_MAX_PATH = 1024
# Relative, '/'-separated, no empty, '.' or '..' segment, no backslash or NUL, no drive.
_SEGMENT = r"(?!\.\.?(?:/|$))[^/\\\x00]+"
_SAFE_PATH = re.compile(rf"(?![A-Za-z]:){_SEGMENT}(?:/{_SEGMENT})*")


def repo_id(value: object) -> str:
    """Return ``value`` if it is a safe ``owner/name`` Hub repo id, else raise.

    Raises
    ------
    InvalidRepoIdError
        When ``value`` is not a string of the form ``owner/name``.

    Examples
    --------
    >>> repo_id("cais/mmlu")
    'cais/mmlu'
    >>> repo_id("mmlu")
    Traceback (most recent call last):
    ...
    crucible_pl.errors.InvalidRepoIdError: Invalid dataset id 'mmlu': ...
    """
    if not isinstance(value, str) or not _REPO_ID.fullmatch(value):
        raise InvalidRepoIdError(
            f"Invalid dataset id {value!r}: expected 'owner/name' where each part is 1-96 "
            "letters, digits, '-', '_' or '.', not starting or ending with '-' or '.', "
            "or a registered name (see crucible_pl.list_datasets()).",
            dataset=value if isinstance(value, str) else None,
        )
    return value


def is_sha(revision: str) -> bool:
    """Whether ``revision`` is a full commit sha (40 lowercase hex digits).

    Examples
    --------
    >>> is_sha("0" * 40), is_sha("main")
    (True, False)
    """
    return _SHA.fullmatch(revision) is not None


def revision(value: object, *, dataset: str | None = None) -> str:
    """Return ``value`` if it is a plausible branch, tag or commit name, else raise.

    Examples
    --------
    >>> revision("refs/convert/parquet")
    'refs/convert/parquet'
    >>> revision("../main")
    Traceback (most recent call last):
    ...
    crucible_pl.errors.InvalidInputError: Invalid revision '../main': ...
    """
    bad = (
        not isinstance(value, str)
        or not _REVISION.fullmatch(value)
        or ".." in value
        or value.startswith("/")
        or value.endswith("/")
    )
    if bad:
        raise InvalidInputError(
            f"Invalid revision {value!r}: expected a branch name, a tag or a 40-character "
            "commit sha made of letters, digits, '-', '_', '.' and '/' (no '..').",
            dataset=dataset,
            revision=value if isinstance(value, str) else None,
        )
    assert isinstance(value, str)
    return value


def config_name(value: object, *, dataset: str | None = None) -> str:
    """Return ``value`` if it is a well-formed config name, else raise.

    Examples
    --------
    >>> config_name("ARC-Challenge")
    'ARC-Challenge'
    >>> config_name("a/b")
    Traceback (most recent call last):
    ...
    crucible_pl.errors.InvalidInputError: Invalid config name 'a/b' ...
    """
    if not isinstance(value, str) or not _CONFIG.fullmatch(value) or ".." in value:
        raise InvalidInputError(
            f"Invalid config name {value!r} for {dataset or 'the dataset'}: expected 1-200 "
            "letters, digits, '-', '_', '.', '+' or spaces, without '/' or '..'.",
            dataset=dataset,
            config=value if isinstance(value, str) else None,
        )
    return value


def repo_path(value: object, *, repo: str) -> str:
    """Return ``value`` if it is a relative path that stays inside the repo, else raise.

    Used on every file path a server lists before it is downloaded or cached.

    Raises
    ------
    InvalidPathError
        For absolute paths, ``..`` segments, backslashes, NUL bytes or empty segments.
    """
    ok = isinstance(value, str) and len(value) <= _MAX_PATH and _SAFE_PATH.fullmatch(value)
    if not ok:
        raise InvalidPathError(
            f"Refusing file path {value!r} from {repo}: paths must be relative, use '/' "
            "separators and stay inside the repository (no '..', no absolute paths).",
            dataset=repo,
        )
    assert isinstance(value, str)
    return value


def contained_path(base: Path, relative: str, *, repo: str) -> Path:
    """Join ``relative`` under ``base`` and check the result cannot leave ``base``.

    Examples
    --------
    >>> from pathlib import Path
    >>> contained_path(Path("/cache"), "a/b.parquet", repo="o/n").as_posix()
    '/cache/a/b.parquet'
    """
    repo_path(relative, repo=repo)
    target = base.joinpath(*relative.split("/"))
    resolved_base = base.resolve()
    if not target.resolve().is_relative_to(resolved_base):
        raise InvalidPathError(
            f"Refusing file path {relative!r} from {repo}: it resolves outside {base}.",
            dataset=repo,
        )
    return target


def column_names(value: object, *, dataset: str | None = None) -> list[str] | None:
    """Return ``value`` as a list of column names, or ``None``; raise on anything else.

    Examples
    --------
    >>> column_names(["question", "answer"])
    ['question', 'answer']
    >>> column_names("question")
    Traceback (most recent call last):
    ...
    crucible_pl.errors.InvalidInputError: columns= must be a list of column names ...
    """
    if value is None:
        return None
    if (
        isinstance(value, (str, bytes))
        or not isinstance(value, Sequence)
        or not value
        or not all(isinstance(c, str) and c for c in value)
    ):
        raise InvalidInputError(
            f"columns= must be a list of column names such as ['question', 'answer'], "
            f"got {value!r}.",
            dataset=dataset,
        )
    names = list(value)
    if len(set(names)) != len(names):
        dupes = sorted({c for c in names if names.count(c) > 1})
        raise InvalidInputError(
            f"columns= names {', '.join(dupes)} more than once; name each column once.",
            dataset=dataset,
        )
    return names
