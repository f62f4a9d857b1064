"""How long each load fails against a Hub that accepts connections and never answers.

Usage::

    python bench/bench_dead_server.py [--cases cold,cached,info] [--files 8]

A "dead" server listens, accepts every connection and never sends a byte, the way a
hung proxy or an overloaded Hub looks to a client. For each case the script times, in
fresh caches, how long crucible-pl takes to raise, and prints the error's first line:

- ``cold``: ``load_lazy`` of a repo never loaded (the repo info request hangs);
- ``cached``: a repo whose commit and layout are cached (a split was loaded from a
  live LocalHub on the same address), loading another split of ``--files`` files that
  are not cached (the downloads hang);
- ``info``: ``info()`` of a repo never loaded.

huggingface_hub's own timeouts apply (``HF_HUB_ETAG_TIMEOUT``, ``HF_HUB_DOWNLOAD_TIMEOUT``,
10 s each by default; set them in the environment to see their effect). The figures go
in docs/reliability.md ("Time to fail").
"""

from __future__ import annotations

import argparse
import os
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import polars as pl


@contextmanager
def dead_server(port: int = 0) -> Iterator[int]:
    """Listen on 127.0.0.1:``port``, accept every connection, never answer."""
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(64)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            held.append(conn)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        for conn in held:
            conn.close()
        listener.close()


def _fresh_caches(root: Path, name: str) -> None:
    os.environ["HF_HOME"] = str(root / name / "hf")
    os.environ["CRUCIBLE_PL_CACHE"] = str(root / name / "crucible")


def _time_failure(run: Callable[[], object]) -> tuple[float, str]:
    start = time.perf_counter()
    try:
        run()
    except Exception as err:  # the figure is the time to the error, whatever it is
        return time.perf_counter() - start, f"{type(err).__name__}: {str(err).splitlines()[0]}"
    return time.perf_counter() - start, "no error (unexpected)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", default="cold,cached,info")
    parser.add_argument("--files", type=int, default=8, help="files of the split in 'cached'")
    options = parser.parse_args()

    import crucible_pl
    from crucible_pl.testing import LocalHub, write_repo

    cases = options.cases.split(",")
    results: list[tuple[str, float, str]] = []
    with tempfile.TemporaryDirectory(prefix="dead-server-") as tmp:
        root = Path(tmp)
        frame = pl.DataFrame({"x": list(range(100))})
        files = {"data/train-00000-of-00001.parquet": frame}
        n = options.files
        files.update({f"data/test-{i:05d}-of-{n:05d}.parquet": frame for i in range(n)})
        write_repo(root / "hub", "me/dead", files)
        if "cold" in cases:
            _fresh_caches(root, "cold")
            with dead_server() as port:
                os.environ["HF_ENDPOINT"] = f"http://127.0.0.1:{port}"
                took, error = _time_failure(lambda: crucible_pl.load_lazy("me/dead", "test"))
            results.append(("cold load, repo never loaded", took, error))
        if "cached" in cases:
            _fresh_caches(root, "cached")
            with LocalHub(root / "hub") as live:
                port = int(live.url.rsplit(":", 1)[1])
                os.environ["HF_ENDPOINT"] = live.url
                crucible_pl.load_lazy("me/dead", "train").collect()
            with dead_server(port):
                took, error = _time_failure(lambda: crucible_pl.load_lazy("me/dead", "test"))
            results.append((f"cached repo, split of {n} files not cached", took, error))
        if "info" in cases:
            _fresh_caches(root, "info")
            with dead_server() as port:
                os.environ["HF_ENDPOINT"] = f"http://127.0.0.1:{port}"
                took, error = _time_failure(lambda: crucible_pl.info("me/dead"))
            results.append(("info(), repo never loaded", took, error))

    timeouts = ", ".join(
        f"{k}={os.environ[k]}" for k in ("HF_HUB_ETAG_TIMEOUT", "HF_HUB_DOWNLOAD_TIMEOUT")
        if k in os.environ
    )  # fmt: skip
    print(f"dead server (accepts, never answers); timeouts: {timeouts or 'defaults'}")
    for case, took, error in results:
        print(f"{case:<42} {took:7.1f} s   {error[:150]}")


if __name__ == "__main__":
    main()
