"""Multiple-choice specs: synthetic rows -> normalize -> canonical columns; real Hub data."""

from __future__ import annotations

import fnmatch
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from crucible_pl._synthetic import GENERATORS
from crucible_pl.errors import ConfigNotFoundError
from crucible_pl.registry._choices import UNROLLED_CHOICES, position_of
from crucible_pl.registry._mmlu_subjects import (
    MMLU_STEM_SUBJECTS,
    MMLU_SUBJECT_CATEGORIES,
    MMLU_SUBJECTS,
)
from crucible_pl.registry._spec import DatasetSpec, SyntheticRequest
from crucible_pl.registry.multiple_choice import (
    ARC,
    BOOLQ,
    GPQA,
    HELLASWAG,
    MMLU,
    MMLU_PRO,
    MMLU_STEM,
    SPECS,
    TRUTHFULQA,
    WINOGRANDE,
)
from crucible_pl.testing import LocalHub

SHARED_HUB = Path(__file__).resolve().parents[3] / "shared" / "hub" / "datasets"

DTypes = dict[str, pl.DataType | type[pl.DataType]]

MC_SCHEMA: DTypes = {
    "id": pl.String,
    "input": pl.String,
    "expected": pl.Int64,
    "choices": pl.List(pl.String),
}
GENERATION_SCHEMA: DTypes = {
    "id": pl.String,
    "input": pl.String,
    "expected": pl.String,
    "correct_answers": pl.List(pl.String),
    "incorrect_answers": pl.List(pl.String),
}
WITH_SUBJECT = {"mmlu", "mmlu_stem", "mmlu_pro", "gpqa"}
UNLABELED = {("hellaswag", "test"), ("winogrande", "test")}

# Every config kind: one subject and `all` for MMLU, both ARC sets, both TruthfulQA configs...
CONFIGS = [
    (MMLU, "all"),
    (MMLU, "astronomy"),
    (MMLU_STEM, "default"),
    (MMLU_PRO, "default"),
    (ARC, "ARC-Challenge"),
    (ARC, "ARC-Easy"),
    (HELLASWAG, "default"),
    (TRUTHFULQA, "multiple_choice"),
    (TRUTHFULQA, "generation"),
    (WINOGRANDE, "winogrande_xl"),
    (WINOGRANDE, "winogrande_debiased"),
    (BOOLQ, "default"),
    (GPQA, "gpqa_main"),
    (GPQA, "gpqa_diamond"),
]
CASES = [
    pytest.param(spec, config, split, id=f"{spec.name}-{config}-{split}")
    for spec, config in CONFIGS
    for split in sorted(
        {f.split for f in spec.hub_files if f.config in spec.source_configs(config)}
    )
]


def synthetic_lazy(
    spec: DatasetSpec, config: str, split: str, n: int, seed: int = 0
) -> pl.LazyFrame:
    """Raw synthetic rows as the loader hands them over: ``__row`` per Hub config, and
    ``__config`` per row when the config unions several Hub configs."""
    sub = spec.for_config(config)
    hub_configs = spec.source_configs(config)
    pieces = []
    for hub_config in hub_configs:
        df = GENERATORS[sub.name](SyntheticRequest(hub_config, split, n, seed))
        lf = df.lazy().with_row_index("__row").with_columns(pl.col("__row").cast(pl.Int64))
        if len(hub_configs) > 1:
            lf = lf.with_columns(pl.lit(hub_config, pl.String).alias("__config"))
        pieces.append(lf)
    return pl.concat(pieces)


def normalize(
    spec: DatasetSpec, raw: pl.DataFrame | pl.LazyFrame, config: str, split: str
) -> pl.DataFrame:
    return spec.for_config(config).normalize(raw.lazy(), config=config, split=split).collect()


def canonical_schema(spec: DatasetSpec, config: str) -> pl.Schema:
    if spec.for_config(config).family == "generation":
        return pl.Schema(GENERATION_SCHEMA)
    extra: DTypes = {"subject": pl.String} if spec.name in WITH_SUBJECT else {}
    if spec.name == "hellaswag":  # activity_label, and the context's parts for prompts
        extra = {"subject": pl.String, "ctx_a": pl.String, "ctx_b": pl.String}
    return pl.Schema({**MC_SCHEMA, **extra})


