r"""Code datasets: a task, a reference solution and the tests that check a program.

Canonical columns (``code`` family): ``id``, ``input`` (what the model is shown),
``expected`` (String, the reference solution), ``test`` (String), ``entry_point``
(String, the function the tests call; null for stdin/stdout problems) and
``language`` (String, ``"python"`` for every dataset here).

Examples
--------
>>> from crucible_pl.registry._spec import SyntheticRequest
>>> from crucible_pl.registry.code import HUMANEVAL
>>> raw = HUMANEVAL.synthetic(SyntheticRequest("openai_humaneval", "test", 3))
>>> out = HUMANEVAL.normalize(raw.lazy(), config="openai_humaneval", split="test").collect()
>>> out["id"].to_list()
['HumanEval/0', 'HumanEval/1', 'HumanEval/2']
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from typing import Any

import polars as pl

from crucible_pl.errors import ConfigNotFoundError
from crucible_pl.registry._spec import DatasetSpec, HubFile, SyntheticRequest, default_id

__all__ = ["DEEPCODER", "HUMANEVAL", "MBPP", "SPECS"]

Schema = Mapping[str, pl.DataType | type[pl.DataType]]


def _card_config(name: str, splits: tuple[str, ...], **extra: Any) -> dict[str, Any]:
    """One entry of a card's YAML ``configs:`` list, shaped as ``yaml.safe_load`` gives it."""
    files = [{"split": s, "path": f"{name}/{s}-*"} for s in splits]
    return {"config_name": name, **extra, "data_files": files}


def _check_config(spec_name: str, schemas: Mapping[str, Schema], config: str) -> Schema:
    if config not in schemas:
        raise ConfigNotFoundError(
            f"No synthetic rows for config {config!r} of {spec_name!r}. "
            f"Available configs: {', '.join(schemas)}. Pass one of them in SyntheticRequest.",
            dataset=spec_name,
            config=config,
        )
    return schemas[config]


# Small Python tasks shared by the generators: (function name, args, body, docstring,
# [(call arguments, expected result)]).
_TASKS: tuple[tuple[str, str, str, str, tuple[tuple[str, str], ...]], ...] = (
    (
        "add_numbers",
        "a: int, b: int",
        "    return a + b\n",
        "Return the sum of a and b.",
        (("2, 3", "5"), ("-1, 1", "0"), ("10, 32", "42")),
    ),
    (
        "reverse_words",
        "text: str",
        "    return ' '.join(text.split()[::-1])\n",
        "Reverse the order of the words in text.",
        (("'hello world'", "'world hello'"), ("'a b c'", "'c b a'"), ("''", "''")),
    ),
    (
        "count_vowels",
        "s: str",
        "    return sum(1 for ch in s.lower() if ch in 'aeiou')\n",
        "Count the vowels in s.",
        (("'banana'", "3"), ("'RHYTHM'", "0"), ("'Education'", "5")),
    ),
    (
        "max_of_list",
        "numbers: list",
        "    best = numbers[0]\n    for x in numbers[1:]:\n        if x > best:\n"
        "            best = x\n    return best\n",
        "Return the largest element of a non-empty list.",
        (("[1, 5, 3]", "5"), ("[-4, -2, -9]", "-2"), ("[7]", "7")),
    ),
    (
        "is_palindrome",
        "s: str",
        "    cleaned = [c for c in s.lower() if c.isalnum()]\n"
        "    return cleaned == cleaned[::-1]\n",
        "Check whether s reads the same backwards, ignoring case and punctuation.",
        (("'Racecar'", "True"), ("'hello'", "False"), ("'A man, a plan, a canal: Panama'", "True")),
    ),
    (
        "remove_duplicates",
        "items: list",
        "    seen = set()\n    out = []\n    for x in items:\n        if x not in seen:\n"
        "            seen.add(x)\n            out.append(x)\n    return out\n",
        "Remove duplicates from items, keeping the first occurrence of each.",
        (("[1, 2, 1, 3]", "[1, 2, 3]"), ("[]", "[]"), ("['a', 'a']", "['a']")),
    ),
)

# ---------------------------------------------------------------------------------------
# HumanEval
# ---------------------------------------------------------------------------------------

