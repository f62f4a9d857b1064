"""Multiple-choice scoring as a Polars expression."""

from __future__ import annotations

import polars as pl

from crucible_pl.scoring._answers import extract_choice_letter
from crucible_pl.scoring._text import ColumnOrExpr, _col, _named, normalize_text

__all__ = ["choice_match"]

_LETTER = r"^[\(\[]?([A-Ja-j])[\)\]\.:]?$"
_LETTER_INDEX = {letter: index for index, letter in enumerate("ABCDEFGHIJ")}


def _letter_index(letter: pl.Expr) -> pl.Expr:
    return letter.replace_strict(_LETTER_INDEX, default=None, return_dtype=pl.Int64)


def _normalize_choices(choices: pl.Expr) -> pl.Expr:
    # normalize_text over the joined choices, then split again: one vectorized pass over
    # strings instead of a list.eval per row. NUL is neither punctuation, nor white space,
    # nor a word character, so it survives normalization as the separator.
    joined = normalize_text(choices.list.join("\x00"))
    return joined.str.replace_all(r" ?\x00 ?", "\x00").str.split("\x00")


def _string_choice_match(
    prediction: pl.Expr, expected: pl.Expr, choices: pl.Expr, *, free_text: bool
) -> pl.Expr:
    f = pl.field
    text, exp, letter, digit = f("text"), f("expected"), f("letter"), f("digit")
    unread, norm, text_match, other = f("unread"), f("norm"), f("text_match"), f("other")
    bound = (
        pl.struct(text=prediction.str.strip_chars(), expected=expected, choices=choices)
        .struct.with_fields(
            letter=_letter_index(text.str.extract(_LETTER, 1).str.to_uppercase()),
            digit=text.str.extract(r"^(\d+)$", 1).cast(pl.Int64, strict=False),
            expected_text=f("choices").list.get(exp, null_on_oob=True),
        )
        .struct.with_fields(unread=letter.is_null() & digit.is_null())
        # Normalization is the costly part: run it only where neither letter nor digits
        # were read (a null input costs nothing), and only on the expected choice.
        .struct.with_fields(
            norm=normalize_text(pl.when(unread).then(text)),
            expected_norm=normalize_text(pl.when(unread).then(f("expected_text"))),
            digit_is_choice=pl.when(digit.is_not_null()).then(f("choices").list.contains(text)),
        )
        .struct.with_fields(text_match=norm == f("expected_norm"))
    )
    readings = (
        pl.when(letter.is_not_null())
        .then(letter == exp)
        .when(f("digit_is_choice"))
        .then(f("expected_text").str.strip_chars() == text)
        .when(digit.is_not_null())
        .then(digit == exp)
        .when(text_match)
        .then(True)
    )
    if not free_text:
        return bound.struct.with_fields(matched=readings.otherwise(False)).struct.field("matched")
    wrong_text = text_match.not_()
    bound = bound.struct.with_fields(
        other=_normalize_choices(pl.when(wrong_text).then(f("choices"))).list.contains(norm)
    ).struct.with_fields(
        extracted=_letter_index(extract_choice_letter(pl.when(wrong_text & ~other).then(text)))
    )
    matched = readings.when(other).then(False).otherwise(f("extracted") == exp)
    return bound.struct.with_fields(matched=matched).struct.field("matched")


def choice_match(
    prediction: ColumnOrExpr,
    expected: ColumnOrExpr,
    choices: ColumnOrExpr,
    *,
    free_text: bool = False,
) -> pl.Expr:
    """Whether a multiple-choice prediction picks the expected choice.

    The prediction is read according to its dtype:

    * an **integer** prediction is a 0-based index into ``choices``;
    * a **String** prediction is tried, in order, as (1) a letter A-J in any case, alone or
      as ``(B)``, ``[B]``, ``B.``, ``B)`` or ``B:`` (A is index 0); (2) digits: a 0-based
      index, unless the digits are exactly one of the choices, such as ``"12"`` among
      ``["10", "12"]``, which then picks that choice; (3) the text of a choice, compared
      with the expected choice after :func:`normalize_text`.

    With ``free_text=True`` a String prediction that none of these readings accepts, such
    as ``"I think (C) is right"``, is read as the letter that
    ``extract_answer(..., "choice_letter")`` finds (``evaluate`` does this). A null
    anywhere, or an expected index out of range, gives ``False``.

    Parameters
    ----------
    prediction
        The prediction column name or expression (String or integer).
    expected
        The expected 0-based index (Int64) column name or expression.
    choices
        The List(String) column name or expression of the choices.
    free_text
        Fall back to finding a choice letter in free text (see above).

    Returns
    -------
    pl.Expr
        A Boolean expression named after ``prediction``.

    Examples
    --------
    >>> import polars as pl
    >>> from crucible_pl.scoring import choice_match
    >>> choices = ["Paris", "Lyon", "Nice"]
    >>> df = pl.DataFrame(
    ...     {
    ...         "p": ["(B)", "b.", "1", " lyon!", "Paris", "D"],
    ...         "expected": [1] * 6,
    ...         "choices": [choices] * 6,
    ...     }
    ... )
    >>> df.select(choice_match("p", "expected", "choices"))["p"].to_list()
    [True, True, True, True, False, False]
    >>> df.with_columns(p=pl.Series([1, 0, 1, 2, 3, 1])).select(
    ...     choice_match("p", "expected", "choices")
    ... )["p"].to_list()
    [True, False, True, False, False, True]
    >>> replies = pl.DataFrame(
    ...     {"p": ["So the answer is (B).", "A good guess: C"], "e": [1, 1], "c": [choices] * 2}
    ... )
    >>> replies.select(choice_match("p", "e", "c", free_text=True))["p"].to_list()
    [True, False]
    """
    expected_expr = _col(expected).cast(pl.Int64, strict=False)
    choices_expr = _col(choices)

    expected_in_range = expected_expr.is_between(0, choices_expr.list.len(), closed="left")

    def by_dtype(expr: pl.Expr, dtype: pl.DataType) -> pl.Expr:
        if dtype.is_integer():
            return expr.cast(pl.Int64) == expected_expr
        return _string_choice_match(
            expr.cast(pl.String), expected_expr, choices_expr, free_text=free_text
        )

    # pipe_with_dtype picks the reading at plan time, from the prediction's real dtype.
    matched = _col(prediction).pipe_with_dtype(by_dtype)
    return _named((matched & expected_in_range).fill_null(False), prediction)
