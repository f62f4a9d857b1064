"""Preference specs (hh_rlhf, helpsteer3, ultrafeedback, arena_140k, tulu3_preference) and
the rated spec (helpsteer2): synthetic rows -> normalize -> canonical columns, ties,
the preferred side, and the hard cases of transcript parsing."""

from __future__ import annotations

import io
import re
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from crucible_pl._synthetic import GENERATORS
from crucible_pl.errors import ConfigNotFoundError
from crucible_pl.registry._messages import HELPSTEER_MARKERS, HH_MARKERS, MESSAGES, parse_transcript
from crucible_pl.registry._spec import DatasetSpec, SyntheticRequest
from crucible_pl.registry.preference import (
    ARENA_140K,
    HELPSTEER3,
    HH_RLHF,
    SPECS,
    TULU3_PREFERENCE,
    ULTRAFEEDBACK,
)
from crucible_pl.registry.rated import HELPSTEER2
from crucible_pl.registry.rated import SPECS as RATED_SPECS

DTypes = dict[str, pl.DataType | type[pl.DataType]]
PREFERENCE_COLUMNS: DTypes = {
    "id": pl.String,
    "input": MESSAGES,
    "expected": pl.Null,
    "chosen": MESSAGES,
    "rejected": MESSAGES,
    "margin": pl.Float64,
}
PREFERENCE_SCHEMA = pl.Schema(PREFERENCE_COLUMNS)
RATED_COLUMNS: DTypes = {
    "id": pl.String,
    "input": MESSAGES,
    "expected": pl.Null,
    "response": pl.String,
    **dict.fromkeys(
        ("helpfulness", "correctness", "coherence", "complexity", "verbosity"), pl.Float64
    ),
}
RATED_SCHEMA = pl.Schema(RATED_COLUMNS)
HH_DIRS = ("harmless-base", "helpful-base", "helpful-online", "helpful-rejection-sampled")
N = 40

ALL_SPECS = (*SPECS, *RATED_SPECS)
CASES = [
    pytest.param(spec, config, split, id=f"{spec.name}-{config}-{split}")
    for spec in ALL_SPECS
    for config, split in sorted({(f.config, f.split) for f in spec.hub_files})
]


def synthetic(
    spec: DatasetSpec, config: str, split: str, n: int = N, seed: int = 0
) -> pl.DataFrame:
    return GENERATORS[spec.name](SyntheticRequest(config, split, n, seed))


def normalized(spec: DatasetSpec, raw: pl.DataFrame, config: str, split: str) -> pl.DataFrame:
    return spec.normalize(raw.lazy(), config=config, split=split).collect()


def canonical_schema(spec: DatasetSpec) -> pl.Schema:
    return RATED_SCHEMA if spec.family == "rated" else PREFERENCE_SCHEMA


def raw_row_of(row_id: str) -> int:
    """The raw row position encoded in a default id ``name/config/split/row``."""
    return int(row_id.rsplit("/", 1)[1])


def texts(messages: list[dict[str, Any]]) -> list[str]:
    return [m["content"] for m in messages]


def py_parse_hh(text: str) -> list[tuple[str, str]]:
    """Independent Python parse of an HH transcript into (role, content) turns."""
    pieces = re.split(r"(?:^|\n\n)(Human|Assistant): ?", text)
    assert pieces[0] == ""
    roles = {"Human": "user", "Assistant": "assistant"}
    return [(roles[r], c) for r, c in zip(pieces[1::2], pieces[2::2], strict=True)]


def hh_frame(chosen: list[str], rejected: list[str]) -> pl.DataFrame:
    return pl.DataFrame(
        {"chosen": chosen, "rejected": rejected}, schema=HH_RLHF.raw_schema["default"]
    )


def hh_one(chosen: str, rejected: str) -> dict[str, Any]:
    return normalized(HH_RLHF, hh_frame([chosen], [rejected]), "helpful-base", "test").row(
        0, named=True
    )


