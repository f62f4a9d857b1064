r"""Find a choice letter (A-J) in a free-text reply, as a Polars expression.

The rules of :func:`extract_choice_letter` (the ``"choice_letter"`` strategy of
:func:`~crucible_pl.scoring.extract_answer`).

Markup first goes: ``**``/``*`` (Markdown bold and italics), backticks, ``$``, ``\(``
``\)`` ``\[`` ``\]``, and the LaTeX wrappers ``\textbf{...}``, ``\text{...}``,
``\mathrm{...}``, ``\mathbf{...}``, ``\emph{...}`` (their content kept); ``\fbox{`` reads
as ``\boxed{``. So ``**Answer:** C``, ``**(C)**`` and ``\textbf{(C)}`` read as
``Answer: C``, ``(C)`` and ``(C)``. (OpenAI simple-evals strips the same markup,
``**``, ``$``, ``\boxed{``, ``\text{``, before its ``Answer: X`` regex.)

Then one letter, upper-cased, comes from the first of these tiers that finds one. Within
a tier the **last** match wins: a reply reasons first and concludes last, so "A is
tempting, B is wrong; so the answer is C." gives C. (lighteval's choice-index extraction
ranks its patterns by priority and takes the rightmost match within a priority;
lm-eval's chain-of-thought tasks, e.g. ``mmlu_flan_cot_zeroshot`` and ``gpqa_cot``, take
the last ``(X)`` with ``group_select: -1``.)

1. **An explicit answer**: a cue word ``answer``, ``option``, ``choice`` or ``letter``
   (any case; ``answer to this question`` and the like allowed), then ``is``, ``:``,
   ``=``, ``would be``, ``should be``, ``must be`` or ``will be``, then the letter, bare
   or as ``(C)``, ``[C]`` or ``\boxed{C}``: "Answer: C", "The answer is (C)", "The
   correct answer is C", "the best option is C", "Final answer: C", "The answer is
   \boxed{C}". A lone ``\boxed{C}`` anywhere counts too. (Sources: lm-eval's
   ``mmlu_pro`` filter ``answer is \(?([A-J])\)?``, its ``mmlu_cot_llama`` filter
   ``best answer is ([A-Z])``, the strict-match "The answer is" filters of its CoT
   tasks, simple-evals' ``Answer\s*:\s*X``, lighteval's "final answer is" and
   ``answer:`` patterns, and MATH-style ``\boxed{}`` answers.)
2. **A line that is only a letter**: ``C``, ``(C)``, ``[C]``, ``C.``, ``C)``, ``C:``,
   once the markup is gone also ``**C**`` or ``\textbf{(C)}`` (lighteval's start-of-line
   pattern).
3. **The reply opens with the letter**: ``C.``, ``C)``, ``C:``, ``(C)`` or ``[C]``
   followed by anything, e.g. "C. Because ...", the form lm-eval's generative MMLU
   asks for with its ``Answer:`` prompt (lighteval's start-of-string pattern).
4. **A letter named by a cue without a verb**: ``option C``, ``choice C``, ``pick C``,
   ``choose C``, ``select C``, ``go with C``.
5. **A letter in brackets**: ``(C)`` or ``[C]`` not right after a word character or a
   backslash (so ``f(a)`` is no answer), the pattern of lm-eval's ``multi_choice_regex``
   flexible extraction, ``\([A-Z]\)``. A lower-case ``(i)`` is a roman numeral, not I.
6. **A capital letter standing alone**, not after ``not``/``n't``, not before an
   apostrophe (``I'd``), and either last in its sentence or followed by *is*, *was*,
   *would*, *should*, *seems*, *looks* or *appears*: "I think D is right", "Between A
   and B, I'd pick C" (A, before *and*, is no answer).

**Never the article A or the pronoun I.** lighteval keeps its unanchored letter
patterns off by default because "A" is a word; here an upper-case ``A`` or ``I`` after a
cue (tier 1) that is followed by a lower-case word reads as a letter only when that word
is one of *because*, *since*, *as*, *and*, *or*, *is*, *was*, *which*, *that*, *but*,
*so*; tier 6 needs the verb list above. A lower-case letter counts only where it cannot
be a word: in brackets or a box, alone on a line, or followed by ``.``, ``,``, ``:``,
``;``, ``)`` or the end of the reply. Null when no tier applies.
"""

from __future__ import annotations

import polars as pl

from crucible_pl.scoring._text import ColumnOrExpr, _as_text, _computed_where, _named

__all__ = ["extract_choice_letter"]

# --- markup ----------------------------------------------------------------------------
_WRAPPER = (
    r"\\(?:textbf|textit|texttt|textrm|text|mathrm|mathbf|mathit|mathtt|emph|underline)"
    r"[ \t]*\{([^{}]*)\}"
)
_MARKUP = r"\*+|`+|\$+|\\[()\[\]]"

# --- tier 1: an explicit answer ------------------------------------------------------
_CUE = (
    r"\b(?i:answer|option|choice|letter)s?"
    r"(?:[ \t]+(?i:to|for|of)\b[^.:\n]{0,40}?)?"
    r"[ \t]*(?:(?i:is|would[ \t]+be|should[ \t]+be|must[ \t]+be|will[ \t]+be)\b[ \t]*:?|[:=])"
    r"(?:[ \t]*(?i:option|choice|letter)\b)?\s*"
)
_TAIL = r"(?:[ \t]+[A-Za-z]+|[^A-Za-z0-9]|$)"
_CUED = _CUE + r"(?:\\boxed\{[ \t]*)?[\(\[]?([A-Ja-j])[\)\]]?[ \t]*\}?" + _TAIL
_BOXED = r"\\boxed\{[ \t]*[\(\[]?([A-Ja-j])[\)\]]?[ \t]*\}"
_EXPLICIT = f"{_CUED}|{_BOXED}"
# A cued letter that is a word: lower-case and followed by a word ("answer is a bit"),
# or A/I followed by a lower-case word that does not continue an answer ("is A good").
_LOWER_WORD = r"(?:^|[^\(\[{A-Za-z])[a-j][ \t]+[A-Za-z]+$"
_ARTICLE_WORD = r"(?:^|[^\(\[{A-Za-z])[AI][ \t]+[a-z]+$"
_CONTINUES = r"[ \t](?:because|since|as|and|or|is|was|which|that|but|so)$"

