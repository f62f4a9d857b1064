"""Pull the final answer out of a model's free-text reply, as Polars expressions.

Strategies of :func:`extract_answer`, each with the harness rule it follows:

``"gsm8k"``
    GSM8K *strict-match* (lm-evaluation-harness ``tasks/gsm8k/gsm8k.yaml``, regex
    ``#### (\\-?[0-9\\.\\,]+)``): a number right after ``####`` (spaces and one ``$``
    allowed in between), commas removed. A Markdown heading ``#### Final Answer`` is not
    an answer: null. Where a reply has several, the last one is taken (lm-eval takes the
    first; a reply that corrects itself ends with its final answer).
``"last_number"``
    GSM8K *flexible-extract* (same yaml, the last number of the reply): the last number
    (see :mod:`crucible_pl.scoring._numeric`) as text without ``$``, ``,`` and ``%``:
    ``"Total: $1,234"`` gives ``"1234"``.
``"boxed"``
    The MATH paper's ``last_boxed_only_string`` (Hendrycks et al. 2021; lm-eval
    ``tasks/hendrycks_math/utils.py``): the content of the last ``\\boxed{...}`` or
    ``\\fbox{...}``, nested braces kept (``\\boxed{\\frac{1}{2}}`` gives
    ``\\frac{1}{2}``), or of a brace-less ``\\boxed 5`` (up to the next ``$`` or line
    end). Null when there is no box or its braces never close. Braces are counted
    without regard to escaping, so ``\\{`` counts as a brace (balanced escaped braces
    come out right).
``"answer_is"``
    The answer cues of Minerva (``Final Answer: The final answer is X. I hope it is
    correct.``) and Math-Verify (``answer:``, ``final answer is``): the text after the
    last ``answer is`` / ``answer:`` (any case; Markdown bold around the cue allowed:
    ``**Answer:** X``), up to the end of that line, without Minerva's closing ``I hope
    it is correct.``, stripped of white space, Markdown bold (``*``) and one trailing
    period. A ``$...$`` (or ``\\(...\\)``) around the answer is kept here; ``"math"``
    unwraps it.
``"math"``
    The chain ``evaluate`` uses for the math family; the first rule that finds
    something wins:

    1. the last box (``"boxed"``), or several brace-free boxes that close the reply
       joined by commas or "and" (``$\\boxed{-2}$ and $\\boxed{1}$`` gives ``-2, 1``,
       as Math-Verify reads such runs). Minerva and lm-eval's hendrycks_math read the
       box before anything else, Math-Verify gives it the priority of its "final
       answer" cue, and a box is the one marker a model writes only around its answer;
       so it wins over ``####`` headings and cue words that merely announce it;
    2. the last answer cue (``"answer_is"``); when the answer starts with a ``$...$``,
       ``\\(...\\)`` or ``\\[...\\]`` span, that span's content (``The answer is
       $\\frac{14}{3}$.`` gives ``\\frac{14}{3}``, not ``3``). Math-Verify ranks its cue
       patterns next after the box;
    3. GSM8K strict (``"gsm8k"``): the few-shot GSM8K format;
    4. the whole reply, when it is one short math expression: one line of at most 120
       characters, one ``$``/``\\(``/``\\[`` wrapper and a trailing period removed, no
       other ``$``, fewer than three plain words and never two in a row (so a bare gold
       answer such as ``\\frac{14}{3}``, ``$\\frac{14}{3}$``, ``x=5``, ``(3, 4)`` or
       ``\\text{Evelyn}`` comes out whole, not as its last digit, while a sentence does
       not);
    5. the last math span ``$...$``, ``$$...$$``, ``\\(...\\)``, ``\\[...\\]``, its part
       after the last ``=``, when no digit follows it in the reply or it assigns a
       variable (``$k=5$, and the bin has 15 balls`` gives ``5``); else the last number,
       ``%`` kept. This is Math-Verify's unanchored rule (the rightmost LaTeX span or
       number wins), and it keeps prose with dollar amounts (``$5 and $6``) on the last
       number. Before the number is read, a closing aside in brackets and a closing
       restatement of a number already given (``160 minutes, or about 2.67 hours``,
       ``= 3, i.e. 1.5 times``, ``15 liters out of 24``) are dropped; ``1.45 million``
       reads as ``1.45e6``; a hedge (``12 or 13``) comes out whole, so it matches
       neither number. A reply without any number gives its last word
       (``She ends up facing East.`` gives ``East``).

    Look-alike characters are folded first (the Unicode minus and dashes written for
    it, full-width forms, no-break spaces), so ``−5`` reads as ``-5``, never ``5``; an
    escaped ``\\$`` (currency) never opens or closes a math span.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, get_args

import polars as pl

from crucible_pl.errors import InvalidInputError
from crucible_pl.scoring._letters import extract_choice_letter
from crucible_pl.scoring._math_normalize import _fold_lookalikes, _magnitudes_as_exponents
from crucible_pl.scoring._numeric import _number_text, _picked_number
from crucible_pl.scoring._text import ColumnOrExpr, _as_text, _computed_where, _named

__all__ = ["Strategy", "extract_answer"]

Strategy = Literal["gsm8k", "last_number", "boxed", "answer_is", "math", "choice_letter"]

_ANSWER_IS_CUE = r"(?i:answer)\**[ \t]*(?:(?i:is)[ \t]*:?|:)[ \t]*\**[ \t]*"
_HOPE = r"\.?[ \t]*(?i:I hope it is correct)\.?[ \t]*$"
_STRICT_GSM8K = r"####[ \t]*\$?[ \t]*(-?(?:\d[\d,]*(?:\.\d+)?|\.\d+))"
# One math span: $$...$$, $...$ (not an escaped \$), \(...\), \[...\].
_SPAN = r"(?s)\$\$.+?\$\$|\$[^$]+\$|\\\(.+?\\\)|\\\[.+?\\\]"
_LEADING_SPAN = r"(?s)^(" + _SPAN.removeprefix("(?s)") + ")"
_WRAPPED = r"(?s)^(?:\$\$(.+)\$\$|\$([^$]+)\$|\\\((.+)\\\)|\\\[(.+)\\\])$"
_MAX_EXPRESSION_CHARS = 120
# Two plain words in a row (LaTeX commands and \text{...} bodies removed first).
_TWO_WORDS = r"[A-Za-z]{2,}[ \t]+[A-Za-z]{2,}"
_WORD = r"[A-Za-z]{2,}"
_FLAT_BOX = r"\\boxed\{([^{}]*)\}"
# Two or more brace-free boxes joined by "," or "and", then no other box to the end.
_BOX_RUN = r"((?:\\boxed\{[^{}]*\}[\s$]*(?:,|and|,\s*and)[\s$]*)+\\boxed\{[^{}]*\})[^\\]*$"
# A closing aside: words in brackets at the very end.
_ASIDE = r"\.[ \t]*\([^()]*[A-Za-z]{2,}[ \t]+[A-Za-z]{2,}[^()]*\)[\s.]*$"
# A closing restatement after a stated number: ", i.e. 1.5 times ...", ", or about 2.67
# hours", "out of 24 liters ...", ". In kilometres that is 0.54." The number before it
# is the answer. The restatement holds one number and no math ("i.e. $-3^\circ$" and
# "out of 15 cakes, so 3 remain" are not skipped).
_RESTATEMENT = (
    r"(\d[^\d\n]*?)(?:,\s*(?:i\.\s?e\.|that is|or about|or approximately|or roughly)"
    r"|\s+out of|\.\s+In [A-Za-z]+,? that is)\s[^\d\n$]*\d[\d.,]*[^\d\n$]*$"
)
# A hedge: the last two numbers joined by "or".
_HEDGE = r"(-?\d[\d,.]*\s+or\s+-?\d[\d,.]*)\D*$"
_ASSIGNMENT = r"^\s*[A-Za-z]\s*="


def _after_last(text: pl.Expr, marker: str) -> pl.Expr:
    """The text after the last ``marker``; null when there is none."""
    return text.str.split(marker).list.slice(1).list.last()


def _gsm8k(text: pl.Expr) -> pl.Expr:
    return (
        text.str.extract_all(_STRICT_GSM8K)
        .list.last()
        .str.extract(_STRICT_GSM8K, 1)
        .str.replace_all(",", "")
    )


def _box_forms(text: pl.Expr) -> pl.Expr:
    """``\\fbox{`` read as ``\\boxed{``, and a brace-less ``\\boxed 5`` as ``\\boxed{5}``.

    The brace-less content runs up to ``$`` or the line end, as lm-eval's
    ``last_boxed_only_string`` reads it.
    """
    return text.str.replace_all(r"\\fbox\{", r"\boxed{").str.replace_all(
        r"\\boxed[ \t]+([^{$\n][^$\n]*)", r"\boxed{$1}"
    )


def _boxed(text: pl.Expr) -> pl.Expr:
    # A regex cannot match nested braces, so: take the text after the last "\boxed{",
    # cut it into brace tokens and brace-free runs, give "{" +1 and "}" -1, and keep the
    # tokens before the running depth first drops below zero (the closing brace). If it
    # never does, the box is not closed and the answer is null.
    depth = pl.element().replace_strict({"{": 1, "}": -1}, default=0, return_dtype=pl.Int32)
    tail, content = pl.field("tail"), pl.field("content")
    return (
        pl.struct(tail=_after_last(_box_forms(text), r"\boxed{"))
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


def _box_list(text: pl.Expr) -> pl.Expr:
    """Several boxes closing a reply, joined by commas or "and": their contents, joined.

    ``The roots are $\\boxed{-2}$ and $\\boxed{1}$.`` gives ``-2, 1`` (Math-Verify reads
    such runs as one set). Only brace-free box contents; null without such a run.
    """
    run = _box_forms(text).str.extract(_BOX_RUN, 1)
    return (
        run.str.extract_all(_FLAT_BOX)
        .list.eval(pl.element().str.extract(_FLAT_BOX, 1))
        .list.join(", ")
    )


def _answer_is(text: pl.Expr) -> pl.Expr:
    # Mark every cue with NUL, then keep the first line after the last mark; or, when
    # that line leaves a brace open (a LaTeX answer broken over lines), its paragraph.
    f = pl.field
    line, paragraph = f("line"), f("paragraph")
    return (
        pl.struct(after=_after_last(text.str.replace_all(_ANSWER_IS_CUE, "\x00"), "\x00"))
        .struct.with_fields(
            line=f("after").str.extract(r"^([^\n]*)", 1),
            paragraph=f("after").str.extract(r"^((?s:.*?))(?:\n[ \t]*\n|$)", 1),
        )
        .struct.with_fields(
            answer=pl.when(
                line.str.count_matches("{", literal=True)
                > line.str.count_matches("}", literal=True)
            )
            .then(paragraph)
            .otherwise(line)
            .str.replace(_HOPE, "")
            .str.strip_chars(" \t*")
        )
        .struct.field("answer")
        .str.replace(r"\.$", "")
        .str.strip_chars(" \t*")
    )


def _unwrapped(text: pl.Expr) -> pl.Expr:
    """The content of a text that is one math span (``$x$``, ``\\(x\\)``...), else the text."""
    inner = text.str.extract_groups(_WRAPPED)
    return pl.coalesce(*(inner.struct.field(str(group)) for group in range(1, 5)), text)


def _leading_span(answer: pl.Expr) -> pl.Expr:
    """An answer that starts with a math span gives that span's content."""
    span = answer.str.extract(_LEADING_SPAN, 1)
    return pl.coalesce(_unwrapped(span).str.strip_chars(), answer)


def _whole_expression(text: pl.Expr) -> pl.Expr:
    """The reply itself when it is one short math expression (rule 4 of ``"math"``)."""
    whole = pl.field("whole")
    return (
        pl.struct(
            whole=_unwrapped(text.str.strip_chars().str.strip_chars_end(".").str.strip_chars())
        )
        .struct.with_fields(
            whole=whole.str.strip_chars().str.strip_chars_end(".").str.strip_chars()
        )
        .struct.with_fields(
            plain=whole.str.replace_all(
                r"\\(?:text|mbox|textbf|mathrm)\s*\{[^{}]*\}", " "
            ).str.replace_all(r"\\[A-Za-z]+", " ")
        )
        .struct.with_fields(
            whole=pl.when(
                (whole.str.len_chars() <= _MAX_EXPRESSION_CHARS)
                & (whole.str.len_bytes() > 0)
                & whole.str.contains(r"[\n$]").not_()
                & pl.field("plain").str.contains(_TWO_WORDS).not_()
                & (pl.field("plain").str.count_matches(_WORD) < 3)
            ).then(whole)
        )
        .struct.field("whole")
    )


def _last_span_or_number(text: pl.Expr) -> pl.Expr:
    """Rule 5 of ``"math"``: the last math span, or the last number after it.

    The span wins when no digit follows it, or when it assigns a value to a variable
    (``$k=5$, and the bin has 15 balls`` gives ``5``). A closing aside in brackets
    after a sentence (``260 sheep. (Toulouse alone has 160.)``) is not read, nor is a
    closing restatement of a number already stated, holding one number
    (``160 minutes, or about 2.67 hours``; ``= 3, i.e. 1.5 times``; ``15 liters out
    of 24``). A hedge ``12 or 13`` comes out whole (it matches neither number).
    """
    f = pl.field
    text = text.str.replace(_ASIDE, ".").str.replace(_RESTATEMENT, "$1")
    return (
        pl.struct(
            span=_unwrapped(text.str.extract_all(_SPAN).list.last()),
            digit_after=_after_last(text.str.replace_all(_SPAN, "\x00"), "\x00").str.contains(
                r"\d"
            ),
            hedge=text.str.extract(_HEDGE, 1),
            # The number as written, but for "$" and ",": a "%" stays (50% may be 1/2).
            number=_picked_number(text, "last").str.replace_all(r"[^0-9.eE+\-/%]", ""),
            word=text.str.extract_all(_WORD).list.last(),
        )
        .struct.with_fields(
            value=f("span").str.split("=").list.last().str.strip_chars(),
            assignment=f("span").str.contains(_ASSIGNMENT),
        )
        .struct.with_fields(
            answer=pl.when(
                (f("value").str.len_bytes() > 0) & (f("digit_after").not_() | f("assignment"))
            )
            .then(f("value"))
            .otherwise(pl.coalesce(f("hedge"), f("number"), f("word")))
        )
        .struct.field("answer")
    )


def _math(text: pl.Expr) -> pl.Expr:
    # Each rule runs only on the rows no earlier rule answered, and only where a cheap
    # test says it can apply (a box, an answer cue, "####", a short reply): the chain
    # then costs about one rule per row, not six (see _computed_where).
    f = pl.field
    found, todo, reply = f("answer"), f("todo"), f("reply")

    def rule(mask: pl.Expr, read: Callable[[pl.Expr], pl.Expr]) -> list[pl.Expr]:
        return [
            (found.is_null() & mask).fill_null(False).alias("todo"),
            pl.coalesce(found, _computed_where(todo, read, reply, dtype=pl.String())).alias(
                "answer"
            ),
        ]

    def boxes(part: pl.Expr) -> pl.Expr:
        return pl.coalesce(_box_list(part), _boxed(part))

    def answer_cue(part: pl.Expr) -> pl.Expr:
        # A math span right after the cue may run over a line end; else the cue's line.
        rest = _after_last(part.str.replace_all(_ANSWER_IS_CUE, "\x00"), "\x00")
        span = rest.str.strip_chars_start(" \t*").str.extract(_LEADING_SPAN, 1)
        return pl.coalesce(_unwrapped(span).str.strip_chars(), _leading_span(_answer_is(part)))

    def last(part: pl.Expr) -> pl.Expr:
        return _last_span_or_number(_magnitudes_as_exponents(part))

    # An escaped dollar (currency in LaTeX) must not open or close a math span: it is
    # held as \x01 while the rules run.
    prepared = _fold_lookalikes(text).str.replace_all("\\$", "\x01", literal=True)
    chain = pl.struct(reply=prepared, answer=pl.lit(None, pl.String))
    for mask, read in (
        (reply.str.contains(r"\\boxed|\\fbox"), boxes),
        (reply.str.contains(r"(?i)answer"), answer_cue),
        (reply.str.contains("####", literal=True), _gsm8k),
        (reply.str.len_bytes() <= 4 * _MAX_EXPRESSION_CHARS, _whole_expression),
        (reply.is_not_null(), last),
    ):
        first, second = rule(mask, read)
        chain = chain.struct.with_fields(first).struct.with_fields(second)
    return chain.struct.field("answer").str.replace_all("\x01", "\\$", literal=True)


def extract_answer(expr: ColumnOrExpr, strategy: Strategy) -> pl.Expr:
    """Extract the final answer from free text with one of the named strategies.

    Parameters
    ----------
    expr
        A String column name or expression.
    strategy
        ``"gsm8k"``, ``"last_number"``, ``"boxed"``, ``"answer_is"``, ``"math"`` or
        ``"choice_letter"``; each is described, with its source, in the module
        documentation of :mod:`crucible_pl.scoring._answers`.

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

    The ``"math"`` chain reads a box first, then an answer cue, and a bare expression
    whole:

    >>> replies = [
    ...     "#### Final Answer\\n\\\\boxed{18}",
    ...     "The answer is $\\\\frac{14}{3}$.",
    ...     "$x=5$",
    ...     "She pays $5 and then $6.",
    ... ]
    >>> pl.DataFrame({"r": replies}).select(extract_answer("r", "math"))["r"].to_list()
    ['18', '\\\\frac{14}{3}', 'x=5', '6']
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
    elif strategy == "math":
        answer = _math(text)
    else:
        answer = extract_choice_letter(text)
    return _named(answer, expr)
