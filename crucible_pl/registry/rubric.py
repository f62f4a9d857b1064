"""Rubric datasets: a task, a reference answer and a 1-5 scoring rubric to grade against.

Canonical columns (``rubric`` family): ``id``, ``input`` (the task), ``expected``
(String, the reference answer that scores 5), ``criteria`` (String) and ``rubric``
(Struct{score1..score5}: what each score means). Feedback-Collection also carries one
graded response: ``response``, ``feedback`` and ``score`` (Int64, 1..5).

Examples
--------
>>> from crucible_pl.registry._spec import SyntheticRequest
>>> from crucible_pl.registry.rubric import FEEDBACK_COLLECTION
>>> raw = FEEDBACK_COLLECTION.synthetic(SyntheticRequest("default", "train", 2))
>>> out = FEEDBACK_COLLECTION.normalize(raw.lazy(), config="default", split="train")
>>> out.collect_schema()["rubric"]
Struct({'score1': String, 'score2': String, 'score3': String, 'score4': String, 'score5': String})
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import polars as pl

from crucible_pl.errors import ConfigNotFoundError
from crucible_pl.registry._spec import DatasetSpec, HubFile, SyntheticRequest, default_id

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

_PROMPT = (
    "###Task Description:\n"
    "An instruction (might include an Input inside it), a response to evaluate, a reference "
    "answer that gets a score of 5, and a score rubric representing a evaluation criteria "
    "are given.\n"
    "1. Write a detailed feedback that assess the quality of the response strictly based on "
    "the given score rubric, not evaluating in general.\n"
    "2. After writing a feedback, write a score that is an integer between 1 and 5. You "
    "should refer to the score rubric.\n"
    '3. The output format should look as follows: "Feedback: (write a feedback for '
    'criteria) [RESULT] (an integer number between 1 and 5)"\n'
    "4. Please do not generate any other opening, closing, and explanations.\n\n"
    "###The instruction to evaluate:\n{instruction}\n\n"
    "###Response to evaluate:\n{response}\n\n"
    "###Reference Answer (Score 5):\n{reference}\n\n"
    "###Score Rubrics:\n[{criteria}]\n{scores}\n\n"
    "###Feedback: "
)

# (instruction, reference answer, criteria, score descriptions 1..5)
_TASKS: tuple[tuple[str, str, str, tuple[str, str, str, str, str]], ...] = (
    (
        "I'm planning a week-long trip to Portugal in October. What should I pack?",
        "For October in Portugal, pack layers: light sweaters, a waterproof jacket, "
        "comfortable walking shoes, and an umbrella, since rain is common late in the month.",
        "Does the response give practical advice tailored to the destination and season?",
        (
            "The advice is generic or wrong for the destination and season.",
            "The advice mentions the destination but ignores the season.",
            "The advice is somewhat tailored, with notable gaps.",
            "The advice is well tailored, missing only minor details.",
            "The advice is fully tailored, practical and complete.",
        ),
    ),
    (
        "Explain to a ten-year-old why the sky is blue.",
        "Sunlight has all colours mixed together. When it hits the air, the blue part gets "
        "bounced around the most, so blue light comes at us from every direction.",
        "Is the explanation accurate and pitched at the reader's level?",
        (
            "The explanation is inaccurate or incomprehensible to a child.",
            "The explanation is mostly accurate but far too technical.",
            "The explanation is accurate but only partly accessible.",
            "The explanation is accurate and mostly accessible.",
            "The explanation is accurate, vivid and perfectly suited to a child.",
        ),
    ),
    (
        "My code throws 'KeyError: user_id' when reading a dict. How do I fix it?",
        "The key is missing from the dict. Check it exists with `'user_id' in data`, or use "
        "`data.get('user_id')` and handle the None case.",
        "Does the response diagnose the problem correctly and give a working fix?",
        (
            "The diagnosis is wrong and the fix does not work.",
            "The diagnosis is vague and the fix is unreliable.",
            "The diagnosis is right but the fix is incomplete.",
            "The diagnosis and fix are right but poorly explained.",
            "The diagnosis is right and the fix is correct and clearly explained.",
        ),
    ),
)
_RESPONSES = (
    "Just bring whatever you normally wear.",
    "It depends; maybe check the weather before you go.",
    "Some layers and a jacket should do, as it may rain.",
    "Pack layers and a rain jacket; evenings can be cool and showers are frequent.",
    "Layers, a waterproof jacket, walking shoes and an umbrella will cover October well.",
)


def _synthetic(req: SyntheticRequest) -> pl.DataFrame:
    if req.config != "default":
        raise ConfigNotFoundError(
            f"No synthetic rows for config {req.config!r} of 'feedback_collection'. "
            "Available configs: default. Pass it in SyntheticRequest.",
            dataset="feedback_collection",
            config=req.config,
        )
    rng = req.rng()
    rows: dict[str, list[Any]] = {name: [] for name in _FIELDS}
    for _ in range(req.n):
        instruction, reference, criteria, scores = rng.choice(_TASKS)
        score = rng.randint(1, 5)
        response = _RESPONSES[score - 1]
        verdict = ("misses", "barely meets", "partly meets", "mostly meets", "fully meets")
        feedback = f"The response {verdict[score - 1]} the criteria: {scores[score - 1].lower()}"
        rubric_text = "\n".join(f"Score {i + 1}: {text}" for i, text in enumerate(scores))
        values = {
            "instruction": _PROMPT.format(
                instruction=instruction,
                response=response,
                reference=reference,
                criteria=criteria,
                scores=rubric_text,
            ),
            "output": f"Feedback: {feedback} [RESULT] {score}",
            "input": "",
            "orig_instruction": instruction,
            "orig_response": response,
            "orig_reference_answer": reference,
            "orig_criteria": criteria,
            **{f"orig_score{i + 1}_description": text for i, text in enumerate(scores)},
            "orig_feedback": feedback,
            "orig_score": str(score),
        }
        for name in _FIELDS:
            rows[name].append(values[name])
    return pl.DataFrame(rows, schema=dict(_SCHEMA))


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
    synthetic=_synthetic,
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
