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

from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from crucible_pl.registry._mmlu_subjects import MMLU_STEM_SUBJECTS, MMLU_SUBJECTS
from crucible_pl.registry._spec import DatasetSpec, HubFile, default_id

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

_Schema = Mapping[str, pl.DataType | type[pl.DataType]]
_STR_LIST = pl.List(pl.String)


# --------------------------------------------------------------------------------------
# Shared helpers
# --------------------------------------------------------------------------------------


def _shard(directory: str, split: str) -> str:
    """The single-shard file name the Hub's parquet converter writes."""
    return f"{directory}/{split}-00000-of-00001.parquet"


def _parquet_files(
    configs: Sequence[str], splits: Sequence[str], directory: str | None = None
) -> tuple[HubFile, ...]:
    """``<config>/<split>-00000-of-00001.parquet`` (or under ``directory``) per config+split."""
    return tuple(HubFile(_shard(directory or c, s), c, s) for c in configs for s in splits)


def _card_config(name: str, splits: Sequence[str], directory: str | None = None) -> dict[str, Any]:
    """One entry of a card's YAML ``configs:``, data files as ``<dir>/<split>-*``."""
    folder = name if directory is None else directory
    return {
        "config_name": name,
        "data_files": [{"split": s, "path": f"{folder}/{s}-*"} for s in splits],
    }


def _label_or_null(col: str) -> pl.Expr:
    """A string label column as Int64, ``""`` (an unlabeled test row) as null."""
    return pl.col(col).str.strip_chars().replace("", None).cast(pl.Int64)


# Lists up to this long are searched by unrolled comparisons by default; longer ones (and
# a null needle) by the slower exact `list.eval`.
_UNROLLED_CHOICES = 8


def _position_of(
    needle: pl.Expr, haystack: pl.Expr, *, unrolled: int = _UNROLLED_CHOICES
) -> pl.Expr:
    """0-based position of the first ``needle`` in the list ``haystack`` (null when absent).

    The first ``unrolled`` places are compared one by one (``list.get(i) == needle``),
    7x faster than a per-row ``list.eval``; set it to the dataset's usual number of
    choices, since each place costs a little even where the list is shorter. Only rows
    that this cannot decide, a longer list or a null needle (which matches a null
    element), go to ``list.eval``, where the needle rides along as the first element of
    a combined list because ``list.eval`` cannot see other columns; every other row is
    null there.
    """
    places = [
        pl.when(haystack.list.get(i, null_on_oob=True) == needle).then(pl.lit(i, pl.Int64))
        for i in range(unrolled)
    ]
    # Both inputs null outside the fallback rows, so `concat_list` skips those rows (3x faster
    # than building a list for every row).
    undecided = (haystack.list.len() > unrolled) | needle.is_null()
    combined = pl.concat_list(pl.when(undecided).then(needle), pl.when(undecided).then(haystack))
    found = pl.element().slice(1).index_of(pl.element().first())
    slow = combined.list.eval(found).list.first().cast(pl.Int64)
    position = pl.coalesce(*places, slow)
    name = needle.meta.output_name(raise_if_undetermined=False)
    return position if name is None else position.alias(name)


# --------------------------------------------------------------------------------------
# MMLU and MMLU-STEM (cais/mmlu)
# --------------------------------------------------------------------------------------

_MMLU_REPO = "cais/mmlu"
_MMLU_SPLITS = ("test", "validation", "dev")
_MMLU_ALL_SPLITS = ("test", "validation", "dev", "auxiliary_train")
_MMLU_RAW: _Schema = {
    "question": pl.String,
    "subject": pl.String,
    "choices": _STR_LIST,
    "answer": pl.Int64,  # ClassLabel A..D, stored as 0..3
}
_MMLU_CITATION = "Hendrycks et al., 2021, Measuring Massive Multitask Language Understanding"


