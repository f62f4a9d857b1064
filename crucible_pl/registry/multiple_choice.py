"""Multiple-choice datasets: MMLU, MMLU-STEM, MMLU-Pro, ARC, HellaSwag, TruthfulQA, WinoGrande,
BoolQ and GPQA.

Every spec here yields ``id`` (String), ``input`` (String), ``expected`` (Int64, the
0-based index of the right answer in ``choices``, null where the Hub hides the label)
and ``choices`` (List(String)), plus ``subject`` (String) for MMLU, MMLU-STEM (the
MMLU subject), MMLU-Pro (its ``category``) and GPQA (its ``Subdomain``).
TruthfulQA's ``generation`` config is a ``generation``-family variant instead.

Choices that the Hub does not give as a list are built in Polars:

* ARC: ``expected`` is the position of ``answerKey`` in ``choices.label``, which
  handles both letter keys (``"A"``..``"E"``) and digit keys (``"1"``..``"5"``).
* WinoGrande: ``choices = [option1, option2]``; ``answer`` ``"1"``/``"2"`` -> 0/1,
  ``""`` (test) -> null.
* BoolQ: ``choices = ["no", "yes"]``; ``input`` follows lm-evaluation-harness's
  ``boolq`` prompt, ``"{passage}\\nQuestion: {question}?"``, without its trailing
  ``"\\nAnswer:"`` cue (the prompt template is the caller's).
* GPQA: the correct answer is inserted among the three incorrect ones at a position
  drawn from a stable hash of the row's ``Record ID`` (plain integer arithmetic over
  its UTF-8 bytes, so it is the same on every machine and Polars version).

Examples
--------
>>> import polars as pl
>>> from crucible_pl.registry.multiple_choice import ARC, SPECS
>>> sorted(spec.name for spec in SPECS)  # doctest: +NORMALIZE_WHITESPACE
['arc', 'boolq', 'gpqa', 'hellaswag', 'mmlu', 'mmlu_pro', 'mmlu_stem', 'truthfulqa',
 'winogrande']
>>> raw = pl.LazyFrame(
...     {
...         "id": ["Mercury_1", "NYSEDREGENTS_2"],
...         "question": ["Which is a metal?", "Which is a gas?"],
...         "choices": [
...             {"text": ["wood", "iron", "glass"], "label": ["A", "B", "C"]},
...             {"text": ["ice", "water", "rock", "steam"], "label": ["1", "2", "3", "4"]},
...         ],
...         "answerKey": ["B", "4"],
...     }
... )
>>> ARC.normalize(raw, config="ARC-Challenge", split="test").select(
...     "id", "expected", "choices"
... ).collect()
shape: (2, 3)
┌────────────────┬──────────┬─────────────────────────────┐
│ id             ┆ expected ┆ choices                     │
│ ---            ┆ ---      ┆ ---                         │
│ str            ┆ i64      ┆ list[str]                   │
╞════════════════╪══════════╪═════════════════════════════╡
│ Mercury_1      ┆ 1        ┆ ["wood", "iron", "glass"]   │
│ NYSEDREGENTS_2 ┆ 3        ┆ ["ice", "water", … "steam"] │
└────────────────┴──────────┴─────────────────────────────┘
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import polars as pl

from crucible_pl.registry._choices import (
    STR_LIST,
    Schema,
    card_config,
    label_or_null,
    parquet_files,
    position_of,
    shard,
)
from crucible_pl.registry._spec import DatasetSpec, HubFile, default_id
from crucible_pl.registry.gpqa import GPQA
from crucible_pl.registry.mmlu import MMLU, MMLU_PRO, MMLU_STEM

__all__ = [
    "ARC",
    "BOOLQ",
    "GPQA",
    "HELLASWAG",
    "MMLU",
    "MMLU_PRO",
    "MMLU_STEM",
    "SPECS",
    "TRUTHFULQA",
    "WINOGRANDE",
]

# --------------------------------------------------------------------------------------
# ARC (allenai/ai2_arc)
# --------------------------------------------------------------------------------------

_ARC_CONFIGS = ("ARC-Challenge", "ARC-Easy")
_ARC_SPLITS = ("train", "test", "validation")
_ARC_RAW: Schema = {
    "id": pl.String,
    "question": pl.String,
    "choices": pl.Struct({"text": STR_LIST, "label": STR_LIST}),
    "answerKey": pl.String,
}


ARC = DatasetSpec(
    name="arc",
    repo="allenai/ai2_arc",
    family="multiple_choice",
    description=(
        "AI2 Reasoning Challenge: grade-school science questions with 3-5 options, in an "
        "ARC-Challenge set (questions retrieval and co-occurrence baselines got wrong) and "
        "an ARC-Easy set. Option labels are letters A-E or, for a few questions, digits "
        "1-5; `expected` is the position of `answerKey` among them."
    ),
    license="cc-by-sa-4.0",
    domain="science",
    task_type="multiple choice",
    configs=_ARC_CONFIGS,
    default_config="ARC-Challenge",
    default_split="test",
    columns={
        "id": pl.col("id"),
        "input": pl.col("question"),
        # ARC has 3 to 5 options: 5 unrolled places decide every row.
        "expected": position_of(
            pl.col("answerKey"), pl.col("choices").struct.field("label"), unrolled=5
        ),
        "choices": pl.col("choices").struct.field("text"),
    },
    hub_files=parquet_files(_ARC_CONFIGS, _ARC_SPLITS),
    raw_schema=dict.fromkeys(_ARC_CONFIGS, _ARC_RAW),
    card_configs=tuple(card_config(c, _ARC_SPLITS) for c in _ARC_CONFIGS),
    citation=(
        "Clark et al., 2018, Think you have Solved Question Answering? Try ARC, the AI2 "
        "Reasoning Challenge"
    ),
    tags=("science", "reasoning", "multiple-choice", "english"),
)


# --------------------------------------------------------------------------------------
# HellaSwag (Rowan/hellaswag): data only on refs/convert/parquet
# --------------------------------------------------------------------------------------

_HELLASWAG_SPLITS = ("train", "validation", "test")
_HELLASWAG_RAW: Schema = {
    "ind": pl.Int32,
    "activity_label": pl.String,
    "ctx_a": pl.String,
    "ctx_b": pl.String,
    "ctx": pl.String,
    "endings": STR_LIST,
    "source_id": pl.String,
    "split": pl.String,
    "split_type": pl.String,
    "label": pl.String,
}


HELLASWAG = DatasetSpec(
    name="hellaswag",
    repo="Rowan/hellaswag",
    family="multiple_choice",
    description=(
        "HellaSwag: commonsense sentence completion; pick the ending (of 4, adversarially "
        "filtered) that best continues an ActivityNet or WikiHow context. `input` is the "
        "raw `ctx`; `subject` is the `activity_label`; `ctx_a` and `ctx_b` (the context's "
        "two parts) are kept for lm-evaluation-harness's prompt, which capitalizes `ctx_b`. "
        "The Hub's `main` holds only a loading script: the data are read from "
        "the `refs/convert/parquet` branch. Test labels are hidden (`expected` null)."
    ),
    license="mit",
    domain="commonsense",
    task_type="sentence completion (multiple choice)",
    configs=("default",),
    default_config="default",
    default_split="validation",
    columns={
        "id": default_id(),
        "input": pl.col("ctx"),
        "expected": label_or_null("label"),
        "choices": pl.col("endings"),
        "subject": pl.col("activity_label"),
        "ctx_a": pl.col("ctx_a"),
        "ctx_b": pl.col("ctx_b"),
    },
    version=2,  # 2: subject, ctx_a and ctx_b added (prompts)
    hub_files=tuple(
        HubFile(f"default/{s}/0000.parquet", "default", s, revision="refs/convert/parquet")
        for s in _HELLASWAG_SPLITS
    ),
    raw_schema={"default": _HELLASWAG_RAW},
    card_configs=None,
    citation="Zellers et al., 2019, HellaSwag: Can a Machine Really Finish Your Sentence?",
    tags=("commonsense", "sentence-completion", "multiple-choice", "english"),
)


# --------------------------------------------------------------------------------------
# TruthfulQA (truthfulqa/truthful_qa): multiple_choice, plus a generation variant
# --------------------------------------------------------------------------------------

_TQA_REPO = "truthfulqa/truthful_qa"
_TQA_CITATION = "Lin et al., 2022, TruthfulQA: Measuring How Models Mimic Human Falsehoods"
_TQA_TARGETS = pl.Struct({"choices": STR_LIST, "labels": pl.List(pl.Int32)})
_TQA_MC_RAW: Schema = {
    "question": pl.String,
    "mc1_targets": _TQA_TARGETS,
    "mc2_targets": _TQA_TARGETS,
}
_TQA_GEN_RAW: Schema = {
    "type": pl.String,
    "category": pl.String,
    "question": pl.String,
    "best_answer": pl.String,
    "correct_answers": STR_LIST,
    "incorrect_answers": STR_LIST,
    "source": pl.String,
}
_TQA_CARD_CONFIGS: tuple[Mapping[str, Any], ...] = (
    card_config("generation", ("validation",)),
    card_config("multiple_choice", ("validation",)),
)
_TQA_FILES = {
    config: HubFile(shard(config, "validation"), config, "validation")
    for config in ("generation", "multiple_choice")
}


def _clean_answers(col: str) -> pl.Expr:
    """Answer list with items stripped and empty items dropped (CSV ``"a; b;"`` leftovers)."""
    return pl.col(col).list.eval(pl.element().str.strip_chars()).list.filter(pl.element() != "")


_TRUTHFULQA_GENERATION = DatasetSpec(
    name="truthfulqa",
    repo=_TQA_REPO,
    family="generation",
    description=(
        "TruthfulQA, generation config: 817 questions that some humans answer falsely "
        "because of misconceptions; `expected` is the best true answer, with the lists of "
        "true (`correct_answers`) and false (`incorrect_answers`) reference answers, "
        "stripped and without empty items."
    ),
    license="apache-2.0",
    domain="truthfulness",
    task_type="free-form generation",
    configs=("generation",),
    default_config="generation",
    default_split="validation",
    columns={
        "id": default_id(),
        "input": pl.col("question"),
        "expected": pl.col("best_answer"),
        "correct_answers": _clean_answers("correct_answers"),
        "incorrect_answers": _clean_answers("incorrect_answers"),
    },
    hub_files=(_TQA_FILES["generation"],),
    raw_schema={"generation": _TQA_GEN_RAW},
    card_configs=_TQA_CARD_CONFIGS,
    citation=_TQA_CITATION,
    tags=("truthfulness", "generation", "english"),
)

TRUTHFULQA = DatasetSpec(
    name="truthfulqa",
    repo=_TQA_REPO,
    family="multiple_choice",
    description=(
        "TruthfulQA: 817 questions that some humans answer falsely because of "
        "misconceptions. Config `multiple_choice` is MC1 (one true answer among "
        "`mc1_targets.choices`; on the Hub it is always listed first, so shuffle before "
        "scoring position-sensitive models); config `generation` gives the reference "
        "answers for free-form generation."
    ),
    license="apache-2.0",
    domain="truthfulness",
    task_type="multiple choice",
    configs=("multiple_choice", "generation"),
    default_config="multiple_choice",
    default_split="validation",
    columns={
        "id": default_id(),
        "input": pl.col("question"),
        # MC1 lists hold 2 to 13 answers.
        "expected": position_of(
            pl.lit(1, pl.Int32), pl.col("mc1_targets").struct.field("labels"), unrolled=13
        ),
        "choices": pl.col("mc1_targets").struct.field("choices"),
    },
    hub_files=(_TQA_FILES["generation"], _TQA_FILES["multiple_choice"]),
    raw_schema={"generation": _TQA_GEN_RAW, "multiple_choice": _TQA_MC_RAW},
    card_configs=_TQA_CARD_CONFIGS,
    citation=_TQA_CITATION,
    tags=("truthfulness", "multiple-choice", "english"),
    variants={"generation": _TRUTHFULQA_GENERATION},
)


# --------------------------------------------------------------------------------------
# WinoGrande (allenai/winogrande)
# --------------------------------------------------------------------------------------

_WINOGRANDE_CONFIGS = tuple(
    f"winogrande_{size}" for size in ("xs", "s", "m", "l", "xl", "debiased")
)
_WINOGRANDE_SPLITS = ("train", "test", "validation")
_WINOGRANDE_RAW: Schema = {
    "sentence": pl.String,
    "option1": pl.String,
    "option2": pl.String,
    "answer": pl.String,
}


WINOGRANDE = DatasetSpec(
    name="winogrande",
    repo="allenai/winogrande",
    family="multiple_choice",
    description=(
        "WinoGrande: Winograd-schema pronoun resolution at scale; fill the `_` in "
        "`input` with one of two options. Configs differ only in training-set size "
        "(xs 160 ... xl 40,398, plus a debiased 9,248); all share the same validation and "
        "test sets, whose labels are hidden (`expected` null)."
    ),
    license="cc-by",
    domain="commonsense",
    task_type="fill-in-the-blank (binary choice)",
    configs=_WINOGRANDE_CONFIGS,
    default_config="winogrande_xl",
    default_split="validation",
    columns={
        "id": default_id(),
        "input": pl.col("sentence"),
        "expected": label_or_null("answer") - 1,
        "choices": pl.concat_list(pl.col("option1"), pl.col("option2")),
    },
    hub_files=parquet_files(_WINOGRANDE_CONFIGS, _WINOGRANDE_SPLITS),
    raw_schema=dict.fromkeys(_WINOGRANDE_CONFIGS, _WINOGRANDE_RAW),
    card_configs=tuple(card_config(c, _WINOGRANDE_SPLITS) for c in _WINOGRANDE_CONFIGS),
    citation=(
        "Sakaguchi et al., 2020, WinoGrande: An Adversarial Winograd Schema Challenge at Scale"
    ),
    tags=("commonsense", "coreference", "multiple-choice", "english"),
)


# --------------------------------------------------------------------------------------
# BoolQ (google/boolq)
# --------------------------------------------------------------------------------------

_BOOLQ_SPLITS = ("train", "validation")
_BOOLQ_RAW: Schema = {"question": pl.String, "answer": pl.Boolean, "passage": pl.String}


BOOLQ = DatasetSpec(
    name="boolq",
    repo="google/boolq",
    family="multiple_choice",
    description=(
        "BoolQ: naturally occurring yes/no questions about a Wikipedia passage. "
        "`choices` is ['no', 'yes'] and `expected` the answer as 0/1. `input` follows "
        "lm-evaluation-harness's boolq prompt: '<passage>\\nQuestion: <question>?' (its "
        "trailing '\\nAnswer:' cue is left to the prompt template). The Hub has no test "
        "split."
    ),
    license="cc-by-sa-3.0",
    domain="reading comprehension",
    task_type="yes/no question answering",
    configs=("default",),
    default_config="default",
    default_split="validation",
    columns={
        "id": default_id(),
        "input": pl.format("{}\nQuestion: {}?", pl.col("passage"), pl.col("question")),
        "expected": pl.col("answer").cast(pl.Int64),
        "choices": pl.lit(["no", "yes"], dtype=STR_LIST),
    },
    # The same two choices in every row: a literal costs nothing to make on read, and
    # decoding 100k stored copies cost as much as the question and passage together.
    computed_on_read=("choices",),
    hub_files=parquet_files(("default",), _BOOLQ_SPLITS, directory="data"),
    raw_schema={"default": _BOOLQ_RAW},
    card_configs=(card_config("default", _BOOLQ_SPLITS, directory="data"),),
    citation=(
        "Clark et al., 2019, BoolQ: Exploring the Surprising Difficulty of Natural Yes/No Questions"
    ),
    tags=("reading-comprehension", "yes-no", "multiple-choice", "english"),
)


SPECS: tuple[DatasetSpec, ...] = (
    MMLU,
    MMLU_STEM,
    MMLU_PRO,
    ARC,
    HELLASWAG,
    TRUTHFULQA,
    WINOGRANDE,
    BOOLQ,
    GPQA,
)
"""Every multiple-choice spec (TruthfulQA's generation config is a variant of its spec)."""
