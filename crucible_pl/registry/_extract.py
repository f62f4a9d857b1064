r"""Answer extraction as pure Polars expressions.

Each function takes a column (a name or an expression) and returns a ``pl.Expr``
that runs inside the Polars engine: no ``map_elements``, no per-row Python.

``gsm8k_answer``
    The final answer of a GSM8K solution: the text after the last ``####``.
``last_boxed``
    The content of the last ``\boxed{...}`` (or ``\fbox{...}``) of a LaTeX
    solution, nested braces kept. A regular expression cannot match braces nested
    to any depth, so the box is read in two steps. A regular expression balanced to
    :data:`BOXED_REGEX_DEPTH` levels of nesting reads nearly every box, in one
    anchored pass. The few rows it cannot read (deeper nesting, or a box that is
    never closed) go to an exact fallback: their text is tokenized into braces and
    brace-free runs, each brace is mapped to +1/-1, and the running depth finds the
    brace that closes the box. The fallback runs only on those rows (the others
    are null in its input), so the result is exact at any depth and the common case
    stays fast.

Both are written as one chain of expressions with no expression used twice: Polars
shares a repeated subexpression only at one level (a shared expression that contains
another shared one computes the inner one again), so a diamond-shaped expression
would recompute the expensive split of the whole solution. Where a value is needed
twice it rides along as a struct field (``struct.with_fields``), which is computed
once.
"""

from __future__ import annotations

import polars as pl

__all__ = ["BOXED_REGEX_DEPTH", "gsm8k_answer", "last_boxed"]

BOXED_REGEX_DEPTH = 10
"""Nesting depth of braces that the fast regular expression of ``last_boxed`` reads.

Deeper boxes are still read exactly, by the slower token fallback. Real MATH answers
nest 2 to 4 levels.
"""

# Unbraced form: `\boxed 5` (as written in a few MATH solutions), up to `$` or end of line.
_SPACED = r"^[ \t]+([^${\s][^$\n]*)"
# Tokens: `\\` (line break), escaped braces `\{` `\}` (literal, not grouping), bare braces,
# brace-free runs, and a lone backslash.
_TOKENS = r"\\\\|\\[{}]|[{}]|[^{}\\]+|\\"
# One brace-free unit for the regex path: a character that is neither a brace nor a
# backslash, or a backslash together with the character after it. This tokenizes exactly
# as `_TOKENS` does (`\\`, `\{` and `\}` are pairs; a lone backslash is followed by an
# ordinary character, which may as well be consumed with it), and each unit is decided by
# its first character, so the regex never backtracks into a different reading.
_UNIT = r"(?:[^{}\\]|\\(?s:.))"


def _braced(depth: int) -> str:
    """Regex for a ``{...}`` group whose braces nest at most ``depth`` levels (``depth >= 1``)."""
    group = r"\{" + _UNIT + r"*\}"
    for _ in range(depth - 1):
        group = r"\{(?:" + _UNIT + "|" + group + r")*\}"
    return group


# After the last `\boxed`: optional whitespace, `{`, the content (group 1), the closing `}`.
_BOXED = r"^\s*\{((?:" + _UNIT + "|" + _braced(BOXED_REGEX_DEPTH - 1) + r")*)\}"
# The text after the opening brace, for the rows the regex could not read.
_OPENED = r"^\s*\{((?s:.*))"
# Inside `list.eval` over the tokens: the running depth (the opening brace is not a token).
_DEPTH = pl.element().replace_strict({"{": 1, "}": -1}, default=0, return_dtype=pl.Int64).cum_sum()


def _as_expr(col: str | pl.Expr) -> pl.Expr:
    return pl.col(col) if isinstance(col, str) else col


def _named_like(result: pl.Expr, col: str | pl.Expr) -> pl.Expr:
    """``result`` under the output name of ``col``, as a plain chain on ``col`` would be."""
    name = col if isinstance(col, str) else col.meta.output_name(raise_if_undetermined=False)
    return result.name.keep() if name is None else result.alias(name)


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
    # The last part of a split on "####" (null when there is only one part). A literal
    # split is 15x faster than a greedy regex over the whole solution. A run of 5 to 7
    # '#' leaves 1 to 3 of them at the start of the last part, where the regex takes the
    # rightmost "####": strip them to match it exactly.
    return (
        _as_expr(col)
        .str.split("####")
        .list.slice(1)
        .list.last()
        .str.strip_chars_start("#")
        .str.replace_all(r"[,$]", "")
        .str.strip_chars()
    )


def last_boxed(col: str | pl.Expr) -> pl.Expr:
    r"""The content of the last ``\boxed{...}`` or ``\fbox{...}``, nested braces kept.

    The unbraced form ``\boxed 5`` is read up to the next ``$`` or end of line.
    Escaped braces ``\{`` and ``\}`` are literal text, not grouping. The content is
    trimmed. Null when the text has no box, or when the last box is never closed.
    Braces may nest to any depth: boxes nested deeper than :data:`BOXED_REGEX_DEPTH`
    levels, and unclosed ones, take a slower exact path (see the module docstring).

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
    # regex capture over the whole solution. Null when there is no box.
    rest = (
        _as_expr(col)
        .str.replace_all(r"\fbox", r"\boxed", literal=True)
        .str.split(r"\boxed")
        .list.slice(1)
        .list.last()
    )
    fast = pl.field("rest").str.extract(_BOXED, 1)
    # Exact fallback, only for the rows whose box opens but that the regex could not read.
    opened = pl.when(pl.field("fast").is_null()).then(pl.field("rest")).str.extract(_OPENED, 1)
    tokens, close = pl.field("tokens"), pl.field("close")
    # The index of the token that closes the box: the first where the depth drops below 0.
    closing = tokens.list.eval(_DEPTH.lt(0).arg_true().first()).list.first()
    slow = pl.when(close.is_not_null()).then(tokens.list.head(close).list.join(""))
    spaced = pl.field("rest").str.extract(_SPACED, 1)
    answer = pl.coalesce(pl.field("fast"), slow, spaced).str.strip_chars()
    return _named_like(
        pl.struct(rest.alias("rest"))
        .struct.with_fields(fast.alias("fast"))
        .struct.with_fields(opened.str.extract_all(_TOKENS).alias("tokens"))
        .struct.with_fields(closing.alias("close"))
        .struct.with_fields(answer.alias("answer"))
        .struct.field("answer"),
        col,
    )
