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
