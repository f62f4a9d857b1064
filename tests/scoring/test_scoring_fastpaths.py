"""The fast paths of crucible_pl.scoring against the slower formulations they replaced.

Each property builds a random frame, evaluates the fast expression and a reference (the
old Polars formulation, or plain Python following the documented rules) and asserts
that they agree row for row. Hand-picked edge cases ride along as ``@example``.
"""

from __future__ import annotations

import itertools
import math
import re
import string
from collections.abc import Callable, Sequence
from typing import Any

import polars as pl
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal, assert_series_equal

from crucible_pl.scoring import (
    choice_match,
    extract_choice_letter,
    extract_number,
    normalize_text,
)
from crucible_pl.scoring._choice import _digits_value, _lone_letter_index
from crucible_pl.scoring._numeric import (
    Position,
    _number_text,
    _parse_number_text,
    _text_to_number,
)
from crucible_pl.scoring._text import _computed_where

LETTERS = "ABCDEFGHIJ"

# --------------------------------------------------------------------------------------
# 1. _computed_where == pl.when(mask).then(compute(*inputs))
# --------------------------------------------------------------------------------------

Compute = tuple[str, Callable[..., pl.Expr], int, pl.DataType]

COMPUTES: list[Compute] = [
    ("upper", lambda x: x.str.to_uppercase(), 1, pl.String()),
    ("len", lambda x: x.str.len_chars(), 1, pl.UInt32()),
    ("normalize", normalize_text, 1, pl.String()),
    ("concat", lambda x, y: x + y, 2, pl.String()),
    ("equal", lambda x, y: x == y, 2, pl.Boolean()),
]

# A mask must never be null (see _computed_where); both kinds below are non-null.
MASKS: dict[str, Callable[[], pl.Expr]] = {
    "column": lambda: pl.col("m"),
    "derived": lambda: pl.col("m") & pl.col("a").is_not_null(),
}

FRAME_SCHEMA = {"a": pl.String, "b": pl.String, "m": pl.Boolean, "g": pl.Int64}


@st.composite
def masked_frames(draw: st.DrawFn, *, min_rows: int = 0) -> pl.DataFrame:
    """String columns with nulls, a Boolean mask (random, all True or all False), groups."""
    n = draw(st.integers(min_rows, 25))
    texts = st.lists(st.none() | st.text("aB é.", max_size=4), min_size=n, max_size=n)
    mask = draw(
        st.sampled_from(["random", "all_true", "all_false"]).flatmap(
            lambda kind: (
                st.lists(st.booleans(), min_size=n, max_size=n)
                if kind == "random"
                else st.just([kind == "all_true"] * n)
            )
        )
    )
    groups = draw(st.lists(st.integers(0, 3), min_size=n, max_size=n))
    return pl.DataFrame(
        {"a": draw(texts), "b": draw(texts), "m": mask, "g": groups}, schema=FRAME_SCHEMA
    )


def _fast_and_slow(compute: Compute, mask_kind: str) -> tuple[pl.Expr, pl.Expr]:
    _, fn, arity, dtype = compute
    inputs = [pl.col(name) for name in ("a", "b")[:arity]]
    mask = MASKS[mask_kind]()
    fast = _computed_where(mask, fn, *inputs, dtype=dtype).alias("out")
    slow = pl.when(mask).then(fn(*inputs)).alias("out")
    return fast, slow


computes = st.sampled_from(COMPUTES)
mask_kinds = st.sampled_from(sorted(MASKS))

EMPTY_FRAME = pl.DataFrame(schema=FRAME_SCHEMA)
ONE_NULL_ROW = pl.DataFrame({"a": [None], "b": ["x"], "m": [True], "g": [0]}, schema=FRAME_SCHEMA)


