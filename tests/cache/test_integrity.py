"""Integrity of the cache (issue 13): endpoints never share manifests, files follow the umask."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

import polars as pl
from polars.testing import assert_frame_equal

import crucible_pl
from crucible_pl.testing import LocalHub, write_repo

REPO = "org/integrity"
SHARD = "data/test-00000-of-00001.parquet"


def crucible_cache() -> Path:
    return Path(os.environ["CRUCIBLE_PL_CACHE"])


def test_switching_endpoint_never_serves_the_other_endpoints_rows(
    make_hub: Callable[..., LocalHub],
) -> None:
    first_rows = pl.DataFrame({"q": ["a", "b"], "n": [1, 2]})
    second_rows = pl.DataFrame({"q": ["x", "y", "z"], "n": [7, 8, 9]})
    first = make_hub()
    write_repo(first.root, REPO, {SHARD: first_rows})
    assert_frame_equal(crucible_pl.load_lazy(REPO, "test").collect(), first_rows)
    second = make_hub()  # HF_ENDPOINT now names the second server
    write_repo(second.root, REPO, {SHARD: second_rows})
    assert_frame_equal(crucible_pl.load_lazy(REPO, "test").collect(), second_rows)
    assert second.requests != []
    # and back: the first endpoint's data again, not the second's
    os.environ["HF_ENDPOINT"] = first.url
    assert_frame_equal(crucible_pl.load_lazy(REPO, "test").collect(), first_rows)


def test_same_commit_from_two_endpoints_shares_its_content_addressed_blobs(
    make_hub: Callable[..., LocalHub],
) -> None:
    # A commit sha names its tree and the blobs are named after their own hashes (and
    # checked against them when downloaded), so the same commit on a mirror is the same
    # bytes: only the revision is resolved again, no file is downloaded twice.
    rows = pl.DataFrame({"q": ["a", "b"]})
    first = make_hub()
    write_repo(first.root, REPO, {SHARD: rows})
    crucible_pl.load_lazy(REPO, "test").collect()
    mirror = make_hub()
    write_repo(mirror.root, REPO, {SHARD: rows})
    assert_frame_equal(crucible_pl.load_lazy(REPO, "test").collect(), rows)
    assert mirror.requests != []  # the revision is resolved at the mirror
    assert mirror.downloads() == []


def test_manifests_follow_the_umask(make_hub: Callable[..., LocalHub]) -> None:
    hub = make_hub()
    write_repo(hub.root, REPO, {"data/train-00000-of-00001.jsonl": pl.DataFrame({"q": ["a"]})})
    crucible_pl.load_lazy(REPO, "train").collect()
    umask = os.umask(0o022)
    os.umask(umask)
    written = [p for p in crucible_cache().rglob("*") if p.is_file()]
    assert any(p.suffix == ".json" for p in written)
    assert any(p.suffix == ".parquet" for p in written)  # the conversion
    for path in written:
        # 0666 less the umask, as a plain open() and huggingface_hub give; never 0600
        assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask, path
