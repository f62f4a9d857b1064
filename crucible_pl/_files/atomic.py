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
import errno
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import polars as pl

from crucible_pl.errors import DiskFullError, FileWriteError

__all__ = ["atomic_path", "write_text"]

# The errno values that mean "no room": the disk, a quota, a file size limit.
_NO_ROOM = {errno.ENOSPC: "No space left on device", errno.EFBIG: "File too large"}
if hasattr(errno, "EDQUOT"):
    _NO_ROOM[errno.EDQUOT] = "Disk quota exceeded"
# Polars raises a ComputeError with no errno when a write fails; its message ends with
# Rust's io::Error rendering, "... (os error 28)". That code is the only typed fact it
# gives about the cause, so it is read from there (and nothing else from the text).
_OS_ERROR_CODE = re.compile(r"\(os error (\d+)\)")


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
def atomic_path(target: Path, *, needed: int | None = None) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces ``target`` atomically.

    The temporary file (``.<name>.<random>.tmp``, already created and empty) lies in
    ``target``'s directory, which is created if needed. When the ``with`` block ends
    normally the file is synced and renamed onto ``target``, then the directory is
    synced; when it raises, the temporary file is removed and ``target`` is untouched.

    A write that finds no room (``ENOSPC``, ``EDQUOT``, ``EFBIG``, from Python or from a
    Polars writer) raises :class:`~crucible_pl.errors.DiskFullError` naming the directory,
    its free space and ``needed`` (the size to write, when the caller knows it) or what
    was written before it filled. Failing to create, sync or rename the temporary file
    raises :class:`~crucible_pl.errors.FileWriteError`. Other errors of the ``with``
    block (a source that cannot be read...) pass through unchanged.
    """
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        os.close(fd)
        tmp = Path(name)
        # mkstemp creates the file 0600; a cache shared between users needs the mode a
        # plain open() would give (0666 less the umask), as huggingface_hub gives its blobs.
        os.chmod(tmp, 0o666 & ~_UMASK)
    except OSError as err:
        raise _write_error(err, target, None, needed) from err
    # Held while the block writes, so `crucible-pl cache clean` can tell a live write's
    # temporary file from one an interrupted process left (see _cache/leftovers).
    lock = _hold_lock(tmp)
    try:
        yield tmp
    except BaseException as err:
        _release(lock)
        written = _discard(tmp)
        if isinstance(err, OSError | pl.exceptions.PolarsError):
            if (code := _no_room(err)) is not None:
                raise _disk_full(code, target, written, needed) from err
            if isinstance(err, OSError) and _names(err, tmp, target):
                raise _write_error(err, target, written, needed) from err
        raise
    try:
        _fsync(tmp)
        os.replace(tmp, target)
    except BaseException as err:
        _release(lock)
        written = _discard(tmp)
        if isinstance(err, OSError):
            raise _write_error(err, target, written, needed) from err
        raise
    _release(lock)
    _fsync(target.parent, directory=True)


def _hold_lock(path: Path) -> int | None:
    """An exclusive advisory lock (flock) on ``path``, held until :func:`_release`.

    ``None`` where flock does not exist (Windows) or the lock cannot be taken; the
    write goes on without it (cleaning then relies on the file's age).
    """
    try:
        import fcntl
    except ImportError:  # Windows
        return None
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def _release(fd: int | None) -> None:
    if fd is not None:
        with contextlib.suppress(OSError):
            os.close(fd)  # closing the descriptor releases its flock


def _discard(tmp: Path) -> int | None:
    """Remove the temporary file; return its size (what was written), if it was there."""
    try:
        size: int | None = tmp.stat().st_size
    except OSError:
        size = None
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    return size


def _no_room(err: BaseException) -> int | None:
    """The errno of ``err`` when it means the disk or a size limit is full, else None."""
    code = err.errno if isinstance(err, OSError) else None
    if code is None and isinstance(err, pl.exceptions.PolarsError):
        found = _OS_ERROR_CODE.search(str(err))
        code = int(found.group(1)) if found else None
    return code if code in _NO_ROOM else None


def _names(err: OSError, tmp: Path, target: Path) -> bool:
    """Whether ``err`` is about writing ``tmp`` or ``target`` (not, say, a source read)."""
    return any(str(f) in (str(tmp), str(target)) for f in (err.filename, err.filename2) if f)


def _disk_full(code: int, target: Path, written: int | None, needed: int | None) -> DiskFullError:
    directory = target.parent
    try:
        free: int | None = shutil.disk_usage(directory).free
    except OSError:
        free = None
    what = _NO_ROOM[code]
    amount = (
        f"{_human(needed)} were needed"
        if needed is not None
        else f"{_human(written)} were written before it filled"
        if written
        else "how much was needed is not known"
    )
    room = f"{_human(free)} free in {directory}" if free is not None else f"in {directory}"
    hint = (
        "A file size limit (ulimit -f) stopped the write: raise it"
        if code == errno.EFBIG
        else "Free space there, or point CRUCIBLE_PL_CACHE (HF_HOME for downloads) at a larger disk"
    )
    full = DiskFullError(
        f"{what} while writing {target}: {room}; {amount}. Nothing partial was left. "
        f"{hint}, then try again.",
        path=str(target),
        directory=str(directory),
        free=free,
        needed=needed,
    )
    full.errno = code
    return full


def _write_error(
    err: OSError, target: Path, written: int | None, needed: int | None
) -> FileWriteError:
    if (code := _no_room(err)) is not None:
        return _disk_full(code, target, written, needed)
    if isinstance(err, IsADirectoryError) or target.is_dir():
        why = "a directory is in its place. Remove that directory, then try again"
    elif isinstance(err, PermissionError):
        why = (
            f"permission denied ({err.strerror}). Make {target.parent} writable, or point "
            "CRUCIBLE_PL_CACHE at a directory you can write"
        )
    else:
        why = f"{type(err).__name__}: {err.strerror or err}. Check that the disk is writable"
    failed = FileWriteError(f"Cannot write {target}: {why}.", path=str(target))
    failed.errno = err.errno
    return failed


def _human(size: int | None) -> str:
    value = float(size or 0)
    for unit in ("bytes", "kB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} TB"  # pragma: no cover


def write_text(target: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``target`` atomically."""
    data = text.encode("utf-8")
    with atomic_path(target, needed=len(data)) as tmp:
        tmp.write_bytes(data)
