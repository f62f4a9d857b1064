"""Prompts as Polars expressions: published formats by name, few-shot, chat turns.

:func:`render` adds, lazily, a ``prompt`` column (the text a completion model is
given), a ``messages`` column (the same prompt as chat turns ``{role, content}``; few-shot
examples become user/assistant pairs, as lm-eval's ``fewshot_as_multiturn``), a
``continuations`` column for formats scored by log-likelihood (each option as lm-eval
scores it, with its leading space), and ``fewshot_ids`` when examples are drawn. Formats
are data (:data:`FORMATS`): template strings over named fields, each with the source
it reproduces. :meth:`Dataset.with_prompts <crucible_pl.Dataset.with_prompts>` and
:meth:`Dataset.with_fewshot <crucible_pl.Dataset.with_fewshot>` pick a registered
dataset's published format by default.

Examples
--------
>>> import polars as pl
>>> from crucible_pl import prompts
>>> items = pl.LazyFrame(
...     {
...         "id": ["q1"],
...         "input": ["What is 2 + 2?"],
...         "choices": [["3", "4"]],
...         "expected": [1],
...         "subject": ["elementary_mathematics"],
...     }
... )
>>> print(prompts.render(items, "mmlu").collect()["prompt"].item())
The following are multiple choice questions (with answers) about elementary mathematics.
<BLANKLINE>
What is 2 + 2?
A. 3
B. 4
Answer:
"""

from __future__ import annotations

from typing import Any, Protocol

import polars as pl

from crucible_pl._hashing import check_seed
from crucible_pl.errors import InvalidInputError
from crucible_pl.prompts._fewshot import SHOT_IDS, choose_shots
from crucible_pl.prompts._format import PromptFormat, Shot
from crucible_pl.prompts._formats import DATASET_FORMATS, FAMILY_FORMATS, FORMATS
from crucible_pl.prompts._render import (
    MESSAGE,
    check_columns,
    continuations_expr,
    fixed_shots_text,
    shot_parts,
    template_expr,
    transcript,
)


class SupportsLazy(Protocol):
    """Anything with ``lazy() -> pl.LazyFrame``: a :class:`~crucible_pl.Dataset`, a frame."""

    def lazy(self) -> pl.LazyFrame: ...  # pragma: no cover - a protocol


__all__ = [
    "FORMATS",
    "PromptFormat",
    "Shot",
    "default_format",
    "formats_table",
    "render",
]

PROMPT_COLUMNS = ("prompt", "messages", "continuations", SHOT_IDS)
"""The columns :func:`render` adds (``continuations`` and ``fewshot_ids`` when they apply)."""


def default_format(name: str | None, config: str | None, family: str | None) -> str:
    """The format a dataset gets when none is named: its published one, else its family's.

    Examples
    --------
    >>> from crucible_pl.prompts import default_format
    >>> default_format("arc", "ARC-Challenge", "multiple_choice")
    'arc_challenge'
    >>> default_format("me/my-quiz", None, "multiple_choice")
    'multiple_choice'
    """
    chosen = DATASET_FORMATS.get(name or "")
    if isinstance(chosen, str):
        return chosen
    if chosen is not None and config is not None and config in chosen:
        return chosen[config]
    if family is not None and family in FAMILY_FORMATS:
        return FAMILY_FORMATS[family]
    raise InvalidInputError(
        f"No default prompt format for {name or 'this data'} (family {family!r}); pass "
        f"format=, one of: {', '.join(FORMATS)}."
    )


def formats_table() -> pl.DataFrame:
    """Every format: name, family, the source it reproduces, and what it reproduces.

    Examples
    --------
    >>> from crucible_pl.prompts import formats_table
    >>> formats_table().filter(name="gsm8k_cot")["fixed_shots"].item()
    8
    """
    return pl.DataFrame(
        [
            {
                "name": f.name,
                "family": f.family,
                "source": f.source,
                "reproduces": f.reproduces,
                "fixed_shots": len(f.fixed_shots),
                "sampler": f.sampler,
            }
            for f in FORMATS.values()
        ]
    )


def _resolve(fmt: str | PromptFormat) -> PromptFormat:
    if isinstance(fmt, PromptFormat):
        return fmt
    if fmt not in FORMATS:
        raise InvalidInputError(
            f"Unknown prompt format {fmt!r}. Formats: {', '.join(FORMATS)} "
            "(crucible_pl.prompts.formats_table() describes each)."
        )
    return FORMATS[fmt]


