"""Few-shot selection and prompt rendering: seeded, leak-free, grouped, auditable; errors."""

from __future__ import annotations

import hypothesis.strategies as st
import polars as pl
import pytest
from hypothesis import given, settings

import crucible_pl
from crucible_pl import errors, prompts
from crucible_pl.prompts import PromptFormat


def mc_rows(n: int, groups: int = 3, prefix: str = "q") -> pl.LazyFrame:
    return pl.LazyFrame(
        {
            "id": [f"{prefix}{i}" for i in range(n)],
            "input": [f"question {i}" for i in range(n)],
            "choices": [["yes", "no"]] * n,
            "expected": [i % 2 for i in range(n)],
            "subject": [f"s{i % groups}" for i in range(n)],
        }
    )


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(min_value=2, max_value=40),
    groups=st.integers(min_value=1, max_value=4),
    k=st.integers(min_value=0, max_value=3),
    seed=st.integers(min_value=0, max_value=2**64 - 1),
)
def test_shots_are_distinct_never_the_item_and_from_its_group(
    n: int, groups: int, k: int, seed: int
) -> None:
    rows = mc_rows(n, groups)
    smallest = min(len(range(g, n, groups)) for g in range(min(groups, n)))
    if smallest - 1 < k:  # a group too small to give k examples besides the item
        with pytest.raises(errors.InvalidInputError, match="fewer than k="):
            prompts.render(rows, "multiple_choice", k=k, seed=seed, by="subject").collect()
        return
    out = prompts.render(rows, "multiple_choice", k=k, seed=seed, by="subject").collect()
    subject = dict(zip(out["id"], out["subject"], strict=True))
    for item, shots in zip(out["id"], out["fewshot_ids"], strict=True):
        shots = shots.to_list() if shots is not None else []
        assert len(shots) == k
        assert len(set(shots)) == k
        assert item not in shots
        assert all(subject[s] == subject[item] for s in shots)


def test_selection_is_fixed_by_the_seed_and_differs_between_seeds() -> None:
    rows = mc_rows(60, groups=1)
    first = prompts.render(rows, "multiple_choice", k=3, seed=1).collect()
    again = prompts.render(rows, "multiple_choice", k=3, seed=1).collect()
    other = prompts.render(rows, "multiple_choice", k=3, seed=2).collect()
    assert first.equals(again)
    assert first["fewshot_ids"].to_list() != other["fewshot_ids"].to_list()
    # Items do not all share one set of examples.
    assert len({tuple(s) for s in first["fewshot_ids"].to_list()}) > 10


def test_the_rendered_shots_are_the_recorded_ones_in_order() -> None:
    rows = mc_rows(6, groups=1)
    out = prompts.render(rows, "multiple_choice", k=2, seed=5).collect()
    row = out.row(0, named=True)
    a, b = row["fewshot_ids"]
    ia, ib = int(a[1:]), int(b[1:])
    letter = "AB"
    assert row["prompt"] == (
        f"question {ia}\nA. yes\nB. no\nAnswer: {letter[ia % 2]}\n\n"
        f"question {ib}\nA. yes\nB. no\nAnswer: {letter[ib % 2]}\n\n"
        "question 0\nA. yes\nB. no\nAnswer:"
    )
    assert [m["role"] for m in row["messages"]] == [
        "user",
        "assistant",
        "user",
        "assistant",
        "user",
    ]


def test_first_sampler_takes_the_source_order_and_skips_the_item() -> None:
    rows = mc_rows(5, groups=1)
    out = prompts.render(rows, "multiple_choice", k=2, sampler="first").collect()
    assert out["fewshot_ids"].to_list() == [
        ["q1", "q2"],
        ["q0", "q2"],
        ["q0", "q1"],
        ["q0", "q1"],
        ["q0", "q1"],
    ]


def test_a_separate_source_and_a_dataset_method() -> None:
    test = crucible_pl.load("mmlu", "test", config="astronomy", source="synthetic", n=4)
    dev = crucible_pl.load("mmlu", "dev", config="astronomy", source="synthetic", n=5)
    shots = test.with_fewshot(5, source=dev, by="subject")
    frame = shots.collect()
    assert len(shots) == 4
    assert frame["fewshot_ids"].to_list() == [[f"mmlu/astronomy/dev/{i}" for i in range(5)]] * 4
    assert frame["prompt"][0].count("\nAnswer:") == 6
    assert frame["prompt"][0].startswith(
        "The following are multiple choice questions (with answers) about astronomy.\n\n"
    )


