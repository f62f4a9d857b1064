"""The summary of ``evaluate``: point estimates and stratified bootstrap intervals.

Bootstrap
---------
Items are resampled with replacement, ``n_bootstrap`` times, separately within each
stratum (all items for the overall row; each group for its row; the macro row averages
the group resamples, i.e. a stratified bootstrap). Each stratum gets ``K`` resampling
units: ``K = min(n, max(200, ceil(10_000 * n / N)), 10_000)`` for a stratum of ``n`` of
the ``N`` items. When ``K == n`` (every stratum of up to 200 items, and any evaluation
of up to 10,000 items) units are items: the textbook bootstrap. Otherwise items are
assigned at random to ``K`` blocks and whole blocks are resampled (each resample mean is
the pooled mean of the drawn blocks). A block of ``m = n / K`` random items has a mean
of variance ``s**2 / m``, so the mean of ``K`` drawn blocks has variance ``s**2 / n``, the
spread of the item bootstrap, while the work stays about ``n_bootstrap x 10,000`` small
rows whatever ``N`` (1M items, 1000 resamples: ~10M rows rather than 1G).

Random draws come from the project's pinned hash (:func:`crucible_pl._hashing.mix64`,
the splitmix64 output function), never from Polars' ``Expr.hash``, which may change
between Polars versions. With ``key = mix64(seed)`` and ``u(x) = mix64(key + x * G)``
(``G = 0x9E3779B97F4A7C15``, arithmetic modulo 2**64: ``u(x)`` is output ``x + 1`` of
splitmix64 seeded with ``key``), resample ``b`` of stratum ``s`` draws unit
``u(s * 2**32 + b * K + j) % K`` for ``j < K``, and on the block path item ``i`` (its
position in the items frame) belongs to block ``u(2**62 + i) % K``. All of it is
integer arithmetic in Polars expressions, so results for a seed are identical across
runs, machines and Polars versions.
"""

from __future__ import annotations

import polars as pl

from crucible_pl._hashing import mix64, mix64_int

__all__ = ["percentile_interval", "summarize", "unit_count"]

_POS = "__pos"
_MAX_UNITS = 10_000
_MIN_UNITS = 200
_STRATUM_STRIDE = 1 << 32
_UNIT_SALT = 1 << 62
_GOLDEN = 0x9E3779B97F4A7C15
_SCOPES = ("overall", "group", "macro")


def unit_count(n: pl.Expr, total: pl.Expr | int) -> pl.Expr:
    """The resampling units ``K`` of a stratum of ``n`` of the ``total`` items, as Int64.

    ``K = min(n, max(200, ceil(10_000 * n / total)), 10_000)``: every item is its own
    unit up to 200 items in a stratum (and in any run of up to 10,000 items), and the
    work stays about ``n_bootstrap x 10,000`` rows whatever ``total``. ``evaluate``'s
    bootstrap and ``compare``'s paired bootstrap share this rule.

    Parameters
    ----------
    n
        The stratum sizes.
    total
        The number of items in all strata of the level (at least 1).

    Returns
    -------
    pl.Expr
        ``K`` per stratum.

    Examples
    --------
    >>> import polars as pl
    >>> sizes = pl.DataFrame({"n": [50, 1_000, 99_000]})
    >>> sizes.select(unit_count(pl.col("n"), 100_050))["n"].to_list()
    [50, 200, 9896]
    """
    return pl.min_horizontal(
        n,
        pl.max_horizontal(pl.lit(_MIN_UNITS), (n * _MAX_UNITS / total).ceil()),
        pl.lit(_MAX_UNITS),
    ).cast(pl.Int64)


def percentile_interval(draws: pl.Expr, confidence: float, *, name: str) -> list[pl.Expr]:
    """The percentile bootstrap interval of ``draws``: ``ci_low|name`` and ``ci_high|name``.

    The ``(1 - confidence) / 2`` and ``1 - (1 - confidence) / 2`` quantiles of the
    resampled statistic, linearly interpolated; ``evaluate`` and ``compare`` share it.

    Parameters
    ----------
    draws
        The resampled statistic, one value per resample (aggregated by the caller).
    confidence
        The coverage, between 0 and 1.
    name
        The suffix of the two output names.

    Returns
    -------
    list[pl.Expr]
        The lower and upper bounds.

    Examples
    --------
    >>> import polars as pl
    >>> boot = pl.DataFrame({"x": [float(v) for v in range(101)]})
    >>> boot.select(percentile_interval(pl.col("x"), 0.5, name="x")).row(0)
    (25.0, 75.0)
    """
    low, high = (1 - confidence) / 2, 1 - (1 - confidence) / 2
    return [
        draws.quantile(low, interpolation="linear").alias(f"ci_low|{name}"),
        draws.quantile(high, interpolation="linear").alias(f"ci_high|{name}"),
    ]


