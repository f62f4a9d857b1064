"""How a Dataset and an EvalResult show themselves: notebook HTML and multi-line text.

Jupyter calls ``_repr_html_``; IPython's terminal calls ``_repr_pretty_``; ``print()``
calls ``__str__``. All three show what a user looks for first: where the rows come from,
how many there are, the columns and the first rows (a Dataset), or the summary with its
intervals and the join accounting (an EvalResult). Every value is HTML-escaped; numbers
are rounded for display only.

Examples
--------
>>> import polars as pl
>>> from crucible_pl._display import facts_html
>>> facts_html([("rows", "<3>")])
'<table><tr><th style="text-align:left">rows</th><td><code>&lt;3&gt;</code></td></tr></table>'
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import polars as pl

__all__ = ["PREVIEW_ROWS", "facts_html", "frame_html", "frame_text", "rounded"]

PREVIEW_ROWS = 5
"""Rows shown by a Dataset's notebook preview and ``str()``."""

_DIGITS = 4


def facts_html(facts: Sequence[tuple[str, str]]) -> str:
    """A two-column table of (label, value) pairs, values as code."""
    rows = "".join(
        f'<tr><th style="text-align:left">{html.escape(label)}</th>'
        f"<td><code>{html.escape(value)}</code></td></tr>"
        for label, value in facts
    )
    return f"<table>{rows}</table>"


def rounded(frame: pl.DataFrame) -> pl.DataFrame:
    """For display: floats as text rounded to 4 decimals, and every null as ``-``."""
    return frame.with_columns(
        pl.col(pl.Float32, pl.Float64).round(_DIGITS).cast(pl.String),
    ).with_columns(pl.col(pl.String).fill_null("-"))


def frame_html(frame: pl.DataFrame) -> str:
    """Polars' own notebook table of ``frame`` (escaped by Polars)."""
    return str(frame._repr_html_())


def frame_text(frame: pl.DataFrame, *, width: int = 100) -> str:
    """Polars' text table of ``frame``, at most ``width`` characters wide."""
    with pl.Config(tbl_width_chars=width, fmt_str_lengths=40, tbl_hide_dataframe_shape=True):
        return str(frame)


def schema_rows(schema: pl.Schema) -> pl.DataFrame:
    """The schema as a (column, dtype) frame."""
    return pl.DataFrame(
        {"column": list(schema.names()), "dtype": [str(d) for d in schema.dtypes()]},
        schema={"column": pl.String, "dtype": pl.String},
    )
