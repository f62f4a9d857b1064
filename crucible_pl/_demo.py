"""``crucible-pl demo``: the real load path, offline, on synthetic Hub-shaped data.

It writes synthetic repos shaped exactly like the Hub's (paths, configs, raw dtypes)
for a few registered datasets, serves them with :class:`~crucible_pl.testing.LocalHub`
on loopback, points huggingface_hub at it through ``HF_ENDPOINT`` with a throw-away
cache, and walks through a cold load, a lazy filter and projection, and the same load
again on the warm cache with zero requests. Nothing leaves the machine; the user's
own caches and environment are untouched.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import polars as pl

__all__ = ["DEMO_DATASETS", "demo_environment", "run_demo", "write_demo_repos"]

DEMO_DATASETS = ("gsm8k", "mmlu", "humaneval", "arc")
_DEMO_ROWS = 40


def write_demo_repos(hub_root: Path, *, rows: int = _DEMO_ROWS) -> None:
    """Write the synthetic repos of :data:`DEMO_DATASETS` under ``hub_root``."""
    from .registry import get_spec
    from .testing import write_spec_repo

    for name in DEMO_DATASETS:
        write_spec_repo(hub_root, get_spec(name), rows=rows, seed=0)


@contextlib.contextmanager
def demo_environment(root: Path, *, rows: int = _DEMO_ROWS) -> Iterator[object]:
    """Synthetic repos under ``root``, served on loopback, with a private cache.

    Sets ``HF_ENDPOINT``, ``HF_HOME`` and ``CRUCIBLE_PL_CACHE`` for the duration and
    restores them afterwards. Yields the running :class:`LocalHub`.
    """
    from .testing import LocalHub

    hub_root = root / "hub"
    write_demo_repos(hub_root, rows=rows)
    saved = {
        k: os.environ.get(k)
        for k in ("HF_ENDPOINT", "HF_HOME", "CRUCIBLE_PL_CACHE", "HF_HUB_CACHE", "HF_HUB_OFFLINE")
    }
    with LocalHub(hub_root) as hub:
        try:
            os.environ["HF_ENDPOINT"] = hub.url
            os.environ["HF_HOME"] = str(root / "hf-home")
            os.environ["CRUCIBLE_PL_CACHE"] = str(root / "crucible-cache")
            os.environ.pop("HF_HUB_CACHE", None)
            os.environ.pop("HF_HUB_OFFLINE", None)
            yield hub
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


def run_demo(echo: Callable[[str], None]) -> None:
    """Run the demo, writing its narration through ``echo``."""
    from . import _api
    from .testing import LocalHub

    with (
        tempfile.TemporaryDirectory(prefix="crucible-demo-") as tmp,
        demo_environment(Path(tmp)) as server,
    ):
        assert isinstance(server, LocalHub)
        echo("crucible-pl demo: SYNTHETIC data (generated with each dataset's raw Hub schema),")
        echo(f"served by a LocalHub on {server.url}; no internet is used.\n")

        registry = _api.list_datasets()
        by_family = registry.group_by("family").len().sort("family")
        families = ", ".join(f"{f} {n}" for f, n in by_family.iter_rows())
        echo(f"1. The registry: {registry.height} named datasets ({families}).\n")

        echo("2. Cold load of mmlu (config 'all', split 'test'), lazily filtered and projected:")
        server.clear_requests()
        start = time.perf_counter()
        lf = _api.load_lazy("mmlu", "test", config="all")
        query = lf.filter(pl.col("expected") == 0).select("id", "subject", "expected").head(5)
        cold = query.collect()
        cold_s = time.perf_counter() - start
        echo(str(cold))
        files = server.downloads()
        echo(
            f"   {len(server.requests)} HTTP requests, downloaded {len(files)} file(s): "
            f"{', '.join(files)} ({cold_s * 1000:.0f} ms)\n"
        )

        echo("3. The same load again, on the warm cache:")
        server.clear_requests()
        start = time.perf_counter()
        warm = (
            _api.load_lazy("mmlu", "test", config="all")
            .filter(pl.col("expected") == 0)
            .select("id", "subject", "expected")
            .head(5)
            .collect()
        )
        warm_s = time.perf_counter() - start
        same = "identical rows" if warm.equals(cold) else "DIFFERENT ROWS"
        echo(f"   {len(server.requests)} HTTP requests, {warm_s * 1000:.1f} ms, {same}.\n")

        echo("4. GSM8K answers extracted from '#### N' by Polars expressions:")
        gsm = _api.load_lazy("gsm8k", "test[:3]").select("id", "expected").collect()
        echo(str(gsm))
        echo("\nDone. Real data: crucible_pl.load_lazy('gsm8k') against the Hub.")
