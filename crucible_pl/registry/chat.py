"""Chat (supervised fine-tuning) datasets: Tülu 3 SFT mixture, No Robots, OpenThoughts3.

Every spec here yields, in this order:

``id`` (String)
    The Hub's ``id`` for ``tulu3_sft``; ``<name>/<config>/<split>/<row>`` otherwise
    (No Robots' ``prompt_id`` is a hash of the prompt text, so it is not guaranteed to
    be unique per row; OpenThoughts3 has no id).
``input`` (List(Struct{role: String, content: String}))
    The turns before the last assistant turn (system prompt included). A conversation
    without any assistant turn keeps all its turns here.
``expected`` (String)
    The content of the last assistant turn; null when there is none.
``messages`` (List(Struct{role: String, content: String}))
    The whole conversation, turn order kept.

Roles are normalized to ``system``/``user``/``assistant``/``tool`` (see
:mod:`crucible_pl.registry._messages`); OpenThoughts3's ShareGPT ``{from, value}``
turns (``human``/``gpt``) become ``{role, content}`` (``user``/``assistant``). Text is
never altered.

No Robots: the card YAML last seen names the splits ``train_sft``/``test_sft``
(``data/train_sft-*``, ``data/test_sft-*``); the live viewer since a 2024 re-upload
shows ``train``/``test``. The spec follows the card YAML; if the Hub now serves
``train``/``test``, the loader resolves the files from the live card and the
normalizer, which depends on no split name, works unchanged.

Examples
--------
>>> import polars as pl
>>> from crucible_pl.registry.chat import OPEN_THOUGHTS3
>>> raw = pl.LazyFrame(
...     {
...         "difficulty": [3],
...         "source": ["ai2-adapt-dev/openmath-2-math"],
...         "domain": ["math"],
...         "conversations": [
...             [{"from": "human", "value": "What is 2+3?"}, {"from": "gpt", "value": "5"}]
...         ],
...     }
... )
>>> out = OPEN_THOUGHTS3.normalize(raw, config="default", split="train").collect()
>>> out.row(0, named=True)  # doctest: +NORMALIZE_WHITESPACE
{'id': 'open_thoughts3/default/train/0',
 'input': [{'role': 'user', 'content': 'What is 2+3?'}],
 'expected': '5',
 'messages': [{'role': 'user', 'content': 'What is 2+3?'}, {'role': 'assistant', 'content': '5'}]}
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import polars as pl

from crucible_pl.registry._messages import (
    last_assistant_index,
    to_messages,
    turn_content,
    turns_before,
)
from crucible_pl.registry._spec import DatasetSpec, HubFile, default_id

__all__ = ["NO_ROBOTS", "OPEN_THOUGHTS3", "SPECS", "TULU3_SFT"]

_Schema = Mapping[str, pl.DataType | type[pl.DataType]]

# The Hub's message struct, fields in the Hub's order (``content`` first).
_HUB_MESSAGES = pl.List(pl.Struct({"content": pl.String, "role": pl.String}))
_SHAREGPT = pl.List(pl.Struct({"from": pl.String, "value": pl.String}))
_MESSAGES_COL = "__messages"
# The position of the last assistant turn, computed once in ``prepare`` (both ``input``
# and ``expected`` use it).
_LAST_COL = "__last_assistant"


# --------------------------------------------------------------------------------------
# Shared helpers
# --------------------------------------------------------------------------------------


def _prepare(
    source: str, *, role: str = "role", content: str = "content"
) -> Callable[[pl.LazyFrame], pl.LazyFrame]:
    """A ``prepare`` hook: the normalized conversation as ``__messages``, then the
    position of its last assistant turn as ``__last_assistant``."""

    def prepare(lf: pl.LazyFrame) -> pl.LazyFrame:
        conversation = to_messages(pl.col(source), role=role, content=content)
        lf = lf.with_columns(conversation.alias(_MESSAGES_COL))
        return lf.with_columns(last_assistant_index(pl.col(_MESSAGES_COL)).alias(_LAST_COL))

    return prepare


# ``input`` is a slice of the conversation: a load computes it from ``messages`` and the
# position of the last assistant turn (stored as ``__last_assistant``) instead of
# decoding the prompt's turns a second time. ``expected`` is stored as a plain String
# (the last reply's text again), so ``select("id", "expected")`` decodes no messages.
_COMPUTED_ON_READ = ("input",)
# 2: the normalized cache holds every canonical column (issue 16)
_VERSION = 2


def _chat_columns(id_expr: pl.Expr) -> dict[str, pl.Expr]:
    messages, last = pl.col(_MESSAGES_COL), pl.col(_LAST_COL)
    return {
        "id": id_expr,
        "input": turns_before(messages, last),
        "expected": turn_content(messages, last),
        "messages": messages,
    }


# --------------------------------------------------------------------------------------
# Tülu 3 SFT mixture
# --------------------------------------------------------------------------------------

_TULU_CITATION = (
    "Lambert et al., 2024, Tülu 3: Pushing Frontiers in Open Language Model Post-Training"
)
_TULU_SFT_RAW: _Schema = {"id": pl.String, "messages": _HUB_MESSAGES, "source": pl.String}


TULU3_SFT = DatasetSpec(
    name="tulu3_sft",
    repo="allenai/tulu-3-sft-mixture",
    family="chat",
    description=(
        "Tülu 3 SFT mixture: 939k instruction-following conversations (math, code, "
        "safety, multilingual, general chat) that AI2 used to fine-tune Tülu 3; the "
        "reference is the last assistant turn."
    ),
    license="odc-by",
    domain="general",
    task_type="chat completion",
    configs=("default",),
    default_config="default",
    default_split="train",
    columns=_chat_columns(pl.col("id").cast(pl.String)),
    computed_on_read=_COMPUTED_ON_READ,
    version=_VERSION,
    prepare=_prepare("messages"),
    hub_files=tuple(
        HubFile(f"data/train-{i:05d}-of-00006.parquet", "default", "train") for i in range(6)
    ),
    card_configs=(
        {"config_name": "default", "data_files": [{"split": "train", "path": "data/train-*"}]},
    ),
    raw_schema={"default": _TULU_SFT_RAW},
    citation=_TULU_CITATION,
    tags=("chat", "sft", "instruction-following", "multilingual", "multi-turn"),
)


# --------------------------------------------------------------------------------------
# No Robots
# --------------------------------------------------------------------------------------

_NO_ROBOTS_RAW: _Schema = {
    "prompt": pl.String,
    "prompt_id": pl.String,
    "messages": _HUB_MESSAGES,
    "category": pl.String,
}


NO_ROBOTS = DatasetSpec(
    name="no_robots",
    repo="HuggingFaceH4/no_robots",
    family="chat",
    description=(
        "No Robots: 10k instructions and demonstrations written by skilled human "
        "annotators across 10 categories (generation, open QA, brainstorm, chat, "
        "rewrite, summarize, coding, classify, closed QA, extract). Split names follow "
        "the card YAML (train_sft/test_sft); the live Hub may show train/test."
    ),
    license="cc-by-nc-4.0",
    domain="general",
    task_type="chat completion",
    configs=("default",),
    default_config="default",
    default_split="test_sft",
    columns=_chat_columns(default_id()),
    computed_on_read=_COMPUTED_ON_READ,
    version=_VERSION,
    prepare=_prepare("messages"),
    hub_files=(
        HubFile("data/train_sft-00000-of-00001-8aba5401a3b757f5.parquet", "default", "train_sft"),
        HubFile("data/test_sft-00000-of-00001-fe658ed8e3578d4a.parquet", "default", "test_sft"),
    ),
    card_configs=(
        {
            "config_name": "default",
            "data_files": [
                {"split": "train_sft", "path": "data/train_sft-*"},
                {"split": "test_sft", "path": "data/test_sft-*"},
            ],
        },
    ),
    raw_schema={"default": _NO_ROBOTS_RAW},
    citation="Rajani et al., 2023, No Robots",
    tags=("chat", "sft", "human-written", "english", "multi-turn"),
)


# --------------------------------------------------------------------------------------
# OpenThoughts3
# --------------------------------------------------------------------------------------

_OPEN_THOUGHTS3_RAW: _Schema = {
    "difficulty": pl.Int64,
    "source": pl.String,
    "domain": pl.String,
    "conversations": _SHAREGPT,
}
_OPEN_THOUGHTS3_SHARDS = 120


OPEN_THOUGHTS3 = DatasetSpec(
    name="open_thoughts3",
    repo="open-thoughts/OpenThoughts3-1.2M",
    family="chat",
    description=(
        "OpenThoughts3: 1.2M reasoning traces (850k math, 250k code, 100k science) "
        "generated by QwQ-32B, as ShareGPT human/gpt conversations; the reference is the "
        "final assistant turn, <think> block included. Very large (~30 GB): slice it."
    ),
    license="apache-2.0",
    domain="reasoning",
    task_type="chat completion",
    configs=("default",),
    default_config="default",
    default_split="train",
    columns=_chat_columns(default_id()),
    computed_on_read=_COMPUTED_ON_READ,
    version=_VERSION,
    prepare=_prepare("conversations", role="from", content="value"),
    hub_files=tuple(
        HubFile(f"data/train-{i:05d}-of-{_OPEN_THOUGHTS3_SHARDS:05d}.parquet", "default", "train")
        for i in range(_OPEN_THOUGHTS3_SHARDS)
    ),
    card_configs=(
        {"config_name": "default", "data_files": [{"split": "train", "path": "data/train-*"}]},
    ),
    raw_schema={"default": _OPEN_THOUGHTS3_RAW},
    citation="Guha et al., 2025, OpenThoughts: Data Recipes for Reasoning Models",
    tags=("chat", "sft", "reasoning", "math", "code", "science", "long-cot"),
)


SPECS: tuple[DatasetSpec, ...] = (TULU3_SFT, NO_ROBOTS, OPEN_THOUGHTS3)
