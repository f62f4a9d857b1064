"""Run one Python program in a separate, limited subprocess (used by ``_execution``).

This is NOT a security sandbox. It contains accidents of model-written code (an endless
loop, a runaway allocation, a fork bomb, a disk filler, stray files, a peek at secrets in
the environment), not an attacker: the child runs on the same kernel and can read every
file the user it runs as can (where Landlock is missing, write them and use the network
too). Run untrusted models' code inside a container or VM.

What each run gets:

- ``sys.executable -I`` (isolated mode: no ``PYTHON*`` variables, no user site) started in
  its own session, so a timeout kills the whole process group;
- a fresh temporary working directory (also ``HOME`` and ``TMPDIR``), removed afterwards;
- an environment of only ``PATH``, ``LANG``/``LC_ALL``, ``HOME``, ``TMPDIR`` and one-thread
  settings for numeric libraries: no ``HF_TOKEN``, no ``AWS_*``, nothing inherited;
- stdin closed (reads see end of file); stdout and stderr read as they come, only their
  last few KB kept;
- ``resource`` limits set in the child before the program runs: CPU seconds
  (``RLIMIT_CPU``), address space (``RLIMIT_AS``), size of any file written
  (``RLIMIT_FSIZE``), processes (``RLIMIT_NPROC``), no core files, open files. The kernel
  ignores ``RLIMIT_NPROC`` for root, so when we run as root the child's real and effective
  user become ``nobody`` (the saved user and the file-system user stay root, so it still
  reads the interpreter and the standard library): the process limit then counts
  ``nobody``'s processes, shared by the runs going at the same time;
- where the kernel has Landlock (Linux 5.13+, any user): file writes, deletions and new
  files only beneath the working directory (and ``/dev/null``); with Landlock ABI 4+ no
  TCP ``connect``/``bind``; with ABI 6+ no signals to processes outside the program and
  no abstract Unix sockets. Reads are not confined. Without Landlock this part is
  skipped, silently (:func:`landlock_abi` says which applies).

The child reports its own verdict (which stage raised what) on a private pipe; a child
that dies without one is classified from its exit status.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = ["DETAIL_CHARS", "RunLimits", "RunResult", "landlock_abi", "run_program"]

DETAIL_CHARS = 200
"""At most this many characters of ``detail`` (the last line of the error)."""

_KEEP_BYTES = 8192  # tail of stderr kept for the detail of a child that died silently
_NOBODY = 65534

# The child's first code: set the limits, drop to `nobody` when root, then run the
# solution and the tests in two stages and report the verdict on the status pipe. It is
# passed with `-c`, so nothing of crucible_pl is imported in the child.
_BOOTSTRAP = r"""
import errno, os, resource, sys
cpu, mem, fsize, nproc, nofile, status_fd, drop = (int(a) for a in sys.argv[1:8])
del sys.argv[1:]
status = os.fdopen(status_fd, "w")
os.set_inheritable(status_fd, False)
main_pid = os.getpid()

def report(outcome, detail=""):
    # Only the program itself reports (a forked child inherits this code and the pipe);
    # then it leaves at once: no atexit hook or stray thread may change the verdict.
    if os.getpid() == main_pid:
        import json
        status.write(json.dumps({"outcome": outcome, "detail": detail}))
        status.flush()
    os._exit(0)

def landlock():
    # Linux Landlock (syscalls 444-446, any user, kernel 5.13+): file writes only beneath
    # the working directory (and /dev/null); with ABI 4+ no TCP bind/connect, with ABI 6+
    # no signals or abstract sockets beyond this program. Skipped where unavailable.
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    abi = libc.syscall(444, None, ctypes.c_size_t(0), ctypes.c_uint32(1))
    if abi < 1:
        return
    write = sum(1 << bit for bit in (1, 4, 5, 6, 7, 8, 9, 10, 11, 12))
    write |= (1 << 13 if abi >= 2 else 0) | (1 << 14 if abi >= 3 else 0)
    attr = (ctypes.c_uint64 * 3)(write, 3 if abi >= 4 else 0, 3 if abi >= 6 else 0)
    size = 24 if abi >= 6 else 16 if abi >= 4 else 8
    ruleset = libc.syscall(444, ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0))
    if ruleset < 0:
        raise OSError(ctypes.get_errno(), "landlock_create_ruleset failed")

    class Beneath(ctypes.Structure):
        _pack_ = 1
        _fields_ = [("allowed", ctypes.c_uint64), ("fd", ctypes.c_int32)]

    for path, rights in ((os.getcwd(), write), ("/dev/null", write & (1 << 1 | 1 << 14))):
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
        rule = Beneath(rights, fd)
        if libc.syscall(445, ruleset, 1, ctypes.byref(rule), ctypes.c_uint32(0)) < 0:
            raise OSError(ctypes.get_errno(), f"landlock_add_rule failed for {path}")
        os.close(fd)
    if libc.prctl(38, 1, 0, 0, 0) < 0:  # PR_SET_NO_NEW_PRIVS, required by Landlock
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
    if libc.syscall(446, ruleset, ctypes.c_uint32(0)) < 0:
        raise OSError(ctypes.get_errno(), "landlock_restrict_self failed")
    os.close(ruleset)

