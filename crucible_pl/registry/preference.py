"""Pairwise preference datasets: HH-RLHF, HelpSteer3, UltraFeedback, Arena 140k, Tülu 3.

One representation for every spec here, so pairs from different sources mix freely.
Columns, in this order:

``id`` (String)
    The Hub's ``id`` for ``arena_140k`` and ``tulu3_preference``;
    ``<name>/<hub config>/<split>/<row>`` otherwise (for ``hh_rlhf`` the hub config is
    the data directory the row came from, also under the ``default`` union).
``input`` (List(Struct{role: String, content: String}))
    The prompt: the turns both sides share, before the response being judged.
``expected`` (Null)
    Preference data has no single reference.
``chosen``, ``rejected`` (List(Struct{role: String, content: String}))
    The continuation of the conversation after ``input``: usually one assistant turn,
    so ``input`` + ``chosen`` is the whole preferred conversation. The preferred side is
    always in ``chosen``. Sources with bare response strings (HelpSteer3, UltraFeedback)
    get one ``assistant`` turn, so every spec has the same dtype.
``margin`` (Float64)
    The strength of the preference where the source has one (HelpSteer3:
    ``abs(overall_preference)`` in 1..3; UltraFeedback: ``chosen_avg_rating -
    rejected_avg_rating``), null otherwise.

Roles are normalized as in :mod:`crucible_pl.registry._messages`.

Where the prompt ends, per source:

* ``hh_rlhf``: both transcripts (``"\\n\\nHuman: ...\\n\\nAssistant: ..."``) are parsed
  into turns with string expressions; the split is at the *last* assistant turn of each
  side (earlier turns are shared), and ``input`` comes from the chosen side. A marker
  counts only at the start of the text or after a blank line, so "Human:" inside a
  sentence stays text; a final ``"\\n\\nAssistant:"`` with no text is an empty reply.
  Pairs whose two sides are identical are kept (the source has no tie label).
* ``tulu3_preference``: same split on the ``chosen``/``rejected`` message lists.
* ``arena_140k``: the split is at the *first* assistant turn, because in multi-turn
  battles each side's later assistant turns differ; ``chosen``/``rejected`` then hold
  the rest of each side's conversation. Message content is a list of typed parts; the
  text parts are joined with ``"\\n"`` (images are dropped).
* ``helpsteer3``: ``input`` is ``context``; ``overall_preference`` < 0 prefers
  ``response1``, > 0 ``response2``.
* ``ultrafeedback``: ``input`` is the ``instruction`` as one user turn; should a row
  ever rate its rejected response higher, the two are swapped so ``margin`` >= 0.

Ties are dropped by each spec's ``keep`` predicate (and so counted by ``info()``):
HelpSteer3 ``overall_preference == 0``; UltraFeedback equal average ratings; Arena
``winner`` ``tie`` and ``both_bad``. HH-RLHF and Tülu 3 have no ties.

Examples
--------
>>> import polars as pl
>>> from crucible_pl.registry.preference import HH_RLHF
>>> raw = pl.LazyFrame(
...     {
...         "chosen": ["\\n\\nHuman: Hi\\n\\nAssistant: Hey!\\n\\nHuman: 2+2?\\n\\nAssistant: 4"],
...         "rejected": ["\\n\\nHuman: Hi\\n\\nAssistant: Hey!\\n\\nHuman: 2+2?\\n\\nAssistant: 5"],
...     }
... )
>>> row = HH_RLHF.normalize(raw, config="helpful-base", split="test").collect().row(0, named=True)
>>> row  # doctest: +NORMALIZE_WHITESPACE
{'id': 'hh_rlhf/helpful-base/test/0',
 'input': [{'role': 'user', 'content': 'Hi'}, {'role': 'assistant', 'content': 'Hey!'},
           {'role': 'user', 'content': '2+2?'}],
 'expected': None,
 'chosen': [{'role': 'assistant', 'content': '4'}],
 'rejected': [{'role': 'assistant', 'content': '5'}],
 'margin': None}
"""

