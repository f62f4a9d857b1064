"""``merge_results``: one evaluation from the results of its shards.

Workers (Ray tasks, processes, machines) each score a shard of the references with
:func:`evaluate`; ``merge_results`` stacks their per-item rows in shard order and
summarizes them again, so the means, counts, standard errors and bootstrap intervals
are those of one evaluation over every item. With contiguous shards
(``Dataset.shard(n, i, contiguous=True)``) merged in shard order, the items are in
reference order and the result equals a single-process ``evaluate`` exactly (the
bootstrap draws depend on item order).

Examples
--------
>>> import polars as pl
>>> from crucible_pl.scoring import evaluate, merge_results
>>> refs = pl.DataFrame({"id": ["a", "b", "c", "d"], "expected": ["1", "2", "3", "4"]})
>>> preds = pl.DataFrame({"id": ["a", "b", "c", "d"], "prediction": ["1", "2", "0", "4"]})
>>> parts = [evaluate(refs[:2], preds, family="math", seed=0),
...          evaluate(refs[2:], preds, family="math", seed=0)]
>>> merged = merge_results(parts)
>>> whole = evaluate(refs, preds, family="math", seed=0)
>>> merged.summary.equals(whole.summary)
True
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

from crucible_pl.errors import InvalidInputError
from crucible_pl.scoring._bootstrap import summarize
from crucible_pl.scoring._result import EvalResult

__all__ = ["merge_results"]

_SAME = ("family", "metrics", "by", "n_bootstrap", "seed", "confidence", "extraction")


def _duplicate_rows(counts: list[int]) -> int:
    # Shards given every prediction all count the same repeats; shards given their own
    # predictions count theirs.
    return counts[0] if len(set(counts)) == 1 else sum(counts)


def merge_results(results: Sequence[EvalResult]) -> EvalResult:
    """One :class:`EvalResult` from the results of disjoint shards of the references.

    Parameters
    ----------
    results
        The shards' results, in shard order, all from ``evaluate`` with the same family,
        metrics, ``by``, extraction and bootstrap settings.

    Returns
    -------
    EvalResult
        Items stacked in the order given; the summary recomputed over all of them;
        missing, unknown and duplicated ids joined (an id unknown to one shard but
        scored by another is not unknown).

    Raises
    ------
    InvalidInputError
        No results, results evaluated with different settings, or shards that share a
        reference id (they must be disjoint).

    Examples
    --------
    >>> import polars as pl
    >>> from crucible_pl.scoring import evaluate, merge_results
    >>> refs = pl.DataFrame({"id": ["a", "b", "c"], "expected": ["1", "2", "3"]})
    >>> preds = pl.DataFrame({"id": ["a", "b", "c"], "prediction": ["1", "0", "3"]})
    >>> parts = [evaluate(refs[:1], preds, family="math", n_bootstrap=0),
    ...          evaluate(refs[1:], preds, family="math", n_bootstrap=0)]
    >>> merged = merge_results(parts)
    >>> merged.items["math_match"].to_list(), merged.unknown_ids
    ([True, False, True], ())
    """
    if not results:
        raise InvalidInputError("merge_results needs the results of at least one shard.")
    settings = [r.provenance.get("evaluation", {}) for r in results]
    first = settings[0]
    for index, other in enumerate(settings[1:], start=1):
        differing = [k for k in _SAME if other.get(k) != first.get(k)]
        if differing:
            raise InvalidInputError(
                f"Result {index} was evaluated with other {', '.join(differing)} than result 0; "
                "merge results of one evaluation run on shards (same metrics, by, extraction "
                "and bootstrap settings)."
            )
    items = pl.concat([r.items for r in results], how="vertical_relaxed", rechunk=True)
    repeated = items.filter(pl.col("id").is_duplicated())["id"].unique(maintain_order=True)
    if repeated.len():
        shown = ", ".join(repeated.head(5).to_list())
        raise InvalidInputError(
            f"The shards share reference ids ({shown}); merge results of disjoint shards, "
            "such as Dataset.shard(n, i) for i in range(n)."
        )
    metrics: list[str] = list(first.get("metrics", []))
    by: list[str] = list(first.get("by", []))
    summary = summarize(
        items,
        by,
        metrics,
        n_bootstrap=int(first.get("n_bootstrap", 0)),
        seed=int(first.get("seed", 0)),
        confidence=float(first.get("confidence", 0.95)),
    )
    scored = set(items["id"].to_list())
    unknown = [i for r in results for i in r.unknown_ids if i not in scored]
    evaluation: dict[str, Any] = {**first, "n_items": items.height, "shards": len(results)}
    provenance = {**results[0].provenance, "evaluation": evaluation}
    return EvalResult(
        items=items,
        summary=summary,
        missing_ids=tuple(i for r in results for i in r.missing_ids),
        unknown_ids=tuple(dict.fromkeys(unknown)),
        duplicate_ids=tuple(dict.fromkeys(i for r in results for i in r.duplicate_ids)),
        n_duplicate_rows=_duplicate_rows([r.n_duplicate_rows for r in results]),
        provenance=provenance,
    )
