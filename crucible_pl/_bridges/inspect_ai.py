"""inspect_ai, both ways: a Dataset as inspect ``Sample``s, an eval log as predictions.

:func:`to_inspect` (``Dataset.to_inspect()``) gives an inspect ``MemoryDataset`` any
``Task`` can use; :func:`from_inspect` reads an eval log back into a predictions frame
that :func:`crucible_pl.evaluate` and :func:`crucible_pl.compare` accept. Both need the
``inspect`` extra (``pip install 'crucible-pl[inspect]'``).

How rows become samples:

- ``id``: the row's ``id``;
- ``input``: for rows rendered by :meth:`Dataset.with_prompts
  <crucible_pl.Dataset.with_prompts>` or ``with_fewshot``, their ``messages`` (chat
  turns; else their ``prompt``); otherwise ``input`` (a conversation becomes chat
  messages; a chat dataset's own ``messages`` column, which holds the answer, is
  metadata, never input).
  A multiple-choice row without a rendered prompt keeps its bare question, so inspect's
  own ``multiple_choice()`` solver lays out the options;
- ``choices`` and ``target``: for multiple choice, the options and the letter of the
  right one (``expected`` 1 -> ``"B"``); otherwise ``expected`` as text (``""`` where
  it is null);
- ``metadata``: every other column (``subject``, ``level``, ``fewshot_ids``...).

Examples
--------
>>> from crucible_pl._bridges.inspect_ai import letter
>>> letter(2)
'C'
"""

from __future__ import annotations

import os
import string
from pathlib import Path
from typing import Any, Protocol

import polars as pl

from crucible_pl._load.provenance import Provenance
from crucible_pl.errors import InvalidInputError, MissingDependencyError

__all__ = ["DatasetLike", "from_inspect", "letter", "to_inspect"]

_INSTALL = "pip install 'crucible-pl[inspect]'"
_NOT_METADATA = {"id", "input", "expected", "choices", "prompt", "continuations"}


class DatasetLike(Protocol):
    """What the bridges read of a :class:`~crucible_pl.Dataset` (they sit below it)."""

    @property
    def provenance(self) -> Provenance: ...  # pragma: no cover - a protocol

    @property
    def family(self) -> str | None: ...  # pragma: no cover - a protocol

    def collect(self, *, streaming: bool = False) -> pl.DataFrame: ...  # pragma: no cover


def letter(index: int) -> str:
    """0 -> ``"A"``, 1 -> ``"B"``...: how inspect names multiple-choice targets."""
    return string.ascii_uppercase[index]


def _inspect() -> Any:
    try:
        import inspect_ai
    except ImportError as err:
        raise MissingDependencyError(
            f"The inspect_ai bridge needs the optional 'inspect' extra: {_INSTALL}."
        ) from err
    return inspect_ai


def _chat(turns: list[dict[str, Any]]) -> list[Any]:
    from inspect_ai.model import (
        ChatMessageAssistant,
        ChatMessageSystem,
        ChatMessageTool,
        ChatMessageUser,
    )

    kinds: dict[str, Any] = {
        "system": ChatMessageSystem,
        "user": ChatMessageUser,
        "assistant": ChatMessageAssistant,
        "tool": ChatMessageTool,
    }
    messages = []
    for turn in turns:
        role = turn.get("role")
        if role not in kinds:
            raise InvalidInputError(
                f"A chat turn has role {role!r}; inspect takes system, user, assistant or tool."
            )
        messages.append(kinds[role](content=turn.get("content") or ""))
    return messages