# --------------------------------------------------------------------------------------
# Every spec and config kind, on synthetic rows
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("spec", "config", "split"), CASES)
def test_synthetic_rows_have_the_raw_schema_and_are_deterministic(
    spec: DatasetSpec, config: str, split: str
) -> None:
    sub = spec.for_config(config)
    for hub_config in spec.source_configs(config)[:3]:
        req = SyntheticRequest(hub_config, split, 25, seed=7)
        df = GENERATORS[sub.name](req)
        assert df.schema == pl.Schema(sub.raw_schema[hub_config])
        assert df.height == 25
        assert_frame_equal(df, GENERATORS[sub.name](req))
        other_seed = GENERATORS[sub.name](SyntheticRequest(hub_config, split, 25, seed=8))
        assert not df.equals(other_seed)


@pytest.mark.parametrize(("spec", "config", "split"), CASES)
def test_normalize_gives_the_canonical_columns(spec: DatasetSpec, config: str, split: str) -> None:
    n = 40
    out = normalize(spec, synthetic_lazy(spec, config, split, n), config, split)

    assert out.schema == canonical_schema(spec, config)
    assert out.height == n * len(spec.source_configs(config))
    assert out["id"].null_count() == 0
    assert out["id"].n_unique() == out.height
    assert out["input"].null_count() == 0
    if spec.for_config(config).family == "generation":
        assert out["expected"].null_count() == 0
        return
    in_range = out.select(
        ok=pl.col("expected").is_null()
        | ((pl.col("expected") >= 0) & (pl.col("expected") < pl.col("choices").list.len()))
    )
    assert in_range["ok"].all()
    labeled = out["expected"].null_count() == 0
    assert labeled == ((spec.name, split) not in UNLABELED)
    if spec.name in WITH_SUBJECT:
        assert out["subject"].null_count() == 0


def test_normalize_is_lazy_and_keeps_ids_stable_under_slicing() -> None:
    lf = synthetic_lazy(ARC, "ARC-Easy", "test", 30)
    full = normalize(ARC, lf, "ARC-Easy", "test")
    sliced = normalize(ARC, lf.slice(10, 5), "ARC-Easy", "test")
    assert_frame_equal(sliced, full.slice(10, 5))
    hs = synthetic_lazy(HELLASWAG, "default", "validation", 30)
    assert normalize(HELLASWAG, hs.slice(10, 5), "default", "validation")["id"].to_list() == [
        f"hellaswag/default/validation/{i}" for i in range(10, 15)
    ]


# --------------------------------------------------------------------------------------
# Catalogue facts and Hub layout
# --------------------------------------------------------------------------------------


def all_specs_and_variants() -> list[DatasetSpec]:
    return [*SPECS, *(v for s in SPECS for v in s.variants.values())]


@pytest.mark.parametrize("spec", all_specs_and_variants(), ids=lambda s: f"{s.name}-{s.family}")
def test_catalogue_fields_are_filled(spec: DatasetSpec) -> None:
    for text in (spec.description, spec.license, spec.domain, spec.task_type, spec.citation):
        assert text.strip()
    assert spec.citation.count(",") >= 2  # "Author et al., Year, Title"
    assert spec.tags
    assert spec.default_config in spec.configs
    assert spec.version >= 1
    for config in spec.configs:
        hub_configs = spec.source_configs(config)
        for hub_config in hub_configs:
            assert hub_config in spec.raw_schema
        splits = {f.split for f in spec.hub_files if f.config in hub_configs}
        assert splits, config
    default_splits = {
        f.split for f in spec.hub_files if f.config in spec.source_configs(spec.default_config)
    }
    assert spec.default_split in default_splits
    paths = [(f.revision, f.path) for f in spec.hub_files]
    assert len(paths) == len(set(paths))


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_hub_files_match_the_card_configs(spec: DatasetSpec) -> None:
    if spec.card_configs is None:
        return
    names = [c["config_name"] for c in spec.card_configs]
    assert len(names) == len(set(names))
    by_name = {c["config_name"]: c for c in spec.card_configs}
    for f in spec.hub_files:
        data_files = by_name[f.config]["data_files"]
        if isinstance(data_files, str):
            assert f.path == data_files
        else:
            patterns = [d["path"] for d in data_files if d["split"] == f.split]
            assert any(fnmatch.fnmatch(f.path, p) for p in patterns), (f, patterns)


