"""``crucible-pl demo``: the real load path, offline, on synthetic Hub-shaped data.

It writes synthetic repos shaped exactly like the Hub's (paths, configs, raw dtypes)
for a few registered datasets, serves them with :class:`~crucible_pl.testing.LocalHub`
on loopback, points huggingface_hub at it through ``HF_ENDPOINT`` with a throw-away
cache, and walks through the real path: the registry, a cold lazy load with a filter
and a projection, k-fold split sizes, scoring deterministic dummy predictions per
subject with bootstrap intervals, and the same load again on the warm cache with zero
requests. Nothing leaves the machine; the user's own caches and environment are
untouched. It runs in about 3 seconds and prints about 90 lines.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import polars as pl

__all__ = [
    "DEMO_DATASETS",
    "demo_environment",
    "dummy_predictions",
    "run_demo",
    "write_demo_repos",
]

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
    restores them afterwards. Offline mode (``HF_HUB_OFFLINE``, which CI may set to
    prove that nothing reaches the internet) is lifted meanwhile: the demo only talks
    to its own server on 127.0.0.1. Yields the running :class:`LocalHub`.
    """
    from ._hub.session import offline_mode_lifted
    from .testing import LocalHub

    hub_root = root / "hub"
    write_demo_repos(hub_root, rows=rows)
    saved = {
        k: os.environ.get(k)
        for k in ("HF_ENDPOINT", "HF_HOME", "CRUCIBLE_PL_CACHE", "HF_HUB_CACHE", "HF_HUB_OFFLINE")
    }
    with LocalHub(hub_root) as hub, offline_mode_lifted():
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


_SUBJECTS = ("astronomy", "college_chemistry", "high_school_biology")
_TABLE = {
    "tbl_hide_dataframe_shape": True,
    "tbl_hide_column_data_types": True,
    "fmt_str_lengths": 40,
    "tbl_width_chars": 100,
}


def _table(df: pl.DataFrame) -> str:
    with pl.Config(**_TABLE):  # type: ignore[arg-type]
        return str(df)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds >= 0.01 else f"{seconds * 1000:.1f} ms"


def dummy_predictions(references: pl.LazyFrame, *, share_correct: int = 6) -> pl.LazyFrame:
    """Deterministic letter predictions: right for about ``share_correct`` rows in 10.

    A row is answered correctly when the stable hash of its ``id`` modulo 10 is below
    ``share_correct``; otherwise it gets the next choice's letter. Polars expressions
    only, identical on every run and machine.

    Examples
    --------
    >>> refs = pl.LazyFrame(
    ...     {"id": ["a", "b", "c"], "expected": [0, 1, 2], "choices": [["x", "y", "z"]] * 3}
    ... )
    >>> dummy_predictions(refs, share_correct=10).collect()["prediction"].to_list()
    ['A', 'B', 'C']
    >>> dummy_predictions(refs, share_correct=0).collect()["prediction"].to_list()
    ['B', 'C', 'A']
    """
    from ._hashing import stable_hash

    index = (
        pl.when(stable_hash("id") % 10 < share_correct)
        .then(pl.col("expected"))
        .otherwise((pl.col("expected") + 1) % pl.col("choices").list.len())
    )
    letters = {i: chr(ord("A") + i) for i in range(26)}
    return references.select(
        "id", index.replace_strict(letters, return_dtype=pl.String).alias("prediction")
    )