try:
    limits = [(resource.RLIMIT_CPU, cpu, cpu + 1), (resource.RLIMIT_AS, mem, mem),
              (resource.RLIMIT_FSIZE, fsize, fsize), (resource.RLIMIT_NPROC, nproc, nproc),
              (resource.RLIMIT_CORE, 0, 0), (resource.RLIMIT_NOFILE, nofile, nofile)]
    for which, soft, hard in limits:
        resource.setrlimit(which, (soft, hard))
    if drop >= 0:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        os.setgroups([])
        os.setresgid(drop, drop, 0)
        os.setresuid(drop, drop, 0)
        libc.setfsgid(0)
        libc.setfsuid(0)
    landlock()
except Exception as exc:
    # Never run the program without its limits.
    report("error", f"could not set the limits, nothing ran: {type(exc).__name__}: {exc}")

def describe(exc, filename):
    import traceback
    line = f"{type(exc).__name__}: {exc}".strip().rstrip(":")
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == filename]
    if isinstance(exc, AssertionError) and frames and frames[-1].line:
        line = f"{line} ({filename} line {frames[-1].lineno}: {frames[-1].line})"
    return line

scope = {}
for stage, filename, failure in (("solution", "solution.py", "error"),
                                 ("tests", "tests.py", "failed")):
    with open(filename, encoding="utf-8") as handle:
        source = handle.read()
    try:
        code = compile(source, filename, "exec")
    except (SyntaxError, ValueError) as exc:
        report("error", f"{stage} does not compile: {describe(exc, filename)}")
    try:
        exec(code, scope)
    except MemoryError as exc:
        report("error", f"memory limit reached in {stage}: {describe(exc, filename)}")
    except OSError as exc:
        if exc.errno != errno.EFBIG:
            report(failure, describe(exc, filename))
        report("error", f"file size limit reached in {stage}: {describe(exc, filename)}")
    except BaseException as exc:
        report(failure, describe(exc, filename))