_HUMANEVAL_SCHEMA: Schema = {
    "task_id": pl.String,
    "prompt": pl.String,
    "canonical_solution": pl.String,
    "test": pl.String,
    "entry_point": pl.String,
}


def _humaneval_synthetic(req: SyntheticRequest) -> pl.DataFrame:
    _check_config("humaneval", {"openai_humaneval": _HUMANEVAL_SCHEMA}, req.config)
    rng = req.rng()
    rows: dict[str, list[Any]] = {name: [] for name in _HUMANEVAL_SCHEMA}
    offset = rng.randrange(len(_TASKS))
    for i in range(req.n):
        name, args, body, doc, cases = _TASKS[(offset + i) % len(_TASKS)]
        example_args, example_out = cases[0]
        prompt = (
            f"\n\ndef {name}({args}):\n"
            f'    """ {doc}\n    >>> {name}({example_args})\n    {example_out}\n    """\n'
        )
        checks = "".join(f"    assert candidate({a}) == {r}\n" for a, r in cases)
        test = (
            "\n\nMETADATA = {\n    'author': 'jt',\n    'dataset': 'test'\n}\n\n\n"
            f"def check(candidate):\n{checks}\n"
        )
        rows["task_id"].append(f"HumanEval/{i}")
        rows["prompt"].append(prompt)
        rows["canonical_solution"].append(body)
        rows["test"].append(test)
        rows["entry_point"].append(name)
    return pl.DataFrame(rows, schema=dict(_HUMANEVAL_SCHEMA))


HUMANEVAL = DatasetSpec(
    name="humaneval",
    repo="openai/openai_humaneval",
    family="code",
    description=(
        "HumanEval: 164 hand-written Python problems, each a signature plus docstring to "
        "complete. `input` is the prompt; `expected` is the canonical function body (it "
        "continues the prompt); `test` defines check(candidate), to be called on "
        "`entry_point`. The only config is 'openai_humaneval' (flagged default on the Hub)."
    ),
    license="mit",
    domain="code",
    task_type="code generation",
    configs=("openai_humaneval",),
    default_config="openai_humaneval",
    default_split="test",
    columns={
        "id": pl.col("task_id"),
        "input": pl.col("prompt"),
        "expected": pl.col("canonical_solution"),
        "test": pl.col("test"),
        "entry_point": pl.col("entry_point"),
        "language": pl.lit("python", pl.String),
    },
    hub_files=(
        HubFile("openai_humaneval/test-00000-of-00001.parquet", "openai_humaneval", "test"),
    ),
    card_configs=(_card_config("openai_humaneval", ("test",), default=True),),
    raw_schema={"openai_humaneval": _HUMANEVAL_SCHEMA},
    synthetic=_humaneval_synthetic,
    citation=(
        "@article{chen2021codex,\n"
        "  title={Evaluating Large Language Models Trained on Code},\n"
        "  author={Chen, Mark and Tworek, Jerry and Jun, Heewoo and Yuan, Qiming and "
        "Pinto, Henrique Ponde de Oliveira and Kaplan, Jared and others},\n"
        "  journal={arXiv preprint arXiv:2107.03374},\n"
        "  year={2021}\n"
        "}"
    ),
    tags=("code", "python", "code-generation", "function-completion"),
)

# ---------------------------------------------------------------------------------------
# MBPP
# ---------------------------------------------------------------------------------------

_MBPP_FULL_SCHEMA: Schema = {
    "task_id": pl.Int32,
    "text": pl.String,
    "code": pl.String,
    "test_list": pl.List(pl.String),
    "test_setup_code": pl.String,
    "challenge_test_list": pl.List(pl.String),
}
_MBPP_SANITIZED_SCHEMA: Schema = {
    "source_file": pl.String,
    "task_id": pl.Int32,
    "prompt": pl.String,
    "code": pl.String,
    "test_imports": pl.List(pl.String),
    "test_list": pl.List(pl.String),
}
_MBPP_SPLITS = ("train", "test", "validation", "prompt")
# Task ids per split in the MBPP paper: prompt 1-10, test 11-510, validation 511-600,
# train 601-974.
_MBPP_FIRST_ID = {"prompt": 1, "test": 11, "validation": 511, "train": 601}


