r"""Code datasets: a task, a reference solution and the tests that check a program.

Canonical columns (``code`` family): ``id``, ``input`` (what the model is shown),
``expected`` (String, the reference solution), ``test`` (String), ``entry_point``
(String, the function the tests call; null for stdin/stdout problems) and
``language`` (String, ``"python"`` for every dataset here).

Examples
--------
>>> import polars as pl
>>> from crucible_pl.registry.code import HUMANEVAL
>>> raw = pl.LazyFrame({
...     "task_id": ["HumanEval/0"], "prompt": ["def add(a, b):\n"],
...     "canonical_solution": ["    return a + b\n"],
...     "test": ["def check(f):\n    assert f(1, 2) == 3\n"], "entry_point": ["add"],
... })
>>> out = HUMANEVAL.normalize(raw, config="openai_humaneval", split="test").collect()
>>> out.select("id", "entry_point", "language").row(0)
('HumanEval/0', 'add', 'python')
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import polars as pl

from crucible_pl.registry._spec import DatasetSpec, HubFile, default_id

__all__ = ["DEEPCODER", "HUMANEVAL", "MBPP", "SPECS"]

Schema = Mapping[str, pl.DataType | type[pl.DataType]]


def _card_config(name: str, splits: tuple[str, ...], **extra: Any) -> dict[str, Any]:
    """One entry of a card's YAML ``configs:`` list, shaped as ``yaml.safe_load`` gives it."""
    files = [{"split": s, "path": f"{name}/{s}-*"} for s in splits]
    return {"config_name": name, **extra, "data_files": files}


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
# dataset and from stored copies of the Hub's pages (issue 14): `tests` is a JSON string in
# every config, lcbv5's `metadata` a struct (the authors' code calls
# metadata.get("func_name"); its other fields are unknown, and extra ones are fine).
# `_deepcoder_prepare` fills any missing optional column with nulls and turns the struct
# into JSON text, so a config that lacks (or adds) one of them still normalizes.
_DEEPCODER_SCHEMAS: dict[str, Schema] = {
    "primeintellect": {"problem": pl.String, "solutions": pl.List(pl.String), "tests": pl.String},
    "taco": {"problem": pl.String, "solutions": pl.List(pl.String), "tests": pl.String},
    "lcbv5": {
        "problem": pl.String,
        "starter_code": pl.String,
        "tests": pl.String,
        "metadata": pl.Struct({"func_name": pl.String}),
    },
    "codeforces": {"problem": pl.String, "tests": pl.String},
}
_DEEPCODER_OPTIONAL: dict[str, pl.DataType] = {
    "solutions": pl.List(pl.String()),
    "starter_code": pl.String(),
    "metadata": pl.String(),
}
# Shard counts from stored copies of the repo tree (issue 14); codeforces: probably one.
_DEEPCODER_SHARDS = {
    ("primeintellect", "train"): 5,
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
