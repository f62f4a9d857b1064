"""Multiple-choice scoring as a Polars expression."""

from __future__ import annotations

import polars as pl

from crucible_pl.scoring._letters import extract_choice_letter
from crucible_pl.scoring._text import (
    ColumnOrExpr,
    _col,
    _computed_where,
    _named,
    normalize_text,
)

__all__ = ["choice_match"]

_LETTER_INDEX = {letter: index for index, letter in enumerate("ABCDEFGHIJ")}

# Every text that reads as a lone choice letter: A-J in either case, optionally opened by
# "(" or "[" and closed by ")", "]", "." or ":" (the language of the regular expression
# ``^[\(\[]?([A-Ja-j])[\)\]\.:]?$``). The language is finite (300 texts), so a hash
# lookup replaces the regex, upper-casing and letter lookup: a third of their cost.
_LETTER_FORMS = {
    opening + letter + closing: index
    for upper, index in _LETTER_INDEX.items()
    for letter in (upper, upper.lower())
    for opening in ("", "(", "[")
    for closing in ("", ")", "]", ".", ":")
}


def _letter_index(letter: pl.Expr) -> pl.Expr:
    return letter.replace_strict(_LETTER_INDEX, default=None, return_dtype=pl.Int64)


def _lone_letter_index(text: pl.Expr) -> pl.Expr:
    """The 0-based index of a text that is a lone choice letter (see _LETTER_FORMS)."""
    return text.replace_strict(_LETTER_FORMS, default=None, return_dtype=pl.Int64)


def _digits_value(text: pl.Expr) -> pl.Expr:
    """The Int64 value of a text made only of ASCII digits (``^\\d+$``); null otherwise.

    An unsigned cast reads exactly such texts, and also a leading ``+``, which is excluded
    here; values beyond Int64 become null, as with the regex and a checked cast.
    """
    unsigned = pl.when(~text.str.starts_with("+")).then(text).cast(pl.UInt64, strict=False)
    return unsigned.cast(pl.Int64, strict=False)


def _normalize_choices(choices: pl.Expr) -> pl.Expr:
    # normalize_text over the joined choices, then split again: one vectorized pass over
    # strings instead of a list.eval per row. NUL is neither punctuation, nor white space,
    # nor a word character, so it survives normalization as the separator.
    joined = normalize_text(choices.list.join("\x00"))
    return joined.str.replace_all(r" ?\x00 ?", "\x00").str.split("\x00")


def _texts_match(texts: pl.Expr, expected_texts: pl.Expr) -> pl.Expr:
    return normalize_text(texts) == normalize_text(expected_texts)


def _is_other_choice(texts: pl.Expr, choices: pl.Expr) -> pl.Expr:
    return _normalize_choices(choices).list.contains(normalize_text(texts))


def _free_text_letter(texts: pl.Expr) -> pl.Expr:
    return _letter_index(extract_choice_letter(texts))


def _string_choice_match(
    prediction: pl.Expr, expected: pl.Expr, choices: pl.Expr, *, free_text: bool
) -> pl.Expr:
    f = pl.field
    text, exp, letter, digit = f("text"), f("expected"), f("letter"), f("digit")
    choices_field, expected_text = f("choices"), f("expected_text")
    text_match, other = f("text_match"), f("other")
    # Letters and digits are read on every row with cheap lookups and casts. The costly
    # readings (normalizing texts, searching the choices) run only on the rows that need
    # them, through _computed_where: a prediction that is a letter is never normalized.
    bound = (
        pl.struct(text=prediction.str.strip_chars(), expected=expected, choices=choices)
        .struct.with_fields(
            letter=_lone_letter_index(text),
            digit=_digits_value(text),
            expected_text=choices_field.list.get(exp, null_on_oob=True),
        )
        .struct.with_fields(
            unread=letter.is_null() & digit.is_null() & text.is_not_null(),
            has_digit=digit.is_not_null(),
        )
        .struct.with_fields(
            text_match=_computed_where(
                f("unread"), _texts_match, text, expected_text, dtype=pl.Boolean()
            ),
            # Searching every row's choices costs less than filtering the list column.
            digit_is_choice=f("has_digit") & choices_field.list.contains(text),
        )
    )
    readings = (
        pl.when(letter.is_not_null())
        .then(letter == exp)
        .when(f("digit_is_choice"))
        .then(expected_text.str.strip_chars() == text)
        .when(digit.is_not_null())
        .then(digit == exp)
        .when(text_match)
        .then(True)
    )
    if not free_text:
        return bound.struct.with_fields(matched=readings.otherwise(False)).struct.field("matched")
    bound = (
        bound.struct.with_fields(wrong_text=text_match.not_().fill_null(False))
        .struct.with_fields(
            other=_computed_where(
                f("wrong_text"), _is_other_choice, text, choices_field, dtype=pl.Boolean()
            )
        )
        .struct.with_fields(unmatched=f("wrong_text") & other.not_().fill_null(False))
        .struct.with_fields(
            extracted=_computed_where(f("unmatched"), _free_text_letter, text, dtype=pl.Int64())
        )
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
