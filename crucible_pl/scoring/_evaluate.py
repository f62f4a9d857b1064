"""``evaluate``: join predictions to references, score them, summarize with intervals.

The per-item scores are one lazy query (join + metric expressions). The summary adds,
for every metric, an overall row, one row per ``by`` group and a macro average over the
groups, each with mean, count, standard error and a percentile bootstrap interval.

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

import importlib.metadata
import json
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

if TYPE_CHECKING:
    from crucible_pl._dataset import Dataset

from crucible_pl import _config
from crucible_pl._hashing import check_seed, mix64, mix64_int
from crucible_pl.errors import (
    CodeExecutionNotAllowedError,
    ColumnNotFoundError,
    InvalidInputError,
    ValidationError,
)
from crucible_pl.scoring._answers import Strategy, extract_answer
from crucible_pl.scoring._choice import choice_match
from crucible_pl.scoring._execution import execution_passed
from crucible_pl.scoring._external import bleu, rouge
from crucible_pl.scoring._f1 import token_f1
from crucible_pl.scoring._math import math_match
from crucible_pl.scoring._numeric import numeric_match
from crucible_pl.scoring._text import exact_match, normalized_exact_match

__all__ = [
    "BUILTIN_METRICS",
    "DEFAULT_METRICS",
    "EXTRACTIONS",
    "EvalResult",
    "MetricFn",
    "evaluate",
]

logger = logging.getLogger(__name__)

MetricFn = Callable[[pl.Expr], pl.Expr]
"""A metric: prediction expression -> score expression over the joined per-item frame."""

_PRED = "__prediction"
_PRESENT = "__present"
_POS = "__pos"
_MAX_UNITS = 10_000
_MIN_UNITS = 200
_STRATUM_STRIDE = 1 << 32
_UNIT_SALT = 1 << 62
_GOLDEN = 0x9E3779B97F4A7C15
_SHOWN_IDS = 5
_SCOPES = ("overall", "group", "macro")


def _math_answer(prediction: pl.Expr) -> pl.Expr:
    return extract_answer(prediction, "math")


def _gsm8k_or_last_number(prediction: pl.Expr) -> pl.Expr:
    return pl.coalesce(
        extract_answer(prediction, "gsm8k"), extract_answer(prediction, "last_number")
    )


def _by_strategy(strategy: Strategy) -> Callable[[pl.Expr], pl.Expr]:
    return lambda prediction: extract_answer(prediction, strategy)


_EXTRACTORS: dict[str, Callable[[pl.Expr], pl.Expr]] = {
    "none": lambda prediction: prediction,
    "gsm8k": _by_strategy("gsm8k"),
    "last_number": _by_strategy("last_number"),
    "gsm8k_or_last_number": _gsm8k_or_last_number,
    "boxed": _by_strategy("boxed"),
    "answer_is": _by_strategy("answer_is"),
    "math": _math_answer,
    "choice_letter": _by_strategy("choice_letter"),
}

EXTRACTIONS: Mapping[str, str] = {
    "none": "the prediction as given, no extraction",
    "gsm8k": "GSM8K strict-match: the number after '####' (lm-eval tasks/gsm8k/gsm8k.yaml)",
    "last_number": "GSM8K flexible-extract: the last number of the reply (lm-eval gsm8k.yaml)",
    "gsm8k_or_last_number": (
        "GSM8K strict-match ('#### N') where the reply has it, else flexible-extract "
        "(the last number): lm-eval gsm8k.yaml's two filters, strictest first"
    ),
    "boxed": (
        "the content of the last \\boxed{}/\\fbox{} (the MATH paper's last_boxed_only_string)"
    ),
    "answer_is": "the text after the last 'answer is' / 'answer:' cue (Minerva, Math-Verify)",
    "math": (
        "last \\boxed{}, else the last answer cue, else GSM8K '####', else the whole reply "
        "when it is one short expression, else the last math span or number "
        "(Minerva, lm-eval hendrycks_math and Math-Verify priorities)"
    ),
    "choice_letter": (
        "a choice letter A-J found in free text, the last explicit answer cue first "
        "(lm-eval mmlu_pro and multi_choice_regex filters, lighteval index extraction); "
        "choice_match first reads a lone letter, an index or a choice text"
    ),
}
"""Answer extraction strategies ``evaluate`` accepts in ``extraction=``, with a one-line
description and source of each (see :func:`~crucible_pl.scoring.extract_answer` and
:func:`~crucible_pl.scoring.extract_choice_letter` for the full rules)."""


@dataclass(frozen=True)
class _Options:
    """What a built-in metric needs beyond the prediction: evaluate's options."""

    allow_code_execution: bool | None = None
    has_input: bool = True


