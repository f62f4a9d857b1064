"""inspect_ai, both ways: a Dataset as inspect ``Sample``s, an eval log as predictions.

:func:`to_inspect` (``Dataset.to_inspect()``) gives an inspect ``MemoryDataset`` any
``Task`` can use; :func:`from_inspect` reads an eval log back into a predictions frame
that :func:`crucible_pl.evaluate` and :func:`crucible_pl.compare` accept. Both need the
``inspect`` extra (``pip install 'crucible-pl[inspect]'``).

How rows become samples:

- ``id``: the row's ``id``;
- ``input``: the column named by ``input_col``, if given; else, for rows rendered by
  :meth:`Dataset.with_prompts <crucible_pl.Dataset.with_prompts>` or ``with_fewshot``,
  their ``messages`` (chat turns; else their ``prompt``); otherwise ``input`` (a
  conversation becomes chat messages; a chat dataset's own ``messages`` column, which
  holds the answer, is metadata unless named by ``input_col``).
  A multiple-choice row without a rendered prompt keeps its bare question, so inspect's
  own ``multiple_choice()`` solver lays out the options;
- ``choices`` and ``target``: for multiple choice, the options and the letter of the
  right one (``expected`` 1 -> ``"B"``); otherwise ``expected`` as text (``""`` where
  it is null);
- ``metadata``: every other column (``subject``, ``level``, ``fewshot_ids``...).

An input column holds text (String) or chat turns (List(Struct) with ``role`` and
``content``), which become inspect's ``ChatMessageSystem``/``User``/``Assistant``/``Tool``.

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
from typing import Any

import polars as pl

from crucible_pl._bridges._protocol import DatasetLike
from crucible_pl.errors import (
    ColumnNotFoundError,
    DataFormatError,
    InvalidInputError,
    MissingDependencyError,
)

__all__ = ["from_inspect", "letter", "to_inspect"]

_INSTALL = "pip install 'crucible-pl[inspect]'"
_NOT_METADATA = {"id", "input", "expected", "choices", "prompt", "continuations"}


def letter(index: int) -> str:
    """0 -> ``"A"``, 1 -> ``"B"``...: how inspect names multiple-choice targets."""
    if not 0 <= index < len(string.ascii_uppercase):
        raise InvalidInputError(
            f"Choice index {index} has no letter: inspect names choices A to Z (0 to 25). "
            "Check the row's expected index against its choices."
        )
    return string.ascii_uppercase[index]


def _is_chat(dtype: pl.DataType) -> bool:
    """A List(Struct) whose fields include ``role`` and ``content``: chat turns."""
    if not isinstance(dtype, pl.List) or not isinstance(dtype.inner, pl.Struct):
        return False
    return {"role", "content"} <= {field.name for field in dtype.inner.fields}


def _input_column(frame: pl.DataFrame, input_col: str | None) -> str:
    """The column that becomes each sample's input (see the module doc)."""
    have = ", ".join(frame.columns)
    if "id" not in frame.columns:
        raise ColumnNotFoundError(f"to_inspect needs an id column; the rows have {have}.")
    if input_col is not None and input_col not in frame.columns:
        raise ColumnNotFoundError(
            f"input_col={input_col!r} is not a column of the rows; they have {have}. "
            "Pass one of them, or leave input_col out."
        )
    if input_col is not None:
        source = input_col
    elif "prompt" in frame.columns:
        # Rendered rows (with_prompts/with_fewshot add `prompt` and `messages`) send their
        # chat turns. A chat dataset's own `messages` ends with the answer: never input.
        source = "messages" if _rendered_chat(frame) else "prompt"
    elif "input" in frame.columns:
        source = "input"
    else:
        raise ColumnNotFoundError(
            f"to_inspect needs a prompt or input column; the rows have {have}. Add one "
            "(e.g. with Dataset.with_prompts), or name the input with input_col=."
        )
    dtype = frame.schema[source]
    if dtype != pl.String and not _is_chat(dtype):
        raise InvalidInputError(
            f"Input column {source!r} has dtype {dtype}; inspect takes text (String) or "
            "chat turns (List(Struct) with role and content). Pass another input_col= or "
            "cast the column."
        )
    return source


def _rendered_chat(frame: pl.DataFrame) -> bool:
    """Whether ``messages`` holds rendered prompts: chat turns, none ending in an answer."""
    if "messages" not in frame.columns or not _is_chat(frame.schema["messages"]):
        return False
    last = frame["messages"].list.last().struct.field("role")
    return not (last == "assistant").any()


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


def to_inspect(ds: DatasetLike, *, input_col: str | None = None, name: str | None = None) -> Any:
    """The rows of ``ds`` as an inspect_ai ``MemoryDataset`` (see the module doc).

    Parameters
    ----------
    ds
        A :class:`~crucible_pl.Dataset` of canonical rows, with or without prompts.
    input_col
        The column to use as input (text, or chat turns ``{role, content}``); chosen as
        the module doc says by default. Name ``"messages"`` to send a chat dataset's
        whole conversation, e.g. for a model that grades it.
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
        The rows have no ``id`` or nothing to use as input, or ``input_col`` is not a
        column.
    InvalidInputError
        The input column is neither text nor chat turns, or a chat turn has a role
        inspect does not know.

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

    frame = ds.collect()
    source = _input_column(frame, input_col)
    multiple_choice = ds.family == "multiple_choice" and {"choices", "expected"} <= set(
        frame.columns
    )
    metadata_columns = [c for c in frame.columns if c not in _NOT_METADATA and c != source]
    samples = []
    # One Python object per row: inspect's Samples are built one by one, which no Polars
    # expression can do (this runs once per export, not on the load path).
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
        The file does not exist or is not a ``.eval``/``.json`` file, or the log did not
        finish or holds no samples.
    DataFormatError
        The file cannot be read as an inspect eval log.

    Examples
    --------
    >>> import crucible_pl
    >>> preds = crucible_pl.from_inspect("logs/my-run.eval")  # doctest: +SKIP
    >>> crucible_pl.evaluate(crucible_pl.load("mmlu", "test"), preds)  # doctest: +SKIP
    """
    _inspect()
    from inspect_ai.log import read_eval_log

    if isinstance(log, (str, os.PathLike)):
        log = _read(Path(log), read_eval_log)
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


def _read(path: Path, read_eval_log: Any) -> Any:
    """The log at ``path``, read by inspect; our errors for a missing or unreadable file."""
    valid = "Pass an EvalLog or the path of an inspect log file (.eval or .json)."
    if not path.exists():
        raise InvalidInputError(f"Eval log {str(path)!r} does not exist. {valid}")
    if not path.is_file() or path.suffix not in {".eval", ".json"}:
        kind = "a directory" if path.is_dir() else f"a {path.suffix or 'suffix-less'} file"
        raise InvalidInputError(f"Eval log {str(path)!r} is {kind}. {valid}")
    try:
        return read_eval_log(str(path))
    except ValueError as err:  # a broken zip, bad JSON, or JSON that is not a log
        raise DataFormatError(
            f"{str(path)!r} is not a readable inspect eval log ({type(err).__name__}). "
            "Pass a log file inspect wrote, or read it with inspect_ai.log.read_eval_log "
            "to see what is wrong."
        ) from err
