"""GPQA (Idavidrein/gpqa): gated CSVs of graduate-level questions; the answer position is ours.

The correct answer is inserted among the three incorrect ones at a position drawn from a
stable hash of the row's ``Record ID`` (plain integer arithmetic over its UTF-8 bytes, so it
is the same on every machine and Polars version). ``subject`` is its ``Subdomain``.
"""

from __future__ import annotations

import polars as pl

from crucible_pl.registry._choices import (
    Schema,
)
from crucible_pl.registry._spec import DatasetSpec, HubFile, default_id

__all__ = ["GPQA"]


# --------------------------------------------------------------------------------------
# GPQA (Idavidrein/gpqa): gated CSVs; the answer position is ours to choose
# --------------------------------------------------------------------------------------

_GPQA_CONFIGS = ("gpqa_main", "gpqa_diamond", "gpqa_extended", "gpqa_experts")
_GPQA_CARD_ORDER = ("gpqa_extended", "gpqa_main", "gpqa_diamond", "gpqa_experts")
_GPQA_COLUMNS = (
    "Question",
    "Correct Answer",
    "Incorrect Answer 1",
    "Incorrect Answer 2",
    "Incorrect Answer 3",
    "Explanation",
    "Subdomain",
    "High-level domain",
    "Record ID",
)
_GPQA_RAW: Schema = dict.fromkeys(_GPQA_COLUMNS, pl.String)
_GPQA_SEED = "crucible-pl/gpqa/v1:"
_GPQA_POSITION = "__answer_position"


def _stable_bucket(text: pl.Expr, buckets: int) -> pl.Expr:
    """``text`` -> an Int64 in ``[0, buckets)``, identical on every machine and version.

    A position-weighted sum of the UTF-8 bytes of ``_GPQA_SEED + text`` (weights from
    Knuth's multiplicative constant), then one multiplicative mixing step, all in Int64
    without overflow. ``pl.Expr.hash`` is not used: its values change between Polars
    versions. The same arithmetic in plain Python is::

        data = (_GPQA_SEED + text).encode()
        h = sum((b + 1) * ((i + 1) * 2654435761 % 2**32) for i, b in enumerate(data))
        bucket = (h % 2**32) * 668265261 % 2**32 // 2**16 % buckets
    """
    weight = (pl.int_range(pl.len()) + 1) * 2654435761 % 2**32
    byte_value = pl.element().str.to_integer(base=16) + 1
    total = (
        pl.concat_str(pl.lit(_GPQA_SEED), text)
        .str.encode("hex")
        .str.extract_all("..")
        .list.eval(byte_value * weight)
        .list.sum()
    )
    mixed = (total % 2**32) * 668265261 % 2**32
    return (mixed // 2**16 % buckets).cast(pl.Int64)


def _gpqa_text(name: str) -> pl.Expr:
    """A GPQA CSV column as stripped text.

    The cast guards against a CSV -> Parquet conversion that infers a numeric dtype for
    a column whose every value looks like a number (all answers of a small config).
    """
    return pl.col(name).cast(pl.String).str.strip_chars()


def _gpqa_prepare(lf: pl.LazyFrame) -> pl.LazyFrame:
    """Add the correct answer's position, from the Record ID (or the row number if none)."""
    key = pl.coalesce(_gpqa_text("Record ID"), pl.col("__row").cast(pl.String))
    return lf.with_columns(_stable_bucket(key, 4).alias(_GPQA_POSITION))


def _gpqa_choices() -> pl.Expr:
    """The three incorrect answers in their order, the correct one inserted at its position."""
    right = _gpqa_text("Correct Answer")
    wrong = [_gpqa_text(f"Incorrect Answer {k}") for k in (1, 2, 3)]
    orders = [pl.concat_list(*wrong[:pos], right, *wrong[pos:]) for pos in range(4)]
    position = pl.col(_GPQA_POSITION)
    return (
        pl.when(position == 0)
        .then(orders[0])
        .when(position == 1)
        .then(orders[1])
        .when(position == 2)
        .then(orders[2])
        .otherwise(orders[3])
    )


GPQA = DatasetSpec(
    name="gpqa",
    repo="Idavidrein/gpqa",
    family="multiple_choice",
    description=(
        "GPQA: graduate-level, 'Google-proof' 4-option questions in biology, physics and "
        "chemistry written by domain experts (main 448, diamond 198, extended 546, plus "
        "the experts' set). Gated: accept the terms on the Hub and use a token. The Hub "
        "keeps the correct answer in its own column; here it is placed among the three "
        "incorrect answers at a position drawn from a stable hash of the Record ID "
        "(fixed seed), identical on every run. `subject` is the Subdomain."
    ),
    license="cc-by-4.0",
    domain="science",
    task_type="multiple choice",
    configs=_GPQA_CONFIGS,
    default_config="gpqa_main",
    default_split="train",
    columns={
        "id": pl.coalesce(_gpqa_text("Record ID"), default_id()),
        "input": _gpqa_text("Question"),
        "expected": pl.col(_GPQA_POSITION),
        "choices": _gpqa_choices(),
        "subject": _gpqa_text("Subdomain"),
    },
    prepare=_gpqa_prepare,
    hub_files=tuple(HubFile(f"{c}.csv", c, "train") for c in _GPQA_CONFIGS),
    raw_schema=dict.fromkeys(_GPQA_CONFIGS, _GPQA_RAW),
    card_configs=tuple({"config_name": c, "data_files": f"{c}.csv"} for c in _GPQA_CARD_ORDER),
    citation="Rein et al., 2023, GPQA: A Graduate-Level Google-Proof Q&A Benchmark",
    tags=("science", "expert", "graduate-level", "multiple-choice", "english"),
    gated=True,
)