def _mmlu_card_configs() -> tuple[Mapping[str, Any], ...]:
    entries: dict[str, dict[str, Any]] = {s: _card_config(s, _MMLU_SPLITS) for s in MMLU_SUBJECTS}
    entries["all"] = _card_config("all", _MMLU_ALL_SPLITS)
    entries["auxiliary_train"] = _card_config("auxiliary_train", ("train",))
    return tuple(entries[name] for name in sorted(entries))


_MMLU_CARD_CONFIGS = _mmlu_card_configs()


def _mmlu_columns() -> dict[str, pl.Expr]:
    return {
        "id": default_id(),
        "input": pl.col("question"),
        "expected": pl.col("answer").cast(pl.Int64),
        "choices": pl.col("choices"),
        "subject": pl.col("subject"),
    }


MMLU = DatasetSpec(
    name="mmlu",
    repo=_MMLU_REPO,
    family="multiple_choice",
    description=(
        "MMLU: 4-option multiple-choice questions over 57 subjects, from elementary "
        "mathematics to professional law. One config per subject, plus `all` (every "
        "subject, with the `auxiliary_train` split). `dev` holds the 5 few-shot examples "
        "per subject."
    ),
    license="mit",
    domain="general knowledge",
    task_type="multiple choice",
    configs=("all", *MMLU_SUBJECTS),
    default_config="all",
    default_split="test",
    columns=_mmlu_columns(),
    hub_files=(
        *_parquet_files(MMLU_SUBJECTS, _MMLU_SPLITS),
        *_parquet_files(("all",), _MMLU_ALL_SPLITS),
    ),
    raw_schema=dict.fromkeys(("all", *MMLU_SUBJECTS), _MMLU_RAW),
    card_configs=_MMLU_CARD_CONFIGS,
    citation=_MMLU_CITATION,
    tags=("knowledge", "reasoning", "multiple-choice", "english"),
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
    hub_files=_parquet_files(MMLU_STEM_SUBJECTS, _MMLU_SPLITS),
    raw_schema=dict.fromkeys(MMLU_STEM_SUBJECTS, _MMLU_RAW),
    card_configs=_MMLU_CARD_CONFIGS,
    citation=_MMLU_CITATION,
    tags=("knowledge", "stem", "multiple-choice", "english"),
)


# --------------------------------------------------------------------------------------
# MMLU-Pro (TIGER-Lab/MMLU-Pro)
# --------------------------------------------------------------------------------------

_MMLU_PRO_RAW: _Schema = {
    "question_id": pl.Int64,
    "question": pl.String,
    "options": _STR_LIST,
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
    hub_files=_parquet_files(("default",), ("test", "validation"), directory="data"),
    raw_schema={"default": _MMLU_PRO_RAW},
    card_configs=(_card_config("default", ("test", "validation"), directory="data"),),
    citation=(
        "Wang et al., 2024, MMLU-Pro: A More Robust and Challenging Multi-Task Language "
        "Understanding Benchmark"
    ),
    tags=("knowledge", "reasoning", "multiple-choice", "english"),
)


# --------------------------------------------------------------------------------------
# ARC (allenai/ai2_arc)
# --------------------------------------------------------------------------------------

