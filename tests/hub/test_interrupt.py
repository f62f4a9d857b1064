"""Issue 13 item 5: Ctrl-C during a multi-file cold load stops within a second or two.

A real process runs ``crucible-pl download`` of a 12-file split from a LocalHub whose
file downloads hang for 30 s before answering; it gets SIGINT once the first downloads
have started. Before: it waited for every in-flight download (8 threads), so it ran on
for about 30 s. Now it exits within a few seconds with status 130 and one line, and a
later load from a healthy hub returns the right rows (nothing partial was kept).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest

import crucible_pl
from crucible_pl.testing import Fault, LocalHub, write_repo

FILES = 12


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child process is POSIX")
def test_ctrl_c_stops_a_cold_multi_file_load_promptly(
    make_hub: Callable[..., LocalHub], tmp_path: Path
) -> None:
    hub = make_hub()
    shards = {
        f"data/test-{i:05d}-of-{FILES:05d}.parquet": pl.DataFrame({"a": [i, i + 100]})
        for i in range(FILES)
    }
    write_repo(hub.root, "me/many", shards)
    hub.inject(Fault.stall(30.0, method="GET", path="/datasets/me/many/resolve/*", times=None))
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "HF_HUB_DOWNLOAD_TIMEOUT": "60"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "crucible_pl.cli", "download", "me/many", "--split", "test"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # A shell runs background jobs with SIGINT ignored, and a child inherits that:
        # restore the default so Python turns SIGINT into KeyboardInterrupt, as in a terminal.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        deadline = time.monotonic() + 60
        while not any(r.method == "GET" and "/resolve/" in r.path for r in hub.requests):
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "no download started"
            time.sleep(0.05)
        time.sleep(0.3)  # the other download threads start too
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=25)
        took = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 130, (out, err)
    assert "interrupted (Ctrl-C)" in err
    assert "Traceback" not in err
    assert took < 5, took
    hub.clear_faults()
    frame = crucible_pl.load_lazy("me/many", "test").collect()
    assert sorted(frame["a"].to_list()) == sorted(v for i in range(FILES) for v in (i, i + 100))