# --- tiers 2 and 3: the reply is, or opens with, the letter ------------------------------
_LETTER_LINE = r"(?m)^[ \t]*[\(\[]?[A-Ja-j][\)\]]?[.:]?[ \t]*$"
_LETTER_IN_LINE = r"([A-Ja-j])[\)\]]?[.:]?[ \t]*$"
_LEADING_LETTER = r"^\s*[\(\[]?([A-J])(?:[\)\]\.:]|\s*$)"
_LEADING_LOWER_LETTER = r"^\s*[\(\[]?([a-j])(?:[\)\]]|\s*$)"

# --- tier 4: a letter named by a cue without a verb ----------------------------------
_NAMED = (
    r"\b(?i:option|choice|pick|choose|select|go[ \t]+with)[ \t]+[\(\[]?"
    r"(?:([A-J])\b|([a-j])(?:[\)\]\.:,]|\s*$))"
)

# --- tiers 5 and 6: a bracketed letter; a capital standing alone ---------------------
_BRACKETED = r"(?:^|[^\w\\])[\(\[]([A-Ja-hj])[\)\]]"
_STANDALONE = r"(?:\b(?i:not)[ \t]+|n't[ \t]+)?\b[A-J]\b(?:[ \t]+[a-z]+|['’][A-Za-z]*)?"
_STANDALONE_OK = r"^[A-J](?:$|[ \t]+(?:is|was|would|should|seems|looks|appears)$)"


def _unmarked(text: pl.Expr) -> pl.Expr:
    """The reply without Markdown emphasis, math delimiters and LaTeX text wrappers."""
    for _ in range(2):  # twice: one wrapper may hold another, \textbf{\text{C}}
        text = text.str.replace_all(_WRAPPER, "$1")
    return text.str.replace_all(r"\\fbox\{", r"\boxed{").str.replace_all(_MARKUP, "")


def _last_explicit(text: pl.Expr) -> pl.Expr:
    match = pl.element()
    is_word = match.str.contains(_LOWER_WORD) | (
        match.str.contains(_ARTICLE_WORD) & ~match.str.contains(_CONTINUES)
    )
    last = text.str.extract_all(_EXPLICIT).list.eval(match.filter(~is_word)).list.last()
    return pl.coalesce(last.str.extract(_EXPLICIT, 1), last.str.extract(_EXPLICIT, 2))


def _last_named(text: pl.Expr) -> pl.Expr:
    last = text.str.extract_all(_NAMED).list.last()
    return pl.coalesce(last.str.extract(_NAMED, 1), last.str.extract(_NAMED, 2))


def _weaker_tiers(text: pl.Expr) -> pl.Expr:
    """Tiers 2 to 6, in order (the module documentation lists them)."""
    standalone = (
        text.str.extract_all(_STANDALONE)
        .list.eval(pl.element().filter(pl.element().str.contains(_STANDALONE_OK)))
        .list.last()
        .str.head(1)
    )
    return pl.coalesce(
        text.str.extract_all(_LETTER_LINE).list.last().str.extract(_LETTER_IN_LINE, 1),
        text.str.extract(_LEADING_LETTER, 1),
        text.str.extract(_LEADING_LOWER_LETTER, 1),
        _last_named(text),
        text.str.extract_all(_BRACKETED).list.last().str.extract(_BRACKETED, 1),
        standalone,
    )


def extract_choice_letter(expr: ColumnOrExpr) -> pl.Expr:
    r"""Find a choice letter A-J in a free-text reply (the ``"choice_letter"`` strategy).

    The markup that is removed first, the six tiers tried in order (within a tier the
    last match wins) and their sources are listed in the module documentation of
    :mod:`crucible_pl.scoring._letters`.

    Parameters
    ----------
    expr
        A String column name or expression.

    Returns
    -------
    pl.Expr
        A String expression holding one upper-case letter, or null.

    Examples
    --------
    >>> import polars as pl
    >>> from crucible_pl.scoring import extract_choice_letter
    >>> replies = [
    ...     "A good answer is (B).",
    ...     "**Answer:** C",
    ...     "A is tempting and B is close, so the answer is D.",
    ...     "I think E is right",
    ...     "A bit unsure",
    ... ]
    >>> pl.DataFrame({"r": replies}).select(extract_choice_letter("r"))["r"].to_list()
    ['B', 'C', 'D', 'E', None]
    """
    text, explicit = pl.field("text"), pl.field("explicit")
    found = (
        pl.struct(text=_unmarked(_as_text(expr)))
        .struct.with_fields(explicit=_last_explicit(text))
        .struct.with_fields(
            # Most replies that reason state their answer (tier 1): the other tiers run
            # only on the rows without one.
            letter=pl.coalesce(
                explicit,
                _computed_where(explicit.is_null(), _weaker_tiers, text, dtype=pl.String()),
            ).str.to_uppercase()
        )
    )
    return _named(found.struct.field("letter"), expr)
