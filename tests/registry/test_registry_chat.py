"""Chat specs (tulu3_sft, no_robots, open_thoughts3) and the shared message expressions."""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from crucible_pl._synthetic import GENERATORS
from crucible_pl.errors import ConfigNotFoundError
from crucible_pl.registry._messages import (
    MESSAGES,
    ROLE_ALIASES,
    first_assistant_index,
    join_text_parts,
    last_assistant_index,
    normalize_role,
    to_messages,
    turn_content,
    turns_before,
    turns_from,
)
from crucible_pl.registry._spec import DatasetSpec, SyntheticRequest
from crucible_pl.registry.chat import NO_ROBOTS, OPEN_THOUGHTS3, SPECS, TULU3_SFT

CHAT_COLUMNS: dict[str, pl.DataType | type[pl.DataType]] = {
    "id": pl.String,
    "input": MESSAGES,
    "expected": pl.String,
    "messages": MESSAGES,
}
CHAT_SCHEMA = pl.Schema(CHAT_COLUMNS)
HUB_MESSAGES = pl.List(pl.Struct({"content": pl.String, "role": pl.String}))

CASES = [
    pytest.param(spec, config, split, id=f"{spec.name}-{split}")
    for spec in SPECS
    for config, split in sorted({(f.config, f.split) for f in spec.hub_files})
]


def synthetic(
    spec: DatasetSpec, config: str, split: str, n: int = 40, seed: int = 0
) -> pl.DataFrame:
    return GENERATORS[spec.name](SyntheticRequest(config, split, n, seed))


def normalized(spec: DatasetSpec, raw: pl.DataFrame, config: str, split: str) -> pl.DataFrame:
    out = spec.normalize(raw.lazy(), config=config, split=split)
    assert isinstance(out, pl.LazyFrame)
    return out.collect()


def tulu_row(*turns: tuple[str, str], row_id: str = "t_0") -> pl.DataFrame:
    """One raw tulu3_sft row from (role, content) turns."""
    messages = [{"content": content, "role": role} for role, content in turns]
    return pl.DataFrame(
        {"id": [row_id], "messages": [messages], "source": ["test"]},
        schema={"id": pl.String, "messages": HUB_MESSAGES, "source": pl.String},
    )


# --------------------------------------------------------------------------------------
# Every spec: synthetic rows -> normalize -> canonical schema
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("spec", "config", "split"), CASES)
def test_synthetic_rows_normalize_to_chat_schema(
    spec: DatasetSpec, config: str, split: str
) -> None:
    raw = synthetic(spec, config, split)
    assert raw.schema == pl.Schema(spec.raw_schema[config])
    out = normalized(spec, raw, config, split)
    assert out.schema == CHAT_SCHEMA
    assert out.height == raw.height == 40
    assert out["id"].is_unique().all()
    assert out["id"].null_count() == 0
    assert out["expected"].null_count() == 0  # every synthetic conversation has a reply


@pytest.mark.parametrize(("spec", "config", "split"), CASES)
def test_synthetic_is_deterministic_per_seed(spec: DatasetSpec, config: str, split: str) -> None:
    assert_frame_equal(synthetic(spec, config, split), synthetic(spec, config, split))
    assert not synthetic(spec, config, split, seed=1).equals(synthetic(spec, config, split))


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_empty_raw_frame_gives_canonical_schema(spec: DatasetSpec) -> None:
    """``info()`` normalizes an empty frame of the raw schema to learn the columns."""
    assert spec.default_config is not None
    empty = pl.LazyFrame(schema=spec.raw_schema[spec.default_config])
    out = spec.normalize(empty, config=spec.default_config, split="_")
    assert out.collect_schema() == CHAT_SCHEMA
    assert out.collect().height == 0


@pytest.mark.parametrize(("spec", "config", "split"), CASES)
def test_input_and_expected_split_at_last_assistant_turn(
    spec: DatasetSpec, config: str, split: str
) -> None:
    out = normalized(spec, synthetic(spec, config, split), config, split)
    for row in out.iter_rows(named=True):
        messages = row["messages"]
        last = max(i for i, m in enumerate(messages) if m["role"] == "assistant")
        assert row["input"] == messages[:last]
        assert row["expected"] == messages[last]["content"]
        assert {m["role"] for m in messages} <= {"system", "user", "assistant"}


def test_synthetic_rows_cover_system_and_multi_turn() -> None:
    out = normalized(TULU3_SFT, synthetic(TULU3_SFT, "default", "train"), "default", "train")
    first_roles = out["messages"].list.first().struct.field("role")
    assert (first_roles == "system").sum() > 0
    assert (out["input"].list.len() >= 3).sum() > 0  # at least one earlier exchange
    chat = normalized(NO_ROBOTS, synthetic(NO_ROBOTS, "default", "train_sft"), "default", "x")
    assert (chat["messages"].list.len() > 3).sum() > 0


@pytest.mark.parametrize(("spec", "config", "split"), CASES)
def test_synthetic_rejects_unknown_config(spec: DatasetSpec, config: str, split: str) -> None:
    with pytest.raises(ConfigNotFoundError, match=r"'nope'.*Valid configs: default"):
        GENERATORS[spec.name](SyntheticRequest("nope", split, 3))