# Over 500 lines on purpose: the five preference specs share the turn-splitting helpers
# and the prepared-column names below; apart, each would import most of this module's
# private names. Their synthetic rows live in crucible_pl/_synthetic/preference.py.
from __future__ import annotations

from collections.abc import Callable, Mapping

import polars as pl

from crucible_pl.registry._messages import (
    HH_MARKERS,
    first_assistant_index,
    join_text_parts,
    last_assistant_index,
    normalize_role,
    parse_transcript,
    single_turn,
    to_messages,
    turns_before,
    turns_from,
)
from crucible_pl.registry._spec import DatasetSpec, HubFile, default_id

__all__ = [
    "ARENA_140K",
    "HELPSTEER3",
    "HH_RLHF",
    "SPECS",
    "TULU3_PREFERENCE",
    "ULTRAFEEDBACK",
]

_Schema = Mapping[str, pl.DataType | type[pl.DataType]]
_HUB_MESSAGES = pl.List(pl.Struct({"content": pl.String, "role": pl.String}))

# Intermediate columns written by the ``prepare`` hooks. Each stage is its own
# ``with_columns``, so a value used several times later (a parsed conversation, a split
# index) is computed once: Polars shares repeated subexpressions only one level deep.
_CHOSEN_CONV, _REJECTED_CONV = "__chosen_conversation", "__rejected_conversation"
_CHOSEN_AT, _REJECTED_AT = "__chosen_at", "__rejected_at"
_INPUT, _CHOSEN, _REJECTED = "__input", "__chosen", "__rejected"


def _reply_columns(side: str) -> tuple[str, str]:
    """The two prepared columns a side's turns are kept in (see ``_one_or_more``)."""
    return f"{side}_reply", f"{side}_turns"


def _one_or_more(side: str) -> pl.Expr:
    """A side's turns from its two prepared columns: the reply's text, when the side is
    one assistant turn (nearly always), else the turns themselves.

    Equal to the turns in every row. The normalized cache stores the two columns, and a
    String decodes several times faster than a list of message structs.
    """
    reply, turns = _reply_columns(side)
    return (
        pl.when(pl.col(reply).is_not_null())
        .then(single_turn(pl.col(reply), role="assistant"))
        .otherwise(pl.col(turns))
    )


def _split_turns(turns: pl.Expr, side: str) -> list[pl.Expr]:
    """``turns`` as the two columns ``_one_or_more`` reads."""
    first = turns.list.first()
    single = (turns.list.len() == 1) & (first.struct.field("role") == "assistant")
    reply, rest = _reply_columns(side)
    text = pl.when(single).then(first.struct.field("content"))
    return [text.alias(reply), pl.when(text.is_null()).then(turns).alias(rest)]


_ARENA_A, _ARENA_B = "__conversation_a", "__conversation_b"


# --------------------------------------------------------------------------------------
# Shared helpers
# --------------------------------------------------------------------------------------


def _columns(
    id_expr: pl.Expr,
    *,
    input_expr: pl.Expr | None = None,
    chosen: pl.Expr | None = None,
    rejected: pl.Expr | None = None,
    margin: pl.Expr | None = None,
) -> dict[str, pl.Expr]:
    """The canonical preference columns; the message columns default to ``prepare``'s."""
    return {
        "id": id_expr,
        "input": pl.col(_INPUT) if input_expr is None else input_expr,
        "expected": pl.lit(None, pl.Null),
        "chosen": _one_or_more(_CHOSEN) if chosen is None else chosen,
        "rejected": _one_or_more(_REJECTED) if rejected is None else rejected,
        "margin": pl.lit(None, pl.Float64) if margin is None else margin.cast(pl.Float64),
    }