def test_mmlu_layout() -> None:
    assert len(MMLU_SUBJECTS) == 57 == len(set(MMLU_SUBJECTS))
    assert set(MMLU_SUBJECT_CATEGORIES.values()) == {
        "stem",
        "humanities",
        "social_sciences",
        "other",
    }
    assert set(MMLU_STEM_SUBJECTS) <= set(MMLU_SUBJECTS)
    assert len(MMLU_STEM_SUBJECTS) == 19
    assert {"anatomy", "machine_learning", "high_school_statistics"} <= set(MMLU_STEM_SUBJECTS)
    assert "college_medicine" not in MMLU_STEM_SUBJECTS

    assert MMLU.default_config == "all"
    assert set(MMLU.configs) == {"all", "auxiliary_train", *MMLU_SUBJECTS}
    assert len(MMLU.hub_files) == 57 * 3 + 4 + 1
    hub_files = {(f.path, f.config, f.split) for f in MMLU.hub_files}
    assert ("all/auxiliary_train-00000-of-00001.parquet", "all", "auxiliary_train") in hub_files
    assert "astronomy/dev-00000-of-00001.parquet" in {f.path for f in MMLU.hub_files}
    assert MMLU.raw_schema["astronomy"]["answer"] == pl.Int64
    assert MMLU.card_configs is not None
    card_names = {c["config_name"] for c in MMLU.card_configs}
    assert card_names == {"all", "auxiliary_train", *MMLU_SUBJECTS}

    assert MMLU_STEM.hub_configs == {"default": MMLU_STEM_SUBJECTS}
    assert {f.config for f in MMLU_STEM.hub_files} == set(MMLU_STEM_SUBJECTS)
    assert "19" in MMLU_STEM.description
    assert "lm-evaluation-harness" in MMLU_STEM.description


def test_layout_of_the_other_repos() -> None:
    assert HELLASWAG.card_configs is None
    assert {(f.path, f.revision) for f in HELLASWAG.hub_files} == {
        (f"default/{s}/0000.parquet", "refs/convert/parquet")
        for s in ("train", "validation", "test")
    }
    assert GPQA.gated
    assert {f.path for f in GPQA.hub_files} == {
        "gpqa_main.csv",
        "gpqa_diamond.csv",
        "gpqa_extended.csv",
        "gpqa_experts.csv",
    }
    assert all(f.split == "train" for f in GPQA.hub_files)
    assert {f.path for f in MMLU_PRO.hub_files} == {
        "data/test-00000-of-00001.parquet",
        "data/validation-00000-of-00001.parquet",
    }
    assert {f.config for f in MMLU_PRO.hub_files} == {"default"}
    assert WINOGRANDE.default_config == "winogrande_xl"
    assert len(WINOGRANDE.hub_files) == 6 * 3
    generation = TRUTHFULQA.for_config("generation")
    assert generation.family == "generation"
    assert (generation.name, generation.repo) == (TRUTHFULQA.name, TRUTHFULQA.repo)
    assert TRUTHFULQA.for_config("multiple_choice") is TRUTHFULQA


def test_synthetic_rejects_an_unknown_config() -> None:
    with pytest.raises(ConfigNotFoundError, match="astronomyy") as err:
        GENERATORS[MMLU.name](SyntheticRequest("astronomyy", "test", 3))
    assert "abstract_algebra" in str(err.value)


# --------------------------------------------------------------------------------------
# Hard cases
# --------------------------------------------------------------------------------------


def arc_raw(rows: list[tuple[str, list[str], list[str], str]]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "id": [r[0] for r in rows],
            "question": [f"Question {r[0]}?" for r in rows],
            "choices": [{"text": r[1], "label": r[2]} for r in rows],
            "answerKey": [r[3] for r in rows],
        },
        schema=dict(ARC.raw_schema["ARC-Challenge"]),
    )


