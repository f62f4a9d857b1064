"""Answer extraction strategies (crucible_pl.scoring._answers), hand-worked cases.

Each strategy follows a harness rule (named in the module docstring); the cases below
pin that rule, and the ``"math"`` chain's order (box, answer cue, ``####``, whole
expression, last span or number).
"""

from __future__ import annotations

import polars as pl
import pytest

from crucible_pl.scoring import extract_answer
from crucible_pl.scoring._answers import Strategy


def _extract(texts: list[str | None], strategy: Strategy) -> list[str | None]:
    frame = pl.DataFrame({"reply": texts}, schema={"reply": pl.String})
    return frame.select(extract_answer("reply", strategy))["reply"].to_list()


# --- gsm8k: lm-eval's strict-match, "#### (\-?[0-9\.\,]+)" -------------------------


@pytest.mark.parametrize(
    ("reply", "answer"),
    [
        ("48/2 = 24 clips.\n#### 72", "72"),
        ("#### 1,234\nmore text", "1234"),
        ("#### -5", "-5"),
        ("#### 3.25", "3.25"),
        ("####$18", "18"),
        ("#### 3 then, on reflection, #### 5", "5"),
        ("#### Final Answer\nThe total is 18.", None),  # a Markdown heading, no number
        ("####", None),
        ("no marker 42", None),
    ],
)
def test_gsm8k_strict(reply: str, answer: str | None) -> None:
    assert _extract([reply], "gsm8k") == [answer]


def test_gsm8k_heading_is_not_an_answer() -> None:
    # Issue 11: "#### Final Answer" followed by a box scored 0 because #### won.
    reply = "Let us add.\n#### Final Answer\nThe total is $\\boxed{18}$."
    assert _extract([reply], "gsm8k") == [None]
    assert _extract([reply], "math") == ["18"]


# --- last_number: lm-eval's flexible-extract ----------------------------------------


def test_last_number() -> None:
    replies = ["It costs $1,234.", "from 10 to -3", "no digits", "50% of 1/2"]
    assert _extract(replies, "last_number") == ["1234", "-3", None, "1/2"]


# --- boxed: the MATH paper's last_boxed_only_string ---------------------------------


@pytest.mark.parametrize(
    ("reply", "answer"),
    [
        (r"so \boxed{42}.", "42"),
        (r"\boxed{\frac{1}{2}}", r"\frac{1}{2}"),
        (r"\boxed{1} then \boxed{x^{2}+\sqrt{y_{1}}} end", r"x^{2}+\sqrt{y_{1}}"),
        (r"\fbox{7}", "7"),
        (r"\boxed{1} and then \fbox{2}", "2"),
        (r"$\boxed 5$", "5"),
        (r"\boxed -3", "-3"),
        (r"\boxed{\{1, 2\}}", r"\{1, 2\}"),
        (r"unclosed \boxed{12", None),
        ("no box 42", None),
    ],
)
def test_boxed(reply: str, answer: str | None) -> None:
    assert _extract([reply], "boxed") == [answer]


# --- answer_is: Minerva's and Math-Verify's answer cues ------------------------------


@pytest.mark.parametrize(
    ("reply", "answer"),
    [
        ("The answer is 42.", "42"),
        ("The final answer is 7", "7"),
        ("Final answer: 12", "12"),
        ("**Answer:** 36", "36"),
        ("**Final Answer**: 9.", "9"),
        ("Answer: Paris", "Paris"),
        ("Final Answer: The final answer is $24$. I hope it is correct.", "$24$"),
        (r"The answer is $\frac{14}{3}$.", r"$\frac{14}{3}$"),
        ("My answer is 1. No, the answer is 2.", "2"),
        ("The answer is 90\\text{ square\nunits}.\n\nDone.", "90\\text{ square\nunits}"),
        ("nothing to see", None),
    ],
)
def test_answer_is(reply: str, answer: str | None) -> None:
    assert _extract([reply], "answer_is") == [answer]


