"""lm-evaluation-harness on the exact pinned files: a task YAML that includes lm-eval's own.

:func:`lm_eval_task` writes a task config that ``include``s one of lm-eval's task
configs (its prompt, metrics and few-shot settings, untouched) and replaces only where
the data come from: the raw Hub files of each split, as crucible-pl resolved them (same
commit sha), read by the ``datasets`` builder for their format. lm-eval then reads the
same rows crucible-pl loads, offline, and both tools score the same items.

Examples
--------
>>> from crucible_pl._bridges.lm_eval import task_yaml
>>> print(task_yaml("/lm_eval/tasks/gsm8k/gsm8k.yaml", "gsm8k_pinned", "parquet",
...                 {"test": ["/cache/test.parquet"]}, nulls=("training_split",),
...                 comment="gsm8k main test @ abc"))
# crucible-pl: gsm8k main test @ abc
include: "/lm_eval/tasks/gsm8k/gsm8k.yaml"
task: "gsm8k_pinned"
tag: []
dataset_path: "parquet"
dataset_name: null
dataset_kwargs:
  data_files:
    "test": ["/cache/test.parquet"]
training_split: null
<BLANKLINE>
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crucible_pl._files.atomic import write_text
from crucible_pl._load.frame import open_frame
from crucible_pl._load.request import LoadRequest
from crucible_pl.errors import InvalidInputError, MissingDependencyError

if TYPE_CHECKING:
    from crucible_pl._bridges._protocol import DatasetLike

__all__ = ["lm_eval_task", "task_yaml"]

_INSTALL = "pip install 'crucible-pl[lm-eval]'"
_SPLIT_KEYS = ("training_split", "validation_split", "test_split", "fewshot_split")
_BUILDERS = {".parquet": "parquet", ".jsonl": "json", ".json": "json", ".csv": "csv"}


@functools.lru_cache(maxsize=1)
def _task_index() -> Mapping[str, Any]:
    """lm-eval's task index (name -> entry with ``yaml_path`` and ``cfg``), built once."""
    try:
        from lm_eval.tasks import TaskManager
    except ImportError as err:
        raise MissingDependencyError(
            f"lm_eval_task needs lm-evaluation-harness (the 'lm-eval' extra): {_INSTALL}."
        ) from err
    index: Mapping[str, Any] = TaskManager().task_index
    return index


def task_yaml(
    include: str,
    name: str,
    builder: str,
    data_files: Mapping[str, Sequence[str]],
    *,
    nulls: Sequence[str] = (),
    overrides: Mapping[str, Any] | None = None,
    comment: str = "",
) -> str:
    """The text of a task config that includes ``include`` and reads ``data_files``.

    Strings are written as JSON (valid YAML), so paths need no quoting rules of their own.
    """
    lines = [f"# crucible-pl: {comment}"] if comment else []
    lines += [
        f"include: {json.dumps(include)}",
        f"task: {json.dumps(name)}",
        "tag: []",  # not a member of the included task's groups
        f"dataset_path: {json.dumps(builder)}",
        "dataset_name: null",
        "dataset_kwargs:",
        "  data_files:",
        *(
            f"    {json.dumps(split)}: {json.dumps(list(files))}"
            for split, files in data_files.items()
        ),
        *(f"{key}: null" for key in nulls),
        *(f"{key}: {json.dumps(value)}" for key, value in (overrides or {}).items()),
    ]
    return "\n".join(lines) + "\n"


