"""Shared fixtures: local Hub servers over HTTP, and the reliability figures recorder.

The clean environment every test gets is the top ``conftest.py``'s ``_clean_env``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from crucible_pl.testing import LocalHub

SHARED = Path(__file__).resolve().parents[2] / "shared"
SHARED_HUB = SHARED / "hub"
NO_SHARED = f"real Hub data not found at {SHARED_HUB} (../shared is absent beside the repo)"


@pytest.fixture(scope="session")
def real_hub() -> Iterator[LocalHub]:
    """A LocalHub serving the real eval data in ../shared/hub (skipped when absent)."""
    if not SHARED_HUB.is_dir():
        pytest.skip(NO_SHARED)
    with LocalHub(SHARED_HUB) as hub:
        yield hub


@pytest.fixture
def use_real_hub(real_hub: LocalHub, monkeypatch: pytest.MonkeyPatch) -> LocalHub:
    """Point huggingface_hub (through HF_ENDPOINT) at the real-data LocalHub."""
    monkeypatch.setenv("HF_ENDPOINT", real_hub.url)
    real_hub.clear_requests()
    return real_hub


@pytest.fixture
def make_hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., LocalHub]]:
    """Start a LocalHub over a fresh directory (``hub.root``) and point HF_ENDPOINT at it."""
    hubs: list[LocalHub] = []

    def start(**kwargs: Any) -> LocalHub:
        root = tmp_path / f"hub-root-{len(hubs)}"
        root.mkdir()
        hub = LocalHub(root, **kwargs)
        hub.start()
        hubs.append(hub)
        monkeypatch.setenv("HF_ENDPOINT", hub.url)
        return hub

    yield start
    for hub in hubs:
        hub.stop()


FIGURES_NAME = "crucible-pl-reliability.json"
"""Where :func:`record` keeps the counts behind docs/reliability.md's figures: a file of
that name in the session's pytest base temp dir (``python tests/reliability/test_reliability.py``
sums them)."""


def latest_figures() -> Path:
    """The figures file of the latest pytest session (pytest's ``pytest-current`` link)."""
    import getpass
    import tempfile

    base = Path(tempfile.gettempdir()) / f"pytest-of-{getpass.getuser()}" / "pytest-current"
    return base / FIGURES_NAME


@pytest.fixture
def record(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Callable[..., None]:
    """Store counts for the figures in docs/reliability.md, keyed by this test's id.

    Written in the session's base temp dir, never elsewhere; ``record(faults=2)``.
    """
    import contextlib
    import json
    import os

    figures = tmp_path_factory.getbasetemp() / FIGURES_NAME

    def store(**counts: int) -> None:
        data: dict[str, dict[str, int]] = {}
        with contextlib.suppress(OSError, ValueError):
            data = json.loads(figures.read_text())
        data[request.node.nodeid] = counts
        tmp = figures.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data, indent=1, sort_keys=True))
        os.replace(tmp, figures)

    return store
