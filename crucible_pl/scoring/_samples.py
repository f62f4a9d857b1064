"""Several samples per item: every sample scored, then mean, pass@k and maj@k per item.

A predictions frame with a ``sample`` column holds several answers per id (one row per
id and sample). :func:`crucible_pl.scoring.evaluate` then scores every row with the
metrics (same extraction as for one sample) and gives each reference item:

``<metric>``
    the mean score over its samples (Float64);
``<metric>_pass@<k>``
    for Boolean metrics, the unbiased pass@k estimate from its ``n`` samples of which
    ``c`` are right (:func:`~crucible_pl.scoring.pass_at_k`); null when ``n < k``, so
    the summary's ``count`` says how many items had enough samples;
``<metric>_maj@<k>``
    for metrics with an answer to vote on (every built-in but ``execution``), the score
    of the majority answer among the item's first ``k`` samples in ``sample`` order.
    The vote is over the answer the metric compares (:func:`vote_key`): the
    extraction strategy's output, in its comparator's canonical form. ``math_match``
    and ``numeric_match`` vote on a number's value (``\\boxed{1/2}``, ``0.5`` and
    ``x = 0.5`` vote together, as ``math_match`` finds them equal), else on
    :func:`~crucible_pl.scoring.normalize_math_answer` of the answer; ``choice_match``
    on the choice it reads (letter, index or choice text; choices A-J);
    ``exact_match`` on the answer as written; other text metrics on
    :func:`~crucible_pl.scoring.normalize_text` of it. A sample without an answer does
    not vote; a tie goes to the answer whose first sample comes first; the winning
    answer's first sample gives the score; an item whose samples all lack an answer
    scores its first sample.

pass@k is null for an item with fewer than ``k`` samples, so the summary's mean, count
and interval are over the items that have ``k`` (a resample that draws none of them is
left out of the interval).

Items without any prediction score 0 on every column, as with one sample, and are
listed in ``missing_ids``. A repeated (id, sample) pair keeps its first row and its id
is listed in ``duplicate_ids``.

Examples
--------
>>> import polars as pl
>>> from crucible_pl.scoring import evaluate
>>> refs = pl.DataFrame({"id": ["q"], "expected": ["4"]})
>>> preds = pl.DataFrame({"id": ["q"] * 3, "sample": [0, 1, 2], "prediction": ["4", "5", "4"]})
>>> result = evaluate(refs, preds, family="math", k=[1, 3], n_bootstrap=0)
>>> result.items.select("math_match", "math_match_pass@3", "math_match_maj@3").row(0)
(0.6666666666666666, 1.0, 1.0)
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from crucible_pl.errors import InvalidInputError
from crucible_pl.scoring._choice import choice_match
from crucible_pl.scoring._math import _number
from crucible_pl.scoring._math_normalize import _LEADING_VARIABLE, normalize_math_answer
from crucible_pl.scoring._metrics import _EXTRACTORS
from crucible_pl.scoring._passk import pass_at_k
from crucible_pl.scoring._text import normalize_text

__all__ = ["SAMPLE", "aggregate_samples", "check_ks", "vote_key"]

SAMPLE = "sample"
"""The predictions column that numbers an item's samples."""

_RANK = "__rank"
_N = "n_samples"


def check_ks(k: int | Sequence[int] | None, n_max: int) -> list[int]:
    """The k values of pass@k and maj@k: given, or 1 and the most samples any item has."""
    if k is None:
        return sorted({1, max(n_max, 1)})
    ks = [k] if isinstance(k, int) else list(k)
    if not ks or any(isinstance(v, bool) or not isinstance(v, int) or v < 1 for v in ks):
        raise InvalidInputError(
            f"Invalid k={k!r}: expected an int >= 1 or a list of them, e.g. k=[1, 5]."
        )
    return sorted(set(ks))


def vote_key(metric: str, strategy: str, prediction: pl.Expr) -> pl.Expr | None:
    """The answer a sample votes for under the built-in ``metric``; None: no vote.

    The answer is what ``metric`` compares: its extraction ``strategy`` applied to the
    prediction, in the canonical form of its comparator (a choice index, a math value,
    normalized text). Null where the sample has no answer, so it does not vote.
    """
    if metric == "execution":
        return None
    if metric == "choice_match":
        return _choice_index(prediction, strategy)
    answer = _EXTRACTORS[strategy](prediction)
    if metric in ("math_match", "numeric_match"):
        key = _math_value(answer)
    elif metric == "exact_match":
        key = answer.cast(pl.String)
    else:
        key = normalize_text(answer)
    return pl.when(key != "").then(key)


