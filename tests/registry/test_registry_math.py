"""Math specs and the answer extractors: synthetic rows, hard cases, real GSM8K files."""

from __future__ import annotations

import fnmatch
import random
import re
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal, assert_series_equal

from crucible_pl._synthetic import GENERATORS
from crucible_pl.registry._extract import BOXED_REGEX_DEPTH, gsm8k_answer, last_boxed
from crucible_pl.registry._spec import DatasetSpec, SyntheticRequest
from crucible_pl.registry.math import (
    DEEPMATH,
    GSM8K,
    HENDRYCKS_MATH,
    MATH_500,
    MATH_SUBJECTS,
    POLARIS,
    SPECS,
)

HUB = Path(__file__).resolve().parents[3] / "shared" / "hub" / "datasets"
S, INT, F = pl.String, pl.Int64, pl.Float64
CANONICAL: dict[str, dict[str, type[pl.DataType]]] = {
    "gsm8k": {"id": S, "input": S, "expected": S, "solution": S},
    "math_500": {"id": S, "input": S, "expected": S, "solution": S, "level": INT, "subject": S},
    "hendrycks_math": {
        "id": S,
        "input": S,
        "expected": S,
        "solution": S,
        "level": INT,
        "subject": S,
    },
    "deepmath": {
        "id": S,
        "input": S,
        "expected": S,
        "solution": S,
        "subject": S,
        "difficulty": F,
    },
    "polaris": {"id": S, "input": S, "expected": S, "pass_rate": F},
}


def _hub_cases(specs: tuple[DatasetSpec, ...]) -> list[tuple[DatasetSpec, str, str]]:
    """(spec, Hub config, split) for every config/split the spec's Hub files hold."""
    pairs = dict.fromkeys((f.config, f.split) for s in specs for f in s.hub_files)
    by_pair = {(f.config, f.split): s for s in specs for f in s.hub_files}
    return [(by_pair[p], *p) for p in pairs]


CASES = _hub_cases(SPECS)
IDS = [f"{s.name}-{c}-{sp}" for s, c, sp in CASES]


def test_specs_registered_once_with_catalogue_facts() -> None:
    assert [s.name for s in SPECS] == ["gsm8k", "math_500", "hendrycks_math", "deepmath", "polaris"]
    for spec in SPECS:
        assert spec.family == "math"
        assert spec.description
        assert spec.license
        assert spec.citation
        assert spec.tags
        assert spec.domain == "math"
        assert spec.default_config in spec.configs
        # every user config maps onto Hub configs whose raw schema we know
        for config in spec.configs:
            assert set(spec.source_configs(config)) <= set(spec.raw_schema)


@pytest.mark.parametrize("spec", SPECS, ids=[s.name for s in SPECS])
def test_hub_files_match_card_globs(spec: DatasetSpec) -> None:
    assert spec.hub_files
    for f in spec.hub_files:
        assert f.config in spec.raw_schema
        assert f.revision == "main"
    if spec.card_configs is None:
        return
    card = {c["config_name"]: c["data_files"] for c in spec.card_configs}
    assert set(card) == {f.config for f in spec.hub_files}
    for f in spec.hub_files:
        globs = [d["path"] for d in card[f.config] if d["split"] == f.split]
        assert any(fnmatch.fnmatch(f.path, g) for g in globs), f.path


@pytest.mark.parametrize(("spec", "config", "split"), CASES, ids=IDS)
def test_synthetic_rows_normalize_to_canonical(spec: DatasetSpec, config: str, split: str) -> None:
    raw = GENERATORS[spec.name](SyntheticRequest(config, split, 40))
    assert raw.schema == pl.Schema(spec.raw_schema[config])
    assert raw.height == 40
    assert_frame_equal(raw, GENERATORS[spec.name](SyntheticRequest(config, split, 40)))
    assert not raw.equals(GENERATORS[spec.name](SyntheticRequest(config, split, 40, seed=1)))

    out = spec.for_config(config).normalize(raw.lazy(), config=config, split=split).collect()
    assert out.schema == pl.Schema(CANONICAL[spec.name])
    assert out["id"].null_count() == 0
    assert out["id"].n_unique() == out.height
    assert out["input"].null_count() == 0
    assert out["expected"].null_count() == 0
    assert (out["expected"].str.len_chars() > 0).all()


def test_synthetic_zero_rows_keep_schema() -> None:
    raw = GENERATORS[GSM8K.name](SyntheticRequest("main", "test", 0))
    assert raw.height == 0
    assert raw.schema == pl.Schema(GSM8K.raw_schema["main"])


