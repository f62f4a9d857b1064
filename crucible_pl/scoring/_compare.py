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

import importlib.metadata
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, overload

import polars as pl

from crucible_pl._hashing import check_seed, mix64, mix64_int, stable_hash
from crucible_pl.errors import ColumnNotFoundError, InvalidInputError, MismatchedRunsError
from crucible_pl.scoring._evaluate import EvalResult

__all__ = ["DATASET_FIELDS", "EXACT_MCNEMAR_PAIRS", "Comparison", "compare", "mcnemar_exact_p"]

DATASET_FIELDS = ("repo", "sha", "config", "split")
"""The provenance fields that must be equal for two runs to be compared."""

_MAX_UNITS = 10_000
_MIN_UNITS = 200
_UNIT_BITS = 40  # resample b, unit j of a stratum: b * K + j < 2**40
_MAX_STRATA = 1 << 23  # stratum * 2**40 must stay below 2**63
_MAX_BOOTSTRAP = 10_000_000  # with K <= 10,000 units, b * K + j < 2**40
_KEY_BITS = 32  # one Int64 join key per (stratum, unit)
_BATCH_ROWS = 8_000_000  # resampling rows per query: bounds memory for large n_bootstrap
_DRAW_SALT = 0xC0A1_E5CE_D5A1_7ED0
_SHOWN = 5
_U64 = pl.UInt64
_STATS = ("mean_a", "mean_b", "diff", "ci_low", "ci_high", "p_value", "n")
_BINARY = ("n_a_only", "n_b_only")


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
        # NaN is not JSON; default=str covers dates and other by-column values.
        text = json.dumps(document, default=str, indent=2, allow_nan=False, ensure_ascii=False)
        if path is None:
            return text
        Path(path).write_text(text, encoding="utf-8")
        return None


def _fmt(value: float | None, *, sign: bool = False) -> str:
    if value is None:
        return "null"
    return f"{value:+.4f}" if sign else f"{value:.4f}"


def _fmt_p(value: float) -> str:
    return f"{value:.2e}" if value < 1e-4 else f"{value:.4f}"


def mcnemar_exact_p(n_a_only: int, n_b_only: int) -> float:
    """McNemar's exact two-sided p-value for ``b`` and ``c`` discordant pairs.

    The two-sided binomial test of ``b`` successes in ``n = b + c`` trials with
    probability 1/2: ``min(1, 2 * sum(comb(n, k) for k <= min(b, c)) / 2**n)``, and 1
    when ``b`` and ``c`` differ by at most 1 (``b = c = 0`` too). Up to :data:`EXACT_MCNEMAR_PAIRS`
    discordant pairs the sum is taken in Python integers (``math.comb``), so the result
    is the correctly rounded float. Beyond, ``math.comb`` itself costs seconds, so the
    same sum is taken relative to its largest term, ``comb(n, m) / 2**n``, whose
    logarithm comes from Stirling's series written with ``log1p`` (absolute error in
    ``log p`` about ``1e-16 * |log p|``): the p-value is then right to about 12
    significant digits. Tiny p-values underflow to 0.0 below about ``1e-308``.

    Parameters
    ----------
    n_a_only, n_b_only
        The discordant counts: items only run A got right, and only run B.

    Returns
    -------
    float
        The two-sided p-value.

    Examples
    --------
    >>> mcnemar_exact_p(1, 9), mcnemar_exact_p(5, 5), mcnemar_exact_p(0, 0)
    (0.021484375, 1.0, 1.0)
    >>> mcnemar_exact_p(0, 5)  # 2 * (1/2)**5
    0.0625
    """
    for value in (n_a_only, n_b_only):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise InvalidInputError(f"Invalid discordant count {value!r}: expected an int >= 0.")
    n = n_a_only + n_b_only
    m = min(n_a_only, n_b_only)
    if 2 * m + 1 >= n:  # |b - c| <= 1: the tail holds half the mass or more
        return 1.0
    if n <= EXACT_MCNEMAR_PAIRS:
        term = tail = math.comb(n, m)
        for k in range(m, 0, -1):
            term = term * k // (n - k + 1)  # comb(n, k - 1), exactly
            tail += term
        return min(1.0, (2 * tail) / (1 << n))
    if m == 0:
        return math.ldexp(1.0, 1 - n)
    # sum_k<=m comb(n, k) / comb(n, m): the ratios fall at least geometrically (by
    # k / (n - k + 1) < 1 at each step down), so stop once they no longer count.
    ratio_sum, ratio = 1.0, 1.0
    for k in range(m, 0, -1):
        ratio *= k / (n - k + 1)
        ratio_sum += ratio
        if ratio < 1e-18 * ratio_sum:
            break
    return min(1.0, 2.0 * math.exp(_log_comb_over_pow2(n, m)) * ratio_sum)