@settings(max_examples=40, deadline=None)
@given(df=masked_frames(), compute=computes, mask_kind=mask_kinds)
@example(df=EMPTY_FRAME, compute=COMPUTES[0], mask_kind="column")
@example(df=EMPTY_FRAME, compute=COMPUTES[3], mask_kind="derived")
@example(df=ONE_NULL_ROW, compute=COMPUTES[1], mask_kind="column")
def test_computed_where_in_select_and_with_columns(
    df: pl.DataFrame, compute: Compute, mask_kind: str
) -> None:
    fast, slow = _fast_and_slow(compute, mask_kind)
    assert_frame_equal(df.select(fast), df.select(slow))
    assert_frame_equal(df.with_columns(fast), df.with_columns(slow))
    # Lazily, where the optimizer (common subexpressions, projections) has its say.
    assert_frame_equal(df.lazy().with_columns(fast).collect(), df.with_columns(slow))


@settings(max_examples=40, deadline=None)
@given(df=masked_frames(), compute=computes)
@example(df=EMPTY_FRAME, compute=COMPUTES[2])
def test_computed_where_on_struct_fields(df: pl.DataFrame, compute: Compute) -> None:
    # The way the library uses it: the mask and the inputs are fields of one struct.
    _, fn, arity, dtype = compute
    inputs = [pl.field(name) for name in ("a", "b")[:arity]]
    bound = pl.struct("a", "b", "m")
    fast = bound.struct.with_fields(out=_computed_where(pl.field("m"), fn, *inputs, dtype=dtype))
    slow = bound.struct.with_fields(out=pl.when(pl.field("m")).then(fn(*inputs)))
    assert_frame_equal(df.select(fast.struct.field("out")), df.select(slow.struct.field("out")))


# Frames with rows only: the empty frame has its own test below.
@settings(max_examples=60, deadline=None)
@given(df=masked_frames(min_rows=1), compute=computes, mask_kind=mask_kinds)
@example(
    df=pl.DataFrame(
        {
            "a": ["x", "y", "z", None],
            "b": ["1", None, "3", "4"],
            "m": [False, True, True, True],
            "g": [1, 0, 1, 0],
        },
        schema=FRAME_SCHEMA,
    ),
    compute=COMPUTES[3],
    mask_kind="column",
)
def test_computed_where_per_group(df: pl.DataFrame, compute: Compute, mask_kind: str) -> None:
    fast, slow = _fast_and_slow(compute, mask_kind)
    by_group = df.group_by("g", maintain_order=True)
    assert_frame_equal(by_group.agg(fast), by_group.agg(slow))
    lazy = df.lazy().group_by("g", maintain_order=True)
    assert_frame_equal(lazy.agg(fast).collect(), by_group.agg(slow))


@pytest.mark.parametrize("compute", COMPUTES, ids=[compute[0] for compute in COMPUTES])
def test_computed_where_per_group_on_empty_frame(compute: Compute) -> None:
    # when/then gives an empty result; in an empty group_by the gather positions come out
    # with dtype Null (the planner still types them UInt32), and gather refuses them.
    fast, slow = _fast_and_slow(compute, "column")
    by_group = EMPTY_FRAME.group_by("g")
    assert_frame_equal(by_group.agg(fast), by_group.agg(slow))


# --------------------------------------------------------------------------------------
# 2. normalize_text == the official SQuAD normalization
# --------------------------------------------------------------------------------------


def squad_normalize(text: str) -> str:
    """``normalize_answer`` of the official SQuAD v1.1 evaluation script."""
    text = text.lower()
    text = "".join(ch for ch in text if ch not in set(string.punctuation))
    text = re.sub(r"\b(a|an|the)\b", " ", text)
    return " ".join(text.split())


# Characters excluded from the alphabet, because Python and Rust classify them
# differently (so the two normalizations cannot agree, whatever the implementation):
# * "\x1c"-"\x1f": white space for Python's str.split/str.strip, not for Rust's \s or
#   strip_chars;
# * "İ": lower-cases to "i" + U+0307 (a combining mark) in both, but a mark is a word
#   character for Rust's \b and not for Python's, so "İthe" keeps "the" in Rust only;
# * "²" and other "No" digits: word characters for Python's \b (str.isalnum) but not
#   for Rust's, so "the²" loses "the" in Rust only.
# "\xa0", "\x85" and "\u2028" are white space on both sides and stay in.
NON_ASCII = "éßü’—\xa0\x85\u2028٣Σ"
SQUAD_ALPHABET = "aAnNtThHeE xyz" + string.punctuation + " \t\n" + string.digits + NON_ASCII
ARTICLE_PIECES = ["a", "an", "the", "The", "AN", "A", "thE", " ", "-", "'", "’", "_", "\t"]

