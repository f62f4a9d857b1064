"""Rendering a :class:`PromptFormat` into ``prompt``, ``messages`` and ``continuations``.

Templates become ``pl.concat_str`` of literals and field expressions, so a prompt is
one more lazy projection: nothing is rendered until the frame is collected, and only
the rows that survive a ``filter``/``head`` are.

Examples
--------
>>> import polars as pl
>>> from crucible_pl.prompts._render import template_expr
>>> df = pl.DataFrame({"input": ["2+2?"]})
>>> df.select(template_expr("Q: {input}\\nA:")).item()
'Q: 2+2?\\nA:'
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from crucible_pl.errors import ColumnNotFoundError, InvalidInputError
from crucible_pl.prompts._fewshot import SHOT_IDS
from crucible_pl.prompts._fields import CHOICE_FIELDS, FIELDS
from crucible_pl.prompts._format import PromptFormat, Shot, split_template

__all__ = [
    "MESSAGE",
    "check_columns",
    "continuations_expr",
    "fixed_shots_text",
    "template_expr",
    "transcript",
]

MESSAGE = pl.Struct({"role": pl.String, "content": pl.String})
"""The dtype of one chat turn in a ``messages`` column."""


def template_expr(template: str, fields: Mapping[str, pl.Expr] | None = None) -> pl.Expr:
    """``template`` as a String expression (literals and field expressions, in order)."""
    table = fields if fields is not None else {k: f.expr for k, f in FIELDS.items()}
    parts: list[pl.Expr] = []
    for literal, name in split_template(template):
        if literal:
            parts.append(pl.lit(literal, pl.String))
        if name is not None:
            if name not in table:
                raise InvalidInputError(
                    f"Template field {{{name}}} is not a known field. Fields: "
                    f"{', '.join(sorted(table))}."
                )
            parts.append(table[name])
    if not parts:
        return pl.lit("", pl.String)
    return pl.concat_str(parts) if len(parts) > 1 else parts[0]


def _render_text(template: str, values: Mapping[str, str]) -> str:
    """``template`` with Python strings for its fields (for a format's fixed shots)."""
    return "".join(
        literal + (values[name] if name else "") for literal, name in split_template(template)
    )


def fixed_shots_text(fmt: PromptFormat, shots: tuple[Shot, ...]) -> list[tuple[str, str]]:
    """Each fixed shot as (rendered question, answer) text."""
    return [(_render_text(fmt.question, {"input": s.question}), s.answer) for s in shots]


def continuations_expr(fmt: PromptFormat) -> pl.Expr:
    """Each option as the continuation lm-eval scores: target delimiter + the option."""
    assert fmt.continuation is not None
    one = template_expr(
        fmt.target_delimiter.replace("{", "{{").replace("}", "}}") + fmt.continuation, CHOICE_FIELDS
    )
    return pl.col("choices").list.eval(one)


def transcript(messages: pl.Expr) -> pl.Expr:
    """A conversation as plain text: ``Role: content`` turns, then ``Assistant:``."""
    turn = pl.concat_str(
        pl.element().struct.field("role").str.to_titlecase(),
        pl.lit(": "),
        pl.element().struct.field("content"),
    )
    return pl.concat_str(messages.list.eval(turn).list.join("\n\n"), pl.lit("\n\nAssistant:"))


def check_columns(
    fmt: PromptFormat, schema: pl.Schema, templates: tuple[str, ...], what: str
) -> None:
    """Raise :class:`ColumnNotFoundError` unless ``schema`` has what ``templates`` read."""
    needed: list[str] = []
    for template in templates:
        for _, name in split_template(template):
            if name is not None and name in FIELDS:
                needed += [c for c in FIELDS[name].columns if c not in needed]
    if fmt.continuation is not None and "choices" not in needed:
        needed.append("choices")
    missing = [c for c in needed if c not in schema]
    if missing:
        raise ColumnNotFoundError(
            f"Prompt format {fmt.name!r} ({fmt.family}) reads column(s) "
            f"{', '.join(map(repr, missing))}, which {what} lack(s); it has "
            f"{', '.join(schema.names())}. Use a format of this data's family (see "
            "crucible_pl.prompts.FORMATS), or add the columns first."
        )


def shot_columns(fmt: PromptFormat) -> tuple[pl.Expr, pl.Expr]:
    """A pool row's rendered question and answer (for drawn few-shot examples)."""
    return template_expr(fmt.question).alias("__q"), template_expr(fmt.answer).alias("__a")


def shot_parts(items: pl.LazyFrame, pool: pl.LazyFrame, fmt: PromptFormat) -> pl.LazyFrame:
    """``__item``, ``__shots`` (the drawn shots as text) and ``__shot_msgs`` (as turns)."""
    question, answer = shot_columns(fmt)
    rendered = pool.select(pl.col("id").cast(pl.String).alias("__shot"), question, answer)
    block = pl.concat_str(
        pl.col("__q"), pl.lit(fmt.target_delimiter), pl.col("__a"), pl.lit(fmt.fewshot_delimiter)
    )
    turns = pl.concat_list(
        pl.struct(role=pl.lit("user"), content=pl.col("__q")),
        pl.struct(role=pl.lit("assistant"), content=pl.col("__a")),
    )
    exploded = (
        items.select("__item", pl.col(SHOT_IDS).alias("__shot"))
        .explode("__shot")
        .with_row_index("__order")
        .join(rendered, on="__shot", how="left")
        .sort("__order")
    )
    return exploded.group_by("__item", maintain_order=True).agg(
        block.str.join("").alias("__shots"),
        turns.explode().alias("__shot_msgs"),
    )
