"""Build the LazyFrame of a load: resolve, scan, slice, normalize, project.

This is the whole load path below the public functions. It returns the frame with
its provenance, so ``load_lazy`` and the ``Dataset`` wrapper share one path.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import polars as pl

from crucible_pl import _config, _split, _validate
from crucible_pl._cache.manifests import Layout
from crucible_pl._files import parquet as _scan
from crucible_pl._hub import resolve as _resolve
from crucible_pl._hub.fetch import get_split
from crucible_pl.errors import (
    ColumnNotFoundError,
    ConfigNotFoundError,
    InvalidInputError,
    SplitNotFoundError,
)

if TYPE_CHECKING:
    from crucible_pl.registry._spec import DatasetSpec

__all__ = ["Loaded", "Provenance", "open_frame"]

logger = logging.getLogger(__name__)

_REGISTERED_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,95}")


@dataclass(frozen=True)
class Provenance:
    """Where the rows of a load came from: enough to reload exactly the same data.

    :attr:`Dataset.provenance <crucible_pl.Dataset.provenance>` holds one;
    :meth:`Dataset.save <crucible_pl.Dataset.save>` stores it in the Parquet metadata.

    Parameters
    ----------
    name
        The name loaded: a registered name or a Hub repo id.
    repo
        The Hub repo id, ``"owner/name"``.
    config, split
        The config, and the split as asked for (slice included, e.g. ``"test[:10]"``).
    revision
        The revision asked for (branch, tag or commit).
    sha
        The commit sha it resolved to: pass it as ``revision=`` to reload the same bytes.
    family
        The dataset family of a registered name; ``None`` for raw rows.
    spec_version
        The version of the registered normalizer; ``None`` for raw rows.
    source
        ``"hub"``, ``"synthetic"``, ``"disk"``, or ``"concat"``/``"interleave"``.

    Examples
    --------
    >>> import crucible_pl
    >>> p = crucible_pl.load("gsm8k", "test[:3]").provenance
    >>> p.repo, p.config, p.split, p.family
    ('openai/gsm8k', 'main', 'test[:3]', 'math')
    >>> again = crucible_pl.load(p.repo, "test[:3]", config=p.config, revision=p.sha, raw=True)
    >>> again.provenance.sha == p.sha
    True
    """

    name: str
    repo: str
    config: str
    split: str
    revision: str
    sha: str
    family: str | None = None
    spec_version: int | None = None
    source: str = "hub"

    def as_dict(self) -> dict[str, Any]:
        """The fields as a dict (what :meth:`Dataset.save` stores, as JSON).

        Returns
        -------
        dict[str, Any]

        Examples
        --------
        >>> import crucible_pl
        >>> fields = crucible_pl.load("gsm8k", "test[:3]").provenance.as_dict()
        >>> sorted(fields)
        ['config', 'family', 'name', 'repo', 'revision', 'sha', 'source', 'spec_version', 'split']
        >>> crucible_pl.Provenance(**fields).as_dict() == fields
        True
        """
        return dict(self.__dict__)


@dataclass(frozen=True)
class Loaded:
    """A lazy frame, its provenance, and its exact row count when known without a scan."""

    frame: pl.LazyFrame
    provenance: Provenance
    num_rows: int | None
    files: tuple[str, ...] = ()


def _find_spec(name: str) -> DatasetSpec | None:
    """The registered spec for ``name``; ``None`` for a repo id (``owner/name``)."""
    if "/" in name:
        return None
    if not _REGISTERED_NAME.fullmatch(name):
        _validate.repo_id(name)  # raises InvalidRepoIdError with the valid forms
    from crucible_pl.registry import get_spec

    return get_spec(name)


def open_frame(
    name: str,
    split: str | None = None,
    *,
    config: str | None = None,
    revision: str | None = None,
    columns: Sequence[str] | None = None,
    offline: bool | None = None,
    token: str | None = None,
    refresh: bool = False,
    raw: bool = False,
    source: str = "hub",
    n: int | None = None,
    seed: int = 0,
) -> Loaded:
    """Resolve and scan one load; see :func:`crucible_pl.load_lazy` for the arguments."""
    if not isinstance(name, str):
        raise InvalidInputError(
            f"Dataset name must be a string such as 'gsm8k' or 'openai/gsm8k', got {name!r}."
        )
    spec = _find_spec(name)
    repo = spec.repo if spec is not None else _validate.repo_id(name)
    wanted = _validate.column_names(columns, dataset=name)
    if config is not None:
        _validate.config_name(config, dataset=name)
    if spec is not None:
        config = _spec_config(spec, config)
    rev = _validate.revision(revision, dataset=name) if revision is not None else "main"
    request = _split.parse_split(split) if split is not None else None
    if source not in ("hub", "synthetic"):
        raise InvalidInputError(
            f"source={source!r} is not valid: use 'hub' (the default) or 'synthetic'.",
            dataset=name,
        )
    if source == "synthetic":
        if spec is None:
            raise InvalidInputError(
                f"source='synthetic' needs a registered dataset name, not {name!r}; see "
                "crucible_pl.list_datasets().",
                dataset=name,
            )
        loaded = _open_synthetic(spec, request, config=config, raw=raw, n=n, seed=seed)
    else:
        if n is not None:
            raise InvalidInputError(
                "n= only applies to source='synthetic'; slice the split instead, e.g. "
                "split='test[:100]'.",
                dataset=name,
            )
        loaded = _open_hub(
            name,
            repo,
            spec,
            request,
            config=config,
            revision=rev,
            offline=_config.is_offline(offline),
            token=token,
            refresh=refresh,
            raw=raw,
        )
    if wanted is not None:
        available = loaded.frame.collect_schema().names()
        missing = [c for c in wanted if c not in available]
        if missing:
            p = loaded.provenance
            raise ColumnNotFoundError(
                f"Column(s) {', '.join(map(repr, missing))} not found in {name} (config "
                f"{p.config!r}, split {p.split!r}). Available columns: {', '.join(available)}.",
                dataset=name,
                config=p.config,
                split=p.split,
            )
        loaded = Loaded(
            loaded.frame.select(wanted), loaded.provenance, loaded.num_rows, loaded.files
        )
    return loaded


def _spec_config(spec: DatasetSpec, config: str | None) -> str | None:
    """``config``, or the spec's default; raises before any request when it has no such."""
    chosen = config if config is not None else spec.default_config
    if chosen is not None and chosen not in spec.configs:
        raise ConfigNotFoundError(
            f"Config {chosen!r} is not a config of {spec.name}. Available configs: "
            f"{', '.join(spec.configs)}.",
            dataset=spec.name,
            config=chosen,
        )
    return chosen


