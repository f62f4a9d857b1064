"""The exact checker behind ``math_match``: Math-Verify, per row, with a time limit.

``math_match`` decides most rows with Polars expressions; the rows it cannot decide
(neither proven equal nor proven different, e.g. ``\\sqrt{12}`` against ``2\\sqrt{3}``)
come here. Math-Verify (Hugging Face, ``math-verify``) parses LaTeX to SymPy and
compares sets, intervals, equations, matrices and percentages; it is Python per pair
and can take seconds, so it cannot be a Polars expression: it runs only on those rows.

How the time limit is kept
--------------------------
Math-Verify's own timeout uses ``signal.alarm``, which works only in the main thread,
and Polars calls ``map_batches`` from its own threads (in ``group_by().agg`` for one).
So Math-Verify runs in worker processes (a small pool, started on first need and kept
for the life of the interpreter): each worker is a plain script that reads one pair per
line on stdin, runs Math-Verify with its own timeouts disabled
(``parsing_timeout=None``, ``timeout_seconds=None``) under a ``SIGALRM`` interval timer
in its main thread, and writes one verdict per line. The parent also keeps a deadline
per pair (the limit plus a grace second): a worker that misses it (stuck in C code that
never returns to the interpreter) is killed and replaced, and the pair scores ``False``,
as a timed-out pair does.

Verdicts are cached per (prediction, reference) pair for the life of the interpreter
(up to ``_CACHE_SIZE`` pairs): model replies repeat, and Math-Verify is pure.
"""

from __future__ import annotations

import json
import math
import os
import selectors
import subprocess
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import IO

__all__: list[str] = []

_CACHE_SIZE = 200_000
_WORKER_PARSE_CACHE = 20_000
_STARTUP_SECONDS = 120.0
_GRACE_SECONDS = 1.0
_TIMEOUT_VERDICT = "t"
_READY = "ready"
_VERDICTS = frozenset({"0", "1", _TIMEOUT_VERDICT})
# Run this file as the worker: without "" (the current folder) on sys.path, and without
# importing crucible_pl (and so Polars) in the worker.
_BOOTSTRAP = (
    "import runpy, sys; sys.path.remove('') if '' in sys.path else None; "
    "runpy.run_path(sys.argv[1], run_name='__crucible_math_verify_worker__')"
)


def _worker_main() -> None:  # pragma: no cover - runs in the worker process
    """Answer ``[prediction, reference, timeout]`` lines with ``1``, ``0`` or ``t``."""
    import functools
    import logging
    import signal

    # The protocol gets its own copy of stdout; whatever a library prints (to
    # sys.stdout or to file descriptor 1) goes to /dev/null, never into the verdicts.
    protocol = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
    sys.stdout = sys.stderr

    from math_verify import LatexExtractionConfig, parse, verify

    # Every text comes boxed, so the LaTeX extractor with the box first is enough; the
    # plain-expression extractor would only cost time (about a third).
    boxed_latex = [LatexExtractionConfig(boxed_match_priority=0)]

    logging.disable(logging.WARNING)  # Math-Verify warns that its timeout is off: ours is on

    class _ExpiredError(Exception):
        pass

    armed = False

    def expire(signum: int, frame: object) -> None:
        if armed:  # a timer that fires after the pair is done is ignored
            raise _ExpiredError

    signal.signal(signal.SIGALRM, expire)

    @functools.lru_cache(maxsize=_WORKER_PARSE_CACHE)
    def parsed(text: str) -> list[object]:
        # References repeat across rows (one per question): each is parsed once.
        boxed = "\\boxed{" + text + "}"
        return list(parse(boxed, extraction_config=boxed_latex, parsing_timeout=None))

    protocol.write(_READY + "\n")
    protocol.flush()
    for line in sys.stdin:
        prediction, reference, seconds = json.loads(line)
        armed = True
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            gold = parsed(reference)
            target = parsed(prediction)
            equal = bool(gold and target and verify(gold, target, timeout_seconds=None))
            armed = False
            verdict = "1" if equal else "0"
        except _ExpiredError:
            verdict = _TIMEOUT_VERDICT
        except Exception:
            verdict = "0"
        finally:
            armed = False
            signal.setitimer(signal.ITIMER_REAL, 0)
        protocol.write(verdict + "\n")
        protocol.flush()


