r"""extract_choice_letter: each documented form of a choice letter, and the texts that are none.

Each test names one rule of :mod:`crucible_pl.scoring._letters`; the negative cases
check that the article "A", the pronoun "I" and lower-case words never read as a choice.
"""

from __future__ import annotations

import polars as pl
import pytest

from crucible_pl.scoring import choice_match, evaluate, extract_answer, extract_choice_letter
from tests.conftest import NO_SHARED, SHARED_HUB

LETTERS = "ABCDEFGHIJ"


def _letters(texts: list[str | None]) -> list[str | None]:
    frame = pl.DataFrame({"r": texts}, schema={"r": pl.String})
    return frame.select(extract_choice_letter("r"))["r"].to_list()


def _letter(text: str) -> str | None:
    letter = _letters([text])[0]
    # The "choice_letter" strategy of extract_answer is the same function.
    strategy = pl.DataFrame({"r": [text]}).select(extract_answer("r", "choice_letter")).item()
    assert strategy == letter
    return letter


# --- the reply is the letter ------------------------------------------------------------


@pytest.mark.parametrize("text", ["C", "(C)", "[C]", "C.", "C)", "C:", " (C) ", "(c)", "c"])
def test_lone_letter_forms(text: str) -> None:
    assert _letter(text) == "C"


def test_latex_textbf_bracketed_letter() -> None:
    assert _letter(r"\textbf{(C)}") == "C"


def test_boxed_letter() -> None:
    assert _letter(r"\boxed{C}") == "C"
    assert _letter(r"$\boxed{C}$") == "C"
    assert _letter(r"\fbox{C}") == "C"
    assert _letter(r"\boxed{\text{C}}") == "C"
    assert _letter(r"\boxed{(c)}") == "C"


def test_markdown_bold_letter() -> None:
    assert _letter("**C**") == "C"


def test_markdown_bold_bracketed_letter() -> None:
    assert _letter("**(C)**") == "C"


def test_letter_alone_on_the_last_line_after_reasoning() -> None:
    assert _letter("A and B both fail here.\n\n**D**") == "D"


def test_reply_opening_with_the_letter() -> None:
    assert _letter("C. Because A and B are wrong.") == "C"
    assert _letter("(B) Lyon, since A is too far north") == "B"


# --- explicit answer cues -----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Answer: C",
        "answer: c",
        "ANSWER:C",
        "**Answer:** C",
        "**Answer: C**",
        "The answer is (C)",
        "The answer is: C.",
        "the answer is [c]",
        "The correct answer is C",
        "the best option is C",
        "My choice is (C).",
        "Final answer: C",
        "**Final Answer:** (C)",
        "The final answer is $\\boxed{C}$",
        "The answer to this question is C.",
        "The correct answer would be C",
        "The answer is option C",
        "Answer:\n\nC",
        "The answer is C because the others fail.",
    ],
)
def test_explicit_answer_cue(text: str) -> None:
    assert _letter(text) == "C"


def test_last_explicit_answer_wins_over_earlier_mentions() -> None:
    reply = (
        "Let's check each option. (A) is wrong because the rate doubles. B looks right at "
        "first, but option B ignores friction. D is a distractor.\n"
        "So the answer is C."
    )
    assert _letter(reply) == "C"


def test_last_explicit_answer_wins_over_earlier_answers() -> None:
    assert _letter("Answer: B\nWait, that ignores the sign.\nAnswer: C") == "C"
    assert _letter("The answer is not A; the answer is (C).") == "C"


def test_explicit_answer_beats_an_earlier_bracketed_letter() -> None:
    assert _letter("(A) and (B) are both tempting, but the best answer is D.") == "D"


def test_answer_letters_a_and_i_after_a_cue() -> None:
    assert _letter("Answer: A") == "A"
    assert _letter("The answer is I.") == "I"
    assert _letter("The answer is A because the others fail.") == "A"


# --- weaker readings --------------------------------------------------------------------


def test_letter_named_by_option_or_a_choice_verb() -> None:
    assert _letter("Option F is best") == "F"
    assert _letter("Between A and B, I'd pick C") == "C"
    assert _letter("I would go with (b)") == "B"


def test_last_bracketed_letter() -> None:
    assert _letter("Not sure, maybe [c]") == "C"
    assert _letter("First, (A) fails and (B) fails, so (D)") == "D"


def test_capital_standing_alone() -> None:
    assert _letter("I think D is right") == "D"
    assert _letter("It is J.") == "J"
    assert _letter("C is right, not A") == "C"