def _default_split(names: Sequence[str], preferred: str | None, *, what: str) -> str:
    if preferred is not None and preferred in names:
        return preferred
    from crucible_pl._hub.datafiles import default_split

    chosen = default_split(names)
    if chosen is None:
        raise SplitNotFoundError(
            f"{what} has several splits and none of test/validation: pass split=. "
            f"Available splits: {', '.join(sorted(names))}."
        )
    return chosen


def _open_hub(
    name: str,
    repo: str,
    spec: DatasetSpec | None,
    request: _split.SplitRequest | None,
    *,
    config: str | None,
    revision: str,
    offline: bool,
    token: str | None,
    refresh: bool,
    raw: bool,
) -> Loaded:
    sha, state = _resolve.resolve_sha(repo, revision, offline=offline, refresh=refresh, token=token)
    hub_configs = spec.source_configs(config) if spec is not None and config else (config,)
    first_split = request.parts[0].name if request is not None else None
    layout = _resolve.get_layout(
        repo, sha, offline=offline, token=token, state=state, want=(hub_configs[0], first_split)
    )
    resolved = [layout.pick_config(c) for c in hub_configs]
    our_config = config if config is not None else resolved[0]
    if request is None:
        preferred = spec.for_config(our_config).default_split if spec is not None else None
        chosen = _default_split(
            list(layout.configs[resolved[0]]), preferred, what=f"{name} (config {our_config!r})"
        )
        logger.info("%s: no split given, using split %r", name, chosen)
        request = _split.parse_split(chosen)
    for hub_config in resolved:
        for part in request.parts:
            layout.check_split(hub_config, part.name)

    frames: list[pl.LazyFrame] = []
    files: list[str] = []
    total: int | None = 0
    for part in request.parts:
        if spec is not None and not raw:
            lf, part_rows, sources = _normalized_part(
                spec.for_config(our_config),
                layout,
                resolved,
                part,
                config=our_config,
                offline=offline,
                token=token,
            )
        else:
            lf, part_rows, sources = _raw_part(layout, resolved, part, offline=offline, token=token)
        files.extend(sources)
        total = None if total is None or part_rows is None else total + part_rows
        frames.append(lf)
    frame = frames[0] if len(frames) == 1 else pl.concat(frames, how="vertical_relaxed")
    family = spec.for_config(our_config).family if spec is not None else None
    provenance = Provenance(
        name=name,
        repo=repo,
        config=our_config,
        split=request.text,
        revision=revision,
        sha=sha,
        family=None if raw else family,
        spec_version=spec.for_config(our_config).version if spec is not None else None,
    )
    return Loaded(frame, provenance, total, tuple(files))


