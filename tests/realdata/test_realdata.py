"""Real eval data (../shared/hub) through the whole load path: LocalHub -> load_lazy.

Every expectation is computed here in plain Python from the mirror's raw Parquet
files, independently of the normalizers; row counts are those of
shared/hub/PROVENANCE.md.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
import pytest

import crucible_pl
from crucible_pl.errors import ConfigNotFoundError
from crucible_pl.registry import get_spec
from crucible_pl.testing import LocalHub

pytestmark = pytest.mark.realdata

MIRROR = Path(__file__).resolve().parents[3] / "shared" / "hub" / "datasets"


def raw_rows(repo: str, path: str) -> list[dict[str, Any]]:
    """The rows of one mirror file, read directly (not through crucible_pl)."""
    return pl.read_parquet(MIRROR / repo / path).to_dicts()


def load(name: str, split: str, config: str | None = None) -> pl.DataFrame:
    return crucible_pl.load_lazy(name, split, config=config).collect()


def closest(boundary: float, n: int) -> int:
    """`datasets`' 'closest' rounding of a percent boundary (ReadInstruction default)."""
    index = round(boundary * n / 100.0)
    return max(n + index, 0) if index < 0 else min(index, n)


# --------------------------------------------------------------------------- math


def test_gsm8k_answers_on_every_row(use_real_hub: LocalHub) -> None:
    for split, count in (("test", 1319), ("train", 7473)):
        rows = raw_rows("openai/gsm8k", f"main/{split}-00000-of-00001.parquet")
        df = load("gsm8k", split, "main")
        assert df.height == len(rows) == count
        want = [r["answer"].split("####")[-1].strip().replace(",", "") for r in rows]
        assert df["expected"].to_list() == want
        assert df["input"].to_list() == [r["question"] for r in rows]
        assert df["id"].to_list() == [f"gsm8k/main/{split}/{i}" for i in range(count)]
    use_real_hub.clear_requests()
    assert load("gsm8k", "test", "main").height == 1319
    assert use_real_hub.requests == []  # warm


def test_gsm8k_train_plus_test(use_real_hub: LocalHub) -> None:
    df = load("gsm8k", "train+test", "main")
    assert df.height == 7473 + 1319 == 8792
    assert df["id"].n_unique() == 8792  # the split is part of the id
    assert df["id"][0] == "gsm8k/main/train/0"
    assert df["id"][7473] == "gsm8k/main/test/0"


# -------------------------------------------------------------------- split slicing


@pytest.mark.parametrize(
    ("split", "select"),
    [
        ("test[:10]", lambda n: slice(0, 10)),
        ("test[-5:]", lambda n: slice(n - 5, n)),
        ("test[10%:20%]", lambda n: slice(closest(10, n), closest(20, n))),
        ("test[-1%:]", lambda n: slice(closest(-1, n), n)),
    ],
)
def test_split_slices_match_python_slicing(
    use_real_hub: LocalHub, split: str, select: Callable[[int], slice]
) -> None:
    full = load("gsm8k", "test", "main")
    n = full.height
    part = load("gsm8k", split, "main")
    want = slice(*select(n).indices(n))
    assert part["id"].to_list() == full["id"].to_list()[want]
    assert part["expected"].to_list() == full["expected"].to_list()[want]


def test_percent_slice_bounds_use_closest_rounding(use_real_hub: LocalHub) -> None:
    # 1319 rows: 10% -> 131.9 -> 132, 20% -> 263.8 -> 264 (not 131/263 as truncation gives)
    ids = load("gsm8k", "test[10%:20%]", "main")["id"].to_list()
    assert ids[0] == "gsm8k/main/test/132"
    assert ids[-1] == "gsm8k/main/test/263"
    assert len(ids) == 132


# ------------------------------------------------------------------ multiple choice


MMLU_SUBJECT = "astronomy"
MMLU_COUNTS = {"test": 152, "validation": 16, "dev": 5}  # PROVENANCE.md


