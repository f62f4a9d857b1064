"""Rubric datasets: a task, a reference answer and a 1-5 scoring rubric to grade against.

Canonical columns (``rubric`` family): ``id``, ``input`` (the task), ``expected``
(String, the reference answer that scores 5), ``criteria`` (String) and ``rubric``
(Struct{score1..score5}: what each score means). Feedback-Collection also carries one
graded response: ``response``, ``feedback`` and ``score`` (Int64, 1..5).

Examples
--------
>>> import polars as pl
>>> from crucible_pl.registry.rubric import FEEDBACK_COLLECTION
>>> raw = pl.LazyFrame(schema=FEEDBACK_COLLECTION.raw_schema["default"])
>>> out = FEEDBACK_COLLECTION.normalize(raw, config="default", split="train")
>>> out.collect_schema()["rubric"]
Struct({'score1': String, 'score2': String, 'score3': String, 'score4': String, 'score5': String})
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from crucible_pl.registry._spec import DatasetSpec, HubFile, default_id

__all__ = ["FEEDBACK_COLLECTION", "SPECS"]

_FIELDS = (
    "instruction",
    "output",
    "input",
    "orig_instruction",
    "orig_response",
    "orig_reference_answer",
    "orig_criteria",
    "orig_score1_description",
    "orig_score2_description",
    "orig_score3_description",
    "orig_score4_description",
    "orig_score5_description",
    "orig_feedback",
    "orig_score",
)
_SCHEMA: Mapping[str, pl.DataType | type[pl.DataType]] = dict.fromkeys(_FIELDS, pl.String)


FEEDBACK_COLLECTION = DatasetSpec(
    name="feedback_collection",
    repo="prometheus-eval/Feedback-Collection",
    family="rubric",
    description=(
        "Feedback-Collection: 100K graded responses over 1K fine-grained rubrics and 20K "
        "instructions (20K per score 1-5), written by GPT-4 to train the Prometheus "
        "evaluator. `input` is the original instruction, `expected` the score-5 reference "
        "answer; `criteria` and `rubric` define the grading; `response`, `feedback` and "
        "`score` hold the graded response. One 1 GB JSON file."
    ),
    license="cc-by-4.0",
    domain="llm evaluation",
    task_type="rubric-based grading",
    configs=("default",),
    default_config="default",
    default_split="train",
    columns={
        "id": default_id(),
        "input": pl.col("orig_instruction"),
        "expected": pl.col("orig_reference_answer"),
        "criteria": pl.col("orig_criteria"),
        "rubric": pl.struct(
            pl.col(f"orig_score{i}_description").alias(f"score{i}") for i in range(1, 6)
        ),
        "response": pl.col("orig_response"),
        "feedback": pl.col("orig_feedback"),
        "score": pl.col("orig_score")
        .cast(pl.String)
        .str.strip_chars()
        .cast(pl.Int64, strict=False),
    },
    hub_files=(HubFile("new_feedback_collection.json", "default", "train"),),
    card_configs=(
        {
            "config_name": "default",
            "data_files": [{"split": "train", "path": "new_feedback_collection.json"}],
        },
    ),
    raw_schema={"default": _SCHEMA},
    citation=(
        "@article{kim2023prometheus,\n"
        "  title={Prometheus: Inducing Fine-grained Evaluation Capability in Language Models},\n"
        "  author={Kim, Seungone and Shin, Jamin and Cho, Yejin and Jang, Joel and "
        "Longpre, Shayne and Lee, Hwaran and Yun, Sangdoo and Shin, Seongjin and "
        "Kim, Sungdong and Thorne, James and Seo, Minjoon},\n"
        "  journal={arXiv preprint arXiv:2310.08491},\n"
        "  year={2023}\n"
        "}"
    ),
    tags=("llm-as-judge", "rubric", "feedback", "evaluator-training", "english"),
)

SPECS: tuple[DatasetSpec, ...] = (FEEDBACK_COLLECTION,)
