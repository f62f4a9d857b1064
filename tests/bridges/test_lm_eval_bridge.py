"""lm-evaluation-harness on the pinned files, and our prompts against lm-eval's own rendering.

Needs the ``lm-eval`` extra (CI installs it in its own step); skipped without it. Each
case writes a task config with :func:`crucible_pl.lm_eval_task` that includes lm-eval's
own task (its templates and few-shot settings untouched) and reads the raw files
crucible-pl resolved, then checks that lm-eval sees the same rows and that
``fewshot_context`` (the text lm-eval sends) and ``doc_to_choice`` equal our ``prompt``
and ``continuations`` for the same items.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import polars as pl
import pytest

import crucible_pl
from crucible_pl import errors
from crucible_pl.registry import get_spec
from crucible_pl.testing import LocalHub, write_spec_repo

lm_eval_tasks = pytest.importorskip(
    "lm_eval.tasks", reason="needs the 'lm-eval' extra: pip install -e '.[lm-eval]'"
)

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

ROWS = 6


def compare(
    task: Any,
    ours: crucible_pl.Dataset,
    *,
    num_fewshot: int,
    docs: Callable[[Any], Any],
) -> None:
    """lm-eval's context and continuations equal ours for the first ROWS items."""
    lm_docs = list(docs(task))
    assert len(lm_docs) == len(ours), "lm-eval reads other rows than crucible-pl"
    frame = ours.head(ROWS).collect()
    for i, doc in enumerate(lm_docs[:ROWS]):
        context = task.fewshot_context(doc, num_fewshot=num_fewshot)
        assert context == frame["prompt"][i], f"row {i}:\n{context!r}\n!=\n{frame['prompt'][i]!r}"
        if "continuations" in frame.columns:
            delimiter = task.config.target_delimiter
            theirs = [delimiter + c for c in task.doc_to_choice(doc)]
            assert theirs == frame["continuations"][i].to_list(), f"row {i}"


@pytest.mark.realdata
def test_lm_eval_reads_the_pinned_files_and_renders_our_prompts(
    use_real_hub: LocalHub, tmp_path: Path
) -> None:
    load = crucible_pl.load
    test = load("mmlu", "test", config="astronomy")
    dev = load("mmlu", "dev", config="astronomy")
    arc = load("arc", "test", config="ARC-Challenge")
    boolq = load("boolq", "validation")
    gsm8k = load("gsm8k", "test")
    folder = tmp_path / "tasks"
    crucible_pl.lm_eval_task("mmlu_astronomy", {"test": test, "dev": dev}, folder)
    crucible_pl.lm_eval_task("arc_challenge", {"test": arc}, folder)
    crucible_pl.lm_eval_task(
        "boolq", {"validation": boolq}, folder, overrides={"doc_to_target": "{{answer | int}}"}
    )
    crucible_pl.lm_eval_task("gsm8k", {"test": gsm8k}, folder)
    crucible_pl.lm_eval_task("gsm8k_cot", {"test": gsm8k}, folder)
    text = (folder / "mmlu_astronomy_pinned.yaml").read_text()
    assert "test-00000-of-00001.parquet" in text
    assert test.provenance.sha in text
    use_real_hub.clear_requests()

    manager = lm_eval_tasks.TaskManager(include_path=str(folder))
    tasks: Mapping[str, Any] = lm_eval_tasks.get_task_dict(
        [
            "mmlu_astronomy_pinned",
            "arc_challenge_pinned",
            "boolq_pinned",
            "gsm8k_pinned",
            "gsm8k_cot_pinned",
        ],
        manager,
    )
    assert use_real_hub.requests == []  # lm-eval read the local files only

    def test_docs(task: Any) -> Any:
        return task.test_docs()

    compare(
        tasks["mmlu_astronomy_pinned"],
        test.with_fewshot(5, source=dev, by="subject"),
        num_fewshot=5,
        docs=test_docs,
    )
    compare(tasks["arc_challenge_pinned"], arc.with_prompts(), num_fewshot=0, docs=test_docs)
    compare(
        tasks["boolq_pinned"],
        boolq.with_prompts(),
        num_fewshot=0,
        docs=lambda task: task.validation_docs(),
    )
    compare(tasks["gsm8k_pinned"], gsm8k.with_prompts(), num_fewshot=0, docs=test_docs)
    compare(
        tasks["gsm8k_cot_pinned"], gsm8k.with_prompts("gsm8k_cot"), num_fewshot=8, docs=test_docs
    )