def _mbpp_synthetic(req: SyntheticRequest) -> pl.DataFrame:
    schemas = {"full": _MBPP_FULL_SCHEMA, "sanitized": _MBPP_SANITIZED_SCHEMA}
    schema = _check_config("mbpp", schemas, req.config)
    rng = req.rng()
    first = _MBPP_FIRST_ID.get(req.split, 1)
    rows: dict[str, list[Any]] = {name: [] for name in schema}
    for i in range(req.n):
        name, args, body, doc, cases = rng.choice(_TASKS)
        params = ", ".join(a.split(":")[0] for a in args.split(", "))
        code = f"def {name}({params}):\r\n" + body.replace("\n", "\r\n").rstrip("\r\n")
        tests = [f"assert {name}({a}) == {r}" for a, r in cases]
        text = f"Write a python function to {doc[0].lower()}{doc[1:]}"
        if req.config == "full":
            rows["task_id"].append(first + i)
            rows["text"].append(text)
            rows["code"].append(code)
            rows["test_list"].append(tests)
            rows["test_setup_code"].append("")
            rows["challenge_test_list"].append([] if rng.random() < 0.8 else tests[:1])
        else:
            rows["source_file"].append("Benchmark Questions Verification V2.ipynb")
            rows["task_id"].append(first + 2 * i)
            rows["prompt"].append(text)
            rows["code"].append(code)
            rows["test_imports"].append([] if rng.random() < 0.8 else ["import math"])
            rows["test_list"].append(tests)
    return pl.DataFrame(rows, schema=dict(schema))


def _mbpp_input(task: str) -> pl.Expr:
    """The MBPP paper's prompt: the task, then the tests the program must pass."""
    return pl.format(
        "You are an expert Python programmer, and here is your task: {} "
        "Your code should pass these tests:\n\n{}",
        pl.col(task),
        pl.col("test_list").list.join("\n"),
    )


def _join_lines(*parts: pl.Expr) -> pl.Expr:
    """Non-empty parts joined by newlines."""
    cleaned = [pl.when(p.str.strip_chars() != "").then(p) for p in parts]
    return pl.concat_str(cleaned, separator="\n", ignore_nulls=True)


def _tested_function() -> pl.Expr:
    """The function the tests call: the first name called in ``test_list[0]`` that ``code``
    defines (so ``assert math.isclose(area(2), ...)`` gives ``area``, not ``isclose``)."""
    defined = (
        pl.col("code")
        .str.extract_all(r"(?m)^def\s+[A-Za-z_]\w*")
        .list.eval(pl.element().str.replace(r"^def\s+", ""))
    )
    called = (
        pl.col("test_list")
        .list.first()
        .str.extract_all(r"[A-Za-z_]\w*\s*\(")
        .list.eval(pl.element().str.replace(r"\s*\($", ""))
    )
    return called.list.set_intersection(defined).list.first()


_MBPP_SANITIZED_COLUMNS: dict[str, pl.Expr] = {
    "id": pl.col("task_id").cast(pl.String),
    "input": _mbpp_input("prompt"),
    "expected": pl.col("code"),
    "test": _join_lines(
        pl.col("test_imports").list.join("\n"), pl.col("test_list").list.join("\n")
    ),
    "entry_point": _tested_function(),
    "language": pl.lit("python", pl.String),
}

