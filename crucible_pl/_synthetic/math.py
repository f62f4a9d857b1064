"""Synthetic raw rows for the math datasets (GSM8K, MATH, MATH-500, DeepMath, Polaris).

Each generator returns deterministic rows with the raw Hub schema of
:mod:`crucible_pl.registry.math` (which owns the schemas and the normalizers).
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

import polars as pl

from crucible_pl.errors import ConfigNotFoundError
from crucible_pl.registry._spec import SyntheticRequest
from crucible_pl.registry.math import (
    _DEEPMATH_SCHEMA,
    _GSM8K_SCHEMA,
    _HENDRYCKS_SCHEMA,
    _MATH_500_SCHEMA,
    _POLARIS_SCHEMA,
    MATH_SUBJECTS,
    Schema,
)


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


GENERATORS = {
    "deepmath": _deepmath_synthetic,
    "gsm8k": _gsm8k_synthetic,
    "hendrycks_math": _hendrycks_synthetic,
    "math_500": _math_500_synthetic,
    "polaris": _polaris_synthetic,
}
