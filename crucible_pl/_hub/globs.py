"""Glob matching on repo paths, with the ``fsspec>=2023.12`` rules ``datasets`` relies on.

``*`` and ``?`` stay within one path segment, ``**`` as a whole segment spans any number
of segments, ``[...]`` is a character class. Used by :mod:`crucible_pl._hub.datafiles`
to resolve a card's ``data_files`` patterns and the Hub's split-name conventions.

Examples
--------
>>> from crucible_pl._hub.globs import match_pattern
>>> match_pattern("data/train-*", ["data/train-0.parquet", "data/x/train-1.parquet"])
['data/train-0.parquet']
"""

from __future__ import annotations

import functools
import posixpath
import re
from collections.abc import Sequence

__all__ = ["glob_to_regex", "has_magic", "join_pattern", "match_pattern"]


def _translate_class(pattern: str, i: int) -> tuple[str, int] | None:
    """Translate the ``[...]`` starting at ``pattern[i]``; None if it is not closed."""
    j = i + 1
    if j < len(pattern) and pattern[j] in "!^":
        j += 1
    if j < len(pattern) and pattern[j] == "]":
        j += 1
    while j < len(pattern) and pattern[j] != "]":
        j += 1
    if j >= len(pattern):
        return None
    body = pattern[i + 1 : j]
    negate = body[:1] in ("!", "^")
    if negate:
        body = body[1:]
    for special in ("\\", "^", "[", "]"):
        body = body.replace(special, "\\" + special)
    # A class never matches the path separator.
    regex = f"[^/{body}]" if negate else f"(?!/)[{body}]"
    return regex, j + 1


@functools.lru_cache(maxsize=1024)
def glob_to_regex(pattern: str) -> re.Pattern[str]:
    """Compile a glob over repo paths to a regex (fsspec >= 2023.12 rules).

    ``*`` matches within one segment, ``?`` one non-``/`` character, ``[...]`` / ``[!...]``
    a character class, and ``**`` as a whole segment any number of segments (zero
    included); a ``**`` glued to other characters spans segments too.

    Parameters
    ----------
    pattern
        The glob, relative to the repo root.

    Returns
    -------
    re.Pattern
        A pattern to use with ``fullmatch``.

    Examples
    --------
    >>> bool(glob_to_regex("**/train[-._ 0-9]*").fullmatch("a/b/train.jsonl.gz"))
    True
    >>> bool(glob_to_regex("main/train-*").fullmatch("main/sub/train-0.parquet"))
    False
    """
    out: list[str] = []
    segments = pattern.split("/")
    last = len(segments) - 1
    for index, segment in enumerate(segments):
        if segment == "**":
            if index == last:
                out.append(".*")  # "a/**" -> anything under a/; "**" -> anything
            else:
                out.append("(?:[^/]+/)*")  # zero or more whole segments
            continue
        i = 0
        while i < len(segment):
            char = segment[i]
            if segment.startswith("**", i):
                out.append(".*")
                i += 2
            elif char == "*":
                out.append("[^/]*")
                i += 1
            elif char == "?":
                out.append("[^/]")
                i += 1
            elif char == "[" and (translated := _translate_class(segment, i)) is not None:
                out.append(translated[0])
                i = translated[1]
            else:
                out.append(re.escape(char))
                i += 1
        if index != last:
            out.append("/")
    return re.compile("".join(out), re.DOTALL)


def has_magic(pattern: str) -> bool:
    return any(char in pattern for char in "*?[")


def _special_parts(path: str) -> int:
    return sum(1 for part in path.split("/")[:-1] if part.startswith("__"))


def match_pattern(pattern: str, files: Sequence[str]) -> list[str]:
    """Files matching one glob; like datasets, ``__*`` dirs only when the glob names them."""
    regex = glob_to_regex(pattern)
    wanted_special = _special_parts(pattern)
    return [f for f in files if regex.fullmatch(f) and _special_parts(f) == wanted_special]


def join_pattern(base: str, pattern: str) -> str:
    """``pattern`` under directory ``base``, as a repo-relative path."""
    joined = posixpath.join(base, pattern) if base else pattern
    while joined.startswith("./"):
        joined = joined[2:]
    return joined.lstrip("/")