squad_texts = st.text(SQUAD_ALPHABET, max_size=30) | st.lists(
    st.sampled_from(ARTICLE_PIECES) | st.text(SQUAD_ALPHABET, max_size=2), max_size=12
).map("".join)


@settings(max_examples=100, deadline=None)
@given(texts=st.lists(st.none() | squad_texts, max_size=20))
@example(
    texts=[
        "  The Eiffel   Tower!",
        "An apple, a day.",
        "a-the",
        "the's",
        "a_the",
        "théa the",
        "ANthe\tan\nA",
        "\xa0the\u2028x\x85",
        "",
        "   ",
        "!!!",
        None,
    ]
)
def test_normalize_text_is_squad_normalization(texts: list[str | None]) -> None:
    got = pl.DataFrame({"t": texts}, schema={"t": pl.String}).select(normalize_text("t"))
    expected = [None if text is None else squad_normalize(text) for text in texts]
    assert got["t"].to_list() == expected


# --------------------------------------------------------------------------------------
# 3. _text_to_number == _parse_number_text(_number_text(...))
# --------------------------------------------------------------------------------------

NUMBER_PIECES = [
    *"-+$0159,./%eE xa(#\n",
    "12",
    "007",
    "1,234",
    "1e-3",
    "2.5E+4",
    "e5",
    "inf",
    "-inf",
    "nan",
    "NaN",
    "Infinity",
    "1e400",
    "-1e400",
    "1e-400",
    "-0",
    ".5",
    "5.",
    "+.5",
    "-$",
    "$-",
    "1/0",
    "0/0",
    "3/4",
    "99999999999999999999",
]

# One number-shaped token, part by part: the whole text is then often one plain number,
# which is what the cast shortcut reads.
number_tokens = st.tuples(
    st.sampled_from(["", "", "-", "+", "$", "-$", " "]),
    st.sampled_from(["", "0", "5", "12", "007", "1,234", "99999999999999999999"]),
    st.sampled_from(["", "", ".", ".5", ".25"]),
    st.sampled_from(["", "", "e5", "E-3", "e+2", "e", "e400", "e-400"]),
    st.sampled_from(["", "", "%", "/4", "/0", " "]),
).map("".join)
number_texts = st.one_of(
    number_tokens,
    st.lists(number_tokens | st.sampled_from(NUMBER_PIECES), max_size=6).map("".join),
)


def _float_key(value: float | None) -> tuple[float, float] | None:
    """A value with its sign (so 0.0 and -0.0 differ); NaN is rejected."""
    if value is None:
        return None
    assert not math.isnan(value)
    return value, math.copysign(1.0, value)


@settings(max_examples=80, deadline=None)
@given(texts=st.lists(st.none() | number_texts, max_size=25))
@example(texts=["-3.5", "1e-3", "#### 42", "$1,234", "50%", "1/2", "+.5", "5.", "-0"])
@example(texts=["inf", "nan", "Infinity", "1e400", "1e-400", "1/0", "x-0", "10-20", None])
# A cast reads "1.e5" as 100000.0; the regex (a decimal point needs digits after it)
# reads the numbers "1" and "5".
@example(texts=["1.e5", "0.e5", "+12.E-3"])
def test_text_to_number_equals_regex_path(texts: list[str | None]) -> None:
    positions: tuple[Position, ...] = ("first", "last")
    t = pl.col("t")
    got = pl.DataFrame({"t": texts}, schema={"t": pl.String}).select(
        *(_text_to_number(t, position).alias(f"fast_{position}") for position in positions),
        *(
            _parse_number_text(_number_text(t, position)).alias(f"slow_{position}")
            for position in positions
        ),
    )
    for position in positions:
        fast = [_float_key(value) for value in got[f"fast_{position}"].to_list()]
        slow = [_float_key(value) for value in got[f"slow_{position}"].to_list()]
        mismatches = [(text, f, s) for text, f, s in zip(texts, fast, slow, strict=True) if f != s]
        assert mismatches == [], f"position={position!r}: (text, fast, regex) {mismatches}"


