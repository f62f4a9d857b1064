"""inspect_ai both ways, end to end and offline, with inspect's built-in mock model.

Needs the ``inspect`` extra (CI installs it in its own step); skipped without it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest

import crucible_pl
from crucible_pl import errors
from crucible_pl._bridges import inspect_ai as inspect_bridge
from crucible_pl.registry import get_spec
from crucible_pl.testing import LocalHub, write_spec_repo

inspect_ai = pytest.importorskip("inspect_ai", reason="needs the 'inspect' extra")

from inspect_ai import Task  # noqa: E402
from inspect_ai import eval as inspect_eval  # noqa: E402
from inspect_ai.model import ModelOutput, ModelUsage, get_model  # noqa: E402
from inspect_ai.scorer import choice, match  # noqa: E402
from inspect_ai.solver import generate, multiple_choice  # noqa: E402

# inspect_ai's dependencies warn about deprecated parameters (tenacity's 'initial'), and
# its anyio streams are closed by the garbage collector after a run.
pytestmark = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]

ROWS = 8


@pytest.fixture(autouse=True)
def _inspect_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """inspect's data (traces, sample buffer), cache and default logs under ``tmp_path``."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.setenv("INSPECT_CACHE_DIR", str(tmp_path / "inspect-cache"))
    monkeypatch.setenv("INSPECT_LOG_DIR", str(tmp_path / "inspect-logs"))


@pytest.fixture
def mmlu(make_hub: Callable[..., LocalHub]) -> crucible_pl.Dataset:
    hub = make_hub()
    write_spec_repo(hub.root, get_spec("mmlu"), rows=ROWS)
    return crucible_pl.load("mmlu", "test", config="astronomy")


def mock(contents: list[str]) -> object:
    """inspect's mock model answering ``contents`` in turn.

    Each output states its token usage: without it the mock counts tokens with
    tiktoken, which downloads its encoding from the internet.
    """
    outputs = []
    for content in contents:
        output = ModelOutput.from_content(model="mockllm/model", content=content)
        output.usage = ModelUsage(input_tokens=10, output_tokens=2, total_tokens=12)
        outputs.append(output)
    return get_model("mockllm/model", custom_outputs=outputs, memoize=False)


def test_round_trip_mmlu_through_a_task_run_with_the_mock_model(
    mmlu: crucible_pl.Dataset, tmp_path: Path
) -> None:
    samples = mmlu.to_inspect()
    frame = mmlu.collect()
    assert len(samples) == ROWS
    assert [s.id for s in samples] == frame["id"].to_list()
    letters = "ABCD"
    assert [s.target for s in samples] == [letters[e] for e in frame["expected"]]
    assert samples[0].choices == frame["choices"][0].to_list()
    assert samples[0].metadata == {"subject": "astronomy"}
    assert samples[0].input == frame["input"][0]  # bare question: multiple_choice() lays out

    # The mock model answers right for the first five items and "A" for the rest.
    answers = [f"ANSWER: {letters[e]}" for e in frame["expected"][:5]] + ["ANSWER: A"] * 3
    task = Task(dataset=samples, solver=multiple_choice(), scorer=choice())
    [log] = inspect_eval(task, model=mock(answers), log_dir=str(tmp_path), display="none")
    assert log.status == "success", log.error.message if log.error else None

    preds = crucible_pl.from_inspect(log)
    assert preds["id"].to_list() == frame["id"].to_list()
    assert set(preds["model"]) == {"mockllm/model"}
    assert "sample" not in preds.columns  # one epoch
    assert preds["subject"].to_list() == ["astronomy"] * ROWS

    result = crucible_pl.evaluate(mmlu, preds)
    assert result.missing_ids == ()
    assert result.unknown_ids == ()
    right = sum(1 for e in frame["expected"][5:] if e == 0)
    expected = (5 + right) / ROWS
    assert result.summary.filter(scope="overall")["mean"].item() == pytest.approx(expected)
    # inspect's own choice() scorer agrees, item by item.
    inspect_says = [v == "C" for v in preds["score_choice"]]
    assert inspect_says == result.items["choice_match"].to_list()

    # The log file on disk reads back the same.
    [path] = list(tmp_path.glob("*.eval"))
    assert crucible_pl.from_inspect(path).equals(preds)


def test_rendered_prompts_and_several_epochs(mmlu: crucible_pl.Dataset, tmp_path: Path) -> None:
    shots = mmlu.head(4).with_fewshot(2, by="subject", sampler="first")
    samples = shots.to_inspect()
    frame = shots.collect()
    chat = samples[0].input
    assert [m.role for m in chat] == ["user", "assistant", "user", "assistant", "user"]
    assert chat[-1].text == frame["messages"][0][-1]["content"]
    assert samples[0].metadata["fewshot_ids"] == frame["fewshot_ids"][0].to_list()

    letters = "ABCD"
    right = [letters[e] for e in frame["expected"]]
    wrong = ["B" if r == "A" else "A" for r in right]
    # Two epochs: epoch 1 right everywhere, epoch 2 wrong everywhere.
    task = Task(dataset=samples, solver=generate(), scorer=match(), epochs=2)
    outputs = right + wrong  # inspect runs all samples of epoch 1, then epoch 2
    [log] = inspect_eval(task, model=mock(outputs), log_dir=str(tmp_path), display="none")
    preds = crucible_pl.from_inspect(log)
    assert sorted(preds["sample"].unique().to_list()) == [1, 2]
    result = crucible_pl.evaluate(shots, preds, k=[1, 2], n_bootstrap=0)
    assert result.items["n_samples"].to_list() == [2] * 4
    assert result.items["choice_match"].to_list() == [0.5] * 4
    assert result.items["choice_match_pass@2"].to_list() == [1.0] * 4


