"""The one load request: every option of a load, checked once at the public boundary.

``load_lazy``, ``load`` and ``info`` each build a :class:`LoadRequest` with
:meth:`LoadRequest.build` and pass it down; nothing below them re-declares or
re-checks the options. Building one makes no request and touches no file: a bad
argument fails here, before the network.

Examples
--------
>>> from crucible_pl._load.request import LoadRequest
>>> request = LoadRequest.build("gsm8k", "test[:5]", columns=["id", "expected"])
>>> request.repo, request.config, str(request.split), request.columns
('openai/gsm8k', 'main', 'test[:5]', ('id', 'expected'))
>>> LoadRequest.build("gsm8k", source="disk")
Traceback (most recent call last):
...
crucible_pl.errors.InvalidInputError: source='disk' is not valid: use 'hub' (the default) ...
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from crucible_pl import _config, _validate
from crucible_pl._files.lockfile import LockedDataset, read_lock
from crucible_pl._split import SplitRequest, parse_split
from crucible_pl.errors import ConfigNotFoundError, InvalidInputError, LockMismatchError

if TYPE_CHECKING:
    from crucible_pl.registry._spec import DatasetSpec

__all__ = ["SYNTHETIC_ROWS", "LoadRequest"]

SYNTHETIC_ROWS = 100
"""Rows per config and split of ``source="synthetic"`` when ``n`` is not given."""

_REGISTERED_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,95}")


@dataclass(frozen=True)
class LoadRequest:
    """One load, checked: what to load, from where, and how.

    ``spec`` is the registered spec of ``name`` (``None`` for a repo id), ``config``
    the config asked for (a registered name's default when none was), ``offline`` the
    resolved mode (the argument, else ``HF_HUB_OFFLINE``). The token never shows in
    the repr.
    """

    name: str
    repo: str
    spec: DatasetSpec | None = field(repr=False)
    split: SplitRequest | None = None
    config: str | None = None
    revision: str = "main"
    columns: tuple[str, ...] | None = None
    offline: bool = False
    token: str | None = field(default=None, repr=False)
    refresh: bool = False
    raw: bool = False
    source: Literal["hub", "synthetic"] = "hub"
    n: int = SYNTHETIC_ROWS
    seed: int = 0
    configs: tuple[str, ...] = ()
    """Several configs in one load (``config=[...]``); then ``config`` is ``None``."""
    lock: Path | None = None
    """The lock file the load follows (``lock=`` or ``CRUCIBLE_PL_LOCK``)."""
    locked: tuple[LockedDataset, ...] = field(default=(), repr=False)
    """The lock entries of this load's config, one per locked split (checked on load)."""
    remote: bool = False
    """Read a split that is not cached in place over HTTP (``remote=True``)."""
    locked_configs: Mapping[str, tuple[str, SplitRequest, tuple[LockedDataset, ...]]] = field(
        default_factory=dict, repr=False
    )
    """Several configs under a lock: config -> its locked commit, split and entries."""

    def for_config(self, config: str) -> LoadRequest:
        """This request for one of its configs (under a lock, that config's commit)."""
        if config in self.locked_configs:
            sha, split, locked = self.locked_configs[config]
            return replace(
                self, config=config, configs=(), revision=sha, split=split, locked=locked,
                locked_configs={},
            )  # fmt: skip
        return replace(self, config=config, configs=())

    @classmethod
    def build(
        cls,
        name: str,
        split: str | None = None,
        *,
        config: str | Sequence[str] | None = None,
        revision: str | None = None,
        columns: Sequence[str] | None = None,
        offline: bool | None = None,
        token: str | None = None,
        refresh: bool = False,
        raw: bool = False,
        source: str = "hub",
        n: int | None = None,
        seed: int = 0,
        lock: str | os.PathLike[str] | None = None,
        remote: bool = False,
    ) -> LoadRequest:
        """Check every option of a load (see :func:`crucible_pl.load_lazy`) and gather them.

        Raises
        ------
        InvalidInputError
            A malformed name, config, revision, split, column list, source or ``n``.
        DatasetNotFoundError, ConfigNotFoundError
            An unknown registered name, or a config its spec does not have.
        """
        if not isinstance(name, str):
            raise InvalidInputError(
                f"Dataset name must be a string such as 'gsm8k' or 'openai/gsm8k', got {name!r}."
            )
        spec = find_spec(name)
        repo = spec.repo if spec is not None else _validate.repo_id(name)
        wanted = _validate.column_names(columns, dataset=name)
        several = _several_configs(config, dataset=name)
        if len(several) == 1:
            config, several = several[0], ()
        if several:
            if spec is not None:
                several = tuple(_spec_config(spec, c) or c for c in several)
            config = None
        else:
            if config is not None:
                _validate.config_name(config, dataset=name)
            if spec is not None:
                config = _spec_config(spec, config)  # type: ignore[arg-type]
        rev = _validate.revision(revision, dataset=name) if revision is not None else "main"
        parts = parse_split(split) if split is not None else None
        if source not in ("hub", "synthetic"):
            raise InvalidInputError(
                f"source={source!r} is not valid: use 'hub' (the default) or 'synthetic'.",
                dataset=name,
            )
        rows = SYNTHETIC_ROWS
        if source == "synthetic":
            if spec is None:
                raise InvalidInputError(
                    f"source='synthetic' needs a registered dataset name, not {name!r}; see "
                    "crucible_pl.list_datasets().",
                    dataset=name,
                )
            rows = SYNTHETIC_ROWS if n is None else n
            if not isinstance(rows, int) or rows < 0:
                raise InvalidInputError(
                    f"n must be a non-negative integer, got {n!r}.", dataset=spec.name
                )
        elif n is not None:
            raise InvalidInputError(
                "n= only applies to source='synthetic'; slice the split instead, e.g. "
                "split='test[:100]'.",
                dataset=name,
            )
        if not isinstance(remote, bool):
            raise InvalidInputError(f"remote must be True or False, got {remote!r}.", dataset=name)
        if remote and source != "hub":
            raise InvalidInputError(
                "remote=True reads Hub files in place; it does not apply to source='synthetic'.",
                dataset=name,
            )
        lock_path = _config.lock_file(lock) if source == "hub" else None
        locked: tuple[LockedDataset, ...] = ()
        locked_configs: dict[str, tuple[str, SplitRequest, tuple[LockedDataset, ...]]] = {}
        if lock_path is not None and several:
            # Each config follows its own lock entries (checked here, before any download).
            for one in several:
                _, sha, one_split, entries = _apply_lock(lock_path, name, one, revision, parts)
                locked_configs[one] = (sha, one_split, entries)
        elif lock_path is not None:
            single = config if isinstance(config, str) else None
            config, rev, parts, locked = _apply_lock(lock_path, name, single, revision, parts)
        return cls(
            name=name,
            repo=repo,
            spec=spec,
            split=parts,
            config=config,  # type: ignore[arg-type]
            configs=several,
            lock=lock_path,
            locked=locked,
            locked_configs=locked_configs,
            remote=remote,
            revision=rev,
            columns=tuple(wanted) if wanted is not None else None,
            offline=_config.is_offline(offline) if source == "hub" else False,
            token=token,
            refresh=refresh,
            raw=raw,
            source="synthetic" if source == "synthetic" else "hub",
            n=rows,
            seed=seed,
        )


def _several_configs(config: object, *, dataset: str) -> tuple[str, ...]:
    """``config`` as a list of configs, when it is one (a list or tuple); else ``()``."""
    if config is None or isinstance(config, str):
        return ()
    if not isinstance(config, (list, tuple)) or not config:
        raise InvalidInputError(
            f"config must be a config name, a non-empty list of config names or None, got "
            f"{config!r}. For example config=['astronomy', 'anatomy'].",
            dataset=dataset,
        )
    names = tuple(_validate.config_name(c, dataset=dataset) for c in config)
    repeated = sorted({c for c in names if names.count(c) > 1})
    if repeated:
        raise InvalidInputError(
            f"config lists {', '.join(map(repr, repeated))} more than once; give each config once.",
            dataset=dataset,
        )
    return names


def _apply_lock(
    path: Path,
    name: str,
    config: str | None,
    revision: str | None,
    split: SplitRequest | None,
) -> tuple[str, str, SplitRequest, tuple[LockedDataset, ...]]:
    """Config, commit, split and lock entries of a load under the lock file ``path``."""
    entries = [e for e in read_lock(path) if e.name == name]
    where = f"lock file {str(path)!r}"
    if not entries:
        raise LockMismatchError(
            f"{name} is not in the {where}. Add it with `crucible-pl lock {name}`, or load "
            "without the lock (unset CRUCIBLE_PL_LOCK).",
            dataset=name,
        )
    configs = sorted({e.config for e in entries})
    if config is None:
        if len(configs) > 1:
            raise LockMismatchError(
                f"{name} is locked in several configs ({', '.join(configs)}) in the {where}: "
                "pass config=.",
                dataset=name,
            )
        config = configs[0]
    entries = [e for e in entries if e.config == config]
    if not entries:
        raise LockMismatchError(
            f"{name} (config {config!r}) is not in the {where}, which locks config(s) "
            f"{', '.join(configs)}. Add it with `crucible-pl lock {name}:{config}`.",
            dataset=name,
            config=config,
        )
    by_split = {e.split: e for e in entries}
    if split is None:
        if len(by_split) > 1:
            raise LockMismatchError(
                f"{name} (config {config!r}) is locked for several splits "
                f"({', '.join(sorted(by_split))}) in the {where}: pass the split.",
                dataset=name,
                config=config,
            )
        split = parse_split(next(iter(by_split)))
    missing = [p.name for p in split.parts if p.name not in by_split]
    if missing:
        raise LockMismatchError(
            f"{name} (config {config!r}) split(s) {', '.join(missing)} are not in the {where}, "
            f"which locks {', '.join(sorted(by_split))}. Add them with "
            f"`crucible-pl lock {name}:{config}:{missing[0]}`.",
            dataset=name,
            config=config,
        )
    used = tuple(by_split[p.name] for p in split.parts)
    shas = {e.sha for e in used}
    if len(shas) > 1:
        raise LockMismatchError(
            f"The {where} locks the splits of {name} (config {config!r}) at different commits; "
            "lock them again together.",
            dataset=name,
            config=config,
        )
    sha = shas.pop()
    if revision is not None and revision not in {sha, *(e.revision for e in used)}:
        raise LockMismatchError(
            f"revision={revision!r} differs from the {where}, which pins {name} (config "
            f"{config!r}) to {used[0].revision!r} = {sha[:12]}. Drop revision= to follow the "
            "lock, or lock again.",
            dataset=name,
            config=config,
            revision=revision,
        )
    return config, sha, split, used


def find_spec(name: str) -> DatasetSpec | None:
    """The registered spec for ``name``; ``None`` for a repo id (``owner/name``)."""
    if "/" in name:
        return None
    if not _REGISTERED_NAME.fullmatch(name):
        _validate.repo_id(name)  # raises InvalidRepoIdError with the valid forms
    from crucible_pl.registry import get_spec

    return get_spec(name)


def _spec_config(spec: DatasetSpec, config: str | None) -> str | None:
    """``config``, or the spec's default; raises before any request when it has no such."""
    chosen = config if config is not None else spec.default_config
    if chosen is not None and chosen not in spec.configs:
        close = difflib.get_close_matches(chosen, list(spec.configs), n=3, cutoff=0.6)
        hint = f"Did you mean {' or '.join(repr(c) for c in close)}? " if close else ""
        raise ConfigNotFoundError(
            f"Config {chosen!r} is not a config of {spec.name}. {hint}Available configs: "
            f"{', '.join(spec.configs)}.",
            dataset=spec.name,
            config=chosen,
        )
    return chosen