# --------------------------------------------------------------------------------------
# Every spec: synthetic rows -> normalize -> canonical schema
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("spec", "config", "split"), CASES)
def test_synthetic_rows_normalize_to_canonical_schema(
    spec: DatasetSpec, config: str, split: str
) -> None:
    raw = synthetic(spec, config, split)
    assert raw.schema == pl.Schema(spec.raw_schema[config])
    lf = spec.normalize(raw.lazy(), config=config, split=split)
    assert "python_udf" not in lf.explain()  # expressions only, no per-row Python
    out = lf.collect()
    assert out.schema == canonical_schema(spec)
    assert 0 < out.height <= raw.height
    assert out["id"].null_count() == 0
    assert out["id"].is_unique().all()
    assert out["input"].list.len().min() >= 1  # type: ignore[operator]
    if spec.family == "preference":
        assert (out["chosen"].list.len() >= 1).all()
        assert (out["rejected"].list.len() >= 1).all()
        assert out["chosen"].list.first().struct.field("role").eq("assistant").all()
        assert out["input"].list.last().struct.field("role").eq("user").all()


@pytest.mark.parametrize(("spec", "config", "split"), CASES)
def test_synthetic_is_deterministic_per_seed(spec: DatasetSpec, config: str, split: str) -> None:
    assert_frame_equal(synthetic(spec, config, split), synthetic(spec, config, split))
    assert not synthetic(spec, config, split, seed=3).equals(synthetic(spec, config, split))


@pytest.mark.parametrize(("spec", "config", "split"), CASES)
def test_synthetic_rejects_unknown_config(spec: DatasetSpec, config: str, split: str) -> None:
    with pytest.raises(ConfigNotFoundError, match=r"'red-team-attempts'.*Valid configs"):
        GENERATORS[spec.name](SyntheticRequest("red-team-attempts", split, 2))


@pytest.mark.parametrize("spec", ALL_SPECS, ids=lambda s: s.name)
def test_empty_raw_frame_gives_canonical_schema(spec: DatasetSpec) -> None:
    for config in spec.raw_schema:
        empty = pl.LazyFrame(schema=spec.raw_schema[config])
        out = spec.normalize(empty, config=config, split="_")
        assert out.collect_schema() == canonical_schema(spec)


@pytest.mark.parametrize("spec", [HH_RLHF, HELPSTEER3, HELPSTEER2], ids=lambda s: s.name)
def test_json_lines_round_trip_normalizes_the_same(spec: DatasetSpec) -> None:
    """The jsonl.gz datasets: dtypes inferred from JSON (Int64 ratings...) change nothing."""
    config = spec.hub_files[0].config
    raw = synthetic(spec, config, "train", n=12)
    from_json = pl.read_ndjson(io.BytesIO(raw.write_ndjson().encode()))
    assert_frame_equal(
        normalized(spec, from_json, config, "train"), normalized(spec, raw, config, "train")
    )


# --------------------------------------------------------------------------------------
# Spec facts
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("spec", ALL_SPECS, ids=lambda s: s.name)
def test_spec_facts_are_filled_and_consistent(spec: DatasetSpec) -> None:
    for text in (spec.description, spec.license, spec.domain, spec.task_type, spec.citation):
        assert text.strip()
    assert spec.tags
    assert spec.default_config in spec.configs
    assert spec.default_split in {f.split for f in spec.hub_files}
    hub_configs = {c for config in spec.configs for c in spec.source_configs(config)}
    assert {f.config for f in spec.hub_files} == hub_configs
    assert hub_configs <= set(spec.raw_schema)
    assert list(spec.columns) == list(canonical_schema(spec))
    assert not spec.gated
    if spec.card_configs is not None:
        names = [c["config_name"] for c in spec.card_configs]
        assert set(spec.configs) <= set(names)


def test_hub_layouts_follow_the_cards() -> None:
    assert HH_RLHF.card_configs is None
    assert HH_RLHF.configs == ("default", *HH_DIRS)
    assert HH_RLHF.source_configs("default") == HH_DIRS
    assert "harmless-base/test.jsonl.gz" in {f.path for f in HH_RLHF.hub_files}
    assert len(HH_RLHF.hub_files) == 8
    assert HELPSTEER3.card_configs is not None
    assert [c["config_name"] for c in HELPSTEER3.card_configs] == [
        "preference",
        "feedback",
        "edit",
        "edit_quality",
    ]
    assert HELPSTEER3.card_configs[0]["default"] is True
    assert [f.path for f in ARENA_140K.hub_files][-1] == "data/train-00006-of-00007.parquet"
    assert len(TULU3_PREFERENCE.hub_files) == 4
    assert HELPSTEER2.card_configs is None
    assert [f.path for f in HELPSTEER2.hub_files] == ["train.jsonl.gz", "validation.jsonl.gz"]


