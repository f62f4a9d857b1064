"""Math answer equivalence: normalized LaTeX text, or equal numeric values.

``numeric_match`` alone reads the *last number* of each side, so ``\\frac{3}{2}`` and
``\\frac{1}{2}`` would both read as 2. ``math_match`` compares the extracted answer with
the reference the way MATH-style harnesses do, in two tiers, all in Polars expressions:

1. **Normalized text.** Both sides lose surrounding ``$``, ``\\left``/``\\right``,
   spacing commands (``\\!``, ``\\,``, ``\\;``, ``\\:``), ``\\text{...}`` wrappers (their
   content kept), degree marks, white space and a trailing period; ``\\dfrac``/``\\tfrac``
   become ``\\frac`` and ``\\frac12`` becomes ``\\frac{1}{2}``. Equal texts match.
2. **Numeric value.** When a whole side is one number (``1,234``, ``$5``, ``-3.5``,
   ``50%``, ``1e-3``), a simple fraction (``3/4``) or a LaTeX fraction of integers
   (``\\frac{3}{4}``, ``-\\frac{3}{4}``), the two values match within the tolerances.

Anything else (``\\sqrt{2}`` vs ``2^{1/2}``) needs symbolic algebra and is compared as
text only.
"""

from __future__ import annotations

import polars as pl

from crucible_pl.scoring._text import ColumnOrExpr, _as_text, _named

__all__ = ["math_match", "normalize_math_answer"]

# Characters that look like ASCII ones a math answer uses: the minus sign and dashes
# written for it, full-width digits and point, and the no-break and thin spaces.
_LOOKALIKES = {
    "\u2212": "-",  # minus sign
    "\u2012": "-",  # figure dash
    "\u2013": "-",  # en dash
    "\u2010": "-",  # hyphen
    "\u2011": "-",  # non-breaking hyphen
    "\ufe63": "-",  # small hyphen-minus
    "\u00a0": " ",  # no-break space
    "\u2007": " ",  # figure space
    "\u2009": " ",  # thin space
    "\u202f": " ",  # narrow no-break space
    "\u3000": " ",  # ideographic space
    # Full-width forms of the printable ASCII characters ("１２", "ｘ＝", "（", "％").
    **{chr(0xFF01 + offset): chr(0x21 + offset) for offset in range(94)},
}


def _fold_lookalikes(text: pl.Expr) -> pl.Expr:
    """Replace look-alike characters by the ASCII ones they stand for (one pass)."""
    return text.str.replace_many(list(_LOOKALIKES), list(_LOOKALIKES.values()))


_PLAIN_NUMBER = r"^[-+]?\$?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?(?:[eE][-+]?\d+)?%?$"
_SIMPLE_FRACTION = r"^([-+]?\d+)/(\d+)$"
_LATEX_FRACTION = r"^([-+]?)\\frac\{([-+]?\d+)\}\{(\d+)\}$"


def normalize_math_answer(expr: ColumnOrExpr) -> pl.Expr:
    """Canonical text of a math answer, for comparing answers written differently.

    Examples
    --------
    >>> import polars as pl
    >>> df = pl.DataFrame({"a": ["$\\\\dfrac{1}{2}$", "\\\\left( 3, 4 \\\\right)", "10^\\\\circ."]})
    >>> df.select(normalize_math_answer("a"))["a"].to_list()
    ['\\\\frac{1}{2}', '(3,4)', '10']
    """
    text = _as_text(expr).str.strip_chars()
    text = text.str.replace_all(r"\\[dt]frac", r"\frac")
    text = text.str.replace_all(r"\\text\{([^{}]*)\}", "$1")
    text = text.str.replace_all(r"\\left|\\right|\\[!,;:]|\$|\^\{\\circ\}|\^\\circ|°", "")
    text = text.str.replace_all(r"\s+", "")
    text = text.str.replace_all(r"\\frac(\d)(\d)", r"\frac{$1}{$2}")
    return _named(text.str.strip_chars_end("."), expr)


def _value(normalized: pl.Expr) -> pl.Expr:
    """The numeric value of a normalized answer that is one number or fraction, else null."""
    plain = (
        pl.when(normalized.str.contains(_PLAIN_NUMBER) & normalized.str.contains(r"\d"))
        .then(normalized.str.replace_all(r"[$,%]", ""))
        .cast(pl.Float64, strict=False)
    )
    simple = normalized.str.extract_groups(_SIMPLE_FRACTION)
    simple_value = simple.struct.field("1").cast(pl.Float64, strict=False) / simple.struct.field(
        "2"
    ).cast(pl.Float64, strict=False)
    latex = normalized.str.extract_groups(_LATEX_FRACTION)
    sign = pl.when(latex.struct.field("1") == "-").then(-1.0).otherwise(1.0)
    latex_value = (
        sign
        * latex.struct.field("2").cast(pl.Float64, strict=False)
        / latex.struct.field("3").cast(pl.Float64, strict=False)
    )
    value = pl.coalesce(plain, simple_value, latex_value)
    return pl.when(value.is_finite()).then(value)


def math_match(
    prediction: ColumnOrExpr,
    reference: ColumnOrExpr,
    *,
    rel_tol: float = 1e-6,
    abs_tol: float = 1e-9,
) -> pl.Expr:
    """Whether a math answer equals the reference, as normalized text or as a number.

    Parameters
    ----------
    prediction
        The extracted answer (e.g. ``extract_answer(reply, "boxed")``).
    reference
        The reference answer (``expected`` of a math dataset).
    rel_tol, abs_tol
        Tolerances of the numeric comparison, as in ``math.isclose``.

    Returns
    -------
    pl.Expr
        Boolean; ``False`` where either side is null.

    Examples
    --------
    >>> import polars as pl
    >>> df = pl.DataFrame(
    ...     {
    ...         "pred": ["\\\\dfrac{1}{2}", "0.5", "\\\\frac{3}{2}", "1,234", "(3, 4)", None],
    ...         "ref": ["\\\\frac{1}{2}", "\\\\frac12", "\\\\frac{1}{2}", "1234", "(3,4)", "1"],
    ...     }
    ... )
    >>> df.select(math_match("pred", "ref"))["pred"].to_list()
    [True, True, False, True, True, False]
    """
    pred = normalize_math_answer(prediction)
    ref = normalize_math_answer(reference)
    pred_value, ref_value = _value(pred), _value(ref)
    tolerance = pl.max_horizontal(
        pl.lit(abs_tol), rel_tol * pl.max_horizontal(pred_value.abs(), ref_value.abs())
    )
    same_value = (pred_value - ref_value).abs() <= tolerance
    result = ((pred == ref) | same_value).fill_null(False)
    return _named(result, prediction)