def test_arc_answer_keys_letters_and_digits() -> None:
    raw = arc_raw(
        [
            ("a", ["w", "x", "y", "z"], ["A", "B", "C", "D"], "A"),
            ("b", ["w", "x", "y", "z"], ["A", "B", "C", "D"], "D"),
            ("c", ["w", "x", "y", "z"], ["1", "2", "3", "4"], "1"),
            ("d", ["w", "x", "y", "z"], ["1", "2", "3", "4"], "3"),
            ("e", ["w", "x", "y"], ["A", "B", "C"], "C"),
            ("f", ["v", "w", "x", "y", "z"], ["A", "B", "C", "D", "E"], "E"),
            ("g", ["v", "w", "x", "y", "z"], ["1", "2", "3", "4", "5"], "5"),
        ]
    )
    out = normalize(ARC, raw, "ARC-Challenge", "test")
    assert out["expected"].to_list() == [0, 3, 0, 2, 2, 4, 4]
    assert out["id"].to_list() == list("abcdefg")
    assert out["choices"][5].to_list() == ["v", "w", "x", "y", "z"]


def test_arc_synthetic_has_both_key_styles() -> None:
    raw = GENERATORS[ARC.name](SyntheticRequest("ARC-Easy", "train", 60))
    keys = set(raw["answerKey"])
    assert keys & {"1", "2", "3", "4", "5"}
    assert keys & {"A", "B", "C", "D", "E"}
    assert set(raw["choices"].struct.field("label").list.len()) >= {3, 4, 5}


def test_hellaswag_empty_label_is_null() -> None:
    raw = GENERATORS[HELLASWAG.name](SyntheticRequest("default", "validation", 4))
    raw = raw.with_columns(label=pl.Series(["0", "3", "", "2"]))
    out = normalize(HELLASWAG, raw, "default", "validation")
    assert out["expected"].to_list() == [0, 3, None, 2]
    assert out["input"].to_list() == raw["ctx"].to_list()
    test_raw = GENERATORS[HELLASWAG.name](SyntheticRequest("default", "test", 10))
    assert set(test_raw["label"]) == {""}
    assert normalize(HELLASWAG, test_raw, "default", "test")["expected"].null_count() == 10


def test_truthfulqa_mc1_label_at_a_nonzero_position() -> None:
    targets = [
        {"choices": ["a", "b", "c", "d"], "labels": [0, 0, 1, 0]},
        {"choices": ["a", "b"], "labels": [1, 0]},
        {"choices": ["a", "b", "c", "d", "e"], "labels": [0, 0, 0, 0, 1]},
    ]
    raw = pl.DataFrame(
        {"question": ["q1", "q2", "q3"], "mc1_targets": targets, "mc2_targets": targets},
        schema=dict(TRUTHFULQA.raw_schema["multiple_choice"]),
    )
    out = normalize(TRUTHFULQA, raw, "multiple_choice", "validation")
    assert out["expected"].to_list() == [2, 0, 4]
    assert out["choices"].to_list() == [t["choices"] for t in targets]


def test_truthfulqa_generation_drops_empty_answers() -> None:
    raw = pl.DataFrame(
        {
            "type": ["Adversarial"],
            "category": ["Misconceptions"],
            "question": ["Why do veins appear blue?"],
            "best_answer": ["Because of how light scatters"],
            "correct_answers": [["Because of how light scatters", " Light scattering ", ""]],
            "incorrect_answers": [["Deoxygenated blood is blue", ""]],
            "source": ["https://en.wikipedia.org/wiki/Vein"],
        },
        schema=dict(TRUTHFULQA.raw_schema["generation"]),
    )
    out = normalize(TRUTHFULQA, raw, "generation", "validation")
    assert out.row(0, named=True) == {
        "id": "truthfulqa/generation/validation/0",
        "input": "Why do veins appear blue?",
        "expected": "Because of how light scatters",
        "correct_answers": ["Because of how light scatters", "Light scattering"],
        "incorrect_answers": ["Deoxygenated blood is blue"],
    }


