"""Math answer equivalence: a Polars fast path, and Math-Verify for what it cannot decide.

``math_match(prediction, reference)`` compares an *extracted* answer (see the
``"math"`` strategy of :func:`~crucible_pl.scoring.extract_answer`) with the reference
answer, in two tiers.

1. **Fast path (Polars expressions).** Both sides are normalized as lm-eval's
   hendrycks_math ``strip_string`` and Minerva's ``normalize_final_answer`` do, and as
   Math-Verify's LaTeX normalization does (see :func:`normalize_math_answer`): look-alike
   characters (Unicode minus, full-width forms, no-break spaces) folded; ``$`` and
   ``\\(``/``\\[`` delimiters, ``\\$``, ``\\%``/``%``, degree marks, ``\\left``/``\\right``,
   ``\\displaystyle``, spacing commands (``\\!``, ``\\,``, ``\\;``, ``\\:``, ``~``,
   ``\\quad``) and white space removed; ``\\dfrac``/``\\tfrac`` become ``\\frac``,
   ``\\frac12`` becomes ``\\frac{1}{2}``, ``\\sqrt2`` becomes ``\\sqrt{2}``; a unit after
   the answer is dropped (``5.4 \\text{ cents}``, ``18 dollars``; not ``million``,
   ``dozen`` or ``pi``, which change the value); ``\\text{}``, ``\\textbf{}``,
   ``\\mathrm{}``, ``\\mbox{}`` keep their content; thousands separators
   (``1,234``, ``1{,}234``) and a trailing period go; ``1.45 million`` becomes
   ``1.45e6``; a single-column ``pmatrix`` becomes the tuple of its entries. A leading
   ``x =`` (one letter, maybe with a subscript) is dropped when the other side has no
   ``=``. Then, in this order:

   * two different units are **different** (``9\\text{ p.m.}``, ``9\\text{ a.m.}``);
   * equal normalized texts are **equal**;
   * when both sides are numbers (integers, decimals, ``a/b``, ``\\frac{a}{b}``, with a
     sign, an exponent ``1e-3``), their values are compared **exactly**, as rationals:
     ``1450001`` is not ``1450000``, ``0.5`` is ``\\frac{1}{2}``, ``-5`` is not ``5``.
     The one tolerance: when the reference is written as a decimal (``0.333``,
     ``2.5e3``), a prediction whose value rounds to the same number at 6 decimal places
     (Math-Verify's ``float_rounding``) also matches, so ``\\frac{1}{3}`` matches
     ``0.333333``. An integer or fraction reference gets no tolerance. A predicted
     percent matches as written or over 100 (``50%`` is ``50`` and ``\\frac{1}{2}``); a
     reference's percent only as written (``0.44`` is not ``44\\%``);
   * plain words compare without case (``East`` is ``\\text{east}``), and a word is
     never a number.

   Those rows are decided. A null or empty side is ``False``. Identical texts and
   pairs of plain integers (most GSM8K rows) are decided before any normalization, by
   a string compare and a cast; only the other rows are normalized.
2. **Exact checker.** The rows left (neither proven equal nor proven different, e.g.
   ``\\sqrt{12}`` against ``2\\sqrt{3}``, or ``(1, 2)`` against ``\\{1,2\\}``) go, and only
   they, to Math-Verify (:mod:`crucible_pl.scoring._math_verify`), one pair at a time
   with a time limit, in worker processes. Pass ``exact_checker=False`` to skip it:
   those rows then score ``False``.
"""

from __future__ import annotations

from functools import partial

import polars as pl

from crucible_pl.errors import InvalidInputError
from crucible_pl.scoring._math_normalize import (
    _LEADING_VARIABLE,
    _PLAIN_WORDS,
    _fold_lookalikes,
    _parts,
)
from crucible_pl.scoring._text import ColumnOrExpr, _as_text, _computed_where, _named

__all__ = ["math_match"]

# Numbers: a decimal (maybe an integer, maybe an exponent) or a fraction of integers.
_DECIMAL = r"^([-+]?)(\d*)(?:\.(\d*))?(?:[eE]([-+]?\d+))?$"
_FRACTION = r"^([-+]?)(?:\\frac\{([-+]?)(\d+)\}\{([-+]?)(\d+)\}|([-+]?)(\d+)/([-+]?)(\d+))$"
# Integers of up to 18 digits (and powers of ten up to 10**18) fit Int64; products of
# two fit Int128, so cross-multiplied fractions compare exactly.
_MAX_DIGITS = 18
_POWERS_OF_TEN = {k: 10**k for k in range(_MAX_DIGITS + 1)}
_DECIMAL_PLACES = 6


