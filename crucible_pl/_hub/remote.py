"""Partial remote reads: a split's Parquet files scanned over the Hub's pinned resolve URLs.

``load_lazy(..., remote=True)`` on a split that is not cached builds its frame here:
``pl.scan_parquet`` over ``{HF_ENDPOINT}/datasets/{repo}/resolve/{sha}/{path}`` for each
data file, so ``head``, ``select`` and selective filters read only the footers and the
row groups and columns they need, by HTTP range requests. The URLs carry the commit
sha the revision resolved to (through huggingface_hub, like every load), never a
branch name: the rows are exactly those a later download would cache.

Polars' HTTP reader cannot send an ``Authorization`` header (pola-rs/polars#17197), so
remote reads are for repos that need no token. Before scanning, one unauthenticated
``HEAD`` of the first file (through huggingface_hub) checks that: a gated or private
repo is refused with what to do (download the split: ``remote=False``), never read
half-authenticated. huggingface_hub's user agent is sent with every range request.

Examples
--------
>>> from crucible_pl._hub.remote import resolve_url
>>> resolve_url("https://huggingface.co", "openai/gsm8k", "a" * 40, "main/test-00000.parquet")
'https://huggingface.co/datasets/openai/gsm8k/resolve/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/main/test-00000.parquet'
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote

import polars as pl

from crucible_pl import _config
from crucible_pl._cache.manifests import Layout
from crucible_pl.errors import DataFormatError, InvalidInputError

from .session import LIBRARY, online, request_timeout
from .translate import retry_exceptions, translated

__all__ = ["remote_files", "resolve_url", "scan_remote"]


def resolve_url(endpoint: str, repo: str, sha: str, path: str) -> str:
    """The Hub's resolve URL of ``path`` at commit ``sha`` (path segments quoted)."""
    return f"{endpoint}/datasets/{repo}/resolve/{sha}/{quote(path, safe='/')}"


def remote_files(layout: Layout, hub_config: str, split: str) -> list[tuple[str, str]]:
    """(repo path, commit) of the split's data files; all must be Parquet to read remotely."""
    files = list(layout.configs[hub_config][split])
    other = [path for path, _ in files if not path.endswith(".parquet")]
    if other:
        raise InvalidInputError(
            f"remote=True reads Parquet files in place, but {layout.repo} (config "
            f"{hub_config!r}, split {split!r}) has {len(other)} other file(s), such as "
            f"{other[0]!r}, which are converted to Parquet once when downloaded. Load it "
            "without remote=True.",
            dataset=layout.repo,
            config=hub_config,
            split=split,
        )
    return files


@online
def _check_public(url: str, *, repo: str, sha: str, path: str) -> None:
    """One unauthenticated HEAD of ``url``: a repo that needs a token cannot be read remotely."""
    from huggingface_hub.utils import build_hf_headers, hf_raise_for_status, http_backoff

    response = http_backoff(
        "HEAD",
        url,
        headers=build_hf_headers(token=False, library_name=LIBRARY),
        timeout=request_timeout(),
        retry_on_exceptions=retry_exceptions(),
        follow_redirects=True,
    )
    if response.status_code in (401, 403):
        raise InvalidInputError(
            f"{repo} needs a token (it is gated or private), and remote reads cannot send one: "
            "Polars' HTTP reader sends no Authorization header (pola-rs/polars#17197). Load "
            "it without remote=True: the split is downloaded with your token and read locally.",
            dataset=repo,
            revision=sha,
        )
    with translated(repo, revision=sha, what=path, token=None):
        hf_raise_for_status(response)


def _user_agent() -> str:
    from huggingface_hub.utils import build_hf_headers

    return str(build_hf_headers(token=False, library_name=LIBRARY).get("user-agent", LIBRARY))


def scan_remote(
    layout: Layout, files: Sequence[tuple[str, str]], *, row_index: str | None = None
) -> tuple[pl.LazyFrame, list[str]]:
    """A lazy scan of ``files`` (repo path, commit) over their pinned resolve URLs.

    Returns the frame and the URLs. Raises :class:`InvalidInputError` for a repo that
    needs a token, and the usual Hub errors when the Hub cannot be reached.
    """
    endpoint = _config.endpoint()
    urls = [resolve_url(endpoint, layout.repo, sha, path) for path, sha in files]
    if not urls:
        raise DataFormatError(f"{layout.repo} has no data files for this split.")
    first_path, first_sha = files[0]
    _check_public(urls[0], repo=layout.repo, sha=first_sha, path=first_path)
    frame = pl.scan_parquet(
        urls,
        storage_options={"user_agent": _user_agent()},
        row_index_name=row_index,
        missing_columns="insert",
    )
    return frame, urls