def test_winogrande_answers() -> None:
    raw = pl.DataFrame(
        {
            "sentence": ["A _ x", "B _ y", "C _ z"],
            "option1": ["Ann", "Bob", "Cy"],
            "option2": ["Dee", "Eve", "Flo"],
            "answer": ["1", "2", ""],
        }
    )
    out = normalize(WINOGRANDE, raw, "winogrande_xl", "validation")
    assert out["expected"].to_list() == [0, 1, None]
    assert out["choices"].to_list() == [["Ann", "Dee"], ["Bob", "Eve"], ["Cy", "Flo"]]
    assert out["input"].to_list() == ["A _ x", "B _ y", "C _ z"]


def test_boolq_input_format_and_choices() -> None:
    raw = pl.DataFrame(
        {"question": ["is it wet", "is it dry"], "answer": [True, False], "passage": ["P1", "P2"]}
    )
    out = normalize(BOOLQ, raw, "default", "validation")
    assert out["input"].to_list() == ["P1\nQuestion: is it wet?", "P2\nQuestion: is it dry?"]
    assert out["expected"].to_list() == [1, 0]
    assert out["choices"].to_list() == [["no", "yes"], ["no", "yes"]]


def test_mmlu_pro_ids_and_option_counts() -> None:
    lf = synthetic_lazy(MMLU_PRO, "default", "test", 80)
    raw = lf.collect()
    out = normalize(MMLU_PRO, lf, "default", "test")
    assert out["id"].to_list() == [str(i) for i in raw["question_id"]]
    assert out["expected"].to_list() == raw["answer_index"].to_list()
    assert out["subject"].to_list() == raw["category"].to_list()
    lengths = set(out["choices"].list.len())
    assert min(lengths) >= 3
    assert max(lengths) == 10


def test_mmlu_stem_rows_keep_their_hub_config() -> None:
    out = normalize(MMLU_STEM, synthetic_lazy(MMLU_STEM, "default", "dev", 5), "default", "dev")
    assert out.height == 5 * 19
    assert set(out["subject"]) == set(MMLU_STEM_SUBJECTS)
    assert out["id"][0] == f"mmlu_stem/{MMLU_STEM_SUBJECTS[0]}/dev/0"
    prefixes = out.select(pl.col("id").str.split("/").list.get(1))["id"]
    assert prefixes.to_list() == out["subject"].to_list()


def gpqa_position(record_id: str) -> int:
    """The GPQA answer position, recomputed in plain Python from the documented hash."""
    data = ("crucible-pl/gpqa/v1:" + record_id).encode()
    h = sum((b + 1) * ((i + 1) * 2654435761 % 2**32) for i, b in enumerate(data))
    return (h % 2**32) * 668265261 % 2**32 // 2**16 % 4


def test_gpqa_answer_position_is_spread_stable_and_documented() -> None:
    raw = GENERATORS[GPQA.name](SyntheticRequest("gpqa_main", "train", 200))
    out = normalize(GPQA, raw, "gpqa_main", "train")

    counts = out["expected"].value_counts()
    assert set(counts["expected"]) == {0, 1, 2, 3}
    assert (counts["count"] >= 25).all()
    # Same mapping on a re-run (fresh generation, fresh plan).
    rerun = normalize(
        GPQA,
        GENERATORS[GPQA.name](SyntheticRequest("gpqa_main", "train", 200)),
        "gpqa_main",
        "train",
    )
    assert_frame_equal(out, rerun)
    # Independent of Polars' own hashing: the same arithmetic in Python agrees.
    assert out["expected"].to_list() == [gpqa_position(r) for r in raw["Record ID"]]
    assert out["id"].to_list() == raw["Record ID"].to_list()
    for row, choices, expected in zip(
        raw.iter_rows(named=True), out["choices"], out["expected"], strict=True
    ):
        choices = choices.to_list()
        assert choices[expected] == row["Correct Answer"].strip()
        wrong = [row[f"Incorrect Answer {k}"].strip() for k in (1, 2, 3)]
        assert [c for i, c in enumerate(choices) if i != expected] == wrong


