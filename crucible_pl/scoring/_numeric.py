"""Numbers in free text: extraction and tolerant comparison, as Polars expressions.

What counts as a number (one regex, applied with ``str.extract_all``):

* an optional sign, taken only at the start of the text or after a character that is
  not a letter, digit, ``.`` or ``-`` (so ``10-20`` is ``10`` and ``20``, not ``-20``);
* an optional ``$`` before or after the sign (``$5``, ``-$5``, ``$-5``);
* digits with optional thousands separators (``1,234,567``), an optional decimal part
  (``3.0``, ``.5``) and an optional exponent (``1e-3``, ``2.5E+4``, ``1.e5``);
* an optional ``/denominator`` (``1/2`` is 0.5, a zero denominator gives null);
* an optional ``%``, which is **dropped without scaling**: ``50%`` is 50.0. Answer keys
  such as GSM8K write the bare number for a percentage question, so a model's ``50%``
  must match the key's ``50``.

Mixed numbers (``1 1/2``), words (``seven``) and LaTeX fractions (``\\frac{1}{2}``) are
not numbers here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import polars as pl

from crucible_pl.errors import InvalidInputError
from crucible_pl.scoring._text import ColumnOrExpr, _as_text, _computed_where, _named

__all__ = ["NUMBER_PATTERN", "extract_number", "numeric_match"]

NUMBER_PATTERN = (
    r"(?:(?:^|[^\w.\-])[-+])?"  # sign, only where it cannot be a hyphen or a minus of a range
    r"(?:\$[-+]?)?"  # currency, before or after the sign
    r"(?:(?:\d{1,3}(?:,\d{3})+|\d+)"  # 1,234 / 1234
    r"(?:\.\d+(?:[eE][-+]?\d+)?|\.?[eE][-+]?\d+)?"  # .5 / .5e3 / e3 / .e3 (1.e5)
    r"|\.\d+(?:[eE][-+]?\d+)?)"  # .5 / .5e-3
    r"(?:/\d+)?"  # fraction denominator
    r"%?"
)
"""The regular expression (Rust ``regex`` syntax) that finds one number in a text."""

Position = Literal["first", "last"]


def _check_position(position: str) -> None:
    if position not in ("first", "last"):
        raise InvalidInputError(
            f"Invalid position {position!r}: expected 'first' or 'last'. "
            "Use position='last' for the final answer of a worked solution."
        )


def _picked_number(expr: ColumnOrExpr, position: Position) -> pl.Expr:
    """The chosen number's match, as found: maybe with a context character, ``$``, ``,``."""
    _check_position(position)
    matches = _as_text(expr).str.extract_all(NUMBER_PATTERN)
    return matches.list.last() if position == "last" else matches.list.first()


def _clean_number(picked: pl.Expr) -> pl.Expr:
    """A number's match with context characters, ``$``, ``,`` and ``%`` removed."""
    return picked.str.replace_all(r"[^0-9.eE+\-/]", "")


def _number_text(expr: ColumnOrExpr, position: Position) -> pl.Expr:
    """The chosen number's text with context characters, ``$``, ``,`` and ``%`` removed."""
    return _clean_number(_picked_number(expr, position))


def _parse_number_text(text: pl.Expr) -> pl.Expr:
    """Cleaned number text (maybe ``a/b``) -> Float64; a zero denominator gives null."""
    parts, num, den, value = (pl.field(name) for name in ("parts", "num", "den", "value"))
    return (
        pl.struct(parts=text.str.split("/"))
        .struct.with_fields(
            num=parts.list.first().cast(pl.Float64, strict=False),
            den=parts.list.get(1, null_on_oob=True).cast(pl.Float64, strict=False),
        )
        .struct.with_fields(value=pl.when(den.is_null()).then(num).otherwise(num / den))
        .struct.with_fields(value=pl.when(value.is_finite()).then(value))
        .struct.field("value")
    )


