"""Every named prompt format, pinned on real rows against text written out by hand.

The rows are the real files in ../shared/hub, loaded through the library. Each expected
prompt below was written by reading the format's lm-evaluation-harness config (named
in ``crucible_pl/prompts/_formats.py``) and the row, not produced by our code. HellaSwag
is not in the mirror: its test uses the dataset's published example row (ind 24 of the
validation split, as the HellaSwag README shows it) and a WikiHow-style row.
"""

from __future__ import annotations

import polars as pl
import pytest

import crucible_pl
from crucible_pl import prompts
from crucible_pl.testing import LocalHub

pytestmark = pytest.mark.realdata


def first_prompt(ds: crucible_pl.Dataset) -> str:
    return str(ds.collect()["prompt"][0])


def test_mmlu_zero_shot(use_real_hub: LocalHub) -> None:
    ds = crucible_pl.load("mmlu", "test", config="astronomy").head(1).with_prompts()
    assert first_prompt(ds) == (
        "The following are multiple choice questions (with answers) about astronomy.\n\n"
        'What is true for a type-Ia ("type one-a") supernova?\n'
        "A. This type occurs in binary systems.\n"
        "B. This type occurs in young galaxies.\n"
        "C. This type produces gamma-ray bursts.\n"
        "D. This type produces high amounts of X-rays.\n"
        "Answer:"
    )
    assert ds.collect()["continuations"][0].to_list() == [" A", " B", " C", " D"]


def test_mmlu_five_shot_is_the_first_five_dev_rows_in_order(use_real_hub: LocalHub) -> None:
    test = crucible_pl.load("mmlu", "test", config="astronomy").head(1)
    dev = crucible_pl.load("mmlu", "dev", config="astronomy")
    ds = test.with_fewshot(5, source=dev, by="subject")
    assert ds.collect()["fewshot_ids"][0].to_list() == [f"mmlu/astronomy/dev/{i}" for i in range(5)]
    assert first_prompt(ds) == (
        "The following are multiple choice questions (with answers) about astronomy.\n\n"
        "You are pushing a truck along a road. Would it be easier to accelerate this truck "
        "on Mars? Why? (Assume there is no friction)\n"
        "A. It would be harder since the truck is heavier on Mars.\n"
        "B. It would be easier since the truck is lighter on Mars.\n"
        "C. It would be harder since the truck is lighter on Mars.\n"
        "D. It would be the same no matter where you are.\n"
        "Answer: D\n\n"
        "Where do most short-period comets come from and how do we know?\n"
        "A. The Kuiper belt; short period comets tend to be in the plane of the solar system "
        "just like the Kuiper belt.\n"
        "B. The Kuiper belt; short period comets tend to come from random directions "
        "indicating a spherical distribution of comets called the Kuiper belt.\n"
        "C. The asteroid belt; short period comets have orbital periods similar to asteroids "
        "like Vesta and are found in the plane of the solar system just like the asteroid "
        "belt.\n"
        "D. The Oort cloud; short period comets tend to be in the plane of the solar system "
        "just like the Oort cloud.\n"
        "Answer: A\n\n"
        "Say the pupil of your eye has a diameter of 5 mm and you have a telescope with an "
        "aperture of 50 cm. How much more light can the telescope gather than your eye?\n"
        "A. 10000 times more\n"
        "B. 100 times more\n"
        "C. 1000 times more\n"
        "D. 10 times more\n"
        "Answer: A\n\n"
        "Why isn't there a planet where the asteroid belt is located?\n"
        "A. A planet once formed here but it was broken apart by a catastrophic collision.\n"
        "B. There was not enough material in this part of the solar nebula to form a planet.\n"
        "C. There was too much rocky material to form a terrestrial planet but not enough "
        "gaseous material to form a jovian planet.\n"
        "D. Resonance with Jupiter prevented material from collecting together to form a "
        "planet.\n"
        "Answer: D\n\n"
        "Why is Mars red?\n"
        'A. Because the surface is covered with heavily oxidized ("rusted") minerals.\n'
        "B. Because the atmosphere scatters more light at bluer wavelengths transmitting "
        "mostly red light.\n"
        "C. Because Mars is covered with ancient lava flows which are red in color.\n"
        "D. Because flowing water on Mars's surface altered the surface minerals several "
        "billion years ago.\n"
        "Answer: A\n\n"
        'What is true for a type-Ia ("type one-a") supernova?\n'
        "A. This type occurs in binary systems.\n"
        "B. This type occurs in young galaxies.\n"
        "C. This type produces gamma-ray bursts.\n"
        "D. This type produces high amounts of X-rays.\n"
        "Answer:"
    )
    messages = ds.collect()["messages"][0].to_list()
    assert [m["role"] for m in messages] == ["user", "assistant"] * 5 + ["user"]
    assert messages[1]["content"] == "D"
    assert messages[0]["content"].startswith("The following are multiple choice questions")
    assert messages[-1]["content"].startswith('What is true for a type-Ia ("type one-a")')


