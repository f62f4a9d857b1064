"""Synthetic raw rows for the the instruction-following dataset (IFEval).

Each generator returns deterministic rows with the raw Hub schema of
:mod:`crucible_pl.registry.instruction` (which owns the schemas and the normalizers).
"""

from __future__ import annotations

from typing import Any

import polars as pl

from crucible_pl.errors import ConfigNotFoundError
from crucible_pl.registry._spec import SyntheticRequest
from crucible_pl.registry.instruction import (
    _IFEVAL_SCHEMA,
    IFEVAL_KWARGS,
)

# (instruction id, sentence added to the prompt, kwargs)
_INSTRUCTIONS: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("punctuation:no_comma", "Do not use any commas in your response.", {}),
    (
        "length_constraints:number_words",
        "Your answer must contain at least 300 words.",
        {"relation": "at least", "num_words": 300},
    ),
    (
        "detectable_format:number_highlighted_sections",
        "Highlight at least 3 sections with markdown, i.e. *highlighted section*.",
        {"num_highlights": 3},
    ),
    (
        "keywords:forbidden_words",
        "Do not include the words 'good' or 'bad' in the response.",
        {"forbidden_words": ["good", "bad"]},
    ),
    (
        "change_case:english_lowercase",
        "Your entire response should be in English, and in all lowercase letters.",
        {},
    ),
    (
        "startend:end_checker",
        "Finish your response with this exact phrase: Is there anything else I can help with?",
        {"end_phrase": "Is there anything else I can help with?"},
    ),
    (
        "detectable_content:postscript",
        "At the end of your response, please explicitly add a postscript starting with P.S.",
        {"postscript_marker": "P.S."},
    ),
    (
        "language:response_language",
        "Your ENTIRE response should be in Hindi language, no other language is allowed.",
        {"language": "hi"},
    ),
    (
        "detectable_format:number_bullet_lists",
        "Your answer must contain exactly 4 bullet points in markdown format.",
        {"num_bullets": 4},
    ),
)


_TOPICS = (
    "Write a 300+ word summary of the wikipedia page about the Hanseatic League.",
    "Write a short blog post about a trip to Japan.",
    "Write a letter to a friend in all lowercase letters ask them to go and vote.",
    "Write a resume for a fresh high school graduate who is seeking their first job.",
    "Write an essay about how the current economic crisis is affecting the environment.",
    "Write a riddle about a mom laying out on a beach in Humboldt.",
)


def _ifeval_synthetic(req: SyntheticRequest) -> pl.DataFrame:
    if req.config != "default":
        raise ConfigNotFoundError(
            f"No synthetic rows for config {req.config!r} of 'ifeval'. Available configs: "
            "default. Pass it in SyntheticRequest.",
            dataset="ifeval",
            config=req.config,
        )
    rng = req.rng()
    null_kwargs = dict.fromkeys(IFEVAL_KWARGS.to_schema())
    rows: dict[str, list[Any]] = {name: [] for name in _IFEVAL_SCHEMA}
    key = 1000
    for _ in range(req.n):
        chosen = rng.sample(_INSTRUCTIONS, rng.randint(1, 3))
        rows["key"].append(key)
        rows["prompt"].append(" ".join([rng.choice(_TOPICS), *(text for _, text, _ in chosen)]))
        rows["instruction_id_list"].append([iid for iid, _, _ in chosen])
        rows["kwargs"].append([{**null_kwargs, **kw} for _, _, kw in chosen])
        key += rng.randint(1, 7)
    return pl.DataFrame(rows, schema=dict(_IFEVAL_SCHEMA))


GENERATORS = {
    "ifeval": _ifeval_synthetic,
}
