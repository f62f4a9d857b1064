"""Synthetic raw rows for the the rubric-graded dataset (Feedback Collection).

Each generator returns deterministic rows with the raw Hub schema of
:mod:`crucible_pl.registry.rubric` (which owns the schemas and the normalizers).
"""

from __future__ import annotations

from typing import Any

import polars as pl

from crucible_pl.errors import ConfigNotFoundError
from crucible_pl.registry._spec import SyntheticRequest
from crucible_pl.registry.rubric import (
    _FIELDS,
    _SCHEMA,
)

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


GENERATORS = {
    "feedback_collection": _synthetic,
}