_MAX_CHOICES = 10
"""Choice indices probed for a vote: A-J, the letters ``choice_match`` reads."""


def _choice_index(prediction: pl.Expr, strategy: str) -> pl.Expr:
    """The 0-based choice ``choice_match`` reads (letter, index or text) as a String.

    ``choice_match`` only says whether a reading equals one index, so each index of the
    item's ``choices`` is asked in turn; the first it accepts is the answer.
    """
    free_text = strategy == "choice_letter"
    read = prediction if free_text else _EXTRACTORS[strategy](prediction)
    return pl.coalesce(
        pl.when(choice_match(read, pl.lit(i), "choices", free_text=free_text)).then(pl.lit(str(i)))
        for i in range(_MAX_CHOICES)
    )


def _math_value(answer: pl.Expr) -> pl.Expr:
    """A math answer's vote: its value when it is a number, else its normalized text.

    ``\\frac{1}{2}``, ``1/2``, ``0.5`` and ``x = 0.5`` all vote ``0.5``; ``2.0``,
    ``4/2`` and ``2`` vote ``2``, as :func:`~crucible_pl.scoring.math_match` finds them
    equal. Non-integer values are compared as Float64 (``math_match`` compares exact
    fractions: values that differ beyond 16 significant digits vote together).
    """
    text = normalize_math_answer(answer)
    number = _number(text.str.replace(_LEADING_VARIABLE, ""))
    num, den = number.struct.field("num"), number.struct.field("den")
    value = pl.coalesce(
        number.struct.field("integer"),
        pl.when(num % den == 0).then((num // den).cast(pl.String)),
        number.struct.field("value").cast(pl.String),
    )
    return pl.coalesce(value, text)


def aggregate_samples(
    scored: pl.LazyFrame,
    *,
    metrics: Sequence[str],
    booleans: Sequence[str],
    voting: Sequence[str],
    ks: Sequence[int],
) -> pl.LazyFrame:
    """Per id: ``n_samples``, the predictions, and each metric's mean, pass@k and maj@k.

    ``scored`` has one row per (id, sample): ``id``, ``sample``, ``prediction``, one
    column per metric and ``__key_<metric>`` for the ``voting`` metrics.
    """
    ranked = scored.sort("id", SAMPLE, maintain_order=True).with_columns(
        pl.int_range(pl.len(), dtype=pl.Int64).over("id").alias(_RANK)
    )
    per_item = ranked.group_by("id", maintain_order=True).agg(
        pl.len().cast(pl.Int64).alias(_N),
        pl.col("prediction").alias("predictions"),
        *(pl.col(m).cast(pl.Float64).mean().alias(m) for m in metrics),
        *(pl.col(m).cast(pl.Int64).sum().alias(f"__c_{m}") for m in booleans),
    )
    per_item = per_item.with_columns(
        pass_at_k(_N, f"__c_{m}", k=k).alias(f"{m}_pass@{k}") for m in booleans for k in ks
    ).drop([f"__c_{m}" for m in booleans])
    for m in voting:
        for k in ks:
            per_item = per_item.join(
                _majority(ranked, m, k), on="id", how="left", maintain_order="left"
            )
    return per_item


def _majority(ranked: pl.LazyFrame, metric: str, k: int) -> pl.LazyFrame:
    """``id`` and ``<metric>_maj@<k>``: the score of the winning answer's first sample."""
    key = f"__key_{metric}"
    first_k = ranked.filter(pl.col(_RANK) < k)
    votes = (
        first_k.filter(pl.col(key).is_not_null())
        .group_by("id", key)
        .agg(pl.len().alias("__votes"), pl.col(_RANK).min().alias("__first"))
        .sort(["id", "__votes", "__first"], descending=[False, True, False])
        .group_by("id", maintain_order=True)
        .agg(pl.col("__first").first())
    )
    fallback = first_k.filter(pl.col(_RANK) == 0).select("id", pl.lit(0, pl.Int64).alias("__fb"))
    chosen = fallback.join(votes, on="id", how="left").select(
        "id", pl.coalesce("__first", "__fb").alias(_RANK)
    )
    name = f"{metric}_maj@{k}"
    return chosen.join(first_k.select("id", _RANK, metric), on=["id", _RANK], how="left").select(
        "id", pl.col(metric).cast(pl.Float64).alias(name)
    )