def _text_metric(
    compare: Callable[[pl.Expr, str], pl.Expr],
) -> Callable[[pl.Expr, str, _Options], pl.Expr]:
    return lambda prediction, strategy, _: compare(_EXTRACTORS[strategy](prediction), "expected")


def _choice(prediction: pl.Expr, strategy: str, _: _Options) -> pl.Expr:
    # choice_match reads a lone letter, an index or a choice text itself; "choice_letter"
    # then finds a letter in free text (free_text=True). Any other strategy extracts
    # first, and choice_match reads what it extracted.
    if strategy == "choice_letter":
        return choice_match(prediction, "expected", "choices", free_text=True)
    return choice_match(_EXTRACTORS[strategy](prediction), "expected", "choices")


def _execution(prediction: pl.Expr, strategy: str, options: _Options) -> pl.Expr:
    return execution_passed(
        _EXTRACTORS[strategy](prediction),
        "test",
        "entry_point",
        prompt="input" if options.has_input else None,
        allow_code_execution=options.allow_code_execution,
    )


@dataclass(frozen=True)
class _Builtin:
    """A built-in metric: its default extraction strategy and its comparator."""

    extraction: str
    score: Callable[[pl.Expr, str, _Options], pl.Expr]
    required: tuple[str, ...] = ("expected",)


_BUILTINS: dict[str, _Builtin] = {
    "exact_match": _Builtin("none", _text_metric(exact_match)),
    "normalized_exact_match": _Builtin("none", _text_metric(normalized_exact_match)),
    "token_f1": _Builtin("none", _text_metric(token_f1)),
    "numeric_match": _Builtin("gsm8k_or_last_number", _text_metric(numeric_match)),
    "math_match": _Builtin("math", _text_metric(math_match)),
    "choice_match": _Builtin("choice_letter", _choice, ("expected", "choices")),
    "execution": _Builtin("none", _execution, ("test", "entry_point")),
    "bleu": _Builtin("none", _text_metric(bleu)),
    "rouge1": _Builtin("none", _text_metric(lambda p, r: rouge(p, r, rouge_type="rouge1"))),
    "rouge2": _Builtin("none", _text_metric(lambda p, r: rouge(p, r, rouge_type="rouge2"))),
    "rougeL": _Builtin("none", _text_metric(lambda p, r: rouge(p, r, rouge_type="rougeL"))),
}


def _with_defaults(builtin: _Builtin) -> MetricFn:
    return lambda prediction: builtin.score(prediction, builtin.extraction, _Options())


BUILTIN_METRICS: Mapping[str, MetricFn] = {
    name: _with_defaults(builtin) for name, builtin in _BUILTINS.items()
}
"""Metrics available by name, each an (extraction strategy, comparator) pair applied to
the prediction, with its default strategy (:data:`EXTRACTIONS`; ``evaluate``'s
``extraction=`` overrides it). Each reads the reference column ``expected`` (``choices``
too for ``choice_match``; ``test``, ``entry_point`` and, when present, ``input`` for
``execution``):

====================== ======================== ==========================================
metric                 default extraction       comparator
====================== ======================== ==========================================
exact_match            none                     :func:`~crucible_pl.scoring.exact_match`
normalized_exact_match none                     ``normalized_exact_match``
token_f1               none                     ``token_f1``
numeric_match          gsm8k_or_last_number     ``numeric_match`` (numbers within tolerance)
math_match             math                     ``math_match`` (equivalent math answers)
choice_match           choice_letter            ``choice_match`` (letter, index or text)
execution              none                     ``execution_passed``: runs the code with
                                                the item's tests (opt-in, see ``evaluate``)
bleu, rouge1/2/L       none                     sacrebleu / rouge-score (``metrics`` extra,
                                                Python per row)
====================== ======================== =========================================="""