# --------------------------------------------------------------------------------------
# Spec facts
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_spec_facts_are_filled_and_consistent(spec: DatasetSpec) -> None:
    assert spec.family == "chat"
    for text in (spec.description, spec.license, spec.domain, spec.task_type, spec.citation):
        assert text.strip()
    assert spec.tags
    assert spec.default_config in spec.configs
    assert {f.config for f in spec.hub_files} == set(spec.configs) == set(spec.raw_schema)
    assert spec.default_split in {f.split for f in spec.hub_files}
    assert spec.card_configs is not None
    card_splits = {d["split"] for c in spec.card_configs for d in c["data_files"]}
    assert card_splits == {f.split for f in spec.hub_files}
    assert list(spec.columns) == list(CHAT_SCHEMA)
    assert not spec.gated


def test_hub_file_layouts() -> None:
    assert [f.path for f in TULU3_SFT.hub_files][-1] == "data/train-00005-of-00006.parquet"
    assert len(OPEN_THOUGHTS3.hub_files) == 120
    assert OPEN_THOUGHTS3.hub_files[0].path == "data/train-00000-of-00120.parquet"
    assert {f.split for f in NO_ROBOTS.hub_files} == {"train_sft", "test_sft"}


# --------------------------------------------------------------------------------------
# Ids
# --------------------------------------------------------------------------------------


def test_tulu_keeps_the_hub_id() -> None:
    raw = synthetic(TULU3_SFT, "default", "train", n=5)
    out = normalized(TULU3_SFT, raw, "default", "train")
    assert out["id"].to_list() == raw["id"].to_list()


def test_no_robots_uses_row_ids_that_survive_slicing() -> None:
    raw = synthetic(NO_ROBOTS, "default", "test_sft", n=6)
    lf = raw.lazy().with_row_index("__row").with_columns(pl.col("__row").cast(pl.Int64))
    out = NO_ROBOTS.normalize(lf.slice(3, 2), config="default", split="test_sft").collect()
    assert out["id"].to_list() == ["no_robots/default/test_sft/3", "no_robots/default/test_sft/4"]


# --------------------------------------------------------------------------------------
# Hard cases
# --------------------------------------------------------------------------------------


def test_chat_without_assistant_turn_has_null_expected() -> None:
    raw = tulu_row(("system", "Be brief."), ("user", "Hello?"))
    row = normalized(TULU3_SFT, raw, "default", "train").row(0, named=True)
    assert row["expected"] is None
    assert row["input"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Hello?"},
    ]
    assert row["messages"] == row["input"]


def test_trailing_user_turn_is_not_part_of_input() -> None:
    raw = tulu_row(
        ("user", "a"), ("assistant", "b"), ("user", "c"), ("assistant", "d"), ("user", "e")
    )
    row = normalized(TULU3_SFT, raw, "default", "train").row(0, named=True)
    assert row["expected"] == "d"
    assert [m["content"] for m in row["input"]] == ["a", "b", "c"]
    assert len(row["messages"]) == 5


def test_empty_and_null_conversations() -> None:
    raw = pl.DataFrame(
        {"id": ["e", "n"], "messages": [[], None], "source": ["s", "s"]},
        schema={"id": pl.String, "messages": HUB_MESSAGES, "source": pl.String},
    )
    out = normalized(TULU3_SFT, raw, "default", "train")
    assert out["input"].to_list() == [[], None]
    assert out["expected"].to_list() == [None, None]
    assert out["messages"].to_list() == [[], None]


def test_empty_assistant_reply_is_the_empty_string() -> None:
    raw = tulu_row(("user", "Say nothing."), ("assistant", ""))
    assert normalized(TULU3_SFT, raw, "default", "train")["expected"].to_list() == [""]


def test_open_thoughts_sharegpt_roles_become_user_and_assistant() -> None:
    raw = synthetic(OPEN_THOUGHTS3, "default", "train", n=5)
    assert raw["conversations"].explode().struct.field("from").unique().sort().to_list() == [
        "gpt",
        "human",
    ]
    out = normalized(OPEN_THOUGHTS3, raw, "default", "train")
    roles = out["messages"].explode().struct.field("role")
    assert roles.unique().sort().to_list() == ["assistant", "user"]
    values = raw["conversations"].list.last().struct.field("value")
    assert out["expected"].to_list() == values.to_list()


# --------------------------------------------------------------------------------------
# Role normalization and the shared expressions
# --------------------------------------------------------------------------------------

ROLE_TABLE = [
    ("human", "user"),
    ("Human", "user"),
    ("user", "user"),
    (" USER ", "user"),
    ("prompter", "user"),
    ("gpt", "assistant"),
    ("GPT", "assistant"),
    ("bot", "assistant"),
    ("assistant", "assistant"),
    ("model", "assistant"),
    ("chatgpt", "assistant"),
    ("ChatGPT", "assistant"),
    ("system", "system"),
    ("System", "system"),
    ("tool", "tool"),
    ("function", "tool"),
    ("ipython", "tool"),
    ("Critic", "critic"),
    ("observation", "observation"),
]


