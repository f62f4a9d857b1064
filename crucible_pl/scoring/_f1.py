"""SQuAD-style token F1 as a single Polars expression."""

from __future__ import annotations

import polars as pl

from crucible_pl.scoring._text import ColumnOrExpr, _named, normalize_text

__all__ = ["token_f1"]


def _tokens(expr: ColumnOrExpr) -> pl.Expr:
    """Normalized tokens, each tagged with its occurrence number among equal tokens.

    ``["a", "b", "a"]`` becomes ``["a\\x000", "b\\x000", "a\\x001"]``: the multiset
    intersection of two token lists is then the plain set intersection of their tagged
    forms, which Polars computes natively (``list.set_intersection``). Ordinal rank minus
    minimum rank numbers equal tokens 0, 1, 2... in order of appearance.
    """
    words = normalize_text(expr).str.split(" ").list.eval(pl.element().filter(pl.element() != ""))
    occurrence = pl.element().rank("ordinal") - pl.element().rank("min")
    return words.list.eval(pl.element() + "\x00" + occurrence.cast(pl.String))


def token_f1(prediction: ColumnOrExpr, reference: ColumnOrExpr) -> pl.Expr:
    """SQuAD's token-level F1 between prediction and reference.

    Both sides go through :func:`normalize_text` and are split on spaces. With ``common``
    the size of the multiset intersection of the tokens, precision is
    ``common / len(prediction)``, recall ``common / len(reference)`` and F1 their harmonic
    mean. Two empty token lists score 1.0, one empty list 0.0, exactly as the official
    SQuAD v2 script. A null prediction scores 0.0; a null reference gives null.

    Parameters
    ----------
    prediction, reference
        String column names or expressions.

    Returns
    -------
    pl.Expr
        A Float64 expression named after ``prediction``.

    Examples
    --------
    >>> import polars as pl
    >>> from crucible_pl.scoring import token_f1
    >>> df = pl.DataFrame(
    ...     {
    ...         "p": ["the cat sat", "cat cat", "", "", None],
    ...         "r": ["A cat sat down", "the cat", "", "dog", "dog"],
    ...     }
    ... )
    >>> df.select(token_f1("p", "r").round(4))["p"].to_list()
    [0.8, 0.6667, 1.0, 0.0, 0.0]
    """
    p, r, n_p, n_r = (pl.field(name) for name in ("p", "r", "n_p", "n_r"))
    common, precision, recall = pl.field("common"), pl.field("precision"), pl.field("recall")
    f1 = (
        pl.struct(p=_tokens(prediction), r=_tokens(reference))
        .struct.with_fields(
            n_p=p.list.len().fill_null(0),
            n_r=r.list.len(),
            common=p.list.set_intersection(r).list.len().fill_null(0).cast(pl.Float64),
        )
        .struct.with_fields(precision=common / n_p, recall=common / n_r)
        # No overlap gives 0/0 = NaN, hence fill_nan; a null reference stays null.
        .struct.with_fields(
            f1=pl.when((n_p == 0) | (n_r == 0))
            .then((n_p == n_r).cast(pl.Float64))
            .otherwise((2.0 * precision * recall / (precision + recall)).fill_nan(0.0))
        )
        .struct.field("f1")
    )
    return _named(f1, prediction)