DEFAULT_METRICS: Mapping[str, tuple[str, ...]] = {
    "math": ("math_match",),
    "multiple_choice": ("choice_match",),
    "generation": ("normalized_exact_match", "token_f1"),
    "code": ("execution",),
    "rubric": ("normalized_exact_match", "token_f1"),
    "chat": ("normalized_exact_match", "token_f1"),
}
"""Metric names used when ``evaluate`` gets ``metrics=None``, by dataset family. The
code family's ``execution`` runs predictions as programs, so it needs an opt-in."""

_CUSTOM = "a custom metric: it receives the prediction as given"
_TEXT_METRICS = ("normalized_exact_match", "token_f1")


@dataclass(frozen=True, eq=False, repr=False)
class EvalResult:
    """The outcome of :func:`evaluate`.

    Attributes
    ----------
    items
        One row per reference item, in reference order: ``id``, the ``by`` columns,
        ``prediction``, ``expected`` and one column per metric. Items without a
        prediction have a null ``prediction`` and score 0 (``False``).
    summary
        ``metric``, ``scope`` (``"overall"``, ``"group"`` or ``"macro"``), the ``by``
        columns (null outside ``"group"`` rows), ``mean``, ``count`` (non-null scores;
        for ``"macro"`` the items behind all groups), ``stderr`` (sample standard
        deviation over square root of count; for ``"macro"`` the root of the summed
        squared group errors over the number of groups), ``ci_low`` and ``ci_high``
        (percentile bootstrap).
    missing_ids
        Reference ids without a prediction (scored 0), in reference order.
    unknown_ids
        Prediction ids that match no reference (not scored), in order of appearance.
    duplicate_ids
        Prediction ids given more than once (the first one is scored).
    n_duplicate_rows
        Prediction rows ignored as repeats of an earlier id.
    provenance
        Caller-supplied provenance plus an ``"evaluation"`` entry recording family,
        metrics, the extraction strategy of each metric (``"extraction"``: metric ->
        ``{"strategy", "description"}``), seeds and versions.

    Examples
    --------
    >>> import polars as pl
    >>> from crucible_pl.scoring import evaluate
    >>> refs = pl.DataFrame({"id": ["a", "b"], "input": ["1+1", "2+2"], "expected": ["2", "4"]})
    >>> preds = pl.DataFrame({"id": ["a", "b"], "prediction": ["It is 2", "5"]})
    >>> result = evaluate(refs, preds, family="math", n_bootstrap=0)
    >>> result
    EvalResult(family='math', items=2, math_match=0.5000 ± 0.5000)
    >>> result.provenance["evaluation"]["extraction"]["math_match"]["strategy"]
    'math'
    """

    items: pl.DataFrame
    summary: pl.DataFrame
    missing_ids: tuple[str, ...] = ()
    unknown_ids: tuple[str, ...] = ()
    duplicate_ids: tuple[str, ...] = ()
    n_duplicate_rows: int = 0
    provenance: Mapping[str, Any] = field(default_factory=dict)

    @property
    def metrics(self) -> tuple[str, ...]:
        """The metric names, in the order they were computed."""
        return tuple(self.summary["metric"].unique(maintain_order=True).to_list())

    def __repr__(self) -> str:
        family = self.provenance.get("evaluation", {}).get("family")
        parts = [f"family={family!r}", f"items={self.items.height}"]
        overall = self.summary.filter(pl.col("scope") == "overall")
        # One summary row per metric, formatted for the repr (not per-item work).
        for metric, mean, stderr, low, high in overall.select(
            "metric", "mean", "stderr", "ci_low", "ci_high"
        ).iter_rows():
            text = f"{metric}={_fmt(mean)}"
            if stderr is not None:
                text += f" ± {_fmt(stderr)}"
            if low is not None and high is not None:
                text += f" [{_fmt(low)}, {_fmt(high)}]"
            parts.append(text)
        for label, ids in (
            ("missing", self.missing_ids),
            ("unknown", self.unknown_ids),
            ("duplicates", self.duplicate_ids),
        ):
            if ids:
                parts.append(f"{label}={len(ids)}")
        return f"EvalResult({', '.join(parts)})"

    def _accounting(self) -> dict[str, Any]:
        return {
            "missing_ids": list(self.missing_ids),
            "unknown_ids": list(self.unknown_ids),
            "duplicate_ids": list(self.duplicate_ids),
            "n_duplicate_rows": self.n_duplicate_rows,
        }

    def to_parquet(self, path: str | Path) -> None:
        """Write the per-item frame to Parquet, with the rest in its key-value metadata.

        The metadata keys are ``crucible_pl.provenance``, ``crucible_pl.summary`` and
        ``crucible_pl.accounting``, each a JSON document; read them back with
        ``pl.read_parquet_metadata(path)``.

        Parameters
        ----------
        path
            The file to write.

        Examples
        --------
        >>> import json, tempfile, pathlib
        >>> import polars as pl
        >>> from crucible_pl.scoring import evaluate
        >>> refs = pl.DataFrame({"id": ["a"], "expected": ["2"]})
        >>> result = evaluate(refs, pl.DataFrame({"id": ["a"], "prediction": ["2"]}),
        ...                   family="math", provenance={"model": "m1"}, n_bootstrap=0)
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     file = pathlib.Path(tmp) / "scores.parquet"
        ...     result.to_parquet(file)
        ...     meta = pl.read_parquet_metadata(file)
        ...     height = pl.read_parquet(file).height
        >>> json.loads(meta["crucible_pl.provenance"])["model"], height
        ('m1', 1)
        """
        metadata = {
            "crucible_pl.provenance": _dumps(dict(self.provenance)),
            "crucible_pl.summary": _dumps(self.summary.to_dicts()),
            "crucible_pl.accounting": _dumps(self._accounting()),
        }
        self.items.write_parquet(path, metadata=metadata)

    def to_json(self, path: str | Path, *, include_items: bool = False) -> None:
        """Write provenance, summary and join accounting as one JSON document.

        Parameters
        ----------
        path
            The file to write.
        include_items
            Also write the per-item rows (large for big evaluations; prefer Parquet).

        Examples
        --------
        >>> import json, tempfile, pathlib
        >>> import polars as pl
        >>> from crucible_pl.scoring import evaluate
        >>> refs = pl.DataFrame({"id": ["a", "b"], "expected": ["2", "3"]})
        >>> result = evaluate(refs, pl.DataFrame({"id": ["a"], "prediction": ["2"]}),
        ...                   family="math", n_bootstrap=0)
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     file = pathlib.Path(tmp) / "scores.json"
        ...     result.to_json(file)
        ...     doc = json.loads(file.read_text())
        >>> doc["accounting"]["missing_ids"], doc["summary"][0]["mean"]
        (['b'], 0.5)
        """
        document: dict[str, Any] = {
            "provenance": dict(self.provenance),
            "summary": self.summary.to_dicts(),
            "accounting": self._accounting(),
        }
        if include_items:
            document["items"] = self.items.to_dicts()
        Path(path).write_text(_dumps(document, indent=2), encoding="utf-8")


