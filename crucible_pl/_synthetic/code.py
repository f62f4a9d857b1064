"""Synthetic raw rows for the code datasets (HumanEval, MBPP, DeepCoder).

Each generator returns deterministic rows with the raw Hub schema of
:mod:`crucible_pl.registry.code` (which owns the schemas and the normalizers).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import polars as pl

from crucible_pl.errors import ConfigNotFoundError
from crucible_pl.registry._spec import SyntheticRequest
from crucible_pl.registry.code import (
    _DEEPCODER_SCHEMAS,
    _HUMANEVAL_SCHEMA,
    _MBPP_FULL_SCHEMA,
    _MBPP_SANITIZED_SCHEMA,
    Schema,
)


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
            # A struct on the Hub (the authors' code reads metadata.get("func_name")).
            "metadata": {"func_name": name if functional else None},
        }
        for column in schema:
            rows[column].append(values[column])
    return pl.DataFrame(rows, schema=dict(schema))


GENERATORS = {
    "deepcoder": _deepcoder_synthetic,
    "humaneval": _humaneval_synthetic,
    "mbpp": _mbpp_synthetic,
}
