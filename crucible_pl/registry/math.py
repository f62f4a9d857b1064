r"""Math datasets: a problem, a reference solution and a final answer to compare against.

Canonical columns (``math`` family): ``id``, ``input`` (the problem), ``expected``
(String, the final answer), then, where the source has them, ``solution`` (String),
``level`` (Int64), ``subject`` (String), and a few source-specific extras.

``level`` is Int64 in every math dataset: MATH-500 stores 1..5 as integers while
EleutherAI/hendrycks_math stores ``"Level 1"``..``"Level 5"``, parsed here to the same
integers (the handful of ``"Level ?"`` rows become null). ``subject`` is MATH's subject
name (``"Counting & Probability"``) in both.

Examples
--------
>>> import polars as pl
>>> from crucible_pl.registry.math import GSM8K
>>> raw = pl.LazyFrame({"question": ["Tom has 3 pens and buys 2. How many?"],
...                     "answer": ["He has 3 + 2 = <<3+2=5>>5 pens.\n#### 5"]})
>>> out = GSM8K.normalize(raw, config="main", split="test").collect()
>>> out.columns
['id', 'input', 'expected', 'solution']
>>> out["expected"].to_list()
['5']
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import polars as pl

from crucible_pl.registry._extract import gsm8k_answer, last_boxed
from crucible_pl.registry._spec import DatasetSpec, HubFile, default_id

__all__ = ["DEEPMATH", "GSM8K", "HENDRYCKS_MATH", "MATH_500", "MATH_SUBJECTS", "POLARIS", "SPECS"]

Schema = Mapping[str, pl.DataType | type[pl.DataType]]


def _card_config(name: str, splits: tuple[str, ...], **extra: Any) -> dict[str, Any]:
    """One entry of a card's YAML ``configs:`` list, shaped as ``yaml.safe_load`` gives it."""
    files = [{"split": s, "path": f"{name}/{s}-*"} for s in splits]
    return {"config_name": name, **extra, "data_files": files}


# ---------------------------------------------------------------------------------------
# GSM8K
# ---------------------------------------------------------------------------------------

_GSM8K_SCHEMA: Schema = {"question": pl.String, "answer": pl.String}


GSM8K = DatasetSpec(
    name="gsm8k",
    repo="openai/gsm8k",
    family="math",
    description=(
        "Grade School Math 8K: 8.5K grade-school word problems needing 2-8 steps of "
        "arithmetic. `expected` is the number after the last '####' (commas and '$' removed); "
        "`solution` is the full worked answer. Config 'socratic' interleaves sub-questions."
    ),
    license="mit",
    domain="math",
    task_type="free-form answer",
    configs=("main", "socratic"),
    default_config="main",
    default_split=None,
    columns={
        "id": default_id(),
        "input": pl.col("question"),
        "expected": gsm8k_answer("answer"),
        "solution": pl.col("answer"),
    },
    hub_files=tuple(
        HubFile(f"{cfg}/{split}-00000-of-00001.parquet", cfg, split)
        for cfg in ("main", "socratic")
        for split in ("train", "test")
    ),
    card_configs=(
        _card_config("main", ("train", "test")),
        _card_config("socratic", ("train", "test")),
    ),
    raw_schema={"main": _GSM8K_SCHEMA, "socratic": _GSM8K_SCHEMA},
    citation=(
        "@article{cobbe2021gsm8k,\n"
        "  title={Training Verifiers to Solve Math Word Problems},\n"
        "  author={Cobbe, Karl and Kosaraju, Vineet and Bavarian, Mohammad and Chen, Mark and "
        "Jun, Heewoo and Kaiser, Lukasz and Plappert, Matthias and Tworek, Jerry and "
        "Hilton, Jacob and Nakano, Reiichiro and Hesse, Christopher and Schulman, John},\n"
        "  journal={arXiv preprint arXiv:2110.14168},\n"
        "  year={2021}\n"
        "}"
    ),
    tags=("math", "word-problems", "arithmetic", "reasoning", "english"),
)

# ---------------------------------------------------------------------------------------
# MATH (hendrycks_math, MATH-500)
# ---------------------------------------------------------------------------------------

MATH_SUBJECTS: dict[str, str] = {
    "algebra": "Algebra",
    "counting_and_probability": "Counting & Probability",
    "geometry": "Geometry",
    "intermediate_algebra": "Intermediate Algebra",
    "number_theory": "Number Theory",
    "prealgebra": "Prealgebra",
    "precalculus": "Precalculus",
}


