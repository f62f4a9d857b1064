"""Doctests run against the built-in local Hub: synthetic repos served on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from _pytest.doctest import DoctestItem

from crucible_pl._demo import write_demo_repos
from crucible_pl.testing import LocalHub


@pytest.fixture(scope="session")
def _doctest_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalHub]:
    root = tmp_path_factory.mktemp("doctest-hub")
    write_demo_repos(root)
    with LocalHub(root) as hub:
        yield hub


@pytest.fixture(autouse=True)
def _doctest_environment(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """For doctests only: HF_ENDPOINT at the local Hub, private caches, no token."""
    if not isinstance(request.node, DoctestItem):
        return
    import os

    hub: LocalHub = request.getfixturevalue("_doctest_hub")
    for name in list(os.environ):
        if name.startswith(("HF_", "CRUCIBLE_PL_")):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HF_ENDPOINT", hub.url)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    monkeypatch.setenv("CRUCIBLE_PL_CACHE", str(tmp_path / "crucible-cache"))
    monkeypatch.setenv("HF_HUB_DISABLE_PROGRESS_BARS", "1")
