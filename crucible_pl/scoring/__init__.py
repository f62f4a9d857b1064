"""Polars-native scoring: metric expressions and ``evaluate``.

Every metric is a function that takes column names or expressions and returns a
``pl.Expr``, so it runs inside any lazy query, in ``with_columns`` or ``group_by().agg``,
at Polars speed. :func:`evaluate` joins predictions to references, scores them with the
family's default metrics and reports bootstrap intervals and join accounting;
:func:`compare` tells whether a second run beats a first on the same items.

Examples
--------
>>> import polars as pl
>>> from crucible_pl.scoring import token_f1
>>> frame = pl.DataFrame({"prediction": ["the cat sat"], "expected": ["a cat sat down"]})
>>> frame.select(token_f1("prediction", "expected").round(4).alias("f1"))["f1"].to_list()
[0.8]
"""

from __future__ import annotations

from crucible_pl.scoring._answers import Strategy as Strategy
from crucible_pl.scoring._answers import extract_answer as extract_answer
from crucible_pl.scoring._choice import choice_match as choice_match
from crucible_pl.scoring._compare import Comparison as Comparison
from crucible_pl.scoring._compare import compare as compare
from crucible_pl.scoring._evaluate import EvalResult as EvalResult
from crucible_pl.scoring._evaluate import evaluate as evaluate
from crucible_pl.scoring._execution import OUTCOME as OUTCOME
from crucible_pl.scoring._execution import execution_passed as execution_passed
from crucible_pl.scoring._execution import run_tests as run_tests
from crucible_pl.scoring._external import RougeType as RougeType
from crucible_pl.scoring._external import bleu as bleu
from crucible_pl.scoring._external import rouge as rouge
from crucible_pl.scoring._f1 import token_f1 as token_f1
from crucible_pl.scoring._letters import extract_choice_letter as extract_choice_letter
from crucible_pl.scoring._math import math_match as math_match
from crucible_pl.scoring._math_normalize import normalize_math_answer as normalize_math_answer
from crucible_pl.scoring._merge import merge_results as merge_results
from crucible_pl.scoring._metrics import BUILTIN_METRICS as BUILTIN_METRICS
from crucible_pl.scoring._metrics import DEFAULT_METRICS as DEFAULT_METRICS
from crucible_pl.scoring._metrics import EXTRACTIONS as EXTRACTIONS
from crucible_pl.scoring._metrics import MetricFn as MetricFn
from crucible_pl.scoring._numeric import NUMBER_PATTERN as NUMBER_PATTERN
from crucible_pl.scoring._numeric import extract_number as extract_number
from crucible_pl.scoring._numeric import numeric_match as numeric_match
from crucible_pl.scoring._passk import pass_at_k as pass_at_k
from crucible_pl.scoring._text import ColumnOrExpr as ColumnOrExpr
from crucible_pl.scoring._text import exact_match as exact_match
from crucible_pl.scoring._text import normalize_text as normalize_text
from crucible_pl.scoring._text import normalized_exact_match as normalized_exact_match

# Grouped by topic on purpose (STYLE.md), not sorted, hence the noqa.
__all__ = [  # noqa: RUF022
    # Text
    "exact_match",
    "normalize_text",
    "normalized_exact_match",
    "token_f1",
    # Numbers and answers
    "NUMBER_PATTERN",
    "Strategy",
    "extract_answer",
    "extract_choice_letter",
    "extract_number",
    "math_match",
    "normalize_math_answer",
    "numeric_match",
    # Multiple choice and sampling
    "choice_match",
    "pass_at_k",
    # Code, scored by running it (opt-in)
    "OUTCOME",
    "execution_passed",
    "run_tests",
    # Optional 'metrics' extra (Python per row)
    "RougeType",
    "bleu",
    "rouge",
    # Evaluation
    "BUILTIN_METRICS",
    "DEFAULT_METRICS",
    "EXTRACTIONS",
    "EvalResult",
    "MetricFn",
    "evaluate",
    "merge_results",
    # Comparing two runs
    "Comparison",
    "compare",
    # Types
    "ColumnOrExpr",
]
