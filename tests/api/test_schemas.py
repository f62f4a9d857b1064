"""Tests of crucible_pl.schemas: the family models and validate_frame."""

from __future__ import annotations

import re
from collections.abc import Callable

import patito as pt
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from crucible_pl import schemas
from crucible_pl.errors import InvalidInputError, ValidationError
from crucible_pl.schemas import MODELS, validate_frame

MESSAGES = pl.List(pl.Struct({"role": pl.String, "content": pl.String}))


def conv(*turns: tuple[str, str]) -> list[dict[str, str]]:
    return [{"role": role, "content": content} for role, content in turns]


def valid(family: str, n: int = 3) -> pl.DataFrame:
    """A small frame that satisfies ``family``."""
    ids = [f"ds/cfg/test/{i}" for i in range(n)]
    base: dict[str, pl.Series] = {
        "id": pl.Series(ids),
        "input": pl.Series([f"question {i}" for i in range(n)]),
    }
    text = pl.Series([f"answer {i}" for i in range(n)])
    nulls = pl.Series([None] * n, dtype=pl.Null)
    extra: dict[str, pl.Series] = {
        "math": {"expected": text, "level": pl.Series([1] * n), "subject": text},
        "multiple_choice": {
            "expected": pl.Series([i % 2 for i in range(n)], dtype=pl.Int64),
            "choices": pl.Series([["yes", "no"]] * n),
        },
        "code": {
            "expected": text,
            "test": pl.Series(["assert f() == 1"] * n),
            "entry_point": pl.Series(["f"] * n),
            "language": pl.Series(["python"] * n),
        },
        "chat": {
            "input": pl.Series([conv(("user", "hi"))] * n, dtype=MESSAGES),
            "expected": pl.Series(["hello"] * n),
            "messages": pl.Series(
                [conv(("system", "be nice"), ("user", "hi"), ("assistant", "hello"))] * n,
                dtype=MESSAGES,
            ),
        },
        "preference": {
            "expected": nulls,
            "chosen": pl.Series([conv(("user", "q"), ("assistant", "good"))] * n, dtype=MESSAGES),
            "rejected": pl.Series([conv(("user", "q"), ("assistant", "bad"))] * n, dtype=MESSAGES),
            "margin": pl.Series([1.5] * n),
        },
        "rated": {"expected": nulls, "response": text, "helpfulness": pl.Series([3.0] * n)},
        "rubric": {
            "expected": text,
            "criteria": pl.Series(["is it right?"] * n),
            "rubric": pl.Series([{f"score{i}": f"level {i}" for i in range(1, 6)}] * n),
        },
        "instruction": {
            "expected": nulls,
            "instruction_id_list": pl.Series([["length:words"]] * n),
            "kwargs": pl.Series([[{"num_words": 10}]] * n),
        },
        "generation": {
            "expected": text,
            "correct_answers": pl.Series([["a", "b"]] * n),
            "incorrect_answers": pl.Series([["c"]] * n),
        },
    }[family]
    return pl.DataFrame({**base, **extra})


def failure(df: pl.DataFrame, family: str) -> str:
    with pytest.raises(ValidationError) as info:
        validate_frame(df, family, context="test data")
    return str(info.value)


# ---------------------------------------------------------------- the models


def test_models_cover_every_family() -> None:
    assert set(MODELS) == {
        "math",
        "multiple_choice",
        "code",
        "chat",
        "preference",
        "rated",
        "rubric",
        "instruction",
        "generation",
    }
    assert MODELS["multiple_choice"] is schemas.MultipleChoice
    with pytest.raises(TypeError):
        MODELS["new"] = schemas.Math  # type: ignore[index]


@pytest.mark.parametrize("family", sorted(MODELS))
def test_valid_frames_pass(family: str) -> None:
    df = valid(family)
    validate_frame(df, family)  # no exception
    validate_frame(df.head(0), family)
    broken = df.with_columns(pl.lit(None, dtype=pl.String).alias("id"))
    with pytest.raises(ValidationError, match=r"id: null value \(3 rows\), ids: row 0, row 1"):
        validate_frame(broken, family)


@pytest.mark.parametrize("family", sorted(MODELS))
def test_models_give_json_schemas(family: str) -> None:
    schema = MODELS[family].model_json_schema()
    assert {"id", "input", "expected"} <= set(schema["properties"])
    assert {"id", "input"} <= set(schema["required"])


