"""Metric expressions of crucible_pl.scoring, against hand-worked examples."""

from __future__ import annotations

import math
import sys
import types
from collections import Counter
from typing import Any

import polars as pl
import pytest
from polars.testing import assert_frame_equal, assert_series_equal

import crucible_pl.scoring as scoring
from crucible_pl.errors import InvalidInputError, MissingDependencyError
from crucible_pl.scoring import (
    bleu,
    choice_match,
    exact_match,
    extract_answer,
    extract_choice_letter,
    extract_number,
    normalize_text,
    normalized_exact_match,
    numeric_match,
    pass_at_k,
    rouge,
    token_f1,
)
from crucible_pl.scoring._answers import Strategy


def _apply(expr_fn: Any, values: list[Any], **kwargs: Any) -> list[Any]:
    return pl.DataFrame({"x": values}).select(expr_fn("x", **kwargs))["x"].to_list()


def test_all_matches_exports() -> None:
    public = {name for name in dir(scoring) if not name.startswith("_")}
    modules = {name for name in public if isinstance(getattr(scoring, name), types.ModuleType)}
    assert set(scoring.__all__) == public - modules - {"annotations"}
    assert len(scoring.__all__) == len(set(scoring.__all__))


# --- text ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The  Cat!", "cat"),
        ("An apple, a day", "apple day"),
        ("theater anthem", "theater anthem"),  # articles only as whole words
        ("  Hello,\tWorld\n ", "hello world"),
        ("U.S.A.", "usa"),
        ("a", ""),
        ("", ""),
        (None, None),
    ],
)
def test_normalize_text(text: str | None, expected: str | None) -> None:
    assert _apply(normalize_text, [text]) == [expected]


def test_exact_match_strips_and_is_null_safe() -> None:
    df = pl.DataFrame({"p": [" 42\n", "Paris", None, "x"], "r": ["42", "paris", "a", None]})
    out = df.select(exact_match("p", "r"))
    assert_frame_equal(out, pl.DataFrame({"p": [True, False, False, False]}))


def test_exact_match_accepts_expressions_and_numbers() -> None:
    df = pl.DataFrame({"p": ["7", "8"], "r": [7, 9]})
    out = df.select(exact_match(pl.col("p"), pl.col("r")).alias("em"))
    assert out["em"].to_list() == [True, False]


def test_normalized_exact_match() -> None:
    df = pl.DataFrame({"p": ["The Eiffel Tower.", "eiffel", None], "r": ["eiffel tower"] * 3})
    assert df.select(normalized_exact_match("p", "r"))["p"].to_list() == [True, False, False]


# --- numbers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "last", "first"),
    [
        ("It costs $1,234.", 1234.0, 1234.0),
        ("1,234,567", 1234567.0, 1234567.0),
        ("$5", 5.0, 5.0),
        ("-$5 and $-6", -6.0, -5.0),
        ("so -3.5", -3.5, -3.5),
        ("50%", 50.0, 50.0),  # the percent sign is dropped, not divided by 100
        ("1/2", 0.5, 0.5),
        ("1e-3", 0.001, 0.001),
        ("2.5E+2", 250.0, 250.0),
        ("1.e5 or 3", 3.0, 100000.0),  # digits, a dot and an exponent: 1.e5 is 100000
        ("3.0", 3.0, 3.0),
        (".5", 0.5, 0.5),
        ("+4", 4.0, 4.0),
        ("x=-2", -2.0, -2.0),
        ("(-7)", -7.0, -7.0),
        ("pages 10-20", 20.0, 10.0),  # a hyphen between digits is not a minus
        ("well-3", 3.0, 3.0),
        ("1,2,3", 3.0, 1.0),
        ("Answer: 72.", 72.0, 72.0),
        ("3 apples and 4 pears", 4.0, 3.0),
        ("1/0", None, None),
        ("no digits here", None, None),
        ("", None, None),
        (None, None, None),
    ],
)
def test_extract_number(text: str | None, last: float | None, first: float | None) -> None:
    assert _apply(extract_number, [text]) == [last]
    assert _apply(extract_number, [text], position="first") == [first]


def test_extract_number_keeps_column_name_and_dtype() -> None:
    out = pl.DataFrame({"reply": ["7"]}).select(extract_number("reply"))
    assert out.schema == pl.Schema({"reply": pl.Float64})


def test_extract_number_rejects_bad_position() -> None:
    with pytest.raises(InvalidInputError, match=r"'middle'.*'first' or 'last'"):
        extract_number("x", position="middle")  # type: ignore[arg-type]