MBPP = DatasetSpec(
    name="mbpp",
    repo="google-research-datasets/mbpp",
    family="code",
    description=(
        "MBPP: 974 crowd-sourced entry-level Python tasks, each with a reference solution "
        "and 3 assert tests. `input` is the MBPP paper's prompt (task text plus the tests); "
        "`test` is the setup code plus the asserts; `entry_point` is the function the tests "
        "call. Config 'sanitized' (427 hand-verified tasks) has its own raw schema. The "
        "'prompt' split is the few-shot pool."
    ),
    license="cc-by-4.0",
    domain="code",
    task_type="code generation",
    configs=("full", "sanitized"),
    default_config="full",
    default_split=None,
    columns={
        "id": pl.col("task_id").cast(pl.String),
        "input": _mbpp_input("text"),
        "expected": pl.col("code"),
        "test": _join_lines(pl.col("test_setup_code"), pl.col("test_list").list.join("\n")),
        "entry_point": _tested_function(),
        "language": pl.lit("python", pl.String),
    },
    hub_files=tuple(
        HubFile(f"{cfg}/{split}-00000-of-00001.parquet", cfg, split)
        for cfg in ("full", "sanitized")
        for split in _MBPP_SPLITS
    ),
    card_configs=(
        _card_config("full", _MBPP_SPLITS, default=True),
        _card_config("sanitized", _MBPP_SPLITS),
    ),
    raw_schema={"full": _MBPP_FULL_SCHEMA, "sanitized": _MBPP_SANITIZED_SCHEMA},
    synthetic=_mbpp_synthetic,
    citation=(
        "@article{austin2021program,\n"
        "  title={Program Synthesis with Large Language Models},\n"
        "  author={Austin, Jacob and Odena, Augustus and Nye, Maxwell and Bosma, Maarten and "
        "Michalewski, Henryk and Dohan, David and Jiang, Ellen and Cai, Carrie and "
        "Terry, Michael and Le, Quoc and others},\n"
        "  journal={arXiv preprint arXiv:2108.07732},\n"
        "  year={2021}\n"
        "}"
    ),
    tags=("code", "python", "code-generation", "entry-level"),
)
MBPP = dataclasses.replace(
    MBPP, variants={"sanitized": dataclasses.replace(MBPP, columns=_MBPP_SANITIZED_COLUMNS)}
)

# ---------------------------------------------------------------------------------------
# DeepCoder-Preview
# ---------------------------------------------------------------------------------------

# The card's dataset_info was not retrievable: these schemas come from code that reads the
# dataset. `_deepcoder_prepare` fills any missing optional column with nulls, so a config
# that lacks (or adds) one of them still normalizes.
_DEEPCODER_SCHEMAS: dict[str, Schema] = {
    "primeintellect": {"problem": pl.String, "solutions": pl.List(pl.String), "tests": pl.String},
    "taco": {"problem": pl.String, "solutions": pl.List(pl.String), "tests": pl.String},
    "lcbv5": {
        "problem": pl.String,
        "starter_code": pl.String,
        "tests": pl.String,
        "metadata": pl.String,
    },
    "codeforces": {"problem": pl.String, "tests": pl.String},
}
_DEEPCODER_OPTIONAL: dict[str, pl.DataType] = {
    "solutions": pl.List(pl.String()),
    "starter_code": pl.String(),
    "metadata": pl.String(),
}
# Real shard names from the repo tree where the card gives them; primeintellect and
# codeforces shard counts are unknown (single shard assumed).
_DEEPCODER_SHARDS = {
    ("primeintellect", "train"): 1,
    ("taco", "train"): 4,
    ("lcbv5", "train"): 11,
    ("lcbv5", "test"): 8,
    ("codeforces", "test"): 1,
}


def _deepcoder_prepare(lf: pl.LazyFrame) -> pl.LazyFrame:
    """Add the optional columns a config lacks; turn a struct ``metadata`` into JSON text."""
    schema = lf.collect_schema()
    missing = [
        pl.lit(None, dtype).alias(n) for n, dtype in _DEEPCODER_OPTIONAL.items() if n not in schema
    ]
    lf = lf.with_columns(missing)
    if "metadata" in schema and isinstance(schema["metadata"], pl.Struct):
        lf = lf.with_columns(pl.col("metadata").struct.json_encode())
    elif "metadata" in schema and schema["metadata"] != pl.String:
        lf = lf.with_columns(pl.col("metadata").cast(pl.String))
    return lf