def test_hellaswag_and_truthfulqa_mc1_on_hub_shaped_rows(
    make_hub: Callable[..., LocalHub], tmp_path: Path
) -> None:
    hub = make_hub()
    write_spec_repo(hub.root, get_spec("hellaswag"), rows=ROWS)
    write_spec_repo(hub.root, get_spec("truthfulqa"), rows=ROWS)
    hellaswag = crucible_pl.load("hellaswag", "validation")
    truthfulqa = crucible_pl.load("truthfulqa", "validation", config="multiple_choice")
    folder = tmp_path / "tasks"
    crucible_pl.lm_eval_task("hellaswag", {"validation": hellaswag}, folder)
    crucible_pl.lm_eval_task("truthfulqa_mc1", {"validation": truthfulqa}, folder)
    tasks = lm_eval_tasks.get_task_dict(
        ["hellaswag_pinned", "truthfulqa_mc1_pinned"],
        lm_eval_tasks.TaskManager(include_path=str(folder)),
    )

    def validation(task: Any) -> Any:
        return task.validation_docs()

    compare(tasks["hellaswag_pinned"], hellaswag.with_prompts(), num_fewshot=0, docs=validation)
    compare(
        tasks["truthfulqa_mc1_pinned"], truthfulqa.with_prompts(), num_fewshot=0, docs=validation
    )


def test_hellaswag_clean_up_matches_lm_eval_on_wikihow_markers() -> None:
    utils = pytest.importorskip("lm_eval.tasks.hellaswag.utils")
    datasets = pytest.importorskip("datasets")
    raw = [
        {
            "activity_label": "Health",
            "ctx_a": "[header] How to cope with stress [title] Breathe.",
            "ctx_b": "take DEEP breaths [step]",
            "endings": ["[step] Count to four.", "Run  away [substeps] fast.", " x [title] y", "z"],
            "label": "0",
        },
        {
            "activity_label": "Roof shingle removal",
            "ctx_a": "A man is sitting on a roof.",
            "ctx_b": "",
            "endings": ["is using wrap.", "is ripping   tiles off.", "holds a cube.", "ok"],
            "label": "3",
        },
    ]
    theirs = utils.process_docs(datasets.Dataset.from_list(raw))
    rows = pl.LazyFrame(
        {
            "id": ["a", "b"],
            "input": ["", ""],
            "expected": [0, 3],
            "choices": [r["endings"] for r in raw],
            "subject": [r["activity_label"] for r in raw],
            "ctx_a": [r["ctx_a"] for r in raw],
            "ctx_b": [r["ctx_b"] for r in raw],
        }
    )
    ours = crucible_pl.prompts.render(rows, "hellaswag").collect()
    assert ours["prompt"].to_list() == list(theirs["query"])
    assert [c.to_list() for c in ours["continuations"]] == [
        [" " + c for c in doc["choices"]] for doc in theirs
    ]


def test_bad_bridge_requests_are_clear_errors(
    make_hub: Callable[..., LocalHub], tmp_path: Path
) -> None:
    hub = make_hub()
    write_spec_repo(hub.root, get_spec("gsm8k"), rows=ROWS)
    test = crucible_pl.load("gsm8k", "test")
    with pytest.raises(errors.InvalidInputError, match="not a task of the installed"):
        crucible_pl.lm_eval_task("no_such_task", {"test": test}, tmp_path)
    with pytest.raises(errors.InvalidInputError, match="whole split"):
        crucible_pl.lm_eval_task("gsm8k", {"test": crucible_pl.load("gsm8k", "test[:3]")}, tmp_path)
    with pytest.raises(errors.InvalidInputError, match="splits is empty"):
        crucible_pl.lm_eval_task("gsm8k", {}, tmp_path)
    socratic = crucible_pl.load("gsm8k", "train", config="socratic")
    with pytest.raises(errors.InvalidInputError, match="different datasets, configs or commits"):
        crucible_pl.lm_eval_task("gsm8k", {"test": test, "train": socratic}, tmp_path)