def test_numeric_match() -> None:
    df = pl.DataFrame(
        {
            "p": ["The total is $1,200.", "0.5", "50%", "approx 3.14159", "none", None, "7"],
            "r": ["1200", "1/2", "50", "3.1416", "1", "1", None],
        }
    )
    assert df.select(numeric_match("p", "r"))["p"].to_list() == [
        True,
        True,
        True,
        False,
        False,
        False,
        False,
    ]
    loose = df.select(numeric_match("p", "r", abs_tol=1e-3))["p"].to_list()
    assert loose[3] is True


def test_numeric_match_relative_tolerance_and_numeric_reference() -> None:
    df = pl.DataFrame({"p": ["100.5", "100.5"], "r": [100.0, 100.0]})
    assert df.select(numeric_match("p", "r", rel_tol=0.01))["p"].to_list() == [True, True]
    assert df.select(numeric_match("p", "r"))["p"].to_list() == [False, False]
    with pytest.raises(InvalidInputError, match="rel_tol=-1"):
        numeric_match("p", "r", rel_tol=-1)


# --- answer extraction --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Natalia sold 48/2 = 24 clips.\n#### 72", "72"),
        ("#### 1,234\nsome more text", "1234"),
        ("first #### 3 then #### $5", "5"),
        ("####", None),  # strict: a number must follow the marker
        ("#### Final Answer\n18", None),
        ("no marker 42", None),
    ],
)
def test_extract_answer_gsm8k(text: str, expected: str | None) -> None:
    assert _apply(extract_answer, [text], strategy="gsm8k") == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (r"so \boxed{42}.", "42"),
        (r"\boxed{\frac{1}{2}}", r"\frac{1}{2}"),
        (r"\boxed{1} then \boxed{x^{2}+\sqrt{y_{1}}} end", r"x^{2}+\sqrt{y_{1}}"),
        (r"\boxed{{a}{b}}}", "{a}{b}"),
        (r"\boxed{}", ""),
        (r"\boxed{\{1, 2\}}", r"\{1, 2\}"),
        (r"unclosed \boxed{12", None),
        (r"\boxed{ {nested} ", None),
        ("no box 42", None),
    ],
)
def test_extract_answer_boxed_keeps_nested_braces(text: str, expected: str | None) -> None:
    assert _apply(extract_answer, [text], strategy="boxed") == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The answer is 42.", "42"),
        ("ANSWER: Paris", "Paris"),
        ("answer is **3.5**.", "3.5"),
        ("The answer is: (B).\nThanks", "(B)"),
        ("My answer is 1. No, the answer is 2.", "2"),
        ("nothing to see", None),
    ],
)
def test_extract_answer_answer_is(text: str, expected: str | None) -> None:
    assert _apply(extract_answer, [text], strategy="answer_is") == [expected]


def test_extract_answer_last_number_text() -> None:
    texts = ["It costs $1,234.", "50% of 1/2", "none"]
    assert _apply(extract_answer, texts, strategy="last_number") == ["1234", "1/2", None]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("(B)", "B"),
        ("B.", "B"),
        ("B", "B"),
        ("  c) because", "C"),
        ("Answer: C", "C"),
        ("answer: c", "C"),
        ("The answer is (d).", "D"),
        ("A good answer is (B).", "B"),  # the article A is not a choice
        ("A bit unsure, maybe [c]", "C"),
        ("I think D is right", "D"),  # the pronoun I is not a choice
        ("Between A and B, I'd pick (C)", "C"),
        ("Option F is best", "F"),
        ("It is J.", "J"),
        ("So the final pick: E", "E"),
        ("A good guess", None),
        ("I have no idea", None),
        ("K is not a choice", None),
        ("", None),
    ],
)
def test_extract_choice_letter(text: str, expected: str | None) -> None:
    assert _apply(extract_choice_letter, [text]) == [expected]
    assert _apply(extract_answer, [text], strategy="choice_letter") == [expected]


def test_extract_answer_rejects_unknown_strategy() -> None:
    with pytest.raises(InvalidInputError, match=r"'latex'.*'gsm8k'"):
        extract_answer("x", "latex")  # type: ignore[arg-type]


def test_every_strategy_keeps_the_column_name() -> None:
    df = pl.DataFrame({"reply": ["#### 1"]})
    for strategy in ("gsm8k", "last_number", "boxed", "answer_is", "math", "choice_letter"):
        out = df.select(extract_answer("reply", strategy))
        assert out.columns == ["reply"], strategy
        assert out.schema["reply"] == pl.String
    assert set(Strategy.__args__) == {  # type: ignore[attr-defined]
        "gsm8k",
        "last_number",
        "boxed",
        "answer_is",
        "math",
        "choice_letter",
    }


# --- multiple choice ----------------------------------------------------------------


CHOICES = ["Paris", "Lyon", "The Nice", "12"]


