"""Writing Hub-shaped dataset repos to a directory that :class:`LocalHub` serves.

Every file is written atomically (a temporary file in the same directory, then
``os.replace``), so a running hub never serves a half-written file.
"""

from __future__ import annotations

import gzip
import io
import os
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from crucible_pl._synthetic import generator_for
from crucible_pl.errors import InvalidInputError, InvalidPathError, InvalidRepoIdError
from crucible_pl.registry._spec import DatasetSpec, HubFile, SyntheticRequest
from crucible_pl.testing._repos import TMP_PREFIX, is_valid_repo_id, ref_dir_name

__all__ = ["FORMATS", "write_repo", "write_spec_repo"]

FileContent = pl.DataFrame | bytes | str


def _csv(df: pl.DataFrame) -> bytes:
    return df.write_csv().encode()


def _ndjson(df: pl.DataFrame) -> bytes:
    return df.write_ndjson().encode()


def _json(df: pl.DataFrame) -> bytes:
    return df.write_json().encode()  # a JSON array of row objects


# ``datasets`` (``push_to_hub``, ``to_parquet``) ends a row group at 100 MB of Arrow data
# (its ``config.MAX_ROW_GROUP_SIZE``).
_HUB_ROW_GROUP_BYTES = 100 * 10**6


def _parquet(df: pl.DataFrame) -> bytes:
    # Snappy, as on the Hub: ``datasets`` and the Hub's Parquet converter write with
    # pyarrow's default (the real files in ../shared/hub are all snappy). Row groups as
    # ``datasets`` cuts them.
    buf = io.BytesIO()
    size = int(df.estimated_size())
    rows = max(1, df.height * _HUB_ROW_GROUP_BYTES // size) if size else None
    df.write_parquet(buf, compression="snappy", row_group_size=rows)
    return buf.getvalue()


def _gz(encode: Callable[[pl.DataFrame], bytes]) -> Callable[[pl.DataFrame], bytes]:
    return lambda df: gzip.compress(encode(df), mtime=0)


FORMATS: dict[str, Callable[[pl.DataFrame], bytes]] = {
    ".parquet": _parquet,
    ".jsonl.gz": _gz(_ndjson),
    ".jsonl": _ndjson,
    ".json.gz": _gz(_json),
    ".json": _json,
    ".csv.gz": _gz(_csv),
    ".csv": _csv,
}
"""Suffix -> DataFrame encoder, for the formats :func:`write_repo` can write a frame in."""


def _plain(value: Any) -> Any:
    """Mappings -> dicts and tuples -> lists, so ``yaml.safe_dump`` accepts them."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _card_text(card: Mapping[str, Any]) -> str:
    front = yaml.safe_dump(_plain(card), sort_keys=False, allow_unicode=True)
    return f"---\n{front}---\n"


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=TMP_PREFIX)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; repo files are ordinary readable files
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _encode(path: str, value: FileContent) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode()
    for suffix, encode in FORMATS.items():
        if path.endswith(suffix):
            try:
                return encode(value)
            except pl.exceptions.PolarsError as err:
                raise InvalidInputError(
                    f"Cannot write the frame for {path!r} as {suffix}: {err}. "
                    "Pass a frame the format can hold, or bytes/str to write verbatim."
                ) from err
    raise InvalidInputError(
        f"Cannot tell the format of {path!r} from its suffix. Valid suffixes for a DataFrame: "
        f"{', '.join(FORMATS)}; pass bytes or str to write any other file verbatim."
    )


def _check_path(path: str) -> None:
    parts = path.split("/")
    if (
        not path
        or any(p in {"", ".", ".."} for p in parts)
        or "\\" in path
        or "\0" in path
        or (len(path) > 1 and path[1] == ":")
    ):
        raise InvalidPathError(
            f"Invalid repo file path {path!r}: use a relative 'dir/file.ext' path without "
            "'.', '..', empty or absolute components."
        )


def write_repo(
    root: str | os.PathLike[str],
    repo_id: str,
    files: Mapping[str, FileContent],
    *,
    ref: str = "main",
    card: Mapping[str, Any] | None = None,
) -> Path:
    """Write files into a repo under ``root``, laid out as :class:`LocalHub` serves them.

    Parameters
    ----------
    root
        The hub's root directory (created if missing).
    repo_id
        ``owner/name``.
    files
        Repo path -> content. A ``pl.DataFrame`` is written in the format its suffix
        names (``.parquet``, ``.jsonl``, ``.jsonl.gz``, ``.json`` (a JSON array of
        objects), ``.json.gz``, ``.csv``, ``.csv.gz``); bytes and str are written as is.
    ref
        The branch to write to: ``"main"``, or any other ref such as
        ``"refs/convert/parquet"`` (the repo's ``main`` directory is created too, so
        the repo exists).
    card
        When given, a ``README.md`` is written with this mapping as its YAML front matter.

    Returns
    -------
    Path
        The directory of the ref the files were written to.

    Raises
    ------
    InvalidRepoIdError
        ``repo_id`` is not ``owner/name``.
    InvalidPathError
        A file path is absolute or has ``.``/``..`` segments, or ``ref`` is unusable.
    InvalidInputError
        A frame's suffix names no known format, or ``card`` and a ``README.md`` are both given.

    Examples
    --------
    >>> import tempfile
    >>> import polars as pl
    >>> from crucible_pl.testing import write_repo
    >>> tmp = tempfile.TemporaryDirectory()
    >>> df = pl.DataFrame({"q": ["1+1?"], "a": [2]})
    >>> main = write_repo(tmp.name, "me/toy", {"data/test.jsonl": df}, card={"license": "mit"})
    >>> sorted(p.name for p in main.rglob("*") if p.is_file())
    ['README.md', 'test.jsonl']
    >>> pl.read_ndjson(main / "data" / "test.jsonl").equals(df)
    True
    >>> tmp.cleanup()
    """
    if not is_valid_repo_id(repo_id):
        raise InvalidRepoIdError(
            f"Invalid repo id {repo_id!r}: expected 'owner/name' made of letters, digits, "
            "'-', '_' and '.'.",
            dataset=repo_id,
        )
    if not ref or ref in {".", ".."} or "\0" in ref:
        raise InvalidPathError(f"Invalid ref {ref!r}: pass a branch name such as 'main'.")
    if card is not None and "README.md" in files:
        raise InvalidInputError(
            f"Both card= and a README.md file were given for {repo_id}: pass only one."
        )
    base = Path(root)
    main = base / "datasets" / repo_id
    target = main if ref == "main" else base / "refs" / "datasets" / repo_id / ref_dir_name(ref)
    main.mkdir(parents=True, exist_ok=True)
    target.mkdir(parents=True, exist_ok=True)
    contents: dict[str, bytes] = {}
    for path, value in files.items():
        _check_path(path)
        contents[path] = _encode(path, value)
    if card is not None:
        contents["README.md"] = _card_text(card).encode()
    resolved = target.resolve()
    for path, data in contents.items():
        dest = target / path
        if not dest.parent.resolve().is_relative_to(resolved):
            raise InvalidPathError(f"Repo file path {path!r} would leave {target}.")
        _atomic_write(dest, data)
    return target


def write_spec_repo(
    root: str | os.PathLike[str], spec: DatasetSpec, *, rows: int = 20, seed: int = 0
) -> Path:
    """Write a synthetic repo shaped exactly like ``spec``'s Hub repo.

    For every config and split of ``spec.hub_files``, ``rows`` deterministic rows from
    the governing spec's ``synthetic`` generator, cast to the raw schema, are spread in
    order over that split's files, each written at its path on its revision.
    ``README.md`` on ``main`` carries ``license`` and, when the spec has them, the
    card's ``configs:``.

    Parameters
    ----------
    root
        The hub's root directory.
    spec
        The dataset to imitate.
    rows
        Rows per config and split (spread over its shards).
    seed
        Seed passed to the generator.

    Returns
    -------
    Path
        The repo's ``main`` directory.

    Raises
    ------
    InvalidInputError
        The spec (or the variant governing a config) has no ``synthetic`` generator.

    Examples
    --------
    >>> import tempfile
    >>> import polars as pl
    >>> from crucible_pl.registry._spec import DatasetSpec, HubFile
    >>> from crucible_pl.testing import write_spec_repo
    >>> spec = DatasetSpec(
    ...     name="toy", repo="me/toy", family="math", description="Toy.", license="mit",
    ...     domain="math", task_type="free-form answer", configs=("default",),
    ...     default_config="default", default_split="test",
    ...     columns={"input": pl.col("q"), "expected": pl.col("a").cast(pl.String)},
    ...     hub_files=(HubFile("data/test-00000-of-00001.parquet", "default", "test"),),
    ...     raw_schema={"default": {"q": pl.String, "a": pl.Int32}},
    ...     synthetic=lambda r: pl.DataFrame({"q": [f"q{i}" for i in range(r.n)], "a": range(r.n)}),
    ... )
    >>> tmp = tempfile.TemporaryDirectory()
    >>> main = write_spec_repo(tmp.name, spec, rows=3)
    >>> pl.read_parquet(main / "data/test-00000-of-00001.parquet").schema
    Schema([('q', String), ('a', Int32)])
    >>> (main / "README.md").read_text()
    '---\\nlicense: mit\\n---\\n'
    >>> tmp.cleanup()
    """
    groups: dict[tuple[str, str, str], list[HubFile]] = {}
    for f in spec.hub_files:
        groups.setdefault((f.revision, f.config, f.split), []).append(f)
    by_ref: dict[str, dict[str, FileContent]] = {}
    for (_, config, split), shards in groups.items():
        sub = spec.for_config(config)
        make = generator_for(spec, config)
        if make is None:
            raise InvalidInputError(
                f"Dataset {spec.name!r} (config {config!r}) has no synthetic generator, so no "
                "synthetic repo can be written for it. Add DatasetSpec(synthetic=...) or write "
                "the files with write_repo.",
                dataset=spec.name,
                config=config,
            )
        # One draw per config and split, spread over its shards in order, so ids that
        # are unique within a split stay unique across its shards.
        df = make(SyntheticRequest(config, split, rows, seed))
        schema = sub.raw_schema.get(config) or spec.raw_schema.get(config)
        if schema:
            df = df.cast(pl.Schema(schema))
        per_shard = -(-df.height // len(shards)) if df.height else 0
        for index, f in enumerate(shards):
            by_ref.setdefault(f.revision, {})[f.path] = df.slice(index * per_shard, per_shard)
    card: dict[str, Any] = {"license": spec.license}
    if spec.card_configs is not None:
        card["configs"] = _plain(spec.card_configs)
    write_repo(root, spec.repo, by_ref.pop("main", {}), card=card)
    for ref, files in by_ref.items():
        write_repo(root, spec.repo, files, ref=ref)
    return Path(root) / "datasets" / spec.repo
