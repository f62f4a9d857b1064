"""lm-evaluation-harness's MATH answer check, rewritten from its documented behaviour.

This is a test helper, not part of crucible-pl: the agreement test
(``tests/scoring/test_scoring_agreement.py``) compares our ``math_match`` with the grader people
quote MATH numbers from. It is written here from what lm-eval's
``lm_eval/tasks/hendrycks_math/utils.py`` (``is_equiv``, ``strip_string`` and its
helpers) and ``lm_eval/tasks/minerva_math/utils.py`` (``last_boxed_only_string``,
``remove_boxed``, ``get_unnormalized_answer``) do; lm-eval is never imported.

The check is string equality after a fixed list of rewrites (:func:`strip_string`).
Where one of lm-eval's rewrites fails (a ``\\frac`` or ``\\sqrt`` with nothing after it,
two ``\\text{ `` units, an ``a/b`` whose halves are not integers), lm-eval compares the
raw strings instead; :class:`_UnstrippableError` marks those cases here.

Reply extraction (:func:`extract_reply_answer`) chains the steps lm-eval's math tasks
use, in this order: the last ``\\boxed{}``/``\\fbox{}`` (as the aime and hendrycks_math
``process_docs`` read boxes), else Minerva's "Final Answer: The final answer is X. I hope
it is correct.", else hendrycks_math's ``process_results`` rule (the text between the
first and the last ``$``, or the whole reply when it has fewer than two).
"""

from __future__ import annotations

import re

__all__ = [
    "extract_reply_answer",
    "is_equiv",
    "last_boxed_only_string",
    "minerva_final_answer",
    "remove_boxed",
    "strip_string",
]


class _UnstrippableError(Exception):
    """A rewrite of :func:`strip_string` does not apply; lm-eval then compares raw text."""


def last_boxed_only_string(text: str) -> str | None:
    """The last ``\\boxed{...}`` (or ``\\fbox{...}``) of ``text``, braces balanced.

    A ``\\boxed `` followed by a space takes the text after the last such marker up to
    the next ``$``. ``None`` when there is no box or its braces never close.

    >>> last_boxed_only_string(r"so $\\boxed{\\frac{1}{2}}$.")
    '\\\\boxed{\\\\frac{1}{2}}'
    """
    if "\\boxed " in text:
        return "\\boxed " + text.split("\\boxed ")[-1].split("$")[0]
    start = text.rfind("\\boxed")
    if start < 0:
        start = text.rfind("\\fbox")
        if start < 0:
            return None
    depth = 0
    for pos in range(start, len(text)):
        if text[pos] == "{":
            depth += 1
        elif text[pos] == "}":
            depth -= 1
            if depth == 0:
                return text[start : pos + 1]
    return None


def remove_boxed(boxed: str) -> str:
    """The content of ``\\boxed{...}`` or ``\\boxed ...``; ``ValueError`` for anything else.

    lm-eval asserts the ``\\boxed{`` prefix, so an ``\\fbox{...}`` is refused too.

    >>> remove_boxed(r"\\boxed{42}")
    '42'
    """
    if "\\boxed " in boxed:
        if not boxed.startswith("\\boxed "):
            raise ValueError(boxed)
        return boxed[len("\\boxed ") :]
    if not (boxed.startswith("\\boxed{") and boxed.endswith("}")):
        raise ValueError(boxed)
    return boxed[len("\\boxed{") : -1]


def minerva_final_answer(text: str) -> str | None:
    """The X of Minerva's "Final Answer: The final answer is X. I hope it is correct."."""
    found = re.search(
        r"Final Answer: The final answer is(.*?). I hope it is correct.",
        text + "I hope it is correct.",
    )
    return found.group(1).strip() if found else None


def _dollar_span(text: str) -> str:
    dollars = [pos for pos, char in enumerate(text) if char == "$"]
    if len(dollars) <= 1:
        return text
    return text[dollars[0] + 1 : dollars[-1]]


def extract_reply_answer(reply: str) -> str:
    """The answer lm-eval's math tasks would read from a model reply (see module doc).

    >>> extract_reply_answer(r"Hence $x = \\boxed{5}$.")
    '5'
    >>> extract_reply_answer("Final Answer: The final answer is $7$. I hope it is correct.")
    '7'
    >>> extract_reply_answer(r"The answer is $\\frac{14}{3}$.")
    '\\\\frac{14}{3}'
    """
    boxed = last_boxed_only_string(reply)
    if boxed is not None:
        try:
            return remove_boxed(boxed)
        except ValueError:
            pass
    final = minerva_final_answer(reply)
    return _dollar_span(final if final is not None else reply)