class _Worker:
    """One worker process, its pipes, and the pair it is checking."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-u", "-c", _BOOTSTRAP, str(Path(__file__))],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            encoding="utf-8",
        )
        self.ready = False
        self.pending: int | None = None  # index of the pair being checked
        self.deadline = time.monotonic() + _STARTUP_SECONDS

    @property
    def stdout(self) -> IO[str]:
        assert self.process.stdout is not None
        return self.process.stdout

    def send(self, index: int, pair: tuple[str, str], seconds: float) -> None:
        assert self.process.stdin is not None
        self.pending = index
        self.deadline = time.monotonic() + seconds + _GRACE_SECONDS
        self.process.stdin.write(json.dumps([*pair, seconds]) + "\n")
        self.process.stdin.flush()

    def receive(self) -> str | None:
        """The next line (``ready`` or a verdict); ``None`` when the worker is gone."""
        line = self.stdout.readline()
        if not line:
            return None
        self.deadline = math.inf
        return line.strip()

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                pipe.close()


class _Pool:
    """Worker processes that check pairs in parallel, each pair under a deadline.

    The protocol is lock-step (one pair in flight per worker), so a worker's pipe
    never holds more than one line and ``select`` on it is exact.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self.owner = os.getpid()
        self.workers: list[_Worker] = []

    def close(self) -> None:
        if os.getpid() != self.owner:
            return  # a forked child's copy: the workers are its parent's
        for worker in self.workers:
            worker.kill()
        self.workers = []

    def check(self, pairs: Sequence[tuple[str, str]], seconds: float) -> list[bool]:
        verdicts = [False] * len(pairs)
        todo = list(range(len(pairs) - 1, -1, -1))  # popped from the end: in order
        in_flight = 0
        for worker in [w for w in self.workers if w.process.poll() is not None]:
            worker.kill()  # gone since the last batch: close its pipes
            self.workers.remove(worker)
        while len(self.workers) < min(self.size, len(pairs)):
            self.workers.append(_Worker())
        with selectors.DefaultSelector() as selector:
            for worker in self.workers:
                selector.register(worker.stdout, selectors.EVENT_READ, worker)

            for worker in self.workers:
                in_flight += self._feed(worker, todo, pairs, seconds)
            while todo or in_flight:
                wait = min(w.deadline for w in self.workers) - time.monotonic()
                for key, _ in selector.select(max(0.0, wait)):
                    worker = key.data
                    line = worker.receive()
                    if line is None:
                        worker.deadline = -math.inf  # gone: replaced below
                        continue
                    if not worker.ready and line == _READY:
                        worker.ready = True
                    elif worker.ready and worker.pending is not None and line in _VERDICTS:
                        verdicts[worker.pending] = line == "1"
                        worker.pending = None
                        in_flight -= 1
                    else:  # out of protocol: treat the worker as broken
                        worker.deadline = -math.inf
                        continue
                    in_flight += self._feed(worker, todo, pairs, seconds)
                now = time.monotonic()
                for position, worker in enumerate(self.workers):
                    if worker.deadline > now:
                        continue
                    # Past its deadline, or gone. A worker that never got ready cannot
                    # run Math-Verify at all; otherwise its pair scores False (as a
                    # timeout does) and a fresh worker takes its place.
                    if not worker.ready:
                        self.close()
                        _raise_broken_worker()
                    if worker.pending is not None:
                        in_flight -= 1
                    selector.unregister(worker.stdout)
                    worker.kill()
                    fresh = _Worker()
                    self.workers[position] = fresh
                    selector.register(fresh.stdout, selectors.EVENT_READ, fresh)
        return verdicts

    @staticmethod
    def _feed(
        worker: _Worker, todo: list[int], pairs: Sequence[tuple[str, str]], seconds: float
    ) -> int:
        """Give an idle, ready worker the next pair; 1 when it got one."""
        if worker.ready and worker.pending is None and todo:
            index = todo.pop()
            worker.send(index, pairs[index], seconds)
            return 1
        return 0


def _raise_broken_worker() -> None:
    from crucible_pl.errors import MissingDependencyError

    raise MissingDependencyError(
        "The Math-Verify worker process could not start (math_match sends the answers "
        "its fast path cannot decide to Math-Verify). Reinstall crucible-pl, or run "
        "pip install 'math-verify[antlr4_13_2]>=0.9'."
    )


_POOL: _Pool | None = None
_CACHE: OrderedDict[tuple[str, str], bool] = OrderedDict()
# One batch at a time: Polars may call map_batches from several threads at once (one
# per group in an aggregation), and a worker's pipes carry one pair at a time.
_LOCK = threading.Lock()


def _pool() -> _Pool:
    global _POOL
    # A process forked after the pool started must not share its parent's workers.
    if _POOL is None or _POOL.owner != os.getpid():
        import atexit
        import importlib.util

        if importlib.util.find_spec("math_verify") is None:
            _raise_broken_worker()

        _POOL = _Pool(size=max(1, min(2, os.cpu_count() or 1)))
        atexit.register(_POOL.close)
    return _POOL


def verify_pairs(
    predictions: Sequence[str | None], references: Sequence[str | None], *, seconds: float
) -> list[bool]:
    """Math-Verify's verdict for each (prediction, reference) pair; a null side is False.

    Each distinct pair is checked once (and remembered); a pair that takes longer than
    ``seconds`` scores ``False``.
    """
    keys = [
        None if p is None or r is None else (_for_checker(p), _for_checker(r))
        for p, r in zip(predictions, references, strict=True)
    ]
    with _LOCK:
        distinct = [key for key in dict.fromkeys(keys) if key is not None]
        verdicts = {key: _CACHE[key] for key in distinct if key in _CACHE}
        todo = [key for key in distinct if key not in verdicts]
        if todo:
            verdicts.update(zip(todo, _pool().check(todo, seconds), strict=True))
            for key in todo:
                _CACHE[key] = verdicts[key]
                if len(_CACHE) > _CACHE_SIZE:
                    _CACHE.popitem(last=False)
    return [False if key is None else verdicts[key] for key in keys]


def _for_checker(text: str) -> str:
    """The answer as Math-Verify gets it inside ``\\boxed{}``: no ``$`` delimiters."""
    return text.replace("\\$", "\x00").replace("$", "").replace("\x00", "\\$").strip().rstrip(".")


if __name__ == "__crucible_math_verify_worker__":  # pragma: no cover
    _worker_main()
