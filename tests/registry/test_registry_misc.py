"""Instruction (ifeval) and rubric (feedback_collection) specs on synthetic rows."""

from __future__ import annotations

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from crucible_pl._synthetic import GENERATORS
from crucible_pl.registry import instruction, rubric
from crucible_pl.registry._spec import DatasetSpec, SyntheticRequest
from crucible_pl.registry.instruction import IFEVAL, IFEVAL_KWARGS
from crucible_pl.registry.rubric import FEEDBACK_COLLECTION

SPECS = (*instruction.SPECS, *rubric.SPECS)
CANONICAL: dict[str, dict[str, pl.DataType | type[pl.DataType]]] = {
    "ifeval": {
        "id": pl.String,
        "input": pl.String,
        "expected": pl.Null,
        "instruction_id_list": pl.List(pl.String),
        "kwargs": pl.List(IFEVAL_KWARGS),
    },
    "feedback_collection": {
        "id": pl.String,
        "input": pl.String,
        "expected": pl.String,
        "criteria": pl.String,
        "rubric": pl.Struct({f"score{i}": pl.String for i in range(1, 6)}),
        "response": pl.String,
        "feedback": pl.String,
        "score": pl.Int64,
    },
}


def test_specs_have_catalogue_facts() -> None:
    assert [s.name for s in SPECS] == ["ifeval", "feedback_collection"]
    assert IFEVAL.family == "instruction"
    assert FEEDBACK_COLLECTION.family == "rubric"
    for spec in SPECS:
        assert spec.description
        assert spec.license
        assert spec.citation
        assert spec.tags
        assert spec.configs == ("default",)
        assert spec.default_split == "train"
        assert [(f.config, f.split) for f in spec.hub_files] == [("default", "train")]


def test_hub_layouts() -> None:
    assert [f.path for f in IFEVAL.hub_files] == ["ifeval_input_data.jsonl"]
    assert IFEVAL.card_configs is None
    assert [f.path for f in FEEDBACK_COLLECTION.hub_files] == ["new_feedback_collection.json"]
    assert FEEDBACK_COLLECTION.card_configs == (
        {
            "config_name": "default",
            "data_files": [{"split": "train", "path": "new_feedback_collection.json"}],
        },
    )


@pytest.mark.parametrize("spec", SPECS, ids=[s.name for s in SPECS])
def test_synthetic_rows_normalize_to_canonical(spec: DatasetSpec) -> None:
    raw = GENERATORS[spec.name](SyntheticRequest("default", "train", 50))
    assert raw.schema == pl.Schema(spec.raw_schema["default"])
    assert raw.height == 50
    assert_frame_equal(raw, GENERATORS[spec.name](SyntheticRequest("default", "train", 50)))
    assert not raw.equals(GENERATORS[spec.name](SyntheticRequest("default", "train", 50, seed=3)))

    out = spec.normalize(raw.lazy(), config="default", split="train").collect()
    assert out.schema == pl.Schema(CANONICAL[spec.name])
    assert out["id"].null_count() == 0
    assert out["id"].n_unique() == 50
    assert out["input"].null_count() == 0
    if spec.family == "rubric":
        assert out["expected"].null_count() == 0
        assert out["rubric"].struct.unnest().null_count().row(0) == (0,) * 5
    else:
        assert out["expected"].null_count() == 50


@pytest.mark.parametrize("spec", SPECS, ids=[s.name for s in SPECS])
def test_synthetic_refuses_unknown_config(spec: DatasetSpec) -> None:
    from crucible_pl.errors import ConfigNotFoundError

    with pytest.raises(ConfigNotFoundError, match="Available configs: default"):
        GENERATORS[spec.name](SyntheticRequest("main", "train", 1))


def test_ifeval_kwargs_pair_with_instructions() -> None:
    raw = GENERATORS[IFEVAL.name](SyntheticRequest("default", "train", 30))
    out = IFEVAL.normalize(raw.lazy(), config="default", split="train").collect()
    assert out["id"].to_list() == [str(k) for k in raw["key"]]
    lengths = out.select(
        pl.col("instruction_id_list").list.len().alias("a"), pl.col("kwargs").list.len().alias("b")
    )
    assert (lengths["a"] == lengths["b"]).all()
    for ids, kwargs in zip(out["instruction_id_list"], out["kwargs"], strict=True):
        for iid, kw in zip(ids, kwargs, strict=True):
            if iid == "length_constraints:number_words":
                assert kw["relation"] == "at least"
                assert kw["num_words"] == 300
            if iid == "punctuation:no_comma":
                assert all(v is None for v in kw.values())


def test_feedback_collection_maps_orig_columns() -> None:
    raw = GENERATORS[FEEDBACK_COLLECTION.name](SyntheticRequest("default", "train", 5))
    out = FEEDBACK_COLLECTION.normalize(raw.lazy(), config="default", split="train").collect()
    row, src = out.row(0, named=True), raw.row(0, named=True)
    assert row["id"] == "feedback_collection/default/train/0"
    assert row["input"] == src["orig_instruction"]
    assert row["expected"] == src["orig_reference_answer"]
    assert row["criteria"] == src["orig_criteria"]
    assert row["rubric"] == {f"score{i}": src[f"orig_score{i}_description"] for i in range(1, 6)}
    assert row["score"] == int(src["orig_score"])
    assert src["output"].endswith(f"[RESULT] {src['orig_score']}")
    assert src["orig_instruction"] in src["instruction"]


def test_feedback_collection_score_tolerates_blanks() -> None:
    raw = GENERATORS[FEEDBACK_COLLECTION.name](SyntheticRequest("default", "train", 3))
    raw = raw.with_columns(pl.Series("orig_score", [" 4 ", "", "5"]))
    out = FEEDBACK_COLLECTION.normalize(raw.lazy(), config="default", split="train").collect()
    assert out["score"].to_list() == [4, None, 5]
