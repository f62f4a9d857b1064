"""Synthetic raw rows for the multiple-choice datasets.

MMLU, MMLU-Pro, ARC, HellaSwag, TruthfulQA, WinoGrande, BoolQ, GPQA.

Each generator returns deterministic rows with the raw Hub schema of
:mod:`crucible_pl.registry.multiple_choice` (which owns the schemas and the normalizers).
"""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from random import Random
from typing import Any

import polars as pl

from crucible_pl.errors import ConfigNotFoundError
from crucible_pl.registry._choices import (
    Schema,
)
from crucible_pl.registry._mmlu_subjects import MMLU_STEM_SUBJECTS, MMLU_SUBJECTS
from crucible_pl.registry._spec import SyntheticRequest
from crucible_pl.registry.gpqa import (
    _GPQA_CONFIGS,
    _GPQA_RAW,
)
from crucible_pl.registry.mmlu import (
    _MMLU_PRO_RAW,
    _MMLU_RAW,
)
from crucible_pl.registry.multiple_choice import (
    _ARC_CONFIGS,
    _ARC_RAW,
    _BOOLQ_RAW,
    _HELLASWAG_RAW,
    _TQA_GEN_RAW,
    _TQA_MC_RAW,
    _WINOGRANDE_CONFIGS,
    _WINOGRANDE_RAW,
)


def _check_config(req: SyntheticRequest, dataset: str, valid: Sequence[str]) -> None:
    if req.config not in valid:
        msg = (
            f"No synthetic rows for config {req.config!r} of {dataset!r}. "
            f"Valid configs: {', '.join(valid)}. Pass one of them."
        )
        raise ConfigNotFoundError(msg, dataset=dataset, config=req.config, split=req.split)


def _frame(rows: Mapping[str, list[Any]], schema: Schema) -> pl.DataFrame:
    return pl.DataFrame(dict(rows), schema=dict(schema))


def _arithmetic_item(rng: Random, n_choices: int) -> tuple[str, list[str], int]:
    """A realistic-looking numeric question, its choices and the answer's position."""
    a, b = rng.randint(11, 99), rng.randint(3, 29)
    kind = rng.randrange(3)
    if kind == 0:
        question, answer = f"What is the value of {a} × {b}?", a * b
    elif kind == 1:
        question, answer = f"If x + {b} = {a + b}, what is x?", a
    else:
        question, answer = (
            f"A set has {a} elements. How many elements does it have after {b} are removed?",
            a - b,
        )
    wrong: set[int] = set()
    while len(wrong) < n_choices - 1:
        candidate = answer + rng.choice((-1, 1)) * rng.randint(1, 40)
        if candidate != answer:
            wrong.add(candidate)
    options = [str(v) for v in sorted(wrong)]
    pos = rng.randrange(n_choices)
    options.insert(pos, str(answer))
    return question, options, pos


def _mmlu_rows(req: SyntheticRequest, subjects: Sequence[str]) -> pl.DataFrame:
    rng = req.rng()
    rows: dict[str, list[Any]] = {name: [] for name in _MMLU_RAW}
    for _ in range(req.n):
        subject = req.config if req.config in subjects else rng.choice(subjects)
        if req.split == "auxiliary_train":
            subject = ""  # the auxiliary rows (RACE, ARC, OBQA, MCTest) carry no subject
        question, choices, answer = _arithmetic_item(rng, 4)
        rows["question"].append(f"({subject.replace('_', ' ')}) {question}")
        rows["subject"].append(subject)
        rows["choices"].append(choices)
        rows["answer"].append(answer)
    return _frame(rows, _MMLU_RAW)


def _mmlu_synthetic(req: SyntheticRequest) -> pl.DataFrame:
    _check_config(req, "mmlu", (*MMLU_SUBJECTS, "all", "auxiliary_train"))
    if req.config == "auxiliary_train":
        # The auxiliary_train config nests each row in one struct column, `train`.
        aux = SyntheticRequest(req.config, "auxiliary_train", req.n, req.seed)
        return _mmlu_rows(aux, MMLU_SUBJECTS).select(pl.struct(pl.all()).alias("train"))
    return _mmlu_rows(req, MMLU_SUBJECTS)


def _mmlu_stem_synthetic(req: SyntheticRequest) -> pl.DataFrame:
    _check_config(req, "mmlu_stem", (*MMLU_STEM_SUBJECTS, "default"))
    return _mmlu_rows(req, MMLU_STEM_SUBJECTS)


_MMLU_PRO_CATEGORIES = (
    "biology",
    "business",
    "chemistry",
    "computer science",
    "economics",
    "engineering",
    "health",
    "history",
    "law",
    "math",
    "other",
    "philosophy",
    "physics",
    "psychology",
)


