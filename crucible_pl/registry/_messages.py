"""Polars expressions shared by the conversational families (chat, preference, rated).

Every function here returns a ``pl.Expr``; none touches data row by row. The canonical
message representation is :data:`MESSAGES`, ``List(Struct{role: String, content: String})``
with the fields in that order and roles normalized by :func:`normalize_role`:

========================================  ===========
source role (case and blanks ignored)     canonical
========================================  ===========
``human``, ``user``, ``prompter``         ``user``
``gpt``, ``bot``, ``assistant``,          ``assistant``
``model``, ``chatgpt``
``system``                                ``system``
``tool``, ``function``, ``ipython``       ``tool``
anything else                             lower-cased, kept
========================================  ===========

Splitting a conversation at a turn uses an index expression (``UInt32``, null when there
is no such turn): :func:`last_assistant_index` / :func:`first_assistant_index`, then
:func:`turns_before` (the prompt; the whole conversation when the index is null),
:func:`turns_from` (the completion; empty when the index is null) and
:func:`turn_content` (that turn's text; null when the index is null).

Examples
--------
>>> import polars as pl
>>> from crucible_pl.registry._messages import (
...     HH_MARKERS, last_assistant_index, parse_transcript, turn_content, turns_before,
... )
>>> t = "\\n\\nHuman: Hi\\n\\nAssistant: Hello\\n\\nHuman: Bye\\n\\nAssistant: Ciao"
>>> lf = pl.LazyFrame({"t": [t]})
>>> msgs = parse_transcript(pl.col("t"), markers=HH_MARKERS)
>>> idx = last_assistant_index(msgs)
>>> row = lf.select(
...     turns_before(msgs, idx).alias("input"), turn_content(msgs, idx).alias("expected")
... ).collect().row(0, named=True)
>>> [m["content"] for m in row["input"]], row["expected"]
(['Hi', 'Hello', 'Bye'], 'Ciao')
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

__all__ = [
    "HELPSTEER_MARKERS",
    "HH_MARKERS",
    "MESSAGE",
    "MESSAGES",
    "ROLE_ALIASES",
    "first_assistant_index",
    "join_text_parts",
    "last_assistant_index",
    "normalize_role",
    "parse_transcript",
    "single_turn",
    "to_messages",
    "turn_content",
    "turns_before",
    "turns_from",
]

MESSAGE = pl.Struct({"role": pl.String, "content": pl.String})
"""One turn: ``Struct{role: String, content: String}``."""

MESSAGES = pl.List(MESSAGE)
"""A conversation: ``List(Struct{role: String, content: String})``."""

ROLE_ALIASES: Mapping[str, str] = {
    "human": "user",
    "user": "user",
    "prompter": "user",
    "gpt": "assistant",
    "bot": "assistant",
    "assistant": "assistant",
    "model": "assistant",
    "chatgpt": "assistant",
    "system": "system",
    "tool": "tool",
    "function": "tool",
    "ipython": "tool",
}
"""Lower-cased source role -> canonical role. Roles not listed are kept, lower-cased."""

HH_MARKERS: Mapping[str, str] = {
    r"(?:^|\n\n)Human: ?": "user",
    r"(?:^|\n\n)Assistant: ?": "assistant",
}
"""Anthropic HH-RLHF turn markers (regex -> role): ``"\\n\\nHuman: "``, ``"\\n\\nAssistant: "``.