def _fmt(value: float | None) -> str:
    return "null" if value is None else f"{value:.4f}"


def _dumps(value: object, *, indent: int | None = None) -> str:
    # NaN is not JSON; default=str covers dates and other by-column values.
    return json.dumps(value, default=str, indent=indent, allow_nan=False, ensure_ascii=False)


def _resolve_metrics(
    metrics: Sequence[str] | Mapping[str, str | MetricFn] | str | None, family: str
) -> dict[str, str | MetricFn]:
    """Output column -> built-in metric name, or the user's callable."""
    if metrics is None:
        if family not in DEFAULT_METRICS:
            with_defaults = ", ".join(sorted(DEFAULT_METRICS))
            raise InvalidInputError(
                f"Family {family!r} has no default metrics (families with defaults: "
                f"{with_defaults}). Pass metrics=, e.g. metrics={{'score': fn}} with fn "
                "a prediction expression -> score expression."
            )
        metrics = DEFAULT_METRICS[family]
    if isinstance(metrics, str):
        metrics = (metrics,)
    items = metrics.items() if isinstance(metrics, Mapping) else ((m, m) for m in metrics)
    resolved: dict[str, str | MetricFn] = {}
    for name, metric in items:
        if isinstance(metric, str):
            if metric not in _BUILTINS:
                valid = ", ".join(_BUILTINS)
                raise InvalidInputError(
                    f"Unknown metric {metric!r}. Built-in metrics: {valid}; or pass a "
                    "mapping name -> callable(prediction_expr) -> pl.Expr."
                )
            resolved[name] = metric
        elif callable(metric):
            resolved[name] = metric
        else:
            raise InvalidInputError(
                f"Metric {name!r} is {type(metric).__name__}: expected a built-in metric "
                "name or a callable(prediction_expr) -> pl.Expr."
            )
    if not resolved:
        raise InvalidInputError("metrics= is empty: name at least one metric.")
    return resolved