# --------------------------------------------------------------------------------------
# 4. _lone_letter_index and _digits_value == the regex readings they replaced
# --------------------------------------------------------------------------------------


def _old_lone_letter_index(text: pl.Expr) -> pl.Expr:
    return (
        text.str.extract(r"^[\(\[]?([A-Ja-j])[\)\]\.:]?$", 1)
        .str.to_uppercase()
        .replace_strict({c: i for i, c in enumerate(LETTERS)}, default=None, return_dtype=pl.Int64)
    )


def _old_digits_value(text: pl.Expr) -> pl.Expr:
    return text.str.extract(r"^(\d+)$", 1).cast(pl.Int64, strict=False)


# "٣" is a Unicode digit: the old regex's \d matches it, and the Int64 cast then fails.
SHORT_ALPHABET = "ABJKabjk()[].:+- 0123456789٣\n"
INT64_MAX = 2**63 - 1
UINT64_MAX = 2**64 - 1

long_digits = st.one_of(
    st.integers(INT64_MAX - 3, INT64_MAX + 3),
    st.integers(UINT64_MAX - 3, UINT64_MAX + 3),
    st.integers(0, 10**30),
).flatmap(lambda n: st.sampled_from([str(n), "0" + str(n), "+" + str(n), "-" + str(n)]))
short_texts = st.none() | st.text(SHORT_ALPHABET, max_size=4) | long_digits


def _assert_readings_agree(texts: Sequence[str | None]) -> None:
    df = pl.DataFrame({"t": texts}, schema={"t": pl.String})
    text = pl.col("t")
    assert_frame_equal(
        df.select(letter=_lone_letter_index(text), digits=_digits_value(text)),
        df.select(letter=_old_lone_letter_index(text), digits=_old_digits_value(text)),
    )


@settings(max_examples=100, deadline=None)
@given(texts=st.lists(short_texts, max_size=30))
@example(texts=[str(INT64_MAX), str(INT64_MAX + 1), str(UINT64_MAX), str(UINT64_MAX + 1)])
@example(texts=["+1", "-0", "007", "", " 1", "1 ", "٣", "1\n", "(a)", "[J]", "k", "A.:"])
def test_lone_letter_and_digits_equal_regex(texts: list[str | None]) -> None:
    _assert_readings_agree(texts)


def test_lone_letter_and_digits_equal_regex_exhaustively_up_to_three_chars() -> None:
    texts = [
        "".join(chars)
        for length in range(4)
        for chars in itertools.product(SHORT_ALPHABET, repeat=length)
    ]
    assert len(texts) > 20_000
    _assert_readings_agree(texts)


# --------------------------------------------------------------------------------------
# 5. choice_match == the documented rules, written in Python
# --------------------------------------------------------------------------------------

_LONE_LETTER = re.compile(r"[\(\[]?([A-Ja-j])[\)\]\.:]?")