def _deepcoder_synthetic(req: SyntheticRequest) -> pl.DataFrame:
    schema = _check_config("deepcoder", _DEEPCODER_SCHEMAS, req.config)
    rng = req.rng()
    rows: dict[str, list[Any]] = {name: [] for name in schema}
    for _ in range(req.n):
        functional = req.config == "lcbv5" and rng.random() < 0.5
        name, args, body, doc, cases = rng.choice(_TASKS)
        if req.config == "primeintellect":
            statement = (
                "Solve the following coding problem using the programming language python:\n\n"
                f"{doc} The input is given on one line.\n\n"
                "The input will be stdin and you should print your solution to stdout"
            )
        else:
            statement = (
                f"{doc}\n\n-----Input-----\nOne line.\n\n-----Output-----\nPrint the answer."
            )
        solution = f"def {name}({args}):\n{body}\nprint({name}(*eval('(' + input() + ',)')))\n"
        if req.config == "taco":
            tests: object = {
                "inputs": [f"{a}\n" for a, _ in cases],
                "outputs": [f"{r}\n" for _, r in cases],
                **({"fn_name": name} if rng.random() < 0.3 else {}),
            }
        elif req.config == "primeintellect":
            tests = [
                {"type": "stdin_stdout", "input": f"{a}\n", "output": f"{r}\n"} for a, r in cases
            ]
        else:
            kind = "functional" if functional else "stdin"
            tests = [{"input": f"{a}\n", "output": f"{r}\n", "testtype": kind} for a, r in cases]
        values: dict[str, Any] = {
            "problem": statement,
            "solutions": [solution],
            "tests": json.dumps(tests),
            "starter_code": f"class Solution:\n    def {name}(self, {args}):\n        "
            if functional
            else "",
            "metadata": json.dumps({"func_name": name} if functional else {}),
        }
        for column in schema:
            rows[column].append(values[column])
    return pl.DataFrame(rows, schema=dict(schema))


def _deepcoder_spec(config: str) -> DatasetSpec:
    tests_fn = pl.col("tests").str.json_path_match("$.fn_name") if config == "taco" else None
    entry = pl.col("metadata").str.json_path_match("$.func_name")
    return DatasetSpec(
        name="deepcoder",
        repo="agentica-org/DeepCoder-Preview-Dataset",
        family="code",
        description=(
            "DeepCoder-Preview: 24K verified competitive-programming problems (TACO, "
            "PrimeIntellect SYNTHETIC-1, LiveCodeBench v5 train; LCB v5 and Codeforces test) "
            "used to RL-train DeepCoder-14B. The Hub has no default config: ours is 'lcbv5' "
            "(split 'test' by default, the LiveCodeBench evaluation set; its shards are large "
            "because `tests` holds many cases). `expected` is the first of `solutions` (null "
            "where a config ships none); `test` is the `tests` JSON text; `entry_point` comes "
            "from metadata.func_name (lcbv5) or tests.fn_name (taco), null for stdin problems."
        ),
        license="mit",
        domain="code",
        task_type="code generation",
        configs=tuple(_DEEPCODER_SCHEMAS),
        default_config="lcbv5",
        default_split=None,
        columns={
            "id": default_id(),
            "input": pl.col("problem"),
            "expected": pl.col("solutions").list.first(),
            "test": pl.col("tests"),
            "entry_point": pl.coalesce(entry, tests_fn) if tests_fn is not None else entry,
            "language": pl.lit("python", pl.String),
            "starter_code": pl.when(pl.col("starter_code") != "").then(pl.col("starter_code")),
        },
        prepare=_deepcoder_prepare,
        hub_files=tuple(
            HubFile(f"{cfg}/{split}-{i:05d}-of-{n:05d}.parquet", cfg, split)
            for (cfg, split), n in _DEEPCODER_SHARDS.items()
            for i in range(n)
        ),
        card_configs=(
            _card_config("primeintellect", ("train",)),
            _card_config("taco", ("train",)),
            _card_config("lcbv5", ("train", "test")),
            _card_config("codeforces", ("test",)),
        ),
        raw_schema=_DEEPCODER_SCHEMAS,
        synthetic=_deepcoder_synthetic,
        citation=(
            "Luo et al., 2025, DeepCoder: A Fully Open-Source 14B Coder at O3-mini Level "
            "(Agentica blog post)"
        ),
        tags=("code", "python", "competitive-programming", "rl", "reasoning"),
    )


DEEPCODER = dataclasses.replace(
    _deepcoder_spec("lcbv5"), variants={"taco": _deepcoder_spec("taco")}
)

SPECS: tuple[DatasetSpec, ...] = (HUMANEVAL, MBPP, DEEPCODER)