def test_gpqa_position_pinned_values() -> None:
    ids = ["recA1b2C3d4E5f6G7", "rec00000000000000", "recZZZZZZZZZZZZZZ", "rec0123456789abcd"]
    raw = pl.DataFrame(
        {
            **{c: ["x"] * len(ids) for c in GPQA.raw_schema["gpqa_main"] if c != "Record ID"},
            "Record ID": ids,
        }
    ).select(list(GPQA.raw_schema["gpqa_main"]))
    out = normalize(GPQA, raw, "gpqa_main", "train")
    assert out["expected"].to_list() == [gpqa_position(i) for i in ids]
    assert out["subject"].to_list() == ["x"] * len(ids)


# --------------------------------------------------------------------------------------
# Real Hub data in ../shared/hub
# --------------------------------------------------------------------------------------


def real_file(relative: str) -> Path:
    path = SHARED_HUB / relative
    if not path.is_file():
        pytest.skip(f"real Hub data not found at {path} (../shared/hub is absent beside the repo)")
    return path


@pytest.mark.realdata
def test_real_mmlu_astronomy_test() -> None:
    path = real_file("cais/mmlu/astronomy/test-00000-of-00001.parquet")
    out = normalize(MMLU, pl.scan_parquet(path), "astronomy", "test")
    raw = pl.read_parquet(path)
    assert out.height == 152
    assert out.schema == canonical_schema(MMLU, "astronomy")
    assert out["expected"].to_list() == raw["answer"].to_list()
    assert out["choices"].to_list() == raw["choices"].to_list()
    assert set(out["subject"]) == {"astronomy"}
    assert out["id"].n_unique() == 152


@pytest.mark.realdata
def test_real_arc_challenge_test() -> None:
    path = real_file("allenai/ai2_arc/ARC-Challenge/test-00000-of-00001.parquet")
    out = normalize(ARC, pl.scan_parquet(path), "ARC-Challenge", "test")
    raw = pl.read_parquet(path).to_dicts()
    assert out.height == 1172
    want = [r["choices"]["label"].index(r["answerKey"]) for r in raw]
    assert out["expected"].to_list() == want
    assert out["choices"].to_list() == [r["choices"]["text"] for r in raw]
    assert out["id"].to_list() == [r["id"] for r in raw]
    assert any(r["answerKey"].isdigit() for r in raw)  # the digit keys are exercised


@pytest.mark.realdata
def test_real_boolq_validation() -> None:
    path = real_file("google/boolq/data/validation-00000-of-00001.parquet")
    out = normalize(BOOLQ, pl.scan_parquet(path), "default", "validation")
    raw = pl.read_parquet(path)
    assert out.height == 3270
    assert out.schema == canonical_schema(BOOLQ, "default")
    assert out["expected"].to_list() == [int(a) for a in raw["answer"]]
    first = raw.row(0, named=True)
    assert out["input"][0] == f"{first['passage']}\nQuestion: {first['question']}?"


@pytest.mark.realdata
def test_real_truthfulqa_generation() -> None:
    path = real_file("truthfulqa/truthful_qa/generation/validation-00000-of-00001.parquet")
    out = normalize(TRUTHFULQA, pl.scan_parquet(path), "generation", "validation")
    raw = pl.read_parquet(path)
    assert out.height == 817
    assert out.schema == canonical_schema(TRUTHFULQA, "generation")
    assert out["expected"].to_list() == raw["best_answer"].to_list()
    assert out["input"].to_list() == raw["question"].to_list()
    assert not out["correct_answers"].list.contains("").any()
    assert (out["correct_answers"].list.len() >= 1).all()


def test_gpqa_tolerates_numeric_columns_from_csv_inference() -> None:
    """A CSV -> Parquet conversion may read an all-numeric answer column as Int64."""
    raw = pl.DataFrame(
        {
            "Question": ["How many protons does carbon have? "],
            "Correct Answer": [6],
            "Incorrect Answer 1": [12],
            "Incorrect Answer 2": [14],
            "Incorrect Answer 3": [8],
            "Explanation": ["Carbon is element 6."],
            "Subdomain": ["Chemistry (general)"],
            "High-level domain": ["Chemistry"],
            "Record ID": ["recQ1w2E3r4T5y6U7"],
        }
    )
    out = normalize(GPQA, raw, "gpqa_main", "train")
    position = gpqa_position("recQ1w2E3r4T5y6U7")
    want = ["12", "14", "8"]
    want.insert(position, "6")
    assert out.row(0, named=True) == {
        "id": "recQ1w2E3r4T5y6U7",
        "input": "How many protons does carbon have?",
        "expected": position,
        "choices": want,
        "subject": "Chemistry (general)",
    }


