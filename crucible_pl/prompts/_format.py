"""``PromptFormat``: one prompt format written down as data (template strings).

A template is text with ``{field}`` placeholders (``{{`` and ``}}`` for literal braces),
where each field is a named Polars expression over the canonical columns
(:data:`crucible_pl.prompts._fields.FIELDS`). A format is rendered the way
lm-evaluation-harness assembles a prompt: the ``header`` once, then each few-shot
example as ``question + target_delimiter + answer + fewshot_delimiter``, then the item's
``question``.

Examples
--------
>>> from crucible_pl.prompts._format import PromptFormat, template_fields
>>> fmt = PromptFormat(
...     name="qa", family="generation", source="ours", reproduces="a plain Q/A prompt",
...     question="Q: {input}\\nA:", answer="{expected}",
... )
>>> template_fields(fmt.question)
['input']
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from typing import Literal

__all__ = ["PromptFormat", "Shot", "split_template", "template_fields"]

Sampler = Literal["hash", "first"]


@dataclass(frozen=True)
class Shot:
    """A fixed few-shot example that is part of a format (its question and answer)."""

    question: str
    answer: str


@dataclass(frozen=True)
class PromptFormat:
    """A prompt format: templates and delimiters, with the source it reproduces.

    Attributes
    ----------
    name
        The name to ask for it by (``"mmlu"``, ``"gsm8k_cot"``...).
    family
        The dataset family whose canonical columns its templates read.
    source
        Where the format comes from (file and commit of a published harness, or ours).
    reproduces
        What text it reproduces, in a sentence (shown in the formats table).
    question
        Template of the item's text, the last part of every prompt.
    answer
        Template of a few-shot example's answer; empty for formats without few-shot.
    header
        Template rendered once before everything (lm-eval's ``description``); it may
        read the item's fields, such as ``{subject_words}``.
    target_delimiter
        Between a question and its answer (also before each continuation).
    fewshot_delimiter
        After each few-shot example.
    continuation
        Template of one answer option as a model's continuation, over ``{choice}`` and
        ``{letter}``, for formats scored by log-likelihood (lm-eval's ``doc_to_choice``);
        ``None`` for generation formats.
    fixed_shots
        Few-shot examples that belong to the format (gsm8k_cot's eight, minerva_math's
        four), rendered with ``question``/``answer`` before any drawn from data.
    sampler
        How lm-eval draws few-shot examples for this format: ``"first"`` (the first k
        of the few-shot split, its ``first_n``) or ``"hash"`` (ours: per item, by the
        pinned hash). The default of :meth:`Dataset.with_fewshot`.
    fewshot_split
        The split lm-eval draws few-shot examples from, when it names one.
    """

    name: str
    family: str
    source: str
    reproduces: str
    question: str
    answer: str = ""
    header: str = ""
    target_delimiter: str = " "
    fewshot_delimiter: str = "\n\n"
    continuation: str | None = None
    fixed_shots: tuple[Shot, ...] = ()
    sampler: Sampler = "hash"
    fewshot_split: str | None = None

    def fields(self) -> list[str]:
        """Every field the format's templates read, in first-use order."""
        names: list[str] = []
        for template in (self.header, self.question, self.answer):
            names += [n for n in template_fields(template) if n not in names]
        return names


def split_template(template: str) -> list[tuple[str, str | None]]:
    """``template`` as (literal text, field name or None) pairs, braces unescaped.

    Examples
    --------
    >>> split_template("Q: {input}\\nA: {{x}}")
    [('Q: ', 'input'), ('\\nA: {x}', None)]
    """
    parts: list[tuple[str, str | None]] = []
    for literal, field, spec, conversion in string.Formatter().parse(template):
        if spec or conversion:
            raise ValueError(f"template field {{{field}}} takes no format spec or conversion")
        if parts and parts[-1][1] is None:  # an escaped brace splits a literal: join it
            literal = parts.pop()[0] + literal
        parts.append((literal, field))
    return parts


def template_fields(template: str) -> list[str]:
    """The field names ``template`` reads, in order of first use."""
    names: list[str] = []
    for _, field in split_template(template):
        if field is not None and field not in names:
            names.append(field)
    return names