EXACT_MCNEMAR_PAIRS = 20_000
"""Up to this many discordant pairs McNemar's p-value is summed in integers."""


def _log_comb_over_pow2(n: int, m: int) -> float:
    """``log(comb(n, m) / 2**n)`` for ``0 < m < n``, by Stirling's series.

    ``log comb(n, m) = -m log(q) - (n - m) log(1 - q) + log(n / (2 pi m (n - m))) / 2 +
    S(n) - S(m) - S(n - m)`` with ``q = m / n`` and ``S(x) = 1/(12x) - 1/(360x**3) +
    1/(1260x**5)`` (truncation error below ``1/(1680 x**7)``). Subtracting ``n log 2``
    with ``2q = 1 - t`` and ``2(1 - q) = 1 + t`` leaves two ``log1p`` terms of the size
    of the result itself, so no large terms cancel.
    """
    t = (n - 2 * m) / n
    main = -m * math.log1p(-t) - (n - m) * math.log1p(t)

    def series(x: int) -> float:
        return 1 / (12 * x) - 1 / (360 * x**3) + 1 / (1260 * x**5)

    return (
        main
        + 0.5 * math.log(n / (2 * math.pi * m * (n - m)))
        + series(n)
        - series(m)
        - series(n - m)
    )


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _dataset_provenance(
    prov_a: Mapping[str, Any], prov_b: Mapping[str, Any]
) -> dict[str, Any] | None:
    """The shared dataset fields, ``None`` when neither run has them; raise if they differ."""
    has_a = any(prov_a.get(f) is not None for f in DATASET_FIELDS)
    has_b = any(prov_b.get(f) is not None for f in DATASET_FIELDS)
    if not has_a and not has_b:
        return None
    if has_a != has_b:
        with_it, without = ("A", "B") if has_a else ("B", "A")
        known = prov_a if has_a else prov_b
        where = ", ".join(f"{f}={known.get(f)!r}" for f in DATASET_FIELDS)
        raise MismatchedRunsError(
            f"Run {without} has no dataset provenance ({', '.join(DATASET_FIELDS)}) while run "
            f"{with_it} was scored on {where}: nothing shows both are on the same data. "
            f"Evaluate run {without} on the same Dataset (evaluate(ds, ...)), or pass "
            "provenance=ds.provenance.as_dict() to its evaluate().",
            fields=DATASET_FIELDS,
        )
    differing = tuple(f for f in DATASET_FIELDS if prov_a.get(f) != prov_b.get(f))
    if differing:
        shown = "; ".join(f"{f} (A: {prov_a.get(f)!r}, B: {prov_b.get(f)!r})" for f in differing)
        raise MismatchedRunsError(
            f"Runs A and B were scored on different data: {shown}. Compare runs evaluated "
            "on the same dataset repo, commit sha, config and split (load both with the same "
            "revision=).",
            fields=differing,
        )
    return {f: prov_a.get(f) for f in DATASET_FIELDS}


def _resolve_metrics(
    metrics: str | Sequence[str] | None, result_a: EvalResult, result_b: EvalResult
) -> list[str]:
    in_a, in_b = result_a.metrics, result_b.metrics
    if metrics is None:
        common = [m for m in in_a if m in in_b]
        if not common:
            raise InvalidInputError(
                f"Runs A and B share no metric (A: {', '.join(in_a) or 'none'}; B: "
                f"{', '.join(in_b) or 'none'}). Evaluate both with the same metrics=."
            )
        return common
    names = [metrics] if isinstance(metrics, str) else list(metrics)
    if not names:
        raise InvalidInputError("metrics= is empty: name at least one metric, or pass None.")
    for name in names:
        if name in in_a and name in in_b:
            continue
        if name not in in_a and name not in in_b:
            common = [m for m in in_a if m in in_b]
            raise InvalidInputError(
                f"Unknown metric {name!r}: neither run computed it. Metrics of both runs: "
                f"{', '.join(common) or 'none'}."
            )
        has, lacks = ("A", "B") if name in in_a else ("B", "A")
        lacking = in_b if lacks == "B" else in_a
        raise InvalidInputError(
            f"Metric {name!r} is in run {has} only (run {lacks} has: "
            f"{', '.join(lacking) or 'none'}). Compare a metric both runs computed, or "
            f"evaluate run {lacks} again with metrics= including {name!r}."
        )
    if len(set(names)) != len(names):
        raise InvalidInputError(f"metrics= names a metric twice: {names!r}.")
    return names