@pytest.mark.parametrize(
    ("prediction", "expected", "match"),
    [
        ("B", 1, True),
        ("(b)", 1, True),
        ("B.", 1, True),
        ("[B]", 1, True),
        ("A", 1, False),
        ("1", 1, True),  # a digit string is an index...
        ("12", 3, True),  # ...unless it is the text of a choice
        ("lyon!", 1, True),
        ("nice", 2, True),  # normalized: the article goes
        ("Paris", 1, False),
        ("J", 1, False),
        ("I think (B)", 1, False),  # free text needs free_text=True
        ("", 1, False),
        (None, 1, False),
        ("B", 7, False),  # expected out of range
        ("B", None, False),
    ],
)
def test_choice_match_string(prediction: str | None, expected: int | None, match: bool) -> None:
    df = pl.DataFrame(
        {"p": [prediction], "e": [expected], "c": [CHOICES]},
        schema={"p": pl.String, "e": pl.Int64, "c": pl.List(pl.String)},
    )
    assert df.select(choice_match("p", "e", "c"))["p"].to_list() == [match]


def test_choice_match_integer_prediction_is_an_index() -> None:
    choices = ["1", "2", "3"]
    df = pl.DataFrame({"p": [0, 1, 2, 5, None], "e": [0, 0, 2, 5, 0], "c": [choices] * 5})
    # 1 is index 1 (the choice "2"), never the choice text "1".
    assert df.select(choice_match("p", "e", "c"))["p"].to_list() == [
        True,
        False,
        True,
        False,
        False,
    ]


def test_choice_match_free_text() -> None:
    df = pl.DataFrame(
        {
            "p": ["So the answer is (B).", "A good guess: C", "B", "lyon", "no idea"],
            "e": [1, 1, 1, 1, 1],
            "c": [CHOICES] * 5,
        }
    )
    assert df.select(choice_match("p", "e", "c", free_text=True))["p"].to_list() == [
        True,
        False,
        True,
        True,
        False,
    ]


def test_choice_match_per_row_choices() -> None:
    df = pl.DataFrame(
        {
            "p": ["yes", "no", "Blue"],
            "e": [0, 0, 2],
            "c": [["yes", "no"], ["yes", "no"], ["red", "green", "blue"]],
        }
    )
    assert df.select(choice_match("p", "e", "c"))["p"].to_list() == [True, False, True]


# --- token F1 -----------------------------------------------------------------------


