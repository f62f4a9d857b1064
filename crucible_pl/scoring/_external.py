"""BLEU and ROUGE through the optional ``metrics`` extra (sacrebleu, rouge-score).

These two metrics are defined by their reference implementations, which are Python
libraries scoring one string pair at a time. So, unlike the rest of
:mod:`crucible_pl.scoring`, they run Python per row: the expressions below hand each batch
to the library through ``map_batches`` (never ``map_elements``) and loop over its rows.
Expect tens of thousands of rows per second, not millions.

The libraries are imported when :func:`bleu` or :func:`rouge` is called, so a missing
extra fails at once with :class:`~crucible_pl.errors.MissingDependencyError`, before any
query runs.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any, Literal, get_args

import polars as pl

from crucible_pl.errors import InvalidInputError, MissingDependencyError
from crucible_pl.scoring._text import ColumnOrExpr, _as_text

__all__ = ["RougeType", "bleu", "rouge"]

RougeType = Literal["rouge1", "rouge2", "rougeL", "rougeLsum"]

_INSTALL = "pip install 'crucible-pl[metrics]'"


def _import(module: str, package: str, metric: str) -> ModuleType:
    try:
        return importlib.import_module(module)
    except ImportError as err:
        raise MissingDependencyError(
            f"{metric} needs the optional 'metrics' extra ({package} is not installed): {_INSTALL}."
        ) from err


def _pairs(prediction: ColumnOrExpr, reference: ColumnOrExpr) -> pl.Expr:
    return pl.struct(
        _as_text(prediction).alias("prediction"), _as_text(reference).alias("reference")
    )


def _score_rows(batch: pl.Series, score: Any, name: str) -> pl.Series:
    # Per-row Python on purpose: the reference scorers only take one string pair at a time.
    predictions = batch.struct.field("prediction").to_list()
    references = batch.struct.field("reference").to_list()
    values = [
        None if p is None or r is None else float(score(p, r))
        for p, r in zip(predictions, references, strict=True)
    ]
    return pl.Series(name, values, dtype=pl.Float64)


def bleu(prediction: ColumnOrExpr, reference: ColumnOrExpr) -> pl.Expr:
    """Sentence-level BLEU (0-100) of each prediction against its reference, via sacrebleu.

    Uses ``sacrebleu.metrics.BLEU(effective_order=True).sentence_score`` per row, so the
    mean over items is the average sentence BLEU, not corpus BLEU. Runs Python per row
    (see the module documentation). A null on either side gives null.

    Parameters
    ----------
    prediction, reference
        String column names or expressions.

    Returns
    -------
    pl.Expr
        A Float64 expression named ``bleu``.

    Raises
    ------
    MissingDependencyError
        sacrebleu is not installed: ``pip install 'crucible-pl[metrics]'``.

    Examples
    --------
    Without the extra, the call itself fails and names the fix:

    >>> import polars as pl
    >>> from crucible_pl.errors import MissingDependencyError
    >>> from crucible_pl.scoring import bleu
    >>> try:
    ...     ok = isinstance(bleu("prediction", "expected"), pl.Expr)
    ... except MissingDependencyError as err:
    ...     ok = "pip install 'crucible-pl[metrics]'" in str(err)
    >>> ok
    True
    """
    sacrebleu = _import("sacrebleu.metrics", "sacrebleu", "BLEU")
    scorer = sacrebleu.BLEU(effective_order=True)

    def score(prediction: str, reference: str) -> float:
        return float(scorer.sentence_score(prediction, [reference]).score)

    return (
        _pairs(prediction, reference)
        .map_batches(
            lambda batch: _score_rows(batch, score, "bleu"),
            return_dtype=pl.Float64,
            is_elementwise=True,
        )
        .alias("bleu")
    )


def rouge(
    prediction: ColumnOrExpr,
    reference: ColumnOrExpr,
    *,
    rouge_type: RougeType = "rougeL",
    use_stemmer: bool = True,
) -> pl.Expr:
    """ROUGE F-measure (0-1) of each prediction against its reference, via rouge-score.

    Uses ``rouge_score.rouge_scorer.RougeScorer([rouge_type], use_stemmer=...)`` per row
    (see the module documentation: Python per row). A null on either side gives null.

    Parameters
    ----------
    prediction, reference
        String column names or expressions.
    rouge_type
        ``"rouge1"``, ``"rouge2"``, ``"rougeL"`` or ``"rougeLsum"``.
    use_stemmer
        Porter-stem tokens before matching, as most papers report.

    Returns
    -------
    pl.Expr
        A Float64 expression named after ``rouge_type``.

    Raises
    ------
    InvalidInputError
        An unknown ``rouge_type``.
    MissingDependencyError
        rouge-score is not installed: ``pip install 'crucible-pl[metrics]'``.

    Examples
    --------
    >>> import polars as pl
    >>> from crucible_pl.errors import MissingDependencyError
    >>> from crucible_pl.scoring import rouge
    >>> try:
    ...     ok = isinstance(rouge("prediction", "expected", rouge_type="rouge1"), pl.Expr)
    ... except MissingDependencyError as err:
    ...     ok = "pip install 'crucible-pl[metrics]'" in str(err)
    >>> ok
    True
    """
    if rouge_type not in get_args(RougeType):
        valid = ", ".join(repr(name) for name in get_args(RougeType))
        raise InvalidInputError(f"Unknown rouge_type {rouge_type!r}. Valid types: {valid}.")
    rouge_scorer = _import("rouge_score.rouge_scorer", "rouge-score", "ROUGE")
    scorer = rouge_scorer.RougeScorer([rouge_type], use_stemmer=use_stemmer)

    def score(prediction: str, reference: str) -> float:
        return float(scorer.score(reference, prediction)[rouge_type].fmeasure)

    return (
        _pairs(prediction, reference)
        .map_batches(
            lambda batch: _score_rows(batch, score, rouge_type),
            return_dtype=pl.Float64,
            is_elementwise=True,
        )
        .alias(rouge_type)
    )
