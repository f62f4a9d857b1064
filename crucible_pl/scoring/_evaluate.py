"""``evaluate``: join predictions to references, score them, summarize with intervals.

The per-item scores are one lazy query (join + metric expressions: see
:mod:`crucible_pl.scoring._metrics` for the built-in ones, each an extraction strategy
and a comparator). The summary adds, for every metric, an overall row, one row per
``by`` group and a macro average over the groups, each with mean, count, standard error
and a percentile bootstrap interval (:mod:`crucible_pl.scoring._bootstrap` describes
the bootstrap, whose draws are identical across runs, machines and Polars versions).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import polars as pl

if TYPE_CHECKING:
    from crucible_pl._dataset import Dataset

from crucible_pl._hashing import check_seed
from crucible_pl.errors import ColumnNotFoundError, InvalidInputError
from crucible_pl.scoring._bootstrap import summarize
from crucible_pl.scoring._evaluate_samples import evaluate_samples
from crucible_pl.scoring._metrics import (
    BUILTINS,
    DEFAULT_METRICS,
    MetricFn,
    MetricOptions,
    check_code_execution,
    resolve_extraction,
    resolve_metrics,
)
from crucible_pl.scoring._predictions import read_predictions
from crucible_pl.scoring._record import PRED, collect_checked, evaluation_record
from crucible_pl.scoring._result import EvalResult
from crucible_pl.scoring._samples import SAMPLE

__all__ = ["EvalResult", "evaluate"]

logger = logging.getLogger(__name__)

_PRESENT = "__present"


def _check_columns(schema: pl.Schema, needed: Sequence[str], what: str, *, hint: str = "") -> None:
    absent = [name for name in needed if name not in schema]
    if absent:
        available = ", ".join(schema.names())
        raise ColumnNotFoundError(
            f"{what} lack column(s) {', '.join(map(repr, absent))}. "
            f"Available columns: {available}.{hint}"
        )


def evaluate(
    references: Dataset | pl.LazyFrame | pl.DataFrame,
    predictions: pl.LazyFrame | pl.DataFrame | str | os.PathLike[str],
    *,
    family: str | None = None,
    metrics: Sequence[str] | Mapping[str, str | MetricFn] | str | None = None,
    by: str | Sequence[str] | None = None,
    prediction_col: str = "prediction",
    provenance: Mapping[str, Any] | None = None,
    n_bootstrap: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
    extraction: str | Mapping[str, str] | None = None,
    allow_code_execution: bool | None = None,
    k: int | Sequence[int] | None = None,
) -> EvalResult:
    """Score predictions against reference items and summarize with bootstrap intervals.

    Predictions are joined to references on ``id`` (both compared as String). Nothing is
    dropped silently: reference items without a prediction score 0 and are listed in
    ``missing_ids``; predictions whose id is not a reference are listed in
    ``unknown_ids``; repeated ids keep their first prediction and are listed in
    ``duplicate_ids``. See :mod:`crucible_pl.scoring._bootstrap` for the bootstrap.

    Parameters
    ----------
    references
        A :class:`~crucible_pl.Dataset` (its family and provenance are used), or a frame
        of canonical reference rows: ``id``, ``expected`` and the family's columns
        (``choices`` for multiple choice), plus any ``by`` columns.
    predictions
        ``id`` and the prediction column: a frame, or the path of a ``.jsonl``,
        ``.json`` or ``.parquet`` file. With a ``sample`` column, several answers per
        id: every sample is scored, and each item gets the mean over its samples,
        ``<metric>_pass@<k>`` and ``<metric>_maj@<k>`` (see
        :mod:`crucible_pl.scoring._samples` for the rules).
    family
        The dataset family (``"math"``, ``"multiple_choice"``, ``"generation"``,
        ``"code"``, ``"rubric"``, ``"chat"``...), which picks the default metrics;
        taken from a Dataset when not given.
    metrics
        ``None`` for the family's defaults (:data:`DEFAULT_METRICS`); a sequence of
        built-in names (:data:`BUILTIN_METRICS`); or a mapping output column name ->
        built-in name or callable. A callable receives the prediction expression and
        returns a score expression (Boolean or numeric) evaluated on the joined frame,
        where every reference column is available by name: for example
        ``{"em": lambda p: exact_match(p, "expected")}``.

        The code family's default, ``execution``, runs each prediction with its item's
        tests (:func:`~crucible_pl.scoring.execution_passed`). **Warning**: that runs
        model-written code on this machine, in subprocesses whose limits contain
        accidents, not attacks; it needs ``allow_code_execution=True`` or
        ``CRUCIBLE_PL_ALLOW_CODE_EXECUTION=1``. To compare code as text instead, pass
        ``metrics=("normalized_exact_match", "token_f1")``.
    by
        Reference column(s) to report per group (e.g. ``"subject"``); adds one summary
        row per group and a macro average over groups.
    prediction_col
        The name of the prediction column in ``predictions``.
    provenance
        JSON-serializable facts to keep with the result (model, dataset revision...).
    n_bootstrap
        Bootstrap resamples for the intervals; 0 skips them (null ``ci_low/ci_high``).
    seed
        Seed of the bootstrap draws, an int in ``[0, 2**64)``.
    confidence
        Coverage of the percentile interval, between 0 and 1.
    extraction
        How the answer is taken from each prediction before a built-in metric compares
        it. ``None`` keeps each metric's default (``math`` for ``math_match``,
        ``gsm8k_or_last_number`` for ``numeric_match``, ``choice_letter`` for
        ``choice_match``, ``none`` for text metrics and ``execution``); a strategy name
        from :data:`EXTRACTIONS` (``"gsm8k"``, ``"boxed"``...) applies to every
        built-in metric; a mapping metric (output column) -> strategy overrides those
        metrics only. Custom callables always receive the prediction as given. What
        was used is recorded in ``provenance["evaluation"]["extraction"]``.
    allow_code_execution
        ``True`` lets the ``execution`` metric run predictions as code; ``None`` reads
        ``CRUCIBLE_PL_ALLOW_CODE_EXECUTION``. Without either, evaluating with
        ``execution`` raises before any work is done.
    k
        With a ``sample`` column: the k of pass@k and maj@k, an int or a list
        (``None``: 1 and the most samples any item has). Without one, ``k`` is an
        error: there is one answer per id.

    Returns
    -------
    EvalResult
        Per-item scores, summary and join accounting.

    Raises
    ------
    ColumnNotFoundError
        A required column is absent from references or predictions.
    InvalidInputError
        Missing family, unknown metric or extraction strategy, bad option, or
        predictions with null ids.
    CodeExecutionNotAllowedError
        The ``execution`` metric (the code family's default) without an opt-in.
    ValidationError
        References whose ids are not unique.
    MissingDependencyError
        ``bleu``/``rouge*`` without the ``metrics`` extra.

    Examples
    --------
    >>> import polars as pl
    >>> from crucible_pl.scoring import evaluate
    >>> refs = pl.DataFrame(
    ...     {
    ...         "id": ["q1", "q2", "q3", "q4"],
    ...         "input": ["..."] * 4,
    ...         "expected": [1, 0, 2, 3],
    ...         "choices": [["a", "b", "c", "d"]] * 4,
    ...         "subject": ["bio", "bio", "law", "law"],
    ...     }
    ... )
    >>> preds = pl.DataFrame(
    ...     {"id": ["q1", "q2", "q2", "q9"], "prediction": ["(B)", "The answer is A", "C", "D"]}
    ... )
    >>> result = evaluate(refs, preds, family="multiple_choice", by="subject", seed=1)
    >>> result.missing_ids, result.unknown_ids, result.duplicate_ids
    (('q3', 'q4'), ('q9',), ('q2',))
    >>> result.summary.select("scope", "subject", "mean", "count")
    shape: (4, 4)
    ┌─────────┬─────────┬──────┬───────┐
    │ scope   ┆ subject ┆ mean ┆ count │
    │ ---     ┆ ---     ┆ ---  ┆ ---   │
    │ str     ┆ str     ┆ f64  ┆ i64   │
    ╞═════════╪═════════╪══════╪═══════╡
    │ overall ┆ null    ┆ 0.5  ┆ 4     │
    │ group   ┆ bio     ┆ 1.0  ┆ 2     │
    │ group   ┆ law     ┆ 0.0  ┆ 2     │
    │ macro   ┆ null    ┆ 0.5  ┆ 4     │
    └─────────┴─────────┴──────┴───────┘
    """
    from crucible_pl._dataset import Dataset as _Dataset

    if isinstance(references, _Dataset):
        family = family or references.family
        provenance = {**references.provenance.as_dict(), **(provenance or {})}
        references = references.lazy()
    if family is None:
        raise InvalidInputError(
            "evaluate() needs family= when references is a frame, e.g. family='math'. "
            f"Families with default metrics: {', '.join(sorted(DEFAULT_METRICS))}."
        )
    if n_bootstrap < 0:
        raise InvalidInputError(f"Invalid n_bootstrap={n_bootstrap!r}: expected an int >= 0.")
    check_seed(seed)
    if not 0 < confidence < 1:
        raise InvalidInputError(
            f"Invalid confidence={confidence!r}: expected a level between 0 and 1, e.g. 0.95."
        )
    by_cols = [by] if isinstance(by, str) else list(by or [])
    resolved = resolve_metrics(metrics, family)
    strategies = resolve_extraction(extraction, resolved)
    check_code_execution(resolved, allow_code_execution, defaults=metrics is None)
    reserved = {"id", "prediction", "expected", *by_cols}
    clash = sorted(reserved & set(resolved))
    if clash:
        raise InvalidInputError(
            f"Metric name(s) {', '.join(map(repr, clash))} clash with an item column "
            "(id, prediction, expected or a by column). Rename the metric."
        )
    if "prediction" in by_cols or "id" in by_cols:
        raise InvalidInputError(f"Invalid by={by!r}: group by reference columns other than id.")

    ref_lf = references.lazy()
    pred_lf = (
        read_predictions(predictions)
        if isinstance(predictions, (str, os.PathLike))
        else predictions.lazy()
    )
    ref_schema = ref_lf.collect_schema()
    needed = ["id", *by_cols]
    for metric in resolved.values():
        if isinstance(metric, str):
            needed += [c for c in BUILTINS[metric].required if c not in needed]
    _check_columns(ref_schema, needed, "References")
    pred_schema = pred_lf.collect_schema()
    _check_columns(
        pred_schema,
        ["id", prediction_col],
        "Predictions",
        hint=" Pass prediction_col= to name the prediction column.",
    )
    has_samples = SAMPLE in pred_schema and prediction_col != SAMPLE
    if k is not None and not has_samples:
        raise InvalidInputError(
            f"k={k!r} asks for pass@k and maj@k, but the predictions have no {SAMPLE!r} "
            "column: one answer per id. Add a sample column numbering each id's answers "
            "(0, 1, ...), or drop k=."
        )
    if has_samples:
        if not (pred_schema[SAMPLE].is_integer() or pred_schema[SAMPLE] == pl.Null):
            raise InvalidInputError(
                f"The {SAMPLE!r} column of the predictions is {pred_schema[SAMPLE]}; it must "
                "number each id's answers with integers (0, 1, ...), which give their order "
                "for maj@k. Cast it, or rename it if it is not a sample number."
            )
        return evaluate_samples(
            ref_lf.with_columns(pl.col("id").cast(pl.String)),
            pred_lf,
            resolved=resolved,
            strategies=strategies,
            by_cols=by_cols,
            prediction_col=prediction_col,
            options=MetricOptions(allow_code_execution, has_input="input" in ref_schema),
            ks_asked=k,
            family=family,
            provenance=provenance,
            n_bootstrap=n_bootstrap,
            seed=seed,
            confidence=confidence,
        )

    refs = ref_lf.with_columns(pl.col("id").cast(pl.String))
    preds = pred_lf.select(pl.col("id").cast(pl.String), pl.col(prediction_col).alias(PRED))
    first_preds = preds.filter(pl.col("id").is_first_distinct()).with_columns(
        pl.lit(True).alias(_PRESENT)
    )
    joined = refs.join(first_preds, on="id", how="left", maintain_order="left")
    present = pl.col(_PRESENT).fill_null(False)

    options = MetricOptions(allow_code_execution, has_input="input" in ref_schema)

    def scored(name: str, metric: str | MetricFn) -> pl.Expr:
        prediction = pl.col(PRED)
        if isinstance(metric, str):
            strategy = strategies[name]
            assert strategy is not None  # a built-in metric always has one
            score = BUILTINS[metric].score(prediction, strategy, options)
        else:
            score = metric(prediction)
        return score.pipe_with_dtype(
            lambda expr, dtype: pl.when(present).then(expr).otherwise(pl.lit(0).cast(dtype))
        )

    item_cols = [
        "id",
        *by_cols,
        pl.col(PRED).alias("prediction"),
        *(["expected"] if "expected" in ref_schema else []),
        *(scored(name, metric).alias(name) for name, metric in resolved.items()),
        present.alias(_PRESENT),
    ]
    counts = preds.group_by("id").agg(pl.len().alias("n"))
    queries = [
        joined.select(item_cols),
        preds.filter(pl.col("id").is_first_distinct())
        .join(refs.select("id"), on="id", how="anti", maintain_order="left")
        .select("id"),
        preds.select(pl.col("id").filter(pl.col("id").is_first_distinct())).join(
            counts.filter(pl.col("n") > 1), on="id", how="inner", maintain_order="left"
        ),
    ]
    items, unknown, duplicated = collect_checked(queries, refs, preds, ref_schema)

    missing_ids = tuple(items.filter(~pl.col(_PRESENT))["id"].to_list())
    items = items.drop(_PRESENT)
    metric_names = list(resolved)
    summary = summarize(
        items,
        by_cols,
        metric_names,
        n_bootstrap=n_bootstrap,
        seed=seed,
        confidence=confidence,
    )
    n_dup_rows = int(duplicated["n"].sum() - duplicated.height)
    result_provenance = dict(provenance or {})
    result_provenance["evaluation"] = evaluation_record(
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
    if missing_ids or unknown.height or duplicated.height:
        logger.info(
            "evaluate: %d missing, %d unknown, %d duplicated prediction ids",
            len(missing_ids),
            unknown.height,
            duplicated.height,
        )
    return EvalResult(
        items=items,
        summary=summary,
        missing_ids=missing_ids,
        unknown_ids=tuple(unknown["id"].to_list()),
        duplicate_ids=tuple(duplicated["id"].to_list()),
        n_duplicate_rows=n_dup_rows,
        provenance=result_provenance,
    )
