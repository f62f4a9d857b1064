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
>>> from crucible_pl.registry._spec import SyntheticRequest
>>> from crucible_pl.registry.math import GSM8K
>>> raw = GSM8K.synthetic(SyntheticRequest("main", "test", 2))
>>> GSM8K.normalize(raw.lazy(), config="main", split="test").collect().columns
['id', 'input', 'expected', 'solution']
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

import polars as pl

from crucible_pl.errors import ConfigNotFoundError
from crucible_pl.registry._extract import gsm8k_answer, last_boxed
from crucible_pl.registry._spec import DatasetSpec, HubFile, SyntheticRequest, default_id

__all__ = ["DEEPMATH", "GSM8K", "HENDRYCKS_MATH", "MATH_500", "MATH_SUBJECTS", "POLARIS", "SPECS"]

Schema = Mapping[str, pl.DataType | type[pl.DataType]]


def _card_config(name: str, splits: tuple[str, ...], **extra: Any) -> dict[str, Any]:
    """One entry of a card's YAML ``configs:`` list, shaped as ``yaml.safe_load`` gives it."""
    files = [{"split": s, "path": f"{name}/{s}-*"} for s in splits]
    return {"config_name": name, **extra, "data_files": files}


def _frame(rows: dict[str, list[Any]], schema: Schema) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=dict(schema))


def _schema_for(spec_name: str, schemas: Mapping[str, Schema], config: str) -> Schema:
    if config not in schemas:
        valid = ", ".join(schemas)
        raise ConfigNotFoundError(
            f"No synthetic rows for config {config!r} of {spec_name!r}. "
            f"Available configs: {valid}. Pass one of them in SyntheticRequest.",
            dataset=spec_name,
            config=config,
        )
    return schemas[config]


_NAMES = ("Janet", "Tom", "Maria", "Ahmed", "Li", "Sofia", "James", "Priya", "Kofi", "Elena")
_PRONOUN = {
    "Janet": "She",
    "Tom": "He",
    "Maria": "She",
    "Ahmed": "He",
    "Li": "She",
    "Sofia": "She",
    "James": "He",
    "Priya": "She",
    "Kofi": "He",
    "Elena": "She",
}

# ---------------------------------------------------------------------------------------
# GSM8K
# ---------------------------------------------------------------------------------------

_GSM8K_SCHEMA: Schema = {"question": pl.String, "answer": pl.String}


def _gsm8k_problem(rng: random.Random) -> tuple[str, list[tuple[str, str]], str]:
    """A word problem: question, [(socratic sub-question, step)], final answer as written."""
    name = rng.choice(_NAMES)
    he = _PRONOUN[name]
    kind = rng.randrange(5)
    if kind == 0:  # small integer
        a, b, c = rng.randint(2, 30), rng.randint(2, 9), rng.randint(2, 12)
        bc, total = b * c, a + b * c
        question = (
            f"{name} has {a} apples. {he} buys {b} bags with {c} apples in each bag. "
            f"How many apples does {name} have now?"
        )
        step1 = f"{name} buys {b} * {c} = <<{b}*{c}={bc}>>{bc} apples."
        step2 = f"Now {he.lower()} has {a} + {bc} = <<{a}+{bc}={total}>>{total} apples."
        steps = [
            (f"How many apples are in the bags? ** {step1}", step1),
            (f"How many apples does {name} have? ** {step2}", step2),
        ]
        return question, steps, str(total)
    if kind == 1:  # thousands separator
        price = rng.randint(80, 900) * 1000
        pct = rng.choice((10, 15, 20, 25))
        down = price * pct // 100
        left = price - down
        question = (
            f"{name} buys a house for ${price:,}. {he} pays {pct}% up front and borrows the rest. "
            f"How much does {name} borrow?"
        )
        step1 = (
            f"The down payment is {price:,} * {pct}/100 = $<<{price}*{pct}/100={down}>>{down:,}."
        )
        step2 = (
            f"So {he.lower()} borrows {price:,} - {down:,} = $<<{price}-{down}={left}>>{left:,}."
        )
        steps = [
            (f"How much is the down payment? ** {step1}", step1),
            (f"How much does {name} borrow? ** {step2}", step2),
        ]
        return question, steps, f"{left:,}"
    if kind == 2:  # negative
        noon, drop = rng.randint(1, 15), rng.randint(16, 30)
        end = noon - drop
        question = (
            f"The temperature was {noon} degrees at noon and fell by {drop} degrees by midnight. "
            "What was the temperature at midnight?"
        )
        step = f"At midnight it was {noon} - {drop} = <<{noon}-{drop}={end}>>{end} degrees."
        return question, [(f"What was the temperature at midnight? ** {step}", step)], str(end)
    if kind == 3:  # decimal
        hours = rng.choice((2, 4, 5, 8))
        miles = hours * rng.randint(3, 9) + hours // 2
        speed = miles / hours
        question = (
            f"{name} runs {miles} miles in {hours} hours. How many miles per hour does {name} run?"
        )
        step = (
            f"{he} runs {miles} / {hours} = <<{miles}/{hours}={speed:g}>>{speed:g} miles per hour."
        )
        return question, [(f"How fast does {name} run? ** {step}", step)], f"{speed:g}"
    # dollars
    eggs, eaten, price = rng.randint(10, 20), rng.randint(1, 5), rng.randint(2, 4)
    sold = eggs - eaten
    money = sold * price
    question = (
        f"{name}'s hens lay {eggs} eggs per day. {he} eats {eaten} and sells the rest for "
        f"${price} per egg. How much in dollars does {he.lower()} make every day?"
    )
    step1 = f"{name} sells {eggs} - {eaten} = <<{eggs}-{eaten}={sold}>>{sold} eggs a day."
    step2 = f"{he} makes {sold} * {price} = $<<{sold}*{price}={money}>>{money} every day."
    steps = [
        (f"How many eggs does {name} sell? ** {step1}", step1),
        (f"How much does {name} make? ** {step2}", step2),
    ]
    return question, steps, f"${money}"