@pytest.mark.parametrize("family", ["math", "multiple_choice", "code", "rubric", "generation"])
def test_models_work_with_patito_directly(family: str) -> None:
    model = MODELS[family]
    df = valid(family)
    assert_frame_equal(model.validate(df), df)
    with pytest.raises(pt.exceptions.DataFrameValidationError, match="duplicated"):
        model.validate(pl.concat([df, df.head(1)]))


def test_dtypes_follow_the_design() -> None:
    assert schemas.MultipleChoice.dtypes["expected"] == pl.Int64
    assert schemas.MultipleChoice.dtypes["choices"] == pl.List(pl.String)
    assert schemas.Chat.dtypes["messages"] == MESSAGES
    assert schemas.Rubric.dtypes["rubric"] == pl.Struct(
        {f"score{i}": pl.String for i in range(1, 6)}
    )
    assert schemas.MultipleChoice.unique_columns == {"id"}
    assert {"id", "input"} <= schemas.Math.non_nullable_columns


# ---------------------------------------------------------------- validate_frame: row rules

Mutation = Callable[[pl.DataFrame], pl.DataFrame]


def set_row(column: str, row: int, value: object, dtype: pl.DataType | None = None) -> Mutation:
    def mutate(df: pl.DataFrame) -> pl.DataFrame:
        series = df[column].to_list()
        series[row] = value
        return df.with_columns(pl.Series(column, series, dtype=dtype or df.schema[column]))

    return mutate


@pytest.mark.parametrize(
    ("family", "mutate", "line"),
    [
        ("math", set_row("id", 1, None), "id: null value (1 row), ids: row 1"),
        ("math", set_row("id", 1, "ds/cfg/test/0"), "id: duplicate value (2 rows)"),
        ("math", set_row("id", 2, ""), "id: empty string (1 row), ids: "),
        ("math", set_row("input", 1, None), "input: null value (1 row), ids: ds/cfg/test/1"),
        ("math", set_row("input", 2, ""), "input: empty string (1 row), ids: ds/cfg/test/2"),
        ("math", set_row("expected", 0, ""), "expected: empty string (1 row), ids: ds/cfg/test/0"),
        (
            "multiple_choice",
            set_row("expected", 1, 2),
            "expected: out of range of choices (1 row), ids: ds/cfg/test/1",
        ),
        (
            "multiple_choice",
            set_row("expected", 0, -1),
            "expected: out of range of choices (1 row), ids: ds/cfg/test/0",
        ),
        (
            "multiple_choice",
            set_row("choices", 2, ["only"]),
            "choices: fewer than 2 choices (1 row), ids: ds/cfg/test/2",
        ),
        (
            "multiple_choice",
            set_row("choices", 2, ["a", None]),
            "choices: null choice (1 row), ids: ds/cfg/test/2",
        ),
        ("code", set_row("test", 1, ""), "test: empty string (1 row), ids: ds/cfg/test/1"),
        (
            "chat",
            set_row("messages", 1, conv(("robot", "x"))),
            "messages: role not in system/user/assistant/tool (1 row), ids: ds/cfg/test/1",
        ),
        (
            "chat",
            set_row("input", 2, [{"role": "user", "content": None}]),
            "input: turn with null content (1 row), ids: ds/cfg/test/2",
        ),
        ("chat", set_row("messages", 0, []), "messages: empty conversation (1 row)"),
        ("chat", set_row("expected", 0, None), "expected: null value (1 row)"),
        (
            "preference",
            set_row("chosen", 1, conv(("human", "q"))),
            "chosen: role not in system/user/assistant/tool (1 row), ids: ds/cfg/test/1",
        ),
        ("rated", set_row("response", 0, None), "response: null value (1 row)"),
        ("rubric", set_row("criteria", 0, ""), "criteria: empty string (1 row)"),
        ("instruction", set_row("instruction_id_list", 1, []), "no instruction (1 row)"),
        ("generation", set_row("expected", 2, None), "expected: null value (1 row)"),
    ],
)
def test_each_rule_reports_the_failing_ids(family: str, mutate: Mutation, line: str) -> None:
    message = failure(mutate(valid(family)), family)
    assert message.startswith(f"test data failed validation ({family}):\n")
    assert line in message


