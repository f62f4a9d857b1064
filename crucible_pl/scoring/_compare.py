"""``compare``: the paired difference between two evaluation runs on the same items.

Both runs are paired by item ``id``; for every metric the summary gives the means of
run A and run B on the items both scored, the paired difference ``B - A``, a paired
bootstrap interval of it, a two-sided p-value, and for 0/1 metrics McNemar's exact test.

Pairing rules
-------------
* Dataset provenance: the fields ``repo``, ``sha``, ``config`` and ``split`` that
  ``evaluate`` copies from a :class:`~crucible_pl.Dataset` into ``result.provenance``.
  When both runs carry them, each must be equal. When neither does (both were scored on
  plain frames), nothing can be checked there and the item checks below decide. When
  only one does, the runs are refused: nothing shows that they are on the same data.
* Items: both runs must hold the same set of unique ids, and where both items frames
  have ``expected`` or a ``by`` column, each id must have the same value in both.
* Scores: an item whose score is null in either run is left out of that metric's
  figures (``n`` counts the items used). Items without a prediction score 0 in
  ``evaluate``, so they count as wrong in both runs alike.

Statistics
----------
``diff`` is the mean of the per-item differences ``d = B - A``. The interval is a
percentile paired bootstrap: items are resampled with replacement and the same draw
serves both runs, so it resamples ``d``. The p-value is a two-sided paired sign-flip
(randomization) test: under "A and B are exchangeable on every item" each ``d`` is as
likely to be ``+d`` as ``-d``; the p-value is ``(1 + #{|sum(s * d)| >= |sum(d)|}) / (1 +
n_bootstrap)`` over ``n_bootstrap`` random sign vectors ``s``, never 0, and 1 when the
runs agree on every item. For 0/1 metrics ``n_a_only`` (A right, B wrong) and
``n_b_only`` (B right, A wrong) are the discordant pairs and ``mcnemar_p`` is the exact
two-sided binomial test of them, ``min(1, 2 * P(X <= min(b, c)))`` for ``X ~ Bin(b + c,
1/2)``, summed in integers (``math.comb``); it is 1 when there is no discordant pair.

Overall and per ``by`` group, each a stratum resampled on its own. A stratum of ``n`` of
the ``N`` items has ``K = min(n, max(200, ceil(10_000 * n / N)), 10_000)`` resampling
units. When ``K == n`` (any comparison of up to 10,000 items, any group of up to 200)
units are items. Otherwise items are dealt into ``K`` blocks of equal size (``n / K``
items, one more for some) in the order of a seeded hash of their id, and whole blocks are
resampled and sign-flipped: a block mean of ``m`` random items has variance ``s**2 /
m``, so the bootstrap spread is that of the item bootstrap, and flipping the signs of
whole blocks is a subset of the item sign flips, so the test stays exact. The work is
about ``n_bootstrap x 10,000`` rows per level whatever ``N``.

Random draws come from the pinned hash of :mod:`crucible_pl._hashing` (the same on
every Polars version): items are dealt into blocks by ``stable_hash(id, seed)``, and in
resample ``b`` of stratum ``s`` unit ``j`` gets ``h = mix64(k + s * 2**40 + b * K + j)``
(``k`` derived from the seed): the bootstrap draws unit ``(h // 2) % K`` and unit ``j``'s
sign is ``-1`` when ``h`` is odd. Strata are numbered 0 (overall) and 1, 2, ... (groups
in sorted order, nulls last). The figures depend only on the seed and the paired
scores, not on row order: ``compare(b, a)`` mirrors ``compare(a, b)``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, overload

import polars as pl

from crucible_pl._hashing import check_seed
from crucible_pl.errors import InvalidInputError
from crucible_pl.scoring._mcnemar import EXACT_MCNEMAR_PAIRS, mcnemar_exact_p
from crucible_pl.scoring._paired_bootstrap import (
    MAX_BOOTSTRAP,
    by_stratum,
    intervals,
    strata,
    unit_stats,
)
from crucible_pl.scoring._pairing import (
    BINARY,
    DATASET_FIELDS,
    STATS,
    check_items,
    dataset_provenance,
    pair,
    resolve_metrics,
)
from crucible_pl.scoring._result import EvalResult, _dumps, _fmt, _version

__all__ = ["DATASET_FIELDS", "EXACT_MCNEMAR_PAIRS", "Comparison", "compare", "mcnemar_exact_p"]


@dataclass(frozen=True, eq=False, repr=False)
class Comparison:
    """The outcome of :func:`compare`: run B against run A, item by item.

    Attributes
    ----------
    summary
        One row per metric and scope: ``metric``, ``scope`` (``"overall"`` or
        ``"group"``), the ``by`` columns (null on ``"overall"`` rows), ``mean_a``,
        ``mean_b``, ``diff`` (``mean_b - mean_a``, the mean paired difference),
        ``ci_low`` and ``ci_high`` (percentile paired bootstrap of ``diff``),
        ``p_value`` (two-sided paired sign-flip test), ``n`` (items scored by both
        runs), and for 0/1 metrics ``n_a_only`` and ``n_b_only`` (items only A, or only
        B, got right) with ``mcnemar_p`` (McNemar's exact test); these three are null
        for other metrics, and the interval and ``p_value`` are null when
        ``n_bootstrap=0``.
    metrics
        The metrics compared, in order.
    by
        The group columns.
    provenance
        ``"dataset"`` (the shared ``repo``/``sha``/``config``/``split``, or ``None``
        when neither run has them), ``"a"`` and ``"b"`` (each run's provenance) and
        ``"comparison"`` (options, test names and versions).

    Examples
    --------
    >>> import polars as pl
    >>> from crucible_pl.scoring import compare, evaluate
    >>> refs = pl.DataFrame({"id": ["a", "b", "c", "d"], "expected": ["1", "2", "3", "4"]})
    >>> run_a = evaluate(refs, pl.DataFrame({"id": ["a", "b", "c", "d"],
    ...                  "prediction": ["1", "0", "0", "0"]}), family="math", n_bootstrap=0)
    >>> run_b = evaluate(refs, pl.DataFrame({"id": ["a", "b", "c", "d"],
    ...                  "prediction": ["1", "2", "3", "0"]}), family="math", n_bootstrap=0)
    >>> compare(run_a, run_b, n_bootstrap=200)
    Comparison(items=4, math_match: A=0.2500 B=0.7500 diff=+0.5000 [+0.0000, +1.0000] p=0.4826; McNemar p=0.5000 (A only 0, B only 2))
    """  # noqa: E501 (a doctest output line)

    summary: pl.DataFrame
    metrics: tuple[str, ...]
    by: tuple[str, ...] = ()
    provenance: Mapping[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        overall = self.summary.filter(pl.col("scope") == "overall")
        parts = []
        # One summary row per metric, formatted for the repr (not per-item work).
        for row in overall.iter_rows(named=True):
            text = (
                f"{row['metric']}: A={_fmt(row['mean_a'])} B={_fmt(row['mean_b'])} "
                f"diff={_fmt(row['diff'], sign=True)}"
            )
            if row["ci_low"] is not None and row["ci_high"] is not None:
                text += f" [{_fmt(row['ci_low'], sign=True)}, {_fmt(row['ci_high'], sign=True)}]"
            if row["p_value"] is not None:
                text += f" p={_fmt_p(row['p_value'])}"
            if row["mcnemar_p"] is not None:
                text += (
                    f"; McNemar p={_fmt_p(row['mcnemar_p'])} "
                    f"(A only {row['n_a_only']}, B only {row['n_b_only']})"
                )
            parts.append(text)
        items = self.provenance.get("comparison", {}).get("n_items")
        return f"Comparison(items={items}, {'; '.join(parts)})"

    @overload
    def to_json(self, path: None = None) -> str: ...

    @overload
    def to_json(self, path: str | Path) -> None: ...

    def to_json(self, path: str | Path | None = None) -> str | None:
        """Write provenance and summary as one JSON document, or return it as text.

        Parameters
        ----------
        path
            The file to write; ``None`` returns the document as a string.

        Examples
        --------
        >>> import json
        >>> import polars as pl
        >>> from crucible_pl.scoring import compare, evaluate
        >>> refs = pl.DataFrame({"id": ["a", "b"], "expected": ["1", "2"]})
        >>> preds = pl.DataFrame({"id": ["a", "b"], "prediction": ["1", "0"]})
        >>> run = evaluate(refs, preds, family="math", n_bootstrap=0)
        >>> doc = json.loads(compare(run, run, n_bootstrap=0).to_json())
        >>> doc["summary"][0]["diff"], doc["summary"][0]["mcnemar_p"]
        (0.0, 1.0)
        """
        document = {
            "provenance": dict(self.provenance),
            "summary": self.summary.to_dicts(),
        }
        text = _dumps(document, indent=2)
        if path is None:
            return text
        Path(path).write_text(text, encoding="utf-8")
        return None


def _fmt_p(value: float) -> str:
    return f"{value:.2e}" if value < 1e-4 else f"{value:.4f}"


def _points(rows: pl.LazyFrame, metrics: list[str]) -> pl.LazyFrame:
    aggs: list[pl.Expr] = []
    for m in metrics:
        a, b, d = pl.col(f"a|{m}"), pl.col(f"b|{m}"), pl.col(f"d|{m}")
        aggs += [
            a.mean().alias(f"mean_a|{m}"),
            b.mean().alias(f"mean_b|{m}"),
            d.mean().alias(f"diff|{m}"),
            d.count().cast(pl.Int64).alias(f"n|{m}"),
            ((a == 1) & (b == 0)).sum().cast(pl.Int64).alias(f"n_a_only|{m}"),
            ((a == 0) & (b == 1)).sum().cast(pl.Int64).alias(f"n_b_only|{m}"),
        ]
    return rows.group_by("__s").agg(aggs)


def _long(
    wide: pl.DataFrame, by: list[str], metrics: list[str], binary: dict[str, bool]
) -> pl.DataFrame:
    """One row per (metric, stratum), in metric order, overall first, groups sorted."""
    frames = []
    for i, m in enumerate(metrics):
        null_int = pl.lit(None, dtype=pl.Int64)
        scored = pl.col(f"n|{m}") > 0
        frames.append(
            wide.select(
                pl.lit(i).alias("__m"),
                "__s",
                pl.lit(m).alias("metric"),
                pl.when(pl.col("__s") == 0)
                .then(pl.lit("overall"))
                .otherwise(pl.lit("group"))
                .alias("scope"),
                *by,
                *(pl.col(f"{stat}|{m}").alias(stat) for stat in STATS[:-2]),
                pl.when(scored).then(pl.col(f"p_value|{m}")).alias("p_value"),
                pl.col(f"n|{m}").alias("n"),
                *((pl.col(f"{c}|{m}") if binary[m] else null_int).alias(c) for c in BINARY),
            )
        )
    return pl.concat(frames, how="vertical").sort("__m", "__s").drop("__m", "__s")


def compare(
    result_a: EvalResult,
    result_b: EvalResult,
    *,
    metrics: str | Sequence[str] | None = None,
    by: str | Sequence[str] | None = None,
    n_bootstrap: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
) -> Comparison:
    """Compare two evaluation runs on the same items: is run B better than run A?

    The runs are paired by item ``id``. For every metric: the means of A and B, the
    paired difference ``B - A``, a paired bootstrap interval of it, a two-sided paired
    sign-flip p-value, and for 0/1 metrics the discordant counts with McNemar's exact
    p-value; overall and per ``by`` group. See :mod:`crucible_pl.scoring._compare` for
    the pairing rules and the exact procedures.

    Parameters
    ----------
    result_a, result_b
        Two results of :func:`~crucible_pl.scoring.evaluate` on the same items (the
        baseline first: differences are ``B - A``).
    metrics
        Metric name(s) to compare; ``None`` for every metric both runs computed.
    by
        Column(s) of both runs' items to report per group (give ``evaluate`` the same
        ``by=`` for both runs), e.g. ``"subject"``.
    n_bootstrap
        Bootstrap resamples for the interval, and random sign flips for the p-value
        (which is then at least ``1 / (n_bootstrap + 1)``); 0 skips both (nulls).
    seed
        Seed of every random draw; the same seed gives the same figures.
    confidence
        Coverage of the percentile interval, between 0 and 1.

    Returns
    -------
    Comparison
        The ``summary`` frame and the provenance of the comparison.

    Raises
    ------
    MismatchedRunsError
        The runs' dataset provenance (``repo``, ``sha``, ``config``, ``split``) differs,
        only one run has it, their id sets differ, or an id has a different ``expected``
        or ``by`` value in the two runs.
    InvalidInputError
        An unknown metric, a metric only one run has, repeated ids, or a bad option.
    ColumnNotFoundError
        A ``by`` column is not in both runs' items.

    Examples
    --------
    >>> import polars as pl
    >>> from crucible_pl.scoring import compare, evaluate
    >>> refs = pl.DataFrame({
    ...     "id": [f"q{i}" for i in range(8)],
    ...     "expected": ["1"] * 8,
    ...     "subject": ["alg"] * 4 + ["geo"] * 4,
    ... })
    >>> def run(correct, references=refs):
    ...     preds = pl.DataFrame({"id": references["id"], "prediction": [str(c) for c in correct]})
    ...     return evaluate(references, preds, family="math", by="subject", n_bootstrap=0)
    >>> run_a = run([1, 0, 0, 0, 1, 1, 0, 1])
    >>> run_b = run([1, 1, 1, 0, 1, 1, 1, 1])
    >>> result = compare(run_a, run_b, by="subject", n_bootstrap=2000, seed=0)
    >>> result.summary.select("scope", "subject", "diff", "n_a_only", "n_b_only", "mcnemar_p")
    shape: (3, 6)
    ┌─────────┬─────────┬───────┬──────────┬──────────┬───────────┐
    │ scope   ┆ subject ┆ diff  ┆ n_a_only ┆ n_b_only ┆ mcnemar_p │
    │ ---     ┆ ---     ┆ ---   ┆ ---      ┆ ---      ┆ ---       │
    │ str     ┆ str     ┆ f64   ┆ i64      ┆ i64      ┆ f64       │
    ╞═════════╪═════════╪═══════╪══════════╪══════════╪═══════════╡
    │ overall ┆ null    ┆ 0.375 ┆ 0        ┆ 3        ┆ 0.25      │
    │ group   ┆ alg     ┆ 0.5   ┆ 0        ┆ 2        ┆ 0.5       │
    │ group   ┆ geo     ┆ 0.25  ┆ 0        ┆ 1        ┆ 1.0       │
    └─────────┴─────────┴───────┴──────────┴──────────┴───────────┘

    Runs on different items are refused:

    >>> compare(run_a, run([1] * 7, references=refs.head(7)))
    Traceback (most recent call last):
    ...
    crucible_pl.errors.MismatchedRunsError: Runs A and B are not on the same items: 1 id(s) only in A (e.g. 'q7'), 0 only in B. ...
    """  # noqa: E501 (doctest lines)
    if isinstance(n_bootstrap, bool) or not isinstance(n_bootstrap, int):
        raise InvalidInputError(f"Invalid n_bootstrap={n_bootstrap!r}: expected an int >= 0.")
    if not 0 <= n_bootstrap <= MAX_BOOTSTRAP:
        raise InvalidInputError(
            f"Invalid n_bootstrap={n_bootstrap!r}: expected an int between 0 and "
            f"{MAX_BOOTSTRAP:,} (1000 gives p-values down to 0.001; 0 skips the resampling)."
        )
    if not 0 < confidence < 1:
        raise InvalidInputError(
            f"Invalid confidence={confidence!r}: expected a level between 0 and 1, e.g. 0.95."
        )
    check_seed(seed)
    for label, result in (("result_a", result_a), ("result_b", result_b)):
        if not isinstance(result, EvalResult):
            raise InvalidInputError(
                f"{label} is {type(result).__name__}: compare() takes two EvalResult objects "
                "from crucible_pl.evaluate()."
            )
    dataset = dataset_provenance(result_a.provenance, result_b.provenance)
    names = resolve_metrics(metrics, result_a, result_b)
    by_cols = [by] if isinstance(by, str) else list(by or [])
    check_items(result_a.items, result_b.items, names, by_cols)
    pairs = pair(result_a.items, result_b.items, names, by_cols)
    levels = strata(pairs, by_cols)
    rows = by_stratum(pairs, levels, by_cols)
    binary_aggs = [
        pl.all_horizontal(pl.col(f"{r}|{m}").is_in([0.0, 1.0]).all() for r in ("a", "b")).alias(m)
        for m in names
    ]
    points, stats, binary_row = pl.collect_all(
        [
            _points(rows, names),
            unit_stats(rows, levels, names, seed) if n_bootstrap else pl.LazyFrame(),
            pairs.lazy().select(binary_aggs),
        ]
    )
    binary = {m: bool(binary_row[m][0]) for m in names}
    wide = levels.join(points, on="__s")
    if n_bootstrap:
        ci = intervals(stats, names, n_bootstrap=n_bootstrap, seed=seed, confidence=confidence)
        wide = wide.join(ci, on="__s", how="left")
    else:
        wide = wide.with_columns(
            pl.lit(None, dtype=pl.Float64).alias(f"{stat}|{m}")
            for m in names
            for stat in ("ci_low", "ci_high", "p_value")
        )
    summary = _long(wide, by_cols, names, binary)
    # McNemar's exact test sums big binomial coefficients in Python integers: no Polars
    # expression does that. One call per summary row (metric x group), never per item.
    mcnemar = [
        None if a_only is None else mcnemar_exact_p(a_only, b_only)
        for a_only, b_only in summary.select(BINARY).iter_rows()
    ]
    summary = summary.with_columns(pl.Series("mcnemar_p", mcnemar, dtype=pl.Float64))
    provenance = {
        "dataset": dataset,
        "a": dict(result_a.provenance),
        "b": dict(result_b.provenance),
        "comparison": {
            "metrics": names,
            "by": by_cols,
            "n_items": pairs.height,
            "binary_metrics": [m for m in names if binary[m]],
            "n_bootstrap": n_bootstrap,
            "seed": seed,
            "confidence": confidence,
            "interval": "percentile paired bootstrap",
            "p_value": "two-sided paired sign-flip test",
            "mcnemar": "exact two-sided binomial test on the discordant pairs",
            "versions": {"crucible-pl": _version("crucible-pl"), "polars": pl.__version__},
        },
    }
    return Comparison(
        summary=summary, metrics=tuple(names), by=tuple(by_cols), provenance=provenance
    )