def _check_items(
    items_a: pl.DataFrame, items_b: pl.DataFrame, metrics: list[str], by: list[str]
) -> None:
    for label, items in (("A", items_a), ("B", items_b)):
        absent = [c for c in ("id", *by) if c not in items.columns]
        if absent:
            raise ColumnNotFoundError(
                f"The items of run {label} lack column(s) {', '.join(map(repr, absent))} "
                f"(columns: {', '.join(items.columns)}). Group columns come from evaluate(): "
                "pass the same by= to evaluate() for both runs."
            )
        for m in metrics:
            dtype = items.schema.get(m)
            if dtype is None:
                raise ColumnNotFoundError(
                    f"The items of run {label} lack the score column {m!r} of a metric in "
                    f"its summary (columns: {', '.join(items.columns)})."
                )
            if not (dtype.is_numeric() or dtype == pl.Boolean):
                raise InvalidInputError(
                    f"Metric {m!r} of run {label} holds {dtype} scores: compare() needs "
                    "Boolean or numeric scores."
                )
    clash = sorted(set(by) & {"metric", "scope", "id", *_STATS, *_BINARY, "mcnemar_p"})
    if clash:
        raise InvalidInputError(
            f"by= column(s) {', '.join(map(repr, clash))} clash with a summary column "
            "(or are the item id). Group by other reference columns."
        )


def _pair(
    items_a: pl.DataFrame, items_b: pl.DataFrame, metrics: list[str], by: list[str]
) -> pl.DataFrame:
    """One row per id: the ``by`` columns and, per metric, ``a|m``, ``b|m`` and ``d|m``."""
    checked = [c for c in ("expected", *by) if c in items_a.columns and c in items_b.columns]
    a = items_a.lazy().select(
        pl.col("id").cast(pl.String),
        *checked,
        *(pl.col(m).cast(pl.Float64).alias(f"a|{m}") for m in metrics),
    )
    b = items_b.lazy().select(
        pl.col("id").cast(pl.String),
        *(pl.col(c).alias(f"{c}|b") for c in checked),
        *(pl.col(m).cast(pl.Float64).alias(f"b|{m}") for m in metrics),
    )
    dups = [
        frame.select(pl.col("id").filter(pl.col("id").is_duplicated()).unique().sort().head(_SHOWN))
        for frame in (a, b)
    ]
    only = [
        x.join(y, on="id", how="anti").select(
            pl.col("id").sort().head(_SHOWN).implode(), pl.len().alias("n")
        )
        for x, y in ((a, b), (b, a))
    ]
    joined = a.join(b, on="id", how="inner", maintain_order="left")
    differ = (
        joined.select(pl.col(c).ne_missing(pl.col(f"{c}|b")).sum().alias(c) for c in checked)
        if checked
        else pl.LazyFrame({"__none": [0]})
    )
    pairs = joined.select(
        "id",
        *by,
        *(
            expr
            for m in metrics
            for d in [pl.col(f"b|{m}") - pl.col(f"a|{m}")]
            for expr in (
                pl.when(d.is_not_null()).then(pl.col(f"a|{m}")).alias(f"a|{m}"),
                pl.when(d.is_not_null()).then(pl.col(f"b|{m}")).alias(f"b|{m}"),
                d.alias(f"d|{m}"),
            )
        ),
    )
    dup_a, dup_b, only_a, only_b, differences, paired = pl.collect_all(
        [*dups, *only, differ, pairs]
    )
    for label, dup in (("A", dup_a), ("B", dup_b)):
        if dup.height:
            raise InvalidInputError(
                f"The items of run {label} repeat ids ({', '.join(dup['id'].to_list())}): "
                "each item must appear once. Pass results of evaluate(), whose items are unique."
            )
    if only_a["n"][0] or only_b["n"][0]:
        counts = [int(frame["n"][0]) for frame in (only_a, only_b)]
        examples = [", ".join(map(repr, frame["id"][0].to_list())) for frame in (only_a, only_b)]
        raise MismatchedRunsError(
            f"Runs A and B are not on the same items: {counts[0]} id(s) only in A"
            f"{f' (e.g. {examples[0]})' if counts[0] else ''}, {counts[1]} only in B"
            f"{f' (e.g. {examples[1]})' if counts[1] else ''}. Evaluate both runs against the "
            "same references (the same split and slice).",
            fields=("id",),
        )
    differing = [c for c in checked if differences[c][0]]
    if differing:
        shown = ", ".join(f"{c} ({differences[c][0]} items)" for c in differing)
        raise MismatchedRunsError(
            f"Runs A and B give the same ids different reference values: {shown}. The runs "
            "were scored on different versions of the items (another revision, a different "
            "shuffle_choices seed...); evaluate both against the same references.",
            fields=tuple(differing),
        )
    return paired


