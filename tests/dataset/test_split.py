"""Tests for crucible_pl._split: the `datasets` split-string syntax and its bounds."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crucible_pl import _split
from crucible_pl._split import SplitPart, SplitRequest, parse_split
from crucible_pl.errors import InvalidInputError, InvalidSplitError

# ---------------------------------------------------------------------------------------
# parsing
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("test", (SplitPart("test"),)),
        ("test[:100]", (SplitPart("test", None, 100),)),
        ("test[-50:]", (SplitPart("test", -50, None),)),
        ("train[10:20]", (SplitPart("train", 10, 20),)),
        ("train[10%:20%]", (SplitPart("train", 10, 20, percent=True),)),
        ("train[:12.5%]", (SplitPart("train", None, 12.5, percent=True),)),
        ("train[:]", (SplitPart("train"),)),
        (
            "train[:50%]+validation",
            (SplitPart("train", None, 50, percent=True), SplitPart("validation")),
        ),
        ("  train  +  test ", (SplitPart("train"), SplitPart("test"))),
        ("train_sft", (SplitPart("train_sft"),)),
        ("auxiliary_train[1:-1]", (SplitPart("auxiliary_train", 1, -1),)),
        ("v1.0-dev", (SplitPart("v1.0-dev"),)),
        (
            "test[:33%](pct1_dropremainder)",
            (SplitPart("test", None, 33, percent=True, rounding="pct1_dropremainder"),),
        ),
        ("test[:33%](closest)", (SplitPart("test", None, 33, percent=True),)),
        ("test[-100%:100%]", (SplitPart("test", -100, 100, percent=True),)),
    ],
)
def test_parse_valid(text: str, parts: tuple[SplitPart, ...]) -> None:
    request = parse_split(text)
    assert request == SplitRequest(text, parts)


def test_names_are_distinct_in_order() -> None:
    assert parse_split("test[:10]+train+test[-10:]").names == ("test", "train")


def test_str_is_canonical() -> None:
    assert str(parse_split(" train[:50%] +validation")) == "train[:50%]+validation"
    assert str(parse_split("t[1:2%](pct1_dropremainder)".replace("1:", "1%:"))) == (
        "t[1%:2%](pct1_dropremainder)"
    )
    assert str(parse_split("t[:33%](closest)")) == "t[:33%]"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "it is empty"),
        ("   ", "it is empty"),
        ("test[:abc]", None),
        ("test[:10", None),
        ("test[10]", None),
        ("test[1:2:3]", None),
        ("te st", None),
        ("train+", "cannot read ''"),
        ("+train", "cannot read ''"),
        ("train++test", "cannot read ''"),
        ("train[:150%]", "percentage 150% is outside -100%..100%"),
        ("train[-101%:]", "percentage -101% is outside"),
        ("train[10:20%]", "mixes a percentage and a row number"),
        ("train[1.5:]", "row number 1.5 must be a whole number"),
        ("train[:10%](floor)", "unknown rounding 'floor'"),
        ("train[ :10]", None),
        ("tést", None),
    ],
)
def test_parse_invalid(text: str, reason: str | None) -> None:
    with pytest.raises(InvalidSplitError) as info:
        parse_split(text)
    message = str(info.value)
    assert message.startswith(f"Invalid split {text!r}")
    assert "'test[:100]'" in message  # shows the valid forms
    assert "'train[10%:20%]'" in message
    if reason is not None:
        assert reason in message
    assert isinstance(info.value, InvalidInputError)
    assert isinstance(info.value, ValueError)


def test_parse_rejects_non_strings() -> None:
    with pytest.raises(InvalidSplitError, match="a split is a string"):
        parse_split(["train"])  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------
# bounds
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "num_rows", "expected"),
    [
        ("test", 1319, (0, 1319)),
        ("test[:100]", 1319, (0, 100)),
        ("test[:100]", 50, (0, 50)),  # clamped (datasets >= 2.x clamps too)
        ("test[-50:]", 1319, (1269, 1319)),
        ("test[-50:]", 20, (0, 20)),
        ("test[10:20]", 1319, (10, 20)),
        ("test[1:-1]", 10, (1, 9)),
        ("test[-3:-1]", 10, (7, 9)),
        ("test[8:2]", 10, (8, 8)),  # empty, never negative
        ("test[5000:]", 10, (10, 10)),
        ("test[:-5000]", 10, (0, 0)),
        ("test[10%:20%]", 1000, (100, 200)),
        ("test[:50%]", 7, (0, 4)),  # 3.5 -> 4 (round half to even)
        ("test[:50%]", 5, (0, 2)),  # 2.5 -> 2 (round half to even)
        ("test[:33%]", 10, (0, 3)),
        ("test[-10%:]", 1000, (900, 1000)),
        ("test[:-5%]", 200, (0, 190)),
        ("test[-100%:100%]", 13, (0, 13)),
        ("test[:12.5%]", 80, (0, 10)),
        ("test[:10%]", 0, (0, 0)),
        ("test", 0, (0, 0)),
    ],
)
def test_bounds_hand_computed(text: str, num_rows: int, expected: tuple[int, int]) -> None:
    assert parse_split(text).parts[0].bounds(num_rows) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # datasets' documentation, "Percent slicing and rounding", a split of 999 records:
        ("train[50%:52%]", (500, 519)),  # 19 records
        ("train[52%:54%]", (519, 539)),  # 20 records
        ("train[50%:52%](pct1_dropremainder)", (450, 468)),  # 18 records
        ("train[52%:54%](pct1_dropremainder)", (468, 486)),  # 18 records
    ],
)
def test_bounds_match_datasets_documentation(text: str, expected: tuple[int, int]) -> None:
    assert parse_split(text).parts[0].bounds(999) == expected


def test_pct1_dropremainder_refuses_small_splits() -> None:
    part = parse_split("test[:10%](pct1_dropremainder)").parts[0]
    with pytest.raises(InvalidSplitError, match="at least 100 rows"):
        part.bounds(99)
    assert part.bounds(100) == (0, 10)


def test_negative_row_count_is_refused() -> None:
    with pytest.raises(InvalidSplitError, match="-1 rows"):
        SplitPart("test").bounds(-1)


@pytest.mark.parametrize(
    ("text", "full"),
    [
        ("test", True),
        ("test[:]", True),
        ("test[0:]", True),
        ("test[0%:100%]", True),
        ("test[:100%](pct1_dropremainder)", False),
        ("test[:100]", False),
        ("test[1:]", False),
        ("test[:-1]", False),
        ("test[:50%]", False),
    ],
)
def test_is_full(text: str, full: bool) -> None:
    assert parse_split(text).parts[0].is_full is full


def test_all_is_exported() -> None:
    assert all(hasattr(_split, name) for name in _split.__all__)


# ---------------------------------------------------------------------------------------
# properties
# ---------------------------------------------------------------------------------------


def datasets_bounds(part: SplitPart, num_rows: int) -> tuple[int, int]:
    """datasets' _rel_to_abs_instr (current, clamping version) for 'closest' rounding."""
    if part.percent:
        start = 0 if part.start is None else round(part.start * num_rows / 100.0)
        stop = num_rows if part.stop is None else round(part.stop * num_rows / 100.0)
    else:
        start = 0 if part.start is None else int(part.start)
        stop = num_rows if part.stop is None else int(part.stop)
    if start < 0:
        start = max(num_rows + start, 0)
    if stop < 0:
        stop = max(num_rows + stop, 0)
    return min(start, num_rows), min(stop, num_rows)


