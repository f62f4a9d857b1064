"""Shared fixtures: a clean environment per test and local Hub servers over HTTP."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from crucible_pl.testing import LocalHub

SHARED = Path(__file__).resolve().parents[2] / "shared"
SHARED_HUB = SHARED / "hub"
NO_SHARED = f"real Hub data not found at {SHARED_HUB} (../shared is absent beside the repo)"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A private HF cache and crucible cache per test; no token, offline flag or endpoint."""
    import os

    for name in list(os.environ):
        if name.startswith(("HF_", "CRUCIBLE_PL_", "HUGGING_FACE_")):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    monkeypatch.setenv("CRUCIBLE_PL_CACHE", str(tmp_path / "crucible-cache"))
    monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
    monkeypatch.setenv("HF_HUB_DISABLE_PROGRESS_BARS", "1")


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
