"""Issue 13 item 6: the first file that fails ends a multi-file load; the rest never start."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest

import crucible_pl
from crucible_pl.errors import DataFormatError
from crucible_pl.testing import Fault, LocalHub, write_repo

FILES = 12  # more than the 8 download threads


@pytest.fixture
def hub(make_hub: Callable[..., LocalHub]) -> LocalHub:
    hub = make_hub()
    shards = {
        f"data/test-{i:05d}-of-{FILES:05d}.parquet": pl.DataFrame({"id": [f"r{i}"], "a": [i]})
        for i in range(FILES)
    }
    write_repo(hub.root, "me/many", shards)
    return hub


def test_the_first_hard_error_stops_the_load_without_waiting(hub: LocalHub) -> None:
    first = f"/datasets/me/many/resolve/*/data/test-00000-of-{FILES:05d}.parquet"
    hub.inject(Fault.error(404, path=first, times=None))
    # The downloads started alongside it (files 1 to 7) hang for 1 s before answering.
    hub.inject(Fault.stall(1.0, method="GET", path="/datasets/me/many/resolve/*", times=7))
    with pytest.raises(DataFormatError, match="test-00000"):
        crucible_pl.load("me/many", "test")
    # Before: every queued file was still downloaded after the first one failed.
    started = {r.path.rsplit("/", 1)[-1] for r in hub.requests if "/resolve/" in r.path}
    late = {f"test-{i:05d}-of-{FILES:05d}.parquet" for i in range(8, FILES)}
    assert not started & late, sorted(started & late)
    # The downloads in flight (files 1 to 7) were waited for: nothing is left half-written.
    assert not list(Path(os.environ["HF_HOME"]).rglob("*.incomplete"))
