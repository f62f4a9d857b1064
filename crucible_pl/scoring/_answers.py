"""Pull the final answer out of a model's free-text reply, as Polars expressions.

Strategies of :func:`extract_answer`:

``"gsm8k"``
    The first line of text after the last ``####``, stripped, with ``,`` and ``$`` removed
    (the form of GSM8K's canonical ``expected``). Null without ``####``.
``"last_number"``
    The last number (see :mod:`crucible_pl.scoring._numeric`) as text, without ``$``,
    ``,`` and ``%``: ``"Total: $1,234"`` gives ``"1234"``.
``"boxed"``
    The content of the last ``\\boxed{...}``, nested braces kept
    (``\\boxed{\\frac{1}{2}}`` gives ``\\frac{1}{2}``). Null when there is no
    ``\\boxed{`` or its braces never close. Braces are counted without regard to
    escaping, so ``\\{`` counts as a brace (balanced escaped braces come out right).
``"answer_is"``
    The text after the last ``answer is`` or ``answer:`` (any case), up to the end of that
    line, stripped of white space, ``*`` (Markdown bold) and one trailing period.
"""

from __future__ import annotations

from typing import Literal, get_args

import polars as pl

from crucible_pl.errors import InvalidInputError
from crucible_pl.scoring._letters import extract_choice_letter
from crucible_pl.scoring._numeric import _number_text
from crucible_pl.scoring._text import ColumnOrExpr, _as_text, _named

__all__ = ["Strategy", "extract_answer"]

Strategy = Literal["gsm8k", "last_number", "boxed", "answer_is", "choice_letter"]

_ANSWER_IS_CUE = r"(?i:answer)\s*(?:(?i:is)\s*:?|:)[ \t]*"


def _after_last(text: pl.Expr, marker: str) -> pl.Expr:
    """The text after the last ``marker``; null when there is none."""
    return text.str.split(marker).list.slice(1).list.last()


def _gsm8k(text: pl.Expr) -> pl.Expr:
    after = _after_last(text, "####").str.extract(r"^[ \t]*([^\n]*)", 1)
    return after.str.replace_all(r"[,$]", "").str.strip_chars()


def _boxed(text: pl.Expr) -> pl.Expr:
    # A regex cannot match nested braces, so: take the text after the last "\boxed{",
    # cut it into brace tokens and brace-free runs, give "{" +1 and "}" -1, and keep the
    # tokens before the running depth first drops below zero (the closing brace). If it
    # never does, the box is not closed and the answer is null.
    depth = pl.element().replace_strict({"{": 1, "}": -1}, default=0, return_dtype=pl.Int32)
    tail, content = pl.field("tail"), pl.field("content")
    return (
        pl.struct(tail=_after_last(text, r"\boxed{"))
        .struct.with_fields(
            content=tail.str.extract_all(r"[^{}]+|[{}]")
            .list.eval(pl.element().filter(depth.cum_sum().cum_min() >= 0))
            .list.join("")
        )
        .struct.with_fields(
            content=pl.when(content.str.len_bytes() < tail.str.len_bytes()).then(content)
        )
        .struct.field("content")
    )


def _answer_is(text: pl.Expr) -> pl.Expr:
    # Mark every cue with NUL, then keep the first line after the last mark.
    after = _after_last(text.str.replace_all(_ANSWER_IS_CUE, "\x00"), "\x00")
    answer = after.str.extract(r"^([^\n]*)", 1).str.strip_chars(" \t*")
    return answer.str.replace(r"\.$", "").str.strip_chars(" \t*")


def extract_answer(expr: ColumnOrExpr, strategy: Strategy) -> pl.Expr:
    """Extract the final answer from free text with one of the named strategies.

    Parameters
    ----------
    expr
        A String column name or expression.
    strategy
        ``"gsm8k"``, ``"last_number"``, ``"boxed"``, ``"answer_is"`` or
        ``"choice_letter"``; each is described in the module documentation of
        :mod:`crucible_pl.scoring._answers`.

    Returns
    -------
    pl.Expr
        A String expression, null where the strategy finds nothing.

    Raises
    ------
    InvalidInputError
        An unknown strategy.

    Examples
    --------
    >>> import polars as pl
    >>> from crucible_pl.scoring import extract_answer
    >>> df = pl.DataFrame(
    ...     {
    ...         "reply": [
    ...             "6 * 12 = 72\\n#### 1,072",
    ...             "so \\\\boxed{\\\\frac{1}{2}} and \\\\boxed{x^{2}}.",
    ...             "The answer is: Paris.",
    ...         ]
    ...     }
    ... )
    >>> df.select(
    ...     gsm8k=extract_answer("reply", "gsm8k"),
    ...     boxed=extract_answer("reply", "boxed"),
    ...     answer_is=extract_answer("reply", "answer_is"),
    ...     last_number=extract_answer("reply", "last_number"),
    ... ).rows()
    [('1072', None, None, '1072'), (None, 'x^{2}', None, '2'), (None, None, 'Paris', None)]
    """
    if strategy not in get_args(Strategy):
        valid = ", ".join(repr(name) for name in get_args(Strategy))
        raise InvalidInputError(
            f"Unknown answer extraction strategy {strategy!r}. Valid strategies: {valid}."
        )
    text = _as_text(expr)
    if strategy == "gsm8k":
        answer = _gsm8k(text)
    elif strategy == "last_number":
        answer = _number_text(text, "last")
    elif strategy == "boxed":
        answer = _boxed(text)
    elif strategy == "answer_is":
        answer = _answer_is(text)
    else:
        answer = extract_choice_letter(text)
    return _named(answer, expr)