# --- math: the chain evaluate uses for the math family ------------------------------


@pytest.mark.parametrize(
    ("reply", "answer"),
    [
        # 1. the last box wins over everything
        ("#### Final Answer\n\\boxed{18}", "18"),
        ("The answer is 5.\nSo \\boxed{6}.", "6"),
        ("#### 3\nActually \\boxed{4}", "4"),
        (r"The roots are $\boxed{-2}$ and $\boxed{1}$.", "-2, 1"),
        (r"Either \boxed{3} or \boxed{4}", "4"),  # "or" is a hedge, not a list
        # 2. an answer cue, its leading math span unwrapped
        (r"The answer is $\frac{14}{3}$.", r"\frac{14}{3}"),
        (r"The answer is $\frac{1}{2}$.", r"\frac{1}{2}"),
        ("Final Answer: The final answer is $24$. I hope it is correct.", "24"),
        ("**Answer:** 42", "42"),
        (r"The answer is $\$104$.", r"\$104"),
        ("The answer is 12 apples.", "12 apples"),
        ("The answer is $90\\text{ square\nunits}$.", "90\\text{ square\nunits}"),
        # 3. GSM8K strict
        ("3 + 4 = 7\n#### 7", "7"),
        # 4. a reply that is one short math expression, whole
        (r"\frac{14}{3}", r"\frac{14}{3}"),
        (r"$\frac{14}{3}$", r"\frac{14}{3}"),
        ("$x=5$", "x=5"),
        (r"$x=\sqrt{3}$", r"x=\sqrt{3}"),
        (r"$2\pi$", r"2\pi"),
        ("(3, 4)", "(3, 4)"),
        (r"\text{Evelyn}", r"\text{Evelyn}"),
        ("18 dollars", "18 dollars"),
        # 5. the last math span, or the last number after it
        ("She pays $5 and then $6.", "6"),
        ("so we get $a = 3$ and finally $b = 2 + 2 = 4$.", "4"),
        ("Thus $k=5$, and the bin has 15 balls in total.", "5"),
        ("Her salary is $\\$57{,}500$.", "\\$57{,}500"),
        ("Together they have 260 sheep. (Toulouse alone has 160.)", "260"),
        ("Either 12 or 13 years, depending on how you count.", "12 or 13"),
        # ... and a closing restatement of a stated number is not the answer
        ("It takes 160 minutes in all, or about 2.67 hours.", "160"),
        ("Total = 2 + 1 = 3, i.e. 1.5 times the blue amount.", "3"),
        ("9 + 6 = 15 liters of water out of 24 liters of drink.", "15"),
        ("60 m each is 540 m. In kilometres that is 0.54.", "540"),
        ("She sold 12 out of 15 cakes, so 3 remain.", "3"),  # not a restatement
        ("We get 12 apples (after giving away 3, she has 9 left).", "9"),  # not an aside
        (r"3 degrees below zero, i.e. $-3^\circ$.", r"-3^\circ"),  # a restatement in math
        ("In total 1.45 million dollars.", "1.45e6"),
        ("The probability is 50%.", "50%"),
        ("It is 17", "17"),
        # ... or, without any number, the last word
        ("She ends up facing East.", "East"),
        # look-alike characters are folded first
        ("\u22125", "-5"),
        ("\uff58\uff1d\uff11\uff12", "x=12"),
        ("", None),
        (None, None),
    ],
)
def test_math_chain(reply: str | None, answer: str | None) -> None:
    assert _extract([reply], "math") == [answer]


def test_math_chain_is_one_expression_per_row() -> None:
    # The chain works on whole columns, and per group in an aggregation.
    frame = pl.DataFrame({"g": [1, 1, 2], "reply": [r"\boxed{1}", "#### 2", "The answer is 3."]})
    grouped = (
        frame.group_by("g", maintain_order=True)
        .agg(extract_answer("reply", "math"))
        .sort("g")["reply"]
        .to_list()
    )
    assert grouped == [["1", "2"], ["3"]]
