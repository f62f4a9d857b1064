r"""Answer extraction as pure Polars expressions.

Each function takes a column (a name or an expression) and returns a ``pl.Expr``
that runs inside the Polars engine: no ``map_elements``, no per-row Python.

``gsm8k_answer``
    The final answer of a GSM8K solution: the text after the last ``####``.
``last_boxed``
    The content of the last ``\boxed{...}`` (or ``\fbox{...}``) of a LaTeX
    solution, nested braces kept. Braces cannot be matched by a regular
    expression, so the content is tokenized into braces and brace-free runs,
    each brace is mapped to +1/-1, and the running depth finds the brace that
    closes the box.
"""

from __future__ import annotations

import polars as pl

__all__ = ["gsm8k_answer", "last_boxed"]

# Unbraced form: `\boxed 5` (as written in a few MATH solutions), up to `$` or end of line.
_SPACED = r"^[ \t]+([^${\s][^$\n]*)"
# Tokens: `\\` (line break), escaped braces `\{` `\}` (literal, not grouping), bare braces,
# brace-free runs, and a lone backslash.
_TOKENS = r"\\\\|\\[{}]|[{}]|[^{}\\]+|\\"


def _as_expr(col: str | pl.Expr) -> pl.Expr:
    return pl.col(col) if isinstance(col, str) else col


def gsm8k_answer(col: str | pl.Expr) -> pl.Expr:
    """The final answer of a GSM8K-style solution: the text after the last ``####``.

    The text is trimmed and every ``,`` and ``$`` is removed, so ``"#### 1,234"``
    gives ``"1234"`` and ``"#### $5"`` gives ``"5"``. Null when there is no ``####``.

    Parameters
    ----------
    col
        A String column name or expression holding the full solution.

    Returns
    -------
    pl.Expr
        A String expression.

    Examples
    --------
    >>> import polars as pl
    >>> answers = ["3 + 4 = <<3+4=7>>7\\n#### 7", "#### 1,234  ", "#### $5", "#### -3"]
    >>> df = pl.DataFrame({"answer": [*answers, "#### 2.5", "no marker"]})
    >>> df.select(gsm8k_answer("answer"))
    shape: (6, 1)
    ┌────────┐
    │ answer │
    │ ---    │
    │ str    │
    ╞════════╡
    │ 7      │
    │ 1234   │
    │ 5      │
    │ -3     │
    │ 2.5    │
    │ null   │
    └────────┘
    """
    return (
        _as_expr(col)
        .str.extract(r"(?s).*####(.*)$", 1)
        .str.replace_all(r"[,$]", "")
        .str.strip_chars()
    )


def last_boxed(col: str | pl.Expr) -> pl.Expr:
    r"""The content of the last ``\boxed{...}`` or ``\fbox{...}``, nested braces kept.

    The unbraced form ``\boxed 5`` is read up to the next ``$`` or end of line.
    Escaped braces ``\{`` and ``\}`` are literal text, not grouping. The content is
    trimmed. Null when the text has no box, or when the last box is never closed.

    Parameters
    ----------
    col
        A String column name or expression holding a LaTeX solution.

    Returns
    -------
    pl.Expr
        A String expression.

    Examples
    --------
    >>> import polars as pl
    >>> df = pl.DataFrame(
    ...     {
    ...         "solution": [
    ...             r"So $x = \boxed{\frac{1}{2}}$.",
    ...             r"First \boxed{1}, finally \fbox{2}",
    ...             r"The set is $\boxed{\{1, 2\}}$",
    ...             r"It is $\boxed 5$.",
    ...             r"Unclosed \boxed{\frac{1}{2}",
    ...             "No box at all.",
    ...         ]
    ...     }
    ... )
    >>> df.select(last_boxed("solution"))
    shape: (6, 1)
    ┌─────────────┐
    │ solution    │
    │ ---         │
    │ str         │
    ╞═════════════╡
    │ \frac{1}{2} │
    │ 2           │
    │ \{1, 2\}    │
    │ 5           │
    │ null        │
    │ null        │
    └─────────────┘
    """
    # Everything after the last box: literal replace + split, much faster than a greedy
    # regex capture over the whole solution.
    parts = _as_expr(col).str.replace_all(r"\fbox", r"\boxed", literal=True).str.split(r"\boxed")
    rest = pl.when(parts.list.len() > 1).then(parts.list.last())
    body = rest.str.strip_chars_start()
    tokens = pl.when(body.str.starts_with("{")).then(body.str.slice(1)).str.extract_all(_TOKENS)
    depth = (
        pl.element().replace_strict({"{": 1, "}": -1}, default=0, return_dtype=pl.Int64).cum_sum()
    )
    # Index of the token that closes the box: the first one where the depth drops below 0.
    close = tokens.list.eval(depth.lt(0).arg_true().first()).list.first()
    braced = pl.when(close.is_not_null()).then(tokens.list.head(close).list.join(""))
    spaced = rest.str.extract(_SPACED, 1)
    return pl.coalesce(braced, spaced).str.strip_chars()