def _strata(pairs: pl.DataFrame, by: list[str]) -> pl.DataFrame:
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
    n = pl.col("__n")
    return pl.concat(frames, how="diagonal").with_columns(
        __K=pl.min_horizontal(
            n,
            pl.max_horizontal(pl.lit(_MIN_UNITS), (n * _MAX_UNITS / max(total, 1)).ceil()),
            pl.lit(_MAX_UNITS),
        ).cast(pl.Int64)
    )


def _by_stratum(pairs: pl.DataFrame, strata: pl.DataFrame, by: list[str]) -> pl.LazyFrame:
    """The pairs once per stratum they belong to (overall, and their group), with ``__s``."""
    lf = pairs.lazy()
    frames = [lf.with_columns(__s=pl.lit(0, dtype=pl.Int64))]
    if by:
        keys = strata.lazy().filter(pl.col("__s") > 0).select(*by, "__s")
        frames.append(lf.join(keys, on=by, how="inner", nulls_equal=True, maintain_order="left"))
    return pl.concat(frames, how="vertical")


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


def _unit_stats(
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


def _intervals(
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
    low, high = (1 - confidence) / 2, 1 - (1 - confidence) / 2
    aggs: list[pl.Expr] = []
    for m in metrics:
        reached = pl.col(f"flip|{m}").abs() >= pl.col(f"obs|{m}").abs() - pl.col(f"tol|{m}")
        aggs += [
            pl.col(f"boot|{m}").quantile(low, interpolation="linear").alias(f"ci_low|{m}"),
            pl.col(f"boot|{m}").quantile(high, interpolation="linear").alias(f"ci_high|{m}"),
            ((reached.sum() + 1) / (n_bootstrap + 1)).alias(f"p_value|{m}"),
        ]
    return pl.concat(batches, how="vertical").join(observed, on="__s").group_by("__s").agg(aggs)


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
                *(pl.col(f"{stat}|{m}").alias(stat) for stat in _STATS[:-2]),
                pl.when(scored).then(pl.col(f"p_value|{m}")).alias("p_value"),
                pl.col(f"n|{m}").alias("n"),
                *((pl.col(f"{c}|{m}") if binary[m] else null_int).alias(c) for c in _BINARY),
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
    if not 0 <= n_bootstrap <= _MAX_BOOTSTRAP:
        raise InvalidInputError(
            f"Invalid n_bootstrap={n_bootstrap!r}: expected an int between 0 and "
            f"{_MAX_BOOTSTRAP:,} (1000 gives p-values down to 0.001; 0 skips the resampling)."
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
    dataset = _dataset_provenance(result_a.provenance, result_b.provenance)
    names = _resolve_metrics(metrics, result_a, result_b)
    by_cols = [by] if isinstance(by, str) else list(by or [])
    _check_items(result_a.items, result_b.items, names, by_cols)
    pairs = _pair(result_a.items, result_b.items, names, by_cols)
    strata = _strata(pairs, by_cols)
    rows = _by_stratum(pairs, strata, by_cols)
    binary_aggs = [
        pl.all_horizontal(pl.col(f"{r}|{m}").is_in([0.0, 1.0]).all() for r in ("a", "b")).alias(m)
        for m in names
    ]
    points, stats, binary_row = pl.collect_all(
        [
            _points(rows, names),
            _unit_stats(rows, strata, names, seed) if n_bootstrap else pl.LazyFrame(),
            pairs.lazy().select(binary_aggs),
        ]
    )
    binary = {m: bool(binary_row[m][0]) for m in names}
    wide = strata.join(points, on="__s")
    if n_bootstrap:
        ci = _intervals(stats, names, n_bootstrap=n_bootstrap, seed=seed, confidence=confidence)
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
        for a_only, b_only in summary.select(_BINARY).iter_rows()
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