# Specs whose ``prepare`` ends with ``_split_pair`` read each side from a reply text (or,
# rarely, its turns) and build the turn lists on read; the cache also holds the lists
# for other readers. (Prompts are not read so: they are often several turns, and
# merging two list columns costs more than it saves.)
_SPLIT_PAIR_ON_READ = ("chosen", "rejected")
# 2: the normalized cache holds every canonical column (issue 16)
_VERSION = 2


def _split_pair(
    lf: pl.LazyFrame, *, at: Callable[[pl.Expr], pl.Expr] = last_assistant_index
) -> pl.LazyFrame:
    """Split the two whole conversations into shared prompt, chosen and rejected turns.

    ``at`` finds the turn each side's response starts at (the last assistant turn by
    default); ``input`` is the chosen side's turns before it.
    """
    chosen, rejected = pl.col(_CHOSEN_CONV), pl.col(_REJECTED_CONV)
    chosen_at, rejected_at = pl.col(_CHOSEN_AT), pl.col(_REJECTED_AT)
    return (
        lf.with_columns(at(chosen).alias(_CHOSEN_AT), at(rejected).alias(_REJECTED_AT))
        .with_columns(
            turns_before(chosen, chosen_at).alias(_INPUT),
            turns_from(chosen, chosen_at).alias(_CHOSEN),
            turns_from(rejected, rejected_at).alias(_REJECTED),
        )
        .with_columns(
            *_split_turns(pl.col(_CHOSEN), _CHOSEN),
            *_split_turns(pl.col(_REJECTED), _REJECTED),
        )
    )


# --------------------------------------------------------------------------------------
# Anthropic HH-RLHF
# --------------------------------------------------------------------------------------

_HH_DIRS = ("harmless-base", "helpful-base", "helpful-online", "helpful-rejection-sampled")
_HH_RAW: _Schema = {"chosen": pl.String, "rejected": pl.String}


def _hh_prepare(lf: pl.LazyFrame) -> pl.LazyFrame:
    lf = lf.with_columns(
        parse_transcript(pl.col("chosen"), markers=HH_MARKERS).alias(_CHOSEN_CONV),
        parse_transcript(pl.col("rejected"), markers=HH_MARKERS).alias(_REJECTED_CONV),
    )
    return _split_pair(lf)


HH_RLHF = DatasetSpec(
    name="hh_rlhf",
    repo="Anthropic/hh-rlhf",
    family="preference",
    description=(
        "Anthropic HH-RLHF: human preference pairs between two assistant replies in "
        "multi-turn dialogues, for helpfulness (helpful-base, helpful-online, "
        "helpful-rejection-sampled) and harmlessness (harmless-base). `default` is the "
        "union of the four preference subsets; red-team-attempts (not pairs) is not "
        "included."
    ),
    license="mit",
    domain="general",
    task_type="pairwise preference",
    configs=("default", *_HH_DIRS),
    default_config="default",
    default_split="test",
    columns=_columns(default_id()),
    prepare=_hh_prepare,
    computed_on_read=_SPLIT_PAIR_ON_READ,
    version=_VERSION,
    hub_configs={"default": _HH_DIRS},
    hub_files=tuple(
        HubFile(f"{d}/{split}.jsonl.gz", d, split) for d in _HH_DIRS for split in ("train", "test")
    ),
    card_configs=None,
    raw_schema=dict.fromkeys(("default", *_HH_DIRS), _HH_RAW),
    citation=(
        "Bai et al., 2022, Training a Helpful and Harmless Assistant with Reinforcement "
        "Learning from Human Feedback"
    ),
    tags=("preference", "rlhf", "helpfulness", "harmlessness", "multi-turn", "english"),
)


# --------------------------------------------------------------------------------------
# HelpSteer3 (preference)
# --------------------------------------------------------------------------------------

_HELPSTEER3_RAW: _Schema = {
    "domain": pl.String,
    "language": pl.String,
    "context": pl.List(pl.Struct({"role": pl.String, "content": pl.String})),
    "response1": pl.String,
    "response2": pl.String,
    "overall_preference": pl.Int64,
    "individual_preference": pl.List(pl.Struct({"score": pl.Int64, "reasoning": pl.String})),
}