def test_gsm8k_synthetic_answers_cover_hard_formats() -> None:
    raw = GENERATORS[GSM8K.name](SyntheticRequest("main", "train", 200))
    finals = raw["answer"].str.extract(r"#### (.*)$").to_list()
    assert any("," in a for a in finals)
    assert any(a.startswith("-") for a in finals)
    assert any("." in a for a in finals)
    assert any(a.startswith("$") for a in finals)
    socratic = GENERATORS[GSM8K.name](SyntheticRequest("socratic", "train", 5))
    assert socratic["answer"].str.contains(r"\? \*\* ").all()


def test_hendrycks_all_is_the_union_of_subjects() -> None:
    assert HENDRYCKS_MATH.default_config == "all"
    assert HENDRYCKS_MATH.source_configs("all") == tuple(MATH_SUBJECTS)
    assert HENDRYCKS_MATH.source_configs("geometry") == ("geometry",)
    assert HENDRYCKS_MATH.card_configs is not None
    assert "all" not in {c["config_name"] for c in HENDRYCKS_MATH.card_configs}


def test_hendrycks_rows_carry_their_hub_config_in_the_id() -> None:
    frames = [
        GENERATORS[HENDRYCKS_MATH.name](SyntheticRequest(c, "test", 3))
        .with_columns(pl.lit(c).alias("__config"))
        .with_row_index("__row")
        .with_columns(pl.col("__row").cast(pl.Int64))
        for c in ("algebra", "geometry")
    ]
    union = pl.concat(frames).lazy()
    out = HENDRYCKS_MATH.normalize(union, config="all", split="test").collect()
    assert out["id"].to_list()[:2] == [
        "hendrycks_math/algebra/test/0",
        "hendrycks_math/algebra/test/1",
    ]
    assert out["id"].n_unique() == 6
    assert set(out["subject"]) == {"Algebra", "Geometry"}


def test_level_parsed_consistently() -> None:
    raw = pl.LazyFrame(
        {
            "problem": ["p"] * 3,
            "level": ["Level 3", "Level ?", "Level 5"],
            "type": ["Algebra"] * 3,
            "solution": [r"\boxed{1}"] * 3,
        }
    )
    out = HENDRYCKS_MATH.normalize(raw, config="algebra", split="test").collect()
    assert_series_equal(out["level"], pl.Series("level", [3, None, 5], pl.Int64))


def test_math_500_uses_its_own_answer_and_id() -> None:
    raw = GENERATORS[MATH_500.name](SyntheticRequest("default", "test", 20))
    out = MATH_500.normalize(raw.lazy(), config="default", split="test").collect()
    assert out["id"].to_list() == raw["unique_id"].to_list()
    assert out["expected"].to_list() == raw["answer"].to_list()
    # the answer column agrees with the last box of the solution, as on the Hub
    assert_series_equal(
        raw.select(last_boxed("solution"))["solution"], raw["answer"], check_names=False
    )


def test_polaris_pass_rate() -> None:
    raw = pl.LazyFrame(
        {"problem": ["p"] * 4, "answer": ["1"] * 4, "difficulty": ["0/8", "7/8", " 4/8 ", "x"]}
    )
    out = POLARIS.normalize(raw, config="default", split="train").collect()
    assert out["pass_rate"].to_list() == [0.0, 0.875, 0.5, None]


def test_deepmath_shards_follow_hub_naming() -> None:
    paths = [f.path for f in DEEPMATH.hub_files]
    assert paths[0] == "data/train-00000-of-00010.parquet"
    assert all(fnmatch.fnmatch(p, "data/train-*") for p in paths)