def _finite_float_or(text: pl.Expr, slow: Callable[[pl.Expr], pl.Expr]) -> pl.Expr:
    """Each text cast to a finite Float64 where that works, else ``slow(text)``.

    A cast costs about a tenth of a regex pass, and ``slow`` runs only on the rows the
    cast could not read (see ``_computed_where``).
    """
    text_field, cast = pl.field("text"), pl.field("cast")
    return (
        pl.struct(text=text)
        .struct.with_fields(cast=text_field.cast(pl.Float64, strict=False))
        .struct.with_fields(cast=pl.when(cast.is_finite()).then(cast))
        .struct.with_fields(unread=cast.is_null() & text_field.is_not_null())
        .struct.with_fields(
            value=pl.coalesce(
                cast, _computed_where(pl.field("unread"), slow, text_field, dtype=pl.Float64())
            )
        )
        .struct.field("value")
    )


def _text_to_number(text: pl.Expr, position: Position) -> pl.Expr:
    """Float64 of the chosen number in each text (see ``extract_number``).

    Two shortcuts, each exact: a text that is one plain number (``-3.5``, ``1e-3``) is
    read by a cast, without the regex; and so is a found match that needs no cleaning
    (``#### 42`` finds ``42``). A finite cast gives the value the regex path would give;
    a property test checks both against it.
    """
    _check_position(position)

    def from_match(picked: pl.Expr) -> pl.Expr:
        return _parse_number_text(_clean_number(picked))

    def by_regex(texts: pl.Expr) -> pl.Expr:
        return _finite_float_or(_picked_number(texts, position), from_match)

    return _finite_float_or(text, by_regex)


def extract_number(expr: ColumnOrExpr, *, position: Position = "last") -> pl.Expr:
    """Extract one number from free text as Float64.

    See the module documentation for the accepted formats: thousands separators,
    currency, signs, decimals, exponents, simple fractions and percentages (``50%`` is
    50.0, not 0.5).

    Parameters
    ----------
    expr
        A String column name or expression (numbers are read from their text).
    position
        ``"last"`` (default: the final answer of a worked solution) or ``"first"``.

    Returns
    -------
    pl.Expr
        A Float64 expression; null when the text holds no number.

    Raises
    ------
    InvalidInputError
        ``position`` is neither ``"first"`` nor ``"last"``.

    Examples
    --------
    >>> import polars as pl
    >>> from crucible_pl.scoring import extract_number
    >>> texts = ["It costs $1,234.", "so -3.5", "50%", "1/2", "x = 1e-3", "none", "3.0 or 4"]
    >>> pl.DataFrame({"t": texts}).select(extract_number("t"))["t"].to_list()
    [1234.0, -3.5, 50.0, 0.5, 0.001, None, 4.0]
    >>> pl.select(extract_number(pl.lit("3.0 or 4"), position="first")).item()
    3.0
    """
    return _named(_text_to_number(_as_text(expr), position), expr)


def numeric_match(
    prediction: ColumnOrExpr,
    reference: ColumnOrExpr,
    *,
    rel_tol: float = 1e-9,
    abs_tol: float = 0.0,
) -> pl.Expr:
    """Whether the last numbers of prediction and reference are equal within a tolerance.

    Both sides go through :func:`extract_number` (``position="last"``); numeric
    references work too. Equality follows :func:`math.isclose`:
    ``|p - r| <= max(rel_tol * max(|p|, |r|), abs_tol)``. A side with no number, or a
    null, gives ``False``.

    Parameters
    ----------
    prediction, reference
        Column names or expressions.
    rel_tol, abs_tol
        Relative and absolute tolerance, both non-negative.

    Returns
    -------
    pl.Expr
        A Boolean expression named after ``prediction``.

    Raises
    ------
    InvalidInputError
        A negative tolerance.

    Examples
    --------
    >>> import polars as pl
    >>> from crucible_pl.scoring import numeric_match
    >>> df = pl.DataFrame(
    ...     {"p": ["The total is $1,200.", "0.5", "I don't know"], "r": ["1200", "1/2", "7"]}
    ... )
    >>> df.select(numeric_match("p", "r"))["p"].to_list()
    [True, True, False]
    """
    if rel_tol < 0 or abs_tol < 0:
        raise InvalidInputError(
            f"Invalid tolerance rel_tol={rel_tol!r}, abs_tol={abs_tol!r}: both must be >= 0."
        )
    pred = extract_number(prediction)
    ref = extract_number(reference)
    matched = pred.is_close(ref, abs_tol=abs_tol, rel_tol=rel_tol).fill_null(False)
    return _named(matched, prediction)