_ARC_CONFIGS = ("ARC-Challenge", "ARC-Easy")
_ARC_SPLITS = ("train", "test", "validation")
_ARC_RAW: _Schema = {
    "id": pl.String,
    "question": pl.String,
    "choices": pl.Struct({"text": _STR_LIST, "label": _STR_LIST}),
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
        "expected": _position_of(
            pl.col("answerKey"), pl.col("choices").struct.field("label"), unrolled=5
        ),
        "choices": pl.col("choices").struct.field("text"),
    },
    hub_files=_parquet_files(_ARC_CONFIGS, _ARC_SPLITS),
    raw_schema=dict.fromkeys(_ARC_CONFIGS, _ARC_RAW),
    card_configs=tuple(_card_config(c, _ARC_SPLITS) for c in _ARC_CONFIGS),
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
_HELLASWAG_RAW: _Schema = {
    "ind": pl.Int32,
    "activity_label": pl.String,
    "ctx_a": pl.String,
    "ctx_b": pl.String,
    "ctx": pl.String,
    "endings": _STR_LIST,
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
        "raw `ctx`. The Hub's `main` holds only a loading script: the data are read from "
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
        "expected": _label_or_null("label"),
        "choices": pl.col("endings"),
    },
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
_TQA_TARGETS = pl.Struct({"choices": _STR_LIST, "labels": pl.List(pl.Int32)})
_TQA_MC_RAW: _Schema = {
    "question": pl.String,
    "mc1_targets": _TQA_TARGETS,
    "mc2_targets": _TQA_TARGETS,
}
_TQA_GEN_RAW: _Schema = {
    "type": pl.String,
    "category": pl.String,
    "question": pl.String,
    "best_answer": pl.String,
    "correct_answers": _STR_LIST,
    "incorrect_answers": _STR_LIST,
    "source": pl.String,
}
_TQA_CARD_CONFIGS: tuple[Mapping[str, Any], ...] = (
    _card_config("generation", ("validation",)),
    _card_config("multiple_choice", ("validation",)),
)
_TQA_FILES = {
    config: HubFile(_shard(config, "validation"), config, "validation")
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
        "expected": _position_of(
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
_WINOGRANDE_RAW: _Schema = {
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
        "expected": _label_or_null("answer") - 1,
        "choices": pl.concat_list(pl.col("option1"), pl.col("option2")),
    },
    hub_files=_parquet_files(_WINOGRANDE_CONFIGS, _WINOGRANDE_SPLITS),
    raw_schema=dict.fromkeys(_WINOGRANDE_CONFIGS, _WINOGRANDE_RAW),
    card_configs=tuple(_card_config(c, _WINOGRANDE_SPLITS) for c in _WINOGRANDE_CONFIGS),
    citation=(
        "Sakaguchi et al., 2020, WinoGrande: An Adversarial Winograd Schema Challenge at Scale"
    ),
    tags=("commonsense", "coreference", "multiple-choice", "english"),
)


# --------------------------------------------------------------------------------------
# BoolQ (google/boolq)
# --------------------------------------------------------------------------------------

_BOOLQ_SPLITS = ("train", "validation")
_BOOLQ_RAW: _Schema = {"question": pl.String, "answer": pl.Boolean, "passage": pl.String}


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
        "choices": pl.lit(["no", "yes"], dtype=_STR_LIST),
    },
    hub_files=_parquet_files(("default",), _BOOLQ_SPLITS, directory="data"),
    raw_schema={"default": _BOOLQ_RAW},
    card_configs=(_card_config("default", _BOOLQ_SPLITS, directory="data"),),
    citation=(
        "Clark et al., 2019, BoolQ: Exploring the Surprising Difficulty of Natural Yes/No Questions"
    ),
    tags=("reading-comprehension", "yes-no", "multiple-choice", "english"),
)


# --------------------------------------------------------------------------------------
# GPQA (Idavidrein/gpqa): gated CSVs; the answer position is ours to choose
# --------------------------------------------------------------------------------------

_GPQA_CONFIGS = ("gpqa_main", "gpqa_diamond", "gpqa_extended", "gpqa_experts")
_GPQA_CARD_ORDER = ("gpqa_extended", "gpqa_main", "gpqa_diamond", "gpqa_experts")
_GPQA_COLUMNS = (
    "Question",
    "Correct Answer",
    "Incorrect Answer 1",
    "Incorrect Answer 2",
    "Incorrect Answer 3",
    "Explanation",
    "Subdomain",
    "High-level domain",
    "Record ID",
)
_GPQA_RAW: _Schema = dict.fromkeys(_GPQA_COLUMNS, pl.String)
_GPQA_SEED = "crucible-pl/gpqa/v1:"
_GPQA_POSITION = "__answer_position"