def _gsm8k_synthetic(req: SyntheticRequest) -> pl.DataFrame:
    schema = _schema_for("gsm8k", {"main": _GSM8K_SCHEMA, "socratic": _GSM8K_SCHEMA}, req.config)
    rng = req.rng()
    questions: list[str] = []
    answers: list[str] = []
    for _ in range(req.n):
        question, steps, final = _gsm8k_problem(rng)
        lines = [soc if req.config == "socratic" else plain for soc, plain in steps]
        questions.append(question)
        answers.append("\n".join([*lines, f"#### {final}"]))
    return _frame({"question": questions, "answer": answers}, schema)


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
    synthetic=_gsm8k_synthetic,
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


def _math_problem(rng: random.Random) -> tuple[str, str, str]:
    """A MATH-style (problem, solution, answer) with the answer boxed in the solution."""
    kind = rng.randrange(6)
    if kind == 0:  # fraction: nested braces
        p, q = rng.randint(1, 9), rng.randint(10, 19)
        answer = rf"\frac{{{p}}}{{{q}}}"
        problem = rf"What is the probability of drawing one of ${p}$ red balls from ${q}$ balls?"
        solution = (
            rf"There are ${q}$ equally likely draws and ${p}$ of them are red, so the "
            rf"probability is $\boxed{{{answer}}}$."
        )
    elif kind == 1:  # remainder: several boxes, the last counts
        a, b = rng.randint(100, 999), rng.randint(3, 12)
        answer = str(a % b)
        problem = rf"What is the remainder when ${a}$ is divided by ${b}$?"
        solution = (
            rf"Dividing, ${a} = {b} \cdot {a // b} + {a % b}$: the quotient is "
            rf"$\boxed{{{a // b}}}$ and the remainder is $\boxed{{{answer}}}$."
        )
    elif kind == 2:  # radical
        k, m = rng.randint(2, 5), rng.choice((2, 3, 5, 7))
        answer = rf"{k}\sqrt{{{m}}}"
        problem = rf"Simplify $\sqrt{{{k * k * m}}}$."
        solution = (
            rf"We have $\sqrt{{{k * k * m}}} = \sqrt{{{k * k}}}\cdot\sqrt{{{m}}} "
            rf"= \boxed{{{answer}}}$."
        )
    elif kind == 3:  # interval
        c = rng.randint(-9, 9)
        answer = rf"(-\infty, {c}]"
        problem = rf"Solve $2x - ({2 * c}) \le 0$. Express your answer in interval notation."
        solution = (
            rf"Adding ${2 * c}$ and dividing by $2$ gives $x \le {c}$, so "
            rf"$x \in \boxed{{{answer}}}$."
        )
    elif kind == 4:  # \fbox
        n = rng.randint(3, 12)
        answer = str(n * (n - 1) // 2)
        problem = (
            rf"Each of ${n}$ people shakes hands once with each other person. How many handshakes?"
        )
        solution = (
            rf"Each pair shakes once, so there are $\binom{{{n}}}{{2}} = \fbox{{{answer}}}$ "
            "handshakes."
        )
    else:  # set with escaped braces and a dfrac
        a = rng.randint(1, 6)
        answer = rf"\left\{{ -{a}, \dfrac{{{a}}}{{2}} \right\}}"
        problem = rf"Find all $x$ such that $(x + {a})(2x - {a}) = 0$."
        solution = (
            rf"The factors vanish at $x = -{a}$ and $x = \dfrac{{{a}}}{{2}}$, so "
            rf"$x \in \boxed{{{answer}}}$."
        )
    return problem, solution, answer


_HENDRYCKS_SCHEMA: Schema = {
    "problem": pl.String,
    "level": pl.String,
    "type": pl.String,
    "solution": pl.String,
}


def _hendrycks_synthetic(req: SyntheticRequest) -> pl.DataFrame:
    subjects = (*MATH_SUBJECTS, "all")
    _schema_for("hendrycks_math", dict.fromkeys(subjects, _HENDRYCKS_SCHEMA), req.config)
    rng = req.rng()
    rows: dict[str, list[Any]] = {"problem": [], "level": [], "type": [], "solution": []}
    for i in range(req.n):
        config = req.config if req.config != "all" else list(MATH_SUBJECTS)[i % len(MATH_SUBJECTS)]
        problem, solution, _ = _math_problem(rng)
        level = "Level ?" if rng.random() < 0.02 else f"Level {rng.randint(1, 5)}"
        rows["problem"].append(problem)
        rows["level"].append(level)
        rows["type"].append(MATH_SUBJECTS[config])
        rows["solution"].append(solution)
    return _frame(rows, _HENDRYCKS_SCHEMA)


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
    synthetic=_hendrycks_synthetic,
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


def _math_500_synthetic(req: SyntheticRequest) -> pl.DataFrame:
    _schema_for("math_500", {"default": _MATH_500_SCHEMA}, req.config)
    rng = req.rng()
    rows: dict[str, list[Any]] = {name: [] for name in _MATH_500_SCHEMA}
    numbers = rng.sample(range(5000), req.n) if req.n <= 5000 else list(range(req.n))
    for number in numbers:
        config = rng.choice(list(MATH_SUBJECTS))
        problem, solution, answer = _math_problem(rng)
        rows["problem"].append(problem)
        rows["solution"].append(solution)
        rows["answer"].append(answer)
        rows["subject"].append(MATH_SUBJECTS[config])
        rows["level"].append(rng.randint(1, 5))
        rows["unique_id"].append(f"{req.split}/{config}/{number}.json")
    return _frame(rows, _MATH_500_SCHEMA)


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
    synthetic=_math_500_synthetic,
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

_DEEPMATH_TOPICS = (
    "Mathematics -> Algebra -> Linear Algebra -> Matrices",
    "Mathematics -> Calculus -> Integral Calculus -> Techniques of Integration -> Single-variable",
    "Mathematics -> Number Theory -> Congruences",
    "Mathematics -> Discrete Mathematics -> Combinatorics",
    "Mathematics -> Applied Mathematics -> Statistics -> Probability -> Other",
    "Mathematics -> Calculus -> Differential Calculus -> Applications of Derivatives",
)


def _deepmath_synthetic(req: SyntheticRequest) -> pl.DataFrame:
    _schema_for("deepmath", {"default": _DEEPMATH_SCHEMA}, req.config)
    rng = req.rng()
    rows: dict[str, list[Any]] = {name: [] for name in _DEEPMATH_SCHEMA}
    for _ in range(req.n):
        kind = rng.randrange(3)
        if kind == 0:
            a = rng.randint(2, 9)
            question = rf"Evaluate the limit: $$\lim_{{x \to 0}} \frac{{\sin({a}x)}}{{x}}$$"
            answer = str(a)
        elif kind == 1:
            k = rng.randint(2, 6)
            question = rf"Compute $\int_0^1 {k + 1} x^{{{k}}} \, dx$."
            answer = "1"
        else:
            p = rng.choice((5, 7, 11, 13))
            question = (
                rf"Find the number of elements of order ${p}$ in the cyclic group "
                rf"$\mathbb{{Z}}_{{{p * p}}}$."
            )
            answer = str(p - 1)
        traces = []
        for _ in range(3):
            opening = rng.choice(("Okay, so I need to", "Alright, let me try to", "Hmm, I want to"))
            traces.append(
                f"{opening} work this out step by step.\n\n...\n\n**Final Answer**\n"
                rf"\boxed{{{answer}}}"
                f"\n</think>\n\nThe answer is $\\boxed{{{answer}}}$."
            )
        rows["question"].append(question)
        rows["final_answer"].append(answer)
        rows["difficulty"].append(rng.choice((3.0, 4.5, 5.0, 6.0, 6.5, 7.0, 8.0, 9.0)))
        rows["topic"].append(rng.choice(_DEEPMATH_TOPICS))
        rows["r1_solution_1"].append(traces[0])
        rows["r1_solution_2"].append(traces[1])
        rows["r1_solution_3"].append(traces[2])
    return _frame(rows, _DEEPMATH_SCHEMA)


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
    synthetic=_deepmath_synthetic,
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


def _polaris_synthetic(req: SyntheticRequest) -> pl.DataFrame:
    _schema_for("polaris", {"default": _POLARIS_SCHEMA}, req.config)
    rng = req.rng()
    rows: dict[str, list[Any]] = {name: [] for name in _POLARIS_SCHEMA}
    for _ in range(req.n):
        problem, _, answer = _math_problem(rng)
        rows["problem"].append(problem)
        rows["answer"].append(answer)
        rows["difficulty"].append(f"{rng.randint(0, 7)}/8")
    return _frame(rows, _POLARIS_SCHEMA)


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
    synthetic=_polaris_synthetic,
    citation=(
        "An et al., 2025, POLARIS: A Post-Training Recipe for Scaling Reinforcement Learning "
        "on Advanced Reasoning Models (blog post, POLARIS-Project)"
    ),
    tags=("math", "reasoning", "rl", "english"),
)

SPECS: tuple[DatasetSpec, ...] = (GSM8K, MATH_500, HENDRYCKS_MATH, DEEPMATH, POLARIS)
