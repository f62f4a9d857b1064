"""Synthetic raw rows for the chat datasets (Tulu 3 SFT, No Robots, OpenThoughts3).

Each generator returns deterministic rows with the raw Hub schema of
:mod:`crucible_pl.registry.chat` (which owns the schemas and the normalizers).
"""

from __future__ import annotations

import hashlib
from random import Random
from typing import Any

import polars as pl

from crucible_pl.registry._spec import SyntheticRequest
from crucible_pl.registry.chat import (
    _NO_ROBOTS_RAW,
    _OPEN_THOUGHTS3_RAW,
    _TULU_SFT_RAW,
)

from ._common import (
    SAMPLE_EXCHANGES,
    SAMPLE_FOLLOW_UPS,
    SAMPLE_SYSTEM_PROMPTS,
    check_synthetic_config,
    synthetic_frame,
)


def _conversation(rng: Random, *, system: bool, turns: int) -> list[dict[str, str]]:
    """A realistic ``system? (user, assistant){turns}`` conversation as role/content dicts."""
    prompt, reply, _ = rng.choice(SAMPLE_EXCHANGES)
    out = [{"role": "system", "content": rng.choice(SAMPLE_SYSTEM_PROMPTS)}] if system else []
    out += [{"role": "user", "content": prompt}, {"role": "assistant", "content": reply}]
    for _ in range(turns - 1):
        question, answer = rng.choice(SAMPLE_FOLLOW_UPS)
        out += [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]
    return out


def _hub_order(turns: list[dict[str, str]]) -> list[dict[str, str]]:
    return [{"content": t["content"], "role": t["role"]} for t in turns]


_TULU_SFT_SOURCES = (
    ("oasst1", "ai2-adapt-dev/oasst1_converted"),
    ("ai2-adapt-dev/flan_v2_converted", "ai2-adapt-dev/flan_v2_converted"),
    ("personahub_math", "ai2-adapt-dev/personahub_math_v5_regen_149960"),
    ("wildchat", "ai2-adapt-dev/tulu_v3.9_wildchat_100k"),
    ("aya", "ai2-adapt-dev/tulu_v3.9_aya_100k"),
    ("no_robots", "ai2-adapt-dev/no_robots_converted"),
)


def _tulu3_sft_synthetic(req: SyntheticRequest) -> pl.DataFrame:
    check_synthetic_config(req, "tulu3_sft", ("default",))
    rng = req.rng()
    rows: dict[str, list[Any]] = {name: [] for name in _TULU_SFT_RAW}
    for i in range(req.n):
        prefix, source = rng.choice(_TULU_SFT_SOURCES)
        turns = _conversation(rng, system=i % 4 == 1, turns=1 + (i % 5 == 2) + (i % 7 == 3))
        rows["id"].append(f"{prefix}_{i}")
        rows["messages"].append(_hub_order(turns))
        rows["source"].append(source)
    return synthetic_frame(rows, _TULU_SFT_RAW)


_NO_ROBOTS_CATEGORIES = (
    "Generation",
    "Open QA",
    "Brainstorm",
    "Chat",
    "Rewrite",
    "Summarize",
    "Coding",
    "Classify",
    "Closed QA",
    "Extract",
)


def _no_robots_synthetic(req: SyntheticRequest) -> pl.DataFrame:
    check_synthetic_config(req, "no_robots", ("default",))
    rng = req.rng()
    rows: dict[str, list[Any]] = {name: [] for name in _NO_ROBOTS_RAW}
    for i in range(req.n):
        category = _NO_ROBOTS_CATEGORIES[i % len(_NO_ROBOTS_CATEGORIES)]
        chat = category == "Chat"  # Chat rows carry a persona system prompt and 2-3 turns
        turns = _conversation(rng, system=chat, turns=rng.randint(2, 3) if chat else 1)
        prompt = next(t["content"] for t in turns if t["role"] == "user")
        rows["prompt"].append(prompt)
        rows["prompt_id"].append(hashlib.sha256(prompt.encode()).hexdigest())
        rows["messages"].append(_hub_order(turns))
        rows["category"].append(category)
    return synthetic_frame(rows, _NO_ROBOTS_RAW)


_OPEN_THOUGHTS3_SOURCES = (
    ("math", "ai2-adapt-dev/openmath-2-math"),
    ("code", "nvidia/OpenCodeReasoning"),
    ("science", "organic-chemistry-questions"),
    ("science", "stackexchange-physics"),
)


def _open_thoughts3_synthetic(req: SyntheticRequest) -> pl.DataFrame:
    check_synthetic_config(req, "open_thoughts3", ("default",))
    rng = req.rng()
    rows: dict[str, list[Any]] = {name: [] for name in _OPEN_THOUGHTS3_RAW}
    for _ in range(req.n):
        domain, source = rng.choice(_OPEN_THOUGHTS3_SOURCES)
        prompt, reply, _worse = rng.choice(SAMPLE_EXCHANGES)
        thought = f"<think>\nOkay, the question is: {prompt} Let me work through it.\n</think>"
        rows["difficulty"].append(rng.randint(1, 10))
        rows["source"].append(source)
        rows["domain"].append(domain)
        rows["conversations"].append(
            [{"from": "human", "value": prompt}, {"from": "gpt", "value": f"{thought}\n\n{reply}"}]
        )
    return synthetic_frame(rows, _OPEN_THOUGHTS3_RAW)


GENERATORS = {
    "no_robots": _no_robots_synthetic,
    "open_thoughts3": _open_thoughts3_synthetic,
    "tulu3_sft": _tulu3_sft_synthetic,
}
