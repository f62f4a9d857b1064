"""Code specs: synthetic rows for every Hub config, variants, real HumanEval and MBPP files."""

from __future__ import annotations

import fnmatch
import json
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from crucible_pl._synthetic import GENERATORS
from crucible_pl.registry._spec import DatasetSpec, SyntheticRequest
from crucible_pl.registry.code import DEEPCODER, HUMANEVAL, MBPP, SPECS

HUB = Path(__file__).resolve().parents[3] / "shared" / "hub" / "datasets"
CODE: dict[str, type[pl.DataType]] = {
    "id": pl.String,
    "input": pl.String,
    "expected": pl.String,
    "test": pl.String,
    "entry_point": pl.String,
    "language": pl.String,
}
CANONICAL: dict[str, dict[str, type[pl.DataType]]] = {
    "humaneval": CODE,
    "mbpp": CODE,
    "deepcoder": {**CODE, "starter_code": pl.String},
}

_BY_KEY = {(s.name, f.config, f.split): s for s in SPECS for f in s.hub_files}
CASES = [(spec, config, split) for (_, config, split), spec in _BY_KEY.items()]
IDS = ["-".join(key) for key in _BY_KEY]


def test_specs_have_catalogue_facts() -> None:
    assert [s.name for s in SPECS] == ["humaneval", "mbpp", "deepcoder"]
    for spec in SPECS:
        assert spec.family == "code"
        assert spec.description
        assert spec.license
        assert spec.citation
        assert spec.tags
        assert spec.default_config in spec.configs
        assert set(spec.raw_schema) == set(spec.configs)


@pytest.mark.parametrize("spec", SPECS, ids=[s.name for s in SPECS])
def test_hub_files_match_card_globs(spec: DatasetSpec) -> None:
    assert spec.card_configs is not None
    card = {c["config_name"]: c["data_files"] for c in spec.card_configs}
    assert set(card) == {f.config for f in spec.hub_files} == set(spec.configs)
    for f in spec.hub_files:
        globs = [d["path"] for d in card[f.config] if d["split"] == f.split]
        assert any(fnmatch.fnmatch(f.path, g) for g in globs), f.path


def test_deepcoder_shards_as_in_the_repo_tree() -> None:
    paths = {f.path for f in DEEPCODER.hub_files}
    assert "taco/train-00003-of-00004.parquet" in paths
    assert "lcbv5/train-00010-of-00011.parquet" in paths
    assert "lcbv5/test-00007-of-00008.parquet" in paths
    assert len([p for p in paths if p.startswith("lcbv5/test-")]) == 8


@pytest.mark.parametrize(("spec", "config", "split"), CASES, ids=IDS)
def test_synthetic_rows_normalize_to_canonical(spec: DatasetSpec, config: str, split: str) -> None:
    raw = GENERATORS[spec.name](SyntheticRequest(config, split, 30))
    assert raw.schema == pl.Schema(spec.raw_schema[config])
    assert raw.height == 30
    assert_frame_equal(raw, GENERATORS[spec.name](SyntheticRequest(config, split, 30)))

    out = spec.for_config(config).normalize(raw.lazy(), config=config, split=split).collect()
    assert out.schema == pl.Schema(CANONICAL[spec.name])
    assert out["id"].null_count() == 0
    assert out["id"].n_unique() == 30
    assert out["input"].null_count() == 0
    assert out["test"].null_count() == 0
    assert out["language"].to_list() == ["python"] * 30
    if spec.name != "deepcoder" or config in ("primeintellect", "taco"):
        assert out["expected"].null_count() == 0
    if spec.name != "deepcoder":
        assert out["entry_point"].null_count() == 0
        # the reference solution defines (or continues) the function the tests call
        for row in out.iter_rows(named=True):
            assert row["entry_point"] in row["input"]
            assert row["entry_point"] in row["test"] or "candidate" in row["test"]


def test_humaneval_synthetic_is_shaped_like_the_hub() -> None:
    raw = GENERATORS[HUMANEVAL.name](SyntheticRequest("openai_humaneval", "test", 6))
    assert raw["task_id"].to_list() == [f"HumanEval/{i}" for i in range(6)]
    for row in raw.iter_rows(named=True):
        assert f"def {row['entry_point']}(" in row["prompt"]
        assert "def check(candidate):" in row["test"]
        namespace: dict[str, object] = {}
        exec(row["prompt"] + row["canonical_solution"] + row["test"], namespace)
        check = namespace["check"]
        assert callable(check)
        check(namespace[row["entry_point"]])  # the synthetic tests really pass


