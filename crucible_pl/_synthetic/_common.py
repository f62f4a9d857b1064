"""What the synthetic generators share: sample conversations, config checks, typed frames."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from crucible_pl.errors import ConfigNotFoundError
from crucible_pl.registry._spec import SyntheticRequest

__all__ = [
    "SAMPLE_EXCHANGES",
    "SAMPLE_FOLLOW_UPS",
    "SAMPLE_SYSTEM_PROMPTS",
    "check_synthetic_config",
    "synthetic_frame",
]

SAMPLE_EXCHANGES: tuple[tuple[str, str, str], ...] = (
    (
        "How do I reverse a list in Python?",
        "Use `my_list.reverse()` to reverse it in place, or `my_list[::-1]` for a reversed copy.",
        "Lists cannot be reversed in Python.",
    ),
    (
        "What is the capital of Australia?",
        "The capital of Australia is Canberra.",
        "Sydney.",
    ),
    (
        "Write a haiku about autumn rain.",
        "Cold rain on the leaves,\nthe maple lets go of red,\npuddles hold the sky.",
        "Rain falls in autumn. It is wet and cold outside. The end.",
    ),
    (
        "Can you explain what a p-value is in one paragraph?",
        "A p-value is the probability of seeing data at least as extreme as yours if the "
        "null hypothesis were true. A small p-value means the data would be surprising "
        "under the null, which counts as evidence against it; it is not the probability "
        "that the null hypothesis is true.",
        "A p-value tells you the probability that your hypothesis is correct.",
    ),
    (
        "Summarize the plot of Romeo and Juliet in two sentences.",
        "Two teenagers from feuding families in Verona fall in love and marry in secret. "
        "A chain of misunderstandings ends with both taking their own lives, which finally "
        "reconciles their families.",
        "Romeo and Juliet is a play by Shakespeare.",
    ),
    (
        "How many grams are in a kilogram?",
        "There are 1,000 grams in a kilogram.",
        "There are 100 grams in a kilogram.",
    ),
    (
        "My neighbor's dog barks all night. What should I do?",
        "Start with a friendly conversation: your neighbor may not know. If that does not "
        "help, keep a log of the times and check your local noise rules before contacting "
        "your landlord or the city.",
        "Just call the police every night until they move.",
    ),
    (
        "Translate 'good morning' into Spanish and French.",
        "Spanish: 'buenos días'. French: 'bonjour'.",
        "Spanish: 'bonjour'. French: 'hola'.",
    ),
    (
        "Give me three tips for a job interview.",
        "1. Research the company.\n2. Prepare concrete examples of your work.\n3. Ask "
        "thoughtful questions at the end.",
        "Be yourself.",
    ),
    (
        "What is 17 * 23?",
        "17 * 23 = 391.",
        "17 * 23 = 401.",
    ),
)
"""(prompt, better reply, worse reply) triples for synthetic rows."""

SAMPLE_FOLLOW_UPS: tuple[tuple[str, str], ...] = (
    ("Thanks! Can you give an example?", "Sure: here is a short example that shows it."),
    ("Why is that?", "Because of how it is defined; the short version is above."),
    ("Could you make it shorter?", "Yes: the answer above, in one line."),
    ("Are you sure?", "Yes, I double-checked it."),
)
"""(user follow-up, assistant answer) pairs for multi-turn synthetic rows."""

SAMPLE_SYSTEM_PROMPTS: tuple[str, ...] = (
    "You are a helpful assistant.",
    "You are a concise assistant. Answer in as few words as possible.",
    "You are an expert tutor who explains things step by step.",
)
"""System prompts for synthetic conversations."""


def check_synthetic_config(req: SyntheticRequest, dataset: str, valid: Sequence[str]) -> None:
    """Raise :class:`ConfigNotFoundError` when a synthetic request names an unknown config.

    Examples
    --------
    >>> check_synthetic_config(SyntheticRequest("default", "train", 1), "toy", ("default",))
    >>> check_synthetic_config(SyntheticRequest("nope", "train", 1), "toy", ("default",))
    Traceback (most recent call last):
    ...
    crucible_pl.errors.ConfigNotFoundError: No synthetic rows for config 'nope' of 'toy'. ...
    """
    if req.config not in valid:
        msg = (
            f"No synthetic rows for config {req.config!r} of {dataset!r}. "
            f"Valid configs: {', '.join(valid)}. Pass one of them."
        )
        raise ConfigNotFoundError(msg, dataset=dataset, config=req.config, split=req.split)


def synthetic_frame(
    rows: Mapping[str, list[Any]], schema: Mapping[str, pl.DataType | type[pl.DataType]]
) -> pl.DataFrame:
    """Columns of Python values -> a frame with exactly ``schema`` (names, order, dtypes).

    Examples
    --------
    >>> synthetic_frame({"a": [1]}, {"a": pl.Int32}).schema
    Schema([('a', Int32)])
    """
    return pl.DataFrame({name: rows[name] for name in schema}, schema=dict(schema))
