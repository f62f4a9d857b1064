"""Built-in metrics of ``evaluate``: each an (extraction strategy, comparator) pair.

An **extraction strategy** takes the answer out of a prediction (:data:`EXTRACTIONS`
names each, with its source); a **comparator** scores it against the reference columns.
:data:`BUILTIN_METRICS` pairs them with their defaults; ``evaluate``'s ``extraction=``
picks another strategy per metric, and :func:`resolve_extraction` records which.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import polars as pl

from crucible_pl import _config
from crucible_pl.errors import CodeExecutionNotAllowedError, InvalidInputError
from crucible_pl.scoring._answers import Strategy, extract_answer
from crucible_pl.scoring._choice import choice_match
from crucible_pl.scoring._execution import execution_passed
from crucible_pl.scoring._external import bleu, rouge
from crucible_pl.scoring._f1 import token_f1
from crucible_pl.scoring._math import math_match
from crucible_pl.scoring._numeric import numeric_match
from crucible_pl.scoring._text import exact_match, normalized_exact_match

__all__ = [
    "BUILTINS",
    "BUILTIN_METRICS",
    "CUSTOM_DESCRIPTION",
    "DEFAULT_METRICS",
    "EXTRACTIONS",
    "MetricFn",
    "MetricOptions",
    "check_code_execution",
    "resolve_extraction",
    "resolve_metrics",
]

MetricFn = Callable[[pl.Expr], pl.Expr]
"""A metric: prediction expression -> score expression over the joined per-item frame."""


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
class MetricOptions:
    """What a built-in metric needs beyond the prediction: evaluate's options."""

    allow_code_execution: bool | None = None
    has_input: bool = True


def _text_metric(
    compare: Callable[[pl.Expr, str], pl.Expr],
) -> Callable[[pl.Expr, str, MetricOptions], pl.Expr]:
    return lambda prediction, strategy, _: compare(_EXTRACTORS[strategy](prediction), "expected")


def _choice(prediction: pl.Expr, strategy: str, _: MetricOptions) -> pl.Expr:
    # choice_match reads a lone letter, an index or a choice text itself; "choice_letter"
    # then finds a letter in free text (free_text=True). Any other strategy extracts
    # first, and choice_match reads what it extracted.
    if strategy == "choice_letter":
        return choice_match(prediction, "expected", "choices", free_text=True)
    return choice_match(_EXTRACTORS[strategy](prediction), "expected", "choices")


def _execution(prediction: pl.Expr, strategy: str, options: MetricOptions) -> pl.Expr:
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
    score: Callable[[pl.Expr, str, MetricOptions], pl.Expr]
    required: tuple[str, ...] = ("expected",)


BUILTINS: dict[str, _Builtin] = {
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
    return lambda prediction: builtin.score(prediction, builtin.extraction, MetricOptions())


BUILTIN_METRICS: Mapping[str, MetricFn] = {
    name: _with_defaults(builtin) for name, builtin in BUILTINS.items()
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

CUSTOM_DESCRIPTION = "a custom metric: it receives the prediction as given"
_TEXT_METRICS = ("normalized_exact_match", "token_f1")


def resolve_metrics(
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
            if metric not in BUILTINS:
                valid = ", ".join(BUILTINS)
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


def resolve_extraction(
    extraction: str | Mapping[str, str] | None, resolved: Mapping[str, str | MetricFn]
) -> dict[str, str | None]:
    """Metric -> extraction strategy (``None`` for a custom metric), defaults overridden.

    One strategy name applies to every built-in metric of the run; a mapping names the
    metrics (output columns) it overrides, which must be built-in metrics of the run.
    """
    chosen: dict[str, str | None] = {
        name: BUILTINS[metric].extraction if isinstance(metric, str) else None
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


def check_code_execution(
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
