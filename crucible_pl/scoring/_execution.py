r"""Code scored by running it: each prediction with its item's tests, in a subprocess.

How the program of one item is built (the harnesses' rules, from openai/human-eval
``execution.py`` and lm-evaluation-harness' humaneval and mbpp tasks):

- **HumanEval style** (the ``input`` prompt defines ``def <entry_point>(`` and ends in its
  docstring). A prediction that does not define ``entry_point`` is a *body*: it is
  appended to the prompt, as human-eval runs ``prompt + completion``. A prediction that
  defines ``def <entry_point>(`` at the start of a line is a *whole function*: it runs
  after the prompt (a newline between), so the prompt's imports and helper functions
  exist and the prediction's definition replaces the prompt's stub (its
  ``from __future__`` lines, if any, move above the prompt, where Python requires them).
- **Anything else** (MBPP: the prompt is prose): the prediction is the whole program.
- **Markdown fences**: a prediction holding a fenced block (```` ```python ... ``` ````,
  ```` ``` ... ``` ````) is reduced to its first block, as lm-evaluation-harness'
  ``extract_code_blocks`` does for MBPP; anything else is used as it is.
- **Tests**: a ``test`` that defines ``check(candidate)`` (HumanEval) runs, then
  ``check(<entry_point>)``; any other ``test`` (MBPP: the setup code or ``test_imports``,
  then the asserts, as the registry builds the ``test`` column) simply runs.
- **Not supported**: JSON stdin/stdout test cases (DeepCoder), refused with
  :class:`~crucible_pl.errors.InvalidInputError` rather than scored 0.

Outcomes: ``passed``; ``failed`` (an assert or exception in the tests, or an exit before
they finished); ``timeout`` (the wall clock or the CPU limit); ``error`` (the solution did
not load: a syntax error or an exception at its top level, or a limit such as memory or
file size was hit).

Warning: running model-written code is dangerous. The limits set here (see
``_sandbox``) contain accidents, not attackers: this is not a security sandbox. Nothing
runs unless ``allow_code_execution=True`` or ``CRUCIBLE_PL_ALLOW_CODE_EXECUTION=1``; run
untrusted models' code in a container or VM.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import polars as pl

if TYPE_CHECKING:
    from crucible_pl._dataset import Dataset

from crucible_pl import _config
from crucible_pl.errors import (
    CodeExecutionNotAllowedError,
    ColumnNotFoundError,
    InvalidInputError,
)
from crucible_pl.scoring._sandbox import RunLimits, RunResult, run_program
from crucible_pl.scoring._text import ColumnOrExpr, _col

__all__ = ["OUTCOME", "execution_passed", "run_tests"]

OUTCOME = pl.Enum(["passed", "failed", "timeout", "error"])
"""The dtype of ``outcome``: passed, failed, timeout, error."""

_RESULT = pl.Struct(
    {"outcome": OUTCOME, "passed": pl.Boolean, "detail": pl.String, "seconds": pl.Float64}
)
_DEFAULT_MEMORY_MB = 2048


def _check_allowed(allow: bool | None, caller: str) -> None:
    if not _config.allow_code_execution(allow):
        raise CodeExecutionNotAllowedError(
            f"{caller} would run each prediction, with its dataset's tests, as a Python "
            "program on this machine. Model-written code can delete or overwrite files, "
            "fill the disk, exhaust memory, start processes or reach the network. "
            "crucible-pl runs it in a subprocess with time, memory, file-size and process "
            "limits, a scrubbed environment and a temporary directory: that contains "
            "accidents, not attacks (it is not a security sandbox; run untrusted models' "
            "code in a container or VM). To opt in, pass allow_code_execution=True or set "
            "CRUCIBLE_PL_ALLOW_CODE_EXECUTION=1."
        )


def _limits(timeout: float, memory_mb: int) -> RunLimits:
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not timeout > 0:
        raise InvalidInputError(
            f"Invalid timeout={timeout!r}: expected a positive number of seconds, "
            "such as timeout=10.0."
        )
    if isinstance(memory_mb, bool) or not isinstance(memory_mb, int) or memory_mb < 64:
        raise InvalidInputError(
            f"Invalid memory_mb={memory_mb!r}: expected an integer of at least 64 (MB), "
            f"such as memory_mb={_DEFAULT_MEMORY_MB}."
        )
    return RunLimits(timeout=float(timeout), memory_mb=memory_mb)


def _workers(workers: int | None) -> int:
    if workers is None:
        try:
            return max(1, len(os.sched_getaffinity(0)))
        except AttributeError:  # not Linux
            return max(1, os.cpu_count() or 1)
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise InvalidInputError(
            f"Invalid workers={workers!r}: expected an integer >= 1 (parallel programs), "
            "or None for the number of cores."
        )
    return workers


def _program(
    prediction: pl.Expr, test: pl.Expr, entry_point: pl.Expr, prompt: pl.Expr | None
) -> pl.Expr:
    """Struct{solution, tests}: the two sources one item runs (rules in the module doc)."""
    # A reply that wraps its code in a Markdown fence: the first fenced block is the code.
    fenced = prediction.str.extract(r"(?s)```[ \t]*(?:[Pp]ython3?|py)?[ \t]*\r?\n(.*?)```", 1)
    prediction = pl.coalesce(fenced, prediction)
    defines = pl.format(r"(?m)^(?:async\s+)?def\s+{}\s*\(", entry_point.str.escape_regex())
    if prompt is None:
        solution = prediction
    else:
        prompt_is_code = prompt.str.contains(defines).fill_null(False)
        whole_function = prediction.str.contains(defines).fill_null(False)
        # `from __future__` lines must open the file: move them above the prompt.
        future = r"(?m)^from\s+__future__\s+import[^\n]*\n?"
        hoisted = pl.concat_str(
            prediction.str.extract_all(future).list.join(""),
            prompt,
            pl.lit("\n"),
            prediction.str.replace_all(future, ""),
        )
        solution = (
            pl.when(prompt_is_code & ~whole_function)
            .then(pl.concat_str(prompt, prediction))
            .when(prompt_is_code)
            .then(hoisted)
            .otherwise(prediction)
        )
    calls_check = test.str.contains(r"(?m)^def\s+check\s*\(") & entry_point.is_not_null()
    tests = (
        pl.when(calls_check.fill_null(False))
        .then(pl.concat_str(test, pl.lit("\n\ncheck("), entry_point, pl.lit(")\n")))
        .otherwise(test)
    )
    return pl.struct(solution=solution, tests=tests)


def _is_json(text: str | None) -> bool:
    if text is None or text.lstrip()[:1] not in ("[", "{"):
        return False
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _io_tests(tests: Sequence[str | None]) -> int:
    """How many tests are JSON stdin/stdout cases (DeepCoder) rather than Python."""
    return sum(1 for t in tests if _is_json(t))


def _run_all(programs: pl.Series, limits: RunLimits, workers: int) -> list[dict[str, Any] | None]:
    rows: list[dict[str, Any]] = programs.to_list()
    tests = [row["tests"] if row else None for row in rows]
    if n_io := _io_tests(tests):
        raise InvalidInputError(
            f"{n_io} of {len(rows)} items have JSON stdin/stdout test cases (DeepCoder "
            "style), which execution scoring does not run. Supported: Python tests, either "
            "HumanEval's `def check(candidate)` with an `entry_point`, or MBPP's asserts. "
            "Filter those rows out, or score them with your own harness."
        )

    def one(row: dict[str, Any] | None) -> RunResult:
        if row is None or row["solution"] is None:
            return RunResult("error", "no prediction", 0.0)
        if row["tests"] is None:
            return RunResult("error", "no test for this item", 0.0)
        return run_program(row["solution"], row["tests"], limits=limits)

    with ThreadPoolExecutor(max_workers=min(workers, max(1, len(rows)))) as pool:
        results = list(pool.map(one, rows))
    return [
        {
            "outcome": r.outcome,
            "passed": r.outcome == "passed",
            "detail": r.detail,
            "seconds": r.seconds,
        }
        for r in results
    ]


def _execution(
    prediction: ColumnOrExpr,
    test: ColumnOrExpr,
    entry_point: ColumnOrExpr,
    prompt: ColumnOrExpr | None,
    limits: RunLimits,
    workers: int,
) -> pl.Expr:
    program = _program(
        _col(prediction), _col(test), _col(entry_point), None if prompt is None else _col(prompt)
    )
    # Running programs has no expression: map_batches hands the whole column to a pool
    # of subprocesses at once (one call per batch, not per row).
    return program.map_batches(
        lambda s: pl.Series(s.name, _run_all(s, limits, workers), dtype=_RESULT),
        return_dtype=_RESULT,
    )


def execution_passed(
    prediction: ColumnOrExpr,
    test: ColumnOrExpr = "test",
    entry_point: ColumnOrExpr = "entry_point",
    *,
    prompt: ColumnOrExpr | None = "input",
    timeout: float = 10.0,
    memory_mb: int = _DEFAULT_MEMORY_MB,
    workers: int | None = None,
    allow_code_execution: bool | None = None,
) -> pl.Expr:
    """Whether the prediction, run with its item's tests, passed: a Boolean expression.

    **Warning**: this runs model-written code on your machine. Each program runs in its
    own subprocess with a wall-clock timeout, CPU, memory, file-size and process limits,
    a scrubbed environment and a temporary directory. That contains accidents (an
    endless loop, a huge allocation, a fork bomb), not an attacker: it is not a security
    sandbox. Run untrusted models' code in a container or VM. Nothing runs unless
    ``allow_code_execution=True`` or ``CRUCIBLE_PL_ALLOW_CODE_EXECUTION=1``.

    The program of an item is built as HumanEval and MBPP's harnesses build it (see
    :func:`run_tests`). Use :func:`run_tests` to see why an item failed.

    Parameters
    ----------
    prediction
        Column name or expression: the model's code (a function body that continues a
        HumanEval prompt, or a whole program).
    test, entry_point
        The ``code`` family's ``test`` and ``entry_point`` columns.
    prompt
        The prompt a body continues (the ``input`` column); ``None`` when every
        prediction is a whole program.
    timeout
        Wall-clock seconds per program (the CPU limit is one second more).
    memory_mb
        Address-space limit per program, in MB.
    workers
        Programs run at the same time; ``None`` for the number of cores.
    allow_code_execution
        ``True`` to run code; ``None`` reads ``CRUCIBLE_PL_ALLOW_CODE_EXECUTION``.

    Returns
    -------
    pl.Expr
        A Boolean expression named ``passed``; null where the prediction is null.

    Raises
    ------
    CodeExecutionNotAllowedError
        Code execution was not opted in.
    InvalidInputError
        A bad option; or, when the query runs, tests given as JSON stdin/stdout cases.

    Examples
    --------
    >>> import polars as pl
    >>> from crucible_pl.scoring import execution_passed
    >>> df = pl.DataFrame({
    ...     "prediction": ["def add(a, b): return a + b", "def add(a, b): return a - b"],
    ...     "test": ["assert add(2, 3) == 5"] * 2,
    ...     "entry_point": ["add"] * 2,
    ... })
    >>> df.select(
    ...     execution_passed("prediction", prompt=None, allow_code_execution=True)
    ... )["passed"].to_list()
    [True, False]
    """
    _check_allowed(allow_code_execution, "execution_passed")
    limits = _limits(timeout, memory_mb)
    result = _execution(prediction, test, entry_point, prompt, limits, _workers(workers))
    passed = result.struct.field("passed")
    has_prediction = _col(prediction).is_not_null()
    return pl.when(has_prediction).then(passed).alias("passed")


def run_tests(
    frame: pl.DataFrame | pl.LazyFrame | Dataset,
    *,
    prediction: str = "prediction",
    test: str = "test",
    entry_point: str = "entry_point",
    prompt: str | None = "input",
    timeout: float = 10.0,
    memory_mb: int = _DEFAULT_MEMORY_MB,
    workers: int | None = None,
    allow_code_execution: bool | None = None,
) -> pl.DataFrame:
    """Run each prediction with its item's tests: ``outcome``, ``passed``, ``detail``, ``seconds``.

    **Warning**: this runs model-written code on your machine. Each program runs in its
    own subprocess (``sys.executable -I``, its own process group, killed whole on
    timeout) with ``resource`` limits on CPU time, address space, file size and process
    count, a fresh temporary working directory that is removed afterwards, an
    environment scrubbed of everything but ``PATH``/``LANG`` (no ``HF_TOKEN``, no
    ``AWS_*``), stdin closed and output bounded; where Linux has Landlock, writes only
    inside that directory and no TCP connections. That contains accidents, not an
    attacker: it is not a security sandbox (the program can still read the files its
    user can, and without Landlock write them and reach the network). Run untrusted
    models' code in a container or VM. Nothing runs unless ``allow_code_execution=True`` or
    ``CRUCIBLE_PL_ALLOW_CODE_EXECUTION=1``.

    How an item's program is built: a prediction holding a Markdown code fence is reduced
    to its first fenced block. Then a HumanEval prompt (``prompt`` defines
    ``entry_point``) continued by a body prediction (``prompt + prediction``), or
    followed by a whole-function prediction (``prompt + "\\n" + prediction``: the
    prompt's imports and helpers stay, the prediction's definition wins); otherwise the
    prediction alone (MBPP). Then ``test``, then ``check(entry_point)`` when ``test``
    defines ``check``. JSON stdin/stdout tests (DeepCoder) are refused.

    For pass@k, run several samples per ``id``, count them, and use
    :func:`~crucible_pl.scoring.pass_at_k` (see the example).

    Parameters
    ----------
    frame
        One row per prediction, with the ``code`` family columns (several rows per id
        for pass@k): a DataFrame, or a LazyFrame or ``Dataset``, which is collected.
    prediction, test, entry_point, prompt
        Column names; ``prompt=None`` when every prediction is a whole program.
    timeout
        Wall-clock seconds per program (the CPU limit is one second more).
    memory_mb
        Address-space limit per program, in MB.
    workers
        Programs run at the same time; ``None`` for the number of cores.
    allow_code_execution
        ``True`` to run code; ``None`` reads ``CRUCIBLE_PL_ALLOW_CODE_EXECUTION``.

    Returns
    -------
    pl.DataFrame
        ``frame`` plus ``outcome`` (Enum: passed, failed, timeout, error), ``passed``
        (Boolean), ``detail`` (the last line of the error, at most 200 characters, empty
        when passed) and ``seconds`` (wall time of the run).

    Raises
    ------
    CodeExecutionNotAllowedError
        Code execution was not opted in.
    ColumnNotFoundError
        A named column is not in ``frame``.
    InvalidInputError
        A bad option, or tests given as JSON stdin/stdout cases.

    Examples
    --------
    >>> import polars as pl
    >>> from crucible_pl.scoring import pass_at_k, run_tests
    >>> prompt = "def add(a, b):\\n    '''Add a and b.'''\\n"
    >>> samples = pl.DataFrame({
    ...     "id": ["t/0", "t/0", "t/0"],
    ...     "input": [prompt] * 3,
    ...     "prediction": ["    return a + b\\n", "    return a - b\\n", "    return (\\n"],
    ...     "test": ["def check(candidate):\\n    assert candidate(2, 3) == 5\\n"] * 3,
    ...     "entry_point": ["add"] * 3,
    ... })
    >>> out = run_tests(samples, allow_code_execution=True)
    >>> out.select("outcome", "passed").to_dicts()  # doctest: +NORMALIZE_WHITESPACE
    [{'outcome': 'passed', 'passed': True}, {'outcome': 'failed', 'passed': False},
     {'outcome': 'error', 'passed': False}]
    >>> per_id = out.group_by("id").agg(n=pl.len(), c=pl.col("passed").sum())
    >>> per_id.select(pass_at_k("n", "c", k=1).round(4))["pass_at_k"].to_list()
    [0.3333]
    """
    _check_allowed(allow_code_execution, "run_tests")
    limits = _limits(timeout, memory_mb)
    n_workers = _workers(workers)
    lf = frame if isinstance(frame, pl.LazyFrame) else frame.lazy()
    available = lf.collect_schema().names()
    if taken := [name for name in _RESULT.to_schema() if name in available]:
        raise InvalidInputError(
            f"run_tests adds the columns outcome, passed, detail and seconds, but the frame "
            f"already has {', '.join(taken)}. Drop or rename them first."
        )
    for name in (prediction, test, entry_point, prompt):
        if name is not None and name not in available:
            raise ColumnNotFoundError(
                f"Column {name!r} not found in the frame given to run_tests. "
                f"Available columns: {', '.join(available)}. Pass the column's name "
                "(prediction=, test=, entry_point=, prompt=; prompt=None for whole programs)."
            )
    result = _execution(prediction, test, entry_point, prompt, limits, n_workers)
    return lf.with_columns(result.alias("__execution")).collect().unnest("__execution")