def lm_eval_task(
    task: str,
    splits: Mapping[str, DatasetLike],
    directory: str | os.PathLike[str],
    *,
    name: str | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Path:
    """Write a task config running lm-eval's ``task`` on the pinned files of ``splits``.

    Parameters
    ----------
    task
        An lm-eval task name (``"mmlu_astronomy"``, ``"gsm8k"``, ``"arc_challenge"``...).
    splits
        lm-eval split name -> the :class:`~crucible_pl.Dataset` loaded for it, e.g.
        ``{"test": load("mmlu", "test", config="astronomy"), "dev": load("mmlu", "dev",
        config="astronomy")}``. Each must be a whole split (no ``[:n]`` slice): lm-eval
        reads whole files. Splits the task names but ``splits`` lacks are set to null.
    directory
        Where to write ``<name>.yaml``; pass it to lm-eval as ``--include_path`` (or
        ``TaskManager(include_path=...)``).
    name
        The new task's name; ``<task>_pinned`` by default.
    overrides
        Task config keys to replace, where the Hub files differ from the copy lm-eval
        reads: lm-eval's ``boolq`` reads ``aps/super_glue``'s ``label``, google/boolq
        has ``answer`` (a bool), so ``{"doc_to_target": "{{answer | int}}"}``.

    Returns
    -------
    Path
        The written YAML file.

    Raises
    ------
    MissingDependencyError
        lm-evaluation-harness is not installed.
    InvalidInputError
        An unknown task, an empty ``splits``, a sliced split, or splits of different
        datasets, commits or file formats.

    Examples
    --------
    >>> import tempfile
    >>> import crucible_pl
    >>> test = crucible_pl.load("gsm8k", "test")
    >>> folder = tempfile.mkdtemp()
    >>> crucible_pl.lm_eval_task("gsm8k", {"test": test}, folder)  # doctest: +SKIP
    PosixPath('.../gsm8k_pinned.yaml')

    Then ``lm-eval run --include_path <folder> --tasks gsm8k_pinned ...`` (the call
    needs the ``lm-eval`` extra, so it is not run here; tests/bridges runs it).
    """
    if not splits:
        raise InvalidInputError("splits is empty: map at least one lm-eval split to a Dataset.")
    index = _task_index()
    if task not in index or getattr(index[task], "yaml_path", None) is None:
        raise InvalidInputError(
            f"{task!r} is not a task of the installed lm-evaluation-harness (with a YAML "
            "config). List them with `lm-eval ls tasks`."
        )
    entry = index[task]
    data_files: dict[str, list[str]] = {}
    pinned = set()
    for split, ds in splits.items():
        p = ds.provenance
        if "[" in p.split or "," in p.split or "+" in p.split:
            raise InvalidInputError(
                f"Split {split!r} is {p.name} {p.split!r}: lm-eval reads whole files, so pass "
                "a whole split (no slice or concatenation)."
            )
        # The raw Hub files of that split at that commit (a warm cache: no request).
        request = LoadRequest.build(p.name, p.split, config=p.config, revision=p.sha, raw=True)
        data_files[split] = list(open_frame(request).files)
        pinned.add((p.name, p.config, p.sha))
    if len(pinned) > 1:
        raise InvalidInputError(
            "The splits come from different datasets, configs or commits: "
            f"{sorted(pinned)}. An lm-eval task reads one dataset config at one commit."
        )
    suffixes = {Path(f).suffix for files in data_files.values() for f in files}
    builders = {_BUILDERS.get(s) for s in suffixes}
    if len(builders) != 1 or None in builders:
        raise InvalidInputError(
            f"The files have suffixes {sorted(suffixes)}: one of .parquet, .jsonl, .json or "
            ".csv is needed for all of them."
        )
    cfg = getattr(entry, "cfg", {}) or {}
    nulls = [k for k in _SPLIT_KEYS if cfg.get(k) is not None and cfg[k] not in data_files]
    (ds_name, config, sha) = next(iter(pinned))
    new_name = name or f"{task}_pinned"
    text = task_yaml(
        str(entry.yaml_path),
        new_name,
        builders.pop() or "parquet",
        data_files,
        nulls=nulls,
        overrides=overrides,
        comment=f"lm-eval's {task} on {ds_name} (config {config!r}) at {sha}",
    )
    out = Path(directory) / f"{new_name}.yaml"
    out.parent.mkdir(parents=True, exist_ok=True)
    write_text(out, text)
    return out
