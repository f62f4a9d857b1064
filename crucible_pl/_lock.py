"""Pinned eval suites: writing ``crucible.lock``, checking it for drift, syncing a cache.

:func:`lock` loads each asked (name, config, split) once, so its files are downloaded and
checked, and records the commit and each file's size and content hash
(:mod:`crucible_pl._files.lockfile` holds the format). A load given ``lock=`` (or
``CRUCIBLE_PL_LOCK``) then uses the locked commit and refuses other files
(:mod:`crucible_pl._load.request`, :mod:`crucible_pl._load.frame`). :func:`check_lock`
asks the Hub where each locked revision is now; :func:`sync` downloads a whole lock.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from . import _config
from ._files.lockfile import LockedDataset, read_lock, write_lock
from ._hub.resolve import get_layout, resolve_sha
from ._load.frame import locked_file_facts, open_frame, open_source
from ._load.request import LoadRequest
from ._load.source_hub import HubSource
from .errors import InvalidInputError, LockMismatchError

__all__ = ["LOCK_FILE", "Drift", "check_lock", "lock", "parse_spec", "sync"]

LOCK_FILE = "crucible.lock"

# name[:config[:split]][@revision]; a repo id's "/" is part of the name.
_SPEC = re.compile(
    r"^(?P<name>[^:@]+)(?::(?P<config>[^:@]+))?(?::(?P<split>[^:@]+))?(?:@(?P<rev>.+))?$"
)


def parse_spec(spec: str) -> tuple[str, str | None, str | None, str | None]:
    """``"name[:config[:split]][@revision]"`` as (name, config, split, revision).

    Examples
    --------
    >>> from crucible_pl._lock import parse_spec
    >>> parse_spec("mmlu:astronomy:test@main")
    ('mmlu', 'astronomy', 'test', 'main')
    >>> parse_spec("openai/gsm8k")
    ('openai/gsm8k', None, None, None)
    """
    match = _SPEC.match(spec.strip()) if isinstance(spec, str) else None
    if match is None:
        raise InvalidInputError(
            f"Invalid dataset spec {spec!r}: expected NAME[:CONFIG[:SPLIT]][@REVISION], e.g. "
            "'gsm8k', 'mmlu:astronomy:test' or 'openai/gsm8k:main:test@main'."
        )
    return match["name"], match["config"], match["split"], match["rev"]


def lock(
    datasets: Sequence[str],
    *,
    path: str | os.PathLike[str] = LOCK_FILE,
    token: str | None = None,
) -> list[LockedDataset]:
    """Resolve, download and pin each dataset; write (or update) the lock file.

    Each spec is ``"NAME[:CONFIG[:SPLIT]][@REVISION]"``: a registered name or a repo id,
    its config (default: the default one), split (default: the load's default split,
    test, else validation) and revision (default: ``main``). Each is loaded once, so its
    files are downloaded and checked, then recorded with its commit sha and each data
    file's commit, size and content hash. Entries already in the file for other
    (name, config, split) are kept; the same ones are replaced.

    Parameters
    ----------
    datasets
        Specs, e.g. ``["gsm8k", "mmlu:astronomy:test", "openai/gsm8k:main:train@main"]``.
    path
        The lock file (default ``crucible.lock``).
    token
        A Hub token for gated or private datasets; ``None`` follows ``HF_TOKEN``.

    Returns
    -------
    list[LockedDataset]
        The entries written for ``datasets``.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import crucible_pl
    >>> path = Path(tempfile.mkdtemp()) / "crucible.lock"
    >>> [(e.name, e.config, e.split) for e in crucible_pl.lock(["gsm8k"], path=path)]
    [('gsm8k', 'main', 'test')]
    >>> crucible_pl.load_lazy("gsm8k", lock=path).collect().height
    40
    """
    if isinstance(datasets, str) or not datasets:
        raise InvalidInputError(
            f"lock() takes a non-empty list of dataset specs, got {datasets!r}; e.g. "
            "['gsm8k', 'mmlu:astronomy:test']."
        )
    target = Path(path)
    written = [_lock_one(spec, token=token) for spec in datasets]
    kept = read_lock(target) if target.exists() else ()
    new_keys = {e.key for e in written}
    write_lock(target, [*[e for e in kept if e.key not in new_keys], *written])
    return written


def _lock_one(spec: str, *, token: str | None) -> LockedDataset:
    name, config, split, revision = parse_spec(spec)
    request = LoadRequest.build(
        name, split, config=config, revision=revision, token=token, offline=False
    )
    loaded = open_frame(request)  # downloads and checks the files
    source = open_source(request)
    assert isinstance(source, HubSource)  # a lock pins Hub loads
    split_name = loaded.provenance.split
    if any(c in split_name for c in "[]+"):
        raise InvalidInputError(
            f"A lock pins whole splits, not {split_name!r}: give a split name such as "
            f"'{name}:{loaded.provenance.config}:test'; slice it when you load.",
            dataset=name,
        )
    entries = [
        f
        for hub_config in source.hub_configs
        for f in source.layout.configs[hub_config][split_name]
    ]
    files = []
    for path, sha in entries:
        facts = locked_file_facts(source.repo, path, sha)
        if facts is None:
            raise LockMismatchError(
                f"{path} of {source.repo}@{sha[:12]} was loaded but is not in the HF cache; "
                "lock again.",
                dataset=name,
            )
        files.append(facts)
    return LockedDataset(
        name=name,
        repo=source.repo,
        config=loaded.provenance.config,
        split=split_name,
        revision=revision or "main",
        sha=source.sha,
        endpoint=_config.endpoint(),
        files=tuple(files),
    )


@dataclass(frozen=True)
class Drift:
    """How a locked entry differs from the Hub now.

    Attributes
    ----------
    entry
        The locked entry.
    sha
        The commit its revision resolves to now.
    added, removed
        Repo paths of the split's data files that are new, or gone, at that commit.
    """

    entry: LockedDataset
    sha: str
    added: tuple[str, ...]
    removed: tuple[str, ...]

    def describe(self) -> str:
        e = self.entry
        what = f"{e.name} {e.config}/{e.split}: {e.revision} moved {e.sha[:12]} -> {self.sha[:12]}"
        changes = [f"+{p}" for p in self.added] + [f"-{p}" for p in self.removed]
        return what + (f" ({', '.join(changes)})" if changes else " (same file names)")


def check_lock(
    path: str | os.PathLike[str] = LOCK_FILE, *, token: str | None = None
) -> list[Drift]:
    """Ask the Hub where each locked revision is now; the entries that moved.

    A locked commit sha never changes content; drift is a branch or tag that now points
    elsewhere. For each moved entry, the split's file names at the new commit are
    compared with the locked ones.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import crucible_pl
    >>> from crucible_pl._lock import check_lock
    >>> path = Path(tempfile.mkdtemp()) / "crucible.lock"
    >>> _ = crucible_pl.lock(["gsm8k"], path=path)
    >>> check_lock(path)
    []
    """
    drifts = []
    for entry in read_lock(Path(path)):
        sha, state = resolve_sha(
            entry.repo, entry.revision, offline=False, refresh=True, token=_config.token(token)
        )
        if sha == entry.sha:
            continue
        layout = get_layout(entry.repo, sha, offline=False, token=token, state=state)
        now = {
            p
            for config, splits in layout.configs.items()
            if config == entry.config
            for p, _ in splits.get(entry.split, ())
        }
        then = {f.path for f in entry.files}
        drifts.append(Drift(entry, sha, tuple(sorted(now - then)), tuple(sorted(then - now))))
    return drifts


def sync(
    path: str | os.PathLike[str] = LOCK_FILE, *, token: str | None = None
) -> list[tuple[LockedDataset, int]]:
    """Download everything a lock file pins (a cluster node warming its cache).

    Each entry is loaded under the lock (so its files are checked against it); returns
    (entry, rows) pairs. Already cached entries cost no request.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import crucible_pl
    >>> from crucible_pl._lock import sync
    >>> path = Path(tempfile.mkdtemp()) / "crucible.lock"
    >>> _ = crucible_pl.lock(["gsm8k"], path=path)
    >>> [(e.name, rows) for e, rows in sync(path)]
    [('gsm8k', 40)]
    """
    done = []
    for entry in read_lock(Path(path)):
        request = LoadRequest.build(
            entry.name, entry.split, config=entry.config, token=token, lock=path, offline=False
        )
        loaded = open_frame(request)
        rows = loaded.num_rows
        if rows is None:
            rows = int(loaded.frame.select(pl.len()).collect().item())
        done.append((entry, rows))
    return done