def _as_lazy(frame: Any, what: str) -> pl.LazyFrame:
    # A Dataset is recognised by its lazy() (prompts sit below the Dataset layer).
    lazy = frame.lazy() if callable(getattr(frame, "lazy", None)) else None
    if isinstance(lazy, pl.LazyFrame):
        return lazy
    raise InvalidInputError(
        f"{what} must be a Dataset, DataFrame or LazyFrame, got {type(frame).__name__}."
    )


def render(
    frame: SupportsLazy,
    format: str | PromptFormat,
    *,
    k: int | None = None,
    source: SupportsLazy | None = None,
    seed: int = 0,
    by: str | None = None,
    sampler: str | None = None,
) -> pl.LazyFrame:
    """Add ``prompt``, ``messages`` (and ``continuations``, ``fewshot_ids``) to canonical rows.

    Parameters
    ----------
    frame
        Canonical rows (``id``, ``input`` and the columns the format reads): a
        :class:`~crucible_pl.Dataset`, a DataFrame or a LazyFrame.
    format
        A name from :data:`FORMATS` or a :class:`PromptFormat` of your own.
    k
        Few-shot examples per item. ``None``: the format's fixed examples where it has
        them (gsm8k_cot's 8, minerva_math's 4: the published setting), else 0. With
        ``source``, ``k`` examples are drawn from it instead.
    source
        Where examples are drawn from: canonical rows of the same family (another split
        such as MMLU's ``dev``). ``None`` with ``k > 0`` on a format without fixed
        examples draws from ``frame`` itself. An item is never its own example.
    seed
        Seed of the ``"hash"`` sampler.
    by
        A column both sides have (``"subject"``): examples come from the item's group.
    sampler
        ``"hash"`` (per item, by the pinned hash) or ``"first"`` (the first ``k`` in
        ``source`` order, lm-eval's ``first_n``); the format's default when ``None``.

    Returns
    -------
    pl.LazyFrame
        ``frame``'s columns plus the prompt columns.

    Raises
    ------
    InvalidInputError
        Unknown format or sampler, bad ``k``/``seed``, a conversation with few-shot, or
        an item whose group has fewer than ``k`` examples.
    ColumnNotFoundError
        The format reads a column the rows (or the ``source``) lack.

    Examples
    --------
    >>> import polars as pl
    >>> from crucible_pl import prompts
    >>> test = pl.LazyFrame({"id": ["t1"], "input": ["1+1?"], "solution": ["2"]})
    >>> train = pl.LazyFrame({"id": ["a", "b"], "input": ["2+3?", "4+4?"],
    ...                       "solution": ["5", "8"]})
    >>> out = prompts.render(test, "gsm8k", k=1, source=train, sampler="first").collect()
    >>> print(out["prompt"].item())
    Question: 2+3?
    Answer: 5
    <BLANKLINE>
    Question: 1+1?
    Answer:
    >>> out["fewshot_ids"].to_list()
    [['a']]
    """
    fmt = _resolve(format)
    lf = _as_lazy(frame, "frame")
    schema = lf.collect_schema()
    clash = [c for c in PROMPT_COLUMNS if c in schema]
    if clash:
        raise InvalidInputError(
            f"The rows already have {', '.join(map(repr, clash))}; drop them first "
            "(render adds them)."
        )
    if k is not None and (isinstance(k, bool) or not isinstance(k, int) or k < 0):
        raise InvalidInputError(f"Invalid k={k!r}: expected an int >= 0 (0 for zero-shot).")
    check_seed(seed)
    chosen_sampler = sampler or fmt.sampler
    if chosen_sampler not in ("hash", "first"):
        raise InvalidInputError(f"Invalid sampler={sampler!r}: use 'hash' or 'first'.")
    if by is not None and by not in schema:
        raise InvalidInputError(
            f"by={by!r} is not a column of the rows; they have {', '.join(schema.names())}."
        )

    if "input" in schema and isinstance(schema["input"], pl.List):
        if k:
            raise InvalidInputError(
                "Few-shot examples apply to text prompts; these rows are conversations "
                "(input is a list of turns). Render them with k=0."
            )
        return lf.with_columns(
            transcript(pl.col("input")).alias("prompt"),
            pl.col("input").alias("messages"),
        )

    check_columns(fmt, schema, (fmt.header, fmt.question), "the rows")
    header = template_expr(fmt.header)
    question = template_expr(fmt.question)
    extra: list[pl.Expr] = []
    if fmt.continuation is not None and "choices" in schema:
        extra.append(continuations_expr(fmt).alias("continuations"))

    drawn = source is not None or (k is not None and k > 0 and not fmt.fixed_shots)
    if not drawn:
        n_fixed = len(fmt.fixed_shots) if k is None else k
        if n_fixed > len(fmt.fixed_shots):
            raise InvalidInputError(
                f"Format {fmt.name!r} has {len(fmt.fixed_shots)} fixed example(s), k={k} "
                "asks for more: pass source= to draw examples from data."
            )
        shots = fixed_shots_text(fmt, fmt.fixed_shots[:n_fixed])
        text = "".join(q + fmt.target_delimiter + a + fmt.fewshot_delimiter for q, a in shots)
        turns = [t for q, a in shots for t in ({"role": "user", "content": q},
                                              {"role": "assistant", "content": a})]  # fmt: skip
        prompt = pl.concat_str(header, pl.lit(text), question)
        messages = _messages(header, turns, None, question)
        out = lf.with_columns(prompt.alias("prompt"), messages.alias("messages"), *extra)
        if shots or k is not None:  # recorded whenever examples were asked for
            ids = [f"{fmt.name}/shot/{i}" for i in range(len(shots))]
            out = out.with_columns(pl.lit(ids, pl.List(pl.String)).alias(SHOT_IDS))
        return out

    n = k if k is not None else 0
    pool = _as_lazy(source, "source") if source is not None else lf
    pool_schema = pool.collect_schema()
    check_columns(fmt, pool_schema, (fmt.question, fmt.answer), "the few-shot source")
    if by is not None and by not in pool_schema:
        raise InvalidInputError(
            f"by={by!r} is not a column of the few-shot source; it has "
            f"{', '.join(pool_schema.names())}."
        )
    chosen = choose_shots(lf, pool, k=n, seed=seed, by=by, sampler=chosen_sampler)
    short = (
        chosen.with_row_index("__item")
        .filter(pl.col(SHOT_IDS).list.len().fill_null(0) < n)
        .select("id")
        .head(5)
        .collect()
    )
    if short.height:
        where = f" in its {by!r} group" if by else ""
        raise InvalidInputError(
            f"Item(s) {', '.join(short['id'].to_list())} have fewer than k={n} few-shot "
            f"examples{where} in the source (an item is never its own example). Use a "
            "smaller k, a bigger source, or no by=."
        )
    items = chosen.with_row_index("__item")
    parts = shot_parts(items, pool, fmt)
    joined = (
        lf.with_row_index("__item")
        .join(items.select("__item", SHOT_IDS), on="__item", how="left", maintain_order="left")
        .join(parts, on="__item", how="left", maintain_order="left")
    )
    prompt = pl.concat_str(header, pl.col("__shots").fill_null(""), question)
    messages = _messages(header, [], pl.col("__shot_msgs"), question)
    return joined.with_columns(prompt.alias("prompt"), messages.alias("messages"), *extra).drop(
        "__item", "__shots", "__shot_msgs"
    )


def _messages(
    header: pl.Expr, turns: list[dict[str, str]], drawn: pl.Expr | None, question: pl.Expr
) -> pl.Expr:
    """Chat turns: the few-shot pairs (the header opens the first user turn), then the item.

    With no examples, one user turn holds the whole prompt.
    """
    pieces: list[pl.Expr] = []
    if turns:
        pieces.append(pl.lit(turns, pl.List(MESSAGE)))
    if drawn is not None:
        pieces.append(drawn.fill_null(pl.lit([], pl.List(MESSAGE))))
    last = pl.concat_list(pl.struct(role=pl.lit("user"), content=question))
    if not pieces:
        whole = pl.concat_str(header, question)
        return pl.concat_list(pl.struct(role=pl.lit("user"), content=whole))
    history = pl.concat_list(*pieces)
    # The header (lm-eval's description) opens the first user turn's text.
    first_text = pl.concat_str(header, history.list.first().struct.field("content"))
    rest = history.list.slice(1)
    first = pl.concat_list(pl.struct(role=pl.lit("user"), content=first_text))
    return pl.concat_list(first, rest, last)
