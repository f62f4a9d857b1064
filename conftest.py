"""Fixtures for every test and doctest: one clean environment, and the doctests' local Hub.

:func:`_clean_env` is the suite's one environment scrub (``tests/conftest.py`` adds
servers, not another scrub). Doctests also get ``HF_ENDPOINT`` pointed at the built-in
local Hub: synthetic repos served on loopback.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from _pytest.doctest import DoctestItem

from crucible_pl._demo import write_demo_repos
from crucible_pl.testing import LocalHub

SCRUBBED_PREFIXES = ("HF_", "HUGGING_FACE_", "CRUCIBLE_PL_")
"""Environment variables removed before each test: huggingface_hub's and ours."""


@pytest.hookimpl(tryfirst=True)  # pytest-benchmark creates its storage in its own configure
def pytest_configure(config: pytest.Config) -> None:
    """pytest-benchmark's storage in pytest's temp root instead of ``./.benchmarks``.

    The plugin creates that directory at start-up, even when nothing is benchmarked. The
    session's own temp dir does not exist yet at this point, so its parent is used.
    """
    if getattr(config.option, "benchmark_storage", None) == "file://./.benchmarks":
        import getpass
        import tempfile

        root = Path(tempfile.gettempdir()) / f"pytest-of-{getpass.getuser()}"
        config.option.benchmark_storage = f"file://{root / 'benchmarks'}"


def pytest_sessionstart(session: pytest.Session) -> None:
    """Hypothesis's example database and constants cache in the session's temp dir, and
    no tqdm monitor threads.

    By default the database goes to ``.hypothesis/`` in the working directory, from
    collection on. tqdm starts a monitor thread for huggingface_hub's progress bars that
    is not always stopped: over 100 of them built up in a full run, more than
    faulthandler dumps, which hid the crashing thread of a native crash.
    """
    import tqdm
    from hypothesis.configuration import set_hypothesis_home_dir

    tqdm.tqdm.monitor_interval = 0

    # The factory behind tmp_path; pytest has no public accessor before the first fixture.
    factory: pytest.TempPathFactory = session.config._tmp_path_factory  # type: ignore[attr-defined]
    set_hypothesis_home_dir(factory.getbasetemp() / "hypothesis")


@pytest.fixture(scope="session")
def _doctest_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalHub]:
    root = tmp_path_factory.mktemp("doctest-hub")
    write_demo_repos(root)
    with LocalHub(root) as hub:
        yield hub


@pytest.fixture(autouse=True)
def _clean_env(
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """A private HF cache and crucible cache per test; no token, offline flag or endpoint.

    ``tempfile`` (and ``TMPDIR``, for subprocesses) points into this session's temp dir,
    so a test or doctest that makes a temporary directory and leaves it behind leaves it
    there. Doctests get ``HF_ENDPOINT`` at the session's local Hub of demo repos.
    """
    import os
    import tempfile

    scratch = str(tmp_path_factory.mktemp("tmpdir"))
    monkeypatch.setattr(tempfile, "tempdir", scratch)
    monkeypatch.setenv("TMPDIR", scratch)
    for name in list(os.environ):
        if name.startswith(SCRUBBED_PREFIXES):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    monkeypatch.setenv("CRUCIBLE_PL_CACHE", str(tmp_path / "crucible-cache"))
    monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
    monkeypatch.setenv("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    if isinstance(request.node, DoctestItem):
        hub: LocalHub = request.getfixturevalue("_doctest_hub")
        monkeypatch.setenv("HF_ENDPOINT", hub.url)