_HENDRYCKS_SCHEMA: Schema = {
    "problem": pl.String,
    "level": pl.String,
    "type": pl.String,
    "solution": pl.String,
}


_MATH_CITATION = (
    "@article{hendrycksmath2021,\n"
    "  title={Measuring Mathematical Problem Solving With the MATH Dataset},\n"
    "  author={Hendrycks, Dan and Burns, Collin and Kadavath, Saurav and Arora, Akul and "
    "Basart, Steven and Tang, Eric and Song, Dawn and Steinhardt, Jacob},\n"
    "  journal={NeurIPS},\n"
    "  year={2021}\n"
    "}"
)

HENDRYCKS_MATH = DatasetSpec(
    name="hendrycks_math",
    repo="EleutherAI/hendrycks_math",
    family="math",
    description=(
        "MATH: 12.5K competition problems (AMC, AIME...) in 7 subjects and 5 levels, with "
        "LaTeX solutions. `expected` is the content of the last \\boxed{} of the solution "
        "(null in the few solutions without one). Our config 'all' (the default) unions the "
        "7 subject configs of the Hub, which has no default config."
    ),
    license="mit",
    domain="math",
    task_type="free-form answer",
    configs=("all", *MATH_SUBJECTS),
    default_config="all",
    default_split=None,
    columns={
        "id": default_id(),
        "input": pl.col("problem"),
        "expected": last_boxed("solution"),
        "solution": pl.col("solution"),
        "level": pl.col("level").str.extract(r"(\d+)", 1).cast(pl.Int64),
        "subject": pl.col("type"),
    },
    hub_configs={"all": tuple(MATH_SUBJECTS)},
    hub_files=tuple(
        HubFile(f"{cfg}/{split}-00000-of-00001.parquet", cfg, split)
        for cfg in MATH_SUBJECTS
        for split in ("train", "test")
    ),
    card_configs=tuple(_card_config(cfg, ("train", "test")) for cfg in MATH_SUBJECTS),
    raw_schema=dict.fromkeys(MATH_SUBJECTS, _HENDRYCKS_SCHEMA),
    citation=_MATH_CITATION,
    tags=("math", "competition-math", "latex", "reasoning", "english"),
)

_MATH_500_SCHEMA: Schema = {
    "problem": pl.String,
    "solution": pl.String,
    "answer": pl.String,
    "subject": pl.String,
    "level": pl.Int64,
    "unique_id": pl.String,
}


MATH_500 = DatasetSpec(
    name="math_500",
    repo="HuggingFaceH4/MATH-500",
    family="math",
    description=(
        "MATH-500: the 500-problem subset of the MATH test set used in 'Let's Verify Step by "
        "Step' (OpenAI PRM800K). `expected` is the dataset's own `answer` column; `id` is its "
        "`unique_id` (e.g. 'test/precalculus/807.json')."
    ),
    license="mit (from openai/prm800k; the card declares none)",
    domain="math",
    task_type="free-form answer",
    configs=("default",),
    default_config="default",
    default_split="test",
    columns={
        "id": pl.col("unique_id"),
        "input": pl.col("problem"),
        "expected": pl.col("answer").cast(pl.String),
        "solution": pl.col("solution"),
        "level": pl.col("level").cast(pl.Int64),
        "subject": pl.col("subject"),
    },
    hub_files=(HubFile("test.jsonl", "default", "test"),),
    card_configs=None,
    raw_schema={"default": _MATH_500_SCHEMA},
    citation=(
        "@article{lightman2023lets,\n"
        "  title={Let's Verify Step by Step},\n"
        "  author={Lightman, Hunter and Kosaraju, Vineet and Burda, Yura and Edwards, Harri and "
        "Baker, Bowen and Lee, Teddy and Leike, Jan and Schulman, John and Sutskever, Ilya and "
        "Cobbe, Karl},\n"
        "  journal={arXiv preprint arXiv:2305.20050},\n"
        "  year={2023}\n"
        "}"
    ),
    tags=("math", "competition-math", "latex", "reasoning", "english"),
)

# ---------------------------------------------------------------------------------------
# DeepMath-103K
# ---------------------------------------------------------------------------------------

