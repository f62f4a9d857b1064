"""Agreement of math graders with hand-judged verdicts (issue 11).

``tests/data/math_agreement.csv`` holds (expected, reply, verdict) cases: ``expected`` is
a real reference answer from GSM8K, MATH or MATH-500 (``source`` names the row), ``reply``
a model-style reply, ``verdict`` what a careful human grader says (1 right, 0 wrong).
Three graders score every row:

- ours: ``evaluate(..., family="math")``'s ``math_match`` (extraction and equivalence);
- Math-Verify alone: ``verify(parse("$" + expected + "$"), parse(reply))`` with its
  defaults (the gold is wrapped in ``$...$`` so its LaTeX extractor sees a math span);
- lm-eval: its hendrycks_math ``is_equiv`` after its reply extraction, reimplemented in
  ``tests/scoring/_lm_eval_is_equiv.py``.

``python bench/agreement.py`` prints the same figures and the disagreeing rows.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import polars as pl
import pytest

from crucible_pl.scoring import evaluate

TABLE = Path(__file__).resolve().parents[1].joinpath("data") / "math_agreement.csv"
SCHEMA = {
    "expected": pl.String,
    "reply": pl.String,
    "verdict": pl.Int64,
    "source": pl.String,
    "note": pl.String,
}
GRADERS = ("math_match", "math_verify", "lm_eval")
"""Grader columns, ours first."""


def _load_lm_eval() -> ModuleType:
    # Loaded by path: tests/ is not a package and pytest runs with --import-mode=importlib.
    spec = importlib.util.spec_from_file_location(
        "_lm_eval_is_equiv", Path(__file__).with_name("_lm_eval_is_equiv.py")
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


lm_eval = _load_lm_eval()


def read_table(path: Path = TABLE) -> pl.DataFrame:
    """The hand-judged table, with an ``id`` per row and empty notes as ``""``."""
    return (
        pl.read_csv(path, schema=SCHEMA)
        .with_columns(pl.col("note").fill_null(""))
        .with_row_index("id")
    )


def _math_verify(expected: str, reply: str) -> bool:
    from math_verify import parse, verify

    return bool(verify(parse(f"${expected}$"), parse(reply)))


def _lm_eval(expected: str, reply: str) -> bool:
    return bool(lm_eval.is_equiv(lm_eval.extract_reply_answer(reply), expected))


def grade(table: pl.DataFrame) -> pl.DataFrame:
    """``table`` with one 0/1 column per grader of :data:`GRADERS`."""
    refs = table.select(pl.col("id").cast(pl.String), "expected")
    preds = table.select(pl.col("id").cast(pl.String), pl.col("reply").alias("prediction"))
    ours = evaluate(refs, preds, family="math", n_bootstrap=0).items.select(
        pl.col("id").cast(pl.UInt32), pl.col("math_match").cast(pl.Int64)
    )
    # The two reference graders are Python functions of one row each: no expression exists.
    pairs = list(zip(table["expected"], table["reply"], strict=True))
    return table.with_columns(
        pl.Series("math_verify", [int(_math_verify(e, r)) for e, r in pairs]),
        pl.Series("lm_eval", [int(_lm_eval(e, r)) for e, r in pairs]),
    ).join(ours, on="id", how="left")


def figures(graded: pl.DataFrame) -> pl.DataFrame:
    """Per grader: n, agreement with the human verdict, false positives and negatives."""
    verdict = pl.col("verdict")
    return pl.concat(
        [
            graded.select(
                pl.lit(name).alias("grader"),
                pl.len().alias("n"),
                (pl.col(name) == verdict).mean().alias("agreement"),
                ((pl.col(name) == 1) & (verdict == 0)).sum().alias("false_positives"),
                ((pl.col(name) == 0) & (verdict == 1)).sum().alias("false_negatives"),
            )
            for name in GRADERS
        ]
    )


def disagreements(graded: pl.DataFrame) -> pl.DataFrame:
    """Rows where at least one grader differs from the human verdict."""
    return graded.filter(pl.any_horizontal(pl.col(n) != pl.col("verdict") for n in GRADERS))


@pytest.fixture(scope="module")
def graded() -> pl.DataFrame:
    return grade(read_table())


def test_table_is_well_formed() -> None:
    table = read_table()
    assert table.height >= 200
    assert table["verdict"].is_in([0, 1]).all()
    lengths = table.select(pl.col("expected", "reply", "source").str.len_chars().min())
    assert min(lengths.row(0)) > 0
    assert table.select("expected", "reply").is_duplicated().sum() == 0
    sources = r"^(gsm8k test row \d+|MATH-500 test/\S+\.json|hendrycks_math \w+ test row \d+)$"
    assert table["source"].str.contains(sources).all()


def test_issue_cases_are_in_the_table() -> None:
    table = read_table()
    cases = [
        ("2", r"The answer is $\frac{1}{2}$.", 0),
        ("3", r"$x=\sqrt{3}$", 0),
        ("2", r"$2\pi$", 0),
        ("1,450,000", "1450001", 0),
        ("5", "−5", 0),
        (r"\frac{14}{3}", r"The answer is $\frac{14}{3}$.", 1),
        (r"\$36", r"\boxed{36}", 1),
        ("x=5", r"\boxed{5}", 1),
        (r"5.4 \text{ cents}", r"\boxed{5.4}", 1),
        (r"11\sqrt2", r"\boxed{11\sqrt{2}}", 1),
        (r"20\%", r"\boxed{20}", 1),
        ("18", "#### Final Answer\n\\boxed{18}", 1),
    ]
    for expected, fragment, verdict in cases:
        hits = table.filter(
            (pl.col("expected") == expected)
            & pl.col("reply").str.contains(fragment, literal=True)
            & (pl.col("verdict") == verdict)
        )
        assert hits.height >= 1, (expected, fragment)
    bare = table.filter(pl.col("note") == "bare gold answer")
    assert bare.height >= 20
    assert (bare["expected"] == bare["reply"]).all()


def test_agreement_with_human_verdicts(graded: pl.DataFrame, tmp_path: Path) -> None:
    table = figures(graded)
    report = tmp_path / "agreement.txt"
    with pl.Config(tbl_rows=-1, fmt_str_lengths=80, tbl_width_chars=200):
        report.write_text(f"{table}\n{disagreements(graded).drop('note')}\n")
    print(report.read_text())
    ours = table.row(0, named=True)
    best_other = table["agreement"][1:].max()
    assert isinstance(best_other, float)
    assert ours["agreement"] >= best_other, f"see {report}"
    assert ours["false_positives"] == 0, f"see {report}"


# The examples lm-eval's own comments give for its rewrites.
@pytest.mark.parametrize(
    ("raw", "stripped"),
    [
        (r"\frac12", r"\frac{1}{2}"),
        (r"\frac1b", r"\frac{1}{b}"),
        (r"\frac1{72}", r"\frac{1}{72}"),
        (r"\frac{72}1", r"\frac{72}1"),
        ("3/4", r"\frac{3}{4}"),
        (r"\sqrt3", r"\sqrt{3}"),
        ("0.5", r"\frac{1}{2}"),
        (".5", r"\frac{1}{2}"),
        ("k = 7", "7"),
        (r"\dfrac{3}{4}", r"\frac{3}{4}"),
        (r"\tfrac{3}{4}", r"\frac{3}{4}"),
        (r"\left( 1, 2 \right)", "(1,2)"),
        (r"90^\circ", "90"),
        (r"90^{\circ}", "90"),
        (r"\$36", "36"),
        (r"20\%", "20"),
        (r"5.4 \text{ cents}", "5.4"),
        (r"10,\!080", "10,080"),
        ("{.5}", "{0.5}"),
        ("x + 2 = y", "x+2=y"),
    ],
)
def test_lm_eval_strip_string(raw: str, stripped: str) -> None:
    assert lm_eval.strip_string(raw) == stripped


@pytest.mark.parametrize(
    ("first", "second", "equal"),
    [
        (r"\frac{1}{2}", "0.5", True),
        (r"\frac12", "1/2", True),
        ("x=5", "5", True),
        (r"11\sqrt2", r"11\sqrt{2}", True),
        ("2", r"\frac{1}{2}", False),
        ("1450000", "1,450,000", False),  # no thousands separator rule
        ("a/b", "a/b", True),  # a/b cannot be rewritten: raw strings compared
        ("a/b", "a / b", False),
        (None, None, True),
        ("1", None, False),
    ],
)
def test_lm_eval_is_equiv(first: str | None, second: str | None, equal: bool) -> None:
    assert lm_eval.is_equiv(first, second) is equal


@pytest.mark.parametrize(
    ("reply", "answer"),
    [
        (r"so $\boxed{\frac{1}{2}}$.", r"\frac{1}{2}"),
        (r"\boxed{1} then \boxed{2}", "2"),
        (r"\fbox{4}", r"\fbox{4}"),  # remove_boxed refuses \fbox: whole reply kept
        ("Final Answer: The final answer is $540$. I hope it is correct.", "540"),
        (r"The answer is $\frac{14}{3}$.", r"\frac{14}{3}"),
        ("#### 18", "#### 18"),
    ],
)
def test_lm_eval_extraction(reply: str, answer: str) -> None:
    assert lm_eval.extract_reply_answer(reply) == answer
