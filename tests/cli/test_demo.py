"""``crucible-pl demo``: runs offline on synthetic data and shows the key facts."""

from __future__ import annotations

import os
import re
import time

import polars as pl
import pytest
from click.testing import CliRunner
from polars.testing import assert_frame_equal

from crucible_pl import _config
from crucible_pl._demo import dummy_predictions
from crucible_pl.cli import main


def test_demo_runs_offline_and_shows_the_key_facts(monkeypatch: pytest.MonkeyPatch) -> None:
    from huggingface_hub import constants

    # As in a CI job that sets HF_HUB_OFFLINE=1 to prove nothing reaches the internet.
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    keys = ("HF_ENDPOINT", "HF_HOME", "CRUCIBLE_PL_CACHE", "HF_HUB_OFFLINE")
    env_before = {k: os.environ.get(k) for k in keys}
    start = time.perf_counter()
    result = CliRunner().invoke(main, ["demo"])
    elapsed = time.perf_counter() - start
    assert result.exit_code == 0, result.output
    out = result.output
    lines = out.splitlines()

    # Says clearly that the data are synthetic and local.
    assert "SYNTHETIC" in lines[0]
    assert "nothing is fetched from the internet" in out
    assert re.search(r"LocalHub on\s+http://127\.0\.0\.1:\d+", out)

    # list: the registry and the four demo datasets.
    assert re.search(r"list_datasets\(\): \d+ named datasets", out)
    assert all(name in out for name in ("gsm8k", "mmlu", "humaneval", "arc"))

    # Cold load with filter and projection: downloads exactly one file.
    cold = re.search(r"(\d+) HTTP requests; downloaded 1 file\(s\) \(all/test-", out)
    assert cold is not None
    assert int(cold.group(1)) > 0

    # k-fold sizes sum to the rows, every row once.
    fold = re.search(
        r"k_fold\(5, seed=0\) on those (\d+) rows:\n\s+test folds of ([\d +]+) = (\d+)", out
    )
    assert fold is not None
    rows, sizes, total = int(fold.group(1)), fold.group(2).split(" + "), int(fold.group(3))
    assert len(sizes) == 5
    assert sum(int(s) for s in sizes) == total == rows
    assert "every row in exactly one test fold: yes" in out

    # Per-subject scores with intervals.
    for subject in ("astronomy", "college_chemistry", "high_school_biology"):
        assert re.search(rf"│ choice_match ┆ group\s+┆ {subject}\s+┆ 0\.\d+", out), subject
    assert "ci_low" in out
    assert "ci_high" in out

    # The warm load: zero requests, same rows.
    assert re.search(r"warm cache:\n\s+0 HTTP requests, [\d.]+ ms, identical rows\.", out)

    # Prompt rendering and a few-shot prompt (issue 15): lm-eval's mmlu format, 2-shot.
    assert "The following are multiple choice questions (with answers) about astronomy." in out
    assert out.count("   | Answer:") == 3  # two shots answered, the item left open
    assert re.search(r"\| Answer: [A-D]\n", out)
    assert "fewshot_ids: mmlu/astronomy/dev/0, mmlu/astronomy/dev/1" in out
    assert "continuations (scored by log-likelihood): ' A', ' B', ' C', ' D'" in out

    # Readable and fast, and the user's environment and caches are untouched.
    assert len(lines) < 120
    assert max(len(line) for line in lines) <= 100
    assert elapsed < 30  # about 3 s on an idle machine; generous for shared CI
    assert {k: os.environ.get(k) for k in env_before} == env_before
    assert constants.HF_HUB_OFFLINE is True
    assert not _config.crucible_cache_dir().exists()
    assert not _config.hub_cache_dir().exists()


def test_dummy_predictions_are_deterministic_and_about_60_percent_right() -> None:
    refs = pl.LazyFrame(
        {
            "id": [f"mmlu/astronomy/test/{i}" for i in range(2000)],
            "expected": [i % 4 for i in range(2000)],
            "choices": [["a", "b", "c", "d"]] * 2000,
        }
    )
    preds = dummy_predictions(refs).collect()
    assert_frame_equal(preds, dummy_predictions(refs).collect())
    letters = refs.collect()["expected"].replace_strict(
        {0: "A", 1: "B", 2: "C", 3: "D"}, return_dtype=pl.String
    )
    right = (preds["prediction"] == letters).mean()
    assert isinstance(right, float)
    assert 0.55 < right < 0.65
    assert preds["prediction"].is_in(["A", "B", "C", "D"]).all()
    # Pinned: the same predictions on every machine and Polars version.
    assert preds["prediction"].head(8).to_list() == PINNED


PINNED = ["B", "B", "C", "D", "B", "B", "D", "D"]  # from _hashing.stable_hash_int (pure Python)
