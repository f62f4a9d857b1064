"""MMLU, MMLU-STEM (cais/mmlu) and MMLU-Pro (TIGER-Lab/MMLU-Pro): multiple-choice knowledge tests.

Canonical columns as every multiple-choice spec (see :mod:`crucible_pl.registry.multiple_choice`),
with ``subject``: the MMLU subject (MMLU-Pro: its ``category``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import polars as pl

from crucible_pl.registry._choices import (
    STR_LIST,
    Schema,
    card_config,
    parquet_files,
)
from crucible_pl.registry._mmlu_subjects import MMLU_STEM_SUBJECTS, MMLU_SUBJECTS
from crucible_pl.registry._spec import DatasetSpec, default_id

__all__ = ["MMLU", "MMLU_PRO", "MMLU_STEM"]


# --------------------------------------------------------------------------------------
# MMLU and MMLU-STEM (cais/mmlu)
# --------------------------------------------------------------------------------------

_MMLU_REPO = "cais/mmlu"
_MMLU_SPLITS = ("test", "validation", "dev")
_MMLU_ALL_SPLITS = ("test", "validation", "dev", "auxiliary_train")
_MMLU_RAW: Schema = {
    "question": pl.String,
    "subject": pl.String,
    "choices": STR_LIST,
    "answer": pl.Int64,  # ClassLabel A..D, stored as 0..3
}
# The `auxiliary_train` config (99,842 rows from RACE, ARC, OBQA and MCTest) nests each row
# in one struct column named `train`, per the card's dataset_info; its `subject` is empty.
# The `all` config's `auxiliary_train` split holds the same rows with flat columns.
_MMLU_AUX_RAW: Schema = {"train": pl.Struct(_MMLU_RAW)}
_MMLU_CITATION = "Hendrycks et al., 2021, Measuring Massive Multitask Language Understanding"


def _mmlu_card_configs() -> tuple[Mapping[str, Any], ...]:
    entries: dict[str, dict[str, Any]] = {s: card_config(s, _MMLU_SPLITS) for s in MMLU_SUBJECTS}
    entries["all"] = card_config("all", _MMLU_ALL_SPLITS)
    entries["auxiliary_train"] = card_config("auxiliary_train", ("train",))
    return tuple(entries[name] for name in sorted(entries))


_MMLU_CARD_CONFIGS = _mmlu_card_configs()


def _mmlu_columns(nested_in: str | None = None) -> dict[str, pl.Expr]:
    def raw(name: str) -> pl.Expr:
        return pl.col(name) if nested_in is None else pl.col(nested_in).struct.field(name)

    return {
        "id": default_id(),
        "input": raw("question"),
        "expected": raw("answer").cast(pl.Int64),
        "choices": raw("choices"),
        "subject": raw("subject"),
    }


MMLU = DatasetSpec(
    name="mmlu",
    repo=_MMLU_REPO,
    family="multiple_choice",
    description=(
        "MMLU: 4-option multiple-choice questions over 57 subjects, from elementary "
        "mathematics to professional law. One config per subject, plus `all` (every "
        "subject, with the `auxiliary_train` split) and `auxiliary_train` (its one split, "
        "`train`: 99,842 questions from RACE, ARC, OBQA and MCTest, no subject). `dev` "
        "holds the 5 few-shot examples per subject."
    ),
    license="mit",
    domain="general knowledge",
    task_type="multiple choice",
    configs=("all", "auxiliary_train", *MMLU_SUBJECTS),
    default_config="all",
    default_split="test",
    columns=_mmlu_columns(),
    hub_files=(
        *parquet_files(MMLU_SUBJECTS, _MMLU_SPLITS),
        *parquet_files(("all",), _MMLU_ALL_SPLITS),
        *parquet_files(("auxiliary_train",), ("train",)),
    ),
    raw_schema={
        **dict.fromkeys(("all", *MMLU_SUBJECTS), _MMLU_RAW),
        "auxiliary_train": _MMLU_AUX_RAW,
    },
    card_configs=_MMLU_CARD_CONFIGS,
    citation=_MMLU_CITATION,
    tags=("knowledge", "reasoning", "multiple-choice", "english"),
)

MMLU = dataclasses.replace(
    MMLU,
    variants={
        "auxiliary_train": dataclasses.replace(
            MMLU,
            default_config="auxiliary_train",
            default_split="train",
            columns=_mmlu_columns(nested_in="train"),
        )
    },
)

MMLU_STEM = DatasetSpec(
    name="mmlu_stem",
    repo=_MMLU_REPO,
    family="multiple_choice",
    description=(
        "MMLU-STEM: the 19 MMLU subjects of lm-evaluation-harness's `mmlu_stem` group "
        "(abstract algebra, anatomy, astronomy, college and high-school biology, "
        "chemistry, computer science, mathematics and physics, computer security, "
        "conceptual physics, electrical engineering, elementary mathematics, high-school "
        "statistics, machine learning), read from their cais/mmlu subject configs and "
        "concatenated. Not a Hub config. The MMLU authors' own categories.py files "
        "anatomy under 'other', giving 18 subjects."
    ),
    license="mit",
    domain="STEM",
    task_type="multiple choice",
    configs=("default",),
    default_config="default",
    default_split="test",
    columns=_mmlu_columns(),
    hub_configs={"default": MMLU_STEM_SUBJECTS},
    hub_files=parquet_files(MMLU_STEM_SUBJECTS, _MMLU_SPLITS),
    raw_schema=dict.fromkeys(MMLU_STEM_SUBJECTS, _MMLU_RAW),
    card_configs=_MMLU_CARD_CONFIGS,
    citation=_MMLU_CITATION,
    tags=("knowledge", "stem", "multiple-choice", "english"),
)


# --------------------------------------------------------------------------------------
# MMLU-Pro (TIGER-Lab/MMLU-Pro)
# --------------------------------------------------------------------------------------

_MMLU_PRO_RAW: Schema = {
    "question_id": pl.Int64,
    "question": pl.String,
    "options": STR_LIST,
    "answer": pl.String,
    "answer_index": pl.Int64,
    "cot_content": pl.String,
    "category": pl.String,
    "src": pl.String,
}


MMLU_PRO = DatasetSpec(
    name="mmlu_pro",
    repo="TIGER-Lab/MMLU-Pro",
    family="multiple_choice",
    description=(
        "MMLU-Pro: harder, reasoning-focused MMLU successor with up to 10 options per "
        "question (3-10), across 14 categories. `validation` (70 rows, 5 per category) "
        "is the chain-of-thought few-shot pool. `subject` is the category."
    ),
    license="mit",
    domain="general knowledge",
    task_type="multiple choice",
    configs=("default",),
    default_config="default",
    default_split="test",
    columns={
        "id": pl.col("question_id").cast(pl.String),
        "input": pl.col("question"),
        "expected": pl.col("answer_index").cast(pl.Int64),
        "choices": pl.col("options"),
        "subject": pl.col("category"),
    },
    hub_files=parquet_files(("default",), ("test", "validation"), directory="data"),
    raw_schema={"default": _MMLU_PRO_RAW},
    card_configs=(card_config("default", ("test", "validation"), directory="data"),),
    citation=(
        "Wang et al., 2024, MMLU-Pro: A More Robust and Challenging Multi-Task Language "
        "Understanding Benchmark"
    ),
    tags=("knowledge", "reasoning", "multiple-choice", "english"),
)