# --------------------------------------------------------------------------------------
# position_of: the unrolled fast path and its exact fallback
# --------------------------------------------------------------------------------------


def _py_position(needle: str | None, haystack: list[str | None] | None) -> int | None:
    """Reference: first index of ``needle`` (a null needle finds a null element)."""
    if haystack is None or needle not in haystack:
        return None
    return haystack.index(needle)


@pytest.mark.parametrize("unrolled", [0, 1, 5, UNROLLED_CHOICES])
def test_position_of_matches_python_past_the_unrolled_bound(unrolled: int) -> None:
    long: list[str | None] = [str(i) for i in range(UNROLLED_CHOICES + 12)]
    cases: list[tuple[str | None, list[str | None] | None]] = [
        ("A", ["A", "B"]),
        ("B", ["A", "B", "B"]),  # the first of duplicates
        ("Z", ["A", "B"]),  # absent
        ("A", []),
        ("A", None),
        (None, ["A", None, "B"]),  # a null needle finds the null element
        (None, ["A", "B"]),
        ("A", ["A", None]),
        (str(UNROLLED_CHOICES - 1), long),  # last unrolled place
        (str(UNROLLED_CHOICES), long),  # first place past the bound
        (str(UNROLLED_CHOICES + 11), long),
        ("x", long),
        (None, [*long, None]),
    ]
    needles, haystacks = zip(*cases, strict=True)
    frame = pl.DataFrame(
        {"n": list(needles), "h": list(haystacks)},
        schema={"n": pl.String, "h": pl.List(pl.String)},
    )
    out = frame.select(position_of(pl.col("n"), pl.col("h"), unrolled=unrolled))
    assert out.schema == pl.Schema({"n": pl.Int64})
    assert out["n"].to_list() == [_py_position(n, h) for n, h in cases]


def test_position_of_on_integer_labels_of_any_length() -> None:
    labels = [[0] * k + [1] + [0] * 3 for k in range(20)] + [[0, 0], [], [None, 1]]
    frame = pl.DataFrame({"labels": labels}, schema={"labels": pl.List(pl.Int32)})
    out = frame.select(position_of(pl.lit(1, pl.Int32), pl.col("labels"))).to_series()
    assert out.to_list() == [*range(20), None, None, 1]


def test_mmlu_auxiliary_train_config_unnests_its_train_struct(
    make_hub: Callable[..., LocalHub],
) -> None:
    """Issue 14: the `auxiliary_train` config nests every row in one struct column `train`
    (the card's dataset_info); its one split is `train`, and `subject` is empty."""
    from crucible_pl import load_lazy
    from crucible_pl.testing import write_spec_repo

    hub = make_hub()
    write_spec_repo(hub.root, MMLU, rows=12)
    raw = load_lazy("mmlu", config="auxiliary_train", raw=True).collect()
    assert raw.columns == ["train"]
    assert raw.schema["train"] == pl.Struct(MMLU.raw_schema["all"])

    frame = load_lazy("mmlu", config="auxiliary_train").collect()  # default split: train
    assert frame.schema == pl.Schema({**MC_SCHEMA, "subject": pl.String})
    assert frame.height == 12
    flat = raw.unnest("train")
    assert frame["input"].to_list() == flat["question"].to_list()
    assert frame["expected"].to_list() == flat["answer"].to_list()
    assert frame["choices"].to_list() == flat["choices"].to_list()
    assert set(frame["subject"]) == {""}
    assert frame["id"][0] == "mmlu/auxiliary_train/train/0"
    # The `all` config's auxiliary_train split stays flat.
    assert load_lazy("mmlu", "auxiliary_train", config="all").collect().height == 12