def _check_strategy(strategy: object, where: str) -> str:
    if not isinstance(strategy, str) or strategy not in _EXTRACTORS:
        valid = ", ".join(_EXTRACTORS)
        raise InvalidInputError(
            f"Unknown extraction strategy {strategy!r} in {where}. Valid strategies: "
            f"{valid} (crucible_pl.scoring.EXTRACTIONS describes each)."
        )
    return strategy


def _resolve_extraction(
    extraction: str | Mapping[str, str] | None, resolved: Mapping[str, str | MetricFn]
) -> dict[str, str | None]:
    """Metric -> extraction strategy (``None`` for a custom metric), defaults overridden.

    One strategy name applies to every built-in metric of the run; a mapping names the
    metrics (output columns) it overrides, which must be built-in metrics of the run.
    """
    chosen: dict[str, str | None] = {
        name: _BUILTINS[metric].extraction if isinstance(metric, str) else None
        for name, metric in resolved.items()
    }
    if extraction is None:
        return chosen
    if isinstance(extraction, str):
        strategy = _check_strategy(extraction, f"extraction={extraction!r}")
        return {name: None if value is None else strategy for name, value in chosen.items()}
    if not isinstance(extraction, Mapping):
        raise InvalidInputError(
            f"Invalid extraction={extraction!r}: expected a strategy name such as "
            "'gsm8k', or a mapping metric -> strategy such as {'math_match': 'boxed'}."
        )
    builtins = [name for name, value in chosen.items() if value is not None]
    for name, strategy in extraction.items():
        if name not in chosen:
            raise InvalidInputError(
                f"extraction= names metric {name!r}, which this evaluation does not "
                f"compute. Its metrics: {', '.join(chosen)}."
            )
        if chosen[name] is None:
            raise InvalidInputError(
                f"extraction= names {name!r}, a custom metric: it receives the prediction "
                "as given, so extract inside it (e.g. extract_answer(p, 'boxed')). "
                f"Built-in metrics of this evaluation: {', '.join(builtins) or 'none'}."
            )
        chosen[name] = _check_strategy(strategy, f"extraction[{name!r}]")
    return chosen


