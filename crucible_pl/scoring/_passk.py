"""The unbiased pass@k estimator (Chen et al., 2021) as a Polars expression."""

from __future__ import annotations

import polars as pl

from crucible_pl.errors import InvalidInputError
from crucible_pl.scoring._text import ColumnOrExpr, _col

__all__ = ["pass_at_k"]


def pass_at_k(n: ColumnOrExpr, c: ColumnOrExpr, *, k: int) -> pl.Expr:
    """Per-item unbiased pass@k from ``n`` samples of which ``c`` are correct.

    ``pass@k = 1 - C(n - c, k) / C(n, k)``, computed without large binomials as
    ``1 - prod_{i = n - c + 1}^{n} (1 - k / i)`` (the numerically stable form of the
    HumanEval paper): 1.0 when ``n - c < k``, 0.0 when ``c == 0``. The product runs over
    a per-row integer range with ``list.eval``, so it costs ``c`` multiplications per row.
    Average the result over items for the benchmark's pass@k.

    Parameters
    ----------
    n
        Column name or expression: the number of samples drawn for the item.
    c
        Column name or expression: how many of those samples were correct.
    k
        The ``k`` of pass@k, at least 1.

    Returns
    -------
    pl.Expr
        A Float64 expression named ``pass_at_k``; null where ``n < k``, ``c < 0``,
        ``c > n`` or an input is null (the estimator is undefined there).

    Raises
    ------
    InvalidInputError
        ``k`` is not a positive integer.

    Examples
    --------
    >>> import polars as pl
    >>> from crucible_pl.scoring import pass_at_k
    >>> df = pl.DataFrame({"n": [10, 10, 10, 5, 3], "c": [0, 1, 10, 4, 1]})
    >>> df.select(pass_at_k("n", "c", k=5).round(4))["pass_at_k"].to_list()
    [0.0, 0.5, 1.0, 1.0, None]
    """
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise InvalidInputError(
            f"Invalid k={k!r} for pass@k: expected an integer >= 1, such as k=1 or k=10."
        )
    n_f, c_f = pl.field("n"), pl.field("c")
    # An empty range (c == 0) has product 1.0, so pass@k is 0.0 there; rows where
    # n - c < k (pass@k is 1.0) get an empty range too, so they cost nothing.
    start = pl.when(n_f - c_f < k).then(n_f + 1).otherwise(n_f - c_f + 1)
    factors = pl.int_ranges(start, n_f + 1, dtype=pl.Int64)
    product = factors.list.eval((1.0 - k / pl.element().cast(pl.Float64)).product())
    estimate = pl.when(n_f - c_f < k).then(1.0).otherwise(1.0 - product.list.first())
    valid = (n_f >= k) & (c_f >= 0) & (c_f <= n_f)
    return (
        pl.struct(n=_col(n).cast(pl.Int64), c=_col(c).cast(pl.Int64))
        .struct.with_fields(pass_at_k=pl.when(valid).then(estimate))
        .struct.field("pass_at_k")
    )