# --------------------------------------------------------------------------------------
# Ties are dropped, and counted
# --------------------------------------------------------------------------------------

TIES = [
    pytest.param(HELPSTEER3, "preference", pl.col("overall_preference") == 0, id="helpsteer3"),
    pytest.param(
        ULTRAFEEDBACK,
        "default",
        pl.col("chosen_avg_rating") == pl.col("rejected_avg_rating"),
        id="ultrafeedback",
    ),
    pytest.param(ARENA_140K, "default", pl.col("winner").is_in(["tie", "both_bad"]), id="arena"),
    pytest.param(HH_RLHF, "helpful-base", pl.lit(False), id="hh_rlhf"),
    pytest.param(TULU3_PREFERENCE, "default", pl.lit(False), id="tulu3_preference"),
]


@pytest.mark.parametrize(("spec", "config", "tie"), TIES)
def test_ties_are_dropped(spec: DatasetSpec, config: str, tie: pl.Expr) -> None:
    raw = synthetic(spec, config, "train")
    ties = raw.select(tie.sum()).item()
    if spec.name in {"hh_rlhf", "tulu3_preference"}:
        assert ties == 0
        assert spec.keep is None
    else:
        assert ties >= 4  # the generators plant ties in every sample of this size
    out = normalized(spec, raw, config, "train")
    assert out.height == raw.height - ties
    kept_rows = raw.with_row_index().filter(~tie)["index"]
    if spec.name in {"helpsteer3", "ultrafeedback"}:
        assert [raw_row_of(i) for i in out["id"]] == kept_rows.to_list()
    if spec.name == "arena_140k":
        assert out["id"].to_list() == raw["id"].gather(kept_rows).to_list()


def test_arena_drops_both_kinds_of_tie() -> None:
    raw = synthetic(ARENA_140K, "default", "train")
    counts = dict(raw["winner"].value_counts().iter_rows())
    assert counts["tie"] > 0
    assert counts["both_bad"] > 0
    out = normalized(ARENA_140K, raw, "default", "train")
    assert out.height == counts["model_a"] + counts["model_b"]


# --------------------------------------------------------------------------------------
# The preferred side is always `chosen`, checked against the raw sign independently
# --------------------------------------------------------------------------------------


def test_helpsteer3_chosen_follows_the_preference_sign() -> None:
    raw = synthetic(HELPSTEER3, "preference", "train").rows(named=True)
    out = normalized(
        HELPSTEER3,
        pl.DataFrame(raw, schema=HELPSTEER3.raw_schema["preference"]),
        "preference",
        "train",
    )
    assert {r["overall_preference"] < 0 for r in raw} == {True, False}  # both signs occur
    for row in out.iter_rows(named=True):
        source = raw[raw_row_of(row["id"])]
        preference = source["overall_preference"]
        assert preference != 0
        better, worse = (
            (source["response1"], source["response2"])
            if preference < 0
            else (source["response2"], source["response1"])
        )
        assert row["chosen"] == [{"role": "assistant", "content": better}]
        assert row["rejected"] == [{"role": "assistant", "content": worse}]
        assert row["margin"] == abs(preference)
        assert texts(row["input"]) == [t["content"] for t in source["context"]]


def test_helpsteer3_handful_of_rows_by_hand() -> None:
    context = [{"role": "user", "content": "Pick one."}]
    raw = pl.DataFrame(
        {
            "domain": ["general"] * 4,
            "language": ["english"] * 4,
            "context": [context] * 4,
            "response1": ["r1"] * 4,
            "response2": ["r2"] * 4,
            "overall_preference": [-3, 2, 0, -1],
            "individual_preference": [[]] * 4,
        },
        schema=HELPSTEER3.raw_schema["preference"],
    )
    out = normalized(HELPSTEER3, raw, "preference", "train")
    assert out["id"].to_list() == [
        "helpsteer3/preference/train/0",
        "helpsteer3/preference/train/1",
        "helpsteer3/preference/train/3",
    ]
    assert out["chosen"].list.first().struct.field("content").to_list() == ["r1", "r2", "r1"]
    assert out["rejected"].list.first().struct.field("content").to_list() == ["r2", "r1", "r2"]
    assert out["margin"].to_list() == [3.0, 2.0, 1.0]


