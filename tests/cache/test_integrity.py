"""Integrity of the cache (issue 13): endpoints never share manifests, files follow the umask."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

import crucible_pl
from crucible_pl import errors
from crucible_pl._cache.entries import verify_cache
from crucible_pl.registry import get_spec
from crucible_pl.testing import LocalHub, write_repo, write_spec_repo

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


def test_a_flipped_byte_is_found_by_cache_verify_and_downloaded_again(
    make_hub: Callable[..., LocalHub],
) -> None:
    rows = pl.DataFrame({"q": [f"question {i}" for i in range(2000)], "n": list(range(2000))})
    hub = make_hub()
    write_repo(hub.root, REPO, {SHARD: rows})
    crucible_pl.load_lazy(REPO, "test").collect()
    assert [c.problem for c in verify_cache()] == [None]
    blob = next(Path(os.environ["HF_HOME"]).glob(f"hub/datasets--*/snapshots/*/{SHARD}")).resolve()
    data = bytearray(blob.read_bytes())
    data[len(data) // 2] ^= 0x01  # same size, magic bytes and footer: the warm checks pass
    blob.write_bytes(bytes(data))
    checks = verify_cache()
    assert len(checks) == 1
    assert checks[0].problem is not None
    assert "does not hash to" in checks[0].problem
    hub.clear_requests()
    assert_frame_equal(crucible_pl.load_lazy(REPO, "test").collect(), rows)
    assert hub.downloads() == [SHARD]  # one re-download
    assert [c.problem for c in verify_cache()] == [None]


def test_a_flipped_byte_found_by_verify_offline_is_a_clear_cache_miss(
    make_hub: Callable[..., LocalHub],
) -> None:
    hub = make_hub()
    write_repo(hub.root, REPO, {SHARD: pl.DataFrame({"q": ["a", "b", "c"] * 100})})
    crucible_pl.load_lazy(REPO, "test").collect()
    blob = next(Path(os.environ["HF_HOME"]).glob(f"hub/datasets--*/snapshots/*/{SHARD}")).resolve()
    data = bytearray(blob.read_bytes())
    data[len(data) // 2] ^= 0x01
    blob.write_bytes(bytes(data))
    assert verify_cache()[0].problem is not None
    hub.stop()
    with pytest.raises(errors.CacheMissError, match=REPO):
        crucible_pl.load_lazy(REPO, "test", offline=True)


def split_manifest() -> Path:
    (path,) = crucible_cache().glob("manifests/**/splits/**/*.json")
    return path


@pytest.mark.parametrize("edit", ["rows", "path"])
def test_a_hand_edited_manifest_is_not_trusted(
    make_hub: Callable[..., LocalHub], edit: str
) -> None:
    first = pl.DataFrame({"q": [f"row {i}" for i in range(10)]})
    other = pl.DataFrame({"q": ["x"] * 20})
    hub = make_hub()
    write_repo(hub.root, REPO, {SHARD: first, "other/test-00000-of-00001.parquet": other})
    crucible_pl.load_lazy(REPO, "test").collect()
    crucible_pl.load_lazy(REPO, "test", config="other").collect()
    path = next(p for p in crucible_cache().glob("manifests/**/splits/default/*.json"))
    data = json.loads(path.read_text())
    if edit == "rows":
        data["files"][0]["rows"] = 100  # a plausible count, the file's footer says 10
    else:  # a path to a cached file of the same size that holds other rows
        data["files"][0]["path"] = "other/test-00000-of-00001.parquet"
        data["files"][0]["size"] = None
    path.write_text(json.dumps(data))
    hub.clear_requests()
    # percent slices are computed from the recorded row count
    assert_frame_equal(crucible_pl.load_lazy(REPO, "test[:50%]").collect(), first.head(5))
    assert_frame_equal(crucible_pl.load_lazy(REPO, "test").collect(), first)
    assert hub.requests == []  # rebuilt from the cached files' own footers


def test_a_flipped_byte_in_a_conversion_is_found_by_cache_verify_and_rebuilt(
    make_hub: Callable[..., LocalHub],
) -> None:
    rows = pl.DataFrame({"q": [f"question {i}" for i in range(2000)]})
    hub = make_hub()
    write_repo(hub.root, REPO, {"data/train-00000-of-00001.jsonl": rows})
    crucible_pl.load_lazy(REPO, "train").collect()
    (converted,) = crucible_cache().glob("converted/**/*.parquet")
    data = bytearray(converted.read_bytes())
    data[len(data) // 2] ^= 0x01
    converted.write_bytes(bytes(data))
    (check,) = verify_cache()
    assert check.problem is not None
    assert "does not hash to" in check.problem
    hub.clear_requests()
    assert_frame_equal(crucible_pl.load_lazy(REPO, "train").collect(), rows)
    assert hub.requests == []  # converted again from the cached source
    assert [c.problem for c in verify_cache()] == [None]


def test_switching_endpoint_never_serves_the_other_endpoints_normalized_rows(
    make_hub: Callable[..., LocalHub],
) -> None:
    spec = get_spec("gsm8k")
    first = make_hub()
    write_spec_repo(first.root, spec, rows=30)
    assert crucible_pl.load_lazy("gsm8k", "test").collect().height == 30
    second = make_hub()
    write_spec_repo(second.root, spec, rows=20)
    assert crucible_pl.load_lazy("gsm8k", "test").collect().height == 20
    assert second.requests != []


def test_a_flipped_byte_in_a_normalized_file_is_found_by_cache_verify_and_rebuilt(
    make_hub: Callable[..., LocalHub],
) -> None:
    hub = make_hub()
    write_spec_repo(hub.root, get_spec("gsm8k"), rows=400)
    first = crucible_pl.load_lazy("gsm8k", "test").collect()
    assert all(c.problem is None for c in verify_cache())
    (normalized,) = crucible_cache().glob("normalized/**/*.parquet")
    data = bytearray(normalized.read_bytes())
    data[len(data) // 2] ^= 0x01
    normalized.write_bytes(bytes(data))
    problems = [c.problem for c in verify_cache() if c.problem is not None]
    assert len(problems) == 1
    assert "does not hash to" in problems[0]
    hub.clear_requests()
    assert_frame_equal(crucible_pl.load_lazy("gsm8k", "test").collect(), first)
    assert hub.requests == []  # normalized again from the cached raw files


def test_a_hand_edited_manifest_offline_is_rebuilt_from_the_cached_files(
    make_hub: Callable[..., LocalHub],
) -> None:
    rows = pl.DataFrame({"q": [f"row {i}" for i in range(10)]})
    hub = make_hub()
    write_repo(hub.root, REPO, {SHARD: rows})
    crucible_pl.load_lazy(REPO, "test").collect()
    path = split_manifest()
    data = json.loads(path.read_text())
    data["files"][0]["rows"] = 100
    path.write_text(json.dumps(data))
    hub.stop()
    loaded = crucible_pl.load_lazy(REPO, "test[:50%]", offline=True).collect()
    assert_frame_equal(loaded, rows.head(5))
    assert json.loads(split_manifest().read_text())["files"][0]["rows"] == 10