def _squad_f1(prediction: str, reference: str) -> float:
    """The official SQuAD v2 computation, as a reference."""
    import re
    import string

    def norm(s: str) -> str:
        s = s.lower()
        s = "".join(ch for ch in s if ch not in set(string.punctuation))
        s = re.sub(r"\b(a|an|the)\b", " ", s)
        return " ".join(s.split())

    p, r = norm(prediction).split(), norm(reference).split()
    if not p or not r:
        return float(p == r)
    common = sum((Counter(p) & Counter(r)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(p), common / len(r)
    return 2 * precision * recall / (precision + recall)


F1_CASES = [
    ("the cat sat", "A cat sat down", 0.8),
    ("cat cat", "the cat", 2 / 3),  # multiset: one cat in common
    ("cat cat dog", "cat cat cat", 2 * (2 / 3) * (2 / 3) / (4 / 3)),
    ("Paris", "paris!", 1.0),
    ("", "", 1.0),
    ("the", "a", 1.0),  # both empty after normalization
    ("", "dog", 0.0),
    ("dog", "", 0.0),
    ("red fish", "blue whale", 0.0),
]


@pytest.mark.parametrize(("prediction", "reference", "expected"), F1_CASES)
def test_token_f1_hand_worked(prediction: str, reference: str, expected: float) -> None:
    df = pl.DataFrame({"p": [prediction], "r": [reference]})
    got = df.select(token_f1("p", "r"))["p"].item()
    assert got == pytest.approx(expected)
    assert got == pytest.approx(_squad_f1(prediction, reference))


def test_token_f1_nulls() -> None:
    df = pl.DataFrame(
        {"p": [None, "x"], "r": ["dog", None]}, schema={"p": pl.String, "r": pl.String}
    )
    assert df.select(token_f1("p", "r"))["p"].to_list() == [0.0, None]


def test_token_f1_matches_squad_on_many_rows() -> None:
    words = ["the", "cat", "dog", "a", "sat", "on", "mat", "Mat!", "an", "dog,"]
    rows = [
        (
            " ".join(words[(i * 3 + j) % 10] for j in range(i % 5)),
            " ".join(words[(i + j * 7) % 10] for j in range(i % 4)),
        )
        for i in range(60)
    ]
    df = pl.DataFrame(rows, schema=["p", "r"], orient="row")
    expected = pl.Series("p", [_squad_f1(p, r) for p, r in rows])
    assert_series_equal(df.select(token_f1("p", "r"))["p"], expected, check_exact=False)


# --- pass@k -------------------------------------------------------------------------


def _pass_at_k_comb(n: int, c: int, k: int) -> float:
    if n - c < k:
        return 1.0
    return 1.0 - math.comb(n - c, k) / math.comb(n, k)


def test_pass_at_k_against_math_comb() -> None:
    cases = [
        (n, c, k)
        for n in (1, 5, 10, 20, 200)
        for c in range(0, n + 1, max(1, n // 7))
        for k in (1, 5, 10)
        if k <= n
    ]
    df = pl.DataFrame(cases, schema=["n", "c", "k"], orient="row")
    for k in (1, 5, 10):
        sub = df.filter(pl.col("k") == k)
        got = sub.select(pass_at_k("n", "c", k=k))["pass_at_k"].to_list()
        want = [_pass_at_k_comb(n, c, k) for n, c in sub.select("n", "c").iter_rows()]
        assert got == pytest.approx(want, abs=1e-12)


def test_pass_at_k_edges_and_undefined() -> None:
    df = pl.DataFrame({"n": [10, 10, 3, 5, 5, None], "c": [0, 10, 1, 6, -1, 1]})
    got = df.select(pass_at_k("n", "c", k=5))["pass_at_k"].to_list()
    assert got == [0.0, 1.0, None, None, None, None]
    # k=1: 0, 1 and 1/3 on the valid rows; the mean skips the undefined ones.
    assert df.select(pass_at_k("n", "c", k=1).mean())["pass_at_k"].item() == pytest.approx(4 / 9)


@pytest.mark.parametrize("k", [0, -1, 1.5, True])
def test_pass_at_k_rejects_bad_k(k: Any) -> None:
    with pytest.raises(InvalidInputError, match="k="):
        pass_at_k("n", "c", k=k)


def test_pass_at_k_in_group_by() -> None:
    df = pl.DataFrame({"task": ["a", "a", "b"], "n": [10, 10, 10], "c": [1, 3, 0]})
    out = df.group_by("task", maintain_order=True).agg(pass_at_k("n", "c", k=1).mean())
    assert out["pass_at_k"].to_list() == pytest.approx([0.2, 0.0])


# --- optional metrics extra ---------------------------------------------------------


def _hide(monkeypatch: pytest.MonkeyPatch, *modules: str) -> None:
    for name in modules:
        monkeypatch.setitem(sys.modules, name, None)  # makes import raise ImportError


def test_bleu_and_rouge_without_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    _hide(monkeypatch, "sacrebleu", "sacrebleu.metrics", "rouge_score", "rouge_score.rouge_scorer")
    with pytest.raises(
        MissingDependencyError, match=r"pip install 'crucible-pl\[metrics\]'"
    ) as err:
        bleu("p", "r")
    assert isinstance(err.value, ImportError)
    assert "sacrebleu" in str(err.value)
    with pytest.raises(MissingDependencyError, match="rouge-score"):
        rouge("p", "r")


def test_rouge_rejects_unknown_type() -> None:
    with pytest.raises(InvalidInputError, match="'rouge3'"):
        rouge("p", "r", rouge_type="rouge3")  # type: ignore[arg-type]


def test_bleu_and_rouge_plumbing_with_stand_in_libraries(monkeypatch: pytest.MonkeyPatch) -> None:
    # Stand-ins with the libraries' call shapes check the row plumbing, not the metrics.
    class _Score:
        def __init__(self, score: float) -> None:
            self.score = score
            self.fmeasure = score / 100

    class BLEU:
        def __init__(self, *, effective_order: bool) -> None:
            assert effective_order

        def sentence_score(self, hypothesis: str, references: list[str]) -> _Score:
            return _Score(100.0 * (hypothesis == references[0]))

    class RougeScorer:
        def __init__(self, types_: list[str], *, use_stemmer: bool) -> None:
            self.types = types_

        def score(self, target: str, prediction: str) -> dict[str, _Score]:
            return {self.types[0]: _Score(100.0 * (len(prediction) / len(target)))}

    sacrebleu_metrics = types.ModuleType("sacrebleu.metrics")
    sacrebleu_metrics.BLEU = BLEU  # type: ignore[attr-defined]
    rouge_module = types.ModuleType("rouge_score.rouge_scorer")
    rouge_module.RougeScorer = RougeScorer  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "sacrebleu.metrics", sacrebleu_metrics)
    monkeypatch.setitem(sys.modules, "rouge_score.rouge_scorer", rouge_module)

    df = pl.DataFrame({"p": ["a b", "x", None], "r": ["a b", "yy", "z"]})
    out = df.select(bleu("p", "r"), rouge("p", "r", rouge_type="rouge1"))
    expected = pl.DataFrame({"bleu": [100.0, 0.0, None], "rouge1": [1.0, 0.5, None]})
    assert_frame_equal(out, expected)