_HS3_PREF = pl.col("overall_preference")
_HS3_FIRST = _HS3_PREF < 0

HELPSTEER3 = DatasetSpec(
    name="helpsteer3",
    repo="nvidia/HelpSteer3",
    family="preference",
    description=(
        "HelpSteer3 (preference config): 40k conversations in general, STEM, code and "
        "multilingual domains, each with two responses and an overall human preference "
        "from -3 (response 1 much better) to 3 (response 2 much better); ties dropped."
    ),
    license="cc-by-4.0",
    domain="general",
    task_type="pairwise preference",
    configs=("preference",),
    default_config="preference",
    default_split="validation",
    columns=_columns(
        default_id(),
        input_expr=to_messages(pl.col("context")),
        chosen=single_turn(
            pl.when(_HS3_FIRST).then(pl.col("response1")).otherwise(pl.col("response2")),
            role="assistant",
        ),
        rejected=single_turn(
            pl.when(_HS3_FIRST).then(pl.col("response2")).otherwise(pl.col("response1")),
            role="assistant",
        ),
        margin=_HS3_PREF.abs(),
    ),
    keep=_HS3_PREF != 0,
    # One-turn lists built from the two response texts: the cache stores the texts.
    computed_on_read=("chosen", "rejected"),
    version=_VERSION,
    hub_files=tuple(
        HubFile(f"preference/{split}.jsonl.gz", "preference", split)
        for split in ("train", "validation")
    ),
    card_configs=tuple(
        {
            "config_name": name,
            **({"default": True} if name == "preference" else {}),
            "data_files": [
                {"split": split, "path": f"{name}/{split}.jsonl.gz"}
                for split in ("train", "validation")
            ],
        }
        for name in ("preference", "feedback", "edit", "edit_quality")
    ),
    raw_schema={"preference": _HELPSTEER3_RAW},
    citation=(
        "Wang et al., 2025, HelpSteer3-Preference: Open Human-Annotated Preference Data "
        "across Diverse Tasks and Languages"
    ),
    tags=("preference", "human-feedback", "multilingual", "code", "stem", "multi-turn"),
)


# --------------------------------------------------------------------------------------
# UltraFeedback (Argilla binarized)
# --------------------------------------------------------------------------------------

_ULTRAFEEDBACK_RAW: _Schema = {
    "source": pl.String,
    "instruction": pl.String,
    "chosen_response": pl.String,
    "rejected_response": pl.String,
    "chosen_avg_rating": pl.Float64,
    "rejected_avg_rating": pl.Float64,
    "chosen_model": pl.String,
}


_UF_DIFF = pl.col("chosen_avg_rating") - pl.col("rejected_avg_rating")
_UF_SWAP = (_UF_DIFF < 0).fill_null(False)

ULTRAFEEDBACK = DatasetSpec(
    name="ultrafeedback",
    repo="argilla/ultrafeedback-binarized-preferences",
    family="preference",
    description=(
        "UltraFeedback binarized by Argilla: 64k single-turn instructions, the response "
        "with the highest average GPT-4 rating as chosen and a random lower-rated one as "
        "rejected; margin is the difference of the average ratings, ties dropped."
    ),
    license="unknown",
    domain="general",
    task_type="pairwise preference",
    configs=("default",),
    default_config="default",
    default_split="train",
    columns=_columns(
        default_id(),
        input_expr=single_turn(pl.col("instruction"), role="user"),
        chosen=single_turn(
            pl.when(_UF_SWAP)
            .then(pl.col("rejected_response"))
            .otherwise(pl.col("chosen_response")),
            role="assistant",
        ),
        rejected=single_turn(
            pl.when(_UF_SWAP)
            .then(pl.col("chosen_response"))
            .otherwise(pl.col("rejected_response")),
            role="assistant",
        ),
        margin=_UF_DIFF.abs(),
    ),
    keep=(_UF_DIFF != 0).fill_null(True),
    # One-turn lists built from plain texts: the cache stores the texts.
    computed_on_read=("input", "chosen", "rejected"),
    version=_VERSION,
    hub_files=(HubFile("data/train-00000-of-00001-9dffc9d46d32c335.parquet", "default", "train"),),
    card_configs=(
        {"config_name": "default", "data_files": [{"split": "train", "path": "data/train-*"}]},
    ),
    raw_schema={"default": _ULTRAFEEDBACK_RAW},
    citation="Cui et al., 2023, UltraFeedback: Boosting Language Models with High-quality Feedback",
    tags=("preference", "ai-feedback", "single-turn", "english"),
)