A marker only counts at the very start of the text or after a blank line, so "Human:"
inside a sentence stays text. The space after the colon is optional, so a final
``"\\n\\nAssistant:"`` with nothing after it is an empty assistant turn.
"""

HELPSTEER_MARKERS: Mapping[str, str] = {
    r"\n?<extra_id_1>User\n?": "user",
    r"\n?<extra_id_1>Assistant\n?": "assistant",
}
"""NeMo SteerLM markers (regex -> role) that HelpSteer2 uses to flatten multi-turn prompts."""

# Control characters used as temporary separators while splitting a transcript. They
# do not occur in natural text; a transcript that contained them would split wrongly.
_TURN_SEP = "\x1e"  # ASCII record separator: starts a turn
_ROLE_SEP = "\x1f"  # ASCII unit separator: ends the role name of a turn

# HH_MARKERS as literals, for one Aho-Corasick pass instead of two regex passes (3x
# faster): leftmost-first matching takes the form with the space where both match, as
# the regex's greedy " ?" does. The "^" alternative is handled apart (`_mark_hh_turns`).
_HH_WORDS = {"Human:": "user", "Assistant:": "assistant"}
_HH_LITERALS = {
    f"\n\n{word}{space}": role for word, role in _HH_WORDS.items() for space in (" ", "")
}


def normalize_role(role: pl.Expr) -> pl.Expr:
    """Map a role expression to ``system``/``user``/``assistant``/``tool``.

    Parameters
    ----------
    role
        A String expression holding source role names.

    Returns
    -------
    pl.Expr
        The canonical role per :data:`ROLE_ALIASES`; unknown roles lower-cased and
        stripped; null stays null.

    Examples
    --------
    >>> import polars as pl
    >>> roles = pl.Series(["GPT", " human", "Critic"])
    >>> pl.select(normalize_role(pl.lit(roles))).to_series().to_list()
    ['assistant', 'user', 'critic']
    """
    role = role.cast(pl.String)
    aliases = dict(ROLE_ALIASES)
    # Nearly every role is already one of the lower-case names: look those up directly, and
    # strip and lower-case only the others (null in `other` for the rest, so it is cheap).
    other = pl.when(~role.is_in(list(aliases))).then(role)
    cleaned = other.str.strip_chars().str.to_lowercase().replace(aliases)
    return role.replace_strict(aliases, default=cleaned, return_dtype=pl.String)


def to_messages(conversation: pl.Expr, *, role: str = "role", content: str = "content") -> pl.Expr:
    """Rebuild a list of turn structs as :data:`MESSAGES` with normalized roles.

    Parameters
    ----------
    conversation
        A ``List(Struct)`` expression, e.g. ``pl.col("messages")``.
    role, content
        The struct fields holding the role and the text (``"from"``/``"value"`` for
        ShareGPT-style data).

    Returns
    -------
    pl.Expr
        ``List(Struct{role, content})``, turn order kept; a null list stays null.

    Examples
    --------
    >>> import polars as pl
    >>> conv = [{"from": "human", "value": "2+2?"}, {"from": "gpt", "value": "4"}]
    >>> lf = pl.LazyFrame({"c": [conv]})
    >>> out = lf.select(to_messages(pl.col("c"), role="from", content="value")).collect()
    >>> out.to_series().to_list()[0]
    [{'role': 'user', 'content': '2+2?'}, {'role': 'assistant', 'content': '4'}]
    """
    turn = pl.element().struct
    return conversation.list.eval(
        pl.struct(
            normalize_role(turn.field(role)).alias("role"),
            turn.field(content).cast(pl.String).alias("content"),
        )
    ).cast(MESSAGES)


def parse_transcript(
    text: pl.Expr, *, markers: Mapping[str, str], first_role: str = "user"
) -> pl.Expr:
    """Split a flat transcript string into :data:`MESSAGES` at its turn markers.

    Each marker regex is replaced by a separator that carries its role, then the text is
    split on the separators: all with string expressions, no per-row Python. (For
    :data:`HH_MARKERS` the markers are replaced in one literal Aho-Corasick pass, with the
    same result as the regexes, 3x faster.) Text before
    the first marker (if any) becomes a turn of ``first_role``. Turn text is kept
    verbatim (no stripping), so an empty reply is ``""``.

    Parameters
    ----------
    text
        A String expression holding whole transcripts.
    markers
        Regex of a turn marker -> the role of the turn it opens, e.g. :data:`HH_MARKERS`.
    first_role
        Role of the text before the first marker.

    Returns
    -------
    pl.Expr
        ``List(Struct{role, content})``; ``""`` gives an empty list, null stays null.

    Examples
    --------
    >>> import polars as pl
    >>> t = "\\n\\nHuman: Is a Human: tag text?\\n\\nAssistant: Yes."
    >>> t += "\\n\\nHuman: Sure?\\n\\nAssistant:"
    >>> pl.select(parse_transcript(pl.lit(t), markers=HH_MARKERS)).to_series().to_list()[0]
    [{'role': 'user', 'content': 'Is a Human: tag text?'}, {'role': 'assistant', 'content': 'Yes.'},
     {'role': 'user', 'content': 'Sure?'}, {'role': 'assistant', 'content': ''}]
    """
    marked = _mark_turns(text.cast(pl.String), markers)
    # Drop the empty segment before a leading marker (and any other empty one).
    segments = marked.str.split(_TURN_SEP).list.filter(pl.element() != "")
    # Each segment is "role<_ROLE_SEP>content", or bare text before the first marker. The
    # split parts ride along as struct fields, so `splitn` runs once per segment.
    head, tail = pl.field("field_0"), pl.field("field_1")
    turn = pl.struct(
        pl.when(tail.is_null()).then(pl.lit(first_role)).otherwise(head).alias("role"),
        pl.coalesce(tail, head).alias("content"),
    )
    parts = pl.element().str.splitn(_ROLE_SEP, 2)
    return segments.list.eval(
        parts.struct.with_fields(turn.alias("turn")).struct.field("turn")
    ).cast(MESSAGES)


def _turn_start(role: str) -> str:
    return f"{_TURN_SEP}{role}{_ROLE_SEP}"


def _mark_turns(text: pl.Expr, markers: Mapping[str, str]) -> pl.Expr:
    """Replace each turn marker by ``_TURN_SEP role _ROLE_SEP``, markers in the given order."""
    if dict(markers) == dict(HH_MARKERS):
        return _mark_hh_turns(text)
    for pattern, role in markers.items():
        text = text.str.replace_all(pattern, _turn_start(role))
    return text


def _mark_hh_turns(text: pl.Expr) -> pl.Expr:
    """:data:`HH_MARKERS` marked as ``_mark_turns``'s regex loop would, in one literal pass.

    A marker at the very start of the text (the ``^`` of the regexes) is replaced first,
    only in the rows that start with one (null elsewhere, so cheap). The Human and
    Assistant markers cannot overlap, so replacing both in one pass gives what the two
    passes in turn give.
    """
    starts = pl.any_horizontal(text.str.starts_with(word) for word in _HH_WORDS)
    head: pl.Expr = pl.when(starts).then(text)
    for word, role in _HH_WORDS.items():
        head = head.str.replace(f"^{word} ?", _turn_start(role))
    literals = list(_HH_LITERALS)
    starts_of_turns = [_turn_start(role) for role in _HH_LITERALS.values()]
    return pl.coalesce(head, text).str.replace_many(literals, starts_of_turns, leftmost=True)


def _assistant_marks(messages: pl.Expr) -> pl.Expr:
    """Per turn, ``1`` (UInt32) for an ``assistant`` turn and null otherwise (elementwise).

    ``list.arg_max`` of such a list is the first ``1``, and null when there is none.
    """
    is_assistant = pl.element().struct.field("role") == "assistant"
    return messages.list.eval(pl.when(is_assistant).then(pl.lit(1, pl.UInt32)))


def last_assistant_index(messages: pl.Expr) -> pl.Expr:
    """Position of the last ``assistant`` turn (UInt32), null when there is none.

    Each assistant turn gets its position + 1 (list arithmetic with ``int_ranges``), the
    others null, and the largest value less 1 is the answer: vectorized list methods,
    about 2x faster than the first maximum of the reversed list and 3x faster than a
    per-row ``list.agg``.

    Examples
    --------
    >>> import polars as pl
    >>> m = [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]
    >>> pl.select(last_assistant_index(pl.lit(pl.Series([m, m[:1]])))).to_series().to_list()
    [1, None]
    """
    positions = pl.int_ranges(1, messages.list.len() + 1, dtype=pl.UInt32)
    return (_assistant_marks(messages) * positions).list.max() - 1


def first_assistant_index(messages: pl.Expr) -> pl.Expr:
    """Position of the first ``assistant`` turn (UInt32), null when there is none.

    Examples
    --------
    >>> import polars as pl
    >>> m = [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}] * 2
    >>> pl.select(first_assistant_index(pl.lit(pl.Series([m])))).item()
    1
    """
    return _assistant_marks(messages).list.arg_max()


def turns_before(messages: pl.Expr, index: pl.Expr) -> pl.Expr:
    """The turns before ``index``; the whole conversation when ``index`` is null.

    Examples
    --------
    >>> import polars as pl
    >>> m = pl.lit(pl.Series([[{"role": "user", "content": "a"}]]))
    >>> pl.select(turns_before(m, pl.lit(None, pl.UInt32))).to_series().to_list()[0]
    [{'role': 'user', 'content': 'a'}]
    """
    return messages.list.head(index.fill_null(messages.list.len()))


def turns_from(messages: pl.Expr, index: pl.Expr) -> pl.Expr:
    """The turns from ``index`` to the end; empty when ``index`` is null.

    Examples
    --------
    >>> import polars as pl
    >>> conv = [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]
    >>> out = pl.select(turns_from(pl.lit(pl.Series([conv])), pl.lit(1, pl.UInt32)))
    >>> out.to_series().to_list()[0]
    [{'role': 'assistant', 'content': 'b'}]
    """
    return messages.list.slice(index.fill_null(messages.list.len()))


def turn_content(messages: pl.Expr, index: pl.Expr) -> pl.Expr:
    """The text of the turn at ``index`` (String); null when ``index`` is null.

    Examples
    --------
    >>> import polars as pl
    >>> m = pl.lit(pl.Series([[{"role": "user", "content": "a"}]]))
    >>> pl.select(turn_content(m, pl.lit(0, pl.UInt32))).item()
    'a'
    """
    return messages.list.get(index, null_on_oob=True).struct.field("content")


def single_turn(content: pl.Expr, *, role: str) -> pl.Expr:
    """A one-turn conversation ``[{role, content}]`` as :data:`MESSAGES`.

    Examples
    --------
    >>> import polars as pl
    >>> pl.select(single_turn(pl.lit("Hi"), role="assistant")).to_series().to_list()[0]
    [{'role': 'assistant', 'content': 'Hi'}]
    """
    turn = pl.struct(
        pl.lit(role, pl.String).alias("role"), content.cast(pl.String).alias("content")
    )
    return pl.concat_list(turn).cast(MESSAGES)


def join_text_parts(parts: pl.Expr, *, field: str = "text", separator: str = "\n") -> pl.Expr:
    """Join the text fields of a list of typed content parts into one String.

    Parts without text (images) are skipped; an empty list gives ``""``.

    Examples
    --------
    >>> import polars as pl
    >>> parts = [{"type": "text", "text": "a"}, {"type": "image", "text": None}]
    >>> parts += [{"type": "text", "text": "b"}]
    >>> pl.select(join_text_parts(pl.lit(pl.Series([parts])))).item()
    'a\\nb'
    """
    return parts.list.eval(pl.element().struct.field(field)).list.join(separator, ignore_nulls=True)


# --------------------------------------------------------------------------------------
# Text for the synthetic generators of the conversational specs (never on the data path)
# --------------------------------------------------------------------------------------