def _number(text: pl.Expr) -> pl.Expr:
    """A struct describing the normalized text as a number (its fields null when it is not).

    ``integer``: the canonical integer text (any size); ``num``/``den``: the value as a
    fraction of Int128 (null when a part has more than 18 digits); ``decimal``: whether
    it is written with a point or an exponent; ``value``: Float64.
    """
    f = pl.field
    dec, fr = f("dec"), f("fr")
    sign, whole, frac, exp = (dec.struct.field(str(i)) for i in range(1, 5))
    fr_parts = [fr.struct.field(str(i)) for i in range(1, 10)]

    def minus(part: pl.Expr) -> pl.Expr:
        return (part == "-").fill_null(False).cast(pl.Int8)

    def power(k: pl.Expr) -> pl.Expr:
        return k.clip(0, _MAX_DIGITS).replace_strict(_POWERS_OF_TEN, return_dtype=pl.Int128)

    def small(part: pl.Expr) -> pl.Expr:
        return pl.when(part.str.len_bytes() <= _MAX_DIGITS).then(part.cast(pl.Int128, strict=False))

    digits, significant, scale = f("digits"), f("significant"), f("scale")
    decimal_form, num, den = f("decimal_form"), f("num"), f("den")
    return (
        pl.struct(dec=text.str.extract_groups(_DECIMAL), fr=text.str.extract_groups(_FRACTION))
        .struct.with_fields(
            digits=pl.concat_str(whole, frac.fill_null("")),
            # -scale is the power of ten of the last digit: 1.25 has scale 2, 3e2 -2.
            scale=frac.fill_null("").str.len_bytes().cast(pl.Int64)
            - pl.when(exp.is_null())
            .then(0)
            .when(exp.str.len_bytes() <= 4)
            .then(exp.cast(pl.Int64))
            .otherwise(-10_000),  # an exponent too large to fit: not a number here
            fr_num=small(pl.coalesce(fr_parts[2], fr_parts[6])),
            fr_den=small(pl.coalesce(fr_parts[4], fr_parts[8])),
            fr_negative=(
                minus(fr_parts[0])
                + minus(pl.coalesce(fr_parts[1], fr_parts[5]))
                + minus(pl.coalesce(fr_parts[3], fr_parts[7]))
            )
            % 2
            == 1,
        )
        .struct.with_fields(
            significant=digits.str.strip_chars_start("0"), decimal_form=digits.str.len_bytes() > 0
        )
        .struct.with_fields(
            fits=(
                significant.str.len_bytes().cast(pl.Int64) + (-scale).clip(lower_bound=0)
                <= _MAX_DIGITS
            )
            & (scale <= _MAX_DIGITS),
            magnitude=pl.when(significant == "").then(pl.lit("0")).otherwise(significant),
        )
        .struct.with_fields(
            num=pl.when(decimal_form)
            .then(pl.when(f("fits")).then(f("magnitude").cast(pl.Int128) * power(-scale)))
            .otherwise(pl.when(f("fr_den") != 0).then(f("fr_num"))),
            den=pl.when(decimal_form)
            .then(pl.when(f("fits")).then(power(scale)))
            .otherwise(pl.when(f("fr_den") != 0).then(f("fr_den"))),
            negative=pl.when(decimal_form).then(sign == "-").otherwise(f("fr_negative")),
        )
        .struct.with_fields(
            num=pl.when(f("negative")).then(pl.lit(0, pl.Int128) - num).otherwise(num),
            integer=pl.when(decimal_form & frac.is_null() & exp.is_null()).then(
                pl.concat_str(
                    pl.when((sign == "-") & (significant != ""))
                    .then(pl.lit("-"))
                    .otherwise(pl.lit("")),
                    f("magnitude"),
                )
            ),
            decimal=decimal_form & (frac.is_not_null() | exp.is_not_null()),
        )
        .struct.with_fields(value=num.cast(pl.Float64) / den.cast(pl.Float64))
    )