def reference_choice_match(
    prediction: str | None,
    expected: int | None,
    choices: list[str | None] | None,
    *,
    free_text_letter: str | None,
    free_text: bool,
) -> bool:
    """The rules of ``choice_match``'s docstring for a String prediction.

    ``free_text_letter`` is what ``extract_choice_letter`` finds in the prediction (that
    function is not a fast path; it is evaluated once over the whole column).
    """
    if prediction is None or expected is None or choices is None:
        return False
    if not 0 <= expected < len(choices):
        return False
    text = prediction.strip()
    expected_choice = choices[expected]
    # (1) a lone letter.
    letter = _LONE_LETTER.fullmatch(text)
    if letter is not None:
        return LETTERS.index(letter.group(1).upper()) == expected
    # (2) ASCII digits, read as Int64 (digits beyond Int64 are not read as a number, as
    # with the old regex + checked cast, and fall through to the text reading).
    if re.fullmatch(r"[0-9]+", text) and int(text) <= INT64_MAX:
        if text in choices:
            # The digits are one of the choices: right when the expected choice is them.
            return expected_choice is not None and expected_choice.strip() == text
        return int(text) == expected
    # (3) the text of a choice.
    if expected_choice is None:
        return False
    if squad_normalize(text) == squad_normalize(expected_choice):
        return True
    if not free_text:
        return False
    # Another choice's text is a wrong pick, not free text to search for a letter.
    if squad_normalize(text) in {squad_normalize(c) for c in choices if c is not None}:
        return False
    return free_text_letter is not None and LETTERS.index(free_text_letter) == expected


CHOICE_TEXTS = [
    "Paris",
    "Lyon",
    "The Lyon",
    "New-York",
    "12",
    "10",
    "0",
    "1",
    " 12",
    "B",
    "b",
    "(C)",
    "an",
    "",
    "99999999999999999999",
]
TRANSFORMS: list[Callable[[str], str]] = [
    lambda s: s,
    str.upper,
    str.lower,
    lambda s: f" {s}! ",
    lambda s: f"the {s}.",
    lambda s: s.replace(" ", "  "),
]
PREDICTIONS = [
    "A",
    "(b)",
    "[C]",
    "d.",
    "E:",
    "j)",
    " B ",
    "K",
    "k",
    "0",
    "1",
    "2",
    "12",
    "007",
    "+1",
    "-1",
    " 1 ",
    "٣",
    "99999999999999999999",
    "I think (C) is right",
    "So the answer is (B).",
    "The answer is b.",
    "A good guess: C",
    "answer: d",
    "option a",
    "C is right",
    "Option B",
    "",
    "   ",
]

choice_lists = st.none() | st.lists(st.none() | st.sampled_from(CHOICE_TEXTS), max_size=5)
predictions = st.one_of(
    st.none(),
    st.sampled_from(PREDICTIONS),
    st.tuples(st.sampled_from(CHOICE_TEXTS), st.sampled_from(TRANSFORMS)).map(
        lambda pair: pair[1](pair[0])
    ),
    st.text("ABab()1 2.", max_size=4),
)


@st.composite
def choice_frames(draw: st.DrawFn) -> pl.DataFrame:
    n = draw(st.integers(1, 20))
    rows = draw(
        st.lists(
            st.tuples(predictions, st.none() | st.integers(-1, 5), choice_lists, st.integers(0, 2)),
            min_size=n,
            max_size=n,
        )
    )
    return pl.DataFrame(
        rows,
        schema={"p": pl.String, "e": pl.Int64, "c": pl.List(pl.String), "g": pl.Int64},
        orient="row",
    )


def _reference_column(df: pl.DataFrame, *, free_text: bool) -> list[bool]:
    letters = df.select(extract_choice_letter("p"))["p"].to_list()
    return [
        reference_choice_match(p, e, c, free_text_letter=letter, free_text=free_text)
        for p, e, c, letter in zip(df["p"], df["e"], df["c"].to_list(), letters, strict=True)
    ]


def _mismatches(df: pl.DataFrame, got: list[Any], expected: list[bool]) -> list[Any]:
    return [
        (row, g, x)
        for row, g, x in zip(df.select("p", "e", "c").rows(), got, expected, strict=True)
        if g != x
    ]


