"""Instruction-following datasets: prompts with verifiable instructions and no reference.

Canonical columns (``instruction`` family): ``id``, ``input`` (the prompt), ``expected``
(Null: there is no reference answer, responses are checked by rule), then
``instruction_id_list`` (List(String)) and ``kwargs`` (List(Struct)): ``kwargs[i]``
holds the parameters of ``instruction_id_list[i]``, members that do not apply are null.

Examples
--------
>>> from crucible_pl.registry._spec import SyntheticRequest
>>> from crucible_pl.registry.instruction import IFEVAL
>>> raw = IFEVAL.synthetic(SyntheticRequest("default", "train", 2))
>>> out = IFEVAL.normalize(raw.lazy(), config="default", split="train").collect()
>>> out.columns
['id', 'input', 'expected', 'instruction_id_list', 'kwargs']
>>> out.schema["expected"]
Null
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import polars as pl

from crucible_pl.errors import ConfigNotFoundError
from crucible_pl.registry._spec import DatasetSpec, HubFile, SyntheticRequest

__all__ = ["IFEVAL", "IFEVAL_KWARGS", "SPECS"]

# Members as listed by the card (from the file schema; order and dtypes partly confirmed).
IFEVAL_KWARGS = pl.Struct(
    {
        "num_highlights": pl.Int64,
        "relation": pl.String,
        "num_words": pl.Int64,
        "num_placeholders": pl.Int64,
        "prompt_to_repeat": pl.String,
        "num_bullets": pl.Int64,
        "section_spliter": pl.String,
        "num_sections": pl.Int64,
        "capital_relation": pl.String,
        "capital_frequency": pl.Int64,
        "keywords": pl.List(pl.String),
        "num_paragraphs": pl.Int64,
        "language": pl.String,
        "let_relation": pl.String,
        "letter": pl.String,
        "let_frequency": pl.Int64,
        "end_phrase": pl.String,
        "forbidden_words": pl.List(pl.String),
        "keyword": pl.String,
        "frequency": pl.Int64,
        "num_sentences": pl.Int64,
        "postscript_marker": pl.String,
        "first_word": pl.String,
        "nth_paragraph": pl.Int64,
    }
)

_IFEVAL_SCHEMA: Mapping[str, pl.DataType | type[pl.DataType]] = {
    "key": pl.Int64,
    "prompt": pl.String,
    "instruction_id_list": pl.List(pl.String),
    "kwargs": pl.List(IFEVAL_KWARGS),
}

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


IFEVAL = DatasetSpec(
    name="ifeval",
    repo="google/IFEval",
    family="instruction",
    description=(
        "IFEval: 541 prompts with 25 kinds of verifiable instructions ('write in more than "
        "400 words', 'mention the keyword AI at least 3 times'). There is no reference "
        "answer (`expected` is null): responses are checked by rule against "
        "`instruction_id_list` and `kwargs`. The single file is exposed as split 'train'."
    ),
    license="apache-2.0",
    domain="instruction following",
    task_type="instruction following",
    configs=("default",),
    default_config="default",
    default_split="train",
    columns={
        "id": pl.col("key").cast(pl.String),
        "input": pl.col("prompt"),
        "expected": pl.lit(None),
        "instruction_id_list": pl.col("instruction_id_list"),
        "kwargs": pl.col("kwargs").cast(
            pl.List(IFEVAL_KWARGS)
        ),  # JSON infers all-null members as Null
    },
    hub_files=(HubFile("ifeval_input_data.jsonl", "default", "train"),),
    card_configs=None,
    raw_schema={"default": _IFEVAL_SCHEMA},
    synthetic=_ifeval_synthetic,
    citation=(
        "@article{zhou2023instructionfollowing,\n"
        "  title={Instruction-Following Evaluation for Large Language Models},\n"
        "  author={Zhou, Jeffrey and Lu, Tianjian and Mishra, Swaroop and Brahma, Siddhartha "
        "and Basu, Sujoy and Luan, Yi and Zhou, Denny and Hou, Le},\n"
        "  journal={arXiv preprint arXiv:2311.07911},\n"
        "  year={2023}\n"
        "}"
    ),
    tags=("instruction-following", "verifiable", "english"),
)

SPECS: tuple[DatasetSpec, ...] = (IFEVAL,)