def _mmlu_pro_synthetic(req: SyntheticRequest) -> pl.DataFrame:
    _check_config(req, "mmlu_pro", ("default",))
    rng = req.rng()
    rows: dict[str, list[Any]] = {name: [] for name in _MMLU_PRO_RAW}
    first_id = 70 if req.split == "test" else 0
    for i in range(req.n):
        category = rng.choice(_MMLU_PRO_CATEGORIES)
        n_options = rng.choice((10, 10, 10, 9, 8, 4, 3))
        question, options, answer = _arithmetic_item(rng, n_options)
        letter = string.ascii_uppercase[answer]
        cot = (
            f"A: Let's think step by step. Working it out gives {options[answer]}. "
            f"The answer is ({letter})."
            if req.split == "validation"
            else ""
        )
        rows["question_id"].append(first_id + i)
        rows["question"].append(question)
        rows["options"].append(options)
        rows["answer"].append(letter)
        rows["answer_index"].append(answer)
        rows["cot_content"].append(cot)
        rows["category"].append(category)
        rows["src"].append(
            rng.choice(("ori_mmlu-", "stemez-", "theoremQA-", "scibench-"))
            + category.replace(" ", "_")
        )
    return _frame(rows, _MMLU_PRO_RAW)


_ARC_ITEMS: tuple[tuple[str, tuple[str, ...]], ...] = (
    # (question, options with the correct one first)
    (
        "Which property of a mineral can be determined just by looking at it?",
        ("luster", "mass", "weight", "hardness"),
    ),
    (
        "A student pushes a cart across a flat floor. What force slows the cart down?",
        ("friction", "magnetism", "gravity pulling sideways", "buoyancy", "tension"),
    ),
    (
        "Which of these is a renewable resource?",
        ("wind", "coal", "natural gas"),
    ),
    (
        "Which organ system carries oxygen to the cells of the body?",
        ("circulatory system", "digestive system", "skeletal system", "nervous system"),
    ),
    (
        "What happens to water when it freezes?",
        ("It expands.", "It loses mass.", "It becomes denser.", "It turns into a gas."),
    ),
    (
        "Which tool would a student use to measure the volume of a liquid?",
        ("graduated cylinder", "balance", "thermometer", "meter stick"),
    ),
)


_ARC_ID_PREFIXES = ("Mercury", "MCAS_2004_8", "NYSEDREGENTS_2015_4", "ACTAAP_2009_5", "MDSA_2008_5")


def _arc_synthetic(req: SyntheticRequest) -> pl.DataFrame:
    _check_config(req, "arc", _ARC_CONFIGS)
    rng = req.rng()
    rows: dict[str, list[Any]] = {name: [] for name in _ARC_RAW}
    for i in range(req.n):
        question, options = rng.choice(_ARC_ITEMS)
        texts = list(options)
        rng.shuffle(texts)
        # About one ARC question in twenty labels its options 1..4 instead of A..D.
        digits = i % 5 == 1 or rng.random() < 0.05
        labels = [str(k + 1) if digits else string.ascii_uppercase[k] for k in range(len(texts))]
        rows["id"].append(f"{rng.choice(_ARC_ID_PREFIXES)}_{1000 + 17 * i + rng.randrange(17)}")
        rows["question"].append(question)
        rows["choices"].append({"text": texts, "label": labels})
        rows["answerKey"].append(labels[texts.index(options[0])])
    return _frame(rows, _ARC_RAW)


_HELLASWAG_SCENES: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    (
        "Removing ice from car",
        "Then, the man writes over the snow covering the window of a car, and a woman "
        "wearing winter clothes smiles.",
        "then",
        (
            ", the man continues removing the snow on his car.",
            ", the man adds wax to the windshield and cuts it.",
            ", a person board a ski lift, while two men supporting the head of the person.",
            ", the man puts on a christmas coat, knitted with netting.",
        ),
    ),
    (
        "Baking cookies",
        "A woman places a tray of dough balls into the oven and sets a timer.",
        "she",
        (
            "waits, then takes the golden cookies out and lets them cool on a rack.",
            "throws the timer into the sink and starts to sing.",
            "paints the oven door with a thin layer of glue.",
            "rides a bicycle around the kitchen table twice.",
        ),
    ),
    (
        "Playing the harmonica",
        "A young boy holds a harmonica up to his mouth in a living room.",
        "he",
        (
            "begins playing a simple tune while tapping his foot.",
            "eats the harmonica slowly while reading a book.",
            "places the harmonica in a fish tank and swims.",
            "throws a bowling ball at the television.",
        ),
    ),
)


