"""Text normalization and exact-match scoring as Polars expressions.

Every builder takes column names or expressions and returns a ``pl.Expr`` that works in
``select``, ``with_columns`` and ``agg`` on any frame. Nothing here runs Python per row.

An implementation note for the whole package: an expression that uses an intermediate
result twice (``x.is_null()`` and ``x * 2``) makes Polars compute it twice, and nesting
multiplies that (eager frames get no common-subexpression elimination). Builders that
reuse intermediates therefore bind them once as fields of a struct and combine them with
``struct.with_fields(pl.field(...))``, which reads the computed field instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeAlias

import polars as pl

__all__ = ["ColumnOrExpr", "exact_match", "normalize_text", "normalized_exact_match"]

ColumnOrExpr: TypeAlias = str | pl.Expr
"""A column name or a Polars expression."""

# ``string.punctuation``: ASCII 0x21-0x2F, 0x3A-0x40, 0x5B-0x60, 0x7B-0x7E. Deleted with
# ``str.replace_many`` (one Aho-Corasick pass), half the cost of the regex class
# ``[!-/:-@\[-`{-~]``.
_PUNCTUATION = [chr(code) for code in range(0x21, 0x7F) if not chr(code).isalnum()]
_NO_PUNCTUATION = [""] * len(_PUNCTUATION)
# SQuAD replaces each article by a space and then collapses white space; one pass does
# both: a run of articles with the white space around it, or white space that is not a
# single plain space, becomes one space (hypothesis checks this against SQuAD's code).
_ARTICLES_AND_SPACES = r"(?:\s*\b(?:a|an|the)\b)+\s*|\s{2,}|[^\S ]"


def _col(value: ColumnOrExpr) -> pl.Expr:
    """A column name becomes ``pl.col(name)``; an expression passes through."""
    return pl.col(value) if isinstance(value, str) else value


def _named(result: pl.Expr, source: ColumnOrExpr) -> pl.Expr:
    """Give ``result`` the output name of ``source`` (its column name), when it has one."""
    name = (
        source if isinstance(source, str) else source.meta.output_name(raise_if_undetermined=False)
    )
    return result if name is None else result.alias(name)


def _computed_where(
    mask: pl.Expr,
    compute: Callable[..., pl.Expr],
    *inputs: pl.Expr,
    dtype: pl.DataType,
) -> pl.Expr:
    """``compute(*inputs)`` on the rows where ``mask`` is true only; null on the others.

    String kernels cost the same on a null as on a value (they run over every slot), so
    ``pl.when(mask).then(costly(x))`` does not save work. Filtering the inputs first
    does: ``compute`` runs on the selected rows, and a gather puts its results back in
    place. The selection stays an expression, so it works in ``select``,
    ``with_columns`` and per group in ``agg``. ``mask`` must not be null; pass a cheap
    expression (a struct field), as it is read four times.
    """
    subset = compute(*(value.filter(mask) for value in inputs)).append(pl.lit(None, dtype))
    # Row i takes the k-th computed value when it is the k-th selected row, and the
    # appended null otherwise.
    position = pl.when(mask).then(mask.cum_sum() - 1).otherwise(mask.sum())
    # The casts matter on an empty group in ``agg``: Polars then types ``position`` (and
    # so the result) Null at run time, which gather refuses and later steps cannot use.
    return subset.gather(position.cast(pl.Int64)).cast(dtype, strict=False)


def _as_text(value: ColumnOrExpr) -> pl.Expr:
    """The value as a String expression (numbers become their decimal text)."""
    return _col(value).cast(pl.String)


def normalize_text(expr: ColumnOrExpr) -> pl.Expr:
    """Normalize text the way SQuAD's official scorer does.

    Lower-case, delete ASCII punctuation (``string.punctuation``), replace the articles
    *a*, *an* and *the* by a space, collapse runs of white space to one space and strip.
    A null stays null.

    Parameters
    ----------
    expr
        A String column name or expression.

    Returns
    -------
    pl.Expr
        A String expression.

    Examples
    --------
    >>> import polars as pl
    >>> from crucible_pl.scoring import normalize_text
    >>> df = pl.DataFrame({"text": ["  The Eiffel   Tower!", "An apple, a day.", None]})
    >>> df.select(normalize_text("text"))["text"].to_list()
    ['eiffel tower', 'apple day', None]
    """
    return (
        _as_text(expr)
        .str.to_lowercase()
        .str.replace_many(_PUNCTUATION, _NO_PUNCTUATION)
        .str.replace_all(_ARTICLES_AND_SPACES, " ")
        .str.strip_chars()
    )


def exact_match(prediction: ColumnOrExpr, reference: ColumnOrExpr) -> pl.Expr:
    """Whether prediction and reference are equal after stripping surrounding white space.

    Case and punctuation matter; a null on either side gives ``False``.

    Parameters
    ----------
    prediction, reference
        Column names or expressions; non-String values are compared as their text.

    Returns
    -------
    pl.Expr
        A Boolean expression named after ``prediction``.

    Examples
    --------
    >>> import polars as pl
    >>> from crucible_pl.scoring import exact_match
    >>> df = pl.DataFrame({"p": [" Paris ", "paris", None], "r": ["Paris", "Paris", "Paris"]})
    >>> df.select(exact_match("p", "r"))["p"].to_list()
    [True, False, False]
    """
    pred = _as_text(prediction).str.strip_chars()
    ref = _as_text(reference).str.strip_chars()
    return (pred == ref).fill_null(False)


def normalized_exact_match(prediction: ColumnOrExpr, reference: ColumnOrExpr) -> pl.Expr:
    """Whether prediction and reference are equal after :func:`normalize_text`.

    A null on either side gives ``False``.

    Parameters
    ----------
    prediction, reference
        Column names or expressions.

    Returns
    -------
    pl.Expr
        A Boolean expression named after ``prediction``.

    Examples
    --------
    >>> import polars as pl
    >>> from crucible_pl.scoring import normalized_exact_match
    >>> df = pl.DataFrame({"p": ["The Paris!", "Lyon"], "r": ["paris", "Paris"]})
    >>> df.select(normalized_exact_match("p", "r"))["p"].to_list()
    [True, False]
    """
    return (normalize_text(prediction) == normalize_text(reference)).fill_null(False)
