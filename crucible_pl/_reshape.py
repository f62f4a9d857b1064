"""Combining and reshaping frames: interleaving several frames, flattening structs.

The rules are documented on the public functions (:func:`crucible_pl.interleave`,
:meth:`crucible_pl.Dataset.flatten`); these are the Polars plans behind them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import polars as pl

from crucible_pl._hashing import check_seed, stable_hash
from crucible_pl.errors import InvalidInputError

__all__ = ["flatten", "interleave"]

_ROW = "__crucible_row"
_SRC = "__crucible_source"
_STEP = "__crucible_step"


def interleave(
    frames: Sequence[pl.LazyFrame],
    *,
    probabilities: Sequence[float] | None = None,
    seed: int = 0,
    stopping_strategy: Literal["first_exhausted", "all_exhausted"] = "first_exhausted",
) -> pl.LazyFrame:
    """Interleave frames row by row: :func:`crucible_pl.interleave` documents the rules.

    A frame of steps (source, row within the source) is built from the lengths alone,
    then joined with the concatenated, row-numbered frames.
    """
    sources = list(frames)
    if not sources:
        raise InvalidInputError("interleave() needs at least one frame; got none.")
    if stopping_strategy not in ("first_exhausted", "all_exhausted"):
        raise InvalidInputError(
            f"Invalid stopping_strategy={stopping_strategy!r}: expected 'first_exhausted' "
            "or 'all_exhausted'."
        )
    check_seed(seed)
    schema = sources[0].collect_schema()
    for i, other in enumerate(sources[1:], start=1):
        if other.collect_schema() != schema:
            raise InvalidInputError(
                f"interleave() needs frames with one schema; frame {i} has "
                f"{dict(other.collect_schema())}, frame 0 has {dict(schema)}. "
                "Select and cast the columns to match first."
            )
    if probabilities is not None:
        probs = _check_probabilities(probabilities, len(sources), stopping_strategy)
    count = len(sources)
    lengths = pl.concat(
        [s.select(pl.len().cast(pl.Int64).alias(f"n{j}")) for j, s in enumerate(sources)],
        how="horizontal",
    )
    n = [pl.col(f"n{j}") for j in range(count)]
    step = pl.col(_STEP)

    if probabilities is None:
        limit = (
            pl.min_horizontal(n)
            if stopping_strategy == "first_exhausted"
            else (pl.max_horizontal(n))
        )
        steps = lengths.select(pl.int_range(limit.first() * count, dtype=pl.Int64).alias(_STEP), *n)
        steps = steps.with_columns((step % count).alias(_SRC), (step // count).alias(_ROW))
    else:
        if stopping_strategy == "first_exhausted":
            # By pigeonhole some frame has emitted all its rows by then.
            limit = pl.sum_horizontal(n) + 1
        else:
            # Generous: each frame j then expects len_j + 50 + 12 sqrt(len_j) picks, and
            # (Chernoff) falling short of len_j has a probability below 1e-15.
            limit = pl.max_horizontal(
                [
                    ((nj + 50 + 12 * nj.sqrt()) / p).ceil().cast(pl.Int64)
                    for nj, p in zip(n, probs, strict=True)
                ]
            )
        cumulative = [sum(probs[: j + 1]) for j in range(count - 1)]
        u = stable_hash(step.cast(pl.String), seed).cast(pl.Float64) / 2.0**64
        source = pl.sum_horizontal([(u >= c).cast(pl.Int64) for c in cumulative] or [pl.lit(0)])
        steps = lengths.select(pl.int_range(limit.first(), dtype=pl.Int64).alias(_STEP), *n)
        steps = steps.with_columns(source.alias(_SRC)).with_columns(
            pl.int_range(pl.len(), dtype=pl.Int64).over(_SRC).alias(_ROW)
        )
    size = pl.lit(None, dtype=pl.Int64)
    for j in range(count):
        size = pl.when(pl.col(_SRC) == j).then(n[j]).otherwise(size)
    if probabilities is None:
        # The limit above is already exact; only an empty frame's steps are dropped.
        steps = steps.filter(size > 0)
    else:
        # Step at which each frame emits its last row for the first time (-1 when empty).
        done = [
            pl.when(n[j] == 0)
            .then(pl.lit(-1, dtype=pl.Int64))
            .otherwise(step.filter((pl.col(_SRC) == j) & (pl.col(_ROW) == n[j] - 1)).min())
            for j in range(count)
        ]
        if stopping_strategy == "first_exhausted":
            steps = steps.filter(step <= pl.min_horizontal(done))
        else:
            stop = pl.max_horizontal([pl.when(n[j] > 0).then(done[j]) for j in range(count)])
            steps = steps.filter((step <= stop) & (size > 0))
    steps = steps.with_columns((pl.col(_ROW) % size).alias(_ROW)).select(_STEP, _SRC, _ROW)
    rows = pl.concat(
        [
            s.with_row_index(_ROW).with_columns(
                pl.col(_ROW).cast(pl.Int64), pl.lit(j, dtype=pl.Int64).alias(_SRC)
            )
            for j, s in enumerate(sources)
        ],
        how="vertical",
    )
    return (
        steps.join(rows, on=[_SRC, _ROW], how="inner", maintain_order="left")
        .sort(_STEP)
        .drop(_STEP, _SRC, _ROW)
    )


def _check_probabilities(
    probabilities: Sequence[float], count: int, stopping_strategy: str
) -> list[float]:
    probs = list(probabilities)
    bad = (
        len(probs) != count
        or not all(isinstance(p, (int, float)) and not isinstance(p, bool) for p in probs)
        or not all(math.isfinite(p) and p >= 0 for p in probs)
        or abs(sum(probs) - 1.0) > 1e-6
    )
    if bad:
        raise InvalidInputError(
            f"Invalid probabilities={probabilities!r}: expected {count} non-negative numbers "
            "(one per frame) summing to 1."
        )
    if stopping_strategy == "all_exhausted" and min(probs) == 0:
        raise InvalidInputError(
            f"probabilities={probabilities!r} gives a frame probability 0, so "
            "stopping_strategy='all_exhausted' would never stop. Give every frame a "
            "positive probability or use 'first_exhausted'."
        )
    return [float(p) for p in probs]


def flatten(lf: pl.LazyFrame, *, separator: str = ".") -> pl.LazyFrame:
    """Struct columns -> one column per leaf field: :meth:`.Dataset.flatten` documents it."""
    if not isinstance(separator, str) or not separator:
        raise InvalidInputError(
            f"Invalid separator={separator!r}: expected a non-empty string such as '.'."
        )
    exprs: list[pl.Expr] = []

    def visit(expr: pl.Expr, name: str, dtype: object) -> None:
        if isinstance(dtype, pl.Struct):
            for field in dtype.fields:
                visit(expr.struct.field(field.name), f"{name}{separator}{field.name}", field.dtype)
        else:
            exprs.append(expr.alias(name))

    for name, dtype in lf.collect_schema().items():
        visit(pl.col(name), name, dtype)
    names = [e.meta.output_name() for e in exprs]
    duplicates = sorted({x for x in names if names.count(x) > 1})
    if duplicates:
        raise InvalidInputError(
            f"flatten() would create duplicate column(s) {', '.join(map(repr, duplicates))}. "
            "Rename the clashing columns or pass another separator."
        )
    return lf.select(exprs)