def test_at_most_ten_ids_are_listed() -> None:
    df = valid("multiple_choice", n=25).with_columns(pl.lit(7, dtype=pl.Int64).alias("expected"))
    message = failure(df, "multiple_choice")
    listed = re.search(r"ids: (.*), \.\.\. \((\d+) more\)", message)
    assert listed is not None
    assert listed.group(1).split(", ") == [f"ds/cfg/test/{i}" for i in range(10)]
    assert listed.group(2) == "15"
    assert "(25 rows)" in message


def test_every_failing_rule_gets_its_own_line() -> None:
    df = valid("multiple_choice")
    df = set_row("expected", 0, 9)(set_row("input", 1, "")(df))
    lines = failure(df, "multiple_choice").splitlines()[1:]
    assert len(lines) == 2
    assert lines[0].startswith("  input: empty string")
    assert lines[1].startswith("  expected: out of range")


def test_duplicates_are_found_whatever_else_fails() -> None:
    # The uniqueness check (n_unique) runs before the per-row mask: both must agree.
    df = valid("math", n=30)
    df = set_row("id", 5, "ds/cfg/test/3")(set_row("id", 9, "ds/cfg/test/3")(df))
    message = failure(set_row("input", 0, "")(df), "math")
    assert "  id: duplicate value (3 rows), ids: ds/cfg/test/3, ds/cfg/test/3, ds/cfg/test/3" in (
        message
    )
    assert "  input: empty string (1 row), ids: ds/cfg/test/0" in message
    # Two null ids: each is null, and they count as duplicates of each other.
    nulls = set_row("id", 1, None)(set_row("id", 2, None)(valid("math")))
    message = failure(nulls, "math")
    assert "id: null value (2 rows), ids: row 1, row 2" in message
    assert "id: duplicate value (2 rows), ids: row 1, row 2" in message
    validate_frame(valid("math", n=1000), "math")  # unique ids: no duplicate line, no error


def test_null_expected_is_allowed_where_labels_are_withheld() -> None:
    df = valid("multiple_choice").with_columns(pl.lit(None, dtype=pl.Int64).alias("expected"))
    validate_frame(df, "multiple_choice")
    validate_frame(
        valid("code").with_columns(pl.lit(None, dtype=pl.String).alias("expected")), "code"
    )


# ---------------------------------------------------------------- validate_frame: structure


def test_missing_columns_and_wrong_dtypes() -> None:
    df = valid("multiple_choice").drop("choices").with_columns(pl.col("expected").cast(pl.Int32))
    message = failure(df, "multiple_choice")
    assert "  choices: missing column" in message
    assert "  expected: dtype Int32, expected Int64" in message
    assert "out of range" not in message  # rules on unusable columns are skipped


def test_optional_columns_may_be_missing_but_not_mistyped() -> None:
    validate_frame(valid("math").drop("level", "subject"), "math")
    message = failure(valid("math").with_columns(pl.col("level").cast(pl.String)), "math")
    assert "level: dtype String, expected Int64" in message


def test_polymorphic_columns() -> None:
    as_text = valid("preference").with_columns(chosen=pl.lit("good"), rejected=pl.lit("bad"))
    validate_frame(as_text, "preference")
    message = failure(
        valid("preference").with_columns(rejected=pl.lit(1, dtype=pl.Int64)), "preference"
    )
    assert "rejected: dtype Int64, expected String or List(Struct" in message
    validate_frame(valid("rated").with_columns(input=pl.lit("q")), "rated")


def test_instruction_kwargs_must_be_a_list_of_structs() -> None:
    assert "kwargs: missing column" in failure(valid("instruction").drop("kwargs"), "instruction")
    bad = valid("instruction").with_columns(kwargs=pl.lit("x"))
    assert "kwargs: dtype String" in failure(bad, "instruction")


def test_unusable_id_falls_back_to_row_numbers() -> None:
    df = valid("math").with_columns(pl.Series("id", [1, 2, 2]), expected=pl.lit(""))
    message = failure(df, "math")
    assert "id: dtype Int64, expected String" in message
    assert "expected: empty string (3 rows), ids: row 0, row 1, row 2" in message


def test_extra_columns_are_allowed() -> None:
    validate_frame(valid("math").with_columns(source=pl.lit("web")), "math")


def test_unknown_family_and_error_types() -> None:
    with pytest.raises(InvalidInputError, match=r"Unknown dataset family 'mcq'.*multiple_choice"):
        validate_frame(valid("math"), "mcq")
    with pytest.raises(ValueError, match="Frame failed validation"):
        validate_frame(valid("math").with_columns(input=pl.lit("")), "math")