def _check_code_execution(
    resolved: Mapping[str, str | MetricFn], allow: bool | None, *, defaults: bool
) -> None:
    """Refuse, before any work, to run predictions as code without an opt-in."""
    if allow is not None and not isinstance(allow, bool):
        raise InvalidInputError(
            f"Invalid allow_code_execution={allow!r}: expected True, False or None (None "
            "reads CRUCIBLE_PL_ALLOW_CODE_EXECUTION)."
        )
    runs_code = [name for name, metric in resolved.items() if metric == "execution"]
    if not runs_code or _config.allow_code_execution(allow):
        return
    what = (
        "The code family's default metric, execution,"
        if defaults
        else (f"Metric(s) {', '.join(map(repr, runs_code))} (execution)")
    )
    raise CodeExecutionNotAllowedError(
        f"{what} scores code by running it: each prediction runs as a Python program, with "
        "its item's tests, on this machine. Model-written code can delete or overwrite "
        "files, exhaust memory or disk, start processes or reach the network; the "
        "subprocess limits contain accidents, not attacks (use a container or VM for "
        "untrusted models). To run it, pass allow_code_execution=True or set "
        "CRUCIBLE_PL_ALLOW_CODE_EXECUTION=1. To compare texts instead, choose the text "
        f"metrics explicitly: metrics={_TEXT_METRICS!r}."
    )


def _check_columns(schema: pl.Schema, needed: Sequence[str], what: str, *, hint: str = "") -> None:
    absent = [name for name in needed if name not in schema]
    if absent:
        available = ", ".join(schema.names())
        raise ColumnNotFoundError(
            f"{what} lack column(s) {', '.join(map(repr, absent))}. "
            f"Available columns: {available}.{hint}"
        )


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
            __units=pl.min_horizontal(
                pl.col("__n"),
                pl.max_horizontal(pl.lit(_MIN_UNITS), (pl.col("__n") * _MAX_UNITS / total).ceil()),
                pl.lit(_MAX_UNITS),
            ).cast(pl.Int64),
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
    means = (
        draws.join(stats, on="__key", how="left")
        .group_by("__s", "__b")
        .agg((pl.col(f"__sum_{m}").sum() / pl.col(f"__cnt_{m}").sum()).alias(m) for m in metrics)
        .join(strata.select(*keys, "__s"), on="__s")
        .select(*keys, "__b", *metrics)
    )
    return means.collect()


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
    low, high = (1 - confidence) / 2, 1 - (1 - confidence) / 2
    aggs: list[pl.Expr] = []
    for m in metrics:
        aggs += [
            pl.col(m).quantile(low, interpolation="linear").alias(f"ci_low|{m}"),
            pl.col(m).quantile(high, interpolation="linear").alias(f"ci_high|{m}"),
        ]
    if keys:
        return resampled.group_by(keys).agg(aggs)
    return resampled.select(aggs)