report("passed")
"""


@dataclass(frozen=True)
class RunLimits:
    """Limits of one run: wall-clock seconds, address space MB, file size MB, processes."""

    timeout: float = 10.0
    memory_mb: int = 2048
    file_size_mb: int = 16
    processes: int = 64
    open_files: int = 256


@dataclass(frozen=True)
class RunResult:
    """What one run came to: ``outcome`` (passed/failed/timeout/error), ``detail``, ``seconds``."""

    outcome: str
    detail: str
    seconds: float


def landlock_abi() -> int:
    """The Landlock ABI version of this kernel (0: unavailable, so writes are not confined)."""
    if not sys.platform.startswith("linux"):
        return 0
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    abi = int(libc.syscall(444, None, ctypes.c_size_t(0), ctypes.c_uint32(1)))
    return max(abi, 0)


def _short(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    last = lines[-1] if lines else ""
    return last if len(last) <= DETAIL_CHARS else last[: DETAIL_CHARS - 3] + "..."


def _tasks_of_user(uid: int) -> int:
    """Threads and processes of ``uid`` now (what ``RLIMIT_NPROC`` counts), 0 if unknown."""
    count = 0
    try:
        entries = os.scandir("/proc")
    except OSError:
        return 0
    with entries:
        for entry in entries:
            if not entry.name.isdigit():
                continue
            try:
                if entry.stat().st_uid == uid:
                    count += len(os.listdir(f"/proc/{entry.name}/task"))
            except OSError:
                continue
    return count


def _process_limit(limits: RunLimits) -> tuple[int, int]:
    """``(RLIMIT_NPROC value, uid to drop to or -1)`` for a child of this process."""
    if os.geteuid() == 0:
        return limits.processes, _NOBODY
    # The limit counts every task of the user, so leave room above what runs already.
    return _tasks_of_user(os.getuid()) + limits.processes, -1


def _environment(workdir: str) -> dict[str, str]:
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "HOME": workdir,
        "TMPDIR": workdir,
    }
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[name] = "1"
    return env


def _kill_group(pgid: int) -> None:
    """SIGKILL the whole group, again until nothing is left (a fork bomb refills it)."""
    for _ in range(100):
        try:
            os.killpg(pgid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            return
        time.sleep(0.002)


def _collect(
    proc: subprocess.Popen[bytes], status_fd: int, deadline: float
) -> tuple[bytes, bytes, bool]:
    """Read stdout/stderr (tail only) and the status pipe until EOF or the deadline."""
    assert proc.stdout is not None
    assert proc.stderr is not None
    tails = {proc.stdout.fileno(): b"", proc.stderr.fileno(): b""}
    status = b""
    timed_out = False
    with selectors.DefaultSelector() as selector:
        for fd in (*tails, status_fd):
            selector.register(fd, selectors.EVENT_READ)
        while selector.get_map():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                timed_out = True
                break
            if proc.poll() is not None:
                # The program exited: its leftover children must not hold the pipes open.
                _kill_group(proc.pid)
            for key, _ in selector.select(timeout=min(remaining, 0.5)):
                chunk = os.read(key.fd, 65536)
                if not chunk:
                    selector.unregister(key.fd)
                elif key.fd == status_fd:
                    status = (status + chunk)[:65536]
                else:
                    tails[key.fd] = (tails[key.fd] + chunk)[-_KEEP_BYTES:]
    return status, tails[proc.stderr.fileno()], timed_out


def _verdict(status: bytes, stderr: bytes, returncode: int, limits: RunLimits) -> tuple[str, str]:
    if status:
        try:
            report = json.loads(status)
            return str(report["outcome"]), _short(str(report["detail"]))
        except (ValueError, KeyError, TypeError):
            pass
    if returncode == -signal.SIGXCPU:
        # Threads can spend CPU seconds faster than the wall clock runs.
        return "timeout", f"CPU time limit reached ({math.ceil(limits.timeout)} s)"
    if returncode == -signal.SIGXFSZ:
        return "error", f"file size limit reached ({limits.file_size_mb} MB)"
    if returncode < 0:
        name = signal.Signals(-returncode).name
        return "error", _short(f"killed by {name}; {stderr.decode('utf-8', 'replace')}")
    tail = _short(stderr.decode("utf-8", "replace"))
    return "failed", tail or f"exited with status {returncode} before the tests finished"


def run_program(solution: str, tests: str, *, limits: RunLimits) -> RunResult:
    """Run ``solution`` then ``tests`` (Python source) in one limited child process.

    An exception while the solution loads is ``error`` (it did not even load); an
    exception or failed assert in the tests is ``failed``; a ``MemoryError``, a syntax
    error or death by a limit is ``error``; the wall clock or CPU limit is ``timeout``.
    """
    started = time.monotonic()
    workdir = tempfile.mkdtemp(prefix="crucible-exec-")
    try:
        # A lone surrogate cannot be written as UTF-8: it becomes U+FFFD (a syntax error).
        Path(workdir, "solution.py").write_text(solution, encoding="utf-8", errors="replace")
        Path(workdir, "tests.py").write_text(tests, encoding="utf-8", errors="replace")
        nproc, drop = _process_limit(limits)
        read_fd, write_fd = os.pipe()
        args = (
            math.ceil(limits.timeout) + 1,
            limits.memory_mb * 1024 * 1024,
            limits.file_size_mb * 1024 * 1024,
            nproc,
            limits.open_files,
            write_fd,
            drop,
        )
        try:
            proc = subprocess.Popen(
                [sys.executable, "-I", "-c", _BOOTSTRAP, *(str(a) for a in args)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                cwd=workdir,
                env=_environment(workdir),
                start_new_session=True,
                pass_fds=(write_fd,),
                close_fds=True,
            )
        finally:
            os.close(write_fd)
        try:
            with proc:
                status, stderr, timed_out = _collect(proc, read_fd, started + limits.timeout)
                # Kill what is left (the program, if it hangs on; its children), reap the
                # program, then make sure no child of it survives.
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(proc.pid, signal.SIGKILL)
                returncode = proc.wait()
                _kill_group(proc.pid)
        finally:
            os.close(read_fd)
        seconds = time.monotonic() - started
        if timed_out and not status:
            return RunResult("timeout", f"wall-clock limit reached ({limits.timeout:g} s)", seconds)
        outcome, detail = _verdict(status, stderr, returncode, limits)
        return RunResult(outcome, detail, seconds)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