def _uniform(counter: pl.Expr, seed: int, bound: pl.Expr) -> pl.Expr:
    """A draw in ``[0, bound)`` for each non-negative Int64 ``counter``, from the pinned hash.

    Output ``counter + 1`` of splitmix64 seeded with ``mix64(seed)``, modulo ``bound``:
    UInt64 arithmetic wraps modulo 2**64 in Polars, as the reference does. ``bound`` is
    at most ``_MAX_UNITS``, so the modulo bias (below 1e-15) is immaterial.
    """
    state = counter.cast(pl.UInt64) * pl.lit(_GOLDEN, dtype=pl.UInt64) + pl.lit(
        mix64_int(seed), dtype=pl.UInt64
    )
    return (mix64(state) % bound.cast(pl.UInt64)).cast(pl.Int64)


def _bootstrap_means(
    scores: pl.LazyFrame,
    keys: list[str],
    metrics: list[str],
    *,
    n_bootstrap: int,
    seed: int,
    stratum_offset: int,
) -> pl.DataFrame:
    """Per stratum (``keys``) and resample ``__b``: the resampled mean of every metric.

    Strata are numbered ``stratum_offset, stratum_offset + 1, ...`` in the sort order of
    their keys; ``scores`` carries ``__pos``, the item's position in the items frame.
    """
    total = pl.col("__n").sum()
    strata = (
        scores.group_by(keys)
        .agg(pl.len().cast(pl.Int64).alias("__n"))
        .sort(keys, nulls_last=True)
        .with_columns(
            __s=pl.int_range(pl.len(), dtype=pl.Int64) + stratum_offset,
            __units=unit_count(pl.col("__n"), total),
        )
    )
    units = pl.col("__units")
    unit = (
        pl.when(units == pl.col("__n"))
        .then(pl.int_range(pl.len(), dtype=pl.Int64).over("__s"))
        .otherwise(_uniform(pl.col(_POS) + _UNIT_SALT, seed, units))
    )
    # One Int64 key per (stratum, unit) keeps the big join and group-by on a single integer.
    stats = (
        scores.join(strata, on=keys, how="inner", nulls_equal=True, maintain_order="left")
        .with_columns(__key=pl.col("__s") * _STRATUM_STRIDE + unit)
        .group_by("__key")
        .agg(
            [pl.col(m).sum().alias(f"__sum_{m}") for m in metrics]
            + [pl.col(m).count().alias(f"__cnt_{m}") for m in metrics]
        )
    )
    draw = pl.col("__s") * _STRATUM_STRIDE + pl.col("__r")
    draws = (
        strata.select("__s", "__units")
        .with_columns(__r=pl.int_ranges(0, units * n_bootstrap, dtype=pl.Int64))
        .explode("__r")
        .select(
            "__s",
            (pl.col("__r") // units).alias("__b"),
            (pl.col("__s") * _STRATUM_STRIDE + _uniform(draw, seed, units)).alias("__key"),
        )
    )
    # Sums run in the (fixed) order of the draws: the same floats to the last bit on
    # every run, whatever order the hash group-by and the join hand rows over in.
    means = (
        draws.join(stats, on="__key", how="left", maintain_order="left")
        .group_by("__s", "__b", maintain_order=True)
        .agg(_resampled_mean(m) for m in metrics)
        .join(strata.select(*keys, "__s"), on="__s")
        .select(*keys, "__b", *metrics)
    )
    return means.collect()


def _resampled_mean(metric: str) -> pl.Expr:
    """A resample's mean of ``metric``; null when it drew only null scores (such as
    pass@k of items with fewer than k samples), which the percentile interval skips."""
    count = pl.col(f"__cnt_{metric}").sum()
    return pl.when(count > 0).then(pl.col(f"__sum_{metric}").sum() / count).alias(metric)


def _point_estimates(items: pl.LazyFrame, keys: list[str], metrics: list[str]) -> pl.LazyFrame:
    aggs: list[pl.Expr] = []
    for m in metrics:
        aggs += [
            pl.col(m).mean().alias(f"mean|{m}"),
            pl.col(m).count().cast(pl.Int64).alias(f"count|{m}"),
            (pl.col(m).std() / pl.col(m).count().sqrt()).alias(f"stderr|{m}"),
        ]
    return items.group_by(keys).agg(aggs) if keys else items.select(aggs)


def _to_long(wide: pl.LazyFrame, keys: list[str], metrics: list[str], scope: str) -> pl.LazyFrame:
    frames = [
        wide.select(
            pl.lit(m).alias("metric"),
            pl.lit(scope).alias("scope"),
            *keys,
            *(pl.col(f"{stat}|{m}").alias(stat) for stat in _STATS),
        )
        for m in metrics
    ]
    return pl.concat(frames, how="vertical")


_STATS = ("mean", "count", "stderr", "ci_low", "ci_high")


def _intervals(
    resampled: pl.LazyFrame, keys: list[str], metrics: list[str], confidence: float
) -> pl.LazyFrame:
    aggs = [e for m in metrics for e in percentile_interval(pl.col(m), confidence, name=m)]
    if keys:
        return resampled.group_by(keys).agg(aggs)
    return resampled.select(aggs)


def summarize(
    items: pl.DataFrame,
    by: list[str],
    metrics: list[str],
    *,
    n_bootstrap: int,
    seed: int,
    confidence: float,
) -> pl.DataFrame:
    """The summary frame of ``evaluate``: per metric, overall, group and macro rows.

    Columns ``metric``, ``scope``, the ``by`` columns, ``mean``, ``count``, ``stderr``,
    ``ci_low`` and ``ci_high`` (null when ``n_bootstrap`` is 0); see
    :class:`~crucible_pl.scoring.EvalResult` for their meaning.
    """
    # One chunk, so sums do not depend on how the items were assembled in memory: the
    # same items give the same summary to the last bit, merged from shards or not.
    scores = (
        items.select(*by, *(pl.col(m).cast(pl.Float64) for m in metrics))
        .rechunk()
        .lazy()
        .with_row_index(_POS)
    )
    no_ci = [pl.lit(None, dtype=pl.Float64).alias(f"{s}|{m}") for m in metrics for s in _STATS[3:]]

    def level(keys: list[str], offset: int) -> tuple[pl.LazyFrame, pl.LazyFrame | None]:
        points = _point_estimates(scores, keys, metrics)
        if n_bootstrap == 0:
            return points.with_columns(no_ci), None
        resampled = _bootstrap_means(
            scores if keys else scores.with_columns(__all=pl.lit(True)),
            keys or ["__all"],
            metrics,
            n_bootstrap=n_bootstrap,
            seed=seed,
            stratum_offset=offset,
        ).lazy()
        if not keys:
            resampled = resampled.drop("__all")
        ci = _intervals(resampled, keys, metrics, confidence)
        joined = (
            points.join(ci, on=keys, nulls_equal=True)
            if keys
            else pl.concat([points, ci], how="horizontal")
        )
        return joined, resampled

    overall, _ = level([], 0)
    parts = [_to_long(overall, [], metrics, "overall")]
    if by:
        groups, resampled = level(by, 1)
        parts.append(_to_long(groups, by, metrics, "group"))
        macro_aggs: list[pl.Expr] = []
        for m in metrics:
            macro_aggs += [
                pl.col(f"mean|{m}").mean().alias(f"mean|{m}"),
                pl.col(f"count|{m}").sum().cast(pl.Int64).alias(f"count|{m}"),
                ((pl.col(f"stderr|{m}") ** 2).sum().sqrt() / pl.len()).alias(f"stderr|{m}"),
            ]
        # The groups in a fixed order and one chunk, so the sums over them are the same
        # floats on every run.
        fixed = groups.sort(by, nulls_last=True).collect().rechunk()
        macro = fixed.lazy().select(macro_aggs)
        if resampled is None:
            macro = macro.with_columns(no_ci)
        else:
            # Each resample's mean over the groups, summed in group order from a list:
            # a hash group-by's mean can add partial sums in any order (last-bit noise).
            per_b = (
                resampled.sort(["__b", *by], nulls_last=True)
                .group_by("__b", maintain_order=True)
                .agg(pl.col(m) for m in metrics)
                .with_columns(pl.col(m).list.mean() for m in metrics)
            )
            macro = pl.concat([macro, _intervals(per_b, [], metrics, confidence)], how="horizontal")
        parts.append(_to_long(macro, [], metrics, "macro"))
    order = {m: i for i, m in enumerate(metrics)}
    summary = pl.concat(parts, how="diagonal_relaxed").collect()
    return (
        summary.with_columns(
            __m=pl.col("metric").replace_strict(order, return_dtype=pl.Int64),
            __scope=pl.col("scope").replace_strict(
                {s: i for i, s in enumerate(_SCOPES)}, return_dtype=pl.Int64
            ),
        )
        .sort(["__m", "__scope", *by], nulls_last=True, maintain_order=True)
        .select("metric", "scope", *by, *_STATS)
    )
