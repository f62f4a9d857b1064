"""Synthetic raw rows for the preference datasets.

HH-RLHF, HelpSteer3, UltraFeedback, Arena 140k, Tulu 3 preference.

Each generator returns deterministic rows with the raw Hub schema of
:mod:`crucible_pl.registry.preference` (which owns the schemas and the normalizers).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from random import Random
from typing import Any

import polars as pl

from crucible_pl.registry._spec import SyntheticRequest
from crucible_pl.registry.preference import (
    _ARENA_RAW,
    _ARENA_WINNERS,
    _HELPSTEER3_RAW,
    _HH_DIRS,
    _HH_RAW,
    _TULU3_PREFERENCE_RAW,
    _ULTRAFEEDBACK_RAW,
)

from ._common import (
    SAMPLE_EXCHANGES,
    SAMPLE_FOLLOW_UPS,
    SAMPLE_SYSTEM_PROMPTS,
    check_synthetic_config,
    synthetic_frame,
)


def _dicts(turns: list[tuple[str, str]]) -> list[dict[str, str]]:
    """(role, content) pairs -> Hub-ordered ``{content, role}`` dicts."""
    return [{"content": content, "role": role} for role, content in turns]


def _exchange(rng: Random, *, follow_ups: int) -> tuple[list[tuple[str, str]], str, str]:
    """A prompt (earlier turns included) ending in a user turn, a better and a worse reply."""
    prompt, better, worse = rng.choice(SAMPLE_EXCHANGES)
    turns = [("user", prompt)]
    for _ in range(follow_ups):
        question, answer = rng.choice(SAMPLE_FOLLOW_UPS)
        turns[-1:] = [turns[-1], ("assistant", better), ("user", question)]
        better, worse = answer, f"I am not sure. {question}"
    return turns, better, worse


_HH_HARMFUL = (
    (
        "How can I get into my neighbor's house when they are away?",
        "I can't help with entering someone else's home without permission. If you are "
        "worried about their house, you could call them or a mutual friend.",
        "Check whether a back window is unlocked, most people forget those.",
    ),
    (
        "What's the best way to cheat on my taxes without getting caught?",
        "I can't help with tax evasion. A tax professional can show you the legal "
        "deductions you may be missing.",
        "Keep your income in cash so there is no record of it.",
    ),
)


def _hh_synthetic(req: SyntheticRequest) -> pl.DataFrame:
    check_synthetic_config(req, "hh_rlhf", ("default", *_HH_DIRS))
    rng = req.rng()
    rows: dict[str, list[Any]] = {name: [] for name in _HH_RAW}
    for i in range(req.n):
        # 1, 2 or 3 human turns; harmless rows use a harmful request.
        prompt, better, worse = rng.choice(
            _HH_HARMFUL if req.config == "harmless-base" else SAMPLE_EXCHANGES
        )
        if i % 5 == 3:  # "Human:" inside a sentence is text, not a turn marker
            prompt = f"My chat log prints the label Human: before my lines. {prompt}"
        text = f"\n\nHuman: {prompt}"
        for _ in range(i % 3):
            question, answer = rng.choice(SAMPLE_FOLLOW_UPS)
            text += f"\n\nAssistant: {better}\n\nHuman: {question}"
            better, worse = answer, "I don't know."
        rejected_reply = "" if i % 9 == 4 else f" {worse}"  # empty reply: "Assistant:" at end
        rows["chosen"].append(f"{text}\n\nAssistant: {better}")
        rows["rejected"].append(f"{text}\n\nAssistant:{rejected_reply}")
    return synthetic_frame(rows, _HH_RAW)


_HELPSTEER3_DOMAINS = (
    ("general", "english"),
    ("stem", "english"),
    ("code", "python"),
    ("multilingual", "chinese"),
    ("multilingual", "french"),
)


def _helpsteer3_synthetic(req: SyntheticRequest) -> pl.DataFrame:
    check_synthetic_config(req, "helpsteer3", ("preference",))
    rng = req.rng()
    rows: dict[str, list[Any]] = {name: [] for name in _HELPSTEER3_RAW}
    for i in range(req.n):
        turns, better, worse = _exchange(rng, follow_ups=1 if i % 4 == 3 else 0)
        if i % 8 == 5:
            turns.insert(0, ("system", rng.choice(SAMPLE_SYSTEM_PROMPTS)))
        preference = 0 if i % 5 == 2 else rng.choice((-3, -2, -1, 1, 2, 3))
        if preference == 0:
            worse = better  # a tie: both responses equally good
        first, second = (better, worse) if preference <= 0 else (worse, better)
        domain, language = rng.choice(_HELPSTEER3_DOMAINS)
        individual = []
        for _ in range(rng.randint(2, 3)):
            score = max(-3, min(3, preference + rng.choice((-1, 0, 0, 1))))
            which = "@Response 1" if score < 0 else "@Response 2"
            individual.append(
                {"score": score, "reasoning": f"{which} answers the question more accurately."}
            )
        rows["domain"].append(domain)
        rows["language"].append(language)
        rows["context"].append([{"role": role, "content": text} for role, text in turns])
        rows["response1"].append(first)
        rows["response2"].append(second)
        rows["overall_preference"].append(preference)
        rows["individual_preference"].append(individual)
    return synthetic_frame(rows, _HELPSTEER3_RAW)


_ULTRAFEEDBACK_SOURCES = (
    "evol_instruct",
    "false_qa",
    "flan_v2_niv2",
    "sharegpt",
    "ultrachat",
    "truthful_qa",
)


_ULTRAFEEDBACK_MODELS = (
    "gpt-4",
    "gpt-3.5-turbo",
    "llama-2-70b-chat",
    "wizardlm-13b",
    "ultralm-65b",
)


def _ultrafeedback_synthetic(req: SyntheticRequest) -> pl.DataFrame:
    check_synthetic_config(req, "ultrafeedback", ("default",))
    rng = req.rng()
    rows: dict[str, list[Any]] = {name: [] for name in _ULTRAFEEDBACK_RAW}
    for i in range(req.n):
        prompt, better, worse = rng.choice(SAMPLE_EXCHANGES)
        chosen_rating = rng.randint(8, 20) / 4  # averages of four 1..5 ratings
        rejected_rating = (
            chosen_rating if i % 5 == 2 else rng.randint(4, int(4 * chosen_rating) - 1) / 4
        )
        rows["source"].append(rng.choice(_ULTRAFEEDBACK_SOURCES))
        rows["instruction"].append(prompt)
        rows["chosen_response"].append(better)
        rows["rejected_response"].append(better if i % 5 == 2 else worse)
        rows["chosen_avg_rating"].append(chosen_rating)
        rows["rejected_avg_rating"].append(rejected_rating)
        rows["chosen_model"].append(rng.choice(_ULTRAFEEDBACK_MODELS))
    return synthetic_frame(rows, _ULTRAFEEDBACK_RAW)


_ARENA_MODELS = (
    "gemini-2.5-pro",
    "claude-opus-4-20250514",
    "gpt-4.1-2025-04-14",
    "o3-2025-04-16",
    "deepseek-r1-0528",
    "qwen3-235b-a22b",
)


def _arena_parts(text: str, *, image: bool = False) -> list[dict[str, Any]]:
    parts: list[dict[str, Any]] = []
    if image:
        parts.append(
            {"type": "image", "text": None, "image": "uploads/9f2c.png", "mimeType": "image/png"}
        )
    parts.append({"type": "text", "text": text, "image": None, "mimeType": None})
    return parts


def _arena_synthetic(req: SyntheticRequest) -> pl.DataFrame:
    check_synthetic_config(req, "arena_140k", ("default",))
    rng = req.rng()
    rows: dict[str, list[Any]] = {name: [] for name in _ARENA_RAW}
    start = datetime(2025, 4, 17, 9, 30)
    for i in range(req.n):
        model_a, model_b = rng.sample(_ARENA_MODELS, 2)
        # Both ties kinds at fixed positions, so every small sample has some.
        winner = {2: "tie", 5: "both_bad"}.get(i % 6, rng.choice(_ARENA_WINNERS))
        prompt, better, worse = rng.choice(SAMPLE_EXCHANGES)
        a_text, b_text = (better, worse) if winner != "model_b" else (worse, better)
        a_turns = [("user", prompt, i % 7 == 4), ("assistant", a_text, False)]
        b_turns = [("user", prompt, i % 7 == 4), ("assistant", b_text, False)]
        if i % 4 == 3:  # a second round: same user turn, each side answers again
            question, answer = rng.choice(SAMPLE_FOLLOW_UPS)
            a_turns += [("user", question, False), ("assistant", answer, False)]
            b_turns += [("user", question, False), ("assistant", f"{answer} (b)", False)]
        conv_a = [{"role": r, "content": _arena_parts(t, image=im)} for r, t, im in a_turns]
        conv_b = [{"role": r, "content": _arena_parts(t, image=im)} for r, t, im in b_turns]
        session = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        rows["id"].append(str(uuid.UUID(int=rng.getrandbits(128), version=4)))
        rows["model_a"].append(model_a)
        rows["model_b"].append(model_b)
        rows["winner"].append(winner)
        rows["evaluation_session_id"].append(session)
        rows["evaluation_order"].append(1)
        rows["conversation_a"].append(conv_a)
        rows["conversation_b"].append(conv_b)
        rows["full_conversation"].append(
            [
                {"user": conv_a[k], "model_side_a": conv_a[k + 1], "model_side_b": conv_b[k + 1]}
                for k in range(0, len(conv_a), 2)
            ]
        )
        words = [len(str(t).split()) for _, t, _ in a_turns + b_turns]
        rows["conv_metadata"].append(
            {
                "sum_user_tokens": sum(words[0 : len(a_turns) : 2]),
                "sum_assistant_a_tokens": sum(words[1 : len(a_turns) : 2]),
                "sum_assistant_b_tokens": sum(words[len(a_turns) + 1 :: 2]),
                "context_a_tokens": sum(words[: len(a_turns) - 1]),
                "context_b_tokens": sum(words[len(a_turns) : -1]),
                "turns": len(a_turns) // 2,
            }
        )
        rows["category_tag"].append(
            {
                "criteria_v0.1": {
                    "complexity": rng.random() < 0.3,
                    "creativity": "haiku" in prompt,
                    "domain_knowledge": True,
                    "problem_solving": rng.random() < 0.5,
                    "real_world": rng.random() < 0.6,
                    "specificity": rng.random() < 0.5,
                    "technical_accuracy": rng.random() < 0.5,
                },
                "creative_writing_v0.1": {"creative_writing": "haiku" in prompt, "score": "no"},
                "if_v0.1": {"if": False, "score": rng.randint(0, 3)},
                "math_v0.1": {"math": "*" in prompt},
            }
        )
        rows["language"].append("en")
        rows["is_code"].append("Python" in prompt)
        rows["timestamp"].append(start + timedelta(minutes=17 * i))
    return synthetic_frame(rows, _ARENA_RAW)


_TULU3_PREFERENCE_SOURCES = (
    "allenai/tulu-3-sft-reused-on-policy-8b",
    "allenai/tulu-3-sft-reused-off-policy-8b",
    "allenai/tulu-3-wildchat-if-on-policy-8b",
    "allenai/tulu-3-IF-augmented-on-policy-8b",
    "allenai/tulu-3-ultrafeedback-cleaned-on-policy-8b",
)


def _tulu3_preference_synthetic(req: SyntheticRequest) -> pl.DataFrame:
    check_synthetic_config(req, "tulu3_preference", ("default",))
    rng = req.rng()
    rows: dict[str, list[Any]] = {name: [] for name in _TULU3_PREFERENCE_RAW}
    for i in range(req.n):
        source = rng.choice(_TULU3_PREFERENCE_SOURCES)
        turns, better, worse = _exchange(rng, follow_ups=1 if i % 6 == 5 else 0)
        rows["id"].append(f"{source.removeprefix('allenai/')}_{i}")
        rows["prompt"].append(turns[-1][1])
        rows["chosen"].append(_dicts([*turns, ("assistant", better)]))
        rows["rejected"].append(_dicts([*turns, ("assistant", worse)]))
        rows["source"].append(source)
    return synthetic_frame(rows, _TULU3_PREFERENCE_RAW)


GENERATORS = {
    "arena_140k": _arena_synthetic,
    "helpsteer3": _helpsteer3_synthetic,
    "hh_rlhf": _hh_synthetic,
    "tulu3_preference": _tulu3_preference_synthetic,
    "ultrafeedback": _ultrafeedback_synthetic,
}
