"""Code scored by running it: run_tests / execution_passed, their limits and real data.

The full real-data runs (every canonical HumanEval and MBPP solution, ~30 s on 2 cores)
carry the ``execution`` marker and are deselected by default; run them with
``pytest -m execution tests/scoring/test_scoring_execution.py``. A fast subset runs always.
"""

from __future__ import annotations

import math
import os
import tempfile
import time
import tracemalloc
from pathlib import Path

import polars as pl
import pytest

from crucible_pl.errors import (
    CodeExecutionNotAllowedError,
    ColumnNotFoundError,
    InvalidInputError,
)
from crucible_pl.registry.code import HUMANEVAL, MBPP
from crucible_pl.scoring import OUTCOME, execution_passed, pass_at_k, run_tests
from crucible_pl.scoring._sandbox import DETAIL_CHARS, RunLimits, landlock_abi, run_program

SHARED_HUB = Path(__file__).resolve().parents[3] / "shared" / "hub"
NO_SHARED = f"real Hub data not found at {SHARED_HUB} (../shared is absent beside the repo)"
HUMANEVAL_FILE = (
    SHARED_HUB / "datasets/openai/openai_humaneval/openai_humaneval/test-00000-of-00001.parquet"
)
MBPP_DIR = SHARED_HUB / "datasets/google-research-datasets/mbpp"

PROMPT = (
    "from typing import List\n\n\n"
    "def _helper(xs: List[int]) -> int:\n"
    "    return len(xs)\n\n\n"
    "def count(xs: List[int]) -> int:\n"
    '    """Count the items of xs."""\n'
)
CHECK = (
    "def check(candidate):\n    assert candidate([1, 2, 3]) == 3\n    assert candidate([]) == 0\n"
)


@pytest.fixture(autouse=True)
def _no_opt_in_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CRUCIBLE_PL_ALLOW_CODE_EXECUTION", raising=False)


def _humaneval_style(*predictions: str | None) -> pl.DataFrame:
    n = len(predictions)
    return pl.DataFrame(
        {
            "id": [f"t/{i}" for i in range(n)],
            "input": [PROMPT] * n,
            "prediction": list(predictions),
            "test": [CHECK] * n,
            "entry_point": ["count"] * n,
        },
        schema_overrides={"prediction": pl.String},
    )


def _programs(*programs: str, test: str = "assert True", timeout: float = 10.0) -> pl.DataFrame:
    frame = pl.DataFrame(
        {"prediction": list(programs), "test": [test] * len(programs)}
    ).with_columns(entry_point=pl.lit(None, pl.String))
    return run_tests(frame, prompt=None, timeout=timeout, allow_code_execution=True)


def _one(program: str, *, test: str = "assert True", timeout: float = 10.0) -> dict[str, object]:
    return _programs(program, test=test, timeout=timeout).row(0, named=True)


def _live_tasks_of(uid: int) -> int:
    """Processes of ``uid`` that are not zombies."""
    live = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if entry.stat().st_uid != uid:
                continue
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        live += state != "Z"
    return live


# ---------------------------------------------------------------------------------------
# Opt-in
# ---------------------------------------------------------------------------------------