# --- never a letter -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "A good guess",  # the article
        "A bit unsure",
        "I have no idea",  # the pronoun
        "I'd rather not say",
        "The answer is a bit unclear",  # a lower-case article after a cue
        "The answer is A good question",  # the article after a cue
        "The answer is I think unknowable",  # the pronoun after a cue
        "f(a) = 3 and g(b) = 4",  # function arguments, not choices
        "Consider cases (i) and (ii)",  # a roman numeral
        "K is not a choice",  # beyond J
        "Answer: Paris",
        "Be careful here",
        "",
    ],
)
def test_not_a_letter(text: str) -> None:
    assert _letter(text) is None


def test_null_stays_null() -> None:
    assert _letters([None, "B"]) == [None, "B"]


def test_per_group_equals_whole_frame() -> None:
    # The weaker tiers run only on rows without an explicit answer (a filter and a
    # gather): per group in agg, and on an empty frame, the result must not change.
    replies = ["Answer: B", "I think D is right", None, "A bit unsure", "(C)", "x"]
    frame = pl.DataFrame({"g": [1, 1, 2, 2, 3, 3], "r": replies})
    whole = frame.select(extract_choice_letter("r"))["r"].to_list()
    assert whole == ["B", "D", None, None, "C", None]
    per_group = (
        frame.with_row_index("i")
        .group_by("g")
        .agg("i", extract_choice_letter("r"))
        .explode("i", "r")
        .sort("i")["r"]
        .to_list()
    )
    assert per_group == whole
    assert frame.clear().select(extract_choice_letter("r")).height == 0


def test_keeps_the_column_name() -> None:
    out = pl.DataFrame({"reply": ["Answer: B"]}).select(extract_choice_letter("reply"))
    assert out.columns == ["reply"]
    assert out.schema["reply"] == pl.String


def test_choice_match_free_text_reads_these_forms() -> None:
    replies = ["**Answer:** B", r"\boxed{B}", "A is wrong, so the answer is B.", "A good one"]
    frame = pl.DataFrame({"p": replies, "e": [1] * 4, "c": [["x", "y", "z"]] * 4})
    assert frame.select(choice_match("p", "e", "c", free_text=True))["p"].to_list() == [
        True,
        True,
        True,
        False,
    ]


# --- real MMLU rows: every form of the gold letter scores 1, a wrong final answer 0 ------

MMLU = SHARED_HUB / "datasets/cais/mmlu"
FORMS = [
    "({})",
    "{}.",
    "{})",
    "\\textbf{{({})}}",
    "\\boxed{{{}}}",
    "$\\boxed{{\\text{{{}}}}}$",
    "**{}**",
    "**({})**",
    "Answer: {}",
    "**Answer:** {}",
    "The answer is ({}).",
    "The correct answer is {}",
    "the best option is {}",
    "Final answer: {}",
]


def _mmlu_rows() -> pl.DataFrame:
    frames = [
        pl.read_parquet(MMLU / subject / "test-00000-of-00001.parquet").head(40)
        for subject in ("abstract_algebra", "high_school_us_history")
    ]
    return (
        pl.concat(frames)
        .with_row_index("row")
        .select(
            pl.col("row").cast(pl.String).alias("id"),
            pl.col("answer").alias("expected"),
            "choices",
        )
    )


def _score(refs: pl.DataFrame, replies: list[str]) -> list[bool]:
    preds = refs.select("id").with_columns(prediction=pl.Series(replies))
    result = evaluate(refs, preds, family="multiple_choice", n_bootstrap=0)
    assert result.provenance["evaluation"]["extraction"]["choice_match"]["strategy"] == (
        "choice_letter"
    )
    return result.items["choice_match"].to_list()


@pytest.mark.skipif(not MMLU.is_dir(), reason=NO_SHARED)
@pytest.mark.parametrize("form", FORMS)
def test_real_mmlu_gold_letter_in_each_form_scores_one(form: str) -> None:
    refs = _mmlu_rows()
    gold = [LETTERS[e] for e in refs["expected"]]
    wrong = [[x for x in "ABCD" if x != g] for g in gold]
    alone = [form.format(g) for g in gold]
    # The same answer after a discussion that names the three other letters first.
    discussed = [
        f"Let's see. ({w[0]}) fails, option {w[1]} is wrong and {w[2]} is a distractor.\n"
        + form.format(g)
        for g, w in zip(gold, wrong, strict=True)
    ]
    assert _score(refs, alone) == [True] * refs.height
    assert _score(refs, discussed) == [True] * refs.height


@pytest.mark.skipif(not MMLU.is_dir(), reason=NO_SHARED)
def test_real_mmlu_last_answer_cue_wins_over_the_gold_letter_mentioned_first() -> None:
    refs = _mmlu_rows()
    gold = [LETTERS[e] for e in refs["expected"]]
    replies = [
        f"At first ({g}) looks right, and the answer might be {g}. But it fails the last "
        f"condition, so the answer is {next(x for x in 'ABCD' if x != g)}."
        for g in gold
    ]
    assert _score(refs, replies) == [False] * refs.height