CHOICES = ["Paris", "Lyon", "Nice"]
DOC_FRAME = pl.DataFrame(
    {
        "p": ["(B)", "b.", "1", " lyon!", "Paris", "D", "So the answer is (B).", "Nice", None],
        "e": [1, 1, 1, 1, 1, 1, 1, 1, 1],
        "c": [CHOICES] * 9,
        "g": [0, 1, 0, 1, 0, 1, 0, 1, 0],
    },
    schema={"p": pl.String, "e": pl.Int64, "c": pl.List(pl.String), "g": pl.Int64},
)
DIGIT_CHOICES = pl.DataFrame(
    {
        "p": ["12", "12", "1", "0", "10", "Option B"],
        "e": [1, 0, 1, 1, 1, 0],
        "c": [
            ["10", "12"],
            ["10", "12"],
            ["10", "12"],
            ["10", "12"],
            ["10", "12"],
            ["Option B", "x"],
        ],
        "g": [0] * 6,
    },
    schema={"p": pl.String, "e": pl.Int64, "c": pl.List(pl.String), "g": pl.Int64},
)


def _per_group(df: pl.DataFrame, expr: pl.Expr) -> pl.Series:
    """``expr`` evaluated per group of ``g`` in ``agg``, put back in row order."""
    return (
        df.with_row_index("i")
        .group_by("g")
        .agg("i", expr.alias("out"))
        .explode("i", "out")
        .sort("i")["out"]
    )


# Frames with rows only: the empty frame has its own test below.
@settings(max_examples=60, deadline=None)
@given(df=choice_frames(), free_text=st.booleans())
@example(df=DOC_FRAME, free_text=False)
@example(df=DOC_FRAME, free_text=True)
@example(df=DIGIT_CHOICES, free_text=True)
def test_choice_match_follows_documented_rules(df: pl.DataFrame, free_text: bool) -> None:
    expected = _reference_column(df, free_text=free_text)
    match = choice_match("p", "e", "c", free_text=free_text)

    got = df.select(match)["p"].to_list()
    assert _mismatches(df, got, expected) == []
    # The same per group: _computed_where filters and gathers inside each group.
    per_group = _per_group(df, match).to_list()
    assert _mismatches(df, per_group, expected) == []


@pytest.mark.parametrize("free_text", [False, True])
def test_choice_match_per_group_on_empty_frame(free_text: bool) -> None:
    # Worked before the fast path (pl.when(mask).then(...)); see the _computed_where test.
    out = _per_group(DOC_FRAME.clear(), choice_match("p", "e", "c", free_text=free_text))
    assert_series_equal(out, pl.Series("out", [], dtype=pl.Boolean))


def test_extract_number_per_group_on_empty_frame() -> None:
    df = pl.DataFrame(schema={"t": pl.String, "g": pl.Int64})
    out = _per_group(df, extract_number("t"))
    assert_series_equal(out, pl.Series("out", [], dtype=pl.Float64))


@settings(max_examples=40, deadline=None)
@given(
    rows=st.lists(
        st.tuples(st.none() | st.integers(-2, 6), st.none() | st.integers(-1, 5), choice_lists),
        max_size=15,
    )
)
def test_choice_match_integer_prediction_is_an_index(
    rows: list[tuple[int | None, int | None, list[str | None] | None]],
) -> None:
    df = pl.DataFrame(
        rows, schema={"p": pl.Int64, "e": pl.Int64, "c": pl.List(pl.String)}, orient="row"
    )
    expected = [
        p is not None and e is not None and c is not None and p == e and 0 <= e < len(c)
        for p, e, c in rows
    ]
    got = df.select(choice_match("p", "e", "c"))
    assert_series_equal(got["p"], pl.Series("p", expected, dtype=pl.Boolean))


@pytest.mark.parametrize("free_text", [False, True])
def test_choice_match_row_by_row_equals_whole_frame(free_text: bool) -> None:
    # Each row alone (no other row to filter or gather) gives the whole-frame answer.
    frame = pl.concat([DOC_FRAME, DIGIT_CHOICES])
    match = choice_match("p", "e", "c", free_text=free_text)
    whole = frame.select(match)["p"].to_list()
    alone = [frame.slice(i, 1).select(match).item() for i in range(frame.height)]
    assert alone == whole
    assert whole == _reference_column(frame, free_text=free_text)
