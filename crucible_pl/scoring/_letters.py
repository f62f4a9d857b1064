"""Find a choice letter (A-J) in a free-text reply, as a Polars expression.

The rules of :func:`extract_choice_letter` (the ``"choice_letter"`` strategy of
:func:`~crucible_pl.scoring.extract_answer`):

One choice letter A-J, upper-cased, found by the first of these rules that applies:

1. a cue: ``answer is X``, ``answer: X``, ``answer is (X)``, ``option X`` (cue words
   in any case; the letter upper-case and standing alone, or lower-case and followed
   by a bracket, ``.``, ``:``, ``,`` or the end of the text);
2. the reply opens with a letter standing alone: ``B``, ``B.``, ``B)``, ``B:``,
   ``(B)``, ``[B]`` (then anything); lower-case only as ``b``, ``b)``, ``(b)`` or
   ``[b]``;
3. the first letter in brackets anywhere: ``(B)`` or ``[b]``;
4. the first upper-case letter standing alone, unless a lower-case word follows it
   other than *is/was/would/should/seems/looks/appears/and/or*. This keeps the
   article in "A good answer" and the pronoun in "I think" out, while "C is right"
   and "... so C" still count.

Null when no rule applies.
"""

from __future__ import annotations

import polars as pl

from crucible_pl.scoring._text import ColumnOrExpr, _as_text, _named

__all__ = ["extract_choice_letter"]

_CUE = r"(?:(?i:answer)\s*(?:(?i:is)\s*:?|:)|(?i:option))\s*"
_CUE_LETTER = _CUE + r"[\(\[]?([A-J])\b"
_CUE_LOWER_LETTER = _CUE + r"[\(\[]?([a-j])(?:[\)\]\.:,]|\s*$)"
_LEADING_LETTER = r"^\s*[\(\[]?([A-J])(?:[\)\]\.:]|\s*$)"
_LEADING_LOWER_LETTER = r"^\s*[\(\[]?([a-j])(?:[\)\]]|\s*$)"
_BRACKETED_LETTER = r"[\(\[]([A-Ja-j])[\)\]]"
_STANDALONE_LETTER = r"\b[A-J]\b(?:[ \t]+[a-z]+)?"
_VERB_AFTER_LETTER = r"^[A-J](?:$|[ \t]+(?:is|was|would|should|seems|looks|appears|and|or)$)"


def extract_choice_letter(expr: ColumnOrExpr) -> pl.Expr:
    """Find a choice letter A-J in a free-text reply (the ``"choice_letter"`` strategy).

    The rules, in order, are listed in the module documentation of
    :mod:`crucible_pl.scoring._letters`.

    Parameters
    ----------
    expr
        A String column name or expression.

    Returns
    -------
    pl.Expr
        A String expression holding one upper-case letter, or null.

    Examples
    --------
    >>> import polars as pl
    >>> from crucible_pl.scoring import extract_choice_letter
    >>> replies = ["A good answer is (B).", "C. Because", "I think D is right", "A bit unsure"]
    >>> pl.DataFrame({"r": replies}).select(extract_choice_letter("r"))["r"].to_list()
    ['B', 'C', 'D', None]
    """
    text = pl.field("text")
    standalone = (
        text.str.extract_all(_STANDALONE_LETTER)
        .list.eval(pl.element().filter(pl.element().str.contains(_VERB_AFTER_LETTER)))
        .list.first()
        .str.head(1)
    )
    letter = pl.coalesce(
        text.str.extract(_CUE_LETTER, 1),
        text.str.extract(_CUE_LOWER_LETTER, 1).str.to_uppercase(),
        text.str.extract(_LEADING_LETTER, 1),
        text.str.extract(_LEADING_LOWER_LETTER, 1).str.to_uppercase(),
        text.str.extract(r"^\s*" + _BRACKETED_LETTER, 1).str.to_uppercase(),
        text.str.extract(_BRACKETED_LETTER, 1).str.to_uppercase(),
        standalone,
    )
    found = pl.struct(text=_as_text(expr)).struct.with_fields(letter=letter)
    return _named(found.struct.field("letter"), expr)
