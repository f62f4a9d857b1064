"""Fetching one split: its files downloaded, converted to Parquet, checked, remembered.

:func:`get_split` is the one path from a resolved layout to local Parquet files. The
split manifest is read first (through the damage checks of
:mod:`crucible_pl._cache.damage`), so a warm load makes no request; otherwise the files
of that config and split only are downloaded through :mod:`crucible_pl._hub.client`,
JSON/CSV converted once, Parquet footers checked, and the split manifest written last.
"""

from __future__ import annotations

import logging
from pathlib import Path

from crucible_pl._cache import manifests
from crucible_pl._cache.damage import sha256_of, usable_split
from crucible_pl._cache.manifests import CachedFile, Layout, SplitFiles
from crucible_pl._cache.paths import converted_path, hub_file_path
from crucible_pl._files.convert import convert_to_parquet
from crucible_pl._files.formats import data_format
from crucible_pl._files.parquet import check_parquet, has_uniform_schema, parquet_row_count
from crucible_pl.errors import DataFormatError

from . import client as _hub
from .resolve import cache_miss

__all__ = ["get_split"]

logger = logging.getLogger(__name__)


def _checked_parquet(
    repo: str, repo_file: str, revision: str, local: Path, *, token: str | None, where: str
) -> tuple[Path, int]:
    """A downloaded Parquet file whose footer parses, and its row count.

    A file that fails is removed and downloaded once more (it may have been damaged
    after huggingface_hub stored it); a second failure is a :class:`DataFormatError`
    naming the file, and the bad file is not left in the cache.
    """
    try:
        return local, _parquet_rows(local)
    except DataFormatError:
        _hub.discard_file(repo, revision, repo_file)
        logger.warning("%s of %s is not valid Parquet; downloading it once more", repo_file, repo)
    local = _hub.download_files(repo, [(repo_file, revision)], token=token)[0]
    try:
        return local, _parquet_rows(local)
    except DataFormatError as err:
        _hub.discard_file(repo, revision, repo_file)
        raise DataFormatError(
            f"{repo_file} of {repo}@{revision[:12]}{where} is not a valid Parquet file, also "
            f"when downloaded again ({err}). Nothing was cached for it; the file on the Hub is "
            "damaged or not Parquet: pin another revision.",
            dataset=repo,
            revision=revision,
        ) from None


def _converted(
    repo: str,
    repo_file: str,
    revision: str,
    local: Path,
    *,
    offline: bool,
    token: str | None,
    where: str,
) -> Path:
    """The Parquet conversion of a downloaded JSON/CSV file, converting it if needed.

    A download that cannot be converted (a corrupt ``.jsonl.gz``...) is removed and, when
    online, downloaded and converted once more; a second failure, or any failure offline,
    is a :class:`DataFormatError` naming the repo file, with the download removed.
    """
    target = converted_path(repo, revision, repo_file)
    label = f"{repo_file} of {repo}@{revision[:12]}{where}"
    try:
        return convert_to_parquet(local, target, label=label)
    except DataFormatError as err:
        _hub.discard_file(repo, revision, repo_file)
        if offline:
            raise DataFormatError(
                f"{err} The cached download was removed; load again online to download it again.",
                dataset=repo,
                revision=revision,
            ) from err
        logger.warning(
            "%s of %s cannot be converted (%s); downloading it again", repo_file, repo, err
        )
    local = _hub.download_files(repo, [(repo_file, revision)], token=token)[0]
    try:
        return convert_to_parquet(local, target, label=label)
    except DataFormatError as err:
        _hub.discard_file(repo, revision, repo_file)
        raise DataFormatError(
            f"{err} It failed again when downloaded again, so the file on the Hub is damaged "
            "or not in its format: pin another revision. Nothing was cached for it.",
            dataset=repo,
            revision=revision,
        ) from err


def _parquet_rows(local: Path) -> int:
    check_parquet(local)
    return parquet_row_count(local)


def get_split(
    layout: Layout, config: str, split: str, *, offline: bool, token: str | None
) -> SplitFiles:
    """The local Parquet files of one config and split, downloading what is missing."""
    repo, sha = layout.repo, layout.sha
    cached, damaged = usable_split(repo, sha, config, split)
    if cached is not None:
        return cached
    entries = layout.configs[config][split]
    # Offline, a split whose manifest is unusable (edited, or from before its digest) is
    # rebuilt from the files still in the HF cache: huggingface_hub returns a file cached
    # at a commit sha without a request.
    on_disk = all(hub_file_path(repo, rev, name).is_file() for name, rev in entries)
    if offline and not on_disk:
        what = f"{repo} (config {config!r}, split {split!r})"
        if damaged:
            what += f" is damaged in the cache ({', '.join(damaged)} removed) and"
        raise cache_miss(what, repo, sha, config, split)
    # Offline, the files are taken from the HF cache as they are (checked, never fetched).
    if offline:
        local = _hub.cached_files(repo, list(entries))
    else:
        local = _hub.download_files(repo, list(entries), token=token)
    files: list[CachedFile] = []
    where = f" (config {config!r}, split {split!r})"
    for (repo_file, revision), downloaded in zip(entries, local, strict=True):
        fmt, _ = data_format(repo_file)
        converted = fmt != "parquet"
        if converted:
            target = _converted(
                repo, repo_file, revision, downloaded, offline=offline, token=token, where=where
            )
            try:
                rows = parquet_row_count(target)
            except DataFormatError as err:
                target.unlink(missing_ok=True)
                raise DataFormatError(
                    f"The Parquet conversion of {repo_file} of {repo}@{revision[:12]} cannot be "
                    f"read ({err}).",
                    dataset=repo,
                    config=config,
                    split=split,
                    revision=revision,
                ) from None
        else:
            target, rows = _checked_parquet(
                repo, repo_file, revision, downloaded, token=token, where=where
            )
        size = target.stat().st_size
        digest = sha256_of(target) if converted else None
        files.append(CachedFile(repo_file, revision, converted, rows, size, digest))
    uniform = has_uniform_schema([f.local_path(repo) for f in files])
    result = SplitFiles(repo, sha, config, split, tuple(files), uniform)
    manifests.write_split(result)
    logger.info(
        "Cached %s %s/%s: %d file(s), %d rows", repo, config, split, len(files), result.num_rows
    )
    return result