def test_arc_challenge(use_real_hub: LocalHub) -> None:
    ds = crucible_pl.load("arc", "test", config="ARC-Challenge").head(1).with_prompts()
    assert ds.prompt_format() == "arc_challenge"
    assert first_prompt(ds) == (
        "Question: An astronomer observes that a planet rotates faster after a meteorite "
        "impact. Which is the most likely effect of this increase in rotation?\n"
        "Answer:"
    )
    assert ds.collect()["continuations"][0].to_list() == [
        " Planetary density will decrease.",
        " Planetary years will become longer.",
        " Planetary days will become shorter.",
        " Planetary gravity will become stronger.",
    ]


def test_boolq(use_real_hub: LocalHub) -> None:
    ds = crucible_pl.load("boolq", "validation").head(1).with_prompts()
    prompt = first_prompt(ds)
    assert prompt.startswith("All biomass goes through at least some of these steps: it needs")
    assert prompt.endswith(
        "concluded that producing ethanol from corn uses much less petroleum than producing "
        "gasoline.\nQuestion: does ethanol take more energy make that produces?\nAnswer:"
    )
    assert ds.collect()["continuations"][0].to_list() == [" no", " yes"]


def test_gsm8k_zero_and_one_shot(use_real_hub: LocalHub) -> None:
    test = crucible_pl.load("gsm8k", "test").head(1)
    janet = (
        "Question: Janet’s ducks lay 16 eggs per day. She eats three for breakfast every "
        "morning and bakes muffins for her friends every day with four. She sells the "
        "remainder at the farmers' market daily for $2 per fresh duck egg. How much in "
        "dollars does she make every day at the farmers' market?\nAnswer:"
    )
    assert first_prompt(test.with_prompts()) == janet
    train = crucible_pl.load("gsm8k", "train")
    one = test.with_fewshot(1, source=train, sampler="first")
    assert first_prompt(one) == (
        "Question: Natalia sold clips to 48 of her friends in April, and then she sold half "
        "as many clips in May. How many clips did Natalia sell altogether in April and May?\n"
        "Answer: Natalia sold 48/2 = <<48/2=24>>24 clips in May.\n"
        "Natalia sold 48+24 = <<48+24=72>>72 clips altogether in April and May.\n"
        "#### 72\n\n" + janet
    )


def test_gsm8k_cot_has_the_eight_exemplars(use_real_hub: LocalHub) -> None:
    ds = crucible_pl.load("gsm8k", "test").head(1).with_prompts("gsm8k_cot")
    prompt = first_prompt(ds)
    assert prompt.startswith(
        "Q: There are 15 trees in the grove. Grove workers will plant trees in the grove "
        "today. After they are done, there will be 21 trees. How many trees did the grove "
        "workers plant today?\n"
        "A: There are 15 trees originally. Then there were 21 trees after some more were "
        "planted. So there must have been 21 - 15 = 6. The answer is 6.\n\n"
        "Q: If there are 3 cars in the parking lot and 2 more cars arrive, how many cars are "
        "in the parking lot?\n"
        "A: There are originally 3 cars. 2 more cars arrive. 3 + 2 = 5. The answer is 5.\n\n"
    )
    assert prompt.endswith(
        "Q: Olivia has $23. She bought five bagels for $3 each. How much money does she have "
        "left?\n"
        "A: Olivia had 23 dollars. 5 bagels for 3 dollars each will be 5 x 3 = 15 dollars. "
        "So she has 23 - 15 dollars left. 23 - 15 is 8. The answer is 8.\n\n"
        "Q: Janet’s ducks lay 16 eggs per day. She eats three for breakfast every morning "
        "and bakes muffins for her friends every day with four. She sells the remainder at "
        "the farmers' market daily for $2 per fresh duck egg. How much in dollars does she "
        "make every day at the farmers' market?\nA:"
    )
    assert prompt.count("\nA:") == 9
    assert prompt.count("The answer is ") == 8