def test_prompts_stay_lazy_and_follow_filters() -> None:
    rows = mc_rows(1000, groups=1)
    lf = prompts.render(rows, "multiple_choice").filter(pl.col("id") == "q7")
    assert isinstance(lf, pl.LazyFrame)
    assert lf.collect()["prompt"].to_list() == ["question 7\nA. yes\nB. no\nAnswer:"]


def test_conversations_become_messages_and_a_transcript() -> None:
    turns = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}]
    rows = pl.LazyFrame({"id": ["c1"], "input": [turns], "expected": ["Hello"]})
    out = prompts.render(rows, "chat").collect()
    assert out["messages"][0].to_list() == turns
    assert out["prompt"][0] == "System: Be brief.\n\nUser: Hi\n\nAssistant:"
    with pytest.raises(errors.InvalidInputError, match="conversations"):
        prompts.render(rows, "chat", k=1)


def test_math_boxed_instruction() -> None:
    rows = pl.LazyFrame({"id": ["m"], "input": ["What is 1/2 + 1/2?"]})
    assert prompts.render(rows, "math_boxed").collect()["prompt"].item() == (
        "What is 1/2 + 1/2?\nPlease reason step by step, and put your final answer within "
        "\\boxed{}."
    )


def test_a_format_of_your_own() -> None:
    mine = PromptFormat(
        name="terse",
        family="math",
        source="ours",
        reproduces="Q/A",
        question="Q: {input} =",
        answer="{expected}",
        target_delimiter=" ",
        fewshot_delimiter="\n",
    )
    rows = pl.LazyFrame({"id": ["a", "b"], "input": ["1+1", "2+2"], "expected": ["2", "4"]})
    out = prompts.render(rows, mine, k=1, sampler="first").collect()
    assert out["prompt"].to_list() == ["Q: 2+2 = 4\nQ: 1+1 =", "Q: 1+1 = 2\nQ: 2+2 ="]


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"format": "nope"}, errors.InvalidInputError, "Unknown prompt format 'nope'"),
        ({"format": "gsm8k", "k": 1}, errors.ColumnNotFoundError, "reads column\\(s\\) 'solution'"),
        ({"format": "mmlu", "k": -1}, errors.InvalidInputError, "Invalid k=-1"),
        ({"format": "mmlu", "sampler": "random"}, errors.InvalidInputError, "sampler"),
        ({"format": "mmlu", "by": "level"}, errors.InvalidInputError, "by='level'"),
        ({"format": "gsm8k_cot", "k": 9}, errors.InvalidInputError, "8 fixed example"),
        ({"format": "mmlu", "seed": -3}, errors.InvalidInputError, "seed"),
    ],
)
def test_bad_requests_are_clear_errors(
    kwargs: dict[str, object], error: type[Exception], message: str
) -> None:
    rows = mc_rows(4).with_columns(pl.col("input").alias("solution"))
    if kwargs.get("format") == "gsm8k":
        rows = rows.drop("solution")
    kwargs = dict(kwargs)
    fmt = kwargs.pop("format")
    with pytest.raises(error, match=message):
        prompts.render(rows, fmt, **kwargs).collect()  # type: ignore[arg-type]


def test_existing_prompt_columns_are_not_overwritten() -> None:
    rows = mc_rows(2).with_columns(pl.lit("mine").alias("prompt"))
    with pytest.raises(errors.InvalidInputError, match="already have 'prompt'"):
        prompts.render(rows, "multiple_choice")


def test_the_formats_table_names_a_source_for_every_format() -> None:
    table = prompts.formats_table()
    assert table["source"].null_count() == 0
    assert set(table["name"]) >= {
        "mmlu", "arc_challenge", "hellaswag", "gsm8k", "gsm8k_cot", "boolq",
        "truthfulqa_mc1", "minerva_math",
    }  # fmt: skip
    lm_eval = table.filter(pl.col("source").str.starts_with("lm-evaluation-harness"))
    assert lm_eval.height == 11


def test_the_docs_formats_table_lists_every_format() -> None:
    from pathlib import Path

    page = (Path(__file__).resolve().parents[2] / "docs" / "from_dataset_to_model.md").read_text()
    rows = [line for line in page.splitlines() if line.startswith("| `")]
    names = [line.split("`")[1] for line in rows]
    assert names == list(prompts.FORMATS)