# --------------------------------------------------------------------------------------
# LMArena human preference 140k
# --------------------------------------------------------------------------------------

# The card's dataset_info could not be read; nested dtypes follow the card text and code
# that reads the files. ``full_conversation``, ``conv_metadata`` and ``category_tag``
# member lists are a best reconstruction (the normalizer reads none of them).
_ARENA_PART = pl.Struct(
    {"type": pl.String, "text": pl.String, "image": pl.String, "mimeType": pl.String}
)
_ARENA_TURN = pl.Struct({"role": pl.String, "content": pl.List(_ARENA_PART)})
_ARENA_CONVERSATION = pl.List(_ARENA_TURN)
_ARENA_CATEGORY_TAG = pl.Struct(
    {
        "criteria_v0.1": pl.Struct(
            dict.fromkeys(
                (
                    "complexity",
                    "creativity",
                    "domain_knowledge",
                    "problem_solving",
                    "real_world",
                    "specificity",
                    "technical_accuracy",
                ),
                pl.Boolean,
            )
        ),
        "creative_writing_v0.1": pl.Struct({"creative_writing": pl.Boolean, "score": pl.String}),
        "if_v0.1": pl.Struct({"if": pl.Boolean, "score": pl.Int64}),
        "math_v0.1": pl.Struct({"math": pl.Boolean}),
    }
)
_ARENA_CONV_METADATA = pl.Struct(
    dict.fromkeys(
        (
            "sum_user_tokens",
            "sum_assistant_a_tokens",
            "sum_assistant_b_tokens",
            "context_a_tokens",
            "context_b_tokens",
            "turns",
        ),
        pl.Int64,
    )
)
_ARENA_RAW: _Schema = {
    "id": pl.String,
    "model_a": pl.String,
    "model_b": pl.String,
    "winner": pl.String,
    "evaluation_session_id": pl.String,
    "evaluation_order": pl.Int64,
    "conversation_a": _ARENA_CONVERSATION,
    "conversation_b": _ARENA_CONVERSATION,
    "full_conversation": pl.List(
        pl.Struct({"user": _ARENA_TURN, "model_side_a": _ARENA_TURN, "model_side_b": _ARENA_TURN})
    ),
    "conv_metadata": _ARENA_CONV_METADATA,
    "category_tag": _ARENA_CATEGORY_TAG,
    "language": pl.String,
    "is_code": pl.Boolean,
    "timestamp": pl.Datetime("us"),
}
_ARENA_WINNERS = ("model_a", "model_b")


def _arena_conversation(conversation: str) -> pl.Expr:
    """Arena turns (content = list of typed parts) -> messages, text parts joined."""
    turn = pl.element().struct
    return pl.col(conversation).list.eval(
        pl.struct(
            normalize_role(turn.field("role")).alias("role"),
            join_text_parts(turn.field("content")).alias("content"),
        )
    )