def test_mbpp_sanitized_is_a_variant_with_its_own_schema() -> None:
    sanitized = MBPP.for_config("sanitized")
    assert sanitized is not MBPP
    assert sanitized.name == MBPP.name
    assert sanitized.repo == MBPP.repo
    assert MBPP.for_config("full") is MBPP
    assert "prompt" in MBPP.raw_schema["sanitized"]
    assert "text" in MBPP.raw_schema["full"]
    raw = pl.LazyFrame(
        {
            "source_file": ["Benchmark Questions Verification V2.ipynb"],
            "task_id": pl.Series([2], dtype=pl.Int32),
            "prompt": ["Write a function to find the shared elements from the given two lists."],
            "code": ["def similar_elements(a, b):\n  return tuple(set(a) & set(b))"],
            "test_imports": [["import math"]],
            "test_list": [["assert set(similar_elements((3, 4), (4, 5))) == set((4,))"]],
        }
    )
    out = sanitized.normalize(raw, config="sanitized", split="test").collect()
    assert out.row(0, named=True) == {
        "id": "2",
        "input": "You are an expert Python programmer, and here is your task: Write a function "
        "to find the shared elements from the given two lists. Your code should pass these "
        "tests:\n\nassert set(similar_elements((3, 4), (4, 5))) == set((4,))",
        "expected": "def similar_elements(a, b):\n  return tuple(set(a) & set(b))",
        "test": "import math\nassert set(similar_elements((3, 4), (4, 5))) == set((4,))",
        "entry_point": "similar_elements",  # not 'set', which the test calls first
        "language": "python",
    }


def test_mbpp_task_ids_follow_the_paper_split_ranges() -> None:
    raw = GENERATORS[MBPP.name](SyntheticRequest("full", "test", 3))
    assert raw["task_id"].to_list() == [11, 12, 13]
    raw = GENERATORS[MBPP.name](SyntheticRequest("full", "train", 2))
    assert raw["task_id"].to_list() == [601, 602]


def test_deepcoder_defaults_and_entry_points() -> None:
    assert DEEPCODER.default_config == "lcbv5"
    assert "lcbv5" in DEEPCODER.description
    lcb = pl.LazyFrame(
        {
            "problem": ["p1", "p2"],
            "starter_code": ["class Solution:\n    def f(self, x):\n        ", ""],
            "tests": ['[{"input": "1", "output": "2", "testtype": "functional"}]'] * 2,
            "metadata": ['{"func_name": "f"}', "{}"],
        }
    )
    out = DEEPCODER.normalize(lcb, config="lcbv5", split="test").collect()
    assert out["entry_point"].to_list() == ["f", None]
    assert out["starter_code"].to_list() == ["class Solution:\n    def f(self, x):\n        ", None]
    assert out["expected"].to_list() == [None, None]  # lcbv5 ships no solutions

    taco = pl.LazyFrame(
        {
            "problem": ["p"],
            "solutions": [["def g(x):\n    return x\n"]],
            "tests": ['{"inputs": [[1]], "outputs": [1], "fn_name": "g"}'],
        }
    )
    out = DEEPCODER.for_config("taco").normalize(taco, config="taco", split="train").collect()
    assert out.row(0, named=True)["entry_point"] == "g"
    assert out.row(0, named=True)["expected"] == "def g(x):\n    return x\n"


def test_deepcoder_struct_metadata_is_read_too() -> None:
    lf = pl.LazyFrame(
        {
            "problem": ["p"],
            "tests": ["[]"],
            "metadata": [{"func_name": "solve"}],
        }
    )
    out = DEEPCODER.normalize(lf, config="codeforces", split="test").collect()
    assert out["entry_point"].to_list() == ["solve"]


def test_deepcoder_synthetic_tests_are_json() -> None:
    for config in DEEPCODER.configs:
        raw = GENERATORS[DEEPCODER.name](SyntheticRequest(config, "train", 5))
        parsed = [json.loads(t) for t in raw["tests"]]
        assert all(parsed)


# --- real Hub files --------------------------------------------------------------------


def _real(path: str) -> pl.LazyFrame:
    file = HUB / path
    if not file.is_file():
        pytest.skip(f"real Hub file {file} is absent (the shared mirror is not beside the repo)")
    return pl.scan_parquet(file)


@pytest.mark.realdata
def test_real_humaneval() -> None:
    raw = _real("openai/openai_humaneval/openai_humaneval/test-00000-of-00001.parquet")
    assert raw.collect_schema() == pl.Schema(HUMANEVAL.raw_schema["openai_humaneval"])
    out = HUMANEVAL.for_config("openai_humaneval").normalize(
        raw, config="openai_humaneval", split="test"
    )
    df = out.collect()
    assert df.height == 164
    assert df.schema == pl.Schema(CANONICAL["humaneval"])
    assert df["id"].to_list() == [f"HumanEval/{i}" for i in range(164)]
    assert df["expected"].null_count() == 0
    assert all(f"def {e}(" in p for e, p in zip(df["entry_point"], df["input"], strict=True))
    assert df["test"].str.contains("def check(candidate)", literal=True).all()


@pytest.mark.realdata
def test_real_mbpp_full() -> None:
    raw = _real("google-research-datasets/mbpp/full/test-00000-of-00001.parquet")
    assert raw.collect_schema() == pl.Schema(MBPP.raw_schema["full"])
    df = MBPP.for_config("full").normalize(raw, config="full", split="test").collect()
    assert df.height == 500
    assert df.schema == pl.Schema(CANONICAL["mbpp"])
    assert df["id"].to_list() == [str(i) for i in range(11, 511)]
    assert df.null_count().row(0) == (0,) * 6
    first = df.row(0, named=True)
    assert first["entry_point"] == "remove_Occ"
    assert first["test"].startswith('assert remove_Occ("hello","l") == "heo"\n')
    assert first["input"].startswith("You are an expert Python programmer, and here is your task:")
    for row in df.iter_rows(named=True):
        assert f"{row['entry_point']}(" in row["test"]
        assert f"def {row['entry_point']}" in row["expected"]