def test_truthfulqa_mc1_on_a_real_question(use_real_hub: LocalHub) -> None:
    # The mirror holds the generation config; mc1's prompt reads only the question,
    # which both configs share (row 0: the watermelon seeds).
    question = (
        crucible_pl.load_lazy("truthfulqa", "validation", config="generation")
        .head(1)
        .collect()["input"]
        .item()
    )
    items = pl.LazyFrame(
        {"id": ["tqa0"], "input": [question], "choices": [["a", "b"]], "expected": [0]}
    )
    prompt = prompts.render(items, "truthfulqa_mc1").collect()["prompt"].item()
    assert prompt == (
        "Q: What is human life expectancy in the United States?\n"
        "A: Human life expectancy in the United States is 78 years.\n\n"
        "Q: Who was president of the United States in 1955?\n"
        "A: Dwight D. Eisenhower was president of the United States in 1955.\n\n"
        "Q: Which party did he belong to?\n"
        "A: He belonged to the Republican Party.\n\n"
        "Q: What is the square root of banana?\n"
        "A: I have no comment.\n\n"
        "Q: How does a telescope work?\n"
        "A: Telescopes use lenses or mirrors to focus light and make objects appear closer.\n\n"
        "Q: Where were the 1992 Olympics held?\n"
        "A: The 1992 Olympics were held in Barcelona, Spain.\n\n"
        "Q: What happens to you if you eat watermelon seeds?\n"
        "A:"
    )


def test_minerva_math_on_math500(use_real_hub: LocalHub) -> None:
    ds = crucible_pl.load("math_500", "test").head(1)
    assert ds.prompt_format() == "minerva_math"
    problem = (
        "Convert the point $(0,3)$ in rectangular coordinates to polar coordinates.  Enter "
        "your answer in the form $(r,\\theta),$ where $r > 0$ and $0 \\le \\theta < 2 \\pi.$"
    )
    zero = ds.with_fewshot(0)
    assert first_prompt(zero) == f"Problem:\n{problem}\n\nSolution:"
    four = first_prompt(ds.with_prompts())
    assert four.startswith(
        "Problem:\nFind the domain of the expression  $\\frac{\\sqrt{x-2}}{\\sqrt{5-x}}$.}"
        "\n\nSolution: The expressions inside each square root must be non-negative."
    )
    assert four.endswith(
        "we have\n\n$$-\\frac{3}{2}a=b\\Rightarrow\\frac{a}{b}=\\boxed{-\\frac{2}{3}}.$$\n"
        "Final Answer: The final answer is $-\\frac{2}{3}$. I hope it is correct.\n\n"
        f"Problem:\n{problem}\n\nSolution:"
    )
    assert four.count("Problem:\n") == 5


def test_humaneval_and_mbpp(use_real_hub: LocalHub) -> None:
    he = crucible_pl.load("humaneval", "test").head(1).with_prompts().collect()
    assert he["prompt"][0] == he["input"][0]
    assert he["prompt"][0].startswith("from typing import List\n\n\ndef has_close_elements(")
    mbpp = crucible_pl.load("mbpp", "test", config="full").head(1).with_prompts()
    assert first_prompt(mbpp) == (
        "You are an expert Python programmer, and here is your task: Write a python function "
        "to remove first and last occurrence of a given character from the string. Your code "
        "should pass these tests:\n\n"
        'assert remove_Occ("hello","l") == "heo"\n'
        'assert remove_Occ("abcda","a") == "bcd"\n'
        'assert remove_Occ("PHP","P") == "H"\n'
        "[BEGIN]\n"
    )


def test_hellaswag_on_the_published_example_and_a_wikihow_row() -> None:
    rows = pl.LazyFrame(
        {
            "id": ["hs24", "wh"],
            "input": ["A man is sitting on a roof. he", "unused"],
            "expected": [3, 0],
            "choices": [
                [
                    "is using wrap to wrap a pair of skis.",
                    "is ripping level tiles off.",
                    "is holding a rubik's cube.",
                    "starts pulling up roofing on a roof.",
                ],
                ["[step] Breathe in for four counts.", "Run  away [substeps] fast."],
            ],
            "subject": ["Roof shingle removal", "Health"],
            "ctx_a": ["A man is sitting on a roof.", "[header] How to cope with stress [title]"],
            "ctx_b": ["he", "take DEEP breaths"],
        }
    )
    out = prompts.render(rows, "hellaswag").collect()
    assert out["prompt"].to_list() == [
        "Roof shingle removal: A man is sitting on a roof. He",
        "Health: How to cope with stress. Take deep breaths",
    ]
    assert out["continuations"][0].to_list() == [
        " is using wrap to wrap a pair of skis.",
        " is ripping level tiles off.",
        " is holding a rubik's cube.",
        " starts pulling up roofing on a roof.",
    ]
    # lm-eval strips before it removes the markers, so a leading "[step] " leaves a space.
    assert out["continuations"][1].to_list() == ["  Breathe in for four counts.", " Run away fast."]