def test_role_normalization_table() -> None:
    raw, want = zip(*ROLE_TABLE, strict=True)
    got = pl.select(normalize_role(pl.lit(pl.Series(raw)))).to_series().to_list()
    assert got == list(want)
    assert pl.select(normalize_role(pl.lit(None, pl.String))).item() is None
    assert set(ROLE_ALIASES.values()) == {"system", "user", "assistant", "tool"}


def test_roles_are_normalized_inside_conversations() -> None:
    raw = tulu_row(("SYSTEM", "s"), ("Human", "q"), ("function", "f"), ("Model", "a"))
    row = normalized(TULU3_SFT, raw, "default", "train").row(0, named=True)
    assert [m["role"] for m in row["messages"]] == ["system", "user", "tool", "assistant"]
    assert row["expected"] == "a"


def test_index_helpers() -> None:
    conv = [
        {"role": "user", "content": "a"},
        {"role": "assistant", "content": "b"},
        {"role": "user", "content": "c"},
        {"role": "assistant", "content": "d"},
    ]
    frame = pl.DataFrame({"m": [conv, conv[:1], []]}, schema={"m": MESSAGES})
    m = pl.col("m")
    out = frame.select(
        first=first_assistant_index(m),
        last=last_assistant_index(m),
        before=turns_before(m, last_assistant_index(m)),
        after=turns_from(m, first_assistant_index(m)),
        text=turn_content(m, first_assistant_index(m)),
    )
    assert out["first"].to_list() == [1, None, None]
    assert out["last"].to_list() == [3, None, None]
    assert out["before"].to_list() == [conv[:3], conv[:1], []]
    assert out["after"].to_list() == [conv[1:], [], []]
    assert out["text"].to_list() == ["b", None, None]


def test_to_messages_orders_fields_role_then_content() -> None:
    frame = pl.DataFrame(
        {"c": [[{"from": "gpt", "value": "x"}]]},
        schema={"c": pl.List(pl.Struct({"from": pl.String, "value": pl.String}))},
    )
    out = frame.select(to_messages(pl.col("c"), role="from", content="value"))
    assert out.schema["c"] == MESSAGES
    assert out["c"].to_list() == [[{"role": "assistant", "content": "x"}]]


def test_join_text_parts_skips_parts_without_text() -> None:
    part = pl.Struct({"type": pl.String, "text": pl.String})
    parts: list[Any] = [
        [
            {"type": "text", "text": "a"},
            {"type": "image", "text": None},
            {"type": "text", "text": "b"},
        ],
        [],
    ]
    frame = pl.DataFrame({"p": parts}, schema={"p": pl.List(part)})
    assert frame.select(join_text_parts(pl.col("p")))["p"].to_list() == ["a\nb", ""]


# --------------------------------------------------------------------------------------
# The fast paths of the message expressions against plain Python
# --------------------------------------------------------------------------------------


def py_role(role: str | None) -> str | None:
    if role is None:
        return None
    key = role.strip().lower()
    return ROLE_ALIASES.get(key, key)


def test_normalize_role_exact_names_and_variants_match_python() -> None:
    roles: list[str | None] = [*ROLE_ALIASES, *(r.upper() for r in ROLE_ALIASES)]
    roles += [f" {r}\t" for r in ROLE_ALIASES]
    roles += ["Critic", "", " ", "\nSystem\n", "x y", None]
    got = pl.select(normalize_role(pl.lit(pl.Series(roles, dtype=pl.String)))).to_series()
    assert got.to_list() == [py_role(r) for r in roles]


def py_positions(roles: list[str | None] | None) -> tuple[int | None, int | None]:
    if roles is None:
        return None, None
    found = [i for i, role in enumerate(roles) if role == "assistant"]
    return (found[0], found[-1]) if found else (None, None)


ROLE_CHOICES = st.sampled_from(["assistant", "user", "system", None])


@settings(max_examples=25, deadline=None)
@given(st.lists(st.none() | st.lists(ROLE_CHOICES, max_size=8), min_size=1, max_size=30))
def test_assistant_index_helpers_match_python(conversations: list[list[str | None] | None]) -> None:
    rows = [
        None if roles is None else [{"role": r, "content": str(i)} for i, r in enumerate(roles)]
        for roles in conversations
    ]
    frame = pl.DataFrame({"m": rows}, schema={"m": MESSAGES})
    out = frame.select(
        first=first_assistant_index(pl.col("m")), last=last_assistant_index(pl.col("m"))
    )
    assert out.schema == pl.Schema({"first": pl.UInt32, "last": pl.UInt32})
    assert list(zip(out["first"], out["last"], strict=True)) == [
        py_positions(roles) for roles in conversations
    ]


def test_chat_plan_prunes_the_conversation_when_only_ids_are_selected() -> None:
    raw = tulu_row(("user", "q"), ("assistant", "a")).lazy()
    lf = TULU3_SFT.normalize(raw, config="default", split="train")
    assert "list.eval" not in lf.select("id").explain()
    # the conversation is built once, for input, expected and messages together
    assert lf.explain().count("to_lowercase") == 1
