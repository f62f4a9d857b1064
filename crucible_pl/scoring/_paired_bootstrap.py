"""The paired bootstrap of ``compare``: strata, resampling units, resamples, intervals.

Each stratum (0 for all items, then one per ``by`` group) is resampled on its own, in
``K`` units given by :func:`crucible_pl.scoring._bootstrap.unit_count`; items are dealt
into units in the order of a seeded hash of their id. Each resample draws units with
replacement for the bootstrap interval of the mean difference, and flips the sign of
every unit's summed difference for the paired sign-flip p-value. The
:mod:`crucible_pl.scoring._compare` docstring states the procedure and its draws.

Examples
--------
>>> import polars as pl
>>> from crucible_pl.scoring._paired_bootstrap import strata
>>> strata(pl.DataFrame({"id": ["a", "b", "c"]}), []).select("__s", "__n", "__K").row(0)
(0, 3, 3)
"""

from __future__ import annotations

import polars as pl

from crucible_pl._hashing import mix64, mix64_int, stable_hash
from crucible_pl.errors import InvalidInputError
from crucible_pl.scoring._bootstrap import percentile_interval, unit_count

__all__ = ["MAX_BOOTSTRAP", "by_stratum", "intervals", "strata", "unit_stats"]

_UNIT_BITS = 40  # resample b, unit j of a stratum: b * K + j < 2**40
_MAX_STRATA = 1 << 23  # stratum * 2**40 must stay below 2**63
MAX_BOOTSTRAP = 10_000_000  # with K <= 10,000 units, b * K + j < 2**40
_KEY_BITS = 32  # one Int64 join key per (stratum, unit)
_BATCH_ROWS = 8_000_000  # resampling rows per query: bounds memory for large n_bootstrap
_DRAW_SALT = 0xC0A1_E5CE_D5A1_7ED0
_U64 = pl.UInt64