def _verify_batch(pairs: pl.Series, *, seconds: float) -> pl.Series:
    """Math-Verify on each (prediction, reference) row of a struct Series.

    A Python function per row, not an expression: Math-Verify parses LaTeX into SymPy
    and compares symbolically, which no Polars expression can do. It receives only the
    rows the fast path left undecided, so its cost is paid only where needed.
    """
    from crucible_pl.scoring._math_verify import verify_pairs

    if pairs.len() == 0:
        return pl.Series(pairs.name, [], dtype=pl.Boolean)
    verdicts = verify_pairs(
        pairs.struct.field("prediction").to_list(),
        pairs.struct.field("reference").to_list(),
        seconds=seconds,
    )
    return pl.Series(pairs.name, verdicts, dtype=pl.Boolean)


def _fast_verdict(pred_text_in: pl.Expr, ref_text_in: pl.Expr) -> pl.Expr:
    """The fast path on folded texts: True, False, or null where it cannot decide."""
    f = pl.field
    pred_text, ref_text, pred, ref = f("pred_text"), f("ref_text"), f("pred"), f("ref")
    pred_parts, ref_parts = f("pred_parts"), f("ref_parts")
    pred_number, ref_number = f("pred_number"), f("ref_number")

    def number(side: pl.Expr, name: str) -> pl.Expr:
        return side.struct.field(name)

    def same_value(p_den: pl.Expr, r_den: pl.Expr) -> pl.Expr:
        # p == r as fractions: p_num / p_den == r_num / r_den, exactly in Int128.
        return number(pred_number, "num") * r_den == number(ref_number, "num") * p_den

    p_den, r_den = number(pred_number, "den"), number(ref_number, "den")
    pred_percent = pred_parts.struct.field("percent")
    ref_percent = ref_parts.struct.field("percent")
    numbers_equal = (
        same_value(p_den, r_den)
        # A predicted "50%" is 50 (GSM8K keys write the bare number) and also 1/2; a
        # predicted 0.44 is not a reference's "44%" (the question asked for a percent).
        | (pred_percent & same_value(p_den * 100, r_den))
        # The one tolerance: a decimal reference, to Math-Verify's 6 decimal places.
        | (
            number(ref_number, "decimal")
            & (
                number(pred_number, "value").round(_DECIMAL_PLACES)
                == number(ref_number, "value").round(_DECIMAL_PLACES)
            )
        )
    )
    pred_unit, ref_unit = pred_parts.struct.field("unit"), ref_parts.struct.field("unit")
    pred_word, ref_word = pred.str.contains(_PLAIN_WORDS), ref.str.contains(_PLAIN_WORDS)
    pred_is_number = (
        number(pred_number, "num").is_not_null() | number(pred_number, "integer").is_not_null()
    )
    ref_is_number = (
        number(ref_number, "num").is_not_null() | number(ref_number, "integer").is_not_null()
    )
    verdict = (
        pl.when(pred_text.is_null() | ref_text.is_null() | (pred == ""))
        .then(pl.lit(False))
        # "9 a.m." is not "9 p.m.": two different units, whatever comes before them.
        .when(pred_unit.is_not_null() & ref_unit.is_not_null() & (pred_unit != ref_unit))
        .then(pl.lit(False))
        .when(pred == ref)
        .then(pl.lit(True))
        .when(pred_is_number & ref_is_number & ~pred_percent & ~ref_percent)
        .then(
            pl.when(
                number(pred_number, "integer").is_not_null()
                & number(ref_number, "integer").is_not_null()
            )
            .then(number(pred_number, "integer") == number(ref_number, "integer"))
            .otherwise(numbers_equal)
        )
        .when(number(pred_number, "num").is_not_null() & number(ref_number, "num").is_not_null())
        .then(numbers_equal)
        # Words: "East" is "\text{east}"; a word is never a number.
        .when(pred_word & ref_word)
        .then(pred.str.to_lowercase() == ref.str.to_lowercase())
        .when((pred_word & ref_is_number) | (pred_is_number & ref_word))
        .then(pl.lit(False))
    )
    return (
        pl.struct(pred_text=pred_text_in, ref_text=ref_text_in)
        .struct.with_fields(pred_parts=_parts(pred_text), ref_parts=_parts(ref_text))
        .struct.with_fields(pred=pred_parts.struct.field("t"), ref=ref_parts.struct.field("t"))
        # A leading "x =" goes when the other side has no "=".
        .struct.with_fields(
            pred=pl.when(ref.str.contains("=").not_())
            .then(pred.str.replace(_LEADING_VARIABLE, ""))
            .otherwise(pred),
            ref=pl.when(pred.str.contains("=").not_())
            .then(ref.str.replace(_LEADING_VARIABLE, ""))
            .otherwise(ref),
        )
        .struct.with_fields(pred_number=_number(pred), ref_number=_number(ref))
        .struct.with_fields(verdict=verdict)
        .struct.field("verdict")
    )