def to_inspect(ds: DatasetLike, *, name: str | None = None) -> Any:
    """The rows of ``ds`` as an inspect_ai ``MemoryDataset`` (see the module doc).

    Parameters
    ----------
    ds
        A :class:`~crucible_pl.Dataset` of canonical rows, with or without prompts.
    name
        The inspect dataset's name; the dataset's name by default.

    Returns
    -------
    inspect_ai.dataset.MemoryDataset
        One ``Sample`` per row, in row order.

    Raises
    ------
    MissingDependencyError
        inspect_ai is not installed.
    ColumnNotFoundError
        The rows have no ``id`` or nothing to use as input.

    Examples
    --------
    >>> import crucible_pl
    >>> ds = crucible_pl.load("mmlu", "test", config="astronomy").head(2)
    >>> samples = ds.to_inspect()  # doctest: +SKIP
    >>> samples[0].target, len(samples[0].choices)  # doctest: +SKIP
    ('D', 4)
    """
    _inspect()
    from inspect_ai.dataset import MemoryDataset, Sample

    from crucible_pl.errors import ColumnNotFoundError

    frame = ds.collect()
    columns = set(frame.columns)
    if "id" not in columns or not columns & {"prompt", "input"}:
        raise ColumnNotFoundError(
            f"to_inspect needs an id and a prompt or input column; the rows have "
            f"{', '.join(frame.columns)}."
        )
    family = ds.family
    multiple_choice = family == "multiple_choice" and {"choices", "expected"} <= columns
    # A chat dataset's own `messages` is the whole conversation, answer included; only
    # rendered prompts (with_prompts/with_fewshot add `prompt` and `messages`) are input.
    rendered = "prompt" in columns
    source = (
        "messages" if rendered and "messages" in columns else ("prompt" if rendered else "input")
    )
    metadata_columns = [c for c in frame.columns if c not in _NOT_METADATA and c != source]
    samples = []
    for row in frame.iter_rows(named=True):
        given = row[source]
        text_or_chat = _chat(given) if isinstance(given, list) else (given or "")
        if multiple_choice:
            expected = row["expected"]
            target = letter(expected) if expected is not None else ""
            choices = list(row["choices"] or [])
        else:
            expected = row.get("expected")
            target = "" if expected is None else str(expected)
            choices = None
        samples.append(
            Sample(
                input=text_or_chat,
                choices=choices,
                target=target,
                id=str(row["id"]),
                metadata={c: row[c] for c in metadata_columns},
            )
        )
    return MemoryDataset(samples, name=name or ds.provenance.name)


def from_inspect(log: Any) -> pl.DataFrame:
    """An inspect_ai eval log as a predictions frame for :func:`crucible_pl.evaluate`.

    Parameters
    ----------
    log
        An ``EvalLog``, or the path of a log file (``.eval`` or ``.json``).

    Returns
    -------
    pl.DataFrame
        ``id`` (String), ``prediction`` (the model's completion), ``sample`` (the epoch,
        only when the log has several: ``evaluate`` then scores each and adds pass@k and
        maj@k), ``model``, ``task``, one ``score_<scorer>`` column per inspect scorer
        (its value as text), and the sample metadata's scalar fields.

    Raises
    ------
    MissingDependencyError
        inspect_ai is not installed.
    InvalidInputError
        The file does not exist, or the log did not finish or holds no samples.

    Examples
    --------
    >>> import crucible_pl
    >>> preds = crucible_pl.from_inspect("logs/my-run.eval")  # doctest: +SKIP
    >>> crucible_pl.evaluate(crucible_pl.load("mmlu", "test"), preds)  # doctest: +SKIP
    """
    _inspect()
    from inspect_ai.log import read_eval_log

    if isinstance(log, (str, os.PathLike)):
        path = Path(log)
        if not path.is_file():
            raise InvalidInputError(
                f"Eval log {str(path)!r} does not exist. Pass an EvalLog or the path of an "
                "inspect log file (.eval or .json)."
            )
        log = read_eval_log(str(path))
    if log.status != "success":
        detail = f": {log.error.message}" if getattr(log, "error", None) else ""
        raise InvalidInputError(
            f"The eval log's status is {log.status!r}{detail}; only a finished run can be "
            "scored. Run the task again, or retry it with inspect's eval_retry."
        )
    if not log.samples:
        raise InvalidInputError(
            "The eval log holds no samples (written with samples left out?); read it with "
            "its samples, e.g. inspect_ai.log.read_eval_log(path)."
        )
    epochs = {s.epoch for s in log.samples}
    rows = []
    for s in log.samples:
        row: dict[str, Any] = {
            "id": str(s.id),
            "prediction": s.output.completion if s.output is not None else None,
            "model": log.eval.model,
            "task": log.eval.task,
        }
        if len(epochs) > 1:
            row["sample"] = int(s.epoch)
        for scorer, score in (s.scores or {}).items():
            row[f"score_{scorer}"] = None if score.value is None else str(score.value)
        for key, value in (s.metadata or {}).items():
            if isinstance(value, (str, int, float, bool)) or value is None:
                row[key if key not in row else f"metadata_{key}"] = value
        rows.append(row)
    return pl.DataFrame(rows, infer_schema_length=None)