def _fix_fracs(text: str) -> str:
    # \frac12 -> \frac{1}{2}, \frac1b -> \frac{1}{b}, \frac1{72} -> \frac{1}{72}.
    pieces = text.split("\\frac")
    out = [pieces[0]]
    for piece in pieces[1:]:
        out.append("\\frac")
        if not piece:
            raise _UnstrippableError(text)
        if piece[0] == "{":
            out.append(piece)
            continue
        if len(piece) < 2:
            return text
        numerator, second, rest = piece[0], piece[1], piece[2:]
        if second == "{":
            out.append("{" + numerator + "}" + second + rest)
        else:
            out.append("{" + numerator + "}{" + second + "}" + rest)
    return "".join(out)


def _fix_a_slash_b(text: str) -> str:
    # "3/4" -> "\frac{3}{4}" when both halves are plain integers written canonically.
    halves = text.split("/")
    if len(halves) != 2:
        return text
    try:
        numerator, denominator = int(halves[0]), int(halves[1])
    except ValueError as err:  # lm-eval lets this escape, so the whole check goes raw
        raise _UnstrippableError(text) from err
    if text != f"{numerator}/{denominator}":
        return text
    return "\\frac{" + str(numerator) + "}{" + str(denominator) + "}"


def _remove_right_units(text: str) -> str:
    # "\text{ " only introduces units: keep what comes before it.
    if "\\text{ " not in text:
        return text
    parts = text.split("\\text{ ")
    if len(parts) != 2:
        raise _UnstrippableError(text)
    return parts[0]


def _fix_sqrt(text: str) -> str:
    # \sqrt3 -> \sqrt{3}
    pieces = text.split("\\sqrt")
    out = [pieces[0]]
    for piece in pieces[1:]:
        if not piece:
            raise _UnstrippableError(text)
        out.append("\\sqrt" + (piece if piece[0] == "{" else "{" + piece[0] + "}" + piece[1:]))
    return "".join(out)


def strip_string(text: str) -> str:
    """lm-eval's hendrycks_math normalization of an answer string.

    In order: drop line breaks and ``\\!``; ``\\\\`` -> ``\\``; ``tfrac``/``dfrac`` ->
    ``frac``; drop ``\\left``/``\\right``, ``^{\\circ}``/``^\\circ``, ``\\$``, a unit after
    ``\\text{ `` and ``\\%``; `` .``/``{.`` get a leading 0, as does a leading ``.``; a
    short left side of one ``=`` (``k = ``) is dropped; ``\\sqrt3`` -> ``\\sqrt{3}``;
    spaces are removed; ``\\frac12`` -> ``\\frac{1}{2}``; exactly ``0.5`` becomes
    ``\\frac{1}{2}``; an integer ``a/b`` becomes ``\\frac{a}{b}``.

    Raises :class:`_UnstrippableError` where lm-eval's own code raises.

    >>> strip_string(r"\\dfrac12")
    '\\\\frac{1}{2}'
    """
    text = text.replace("\n", "").replace("\\!", "").replace("\\\\", "\\")
    text = text.replace("tfrac", "frac").replace("dfrac", "frac")
    text = text.replace("\\left", "").replace("\\right", "")
    text = text.replace("^{\\circ}", "").replace("^\\circ", "")
    text = text.replace("\\$", "")
    text = _remove_right_units(text)
    text = text.replace("\\%", "")
    text = text.replace(" .", " 0.").replace("{.", "{0.")
    if not text:
        return text
    if text[0] == ".":
        text = "0" + text
    sides = text.split("=")
    if len(sides) == 2 and len(sides[0]) <= 2:
        text = sides[1]
    text = _fix_sqrt(text)
    text = text.replace(" ", "")
    text = _fix_fracs(text)
    if text == "0.5":
        text = "\\frac{1}{2}"
    return _fix_a_slash_b(text)


def is_equiv(first: str | None, second: str | None) -> bool:
    """lm-eval's hendrycks_math ``is_equiv``: equal after :func:`strip_string`.

    Both ``None`` counts as equal, one ``None`` as different; when either string cannot
    be stripped, the raw strings are compared.

    >>> is_equiv(r"\\frac{1}{2}", "0.5")
    True
    >>> is_equiv("x = 5", "5")
    True
    >>> is_equiv("2", r"\\frac{1}{2}")
    False
    """
    if first is None or second is None:
        return first is None and second is None
    try:
        return strip_string(first) == strip_string(second)
    except _UnstrippableError:
        return first == second