def _arena_prepare(lf: pl.LazyFrame) -> pl.LazyFrame:
    # Both sides first, as columns: each is then used twice below, and built once.
    lf = lf.with_columns(
        _arena_conversation("conversation_a").alias(_ARENA_A),
        _arena_conversation("conversation_b").alias(_ARENA_B),
    )
    a, b = pl.col(_ARENA_A), pl.col(_ARENA_B)
    a_wins = pl.col("winner") == "model_a"
    lf = lf.with_columns(
        pl.when(a_wins).then(a).otherwise(b).alias(_CHOSEN_CONV),
        pl.when(a_wins).then(b).otherwise(a).alias(_REJECTED_CONV),
    )
    return _split_pair(lf, at=first_assistant_index)


ARENA_140K = DatasetSpec(
    name="arena_140k",
    repo="lmarena-ai/arena-human-preference-140k",
    family="preference",
    description=(
        "LMArena human preferences (140k release, ~136k votes, 2025): anonymous battles "
        "between two models on the same user prompt, single- and multi-turn, with the "
        "user's vote; tie and both_bad votes dropped."
    ),
    license="cc-by-4.0",
    domain="general",
    task_type="pairwise preference",
    configs=("default",),
    default_config="default",
    default_split="train",
    columns=_columns(pl.col("id").cast(pl.String)),
    prepare=_arena_prepare,
    computed_on_read=_SPLIT_PAIR_ON_READ,
    version=_VERSION,
    keep=pl.col("winner").is_in(_ARENA_WINNERS),
    hub_files=tuple(
        HubFile(f"data/train-{i:05d}-of-00007.parquet", "default", "train") for i in range(7)
    ),
    card_configs=(
        {"config_name": "default", "data_files": [{"split": "train", "path": "data/train-*"}]},
    ),
    raw_schema={"default": _ARENA_RAW},
    citation=(
        "Chiang et al., 2024, Chatbot Arena: An Open Platform for Evaluating LLMs by "
        "Human Preference"
    ),
    tags=("preference", "human-feedback", "arena", "multilingual", "multi-turn"),
)


# --------------------------------------------------------------------------------------
# Tülu 3 8B preference mixture
# --------------------------------------------------------------------------------------

_TULU3_PREFERENCE_RAW: _Schema = {
    "id": pl.String,
    "prompt": pl.String,
    "chosen": _HUB_MESSAGES,
    "rejected": _HUB_MESSAGES,
    "source": pl.String,
}


def _tulu3_preference_prepare(lf: pl.LazyFrame) -> pl.LazyFrame:
    lf = lf.with_columns(
        to_messages(pl.col("chosen")).alias(_CHOSEN_CONV),
        to_messages(pl.col("rejected")).alias(_REJECTED_CONV),
    )
    return _split_pair(lf)


TULU3_PREFERENCE = DatasetSpec(
    name="tulu3_preference",
    repo="allenai/llama-3.1-tulu-3-8b-preference-mixture",
    family="preference",
    description=(
        "Tülu 3 8B preference mixture: 271k on- and off-policy preference pairs "
        "(chosen/rejected conversations judged by GPT-4o) used for Tülu 3 8B DPO."
    ),
    license="odc-by",
    domain="general",
    task_type="pairwise preference",
    configs=("default",),
    default_config="default",
    default_split="train",
    columns=_columns(pl.col("id").cast(pl.String)),
    prepare=_tulu3_preference_prepare,
    computed_on_read=_SPLIT_PAIR_ON_READ,
    version=_VERSION,
    hub_files=tuple(
        HubFile(f"data/train-{i:05d}-of-00004.parquet", "default", "train") for i in range(4)
    ),
    card_configs=(
        {"config_name": "default", "data_files": [{"split": "train", "path": "data/train-*"}]},
    ),
    raw_schema={"default": _TULU3_PREFERENCE_RAW},
    citation=(
        "Lambert et al., 2024, Tülu 3: Pushing Frontiers in Open Language Model Post-Training"
    ),
    tags=("preference", "dpo", "ai-feedback", "instruction-following"),
)


SPECS: tuple[DatasetSpec, ...] = (HH_RLHF, HELPSTEER3, ULTRAFEEDBACK, ARENA_140K, TULU3_PREFERENCE)
