"""Files interrupted loads leave behind, and removing them without touching live writes.

Two kinds:

- ours: the hidden temporary file of an atomic write (``.<name>.<random>.tmp``, see
  :mod:`crucible_pl._files.atomic`) anywhere in our cache, left when a process was
  killed mid-write;
- huggingface_hub's: a download's ``*.incomplete`` file in a dataset repo's ``blobs/``
  folder of the HF cache, left when a process was killed mid-download.

Neither is ever taken for data (an atomic write renames only a whole file into place;
huggingface_hub renames an ``.incomplete`` only when the download is complete), so they
only waste disk. A file another live process is still writing is never reported as a
leftover nor removed: our writer holds an exclusive ``flock`` on its temporary file, and
huggingface_hub holds one on ``.locks/<repo folder>/<etag>.lock`` while it downloads
that blob; a file whose lock is held is live. Where ``flock`` does not exist (Windows),
a file counts as a leftover only when unmodified for :data:`MIN_AGE_WITHOUT_LOCKS`.

Examples
--------
>>> import os, tempfile
>>> from pathlib import Path
>>> from crucible_pl._cache import leftovers
>>> os.environ["CRUCIBLE_PL_CACHE"] = tempfile.mkdtemp()
>>> stale = Path(os.environ["CRUCIBLE_PL_CACHE"]) / "manifests" / ".layout.json.k2j4.tmp"
>>> stale.parent.mkdir(parents=True)
>>> _ = stale.write_text("half")
>>> [(f.kind, f.bytes) for f in leftovers.find_leftovers()]
[('temporary file', 4)]
>>> leftovers.remove_leftovers(leftovers.find_leftovers())
4
>>> stale.exists()
False
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import paths

__all__ = ["MIN_AGE_WITHOUT_LOCKS", "Leftover", "find_leftovers", "remove_leftovers"]

logger = logging.getLogger(__name__)

MIN_AGE_WITHOUT_LOCKS = 3600.0
"""Seconds a file must be unmodified to count as left over where flock is unavailable."""

# atomic_path's temporary names: "." + the target's name + "." + mkstemp's random part + ".tmp"
_OUR_TMP = re.compile(r"^\..+\.[A-Za-z0-9_]+\.tmp$")
# huggingface_hub's: "<etag>.incomplete", or "<etag>.<8 hex>.incomplete" (per process)
_HF_INCOMPLETE = re.compile(r"^(?P<etag>[0-9a-f]{40}|[0-9a-f]{64})(\.[0-9a-f]{8})?\.incomplete$")


@dataclass(frozen=True)
class Leftover:
    """One file an interrupted load left behind.

    Attributes
    ----------
    path
        Where it is.
    kind
        ``"temporary file"`` (ours) or ``"incomplete download"`` (huggingface_hub's).
    bytes
        Its size.
    """

    path: Path
    kind: str
    bytes: int

    def to_dict(self) -> dict[str, Any]:
        return {"path": str(self.path), "kind": self.kind, "bytes": self.bytes}


def find_leftovers() -> list[Leftover]:
    """Every leftover file in our cache and in the HF cache's dataset repos (none live)."""
    found = [
        Leftover(path, "temporary file", size)
        for path, size in _files(paths.crucible_root(), _OUR_TMP)
        if not _live(path, lock=path)
    ]
    hub = paths.hub_root()
    for repo_dir in sorted(hub.glob("datasets--*")):
        for path, size in _files(repo_dir / "blobs", _HF_INCOMPLETE):
            match = _HF_INCOMPLETE.match(path.name)
            assert match is not None
            lock = hub / ".locks" / repo_dir.name / f"{match['etag']}.lock"
            if not _live(path, lock=lock):
                found.append(Leftover(path, "incomplete download", size))
    return found


def remove_leftovers(leftovers: Iterable[Leftover]) -> int:
    """Remove the given leftovers that are still not live; return the bytes freed."""
    freed = 0
    for leftover in leftovers:
        again = [f for f in find_leftovers() if f.path == leftover.path]
        if not again:  # gone, or picked up by a live writer since it was listed
            continue
        with contextlib.suppress(FileNotFoundError):
            leftover.path.unlink()
            freed += leftover.bytes
    return freed


def _files(root: Path, pattern: re.Pattern[str]) -> Iterator[tuple[Path, int]]:
    if not root.is_dir():
        return
    for dirpath, _dirnames, filenames in os.walk(root):
        for name in filenames:
            if pattern.match(name):
                path = Path(dirpath) / name
                with contextlib.suppress(OSError):
                    if path.is_file() and not path.is_symlink():
                        yield path, path.stat().st_size


def _live(path: Path, *, lock: Path) -> bool:
    """Whether a process is still writing ``path`` (it holds ``lock``'s flock)."""
    try:
        import fcntl
    except ImportError:  # Windows: no flock; only old files count as left over
        try:
            return time.time() - path.stat().st_mtime < MIN_AGE_WITHOUT_LOCKS
        except OSError:
            return True
    try:
        fd = os.open(lock, os.O_RDONLY)
    except FileNotFoundError:
        return False  # no lock file: nobody holds it
    except OSError:
        return True  # cannot tell: leave the file alone
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)