# --- extractors: hand-written hard cases ----------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("6 * 3 = <<6*3=18>>18\n#### 18", "18"),
        ("#### 1,234", "1234"),
        ("#### 1,450,000", "1450000"),
        ("#### $5", "5"),
        ("#### -3", "-3"),
        ("#### 2.5", "2.5"),
        ("####   42   ", "42"),
        ("#### 7\n", "7"),
        ("first #### 1 then #### 2", "2"),
        ("####-$1,000.50", "-1000.50"),
        ("no marker at all", None),
        ("", None),
        (None, None),
    ],
)
def test_gsm8k_answer_cases(text: str | None, expected: str | None) -> None:
    out = pl.DataFrame({"a": [text]}, schema={"a": pl.String}).select(gsm8k_answer("a"))
    assert out.item() == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (r"$\boxed{5}$", "5"),
        (r"So $x = \boxed{\frac{1}{2}}$.", r"\frac{1}{2}"),
        (r"\boxed{\frac{\sqrt{3}}{2}}", r"\frac{\sqrt{3}}{2}"),
        (r"\boxed{1} and then \boxed{2}", "2"),
        (r"\boxed{1} and then \fbox{3}", "3"),
        (r"\fbox{x^{2}} then \boxed{y_{1}}", "y_{1}"),
        (r"$\boxed{\{1, 2\}}$", r"\{1, 2\}"),
        (r"\boxed{\left\{ -3, \dfrac{3}{2} \right\}}", r"\left\{ -3, \dfrac{3}{2} \right\}"),
        (r"\boxed{(-\infty, 3]}", r"(-\infty, 3]"),
        (r"\boxed{ 7 } trailing", "7"),
        (r"\boxed {8}", "8"),
        (r"It is $\boxed 5$.", "5"),
        (r"\boxed{}", ""),
        (r"é \boxed{°\dfrac{é}{2}} ü", r"°\dfrac{é}{2}"),
        (
            "line 1\n" + r"\boxed{\begin{pmatrix} 1 \\ 2 \end{pmatrix}}" + "\nend",
            r"\begin{pmatrix} 1 \\ 2 \end{pmatrix}",
        ),
        (r"unclosed \boxed{\frac{1}{2}", None),
        ("no box here", None),
        ("", None),
        (None, None),
    ],
)
def test_last_boxed_cases(text: str | None, expected: str | None) -> None:
    out = pl.DataFrame({"s": [text]}, schema={"s": pl.String}).select(last_boxed("s"))
    assert out.item() == expected


def _py_last_boxed(text: str) -> str | None:
    """Reference implementation: scan characters, track depth (escaped braces are literal)."""
    text = text.replace(r"\fbox", r"\boxed")
    start = text.rfind(r"\boxed")
    if start < 0:
        return None
    rest = text[start + len(r"\boxed") :].lstrip()
    if not rest.startswith("{"):
        return None
    depth, i = 0, 1
    while i < len(rest):
        if rest.startswith("\\\\", i) or rest.startswith("\\{", i) or rest.startswith("\\}", i):
            i += 2
            continue
        ch = rest[i]
        if ch == "{":
            depth += 1
        elif ch == "}":
            if depth == 0:
                return rest[1:i].strip()
            depth -= 1
        i += 1
    return None


_PIECE = st.sampled_from(
    ["{", "}", "a", "1", " ", r"\frac", r"\{", r"\}", "\\\\", r"\boxed{", r"\fbox{", "$", "é"]
)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.lists(_PIECE, max_size=30).map("".join), min_size=1, max_size=40))
def test_last_boxed_matches_python_reference(texts: list[str]) -> None:
    texts = [t for t in texts if r"\boxed " not in t and r"\fbox " not in t]
    got = pl.DataFrame({"s": texts}, schema={"s": pl.String}).select(last_boxed("s"))["s"]
    assert got.to_list() == [_py_last_boxed(t) for t in texts]


def test_extractors_stay_lazy_expressions() -> None:
    lf = pl.LazyFrame({"s": [r"\boxed{1}"], "a": ["#### 1"]})
    plan = lf.select(last_boxed("s"), gsm8k_answer("a")).explain()
    assert "python" not in plan.lower()
    assert "map_elements" not in plan.lower()


# --- real Hub files --------------------------------------------------------------------


def _real(path: str) -> pl.LazyFrame:
    file = HUB / path
    if not file.is_file():
        pytest.skip(f"real Hub file {file} is absent (the shared mirror is not beside the repo)")
    return pl.scan_parquet(file)


@pytest.mark.realdata
def test_real_gsm8k_test_expected_matches_python() -> None:
    raw = _real("openai/gsm8k/main/test-00000-of-00001.parquet")
    out = GSM8K.for_config("main").normalize(raw, config="main", split="test").collect()
    assert out.height == 1319
    assert out.schema == pl.Schema(CANONICAL["gsm8k"])
    assert out["id"][0] == "gsm8k/main/test/0"
    assert out["id"].n_unique() == 1319
    assert out["expected"].null_count() == 0
    answers = raw.collect()["answer"].to_list()
    rng = random.Random(0)
    for i in rng.sample(range(1319), 200):
        python = answers[i].split("####")[-1].strip().replace(",", "").replace("$", "")
        assert out["expected"][i] == python, i
        float(python)  # every GSM8K answer is a number
    # a row with a thousands separator on the Hub
    assert "2,125" in answers[out["expected"].to_list().index("2125")]