def test_ultrafeedback_chosen_has_the_higher_rating() -> None:
    raw = synthetic(ULTRAFEEDBACK, "default", "train").rows(named=True)
    out = normalized(
        ULTRAFEEDBACK,
        pl.DataFrame(raw, schema=ULTRAFEEDBACK.raw_schema["default"]),
        "default",
        "train",
    )
    for row in out.iter_rows(named=True):
        source = raw[raw_row_of(row["id"])]
        assert row["input"] == [{"role": "user", "content": source["instruction"]}]
        assert texts(row["chosen"]) == [source["chosen_response"]]
        assert texts(row["rejected"]) == [source["rejected_response"]]
        assert row["margin"] == source["chosen_avg_rating"] - source["rejected_avg_rating"] > 0


def test_ultrafeedback_swaps_a_pair_rated_the_wrong_way_round() -> None:
    raw = pl.DataFrame(
        {
            "source": ["sharegpt"],
            "instruction": ["Say hi."],
            "chosen_response": ["meh"],
            "rejected_response": ["Hi!"],
            "chosen_avg_rating": [2.0],
            "rejected_avg_rating": [4.5],
            "chosen_model": ["gpt-4"],
        },
        schema=ULTRAFEEDBACK.raw_schema["default"],
    )
    row = normalized(ULTRAFEEDBACK, raw, "default", "train").row(0, named=True)
    assert texts(row["chosen"]) == ["Hi!"]
    assert texts(row["rejected"]) == ["meh"]
    assert row["margin"] == 2.5


def arena_text(turn: dict[str, Any]) -> str:
    return "\n".join(p["text"] for p in turn["content"] if p["text"] is not None)


def test_arena_chosen_is_the_winning_side() -> None:
    raw = synthetic(ARENA_140K, "default", "train").rows(named=True)
    by_id = {r["id"]: r for r in raw}
    out = normalized(
        ARENA_140K, pl.DataFrame(raw, schema=ARENA_140K.raw_schema["default"]), "default", "train"
    )
    assert {by_id[i]["winner"] for i in out["id"]} == {"model_a", "model_b"}
    for row in out.iter_rows(named=True):
        source = by_id[row["id"]]
        win, lose = (
            ("conversation_a", "conversation_b")
            if source["winner"] == "model_a"
            else ("conversation_b", "conversation_a")
        )
        assert texts(row["chosen"]) == [arena_text(t) for t in source[win][1:]]
        assert texts(row["rejected"]) == [arena_text(t) for t in source[lose][1:]]
        assert texts(row["input"]) == [arena_text(source[win][0])]
        assert row["margin"] is None


def test_arena_multi_turn_battle_keeps_each_sides_later_turns() -> None:
    raw = synthetic(ARENA_140K, "default", "train")
    out = normalized(ARENA_140K, raw, "default", "train")
    multi = out.filter(pl.col("chosen").list.len() > 1)
    assert multi.height > 0
    for row in multi.iter_rows(named=True):
        assert [m["role"] for m in row["chosen"]] == ["assistant", "user", "assistant"]
        assert [m["role"] for m in row["rejected"]] == ["assistant", "user", "assistant"]
        assert row["chosen"][1] == row["rejected"][1]  # the same user follow-up
        assert len(row["input"]) == 1


def test_arena_image_parts_are_dropped_and_text_parts_joined() -> None:
    raw = synthetic(ARENA_140K, "default", "train")
    with_image = raw.filter(
        pl.col("conversation_a").list.first().struct.field("content").list.len() > 1
    )
    assert with_image.height > 0
    out = normalized(ARENA_140K, with_image, "default", "train")
    user_parts = with_image["conversation_a"].list.first().struct.field("content")
    expected = user_parts.list.last().struct.field("text").to_list()
    kept = with_image.filter(pl.col("winner").is_in(["model_a", "model_b"]))
    assert out.height == kept.height
    assert out["input"].list.first().struct.field("content").to_list() == [
        e
        for e, w in zip(expected, with_image["winner"], strict=True)
        if w in ("model_a", "model_b")
    ]


