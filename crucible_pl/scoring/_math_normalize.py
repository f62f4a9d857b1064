"""Canonical text of a math answer: the normalization half of ``math_match``.

Look-alike characters folded, delimiters, spacing commands, units, wrappers and
thousands separators removed, as lm-eval's ``strip_string`` and Math-Verify's LaTeX
normalization do; the rules are listed in :mod:`crucible_pl.scoring._math`, which
compares the normalized texts.
"""

from __future__ import annotations

import polars as pl

from crucible_pl.scoring._text import ColumnOrExpr, _as_text, _named

__all__ = ["normalize_math_answer"]

# Characters that look like ASCII ones a math answer uses: the minus sign and dashes
# written for it, full-width forms, and the no-break and thin spaces.
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


_MAGNITUDES = {"thousand": 3, "million": 6, "billion": 9, "trillion": 12}


def _magnitudes_as_exponents(text: pl.Expr) -> pl.Expr:
    """``1.45 million`` becomes ``1.45e6``, a form the number rules read exactly."""
    for word, exponent in _MAGNITUDES.items():
        text = text.str.replace_all(rf"(\d)[ \t]+(?i:{word})\b", f"${{1}}e{exponent}")
    return text


# Literal deletions, one Aho-Corasick pass (str.replace_many). Longer keys first where
# one is a prefix of another.
_DELETED = [
    "\\displaystyle",
    "\\left",
    "\\right",
    "\\qquad",
    "\\quad",
    "\\!",
    "\\,",
    "\\;",
    "\\:",
    "\\ ",
    "~",
    "^{\\circ}",
    "^\\circ",
    "\\circ",
    "°",
    "\\%",
    "%",
    "{,}",
]
# A unit after the answer, in a \text{ ...} (or \mbox, \mathrm) whose content starts with
# a space (strip_string's remove_right_units), or in plain words.
_TEXT_UNIT = r"^(.*\S)\s*\\(?:text|mbox|mathrm)\s*\{(\s[^{}]*)\}$"
_WORD_UNIT = r"^(.*[\d}])\s+((?:[A-Za-z]{2,}\.?\s*){1,3})$"
# Words after a number that change its value or make it an expression, not a unit.
_NOT_A_UNIT = (
    r"(?i)\b(?:hundreds?|thousands?|millions?|billions?|trillions?|dozens?|pi|squared"
    r"|cubed|and|or|to|times|plus|minus|over|divided|mod|choose|sqrt|cdot|frac)\b"
)
_WRAPPER = r"\\(?:text|textbf|textit|textrm|mathrm|mathbf|mbox)\s*\{([^{}]*)\}"
_PLAIN_WORDS = r"^[A-Za-z]{2,}$"
_LEADING_VARIABLE = r"^[A-Za-z](?:_\{?[A-Za-z0-9]+\}?)?="
_COLUMN_VECTOR = r"^\\begin\{[pb]matrix\}([^&]*)\\end\{[pb]matrix\}$"
_THOUSANDS = r"^[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$"


def normalize_math_answer(expr: ColumnOrExpr) -> pl.Expr:
    """Canonical text of a math answer, for comparing answers written differently.

    The rules are listed in the module documentation of :mod:`crucible_pl.scoring._math`
    (lm-eval's ``strip_string`` and Math-Verify's normalization). A null stays null.

    Parameters
    ----------
    expr
        A String column name or expression: an extracted answer or a reference.

    Returns
    -------
    pl.Expr
        A String expression.

    Examples
    --------
    >>> import polars as pl
    >>> from crucible_pl.scoring import normalize_math_answer
    >>> answers = ["$\\\\dfrac{1}{2}$", "\\\\left( 3, 4 \\\\right)", "10^\\\\circ.",
    ...            "5.4 \\\\text{ cents}", "\\\\$1,234", "11\\\\sqrt2", "−5", "20\\\\%"]
    >>> pl.DataFrame({"a": answers}).select(normalize_math_answer("a"))["a"].to_list()
    ['\\\\frac{1}{2}', '(3,4)', '10', '5.4', '1234', '11\\\\sqrt{2}', '-5', '20']
    """
    return _named(_parts(_as_text(expr)).struct.field("t"), expr)


def _parts(text: pl.Expr) -> pl.Expr:
    """Struct of the normalized answer ``t``, its ``unit`` (or null) and ``percent``.

    ``unit`` is the dropped unit, lower-case letters without a plural ``s``
    (``\\text{ cents}`` gives ``cent``); ``percent`` whether a ``%`` or "percent" was
    dropped. Each step reads the struct field of the step before, so nothing is
    computed twice.
    """
    t, unit = pl.field("t"), pl.field("unit")
    return (
        pl.struct(t=_magnitudes_as_exponents(_fold_lookalikes(text).str.strip_chars()))
        .struct.with_fields(percent=t.str.contains(r"%|(?i:\bpercent\b)"))
        .struct.with_fields(
            # "\$" is currency; "$", "\(", "\)", "\[", "\]" delimit math. A LaTeX line
            # break "\\" is held as \x02, so that deleting "\ " cannot cut it.
            t=t.str.replace_all("\\\\", "\x02", literal=True)
            .str.replace_all(r"\\\$|\$|^\\[\(\[]|\\[\)\]]$|\s*(?i:\bpercent\b)", "")
            .str.replace_many(_DELETED, [""] * len(_DELETED))
            .str.replace_all(r"\\[dt]frac", r"\frac")
            .str.replace_all(r"\\[dt]binom", r"\binom")
            .str.strip_chars()
        )
        .struct.with_fields(
            unit=pl.coalesce(
                t.str.extract_groups(_TEXT_UNIT).pipe(
                    lambda text_unit: pl.when(text_unit.struct.field("1").is_not_null()).then(
                        text_unit
                    )
                ),
                t.str.extract_groups(_WORD_UNIT).pipe(
                    lambda word: pl.when(
                        word.struct.field("2").str.contains(_NOT_A_UNIT).not_()
                    ).then(word)
                ),
            )
        )
        .struct.with_fields(
            t=pl.coalesce(unit.struct.field("1"), t),
            unit=unit.struct.field("2")
            .str.to_lowercase()
            .str.replace_all(r"[^a-z]", "")
            .str.strip_suffix("s"),
        )
        .struct.with_fields(
            t=t.str.replace_all(_WRAPPER, "$1")
            .str.replace_all(r"\\sqrt\s*([0-9A-Za-z])", r"\sqrt{$1}")
            .str.replace_all(r"\\frac\s*([0-9A-Za-z])\s*([0-9A-Za-z])", r"\frac{$1}{$2}")
            .str.replace_all(r"\\frac\s*([0-9A-Za-z])\s*\{", r"\frac{$1}{")
            .str.replace_all(r"\\frac(\{[^{}]*\})\s*([0-9A-Za-z])", r"\frac$1{$2}")
            .str.replace_all(r"\s+", "")
            .str.strip_chars_end(".")
            .str.replace(r"^\(([A-Z])\)$", "$1")
            .str.replace_all("\x02", "\\\\", literal=True)
        )
        .struct.with_fields(
            t=pl.when(t.str.contains(_THOUSANDS)).then(t.str.replace_all(",", "")).otherwise(t),
            column=t.str.extract(_COLUMN_VECTOR, 1),
        )
        # A column vector is the tuple of its entries: (6, -15) is its image.
        .struct.with_fields(
            t=pl.coalesce(
                pl.concat_str(
                    pl.lit("("), pl.field("column").str.replace_all(r"\\\\", ","), pl.lit(")")
                ),
                t,
            )
        )
    )
