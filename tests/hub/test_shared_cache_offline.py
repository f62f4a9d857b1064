"""Issue 14 item 2: what other tools put in the HF cache loads offline, with zero requests.

A cache filled by ``huggingface_hub.snapshot_download`` from LocalHub, with none of our
manifests: before, an offline load was refused ("not in the cache and offline mode is
on") although every file was there. Now the revision comes from the HF cache's
``refs/``, the layout from the snapshot's files and card.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl
import pytest
from huggingface_hub import constants, snapshot_download
from polars.testing import assert_frame_equal

import crucible_pl
from crucible_pl._cache import paths
from crucible_pl.errors import CacheMissError
from crucible_pl.testing import LocalHub, write_repo

CARD = {
    "configs": [
        {
            "config_name": "easy",
            "default": True,
            "data_files": [{"split": "test", "path": "easy/test-*.parquet"}],
        },
        {"config_name": "hard", "data_files": [{"split": "test", "path": "hard/test.jsonl"}]},
    ]
}
EASY = [pl.DataFrame({"q": [f"e{i}", f"f{i}"], "a": [i, i + 1]}) for i in range(3)]
HARD = pl.DataFrame({"q": ["h"], "a": [9]})
FILES = {
    **{f"easy/test-{i:05d}-of-00003.parquet": frame for i, frame in enumerate(EASY)},
    "hard/test.jsonl": HARD,
}


@pytest.fixture
def filled(make_hub: Callable[..., LocalHub]) -> tuple[LocalHub, str]:
    """A cache filled by snapshot_download, the hub then stopped; returns the commit sha."""
    hub = make_hub()
    write_repo(hub.root, "me/shared", FILES, card=CARD)
    folder = snapshot_download(
        "me/shared", repo_type="dataset", endpoint=hub.url, token=False,
        cache_dir=paths.hub_root(),  # huggingface_hub read HF_HOME at import
    )  # fmt: skip
    sha = folder.rstrip("/").rsplit("/", 1)[-1]
    hub.stop()
    hub.clear_requests()
    assert not paths.manifests_root().exists()  # nothing of ours
    return hub, sha


def test_offline_loads_from_a_cache_another_tool_filled(filled: tuple[LocalHub, str]) -> None:
    hub, sha = filled
    easy = crucible_pl.load("me/shared", "test", offline=True)
    assert_frame_equal(easy.lazy().collect(), pl.concat(EASY))
    assert easy.provenance.sha == sha
    assert easy.provenance.config == "easy"  # the card's default
    hard = crucible_pl.load_lazy("me/shared", "test", config="hard", offline=True).collect()
    assert_frame_equal(hard, HARD)
    pinned = crucible_pl.load_lazy("me/shared", "test", revision=sha, offline=True)
    assert_frame_equal(pinned.collect(), pl.concat(EASY))
    assert hub.requests == []


def test_hf_hub_offline_set_in_the_environment_too(
    filled: tuple[LocalHub, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    hub, _ = filled
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    frame = crucible_pl.load_lazy("me/shared", "test", config="hard").collect()
    assert_frame_equal(frame, HARD)
    assert hub.requests == []


def test_a_branch_never_downloaded_is_still_a_clear_cache_miss(
    filled: tuple[LocalHub, str],
) -> None:
    with pytest.raises(CacheMissError, match="me/shared@dev is not in the cache"):
        crucible_pl.load_lazy("me/shared", "test", revision="dev", offline=True)


def test_a_split_missing_a_shard_is_refused_not_partly_loaded(
    filled: tuple[LocalHub, str],
) -> None:
    _, sha = filled
    shard = paths.hub_file_path("me/shared", sha, "easy/test-00001-of-00003.parquet")
    shard.resolve().unlink()
    shard.unlink()
    with pytest.raises(CacheMissError, match="config 'easy', split 'test'"):
        crucible_pl.load_lazy("me/shared", "test", offline=True)
    # The complete config still loads.
    hard = crucible_pl.load_lazy("me/shared", "test", config="hard", offline=True).collect()
    assert_frame_equal(hard, HARD)


def test_a_branch_other_tools_downloaded_loads_offline_by_its_name(
    make_hub: Callable[..., LocalHub],
) -> None:
    """A branch (not main) fetched by snapshot_download(revision="v2") resolves offline
    through the HF cache's refs/v2, to that branch's rows, not main's."""
    hub = make_hub()
    write_repo(hub.root, "me/shared", FILES, card=CARD)
    v2 = pl.DataFrame({"q": ["new"], "a": [42]})
    write_repo(hub.root, "me/shared", {"easy/test-00000-of-00001.parquet": v2}, ref="v2")
    for revision in ("main", "v2"):
        snapshot_download(
            "me/shared", repo_type="dataset", endpoint=hub.url, token=False,
            cache_dir=paths.hub_root(), revision=revision,
        )  # fmt: skip
    hub.stop()
    hub.clear_requests()
    branch = crucible_pl.load("me/shared", "test", revision="v2", offline=True)
    assert_frame_equal(branch.lazy().collect(), v2)
    main = crucible_pl.load_lazy("me/shared", "test", offline=True).collect()
    assert_frame_equal(main, pl.concat(EASY))
    assert branch.provenance.revision == "v2"
    assert hub.requests == []