def _hellaswag_synthetic(req: SyntheticRequest) -> pl.DataFrame:
    _check_config(req, "hellaswag", ("default",))
    rng = req.rng()
    raw_split = "val" if req.split == "validation" else req.split
    rows: dict[str, list[Any]] = {name: [] for name in _HELLASWAG_RAW}
    for i in range(req.n):
        activity, ctx_a, ctx_b, options = rng.choice(_HELLASWAG_SCENES)
        endings = list(options)
        rng.shuffle(endings)
        from_wikihow = rng.random() < 0.5
        source = (
            f"wikihow~{rng.randint(1000, 99999)}"
            if from_wikihow
            else f"activitynet~v_{''.join(rng.choices(string.ascii_letters, k=11))}"
        )
        rows["ind"].append(4 + 3 * i)
        rows["activity_label"].append(activity)
        rows["ctx_a"].append(ctx_a)
        rows["ctx_b"].append(ctx_b)
        rows["ctx"].append(f"{ctx_a} {ctx_b}")
        rows["endings"].append(endings)
        rows["source_id"].append(source)
        rows["split"].append(raw_split)
        rows["split_type"].append(rng.choice(("indomain", "zeroshot")))
        rows["label"].append("" if req.split == "test" else str(endings.index(options[0])))
    return _frame(rows, _HELLASWAG_RAW)