def test_conversations_become_chat_messages(make_hub: Callable[..., LocalHub]) -> None:
    hub = make_hub()
    write_spec_repo(hub.root, get_spec("no_robots"), rows=3)
    ds = crucible_pl.load("no_robots")  # its test split, whatever the layout names it
    samples = ds.to_inspect()
    first = ds.collect()["input"][0].to_list()
    assert [m.role for m in samples[0].input] == [t["role"] for t in first]
    assert samples[0].target == ds.collect()["expected"][0]


def test_bad_logs_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(errors.InvalidInputError, match="does not exist"):
        crucible_pl.from_inspect(tmp_path / "nope.eval")
    with pytest.raises(errors.InvalidInputError, match="is a directory"):
        crucible_pl.from_inspect(tmp_path)
    (tmp_path / "notes.txt").write_text("hi")
    with pytest.raises(errors.InvalidInputError, match=r"is a \.txt file.*\.eval or \.json"):
        crucible_pl.from_inspect(tmp_path / "notes.txt")
    for name, text in [("broken.eval", "not a zip"), ("other.json", '{"a": 1}')]:
        (tmp_path / name).write_text(text)
        with pytest.raises(errors.DataFormatError, match="not a readable inspect eval log"):
            crucible_pl.from_inspect(tmp_path / name)
    task = Task(dataset=[inspect_ai.dataset.Sample(input="hi", target="x")], solver=generate())
    [log] = inspect_eval(task, model=mock(["x"]), log_dir=str(tmp_path), display="none")
    log.status = "error"
    with pytest.raises(errors.InvalidInputError, match="status is 'error'"):
        crucible_pl.from_inspect(log)
    log.status = "success"
    log.samples = []
    with pytest.raises(errors.InvalidInputError, match="no samples"):
        crucible_pl.from_inspect(log)


def test_a_plain_frame_with_a_prompt_column(mmlu: crucible_pl.Dataset) -> None:
    ds = mmlu.head(2).with_columns(pl.lit("Say A or B.").alias("prompt"))
    samples = ds.to_inspect(name="mine")
    assert samples.name == "mine"
    assert [s.input for s in samples] == ["Say A or B.", "Say A or B."]


def test_input_col_names_the_input(make_hub: Callable[..., LocalHub]) -> None:
    hub = make_hub()
    write_spec_repo(hub.root, get_spec("no_robots"), rows=3)
    ds = crucible_pl.load("no_robots")
    frame = ds.collect()
    # The whole conversation, answer included. (Dataset.to_inspect does not pass input_col
    # on yet: the bridge function is called directly.)
    samples = ds.to_inspect(input_col="messages")
    assert [m.role for m in samples[0].input] == [t["role"] for t in frame["messages"][0]]
    assert "messages" not in samples[0].metadata


def test_a_chat_sets_own_messages_never_become_input(make_hub: Callable[..., LocalHub]) -> None:
    # A hand-made prompt next to the dataset's messages (which end with the answer).
    hub = make_hub()
    write_spec_repo(hub.root, get_spec("no_robots"), rows=2)
    ds = crucible_pl.load("no_robots").with_columns(pl.lit("Reply kindly.").alias("prompt"))
    assert [s.input for s in ds.to_inspect()] == ["Reply kindly.", "Reply kindly."]


def test_bad_inputs_are_clear_errors(mmlu: crucible_pl.Dataset) -> None:
    with pytest.raises(errors.ColumnNotFoundError, match=r"input_col='qestion'.*input"):
        mmlu.to_inspect(input_col="qestion")
    with pytest.raises(errors.InvalidInputError, match="'expected' has dtype Int"):
        mmlu.to_inspect(input_col="expected")
    with pytest.raises(errors.ColumnNotFoundError, match="needs a prompt or input column"):
        mmlu.select("id", "choices", "expected").to_inspect()
    with pytest.raises(errors.InvalidInputError, match="inspect names choices A to Z"):
        inspect_bridge.letter(26)


def test_without_the_extra_the_error_names_the_install(
    mmlu: crucible_pl.Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "inspect_ai", None)  # `import inspect_ai` now fails
    for call in (mmlu.to_inspect, lambda: crucible_pl.from_inspect("run.eval")):
        with pytest.raises(errors.MissingDependencyError, match=r"crucible-pl\[inspect\]"):
            call()
