# tests/test_my_pipeline.py: a pytest suite that never touches the network.
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest

import crucible_pl
from crucible_pl.testing import LocalHub, write_repo


@pytest.fixture
def hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalHub]:
    questions = pl.DataFrame({"question": ["1+1?", "2+3?"], "answer": ["2", "5"]})
    write_repo(tmp_path / "hub", "me/evalset", {"data/test.parquet": questions})
    # A private cache per test, and the Hub client pointed at the local server.
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    monkeypatch.setenv("CRUCIBLE_PL_CACHE", str(tmp_path / "crucible-cache"))
    with LocalHub(tmp_path / "hub") as server:
        monkeypatch.setenv("HF_ENDPOINT", server.url)
        yield server


def my_pipeline(repo: str) -> pl.DataFrame:
    return crucible_pl.load_lazy(repo).with_columns(n=pl.col("answer").cast(pl.Int64)).collect()


def test_pipeline_reads_only_what_it_needs(hub: LocalHub) -> None:
    out = my_pipeline("me/evalset")
    assert out["n"].to_list() == [2, 5]
    assert hub.downloads() == ["data/test.parquet"]


def test_pipeline_works_offline_once_cached(hub: LocalHub) -> None:
    my_pipeline("me/evalset")
    hub.stop()  # the "network" is gone
    assert my_pipeline("me/evalset")["n"].sum() == 7
