"""The fields prompt templates read: named Polars expressions over canonical columns.

Templates (data, in :mod:`crucible_pl.prompts._formats`) name these fields; the
expressions (code) say how each is computed from the canonical columns. Every field is
a String expression, evaluated lazily with the rest of the query.

Examples
--------
>>> import polars as pl
>>> from crucible_pl.prompts._fields import FIELDS
>>> df = pl.DataFrame({"choices": [["red", "blue"]], "expected": [1]})
>>> df.select(FIELDS["choice_lines"].expr, FIELDS["letter"].expr).row(0)
('A. red\\nB. blue', 'B')
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl

__all__ = ["CHOICE_FIELDS", "FIELDS", "Field", "hellaswag_clean", "letters"]

_LETTERS = dict(enumerate(string.ascii_uppercase))


@dataclass(frozen=True)
class Field:
    """A template field: its expression, the canonical columns it reads, what it is."""

    expr: pl.Expr
    columns: tuple[str, ...]
    doc: str


def letters(index: pl.Expr) -> pl.Expr:
    """0 -> ``"A"``, 1 -> ``"B"``... (null past ``"Z"`` or for a null index)."""
    return index.replace_strict(_LETTERS, default=None, return_dtype=pl.String)


def hellaswag_clean(text: pl.Expr) -> pl.Expr:
    """lm-eval's HellaSwag clean-up (``hellaswag/utils.py``'s ``preprocess``).

    Strip; ``" [title]"`` becomes ``". "``; every other ``[...]`` (WikiHow headers such
    as ``[header]``, ``[step]``) is removed; then each run of two spaces becomes one
    (a single left-to-right pass, as Python's ``str.replace``).
    """
    return (
        text.str.strip_chars()
        .str.replace_all(" [title]", ". ", literal=True)
        .str.replace_all(r"\[.*?\]", "")
        .str.replace_all("  ", " ", literal=True)
    )


def _capitalize(text: pl.Expr) -> pl.Expr:
    """Python's ``str.capitalize``: the first character upper case, the rest lower."""
    return pl.concat_str(
        text.str.slice(0, 1).str.to_uppercase(), text.str.slice(1).str.to_lowercase()
    )


_EXPECTED = pl.col("expected")
_CHOICES = pl.col("choices")

FIELDS: Mapping[str, Field] = {
    "input": Field(pl.col("input"), ("input",), "the item's `input`, as is"),
    "input_stripped": Field(
        pl.col("input").str.strip_chars(), ("input",), "`input` without surrounding whitespace"
    ),
    "choice_lines": Field(
        _CHOICES.list.eval(
            pl.concat_str(letters(pl.int_range(pl.len())), pl.lit(". "), pl.element())
        ).list.join("\n"),
        ("choices",),
        "the options, one per line: `A. ...`, `B. ...`",
    ),
    "subject_words": Field(
        pl.col("subject").str.replace_all("_", " ", literal=True),
        ("subject",),
        "`subject` with underscores as spaces (`high school us history`)",
    ),
    "letter": Field(letters(_EXPECTED), ("expected",), "the letter of the right option"),
    "expected": Field(_EXPECTED.cast(pl.String), ("expected",), "`expected` as text"),
    "expected_choice": Field(
        _CHOICES.list.get(_EXPECTED, null_on_oob=True),
        ("choices", "expected"),
        "the text of the right option",
    ),
    "expected_choice_clean": Field(
        hellaswag_clean(_CHOICES.list.get(_EXPECTED, null_on_oob=True)),
        ("choices", "expected"),
        "the right option after the HellaSwag clean-up",
    ),
    "solution": Field(pl.col("solution"), ("solution",), "the worked solution"),
    "hellaswag_query": Field(
        hellaswag_clean(
            pl.concat_str(
                pl.col("subject"),
                pl.lit(": "),
                pl.col("ctx_a"),
                pl.lit(" "),
                _capitalize(pl.col("ctx_b")),
            )
        ),
        ("subject", "ctx_a", "ctx_b"),
        "lm-eval's HellaSwag query: `activity_label: ctx_a Ctx_b`, cleaned up",
    ),
}
"""Every field a question, answer or header template may read."""

CHOICE_FIELDS: Mapping[str, pl.Expr] = {
    "choice": pl.element(),
    "choice_clean": hellaswag_clean(pl.element()),
    "choice_letter": letters(pl.int_range(pl.len())),
}
"""The fields a continuation template may read: one option, inside ``list.eval``."""