@pytest.mark.parametrize("split", sorted(MMLU_COUNTS))
def test_mmlu_subject(use_real_hub: LocalHub, split: str) -> None:
    rows = raw_rows("cais/mmlu", f"{MMLU_SUBJECT}/{split}-00000-of-00001.parquet")
    df = load("mmlu", split, MMLU_SUBJECT)
    assert df.height == len(rows) == MMLU_COUNTS[split]
    assert df["expected"].to_list() == [r["answer"] for r in rows]
    assert df["choices"].to_list() == [r["choices"] for r in rows]
    assert df["input"].to_list() == [r["question"] for r in rows]
    assert set(df["subject"]) == {MMLU_SUBJECT}


def test_mmlu_stem_names_the_subject_the_mirror_lacks(use_real_hub: LocalHub) -> None:
    stem = get_spec("mmlu_stem").source_configs("default")
    missing = sorted(s for s in stem if not (MIRROR / "cais/mmlu" / s).is_dir())
    assert missing, "the mirror now has every STEM subject: test the full union instead"
    with pytest.raises(ConfigNotFoundError) as info:
        load("mmlu_stem", "test")
    message = str(info.value)
    assert any(repr(s) in message for s in missing), message
    assert "cais/mmlu" in message


@pytest.mark.parametrize(
    ("config", "counts"),
    [
        ("ARC-Challenge", {"train": 1119, "test": 1172, "validation": 299}),
        ("ARC-Easy", {"train": 2251, "test": 2376, "validation": 570}),
    ],
)
def test_arc(use_real_hub: LocalHub, config: str, counts: dict[str, int]) -> None:
    for split, count in counts.items():
        rows = raw_rows("allenai/ai2_arc", f"{config}/{split}-00000-of-00001.parquet")
        df = load("arc", split, config)
        assert df.height == len(rows) == count
        want = [r["choices"]["label"].index(r["answerKey"]) for r in rows]
        assert df["expected"].to_list() == want
        assert df["choices"].to_list() == [r["choices"]["text"] for r in rows]
        assert df["id"].to_list() == [r["id"] for r in rows]


def test_boolq(use_real_hub: LocalHub) -> None:
    rows = raw_rows("google/boolq", "data/validation-00000-of-00001.parquet")
    df = load("boolq", "validation")
    assert df.height == len(rows) == 3270
    assert df["expected"].to_list() == [int(r["answer"]) for r in rows]
    assert set(df["choices"].list.join("|")) == {"no|yes"}


# ---------------------------------------------------------------------------- code


def test_humaneval(use_real_hub: LocalHub) -> None:
    rows = raw_rows("openai/openai_humaneval", "openai_humaneval/test-00000-of-00001.parquet")
    df = load("humaneval", "test")
    assert df.height == len(rows) == 164
    assert df["id"].to_list() == [f"HumanEval/{i}" for i in range(164)]
    assert df["entry_point"].to_list() == [r["entry_point"] for r in rows]
    assert df["expected"].to_list() == [r["canonical_solution"] for r in rows]
    assert df["input"].to_list() == [r["prompt"] for r in rows]


@pytest.mark.parametrize(
    ("split", "count", "first_task"),
    [("test", 500, 11), ("train", 374, 601), ("validation", 90, 511), ("prompt", 10, 1)],
)
def test_mbpp_full(use_real_hub: LocalHub, split: str, count: int, first_task: int) -> None:
    rows = raw_rows("google-research-datasets/mbpp", f"full/{split}-00000-of-00001.parquet")
    df = load("mbpp", split, "full")
    assert df.height == len(rows) == count
    assert df["id"].to_list() == [str(t) for t in range(first_task, first_task + count)]
    assert df["expected"].to_list() == [r["code"] for r in rows]
    for row, test in zip(rows, df["test"], strict=True):
        assert all(assertion in test for assertion in row["test_list"])


# ---------------------------------------------------------------------- generation


def test_truthfulqa_generation(use_real_hub: LocalHub) -> None:
    rows = raw_rows("truthfulqa/truthful_qa", "generation/validation-00000-of-00001.parquet")
    df = load("truthfulqa", "validation", "generation")
    assert df.height == len(rows) == 817
    assert df["expected"].to_list() == [r["best_answer"] for r in rows]
    assert df["input"].to_list() == [r["question"] for r in rows]
    want = [[a.strip() for a in r["correct_answers"] if a.strip()] for r in rows]
    assert df["correct_answers"].to_list() == want
