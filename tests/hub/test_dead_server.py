"""Issue 13 item 6: a server that accepts connections and never answers fails in seconds.

Before: a cold load took 86.6 s, ``info()`` 83.1 s and a cached repo's split of 8 files
93.1 s to fail with huggingface_hub's default 10 s timeouts, because a timeout was
retried in ``http_backoff``'s loop (6 tries plus backoff). Now a timeout gets one more
try: about twice the timeout (20 s by default; ``bench/bench_dead_server.py`` prints
the figures). Here the timeouts are 1 s, set in the environment of a fresh process
(huggingface_hub reads them at import), so each case must fail well within 15 s.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

SCRIPT = """
import sys, crucible_pl
try:
    if sys.argv[1] == "info":
        crucible_pl.info("me/dead")
    else:
        crucible_pl.load_lazy("me/dead", "test")
except crucible_pl.errors.HubUnavailableError as err:
    print("HubUnavailableError:", err)
    sys.exit(3)
"""


@pytest.fixture
def dead_endpoint() -> Iterator[str]:
    """127.0.0.1 on a port that accepts every connection and never sends a byte."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.settimeout(0.2)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    listener.close()


@pytest.mark.parametrize("case", ["load", "info"])
def test_a_hung_server_fails_fast_with_a_clear_message(
    case: str, dead_endpoint: str, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "HF_ENDPOINT": dead_endpoint,
        "HF_HOME": str(tmp_path / "hf"),
        "CRUCIBLE_PL_CACHE": str(tmp_path / "crucible"),
        "HF_HUB_ETAG_TIMEOUT": "1",
        "HF_HUB_DOWNLOAD_TIMEOUT": "1",
    }
    start = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, case], env=env, capture_output=True, text=True, timeout=120
    )
    took = time.monotonic() - start
    assert done.returncode == 3, done.stderr[-2000:]
    assert "did not answer for me/dead (repo info) within huggingface_hub's timeout" in done.stdout
    # Two 1 s tries plus interpreter start-up; the old backoff loop took over 20 s here.
    assert took < 15, took
