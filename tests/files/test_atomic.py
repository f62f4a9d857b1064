"""The one atomic write: every writer goes through it, and it syncs what it writes."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest

import crucible_pl
from crucible_pl._files.atomic import atomic_path, write_text
from crucible_pl.testing import LocalHub, write_repo


@pytest.fixture
def synced(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Record the file descriptors os.fsync is called with (and still sync them)."""
    calls: list[int] = []
    real = os.fsync

    def record(fd: int) -> None:
        calls.append(fd)
        real(fd)

    monkeypatch.setattr(os, "fsync", record)
    return calls


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "a.json"
    write_text(target, "old")

    def interrupted() -> None:
        with atomic_path(target) as tmp:
            tmp.write_text("half")
            raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        interrupted()
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]


def test_a_write_syncs_the_file_and_its_directory(tmp_path: Path, synced: list[int]) -> None:
    write_text(tmp_path / "deep" / "b.txt", "x")
    assert (tmp_path / "deep" / "b.txt").read_text() == "x"
    assert len(synced) == 2  # the temporary file before the rename, then the directory


def test_dataset_save_is_synced(tmp_path: Path, synced: list[int]) -> None:
    """Dataset.save used to rename without fsync; it now shares the one atomic write."""
    saved = crucible_pl.load("gsm8k", "test[:3]", source="synthetic").save(tmp_path / "s.parquet")
    assert saved.is_file()
    assert len(synced) >= 1
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_every_cache_writer_is_synced(
    make_hub: Callable[..., LocalHub], synced: list[int], tmp_path: Path
) -> None:
    """A cold load writes a ref, a layout and a split manifest, a converted file and (for a
    registered name) the normalized file and its manifest: each one through atomic_path."""
    hub = make_hub()
    write_repo(hub.root, "me/json", {"data/test.jsonl": '{"q": "a"}\n{"q": "b"}\n'})
    crucible_pl.load_lazy("me/json", "test").collect()
    assert len(synced) == 2 * 4  # ref, layout, converted Parquet, split manifest
    cache = Path(os.environ["CRUCIBLE_PL_CACHE"])
    assert not [p for p in cache.rglob("*") if p.name.endswith(".tmp")]
    assert pl.read_parquet(next(cache.rglob("test.jsonl.parquet")))["q"].to_list() == ["a", "b"]