def _stable_bucket(text: pl.Expr, buckets: int) -> pl.Expr:
    """``text`` -> an Int64 in ``[0, buckets)``, identical on every machine and version.

    A position-weighted sum of the UTF-8 bytes of ``_GPQA_SEED + text`` (weights from
    Knuth's multiplicative constant), then one multiplicative mixing step, all in Int64
    without overflow. ``pl.Expr.hash`` is not used: its values change between Polars
    versions. The same arithmetic in plain Python is::

        data = (_GPQA_SEED + text).encode()
        h = sum((b + 1) * ((i + 1) * 2654435761 % 2**32) for i, b in enumerate(data))
        bucket = (h % 2**32) * 668265261 % 2**32 // 2**16 % buckets
    """
    weight = (pl.int_range(pl.len()) + 1) * 2654435761 % 2**32
    byte_value = pl.element().str.to_integer(base=16) + 1
    total = (
        pl.concat_str(pl.lit(_GPQA_SEED), text)
        .str.encode("hex")
        .str.extract_all("..")
        .list.eval(byte_value * weight)
        .list.sum()
    )
    mixed = (total % 2**32) * 668265261 % 2**32
    return (mixed // 2**16 % buckets).cast(pl.Int64)


def _gpqa_text(name: str) -> pl.Expr:
    """A GPQA CSV column as stripped text.

    The cast guards against a CSV -> Parquet conversion that infers a numeric dtype for
    a column whose every value looks like a number (all answers of a small config).
    """
    return pl.col(name).cast(pl.String).str.strip_chars()


def _gpqa_prepare(lf: pl.LazyFrame) -> pl.LazyFrame:
    """Add the correct answer's position, from the Record ID (or the row number if none)."""
    key = pl.coalesce(_gpqa_text("Record ID"), pl.col("__row").cast(pl.String))
    return lf.with_columns(_stable_bucket(key, 4).alias(_GPQA_POSITION))


def _gpqa_choices() -> pl.Expr:
    """The three incorrect answers in their order, the correct one inserted at its position."""
    right = _gpqa_text("Correct Answer")
    wrong = [_gpqa_text(f"Incorrect Answer {k}") for k in (1, 2, 3)]
    orders = [pl.concat_list(*wrong[:pos], right, *wrong[pos:]) for pos in range(4)]
    position = pl.col(_GPQA_POSITION)
    return (
        pl.when(position == 0)
        .then(orders[0])
        .when(position == 1)
        .then(orders[1])
        .when(position == 2)
        .then(orders[2])
        .otherwise(orders[3])
    )


GPQA = DatasetSpec(
    name="gpqa",
    repo="Idavidrein/gpqa",
    family="multiple_choice",
    description=(
        "GPQA: graduate-level, 'Google-proof' 4-option questions in biology, physics and "
        "chemistry written by domain experts (main 448, diamond 198, extended 546, plus "
        "the experts' set). Gated: accept the terms on the Hub and use a token. The Hub "
        "keeps the correct answer in its own column; here it is placed among the three "
        "incorrect answers at a position drawn from a stable hash of the Record ID "
        "(fixed seed), identical on every run. `subject` is the Subdomain."
    ),
    license="cc-by-4.0",
    domain="science",
    task_type="multiple choice",
    configs=_GPQA_CONFIGS,
    default_config="gpqa_main",
    default_split="train",
    columns={
        "id": pl.coalesce(_gpqa_text("Record ID"), default_id()),
        "input": _gpqa_text("Question"),
        "expected": pl.col(_GPQA_POSITION),
        "choices": _gpqa_choices(),
        "subject": _gpqa_text("Subdomain"),
    },
    prepare=_gpqa_prepare,
    hub_files=tuple(HubFile(f"{c}.csv", c, "train") for c in _GPQA_CONFIGS),
    raw_schema=dict.fromkeys(_GPQA_CONFIGS, _GPQA_RAW),
    card_configs=tuple({"config_name": c, "data_files": f"{c}.csv"} for c in _GPQA_CARD_ORDER),
    citation="Rein et al., 2023, GPQA: A Graduate-Level Google-Proof Q&A Benchmark",
    tags=("science", "expert", "graduate-level", "multiple-choice", "english"),
    gated=True,
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
