"""Instruction-following datasets: prompts with verifiable instructions and no reference.

Canonical columns (``instruction`` family): ``id``, ``input`` (the prompt), ``expected``
(Null: there is no reference answer, responses are checked by rule), then
``instruction_id_list`` (List(String)) and ``kwargs`` (List(Struct)): ``kwargs[i]``
holds the parameters of ``instruction_id_list[i]``, members that do not apply are null.

Examples
--------
>>> import polars as pl
>>> from crucible_pl.registry.instruction import IFEVAL
>>> raw = pl.LazyFrame(schema=IFEVAL.raw_schema["default"])
>>> out = IFEVAL.normalize(raw, config="default", split="train").collect()
>>> out.columns
['id', 'input', 'expected', 'instruction_id_list', 'kwargs']
>>> out.schema["expected"]
Null
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from crucible_pl.registry._spec import DatasetSpec, HubFile

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
