"""The one atomic write: a file appears whole at its path, or not at all.

Every file crucible-pl writes (manifests, converted and normalized Parquet files,
``Dataset.save``) goes through :func:`atomic_path`: the content is written to a hidden
temporary file in the target's directory, synced to disk, renamed onto the target with
``os.replace`` (atomic on POSIX and Windows), and the directory entry is synced too. A
crash, a full disk or an exception leaves either the old file or the new one, never
half of one, and no temporary file behind.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> from crucible_pl._files.atomic import atomic_path, write_text
>>> target = Path(tempfile.mkdtemp()) / "sub" / "note.txt"
>>> write_text(target, "whole")
>>> target.read_text()
'whole'
>>> with atomic_path(target) as tmp:
...     _ = tmp.write_text("half")
...     raise RuntimeError("interrupted")
Traceback (most recent call last):
...
RuntimeError: interrupted
>>> target.read_text(), sorted(p.name for p in target.parent.iterdir())
('whole', ['note.txt'])
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

__all__ = ["atomic_path", "write_text"]


def _fsync(path: Path, *, directory: bool = False) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        if directory:
            return  # not every platform can open a directory; the rename is still atomic
        raise
    try:
        os.fsync(fd)
    except OSError:
        if not directory:
            raise
    finally:
        os.close(fd)


def _read_umask() -> int:
    """The process umask. Reading it means setting it, which is not thread-safe, so it
    is read once, at import (before any thread of ours writes)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_UMASK = _read_umask()


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces ``target`` atomically.

    The temporary file (``.<name>.<random>.tmp``, already created and empty) lies in
    ``target``'s directory, which is created if needed. When the ``with`` block ends
    normally the file is synced and renamed onto ``target``, then the directory is
    synced; when it raises, the temporary file is removed and ``target`` is untouched.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(name)
    # mkstemp creates the file 0600; a cache shared between users needs the mode a plain
    # open() would give (0666 less the umask), as huggingface_hub gives its blobs.
    os.chmod(tmp, 0o666 & ~_UMASK)
    try:
        yield tmp
        _fsync(tmp)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    _fsync(target.parent, directory=True)


def write_text(target: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``target`` atomically."""
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
