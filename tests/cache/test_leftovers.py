"""Issue 13 item 9: files interrupted loads leave are reported and cleaned, live ones kept.

Before: ``cache ls`` and ``cache verify`` said nothing of them and there was no way to
remove them short of deleting cache folders by hand.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

import crucible_pl
from crucible_pl import cli
from crucible_pl._cache import leftovers, paths
from crucible_pl.testing import LocalHub, write_repo

ETAG = "a" * 64


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli.main, list(args))
    return result.exit_code, result.output


@pytest.fixture
def cached(make_hub: Callable[..., LocalHub]) -> LocalHub:
    """A repo loaded once, so the caches hold real entries beside the leftovers."""
    hub = make_hub()
    write_repo(hub.root, "me/toy", {"data/test.parquet": pl.DataFrame({"x": [1, 2, 3]})})
    crucible_pl.load_lazy("me/toy").collect()
    return hub


def plant() -> tuple[Path, Path]:
    """One leftover of each kind: our temporary file and huggingface_hub's .incomplete."""
    ours = paths.manifests_root() / "me" / "toy" / ".layout.json.x7q2ab9.tmp"
    ours.parent.mkdir(parents=True, exist_ok=True)
    ours.write_bytes(b"{half a manifest")
    blobs = paths.hub_repo_dir("me/toy") / "blobs"
    theirs = blobs / f"{ETAG}.0badc0de.incomplete"
    theirs.write_bytes(b"\0" * 1000)
    return ours, theirs


def test_leftovers_are_reported_and_cleaned_without_touching_the_data(cached: LocalHub) -> None:
    ours, theirs = plant()
    status, out = run("cache", "ls")
    assert status == 0
    assert (
        "2 leftover file(s) from interrupted loads (1.0 KB)" in out.replace("1,016 B", "1.0 KB")
        or "2 leftover file(s) from interrupted loads" in out
    )
    status, out = run("cache", "verify")
    assert status == 0
    assert "2 leftover file(s) from interrupted loads" in out
    status, out = run("cache", "clean", "--dry-run")
    assert status == 0
    assert "would remove" in out
    assert ours.exists()
    assert theirs.exists()
    status, out = run("cache", "clean", "--json")
    assert status == 0
    payload = json.loads(out)
    assert sorted(f["kind"] for f in payload["leftovers"]) == [
        "incomplete download",
        "temporary file",
    ]
    assert payload["bytes_freed"] == 1016
    assert not ours.exists()
    assert not theirs.exists()
    cached.stop()  # the cached data are untouched: a warm load still works offline
    assert crucible_pl.load_lazy("me/toy").collect()["x"].to_list() == [1, 2, 3]
    assert "leftover file(s)" not in run("cache", "ls")[1]


HOLD = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)
fcntl.flock(fd, fcntl.LOCK_EX)
print("locked", flush=True)
time.sleep(60)
"""


@pytest.fixture
def holder() -> Iterator[Callable[[Path], None]]:
    """Start a process that holds an exclusive flock on a path, as a live writer does."""
    procs: list[subprocess.Popen[str]] = []

    def hold(path: Path) -> None:
        proc = subprocess.Popen(
            [sys.executable, "-c", HOLD, str(path)], stdout=subprocess.PIPE, text=True
        )
        procs.append(proc)
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "locked"

    yield hold
    for proc in procs:
        proc.kill()
        proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


@pytest.mark.skipif(sys.platform == "win32", reason="flock is POSIX only")
def test_files_a_live_process_is_writing_are_kept(
    cached: LocalHub, holder: Callable[[Path], None]
) -> None:
    ours, theirs = plant()
    holder(ours)  # our writer locks its temporary file
    hf_lock = paths.hub_root() / ".locks" / "datasets--me--toy" / f"{ETAG}.lock"
    hf_lock.parent.mkdir(parents=True, exist_ok=True)
    holder(hf_lock)  # huggingface_hub locks <etag>.lock while it downloads that blob
    assert leftovers.find_leftovers() == []
    status, out = run("cache", "clean")
    assert status == 0
    assert "0 leftover file(s) removed" in out
    assert ours.exists()
    assert theirs.exists()


def test_an_atomic_write_in_progress_holds_its_lock(tmp_path: Path) -> None:
    from crucible_pl._files.atomic import atomic_path

    target = paths.crucible_root() / "x" / "file.bin"
    with atomic_path(target) as tmp:
        tmp.write_bytes(b"partial")
        assert leftovers.find_leftovers() == []  # live: its writer holds the lock
    assert target.read_bytes() == b"partial"
    assert leftovers.find_leftovers() == []  # nothing left behind after a whole write