def _summary(
    items: pl.DataFrame,
    by: list[str],
    metrics: list[str],
    *,
    n_bootstrap: int,
    seed: int,
    confidence: float,
) -> pl.DataFrame:
    scores = (
        items.lazy()
        .select(*by, *(pl.col(m).cast(pl.Float64) for m in metrics))
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
        macro = groups.select(macro_aggs)
        if resampled is None:
            macro = macro.with_columns(no_ci)
        else:
            per_b = resampled.group_by("__b").agg(pl.col(m).mean() for m in metrics)
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


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def evaluate(
    references: Dataset | pl.LazyFrame | pl.DataFrame,
    predictions: pl.LazyFrame | pl.DataFrame,
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
) -> EvalResult:
    """Score predictions against reference items and summarize with bootstrap intervals.

    Predictions are joined to references on ``id`` (both compared as String). Nothing is
    dropped silently: reference items without a prediction score 0 and are listed in
    ``missing_ids``; predictions whose id is not a reference are listed in
    ``unknown_ids``; repeated ids keep their first prediction and are listed in
    ``duplicate_ids``. See :mod:`crucible_pl.scoring._evaluate` for the bootstrap.

    Parameters
    ----------
    references
        A :class:`~crucible_pl.Dataset` (its family and provenance are used), or a frame
        of canonical reference rows: ``id``, ``expected`` and the family's columns
        (``choices`` for multiple choice), plus any ``by`` columns.
    predictions
        ``id`` and the prediction column.
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
    resolved = _resolve_metrics(metrics, family)
    strategies = _resolve_extraction(extraction, resolved)
    _check_code_execution(resolved, allow_code_execution, defaults=metrics is None)
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
    pred_lf = predictions.lazy()
    ref_schema = ref_lf.collect_schema()
    needed = ["id", *by_cols]
    for metric in resolved.values():
        if isinstance(metric, str):
            needed += [c for c in _BUILTINS[metric].required if c not in needed]
    _check_columns(ref_schema, needed, "References")
    _check_columns(
        pred_lf.collect_schema(),
        ["id", prediction_col],
        "Predictions",
        hint=" Pass prediction_col= to name the prediction column.",
    )

    refs = ref_lf.with_columns(pl.col("id").cast(pl.String))
    preds = pred_lf.select(pl.col("id").cast(pl.String), pl.col(prediction_col).alias(_PRED))
    first_preds = preds.filter(pl.col("id").is_first_distinct()).with_columns(
        pl.lit(True).alias(_PRESENT)
    )
    joined = refs.join(first_preds, on="id", how="left", maintain_order="left")
    present = pl.col(_PRESENT).fill_null(False)

    options = _Options(allow_code_execution, has_input="input" in ref_schema)

    def scored(name: str, metric: str | MetricFn) -> pl.Expr:
        prediction = pl.col(_PRED)
        if isinstance(metric, str):
            strategy = strategies[name]
            assert strategy is not None  # a built-in metric always has one
            score = _BUILTINS[metric].score(prediction, strategy, options)
        else:
            score = metric(prediction)
        return score.pipe_with_dtype(
            lambda expr, dtype: pl.when(present).then(expr).otherwise(pl.lit(0).cast(dtype))
        )

    item_cols = [
        "id",
        *by_cols,
        pl.col(_PRED).alias("prediction"),
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
        refs.group_by("id").agg(pl.len().alias("n")).filter(pl.col("n") > 1).head(_SHOWN_IDS),
        preds.select(pl.col("id").null_count()),
    ]
    try:
        items, unknown, duplicated, ref_dups, null_ids = pl.collect_all(queries)
    except pl.exceptions.ColumnNotFoundError as err:
        raise ColumnNotFoundError(
            f"A metric refers to a column that is not in the joined frame: {err}. "
            f"Reference columns: {', '.join(ref_schema.names())}; the prediction is passed "
            "to the metric as an expression."
        ) from err
    if ref_dups.height:
        shown = ", ".join(ref_dups["id"].cast(pl.String).to_list())
        raise ValidationError(
            f"Reference ids must be unique; repeated ids include: {shown}. "
            "Deduplicate the references (or give each row its own id) before evaluating."
        )
    if null_ids.item():
        raise InvalidInputError(
            f"{null_ids.item()} prediction row(s) have a null id. Every prediction needs the "
            "id of the reference item it answers."
        )

    missing_ids = tuple(items.filter(~pl.col(_PRESENT))["id"].to_list())
    items = items.drop(_PRESENT)
    metric_names = list(resolved)
    summary = _summary(
        items,
        by_cols,
        metric_names,
        n_bootstrap=n_bootstrap,
        seed=seed,
        confidence=confidence,
    )
    n_dup_rows = int(duplicated["n"].sum() - duplicated.height)
    result_provenance = dict(provenance or {})
    result_provenance["evaluation"] = {
        "family": family,
        "metrics": metric_names,
        "extraction": {
            name: {
                "strategy": strategy,
                "description": _CUSTOM if strategy is None else EXTRACTIONS[strategy],
            }
            for name, strategy in strategies.items()
        },
        "by": by_cols,
        "prediction_col": prediction_col,
        "n_items": items.height,
        "n_bootstrap": n_bootstrap,
        "seed": seed,
        "confidence": confidence,
        "versions": {"crucible-pl": _version("crucible-pl"), "polars": pl.__version__},
    }
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