_DEEPMATH_SCHEMA: Schema = {
    "question": pl.String,
    "final_answer": pl.String,
    "difficulty": pl.Float64,
    "topic": pl.String,
    "r1_solution_1": pl.String,
    "r1_solution_2": pl.String,
    "r1_solution_3": pl.String,
}


# The card does not give the shard count; 10 is what `push_to_hub` writes for a 4.96 GB
# dataset (500 MB shards). Loaders should glob `data/train-*`.
_DEEPMATH_SHARDS = 10

DEEPMATH = DatasetSpec(
    name="deepmath",
    repo="zwhe99/DeepMath-103K",
    family="math",
    description=(
        "DeepMath-103K: 103K hard, decontaminated math problems (difficulty mostly 5-9) with "
        "verifiable final answers and three DeepSeek-R1 solutions each. `expected` is "
        "`final_answer`; `solution` is `r1_solution_1`; `subject` is the topic path; "
        "`difficulty` (Float64) is kept. About 2 GB of Parquet, mostly R1 traces."
    ),
    license="mit",
    domain="math",
    task_type="free-form answer",
    configs=("default",),
    default_config="default",
    default_split="train",
    columns={
        "id": default_id(),
        "input": pl.col("question"),
        "expected": pl.col("final_answer").cast(pl.String),
        "solution": pl.col("r1_solution_1"),
        "subject": pl.col("topic"),
        "difficulty": pl.col("difficulty").cast(pl.Float64),
    },
    hub_files=tuple(
        HubFile(f"data/train-{i:05d}-of-{_DEEPMATH_SHARDS:05d}.parquet", "default", "train")
        for i in range(_DEEPMATH_SHARDS)
    ),
    card_configs=(
        {"config_name": "default", "data_files": [{"split": "train", "path": "data/train-*"}]},
    ),
    raw_schema={"default": _DEEPMATH_SCHEMA},
    citation=(
        "He et al., 2025, DeepMath-103K: A Large-Scale, Challenging, Decontaminated, and "
        "Verifiable Mathematical Dataset for Advancing Reasoning (arXiv:2504.11456)"
    ),
    tags=("math", "reasoning", "rl", "long-cot", "english"),
)

# ---------------------------------------------------------------------------------------
# POLARIS-53K
# ---------------------------------------------------------------------------------------

_POLARIS_SCHEMA: Schema = {"problem": pl.String, "answer": pl.String, "difficulty": pl.String}


def _fraction(col: str) -> pl.Expr:
    """``"k/n"`` -> k / n as Float64; a plain number is cast as is."""
    text = pl.col(col).cast(pl.String).str.strip_chars()
    num = text.str.extract(r"^([0-9.]+)\s*/", 1).cast(pl.Float64, strict=False)
    den = text.str.extract(r"/\s*([0-9.]+)$", 1).cast(pl.Float64, strict=False)
    return pl.coalesce(num / den, text.cast(pl.Float64, strict=False))


POLARIS = DatasetSpec(
    name="polaris",
    repo="POLARIS-Project/Polaris-Dataset-53K",
    family="math",
    description=(
        "POLARIS-53K: 53K math problems with final answers, filtered for RL on reasoning "
        "models. The source's `difficulty` is 'k/8', the share of 8 samples of "
        "DeepSeek-R1-Distill-Qwen-7B that solved the problem; it is exposed as `pass_rate` "
        "(Float64, k/8: higher is easier)."
    ),
    license="apache-2.0",
    domain="math",
    task_type="free-form answer",
    configs=("default",),
    default_config="default",
    default_split="train",
    columns={
        "id": default_id(),
        "input": pl.col("problem"),
        "expected": pl.col("answer").cast(pl.String),
        "pass_rate": _fraction("difficulty"),
    },
    hub_files=(HubFile("polaris-data-53K.jsonl", "default", "train"),),
    card_configs=None,
    raw_schema={"default": _POLARIS_SCHEMA},
    citation=(
        "An et al., 2025, POLARIS: A Post-Training Recipe for Scaling Reinforcement Learning "
        "on Advanced Reasoning Models (blog post, POLARIS-Project)"
    ),
    tags=("math", "reasoning", "rl", "english"),
)

SPECS: tuple[DatasetSpec, ...] = (GSM8K, MATH_500, HENDRYCKS_MATH, DEEPMATH, POLARIS)
