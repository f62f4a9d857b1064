"""``evaluate`` when the predictions have a ``sample`` column: several answers per id.

Every (id, sample) row is scored with the metrics; :mod:`crucible_pl.scoring._samples`
then gives each item its mean, pass@k and maj@k (the rules are documented there), and
the summary treats each as a metric.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from crucible_pl.errors import InvalidInputError
from crucible_pl.scoring._bootstrap import summarize
from crucible_pl.scoring._metrics import BUILTINS, MetricFn, MetricOptions
from crucible_pl.scoring._record import PRED, collect_checked, evaluation_record
from crucible_pl.scoring._result import EvalResult
from crucible_pl.scoring._samples import SAMPLE, aggregate_samples, check_ks, vote_key

__all__ = ["evaluate_samples"]


def evaluate_samples(
    refs: pl.LazyFrame,
    pred_lf: pl.LazyFrame,
    *,
    resolved: Mapping[str, str | MetricFn],
    strategies: Mapping[str, str | None],
    by_cols: list[str],
    prediction_col: str,
    options: MetricOptions,
    ks_asked: int | Sequence[int] | None,
    family: str,
    provenance: Mapping[str, Any] | None,
    n_bootstrap: int,
    seed: int,
    confidence: float,
) -> EvalResult:
    """``evaluate`` for predictions with a ``sample`` column (rules: :mod:`._samples`)."""
    preds = pred_lf.select(
        pl.col("id").cast(pl.String),
        pl.col(SAMPLE),
        pl.col(prediction_col).alias(PRED),
    )
    pair = pl.struct("id", SAMPLE)
    first_rows = preds.filter(pair.is_first_distinct())
    joined = first_rows.join(refs, on="id", how="inner", maintain_order="left")
    prediction = pl.col(PRED)
    columns: list[pl.Expr] = []
    voting: list[str] = []
    for name, metric in resolved.items():
        if isinstance(metric, str):
            strategy = strategies[name]
            assert strategy is not None  # a built-in metric always has one
            columns.append(BUILTINS[metric].score(prediction, strategy, options).alias(name))
            key = vote_key(metric, strategy, prediction)
            if key is not None:
                columns.append(key.alias(f"__key_{name}"))
                voting.append(name)
        else:
            columns.append(metric(prediction).alias(name))
    per_sample = joined.select("id", SAMPLE, prediction.alias("prediction"), *columns)
    counts = preds.group_by("id", SAMPLE).agg(pl.len().alias("n"))
    queries = [
        per_sample,
        preds.select(pl.col("id").filter(pl.col("id").is_first_distinct())).join(
            refs.select("id"), on="id", how="anti", maintain_order="left"
        ),
        preds.filter(pair.is_first_distinct())
        .join(counts.filter(pl.col("n") > 1), on=["id", SAMPLE], how="inner", maintain_order="left")
        .select("id", "n"),
    ]
    scored, unknown, duplicated = collect_checked(queries, refs, preds, refs.collect_schema())
    if scored[SAMPLE].null_count():
        raise InvalidInputError(
            "Some prediction rows have a null sample. Number each id's samples (0, 1, ...) "
            "in the sample column."
        )
    n_max = int(scored.group_by("id").len().select(pl.col("len").max().fill_null(0)).item())
    ks = check_ks(ks_asked, n_max)
    booleans = [name for name in resolved if scored.schema[name] == pl.Boolean]
    per_item = aggregate_samples(
        scored.lazy(), metrics=list(resolved), booleans=booleans, voting=voting, ks=ks
    )
    metric_names: list[str] = []
    for name in resolved:
        metric_names.append(name)
        metric_names += [f"{name}_pass@{k}" for k in ks if name in booleans]
        metric_names += [f"{name}_maj@{k}" for k in ks if name in voting]
    ref_schema = refs.collect_schema()
    missing = pl.col("n_samples").is_null()
    items = (
        refs.select("id", *by_cols, *(["expected"] if "expected" in ref_schema else []))
        .join(per_item, on="id", how="left", maintain_order="left")
        .with_columns(
            pl.col("n_samples").fill_null(0),
            *(pl.when(missing).then(0.0).otherwise(pl.col(m)).alias(m) for m in metric_names),
        )
        .select(
            "id",
            *by_cols,
            "predictions",
            *(["expected"] if "expected" in ref_schema else []),
            "n_samples",
            *metric_names,
        )
        .collect()
    )
    missing_ids = tuple(items.filter(pl.col("n_samples") == 0)["id"].to_list())
    summary = summarize(
        items, by_cols, metric_names, n_bootstrap=n_bootstrap, seed=seed, confidence=confidence
    )
    record = evaluation_record(
        family=family,
        metric_names=metric_names,
        strategies=strategies,
        by_cols=by_cols,
        prediction_col=prediction_col,
        n_items=items.height,
        n_bootstrap=n_bootstrap,
        seed=seed,
        confidence=confidence,
    )
    sampled = items.filter(pl.col("n_samples") > 0).select(
        pl.col("n_samples").min().fill_null(0).alias("low"),
        pl.col("n_samples").max().fill_null(0).alias("high"),
    )
    record["samples"] = {
        "k": ks,
        "pass_at_k": booleans,
        "maj_at_k": voting,
        "min_per_item": int(sampled["low"].item()),
        "max_per_item": int(sampled["high"].item()),
        "rows_scored": scored.height,
    }
    return EvalResult(
        items=items,
        summary=summary,
        missing_ids=missing_ids,
        unknown_ids=tuple(unknown["id"].to_list()),
        duplicate_ids=tuple(duplicated["id"].unique(maintain_order=True).to_list()),
        n_duplicate_rows=int((duplicated["n"] - 1).sum()),
        provenance={**(provenance or {}), "evaluation": record},
    )