@pytest.mark.realdata
def test_real_gsm8k_socratic_has_the_same_answers() -> None:
    main = _real("openai/gsm8k/main/test-00000-of-00001.parquet")
    socratic = _real("openai/gsm8k/socratic/test-00000-of-00001.parquet")
    a = GSM8K.normalize(main, config="main", split="test").select("expected").collect()
    b = GSM8K.normalize(socratic, config="socratic", split="test").select("expected").collect()
    assert_frame_equal(a, b)


# --- extractors: exactness of the fast paths --------------------------------------------


def _py_gsm8k_answer(text: str | None) -> str | None:
    """Reference: the greedy regex the extractor used to run (rightmost ``####``)."""
    if text is None:
        return None
    match = re.match(r"(?s).*####(.*)$", text)
    return None if match is None else re.sub(r"[,$]", "", match.group(1)).strip()


@pytest.mark.parametrize(
    "text",
    [
        "##### 5",  # a run of 5 '#': the answer is after the rightmost "####"
        "###### 6",
        "####### 7",
        "######## 8",  # two whole markers
        "######### 9",
        "a ###### 9 ####### 8",
        "#####",
        "x#### #5",  # a '#' after the marker's space is part of the answer
        "#### a\n#### b\nc",
        "é####é 1,000",
    ],
)
def test_gsm8k_answer_runs_of_hashes_match_the_greedy_regex(text: str) -> None:
    out = pl.DataFrame({"a": [text]}, schema={"a": pl.String}).select(gsm8k_answer("a"))
    assert out.item() == _py_gsm8k_answer(text)


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.lists(st.sampled_from(["#", "####", " ", "1", ",", "$", "\n", "a", "é"]), max_size=20)
        .map("".join)
        .filter(lambda s: s != ""),
        min_size=1,
        max_size=40,
    )
)
def test_gsm8k_answer_matches_the_greedy_regex(texts: list[str]) -> None:
    got = pl.DataFrame({"a": texts}, schema={"a": pl.String}).select(gsm8k_answer("a"))["a"]
    assert got.to_list() == [_py_gsm8k_answer(t) for t in texts]


def _nested(depth: int) -> str:
    """A box whose braces nest ``depth`` levels (the box's own braces are level 1)."""
    return "x" + "".join(rf"\frac{{{d}}}{{" for d in range(depth - 1)) + "y" + "}" * (depth - 1)


@pytest.mark.parametrize(
    "depth", [1, 2, 4, BOXED_REGEX_DEPTH - 1, BOXED_REGEX_DEPTH, BOXED_REGEX_DEPTH + 1, 40]
)
def test_last_boxed_reads_any_nesting_depth(depth: int) -> None:
    # At and below the regex's bound the fast path reads the box; above it, the exact
    # fallback does. Both give the same answer.
    content = _nested(depth)
    texts = [
        rf"So $\boxed{{{content}}}$.",
        rf"\boxed{{0}} then \fbox{{{content}}} end",
        rf"Unclosed \boxed{{{content}",
        rf"\boxed{{{content}}} and \boxed{{{content}",
    ]
    got = pl.DataFrame({"s": texts}).select(last_boxed("s"))["s"].to_list()
    assert got == [content, content, None, None]
    assert got == [_py_last_boxed(t) for t in texts]


def test_last_boxed_fast_and_fallback_rows_mix_in_one_frame() -> None:
    deep = _nested(BOXED_REGEX_DEPTH + 3)
    texts = [r"\boxed{1}", rf"\boxed{{{deep}}}", None, r"\boxed 5$", r"\boxed{\}", r"\boxed{\{}"]
    got = pl.DataFrame({"s": texts}).select(last_boxed("s"))["s"].to_list()
    # `\}` is an escaped brace, so the fifth box never closes
    assert got == ["1", deep, None, "5", None, r"\{"]


@pytest.mark.parametrize("space", [" ", "\t", "\n", "\u00a0", "\u2003", " \n\t "])
def test_last_boxed_whitespace_before_the_brace(space: str) -> None:
    out = pl.DataFrame({"s": [rf"\boxed{space}{{7}}"]}).select(last_boxed("s"))
    assert out.item() == "7"


def test_extractors_keep_the_output_name_of_their_input() -> None:
    frame = pl.DataFrame({"s": [r"\boxed{1}"], "a": ["#### 2"]})
    out = frame.select(last_boxed(pl.col("s").alias("box")), gsm8k_answer(pl.col("a")))
    assert out.columns == ["box", "a"]
    assert out.row(0) == ("1", "2")
    assert frame.select(last_boxed("s")).columns == ["s"]


def test_boxed_regex_depth_is_at_least_eight() -> None:
    assert BOXED_REGEX_DEPTH >= 8