def test_hh_chosen_is_the_chosen_transcripts_last_reply() -> None:
    raw = synthetic(HH_RLHF, "helpful-base", "train").rows(named=True)
    out = normalized(
        HH_RLHF, pl.DataFrame(raw, schema=HH_RLHF.raw_schema["default"]), "helpful-base", "train"
    )
    for row in out.iter_rows(named=True):
        source = raw[raw_row_of(row["id"])]
        chosen, rejected = py_parse_hh(source["chosen"]), py_parse_hh(source["rejected"])
        assert [(m["role"], m["content"]) for m in row["input"]] == chosen[:-1]
        assert [(m["role"], m["content"]) for m in row["chosen"]] == chosen[-1:]
        assert [(m["role"], m["content"]) for m in row["rejected"]] == rejected[-1:]
        assert chosen[:-1] == rejected[:-1]


def test_tulu3_preference_splits_at_the_last_assistant_turn() -> None:
    raw = synthetic(TULU3_PREFERENCE, "default", "train").rows(named=True)
    out = normalized(
        TULU3_PREFERENCE,
        pl.DataFrame(raw, schema=TULU3_PREFERENCE.raw_schema["default"]),
        "default",
        "train",
    )
    assert out["id"].to_list() == [r["id"] for r in raw]
    assert (out["input"].list.len() == 3).sum() > 0  # multi-turn prompts occur
    for row, source in zip(out.iter_rows(named=True), raw, strict=True):
        assert texts(row["input"]) == [t["content"] for t in source["chosen"][:-1]]
        assert texts(row["chosen"]) == [source["chosen"][-1]["content"]]
        assert texts(row["rejected"]) == [source["rejected"][-1]["content"]]
        assert row["input"][-1]["content"] == source["prompt"]


# --------------------------------------------------------------------------------------
# HH-RLHF transcript hard cases
# --------------------------------------------------------------------------------------

HH_TURNS = [
    ("\n\nHuman: Hi", ["Hi"]),
    ("\n\nHuman: Hi\n\nAssistant: Hello.\n\nHuman: Weather?", ["Hi", "Hello.", "Weather?"]),
    (
        "\n\nHuman: A\n\nAssistant: B\n\nHuman: C\n\nAssistant: D\n\nHuman: E",
        ["A", "B", "C", "D", "E"],
    ),
]


