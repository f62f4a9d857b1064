"""Several processes, or threads, cold-loading the same dataset at once.

huggingface_hub's per-blob file lock lets one of them download each file while the
others wait and reuse it; our manifests and Parquet conversions are written to a
temporary file and renamed, so no reader ever sees half of one.
"""

from __future__ import annotations

import io
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from polars.testing import assert_frame_equal

import crucible_pl
from crucible_pl.testing import LocalHub, write_repo

REPO = "org/conc"
JSON_REPO = "org/conc-json"
WORKERS = 4
_ENV = ("HF_ENDPOINT", "HF_HOME", "CRUCIBLE_PL_CACHE", "HF_HUB_DISABLE_PROGRESS_BARS")


def frame(n: int, start: int = 0) -> pl.DataFrame:
    return pl.DataFrame({"id": range(start, start + n), "text": [f"t{i}" for i in range(n)]})


EXPECTED = {
    (REPO, "test"): pl.concat([frame(400), frame(300, 400), frame(200, 700)]),
    (JSON_REPO, "train"): frame(120),
}
FILES = {
    REPO: {
        "data/test-00000-of-00003.parquet": frame(400),
        "data/test-00001-of-00003.parquet": frame(300, 400),
        "data/test-00002-of-00003.parquet": frame(200, 700),
    },
    JSON_REPO: {"data/train-00000-of-00001.jsonl": frame(120)},
}


def _cold_load(env: dict[str, str], barrier: Any, results: Any) -> None:
    """Run in a spawned process: import, wait for the others, then load both datasets cold."""
    os.environ.update(env)
    import crucible_pl as cp

    barrier.wait(timeout=120)
    out = {}
    for repo, split in EXPECTED:
        buffer = io.BytesIO()
        cp.load_lazy(repo, split).collect().write_ipc(buffer)
        out[f"{repo}:{split}"] = buffer.getvalue()
    results.put(out)


@pytest.fixture
def hub(make_hub: Callable[..., LocalHub]) -> LocalHub:
    hub = make_hub()
    for repo, files in FILES.items():
        write_repo(hub.root, repo, files)
    return hub


def assert_each_file_downloaded_once(hub: LocalHub) -> None:
    for repo, files in FILES.items():
        assert sorted(hub.downloads(repo)) == sorted(files)


def assert_no_temporary_files() -> None:
    for root in (os.environ["HF_HOME"], os.environ["CRUCIBLE_PL_CACHE"]):
        names = [p.name for p in Path(root).rglob("*") if p.is_file()]
        assert [n for n in names if n.endswith((".tmp", ".incomplete"))] == []


def test_processes_cold_loading_at_once_agree_and_download_each_file_once(
    hub: LocalHub,
) -> None:
    env = {name: os.environ[name] for name in _ENV if name in os.environ}
    ctx = multiprocessing.get_context("spawn")
    barrier, queue = ctx.Barrier(WORKERS), ctx.Queue()
    workers = [ctx.Process(target=_cold_load, args=(env, barrier, queue)) for _ in range(WORKERS)]
    for worker in workers:
        worker.start()
    results = [queue.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
        assert worker.exitcode == 0
    for result in results:
        for (repo, split), expected in EXPECTED.items():
            assert_frame_equal(pl.read_ipc(result[f"{repo}:{split}"]), expected)
    assert_each_file_downloaded_once(hub)
    assert_no_temporary_files()
    hub.clear_requests()
    for (repo, split), expected in EXPECTED.items():  # the parent finds everything warm
        assert_frame_equal(crucible_pl.load_lazy(repo, split).collect(), expected)
    assert hub.requests == []


def test_threads_cold_loading_at_once_agree_and_download_each_file_once(hub: LocalHub) -> None:
    def load(key: tuple[str, str]) -> pl.DataFrame:
        return crucible_pl.load_lazy(key[0], key[1]).collect()

    keys = [key for key in EXPECTED for _ in range(WORKERS)]
    with ThreadPoolExecutor(len(keys)) as pool:
        frames = list(pool.map(load, keys))
    for key, df in zip(keys, frames, strict=True):
        assert_frame_equal(df, EXPECTED[key])
    assert_each_file_downloaded_once(hub)
    assert_no_temporary_files()