def _raw_part(
    layout: Layout,
    hub_configs: Sequence[str],
    part: _split.SplitPart,
    *,
    offline: bool,
    token: str | None,
) -> tuple[pl.LazyFrame, int, list[str]]:
    """The raw rows of one split part: a scan of its cached files, sliced lazily."""
    pieces: list[pl.LazyFrame] = []
    sources: list[str] = []
    rows = 0
    for hub_config in hub_configs:
        split_files = get_split(layout, hub_config, part.name, offline=offline, token=token)
        paths = split_files.local_paths()
        sources.extend(str(p) for p in paths)
        pieces.append(_scan.scan_parquet_files(paths, uniform=split_files.uniform_schema))
        rows += split_files.num_rows
    lf = pieces[0] if len(pieces) == 1 else pl.concat(pieces, how="vertical_relaxed")
    if not part.is_full:
        start, stop = part.bounds(rows)
        lf, rows = lf.slice(start, stop - start), stop - start
    return lf, rows, sources


def _normalized_part(
    spec: DatasetSpec,
    layout: Layout,
    hub_configs: Sequence[str],
    part: _split.SplitPart,
    *,
    config: str,
    offline: bool,
    token: str | None,
) -> tuple[pl.LazyFrame, int | None, list[str]]:
    """The canonical rows of one split part, scanned from the normalized cache.

    A slice selects by raw row position, so ``test[:100]`` means the first 100 raw rows
    whether or not the spec drops some of them; the count is exact unless it does.
    """
    from .normalized import POSITION, normalized_split

    cached = normalized_split(
        spec, layout, hub_configs, config=config, split=part.name, offline=offline, token=token
    )
    lf = pl.scan_parquet(cached.path)
    rows: int | None = cached.rows
    if not part.is_full:
        start, stop = part.bounds(cached.raw_rows)
        lf = lf.filter(pl.col(POSITION).is_between(start, stop, closed="left"))
        rows = stop - start if spec.keep is None else None
    return spec.restore(lf.drop(POSITION)), rows, list(cached.sources)


def _open_synthetic(
    spec: DatasetSpec,
    request: _split.SplitRequest | None,
    *,
    config: str | None,
    raw: bool,
    n: int | None,
    seed: int,
) -> Loaded:
    from crucible_pl.registry._spec import SyntheticRequest

    rows = 100 if n is None else n
    if not isinstance(rows, int) or rows < 0:
        raise InvalidInputError(f"n must be a non-negative integer, got {n!r}.", dataset=spec.name)
    our_config = config if config is not None else spec.configs[0]
    hub_configs = spec.source_configs(our_config)
    splits = sorted({f.split for f in spec.hub_files if f.config in hub_configs})
    part_spec = spec.for_config(our_config)
    if request is None:
        request = _split.parse_split(
            _default_split(splits, part_spec.default_split, what=f"{spec.name} ({our_config})")
        )
    generator = part_spec.synthetic
    if generator is None:
        raise InvalidInputError(
            f"{spec.name} has no synthetic generator.", dataset=spec.name, config=our_config
        )
    frames = []
    for part in request.parts:
        if splits and part.name not in splits:
            raise SplitNotFoundError(
                f"Split {part.name!r} not found in {spec.name} (config {our_config!r}). "
                f"Available splits: {', '.join(splits)}.",
                dataset=spec.name,
                config=our_config,
                split=part.name,
            )
        pieces = []
        for hub_config in hub_configs:
            hub_spec = spec.for_config(hub_config)
            make = hub_spec.synthetic or generator
            df = make(SyntheticRequest(hub_config, part.name, rows, seed))
            lf = df.lazy().with_row_index("__row").with_columns(pl.col("__row").cast(pl.Int64))
            if len(hub_configs) > 1:
                lf = lf.with_columns(pl.lit(hub_config, pl.String).alias("__config"))
            pieces.append(lf)
        lf = pl.concat(pieces, how="vertical_relaxed") if len(pieces) > 1 else pieces[0]
        if not part.is_full:
            start, stop = part.bounds(rows * len(hub_configs))
            lf = lf.slice(start, stop - start)
        if raw:
            lf = lf.drop("__row", "__config", strict=False)
        else:
            lf = part_spec.normalize(lf, config=our_config, split=part.name)
        frames.append(lf)
    frame = frames[0] if len(frames) == 1 else pl.concat(frames, how="vertical_relaxed")
    provenance = Provenance(
        name=spec.name,
        repo=spec.repo,
        config=our_config,
        split=request.text,
        revision="synthetic",
        sha="0" * 40,
        family=None if raw else part_spec.family,
        spec_version=part_spec.version,
        source="synthetic",
    )
    return Loaded(frame, provenance, None)