@pytest.mark.parametrize(("prompt", "turns"), HH_TURNS, ids=["1-human", "2-human", "3-human"])
def test_hh_one_two_and_three_human_turns(prompt: str, turns: list[str]) -> None:
    row = hh_one(f"{prompt}\n\nAssistant: good", f"{prompt}\n\nAssistant: bad")
    assert texts(row["input"]) == turns
    assert [m["role"] for m in row["input"]] == ["user", "assistant"] * (len(turns) // 2) + ["user"]
    assert row["chosen"] == [{"role": "assistant", "content": "good"}]
    assert row["rejected"] == [{"role": "assistant", "content": "bad"}]
    assert row["expected"] is None
    assert row["margin"] is None


def test_hh_human_inside_a_sentence_is_text() -> None:
    prompt = "\n\nHuman: I'm a Human: a person. Is Human rights a proper noun?"
    reply = "Yes. A Human: label mid-line\nor after one newline\nHuman: is not a turn."
    row = hh_one(f"{prompt}\n\nAssistant: {reply}", f"{prompt}\n\nAssistant: No.")
    assert texts(row["input"]) == ["I'm a Human: a person. Is Human rights a proper noun?"]
    assert texts(row["chosen"]) == [reply]


def test_hh_empty_assistant_reply() -> None:
    prompt = "\n\nHuman: Say something."
    row = hh_one(f"{prompt}\n\nAssistant: Something.", f"{prompt}\n\nAssistant:")
    assert row["rejected"] == [{"role": "assistant", "content": ""}]
    row = hh_one(f"{prompt}\n\nAssistant: Something.", f"{prompt}\n\nAssistant: ")
    assert row["rejected"] == [{"role": "assistant", "content": ""}]


def test_hh_transcript_without_assistant_turn() -> None:
    row = hh_one("\n\nHuman: Hello?", "\n\nHuman: Hello?\n\nAssistant: Hi.")
    assert texts(row["input"]) == ["Hello?"]
    assert row["chosen"] == []
    assert texts(row["rejected"]) == ["Hi."]


def test_hh_synthetic_rows_contain_the_hard_cases() -> None:
    raw = synthetic(HH_RLHF, "harmless-base", "test")
    human_turns = raw["chosen"].str.count_matches("\n\nHuman: ").unique().sort().to_list()
    assert human_turns == [1, 2, 3]
    assert raw["chosen"].str.contains("label Human: before").sum() > 0
    assert raw["rejected"].str.ends_with("\n\nAssistant:").sum() > 0
    out = normalized(HH_RLHF, raw, "harmless-base", "test")
    assert (out["rejected"].list.first().struct.field("content") == "").sum() > 0


def test_hh_default_unions_the_four_subsets_with_stable_ids() -> None:
    """As the loader does: rows of each data dir, ``__row`` per dir, ``__config`` per row."""
    pieces = [
        synthetic(HH_RLHF, d, "test", n=5)
        .lazy()
        .with_row_index("__row")
        .with_columns(pl.col("__row").cast(pl.Int64), pl.lit(d).alias("__config"))
        for d in HH_RLHF.source_configs("default")
    ]
    out = HH_RLHF.normalize(pl.concat(pieces), config="default", split="test").collect()
    assert out.height == 20
    assert out["id"].is_unique().all()
    assert out["id"].str.extract(r"^hh_rlhf/([^/]+)/test/\d+$").unique().sort().to_list() == list(
        HH_DIRS
    )
    single = normalized(
        HH_RLHF, synthetic(HH_RLHF, "helpful-online", "test", n=5), "helpful-online", "test"
    )
    assert_frame_equal(out.filter(pl.col("id").str.contains("/helpful-online/")), single)


def test_parse_transcript_matches_python_on_synthetic_rows() -> None:
    raw = synthetic(HH_RLHF, "helpful-online", "train")
    parsed = raw.select(parse_transcript(pl.col("rejected"), markers=HH_MARKERS))
    for text, turns in zip(raw["rejected"], parsed.to_series(), strict=True):
        assert [(t["role"], t["content"]) for t in turns] == py_parse_hh(text)


# --------------------------------------------------------------------------------------
# HelpSteer2 (rated)
# --------------------------------------------------------------------------------------


def test_helpsteer2_ratings_and_prompts() -> None:
    raw = synthetic(HELPSTEER2, "default", "train")
    out = normalized(HELPSTEER2, raw, "default", "train")
    assert out.height == raw.height
    for name in ("helpfulness", "correctness", "coherence", "complexity", "verbosity"):
        assert out[name].to_list() == [float(v) for v in raw[name]]
    assert out["response"].to_list() == raw["response"].to_list()
    assert raw["prompt"].str.contains("<extra_id_1>").sum() > 0
    for row, prompt in zip(out.iter_rows(named=True), raw["prompt"], strict=True):
        roles = [m["role"] for m in row["input"]]
        assert roles[-1] == "user"
        assert "<extra_id_1>" not in "".join(texts(row["input"]))
        if "<extra_id_1>" not in prompt:
            assert row["input"] == [{"role": "user", "content": prompt}]
        else:
            assert roles == ["user", "assistant", "user"]


def test_helpsteer_markers_split_a_flattened_prompt() -> None:
    prompt = "Plan a trip.\n<extra_id_1>Assistant\nWhere to?\n<extra_id_1>User\nRome, 3 days."
    turns = pl.select(parse_transcript(pl.lit(prompt), markers=HELPSTEER_MARKERS)).to_series()
    assert turns.to_list()[0] == [
        {"role": "user", "content": "Plan a trip."},
        {"role": "assistant", "content": "Where to?"},
        {"role": "user", "content": "Rome, 3 days."},
    ]


def test_helpsteer2_consecutive_rows_share_a_prompt() -> None:
    raw = synthetic(HELPSTEER2, "default", "validation", n=10)
    prompts = raw["prompt"].to_list()
    assert all(prompts[i] == prompts[i + 1] for i in range(0, 10, 2))
    assert (raw["helpfulness"][0::2] > raw["helpfulness"][1::2]).all()


# --------------------------------------------------------------------------------------
# Transcript parsing: the one-pass HH marking equals the generic regex marking
# --------------------------------------------------------------------------------------


def py_parse_transcript(text: str, markers: dict[str, str]) -> list[tuple[str, str]]:
    """Reference for ``parse_transcript``: each marker regex in turn, then split."""
    for pattern, role in markers.items():
        text = re.sub(pattern, f"\x1e{role}\x1f", text)
    turns = []
    for segment in text.split("\x1e"):
        if segment == "":
            continue
        role, sep, content = segment.partition("\x1f")
        turns.append((role, content) if sep else ("user", segment))
    return turns


HH_PIECES = [
    "\n\nHuman: ",
    "\n\nHuman:",
    "\n\nAssistant: ",
    "\n\nAssistant:",
    "Human: ",
    "Human:",
    "Assistant:",
    "Assistant: ",
    "\n",
    "\n\n",
    " ",
    "a",
    "é",
    "Humans: ",
]


@settings(max_examples=30, deadline=None)
@given(st.lists(st.lists(st.sampled_from(HH_PIECES), max_size=12).map("".join), max_size=30))
def test_parse_transcript_hh_matches_the_regex_reference(texts: list[str]) -> None:
    frame = pl.DataFrame({"t": [*texts, None]}, schema={"t": pl.String})
    parsed = frame.select(parse_transcript(pl.col("t"), markers=HH_MARKERS)).to_series()
    got = [
        None if turns is None else [(t["role"], t["content"]) for t in turns] for turns in parsed
    ]
    assert got == [*(py_parse_transcript(t, dict(HH_MARKERS)) for t in texts), None]


@pytest.mark.parametrize(
    "text",
    [
        "Human: hi\n\nAssistant: yo",  # markers at the very start of the text
        "Assistant:x",
        "Human:\n\nAssistant:",
        "Human: Assistant: x",  # only the first is at the start
        "pre\n\nHuman: a\n\nAssistant: b",  # text before the first marker
        "\n\n\nHuman: a",  # the marker starts at the second newline
        "a\n\nHuman:  two spaces",  # the marker takes one space only
        "",
    ],
)
def test_parse_transcript_hh_edge_cases(text: str) -> None:
    parsed = pl.select(parse_transcript(pl.lit(text), markers=HH_MARKERS)).to_series()
    assert [(t["role"], t["content"]) for t in parsed[0]] == py_parse_transcript(
        text, dict(HH_MARKERS)
    )


def test_parse_transcript_other_markers_use_the_regex_loop() -> None:
    prompt = "a\n<extra_id_1>Assistant\nb\n<extra_id_1>User\nc\n\nHuman: not a marker here"
    parsed = pl.select(parse_transcript(pl.lit(prompt), markers=HELPSTEER_MARKERS)).to_series()
    assert [(t["role"], t["content"]) for t in parsed[0]] == py_parse_transcript(
        prompt, dict(HELPSTEER_MARKERS)
    )


def test_hh_plan_parses_each_transcript_once_and_prunes_unused_work() -> None:
    lf = HH_RLHF.normalize(hh_frame(["a"], ["b"]).lazy(), config="helpful-base", split="test")
    # one literal marking pass per transcript, shared by input, chosen and rejected
    assert lf.explain().count("replace_many") == 2
    assert lf.select("input").explain().count("replace_many") == 1
    assert lf.select("id").explain().count("replace_many") == 0


def test_reply_columns_restore_every_kind_of_turn_list() -> None:
    """The stored form of a preference side (reply text, else turns) gives back the turns."""
    from crucible_pl.registry._messages import MESSAGES
    from crucible_pl.registry.preference import _one_or_more, _split_turns

    def turn(role: str, content: str | None) -> dict[str, str | None]:
        return {"role": role, "content": content}

    sides = [
        [turn("assistant", "Sure.")],  # the usual case: one assistant turn
        [turn("assistant", "A"), turn("user", "more?"), turn("assistant", "B")],
        [turn("user", "Hi")],  # one turn, not the assistant's
        [turn("assistant", None)],  # one assistant turn without text
        [],
        None,
    ]
    frame = pl.DataFrame({"__side": sides}, schema={"__side": MESSAGES})
    stored = frame.select(_split_turns(pl.col("__side"), "__side"))
    assert stored.columns == ["__side_reply", "__side_turns"]
    assert stored["__side_reply"].to_list() == ["Sure.", None, None, None, None, None]
    assert stored["__side_turns"][0] is None
    restored = stored.select(_one_or_more("__side").alias("__side"))
    assert_frame_equal(restored, frame)