NAME_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-"
names = st.text(alphabet=NAME_CHARS, min_size=1, max_size=12)
absolute = st.integers(min_value=-(10**9), max_value=10**9)
percents = st.one_of(
    st.integers(min_value=-100, max_value=100),
    st.integers(min_value=-100_000, max_value=100_000).map(lambda x: x / 1000),
)


@st.composite
def parts(draw: st.DrawFn) -> SplitPart:
    percent = draw(st.booleans())
    bound = percents if percent else absolute
    start = draw(st.none() | bound)
    stop = draw(st.none() | bound)
    sliced = start is not None or stop is not None
    rounding = "closest"
    if percent and sliced and draw(st.booleans()):
        rounding = "pct1_dropremainder"
    return SplitPart(
        draw(names),
        start,
        stop,
        percent=percent and sliced,
        rounding=rounding,  # type: ignore[arg-type]
    )


@settings(max_examples=100, deadline=None)
@given(part=parts(), num_rows=st.integers(min_value=0, max_value=10**7))
def test_bounds_are_ordered_and_within_the_split(part: SplitPart, num_rows: int) -> None:
    if part.rounding == "pct1_dropremainder" and num_rows < 100:
        with pytest.raises(InvalidSplitError):
            part.bounds(num_rows)
        return
    start, stop = part.bounds(num_rows)
    assert 0 <= start <= stop <= num_rows
    if part.is_full:
        assert (start, stop) == (0, num_rows)
    if part.rounding == "closest":
        ref_start, ref_stop = datasets_bounds(part, num_rows)
        assert start == ref_start
        assert stop == max(ref_stop, ref_start)


@settings(max_examples=100, deadline=None)
@given(
    start=st.none() | st.integers(-50, 50),
    stop=st.none() | st.integers(-50, 50),
    num_rows=st.integers(0, 40),
)
def test_absolute_bounds_agree_with_python_slicing(
    start: int | None, stop: int | None, num_rows: int
) -> None:
    lo, hi = SplitPart("t", start, stop).bounds(num_rows)
    assert list(range(lo, hi)) == list(range(num_rows))[start:stop]


@settings(max_examples=100, deadline=None)
@given(items=st.lists(parts(), min_size=1, max_size=4), spaces=st.sampled_from(["", " ", "  "]))
def test_round_trip_of_generated_strings(items: list[SplitPart], spaces: str) -> None:
    text = f"{spaces}+{spaces}".join(str(part) for part in items)
    request = parse_split(text)
    assert request.parts == tuple(items)
    assert request.text == text
    assert parse_split(str(request)).parts == request.parts
    assert request.names == tuple(dict.fromkeys(p.name for p in items))


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=40) | st.text(alphabet="tes[]:%-+0123456789.() ", max_size=30))
def test_garbage_raises_only_invalid_split_error(text: str) -> None:
    try:
        request = parse_split(text)
    except InvalidSplitError as err:
        message = str(err)
    else:
        assert request.parts
        assert all(isinstance(p.name, str) and p.name for p in request.parts)
        return
    assert repr(text) in message


def test_huge_numbers_are_handled() -> None:
    with pytest.raises(InvalidSplitError, match="too long"):
        parse_split("train[:" + "9" * 5000 + "]")
    part = parse_split("train[:" + "9" * 100 + "]").parts[0]
    assert part.bounds(10) == (0, 10)
    assert math.isfinite(float(part.stop or 0))
