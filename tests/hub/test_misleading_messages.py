"""Issue 13 item 11: a 404 on a file and a vanished commit say what to do, not "try later"."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest

import crucible_pl
from crucible_pl.errors import DataFormatError, HubUnavailableError, RevisionNotFoundError
from crucible_pl.testing import Fault, LocalHub, write_repo

FILE = "data/test-00000-of-00001.parquet"


@pytest.fixture
def hub(make_hub: Callable[..., LocalHub]) -> LocalHub:
    hub = make_hub()
    write_repo(hub.root, "me/toy", {FILE: pl.DataFrame({"id": ["r0"], "a": [1]})})
    return hub


@pytest.mark.parametrize("status", [404, 410])
def test_a_file_the_hub_no_longer_serves_says_refresh(hub: LocalHub, status: int) -> None:
    # Before: HubUnavailableError "... answered HTTP 404 ... try again later".
    hub.inject(Fault.error(status, path="/datasets/me/toy/resolve/*", times=None))
    with pytest.raises(
        DataFormatError, match=rf"does not serve \(HTTP {status}\).*refresh=True"
    ) as caught:
        crucible_pl.load("me/toy", "test")
    assert not isinstance(caught.value, HubUnavailableError)
    assert "network" not in str(caught.value)
    assert "later" not in str(caught.value)


def test_a_vanished_commit_says_refresh_not_revision_none(hub: LocalHub) -> None:
    first = crucible_pl.load("me/toy", "test")
    sha = first.provenance.sha
    # The branch is force-pushed and the cached file is lost: the manifest still pins `sha`.
    write_repo(hub.root, "me/toy", {FILE: pl.DataFrame({"id": ["r9"], "a": [2]})})
    for name in first.files():
        link = Path(name)
        link.resolve().unlink()
        link.unlink(missing_ok=True)
    # Before: "... Pass an existing branch, tag or commit sha (revision=None uses ...)".
    with pytest.raises(RevisionNotFoundError, match="refresh=True") as caught:
        crucible_pl.load("me/toy", "test")
    assert sha is not None
    assert sha in str(caught.value)
    assert "revision=None" not in str(caught.value)
    fresh = crucible_pl.load("me/toy", "test", refresh=True)
    assert fresh.collect()["id"].to_list() == ["r9"]
