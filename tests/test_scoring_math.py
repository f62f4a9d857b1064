"""math_match: MATH-style answer equivalence, hand-worked cases."""

from __future__ import annotations

import polars as pl
import pytest

from crucible_pl.scoring import evaluate, extract_answer, math_match, normalize_math_answer

CASES = [
    # (prediction, reference, equal)
    (r"\frac{1}{2}", r"\frac{1}{2}", True),
    (r"\dfrac{1}{2}", r"\frac{1}{2}", True),
    (r"\tfrac12", r"\frac{1}{2}", True),
    ("0.5", r"\frac{1}{2}", True),
    ("1/2", r"\frac{1}{2}", True),
    (r"-\frac{3}{4}", "-0.75", True),
    (r"\frac{3}{2}", r"\frac{1}{2}", False),  # the last-number trap: both end in 2
    (r"\frac{1}{3}", "0.333", False),
    ("1,234", "1234", True),
    ("$5", "5", True),
    ("50%", "50", True),
    ("1e-3", "0.001", True),
    (r"\left( 3, 4 \right)", "(3,4)", True),
    (r"10^\circ", "10", True),
    (r"\text{(B)}", "(B)", True),
    (r"\sqrt{2}", r"\sqrt{2}", True),
    (r"\sqrt{2}", r"\sqrt{3}", False),
    ("x = 5", "5", True),  # a leading "x =" goes when the reference has none
    ("", "0", False),
    (None, "1", False),
    ("2.", "2", True),
]


@pytest.mark.parametrize(("pred", "ref", "equal"), CASES)
def test_math_match_cases(pred: str | None, ref: str, equal: bool) -> None:
    df = pl.DataFrame({"pred": [pred], "ref": [ref]}, schema={"pred": pl.String, "ref": pl.String})
    assert df.select(math_match("pred", "ref")).item() is equal


def test_normalize_keeps_structure() -> None:
    df = pl.DataFrame({"a": [r"$ \left[ 1, 2 \right) $", r"\text{ cm}"]})
    assert df.select(normalize_math_answer("a"))["a"].to_list() == ["[1,2)", "cm"]


def test_boxed_extraction_then_match_end_to_end() -> None:
    replies = pl.DataFrame(
        {
            "id": ["a", "b", "c"],
            "prediction": [
                r"so the answer is \boxed{\dfrac{1}{2}}.",
                r"We get \boxed{\frac{3}{2}}",
                "#### 1,234",
            ],
        }
    )
    refs = pl.DataFrame(
        {
            "id": ["a", "b", "c"],
            "input": ["q"] * 3,
            "expected": [r"\frac{1}{2}", r"\frac{1}{2}", "1234"],
        }
    )
    result = evaluate(refs, replies, family="math", n_bootstrap=0)
    assert result.items.sort("id")["math_match"].to_list() == [True, False, True]
    boxed = replies.select(extract_answer("prediction", "boxed"))["prediction"].to_list()
    assert boxed[:2] == [r"\dfrac{1}{2}", r"\frac{3}{2}"]
