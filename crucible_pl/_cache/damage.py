"""Damage checks: is a cached file still whole, and what to do when it is not.

A cached file can be cut short by a full disk, padded or overwritten by another
program, or deleted by hand. The checks here are cheap by design (a ``stat`` and two
small reads, about 20 µs a file), so every warm load runs them; a damaged file is
removed, so the next load fetches or rebuilds it, never reads it as complete. A full
checksum runs only when a file is downloaded (:mod:`crucible_pl._hub.client`) and in
``cache verify`` (``hash_contents=True``): see docs/reliability.md for what each catches.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> from crucible_pl._cache.damage import damage
>>> from crucible_pl._cache.manifests import CachedFile
>>> local = Path(tempfile.mkdtemp()) / "x.parquet"
>>> _ = local.write_bytes(b"PAR1 not really")
>>> damage(CachedFile("x.parquet", "0" * 40, False, 1, size=3), local)
'it is 15 bytes long, not the 3 bytes it had when cached'
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import stat
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from crucible_pl._files.parquet import check_parquet, parquet_row_count
from crucible_pl.errors import CacheChangedError, CrucibleError, DataFormatError

from . import manifests
from .manifests import CachedFile, NormalizedSplit, SplitFiles

__all__ = ["damage", "reading_cached_files", "sha256_of", "usable_normalized", "usable_split"]

logger = logging.getLogger(__name__)

_SHA256 = re.compile(r"[0-9a-f]{64}")
_SHA1 = re.compile(r"[0-9a-f]{40}")


def damage(
    file: CachedFile, local: Path, *, parse_footer: bool = False, hash_contents: bool = False
) -> str | None:
    """Why a cached Parquet file cannot be used as complete, or None when it looks intact.

    The recorded size, then the magic bytes and footer length: it catches files cut
    short, padded or overwritten at either end, not a byte changed in the middle.
    ``parse_footer=True`` also parses the footer and compares its row count with the
    recorded one (about 1 ms); ``hash_contents=True`` also hashes a downloaded file
    against the checksum its blob is named after (sha256 or git blob sha1), which
    catches any changed byte (``cache verify``; about 2 s a GB).
    """
    try:
        found = os.stat(local)
    except OSError:
        return "it is missing"
    if not stat.S_ISREG(found.st_mode):
        return "it is not a regular file"
    size = found.st_size
    if file.size is not None and size != file.size:
        return f"it is {size} bytes long, not the {file.size} bytes it had when cached"
    try:
        check_parquet(local, parse_footer=parse_footer, size=size)
        if parse_footer and (rows := parquet_row_count(local)) != file.rows:
            return f"its footer holds {rows} rows, not the {file.rows} its manifest records"
        if hash_contents:
            return _hash_mismatch(file, local)
    except (DataFormatError, OSError) as err:
        return str(err)
    return None


def _hash_mismatch(file: CachedFile, local: Path) -> str | None:
    """Why a file's bytes do not hash to the digest it was stored under, or None.

    A conversion is checked against the sha256 recorded when it was written. A
    download is checked against the name of the blob it links to: huggingface_hub names
    each blob after its ETag, the sha256 of an LFS file, the git blob sha1 of any other.
    A file with neither (an older manifest, a cache without symlinks) is not checked.
    """
    if file.converted:
        if file.sha256 is None:
            return None
        blob, expected = local, file.sha256
    elif local.is_symlink():
        blob = local.resolve()
        expected = blob.name
    else:
        return None
    if _SHA256.fullmatch(expected):
        digest = hashlib.sha256()
    elif _SHA1.fullmatch(expected):
        digest = hashlib.sha1(usedforsecurity=False)
        digest.update(f"blob {blob.stat().st_size}\0".encode())
    else:
        return None
    if _hexdigest(blob, digest) != expected:
        return (
            f"its content does not hash to {expected[:12]}..., the checksum it was stored "
            "under: a byte changed on disk"
        )
    return None


def usable_split(
    repo: str, sha: str, config: str, split: str
) -> tuple[SplitFiles | None, list[str]]:
    """The split's cached files if all are whole; else None and the damaged files, removed.

    A file that is gone is not counted as damaged: it is simply fetched again.
    """
    split_files = manifests.read_split(repo, sha, config, split)
    if split_files is None:
        return None, []
    damaged: list[str] = []
    gone = False
    for file, local in zip(split_files.files, split_files.local_paths(), strict=True):
        problem = damage(file, local)
        if problem is None:
            continue
        if local.exists() or local.is_symlink():  # only on the rare failing path
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
            gone = True
            logger.info(
                "Cached %s of %s %s/%s is gone; fetching again", file.path, repo, config, split
            )
    if damaged or gone:
        return None, damaged
    return split_files, []


def usable_normalized(
    name: str,
    version: int,
    repo: str,
    sha: str,
    config: str,
    split: str,
    *,
    columns: Sequence[str],
) -> NormalizedSplit | None:
    """A normalized split whose manifest matches ``columns`` and whose file is whole.

    A file written when the spec stored other columns is not used (it is rebuilt); a
    damaged file is removed.
    """
    cached = manifests.read_normalized(name, version, repo, sha, config, split)
    if cached is None or cached.columns != tuple(columns):
        return None
    try:
        if cached.path.stat().st_size != cached.size:
            raise ValueError("size differs from the manifest")
        check_parquet(cached.path, parse_footer=False)
    except (OSError, ValueError) as err:
        logger.warning("Normalized cache %s is damaged (%s); rebuilding it", cached.path, err)
        try:
            cached.path.unlink(missing_ok=True)
        except OSError as unlinking:  # a directory in its place...
            raise manifests.blocked_path(
                unlinking, repo, what=f"the damaged normalized split {config}/{split}"
            ) from unlinking
        return None
    return cached


@contextlib.contextmanager
def reading_cached_files(what: str, **context: str | None) -> Iterator[None]:
    """Turn a file vanishing while ``what`` reads it into a :class:`CacheChangedError`.

    For the places that run a scan themselves (``Dataset`` methods that collect, the
    normalized cache's build): Polars opens the files when the query runs, so a
    ``crucible-pl cache rm`` (or any removal) between the load and the scan surfaces
    there, as a bare ``FileNotFoundError``. A frame the user collects is theirs: it
    raises that ``FileNotFoundError`` itself (see docs/reliability.md).

    Examples
    --------
    >>> import polars as pl
    >>> with reading_cached_files("the rows of me/toy"):
    ...     pl.scan_parquet("/nonexistent/x.parquet").collect()
    Traceback (most recent call last):
    ...
    crucible_pl.errors.CacheChangedError: A file of the rows of me/toy vanished while ...
    """
    try:
        yield
    except CrucibleError:  # a CacheMissError is a FileNotFoundError too, and says more
        raise
    except FileNotFoundError as err:
        raise CacheChangedError(
            f"A file of {what} vanished while it was being read ({err}): another process "
            "changed the cache (crucible-pl cache rm or clean?), or the file was moved. Load "
            "again: files missing from the cache are downloaded (or converted, or normalized) "
            "again.",
            **context,
        ) from err


def sha256_of(path: Path) -> str:
    """The sha256 hex digest of a file, read in 1 MiB chunks.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> path = Path(tempfile.mkdtemp()) / "x"
    >>> _ = path.write_bytes(b"abc")
    >>> sha256_of(path)[:16]
    'ba7816bf8f01cfea'
    """
    return _hexdigest(path, hashlib.sha256())


def _hexdigest(path: Path, digest: Any) -> str:
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return str(digest.hexdigest())