def test_nothing_runs_without_opt_in(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    frame = pl.DataFrame(
        {"prediction": [f"open({str(marker)!r}, 'w').write('x')"], "test": ["assert True"]}
    ).with_columns(entry_point=pl.lit(None, pl.String))
    with pytest.raises(CodeExecutionNotAllowedError) as info:
        run_tests(frame, prompt=None)
    message = str(info.value)
    assert isinstance(info.value, PermissionError)
    assert "allow_code_execution=True" in message
    assert "CRUCIBLE_PL_ALLOW_CODE_EXECUTION=1" in message
    assert "not a security sandbox" in message
    with pytest.raises(CodeExecutionNotAllowedError, match="execution_passed would run"):
        execution_passed("prediction", prompt=None)
    assert not marker.exists()


def test_environment_variable_opts_in_and_an_explicit_false_wins(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CRUCIBLE_PL_ALLOW_CODE_EXECUTION", "1")
    frame = pl.DataFrame({"prediction": ["x = 1"], "test": ["assert x == 1"]})
    frame = frame.with_columns(entry_point=pl.lit(None, pl.String))
    assert run_tests(frame, prompt=None)["passed"].to_list() == [True]
    with pytest.raises(CodeExecutionNotAllowedError):
        run_tests(frame, prompt=None, allow_code_execution=False)


# ---------------------------------------------------------------------------------------
# How programs are built, and the four outcomes
# ---------------------------------------------------------------------------------------


def test_body_and_whole_function_predictions_on_a_humaneval_prompt() -> None:
    out = run_tests(
        _humaneval_style(
            "    return _helper(xs)\n",  # a body: continues the prompt, uses its helper
            "def count(xs: List[int]) -> int:\n    return sum(1 for _ in xs)\n",  # whole
            "def count(xs):\n    return _helper(xs) + 1\n",  # whole, wrong
            "    return len(xs) + 1\n",  # body, wrong
            "from __future__ import annotations\n\ndef count(xs: List[int]) -> int:\n"
            "    return len(xs)\n",  # whole, with a __future__ import that must come first
        ),
        allow_code_execution=True,
    )
    assert out["outcome"].to_list() == ["passed", "passed", "failed", "failed", "passed"]
    assert out["outcome"].dtype == OUTCOME
    assert out["detail"][2].startswith("AssertionError")
    assert "assert candidate([1, 2, 3]) == 3" in out["detail"][2]


def test_mbpp_style_prose_prompt_is_not_run() -> None:
    frame = pl.DataFrame(
        {
            "input": ["You are an expert Python programmer. Write def add(a, b)."],
            "prediction": ["def add(a, b):\r\n  return a + b"],
            "test": ["import math\nassert add(2, 3) == 5\nassert math.isclose(add(0.1, 0.2), 0.3)"],
            "entry_point": ["add"],
        }
    )
    out = run_tests(frame, allow_code_execution=True)
    assert out.select("outcome", "detail").row(0) == ("passed", "")


def test_markdown_fences_are_reduced_to_their_first_block() -> None:
    out = run_tests(
        _humaneval_style(
            "Here it is:\n```python\ndef count(xs):\n    return len(xs)\n```\nDone.",
            "```\n    return _helper(xs)\n```",
            "```py\ndef count(xs):\n    return 0\n```\n```python\nprint('second')\n```",
        ),
        allow_code_execution=True,
    )
    assert out["outcome"].to_list() == ["passed", "passed", "failed"]


def test_result_columns_already_in_the_frame_are_refused() -> None:
    frame = _humaneval_style("    return len(xs)\n").with_columns(passed=pl.lit(True))
    with pytest.raises(InvalidInputError, match="already has passed"):
        run_tests(frame, allow_code_execution=True)


def test_each_outcome() -> None:
    out = run_tests(
        _humaneval_style(
            "    return len(xs)\n",
            "    return 0\n",
            "    return (\n",
            None,
            "    while True:\n        pass\n",
        ).vstack(
            _humaneval_style("def count(xs):\n    return len(xs)\nraise RuntimeError('at load')\n")
        ),
        timeout=1.0,
        allow_code_execution=True,
    )
    assert out["outcome"].to_list() == ["passed", "failed", "error", "error", "timeout", "error"]
    assert out["passed"].to_list() == [True, False, False, False, False, False]
    details = out["detail"].to_list()
    assert details[0] == ""
    assert "SyntaxError" in details[2]
    assert details[3] == "no prediction"
    assert "wall-clock" in details[4]
    assert details[5] == "RuntimeError: at load"
    assert 1.0 <= out["seconds"][4] < 5.0


def test_exits_before_the_tests_finish_do_not_pass() -> None:
    out = _programs(
        "import os\nos._exit(0)",
        "def f():\n    raise SystemExit(0)\n",
        test="f()\nassert False",
    )
    assert out["outcome"].to_list() == ["failed", "failed"]
    assert "before the tests finished" in out["detail"][0]


def test_stdin_is_closed() -> None:
    row = _one("def read():\n    return input()\n", test="read()")
    assert (row["outcome"], row["detail"]) == ("failed", "EOFError: EOF when reading a line")


def test_detail_is_the_last_line_and_bounded() -> None:
    row = _one("def f():\n    raise ValueError('x' * 10_000)\n", test="f()")
    assert row["outcome"] == "failed"
    detail = str(row["detail"])
    assert detail.startswith("ValueError: xxx")
    assert len(detail) == DETAIL_CHARS


def test_execution_passed_in_a_lazy_query() -> None:
    frame = _humaneval_style("    return len(xs)\n", "    return -1\n", None).lazy()
    out = frame.with_columns(execution_passed("prediction", allow_code_execution=True))
    assert out.collect()["passed"].to_list() == [True, False, None]


def test_deepcoder_stdin_stdout_tests_are_refused() -> None:
    frame = pl.DataFrame(
        {
            "prediction": ["print(int(input()) * 2)"],
            "test": ['[{"input": "2\\n", "output": "4\\n", "testtype": "stdin"}]'],
            "entry_point": [None],
        },
        schema_overrides={"entry_point": pl.String},
    )
    with pytest.raises(InvalidInputError, match=r"stdin/stdout.*Supported: Python tests"):
        run_tests(frame, prompt=None, allow_code_execution=True)
    # A Python test that merely starts with a bracket is still Python.
    python = frame.with_columns(prediction=pl.lit("xs = []"), test=pl.lit("[] == xs or 1 / 0"))
    assert run_tests(python, prompt=None, allow_code_execution=True)["passed"].to_list() == [True]


@pytest.mark.parametrize(
    ("option", "value"),
    [("timeout", 0), ("timeout", "10"), ("memory_mb", 8), ("workers", 0), ("workers", True)],
)
def test_bad_options_are_refused(option: str, value: object) -> None:
    with pytest.raises(InvalidInputError, match=f"Invalid {option}="):
        run_tests(_humaneval_style("    return 0\n"), allow_code_execution=True, **{option: value})  # type: ignore[arg-type]


def test_missing_column_is_named() -> None:
    with pytest.raises(ColumnNotFoundError, match=r"'completion'.*Available columns: id, input"):
        run_tests(_humaneval_style("x"), prediction="completion", allow_code_execution=True)


# ---------------------------------------------------------------------------------------
# pass@k from several samples per id
# ---------------------------------------------------------------------------------------


def test_pass_at_k_from_outcomes_matches_the_unbiased_estimator() -> None:
    right, wrong = "    return len(xs)\n", "    return 0\n"
    samples = pl.concat(
        [
            _humaneval_style(right, right, wrong, wrong, wrong).with_columns(id=pl.lit("a")),
            _humaneval_style(wrong, wrong, wrong, wrong, wrong).with_columns(id=pl.lit("b")),
            _humaneval_style(right, wrong, right, right, right).with_columns(id=pl.lit("c")),
        ]
    )
    out = run_tests(samples, allow_code_execution=True)
    per_id = (
        out.group_by("id")
        .agg(n=pl.len(), c=pl.col("passed").sum())
        .sort("id")
        .with_columns(pass_at_k("n", "c", k=1).alias("p1"), pass_at_k("n", "c", k=2).alias("p2"))
    )
    assert per_id["c"].to_list() == [2, 0, 4]

    def unbiased(n: int, c: int, k: int) -> float:
        return 1.0 - math.comb(n - c, k) / math.comb(n, k)

    # 1 - C(3,2)/C(5,2) = 0.7 for (n=5, c=2, k=2); 1 - C(1,2)/C(5,2) = 1.0 for c=4.
    assert per_id["p1"].to_list() == pytest.approx([0.4, 0.0, 0.8])
    assert per_id["p2"].to_list() == pytest.approx([0.7, 0.0, 1.0])
    assert per_id["p2"].to_list() == pytest.approx([unbiased(5, c, 2) for c in (2, 0, 4)])


# ---------------------------------------------------------------------------------------
# Containment: accidents stay inside the child
# ---------------------------------------------------------------------------------------


def _live_with_argument(argument: str) -> list[int]:
    """Pids of live (non-zombie) processes whose command line holds ``argument``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if argument.encode() not in (entry / "cmdline").read_bytes().split(b"\0"):
                continue
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if state != "Z":
            found.append(int(entry.name))
    return found


def test_infinite_loop_times_out_and_its_children_are_killed() -> None:
    seconds = f"{300 + os.getpid() % 1000 / 1000:.3f}"  # a command line no one else has
    program = (
        "import subprocess\n"
        f"child = subprocess.Popen(['sleep', {seconds!r}])\n"
        "while True:\n    pass\n"
    )
    row = _one(program, timeout=2.0)
    assert row["outcome"] == "timeout"
    # The sleeping grandchild was killed with its group (at most a zombie for a moment).
    assert _live_with_argument(seconds) == []


def test_fork_bomb_is_contained() -> None:
    out = _programs(
        "import os\nwhile True:\n    os.fork()\n",
        "import os\ndef bomb():\n    while True:\n        os.fork()\n",
        test="bomb()",
        timeout=10.0,
    )
    assert out["outcome"].to_list() == ["error", "failed"]
    assert all("Resource temporarily unavailable" in d for d in out["detail"])
    assert all(s < 10.0 for s in out["seconds"])  # stopped by the process limit, not the clock
    if os.geteuid() == 0:  # the children ran as nobody: none is left once reaped
        for _ in range(100):
            if _live_tasks_of(65534) == 0:
                break
            time.sleep(0.05)
        assert _live_tasks_of(65534) == 0
    assert _one("x = 1", test="assert x == 1")["outcome"] == "passed"  # the machine is fine


def test_ten_gigabyte_allocation_is_an_error_not_an_oom() -> None:
    out = _programs(
        "data = bytearray(10 * 1024 ** 3)",
        "def grow():\n    return [0] * (10 * 1024 ** 3 // 8)\n",
        test="grow()",
    )
    assert out["outcome"].to_list() == ["error", "error"]
    assert all(d.startswith("memory limit reached") for d in out["detail"])


def test_disk_filler_is_stopped_by_the_file_size_limit() -> None:
    row = _one(
        "with open('big', 'wb') as f:\n    for _ in range(100):\n        f.write(b'0' * 2**20)"
    )
    assert row["outcome"] == "error"
    assert "file size limit" in str(row["detail"])


def test_process_limit_as_an_ordinary_user_leaves_room_above_the_running_tasks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from crucible_pl.scoring import _sandbox

    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    monkeypatch.setattr(os, "getuid", lambda: 1000)
    monkeypatch.setattr(_sandbox, "_tasks_of_user", lambda uid: 500 if uid == 1000 else -1)
    assert _sandbox._process_limit(RunLimits(processes=64)) == (564, -1)
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    assert _sandbox._process_limit(RunLimits(processes=64)) == (64, 65534)


def test_nothing_runs_when_a_limit_cannot_be_set(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    program = f"open({str(marker)!r}, 'w').write('x')"
    # More open files than the kernel allows (fs.nr_open): setrlimit fails in the child.
    result = run_program(program, "assert True", limits=RunLimits(open_files=2**40))
    assert result.outcome == "error"
    assert result.detail.startswith("could not set the limits, nothing ran")
    assert not marker.exists()


def test_no_secret_reaches_the_program(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_TOKEN", "hf_secret_value")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "aws_secret_value")
    monkeypatch.setenv("PYTHONPATH", "/nonexistent")
    program = (
        "import os, sys\n"
        "env = dict(os.environ)\n"
        "allowed = {'PATH', 'LANG', 'LC_ALL', 'HOME', 'TMPDIR', 'OMP_NUM_THREADS',\n"
        "           'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS'}\n"
    )
    test = (
        "assert 'HF_TOKEN' not in env and not any(k.startswith('AWS_') for k in env), env\n"
        "assert set(env) <= allowed, sorted(set(env) - allowed)\n"
        "assert 'hf_secret_value' not in repr(env)\n"
        "assert '/nonexistent' not in sys.path\n"
    )
    assert _one(program, test=test)["outcome"] == "passed"


def test_files_written_in_the_working_directory_are_removed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:

    made: list[str] = []
    original = tempfile.mkdtemp

    def mkdtemp(**kwargs: str) -> str:
        made.append(original(**kwargs))
        return made[-1]

    monkeypatch.setattr(tempfile, "mkdtemp", mkdtemp)
    program = (
        "import os, tempfile\n"
        "here = os.getcwd()\n"
        "open('stray.txt', 'w').write('x')\n"
        "open(os.path.expanduser('~/.stray'), 'w').write('x')\n"
        "open(os.path.join(tempfile.gettempdir(), 'stray2'), 'w').write('x')\n"
    )
    test = "assert os.environ['HOME'] == here == os.environ['TMPDIR']"
    assert _one(program, test=test)["outcome"] == "passed"
    assert len(made) == 1
    assert Path(made[0]).name.startswith("crucible-exec-")
    assert not Path(made[0]).exists()


@pytest.mark.skipif(landlock_abi() < 1, reason="Landlock is not available on this kernel")
def test_writes_outside_the_working_directory_are_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    row = _one(f"def write():\n    open({str(outside)!r}, 'w').write('x')\n", test="write()")
    assert row["outcome"] == "failed"
    assert str(row["detail"]).startswith("PermissionError")
    assert not outside.exists()


@pytest.mark.skipif(landlock_abi() < 4, reason="Landlock ABI < 4: TCP is not confined")
def test_tcp_connections_are_refused() -> None:
    program = "import socket\ndef dial():\n    socket.create_connection(('127.0.0.1', 9), 1)\n"
    row = _one(program, test="dial()")
    assert row["outcome"] == "failed"
    assert row["detail"] == "PermissionError: [Errno 13] Permission denied"


def test_megabytes_of_output_do_not_grow_memory() -> None:
    program = (
        "import sys\n"
        "for _ in range(100):\n"
        "    print('x' * 2**20)\n"
        "    sys.stderr.write('y' * 2**18 + '\\n')\n"
    )
    tracemalloc.start()
    try:
        row = _one(program, test="assert True")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert row["outcome"] == "passed"
    assert peak < 4 * 2**20  # 125 MB went through the pipes; a few hundred KB stayed


# ---------------------------------------------------------------------------------------
# Real data: the canonical solutions pass their own tests
# ---------------------------------------------------------------------------------------


def _humaneval() -> pl.LazyFrame:
    if not HUMANEVAL_FILE.is_file():
        pytest.skip(NO_SHARED)
    raw = pl.scan_parquet(HUMANEVAL_FILE)
    return HUMANEVAL.normalize(raw, config="openai_humaneval", split="test")


def _mbpp(config: str) -> pl.LazyFrame:
    path = MBPP_DIR / config / "test-00000-of-00001.parquet"
    if not path.is_file():
        pytest.skip(NO_SHARED)
    spec = MBPP.variants.get(config, MBPP)
    return spec.normalize(pl.scan_parquet(path), config=config, split="test")


def _canonical_outcomes(lf: pl.LazyFrame) -> pl.DataFrame:
    out = run_tests(lf.with_columns(prediction=pl.col("expected")), allow_code_execution=True)
    failures = out.filter(~pl.col("passed")).select("id", "outcome", "detail")
    assert failures.is_empty(), failures.to_dicts()
    return out


@pytest.mark.realdata
@pytest.mark.parametrize("source", ["humaneval", "full", "sanitized"])
def test_first_canonical_solutions_pass(source: str) -> None:
    lf = _humaneval() if source == "humaneval" else _mbpp(source)
    assert _canonical_outcomes(lf.head(8)).height == 8


@pytest.mark.realdata
def test_first_canonical_humaneval_solutions_pass_as_whole_functions() -> None:
    # A model that repeats the prompt: prediction = prompt + body (a whole function).
    lf = _humaneval().head(8).with_columns(expected=pl.concat_str("input", "expected"))
    assert _canonical_outcomes(lf).height == 8


@pytest.mark.realdata
@pytest.mark.execution
def test_every_canonical_humaneval_solution_passes() -> None:
    assert _canonical_outcomes(_humaneval()).height == 164


@pytest.mark.realdata
@pytest.mark.execution
def test_every_canonical_humaneval_solution_passes_as_a_whole_function() -> None:
    lf = _humaneval().with_columns(expected=pl.concat_str("input", "expected"))
    assert _canonical_outcomes(lf).height == 164


@pytest.mark.realdata
@pytest.mark.execution
@pytest.mark.parametrize(("config", "rows"), [("full", 500), ("sanitized", 257)])
def test_every_canonical_mbpp_test_solution_passes(config: str, rows: int) -> None:
    assert _canonical_outcomes(_mbpp(config)).height == rows


@pytest.mark.realdata
def test_wrong_solutions_fail_on_real_tests() -> None:
    # Each HumanEval item gets the next item's canonical body: a wrong solution.
    lf = _humaneval().head(12)
    shifted = lf.with_columns(prediction=pl.col("expected").shift(-1)).head(11)
    out = run_tests(shifted, timeout=5.0, allow_code_execution=True)
    assert not out["passed"].any(), out.select("id", "outcome", "detail").to_dicts()
    assert set(out["outcome"].to_list()) <= {"failed", "error", "timeout"}
