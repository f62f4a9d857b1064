"""Issue 13 item 10: an explicit ``offline=False`` wins over ``HF_HUB_OFFLINE=1``.

huggingface_hub reads ``HF_HUB_OFFLINE`` once, at import, and then refuses every request;
the docs promise that ``offline=False`` overrides the variable. Before the fix the load
below failed with "huggingface_hub refused to reach the Hub ... offline mode is on".
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl
import pytest
from huggingface_hub import constants

import crucible_pl
from crucible_pl.errors import CacheMissError
from crucible_pl.testing import LocalHub, write_repo


@pytest.fixture
def offline_env(make_hub: Callable[..., LocalHub], monkeypatch: pytest.MonkeyPatch) -> LocalHub:
    hub = make_hub()
    write_repo(hub.root, "me/toy", {"data/test.parquet": pl.DataFrame({"x": [1, 2]})})
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    # As if huggingface_hub had been imported with HF_HUB_OFFLINE=1 set.
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    return hub


def test_explicit_offline_false_wins_over_the_environment(offline_env: LocalHub) -> None:
    frame = crucible_pl.load_lazy("me/toy", offline=False).collect()
    assert frame["x"].to_list() == [1, 2]
    assert offline_env.downloads() == ["data/test.parquet"]
    # huggingface_hub's own flag is back as it was, for the rest of the process.
    assert constants.HF_HUB_OFFLINE is True


def test_without_the_flag_the_environment_keeps_the_load_offline(offline_env: LocalHub) -> None:
    with pytest.raises(CacheMissError):
        crucible_pl.load_lazy("me/toy")
    assert offline_env.requests == []


def test_info_with_offline_false_reaches_the_hub_too(offline_env: LocalHub) -> None:
    meta = crucible_pl.info("me/toy", offline=False)
    assert [(s.name, s.num_rows) for s in meta.splits] == [("test", 2)]


def test_offline_true_never_requests_even_to_repair_a_damaged_file(
    make_hub: Callable[..., LocalHub],
) -> None:
    # Found while fixing item 7: a split rebuilt offline (its manifest gone) from a blob
    # that failed its checksum downloaded the file again, a HEAD and a GET, offline.
    from crucible_pl._cache import manifests, paths
    from crucible_pl.errors import DataFormatError

    hub = make_hub()
    write_repo(hub.root, "me/toy", {"data/test.parquet": pl.DataFrame({"x": [1, 2, 3]})})
    crucible_pl.load_lazy("me/toy").collect()
    sha = manifests.read_ref("me/toy", "main")
    assert sha is not None
    blob = paths.hub_file_path("me/toy", sha, "data/test.parquet").resolve()
    damaged = bytearray(blob.read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF
    blob.write_bytes(bytes(damaged))
    paths.split_path("me/toy", sha, "default", "test").unlink()
    hub.clear_requests()
    with pytest.raises(DataFormatError, match="load again online to download it again"):
        crucible_pl.load_lazy("me/toy", offline=True)
    assert hub.requests == []
    assert not blob.exists()  # removed, so it cannot be trusted later
    assert crucible_pl.load_lazy("me/toy").collect()["x"].to_list() == [1, 2, 3]
