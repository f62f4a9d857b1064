"""Issue 16 item 1: partial remote reads (``remote=True``) over the Hub's pinned URLs.

Against a LocalHub that records every request and the bytes each answer carried.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner
from polars.testing import assert_frame_equal

import crucible_pl
from crucible_pl import cli, errors
from crucible_pl.registry import get_spec
from crucible_pl.testing import LocalHub, write_repo, write_spec_repo

ROWS = 40_000
SHARDS = 4


def big_frame(seed: int) -> pl.DataFrame:
    """About 8 MB of Parquet: a text column of hashed digits (barely compressible)."""
    index = pl.int_range(ROWS, eager=True)
    words = [(index * 7919 + seed * 104729 + k).hash(seed=k).cast(pl.String) for k in range(8)]
    return pl.DataFrame(
        {
            "id": [f"s{seed}-{i}" for i in range(ROWS)],
            "text": pl.select(pl.concat_str(words, separator=" ")).to_series(),
            "label": index % 100,
        }
    )


@pytest.fixture
def hub(make_hub: Callable[..., LocalHub]) -> LocalHub:
    hub = make_hub()
    files = {
        f"data/train-{i:05d}-of-{SHARDS:05d}.parquet": parquet_bytes(big_frame(i))
        for i in range(SHARDS)
    }
    write_repo(hub.root, "me/big", files)
    return hub


def parquet_bytes(frame: pl.DataFrame) -> bytes:
    """Row groups of 2,000 rows, as the Hub's converted files have several per file."""
    buffer = io.BytesIO()
    frame.write_parquet(buffer, row_group_size=2_000)
    return buffer.getvalue()


def data_requests(hub: LocalHub) -> list[object]:
    return [r for r in hub.requests if r.filename and r.filename.endswith(".parquet")]


def file_sizes(hub: LocalHub) -> int:
    return sum(p.stat().st_size for p in Path(hub.root).rglob("train-*.parquet"))


def test_head_reads_footers_and_one_row_group_pinned_to_the_sha(hub: LocalHub) -> None:
    hub.clear_requests()
    remote = crucible_pl.load_lazy("me/big", "train", remote=True).head(10).collect()
    reads = data_requests(hub)
    assert remote.equals(big_frame(0).head(10))
    assert all(r.method == "HEAD" or r.range is not None for r in reads)  # no whole file
    sent = sum(r.bytes for r in reads)
    assert sent < 0.2 * file_sizes(hub)
    sha = crucible_pl.load("me/big", "train", remote=True).provenance.sha
    assert all(r.revision == sha for r in reads)  # never a branch name
    assert not list(Path(crucible_pl._config.hub_cache_dir()).rglob("train-*.parquet"))


def test_one_column_reads_about_its_share(hub: LocalHub) -> None:
    hub.clear_requests()
    labels = crucible_pl.load_lazy("me/big", "train", remote=True).select("label").collect()
    assert labels.height == ROWS * SHARDS
    sent = sum(r.bytes for r in data_requests(hub))
    assert sent < 0.3 * file_sizes(hub)  # the text column is most of the bytes


def test_rows_slices_and_provenance_match_a_download(hub: LocalHub) -> None:
    splits = ("train[:5]", "train[-3:]", "train[10%:11%]")
    remote = {s: crucible_pl.load("me/big", s, remote=True) for s in splits}
    assert {ds.provenance.source for ds in remote.values()} == {"remote"}
    read = {s: ds.collect() for s, ds in remote.items()}
    for split in splits:  # the same rows as a download (which caches the split)
        assert_frame_equal(read[split], crucible_pl.load_lazy("me/big", split).collect())


def test_a_cached_split_is_read_locally_with_no_request(hub: LocalHub) -> None:
    crucible_pl.load_lazy("me/big", "train").collect()  # download
    hub.clear_requests()
    ds = crucible_pl.load("me/big", "train", remote=True)
    assert ds.collect().height == ROWS * SHARDS
    assert ds.provenance.source == "hub"
    assert hub.requests == []


def test_crucible_pl_download_turns_a_remote_look_into_a_cached_split(hub: LocalHub) -> None:
    looked = crucible_pl.load("me/big", "train[:5]", remote=True)
    assert looked.provenance.source == "remote"
    first = looked.collect()
    result = CliRunner().invoke(cli.main, ["download", "me/big", "--split", "train"])
    assert result.exit_code == 0, result.output
    hub.clear_requests()
    cached = crucible_pl.load("me/big", "train[:5]", remote=True)
    assert cached.provenance.source == "hub"  # read locally now, the same rows
    assert_frame_equal(cached.collect(), first)
    assert hub.requests == []


def test_a_registered_dataset_is_normalized_lazily_like_the_cache(
    make_hub: Callable[..., LocalHub],
) -> None:
    hub = make_hub()
    write_spec_repo(hub.root, get_spec("gsm8k"), rows=30)
    remote = crucible_pl.load_lazy("gsm8k", "test[:7]", remote=True).collect()
    assert not hub.downloads() or all(r.range for r in data_requests(hub) if r.method == "GET")
    local = crucible_pl.load_lazy("gsm8k", "test[:7]").collect()
    assert_frame_equal(remote, local)


def test_a_repo_that_needs_a_token_is_refused_with_what_to_do(
    make_hub: Callable[..., LocalHub],
) -> None:
    hub = make_hub(gated={"org/gated": {"hf_right"}})
    write_repo(hub.root, "org/gated", {"data/train.parquet": pl.DataFrame({"a": [1]})})
    with pytest.raises(errors.InvalidInputError, match="needs a token") as caught:
        crucible_pl.load_lazy("org/gated", "train", token="hf_right", remote=True)
    assert "hf_right" not in str(caught.value)
    assert "without remote=True" in str(caught.value)
    # Without remote=True the token downloads it.
    frame = crucible_pl.load_lazy("org/gated", "train", token="hf_right").collect()
    assert frame["a"].to_list() == [1]


def test_files_that_need_converting_are_refused(make_hub: Callable[..., LocalHub]) -> None:
    hub = make_hub()
    write_repo(hub.root, "me/lines", {"data/train.jsonl": pl.DataFrame({"a": [1, 2]})})
    with pytest.raises(errors.InvalidInputError, match="reads Parquet files in place"):
        crucible_pl.load_lazy("me/lines", "train", remote=True)


def test_bad_remote_values_are_clear_errors() -> None:
    with pytest.raises(errors.InvalidInputError, match="remote must be True or False"):
        crucible_pl.load_lazy("me/big", "train", remote="yes")  # type: ignore[arg-type]
    with pytest.raises(errors.InvalidInputError, match="source='synthetic'"):
        crucible_pl.load_lazy("gsm8k", source="synthetic", remote=True)