def math_match(
    prediction: ColumnOrExpr,
    reference: ColumnOrExpr,
    *,
    exact_checker: bool = True,
    timeout: float = 5.0,
) -> pl.Expr:
    """Whether a math answer equals the reference, as a careful reader would judge.

    The fast path (Polars expressions) decides identical normalized answers and pairs of
    numbers (compared exactly); only the rows it cannot decide go to Math-Verify, one
    pair at a time. The rules, the one tolerance (decimal references) and how the time
    limit is kept are in the module documentation of :mod:`crucible_pl.scoring._math`.

    Parameters
    ----------
    prediction
        The extracted answer (e.g. ``extract_answer(reply, "math")``).
    reference
        The reference answer (``expected`` of a math dataset).
    exact_checker
        Send the rows the fast path cannot decide to Math-Verify (default). ``False``
        keeps everything in Polars; those rows then score ``False``.
    timeout
        Seconds Math-Verify may spend on one pair; a pair that takes longer scores
        ``False``.

    Returns
    -------
    pl.Expr
        Boolean, named after ``prediction``; ``False`` where either side is null.

    Raises
    ------
    InvalidInputError
        A ``timeout`` that is not a positive number.

    Examples
    --------
    >>> import polars as pl
    >>> from crucible_pl.scoring import math_match
    >>> df = pl.DataFrame(
    ...     {
    ...         "pred": ["\\\\dfrac{1}{2}", "0.5", "1450001", "x = 5", "−5", "2\\\\sqrt{3}", None],
    ...         "ref": ["\\\\frac{1}{2}", "\\\\frac12", "1450000", "5", "5", "\\\\sqrt{12}", "1"],
    ...     }
    ... )
    >>> df.select(math_match("pred", "ref"))["pred"].to_list()
    [True, True, False, True, False, True, False]
    """
    if not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or not timeout > 0:
        raise InvalidInputError(
            f"Invalid timeout={timeout!r}: expected a positive number of seconds, e.g. 5.0."
        )
    f = pl.field
    pred_text, ref_text, pred_int, ref_int = (
        f("pred_text"),
        f("ref_text"),
        f("pred_int"),
        f("ref_int"),
    )
    # Identical answers and plain integers (most GSM8K rows) are decided by a string
    # compare and a cast; only the other rows are normalized (see _computed_where).
    frame = (
        pl.struct(
            pred_text=_fold_lookalikes(_as_text(prediction)).str.strip_chars(),
            ref_text=_fold_lookalikes(_as_text(reference)).str.strip_chars(),
        )
        .struct.with_fields(
            pred_int=pred_text.cast(pl.Int64, strict=False),
            ref_int=ref_text.cast(pl.Int64, strict=False),
        )
        .struct.with_fields(
            verdict=pl.when(pred_text.is_null() | ref_text.is_null() | (pred_text == ""))
            .then(pl.lit(False))
            .when(pred_text == ref_text)
            .then(pl.lit(True))
            .when(pred_int.is_not_null() & ref_int.is_not_null())
            .then(pred_int == ref_int)
        )
        .struct.with_fields(todo=f("verdict").is_null())
        .struct.with_fields(
            verdict=pl.coalesce(
                f("verdict"),
                _computed_where(f("todo"), _fast_verdict, pred_text, ref_text, dtype=pl.Boolean()),
            )
        )
    )
    if exact_checker:
        frame = frame.struct.with_fields(
            undecided=pl.field("verdict").is_null()
        ).struct.with_fields(
            verdict=pl.coalesce(
                pl.field("verdict"),
                _computed_where(
                    pl.field("undecided"),
                    lambda p, r: pl.struct(prediction=p, reference=r).map_batches(
                        partial(_verify_batch, seconds=float(timeout)), return_dtype=pl.Boolean
                    ),
                    pred_text,
                    ref_text,
                    dtype=pl.Boolean(),
                ),
            )
        )
    result = frame.struct.field("verdict").fill_null(False)
    return _named(result, prediction)