def run_demo(echo: Callable[[str], None]) -> None:
    """Run the demo, writing its narration through ``echo`` (about 90 lines)."""
    import crucible_pl

    from ._hub.session import progress_bars_off
    from .testing import LocalHub

    quiet_bars = progress_bars_off()
    with (
        quiet_bars,
        tempfile.TemporaryDirectory(prefix="crucible-demo-") as tmp,
        demo_environment(Path(tmp)) as server,
    ):
        assert isinstance(server, LocalHub)
        echo("crucible-pl demo. The data below are SYNTHETIC: generated with each dataset's")
        echo("raw Hub schema, not the real datasets. They are served by a LocalHub on")
        echo(f"{server.url} (loopback); nothing is fetched from the internet.\n")

        registry = crucible_pl.list_datasets()
        counts = registry.group_by("family").len().sort("family")
        # A handful of summary rows (one per family), formatted for the narration.
        families = ", ".join(f"{f} {n}" for f, n in counts.iter_rows())
        echo(f"1. list_datasets(): {registry.height} named datasets by family:")
        echo(f"   {families}.")
        echo("   The demo serves synthetic copies of four of them:")
        shown = registry.filter(pl.col("name").is_in(DEMO_DATASETS)).select(
            "name", "family", "repo", pl.col("configs").list.len().alias("configs")
        )
        echo(_table(shown) + "\n")

        echo("2. Cold, lazy load of mmlu (config 'all', split 'test'), filtered and projected:")
        echo('   load_lazy("mmlu", "test", config="all")')
        echo('     .filter(pl.col("expected") == 0).select("id", "subject", "expected").head(5)')

        def query() -> pl.DataFrame:
            return (
                crucible_pl.load_lazy("mmlu", "test", config="all")
                .filter(pl.col("expected") == 0)
                .select("id", "subject", "expected")
                .head(5)
                .collect()
            )

        server.clear_requests()
        start = time.perf_counter()
        cold = query()
        cold_s = time.perf_counter() - start
        echo(_table(cold))
        files = server.downloads()
        echo(
            f"   {len(server.requests)} HTTP requests; downloaded {len(files)} file(s) "
            f"({', '.join(files)}) in {_ms(cold_s)}.\n"
        )

        ds = crucible_pl.load("mmlu", "test", config="all")
        folds = ds.k_fold(5, seed=0)
        sizes = [len(test) for _, test in folds]
        test_ids = pl.concat([test.lazy().select("id") for _, test in folds]).collect()
        once = test_ids.height == len(ds) and test_ids["id"].n_unique() == len(ds)
        echo(f"3. Dataset.k_fold(5, seed=0) on those {len(ds)} rows:")
        echo(
            f"   test folds of {' + '.join(map(str, sizes))} = {sum(sizes)} rows; "
            f"every row in exactly one test fold: {'yes' if once else 'NO'}.\n"
        )

        refs = crucible_pl.concat([crucible_pl.load("mmlu", "test", config=s) for s in _SUBJECTS])
        preds = dummy_predictions(refs.lazy())
        result = crucible_pl.evaluate(refs, preds, by="subject", seed=0)
        echo(f'4. evaluate(refs, predictions, by="subject") on {len(refs)} mmlu test rows of')
        echo(f"   {len(_SUBJECTS)} subjects (crucible_pl.concat of three loads). The predictions")
        echo("   are dummies: the right letter for about 60% of rows (picked by a stable hash")
        echo("   of the row id), a wrong one otherwise.")
        summary = result.summary.select(
            "metric",
            "scope",
            pl.col("subject").fill_null("-"),
            pl.col("mean", "ci_low", "ci_high").round(3),
            "count",
        )
        echo(_table(summary))
        echo("   (95% percentile bootstrap intervals over items, 1000 resamples, seed 0)\n")

        echo("5. The load of step 2 again, on the warm cache:")
        server.clear_requests()
        start = time.perf_counter()
        warm = query()
        warm_s = time.perf_counter() - start
        same = "identical rows" if warm.equals(cold) else "DIFFERENT ROWS"
        echo(f"   {len(server.requests)} HTTP requests, {_ms(warm_s)}, {same}.\n")

        echo("6. GSM8K final answers, extracted from '#### N' by Polars expressions:")
        gsm = crucible_pl.load_lazy("gsm8k", "test[:3]").select("id", "expected").collect()
        echo(_table(gsm))

        subject = _SUBJECTS[0]
        echo(f"\n7. Prompts as Polars expressions: lm-eval's `mmlu` format on one {subject}")
        echo("   test row, 2-shot from the subject's dev split (its first rows, as lm-eval):")
        echo(f'   load("mmlu", "test", config="{subject}").head(1)')
        echo(f'     .with_fewshot(2, source=load("mmlu", "dev", config="{subject}"), by="subject")')
        test = crucible_pl.load("mmlu", "test", config=subject).head(1)
        dev = crucible_pl.load("mmlu", "dev", config=subject)
        row = test.with_fewshot(2, source=dev, by="subject").collect().row(0, named=True)
        echo("   " + "-" * 60)
        for line in row["prompt"].splitlines():
            echo(f"   | {line}".rstrip())
        echo("   " + "-" * 60)
        echo(f"   fewshot_ids: {', '.join(row['fewshot_ids'])}")
        continuations = ", ".join(repr(c) for c in row["continuations"])
        echo(f"   continuations (scored by log-likelihood): {continuations}")
        echo(f"   messages: {len(row['messages'])} chat turns (the shots as user/assistant pairs)")
        echo("\nDone. On real data: crucible_pl.load_lazy('mmlu', config='astronomy'), or")
        echo("`crucible-pl download mmlu --all-configs` first to work offline.")
