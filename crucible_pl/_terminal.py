"""Tables and messages for the terminal: sized to its width, numbers rounded, CLI words.

The CLI prints frames through :func:`table_text`: a plain table as wide as the terminal
(``COLUMNS`` or the real size; 100 when unknown), one line per row, long cells cut with
an ellipsis (the columns named ``wide`` give way first, then the widest), floats rounded
to 4 decimals and nulls shown as ``-``. ``--json`` output never goes through here.
:func:`cli_terms` rewrites the Python-style hints of error messages (``config=...``,
``token=...``) into the options a CLI user types.

Examples
--------
>>> import polars as pl
>>> from crucible_pl._terminal import cli_terms, table_text
>>> print(table_text(pl.DataFrame({"name": ["gsm8k"], "score": [0.123456]}), width=40))
name   score
-----  ------
gsm8k  0.1235
>>> cli_terms("Private repo: pass token=... or set HF_TOKEN.")
'Private repo: pass --token or set HF_TOKEN.'
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Sequence

import polars as pl

__all__ = ["cli_terms", "table_text", "terminal_width"]

_FALLBACK_WIDTH = 100
_DIGITS = 4


def terminal_width() -> int:
    """The terminal's width in columns (``COLUMNS`` wins); 100 when there is none."""
    return shutil.get_terminal_size((_FALLBACK_WIDTH, 24)).columns


def _cells(df: pl.DataFrame) -> pl.DataFrame:
    """Every column as display text: floats rounded, lists joined, nulls as ``-``."""
    text = []
    for name, dtype in df.schema.items():
        col = pl.col(name)
        if dtype.is_float():
            col = col.round(_DIGITS)
        elif isinstance(dtype, (pl.List, pl.Array)):
            col = col.cast(pl.List(pl.String)).list.join(", ")
        elif isinstance(dtype, pl.Struct):
            col = col.struct.json_encode()
        text.append(col.cast(pl.String).fill_null("-").alias(name))
    return df.select(text)


def _cut(text: str, width: int) -> str:
    """``text`` in at most ``width`` characters, an ellipsis marking a cut."""
    if len(text) <= width:
        return text
    return text[: max(width - 1, 0)] + "…" if width > 0 else ""


def _widths(
    natural: dict[str, int], minimum: dict[str, int], wide: set[str], width: int
) -> dict[str, int]:
    """Column widths that fit ``width``.

    The other columns keep their natural width while they can; the ``wide`` ones share
    what is left evenly (one that needs less than its share gives the rest to the
    others). When even that does not fit, the widest column gives way, one character at
    a time, down to each minimum.
    """
    widths = dict(natural)
    room = width - 2 * (len(widths) - 1) - sum(w for n, w in natural.items() if n not in wide)
    flexible = sorted((n for n in natural if n in wide), key=lambda n: natural[n])
    for i, name in enumerate(flexible):
        share = max(room, 0) // (len(flexible) - i)
        widths[name] = max(minimum[name], min(natural[name], share))
        room -= widths[name]
    total = sum(widths.values()) + 2 * (len(widths) - 1)
    while total > width:
        shrinkable = [n for n in widths if widths[n] > minimum[n]]
        if not shrinkable:
            break
        widest = max(shrinkable, key=lambda n: widths[n])
        widths[widest] -= 1
        total -= 1
    return widths


def table_text(df: pl.DataFrame, *, width: int | None = None, wide: Sequence[str] = ()) -> str:
    """``df`` as a plain-text table at most ``width`` columns wide (see the module doc)."""
    width = width or terminal_width()
    cells = _cells(df).with_columns(pl.all().str.replace_all(r"\s+", " "))
    headers = df.columns
    natural = {name: max([len(name), *(len(v) for v in cells[name].to_list())]) for name in headers}
    natural = {n: w if n in wide else min(w, 32) for n, w in natural.items()}
    minimum = {n: min(len(n), 12) if n in wide else min(len(n), 8) for n in headers}
    widths = _widths(natural, minimum, set(wide), width)

    def line(values: Sequence[str]) -> str:
        parts = [_cut(v, widths[n]).ljust(widths[n]) for n, v in zip(headers, values, strict=True)]
        return _cut("  ".join(parts).rstrip(), width)

    lines = [line(headers), line(["-" * widths[n] for n in headers])]
    # Padding and cutting each cell to its column is text layout for the terminal, done on
    # the rows being printed after Polars computed them; no expression lays out lines.
    lines += [line(row) for row in cells.iter_rows()]
    return "\n".join(lines)


_OPTIONS = {"config": "--config", "revision": "--revision", "split": "--split"}


def cli_terms(message: str) -> str:
    """A library message with its Python hints (``token=...``) as CLI options (``--token``)."""
    message = re.sub(r"\btoken=(\.\.\.|\S+?)(?=[\s,.;)]|$)", "--token", message)
    message = re.sub(r"\braw=True\b", "--raw", message)
    message = re.sub(r"\boffline=True\b", "--offline", message)
    message = re.sub(r"\boffline=False\b", "no --offline", message)

    def option(match: re.Match[str]) -> str:
        flag = _OPTIONS[match.group(1)]
        value = match.group(2).strip("'\"")
        if not value or value.startswith("["):
            return flag
        return f"{flag} {value}"

    return re.sub(
        r"\b(config|revision|split)=('[^']*'|\"[^\"]*\"|\[[^\]]*\]|[^\s,.;)]*)", option, message
    )
