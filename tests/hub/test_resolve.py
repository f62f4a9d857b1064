"""The Hub layer: revision -> sha -> layout (_hub.resolve), and one split (_hub.fetch)."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl
import pytest

from crucible_pl import errors
from crucible_pl._cache import manifests
from crucible_pl._hub.fetch import get_split
from crucible_pl._hub.resolve import get_layout, resolve_sha
from crucible_pl.testing import LocalHub, write_repo


@pytest.fixture
def hub(make_hub: Callable[..., LocalHub]) -> LocalHub:
    hub = make_hub()
    write_repo(
        hub.root,
        "me/toy",
        {
            "data/test-00000-of-00001.jsonl": '{"q": "x"}\n{"q": "y"}\n',
            "data/train-00000-of-00001.jsonl": '{"q": "a"}\n{"q": "b"}\n{"q": "c"}\n',
        },
    )
    return hub


def test_a_branch_is_resolved_once_and_remembered(hub: LocalHub) -> None:
    sha, state = resolve_sha("me/toy", "main", offline=False, refresh=False, token=None)
    assert state is not None
    assert state.sha == sha
    assert manifests.read_ref("me/toy", "main") == sha
    hub.clear_requests()
    assert resolve_sha("me/toy", "main", offline=True, refresh=False, token=None) == (sha, None)
    assert hub.requests == []
    again, state = resolve_sha("me/toy", "main", offline=False, refresh=True, token=None)
    assert again == sha
    assert state is not None
    assert len(hub.requests) == 1


def test_a_commit_sha_needs_no_request(hub: LocalHub) -> None:
    assert resolve_sha("me/toy", "f" * 40, offline=True, refresh=False, token=None) == (
        "f" * 40,
        None,
    )
    assert hub.requests == []


def test_the_layout_is_remembered_at_its_sha(hub: LocalHub) -> None:
    sha, state = resolve_sha("me/toy", "main", offline=False, refresh=False, token=None)
    layout = get_layout("me/toy", sha, offline=False, token=None, state=state)
    assert (layout.source, layout.default_config) == ("conventions", "default")
    assert sorted(layout.configs["default"]) == ["test", "train"]
    hub.clear_requests()
    assert get_layout("me/toy", sha, offline=True, token=None) == layout
    assert hub.requests == []


def test_a_split_is_fetched_converted_and_remembered(hub: LocalHub) -> None:
    sha, state = resolve_sha("me/toy", "main", offline=False, refresh=False, token=None)
    layout = get_layout("me/toy", sha, offline=False, token=None, state=state)
    fetched = get_split(layout, "default", "train", offline=False, token=None)
    assert [f.converted for f in fetched.files] == [True]
    assert fetched.num_rows == 3
    assert manifests.read_split("me/toy", sha, "default", "train") == fetched
    assert pl.read_parquet(fetched.local_paths()[0])["q"].to_list() == ["a", "b", "c"]
    hub.clear_requests()
    assert get_split(layout, "default", "train", offline=True, token=None) == fetched
    assert hub.requests == []


def test_offline_without_the_split_names_the_download_command(hub: LocalHub) -> None:
    sha, state = resolve_sha("me/toy", "main", offline=False, refresh=False, token=None)
    layout = get_layout("me/toy", sha, offline=False, token=None, state=state)
    with pytest.raises(errors.CacheMissError, match="crucible-pl download me/toy"):
        get_split(layout, "default", "test", offline=True, token=None)