def strata(pairs: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """Stratum 0 (all items), then one per group in sorted order: ``__s``, keys, n, K."""
    total = pairs.height
    overall = pl.DataFrame({"__s": [0], "__n": [total]}, schema={"__s": pl.Int64, "__n": pl.Int64})
    frames = [overall]
    if by:
        groups = (
            pairs.group_by(by)
            .agg(pl.len().cast(pl.Int64).alias("__n"))
            .sort(by, nulls_last=True)
            .with_columns(__s=pl.int_range(1, pl.len() + 1, dtype=pl.Int64))
        )
        if groups.height >= _MAX_STRATA:
            raise InvalidInputError(
                f"by={by!r} makes {groups.height} groups; compare() handles fewer than "
                f"{_MAX_STRATA}. Group by a coarser column."
            )
        frames.append(groups)
    return pl.concat(frames, how="diagonal").with_columns(
        __K=unit_count(pl.col("__n"), max(total, 1))
    )


def by_stratum(pairs: pl.DataFrame, strata: pl.DataFrame, by: list[str]) -> pl.LazyFrame:
    """The pairs once per stratum they belong to (overall, and their group), with ``__s``."""
    lf = pairs.lazy()
    frames = [lf.with_columns(__s=pl.lit(0, dtype=pl.Int64))]
    if by:
        keys = strata.lazy().filter(pl.col("__s") > 0).select(*by, "__s")
        frames.append(lf.join(keys, on=by, how="inner", nulls_equal=True, maintain_order="left"))
    return pl.concat(frames, how="vertical")


def unit_stats(
    rows: pl.LazyFrame, strata: pl.DataFrame, metrics: list[str], seed: int
) -> pl.LazyFrame:
    """Per (stratum, unit): the sum and count of every metric's differences."""
    rank = stable_hash("id", seed).rank("ordinal").over("__s").cast(pl.Int64) - 1
    return (
        rows.join(strata.lazy().select("__s", "__K"), on="__s")
        .with_columns(__unit=rank % pl.col("__K"))
        .group_by("__s", "__unit")
        .agg(
            [pl.col(f"d|{m}").sum().alias(f"sum|{m}") for m in metrics]
            + [pl.col(f"d|{m}").count().cast(pl.Int64).alias(f"cnt|{m}") for m in metrics]
            + [pl.first("__K")]
        )
        .with_columns(__key=pl.col("__s") * (1 << _KEY_BITS) + pl.col("__unit"))
    )


def _resample(
    stats: pl.DataFrame, metrics: list[str], *, start: int, stop: int, seed: int
) -> pl.LazyFrame:
    """Per (stratum, resample b) in ``[start, stop)``: the bootstrap diff and flipped sum."""
    key = mix64_int(mix64_int(seed) ^ _DRAW_SALT)
    u = [pl.col(c).cast(_U64) for c in ("__s", "__b", "__K", "__unit")]
    counter = (
        pl.lit(key, dtype=_U64) + u[0] * pl.lit(1 << _UNIT_BITS, dtype=_U64) + u[1] * u[2] + u[3]
    )
    h = mix64(counter)
    draws = (
        stats.lazy()
        .select("__s", "__unit", "__K", *(f"sum|{m}" for m in metrics))
        .with_columns(__b=pl.int_ranges(start, stop, dtype=pl.Int64))
        .explode("__b")
        .with_columns(__h=h)
        .select(
            "__s",
            "__b",
            (pl.col("__s") * (1 << _KEY_BITS) + ((pl.col("__h") // 2) % u[2]).cast(pl.Int64)).alias(
                "__key"
            ),
            *(
                pl.when(pl.col("__h") % 2 == 1)
                .then(-pl.col(f"sum|{m}"))
                .otherwise(pl.col(f"sum|{m}"))
                .alias(f"flip|{m}")
                for m in metrics
            ),
        )
    )
    drawn = stats.lazy().select(
        "__key", *(f"sum|{m}" for m in metrics), *(f"cnt|{m}" for m in metrics)
    )
    aggs: list[pl.Expr] = []
    for m in metrics:
        count = pl.col(f"cnt|{m}").sum()
        aggs += [
            pl.when(count > 0).then(pl.col(f"sum|{m}").sum() / count).alias(f"boot|{m}"),
            pl.col(f"flip|{m}").sum().alias(f"flip|{m}"),
        ]
    return draws.join(drawn, on="__key", how="left").group_by("__s", "__b").agg(aggs)


def intervals(
    stats: pl.DataFrame,
    metrics: list[str],
    *,
    n_bootstrap: int,
    seed: int,
    confidence: float,
) -> pl.DataFrame:
    """Per stratum: ``ci_low|m``, ``ci_high|m`` and ``p_value|m`` from ``n_bootstrap`` draws."""
    per_batch = max(1, _BATCH_ROWS // max(stats.height, 1))
    # A loop over batches of resamples (not over items or groups) bounds the memory of a
    # large n_bootstrap; the draws depend only on (stratum, b, unit), not on the batching.
    batches = pl.collect_all(
        _resample(stats, metrics, start=start, stop=min(start + per_batch, n_bootstrap), seed=seed)
        for start in range(0, n_bootstrap, per_batch)
    )
    observed = stats.group_by("__s").agg(
        [pl.col(f"sum|{m}").sum().alias(f"obs|{m}") for m in metrics]
        # Sums of floats in another order may differ in the last bits: a flipped sum within
        # 1e-9 of the largest possible one counts as reaching the observed sum.
        + [(pl.col(f"sum|{m}").abs().sum() * 1e-9).alias(f"tol|{m}") for m in metrics]
    )
    aggs: list[pl.Expr] = []
    for m in metrics:
        reached = pl.col(f"flip|{m}").abs() >= pl.col(f"obs|{m}").abs() - pl.col(f"tol|{m}")
        aggs += [
            *percentile_interval(pl.col(f"boot|{m}"), confidence, name=m),
            ((reached.sum() + 1) / (n_bootstrap + 1)).alias(f"p_value|{m}"),
        ]
    return pl.concat(batches, how="vertical").join(observed, on="__s").group_by("__s").agg(aggs)