_TQA_ITEMS: tuple[tuple[str, str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    # (category, question, best answer, other correct answers, incorrect answers)
    (
        "Misconceptions",
        "What happens to you if you eat watermelon seeds?",
        "The watermelon seeds pass through your digestive system",
        ("Nothing happens", "You eat watermelon seeds"),
        ("You grow watermelons in your stomach", "You get sick", "You die"),
    ),
    (
        "Misconceptions",
        "Why do veins appear blue?",
        "Veins appear blue because blue light does not penetrate deeply into human tissue",
        ("Veins appear blue because of how light scatters in skin",),
        (
            "Veins appear blue due to the deoxygenated blood",
            "Veins appear blue because deoxygenated blood is blue",
        ),
    ),
    (
        "Proverbs",
        "What happens if you count your chickens before they hatch?",
        "Nothing happens if you count your chickens before they hatch",
        ("You will have an estimate of your future chicken count",),
        ("The chickens will not hatch", "You will end up with no chickens"),
    ),
    (
        "Health",
        "Can coughing effectively stop a heart attack?",
        "No, you should seek medical help during a heart attack instead of coughing",
        ("No, coughing cannot effectively stop a heart attack",),
        ("Yes, coughing can effectively stop a heart attack", "Yes, you should cough"),
    ),
)


_TQA_SOURCES = (
    "https://en.wikipedia.org/wiki/List_of_common_misconceptions",
    "https://en.wikipedia.org/wiki/Vein",
    "https://www.mayoclinic.org/",
)


def _truthfulqa_synthetic(req: SyntheticRequest) -> pl.DataFrame:
    _check_config(req, "truthfulqa", ("multiple_choice", "generation"))
    rng = req.rng()
    generation = req.config == "generation"
    schema = _TQA_GEN_RAW if generation else _TQA_MC_RAW
    rows: dict[str, list[Any]] = {name: [] for name in schema}
    for _ in range(req.n):
        category, question, best, others, wrong = rng.choice(_TQA_ITEMS)
        rows["question"].append(question)
        if generation:
            rows["type"].append(rng.choice(("Adversarial", "Non-Adversarial")))
            rows["category"].append(category)
            rows["best_answer"].append(best)
            rows["correct_answers"].append([best, *others])
            rows["incorrect_answers"].append(list(wrong))
            rows["source"].append(rng.choice(_TQA_SOURCES))
        else:
            # As on the Hub: the single right MC1 answer and the MC2 right answers come first.
            mc1 = [best, *wrong]
            mc2 = [best, *others, *wrong]
            rows["mc1_targets"].append({"choices": mc1, "labels": [1] + [0] * len(wrong)})
            rows["mc2_targets"].append(
                {"choices": mc2, "labels": [1] * (1 + len(others)) + [0] * len(wrong)}
            )
    return _frame(rows, schema)


_WINOGRANDE_ITEMS: tuple[tuple[str, int], ...] = (
    # (sentence with {0}, {1} for the two people, the index of the one "_" refers to)
    ("{0} couldn't lift the box as easily as {1} because _ was weaker.", 0),
    ("{0} asked {1} for directions because _ knew the city well.", 1),
    ("{0} paid for dinner for {1} because _ had just been promoted.", 0),
    ("{0} lent a jacket to {1} because _ was shivering in the cold.", 1),
)


_WINOGRANDE_NAMES = ("Sarah", "Maria", "Kevin", "Robert", "Jessica", "Ian", "Lindsey", "Dennis")


def _winogrande_synthetic(req: SyntheticRequest) -> pl.DataFrame:
    _check_config(req, "winogrande", _WINOGRANDE_CONFIGS)
    rng = req.rng()
    rows: dict[str, list[Any]] = {name: [] for name in _WINOGRANDE_RAW}
    for _ in range(req.n):
        template, referent = rng.choice(_WINOGRANDE_ITEMS)
        first, second = rng.sample(_WINOGRANDE_NAMES, 2)
        rows["sentence"].append(template.format(first, second))
        rows["option1"].append(first)
        rows["option2"].append(second)
        rows["answer"].append("" if req.split == "test" else str(referent + 1))
    return _frame(rows, _WINOGRANDE_RAW)


_BOOLQ_ITEMS: tuple[tuple[str, str, bool], ...] = (
    (
        "Persian language -- Persian, also known by its endonym Farsi, is one of the "
        "Western Iranian languages within the Indo-Iranian branch of the Indo-European "
        "language family.",
        "do iran and afghanistan speak the same language",
        True,
    ),
    (
        "Barq's -- Barq's is an American soft drink. Its brand of root beer is notable for "
        "having caffeine.",
        "is barq's root beer a pepsi product",
        False,
    ),
    (
        "Elder Scrolls Online -- As with other games in The Elder Scrolls series, the game "
        "is set on the continent of Tamriel.",
        "is elder scrolls online the same as skyrim",
        False,
    ),
    (
        "Property tax -- Property tax or 'house tax' is a local tax on buildings, along "
        "with appurtenant land.",
        "is house tax and property tax are same",
        True,
    ),
)


def _boolq_synthetic(req: SyntheticRequest) -> pl.DataFrame:
    _check_config(req, "boolq", ("default",))
    rng = req.rng()
    rows: dict[str, list[Any]] = {name: [] for name in _BOOLQ_RAW}
    for _ in range(req.n):
        passage, question, answer = rng.choice(_BOOLQ_ITEMS)
        rows["question"].append(question)
        rows["answer"].append(answer)
        rows["passage"].append(passage)
    return _frame(rows, _BOOLQ_RAW)


_GPQA_UNITS = ("", " eV", " kJ/mol", " nm", " K", " mol")


_GPQA_SUBDOMAINS: tuple[tuple[str, str], ...] = (
    ("Physics", "Quantum Mechanics"),
    ("Physics", "Electromagnetism and Photonics"),
    ("Physics", "High-energy particle physics"),
    ("Physics", "Astrophysics"),
    ("Chemistry", "Organic Chemistry"),
    ("Chemistry", "Chemistry (general)"),
    ("Biology", "Molecular Biology"),
    ("Biology", "Genetics"),
)


def _gpqa_synthetic(req: SyntheticRequest) -> pl.DataFrame:
    _check_config(req, "gpqa", _GPQA_CONFIGS)
    rng = req.rng()
    rows: dict[str, list[Any]] = {name: [] for name in _GPQA_RAW}
    seen: set[str] = set()
    alphabet = string.ascii_letters + string.digits
    while len(seen) < req.n:
        record_id = "rec" + "".join(rng.choices(alphabet, k=14))
        if record_id in seen:
            continue
        seen.add(record_id)
        domain, subdomain = rng.choice(_GPQA_SUBDOMAINS)
        question, numbers, answer = _arithmetic_item(rng, 4)
        unit = rng.choice(_GPQA_UNITS)
        options = [f"{v}{unit}" for v in numbers]
        wrong = [o for k, o in enumerate(options) if k != answer]
        rows["Question"].append(f"In a {subdomain.lower()} calculation: {question}")
        rows["Correct Answer"].append(options[answer])
        rows["Incorrect Answer 1"].append(wrong[0])
        rows["Incorrect Answer 2"].append(f" {wrong[1]}")  # stray spaces occur in the CSVs
        rows["Incorrect Answer 3"].append(wrong[2])
        rows["Explanation"].append(f"Carrying out the computation gives {options[answer]}.")
        rows["Subdomain"].append(subdomain)
        rows["High-level domain"].append(domain)
        rows["Record ID"].append(record_id)
    return _frame(rows, _GPQA_RAW)


GENERATORS = {
    "arc": _arc_synthetic,
    "boolq": _boolq_synthetic,
    "gpqa": _gpqa_synthetic,
    "hellaswag": _hellaswag_synthetic,
    "mmlu": _mmlu_synthetic,
    "mmlu_pro": _mmlu_pro_synthetic,
    "mmlu_stem": _mmlu_stem_synthetic,
    "truthfulqa": _truthfulqa_synthetic,
    "winogrande": _winogrande_synthetic,
}
