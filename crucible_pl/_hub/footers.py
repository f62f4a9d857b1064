"""Parquet footers of remote files, by bounded Range requests (what ``info()`` reads)."""

from __future__ import annotations

from crucible_pl import _config, _validate
from crucible_pl.errors import DataFormatError, HubUnavailableError

from .session import LIBRARY, online, request_timeout
from .translate import (
    retry_exceptions,
    translated,
)

__all__ = ["FOOTER_READ_LIMIT", "fetch_footer"]


@online
def fetch_footer(repo: str, sha: str, path: str, *, token: str | None) -> bytes:
    """The Parquet footer of a remote file (``PAR1`` trailer included), by Range requests.

    Two small requests: the last 64 KiB, and, for a larger footer, the rest of it. Used
    by ``info()`` for files that are not cached, so row counts and schemas cost
    kilobytes, not the whole file. The bytes read are bounded: a server that ignores
    the Range header (a 200 with the whole file) is read no further than
    :data:`FOOTER_READ_LIMIT` (a smaller file is read whole and its tail used), and a
    server that refuses ranges (416, or errors that outlast two retries) fails at once
    with a clear error.
    """
    from huggingface_hub import hf_hub_url

    _validate.repo_path(path, repo=repo)
    tok = _config.token(token)
    url = hf_hub_url(repo, path, repo_type="dataset", revision=sha, endpoint=_config.endpoint())
    tail = 64 * 1024
    with translated(repo, revision=sha, what=path, token=tok):
        data = _read_tail(url, tail, repo=repo, path=path, sha=sha, token=tok)
        if len(data) < 8 or data[-4:] != b"PAR1":
            raise DataFormatError(
                f"{path} of {repo} is not a valid Parquet file (no PAR1 trailer).",
                dataset=repo,
                revision=sha,
            )
        footer_len = int.from_bytes(data[-8:-4], "little")
        if footer_len + 8 > len(data):
            data = _read_tail(url, footer_len + 8, repo=repo, path=path, sha=sha, token=tok)
    if footer_len + 8 > len(data):
        raise DataFormatError(
            f"{path} of {repo} is not a valid Parquet file (footer length {footer_len} exceeds "
            f"the {len(data)} bytes served).",
            dataset=repo,
            revision=sha,
        )
    return data[-(footer_len + 8) :]


FOOTER_READ_LIMIT = 8 * 1024 * 1024
"""The most ``fetch_footer`` reads of one answer (a server ignoring Range sends it all)."""


def _read_tail(url: str, size: int, *, repo: str, path: str, sha: str, token: str | None) -> bytes:
    """The last ``size`` bytes of ``url`` by a suffix Range request, reading a bounded body."""
    from huggingface_hub.utils import build_hf_headers, hf_raise_for_status, http_stream_backoff

    endpoint = _config.endpoint()
    limit = max(size, FOOTER_READ_LIMIT)
    headers = {**build_hf_headers(token=token, library_name=LIBRARY), "Range": f"bytes=-{size}"}
    with http_stream_backoff(
        "GET",
        url,
        headers=headers,
        timeout=request_timeout(),
        retry_on_exceptions=retry_exceptions(),
        max_retries=2,  # footers are small and info() is interactive: fail in seconds
        follow_redirects=True,
    ) as response:
        if response.status_code == 416:
            raise HubUnavailableError(
                f"The Hub at {endpoint} refused a Range request for the footer of {path} of "
                f"{repo} (HTTP 416), so info() cannot read its row count without downloading "
                f"it. Download the split first (crucible-pl download {repo} ...) and info() "
                "reads the cached footers, or use a server that supports HTTP Range requests.",
                dataset=repo,
                revision=sha,
            )
        hf_raise_for_status(response)
        body = bytearray()
        for chunk in response.iter_bytes():
            body += chunk
            if len(body) > limit:
                announced = response.headers.get("Content-Length") or ""
                whole = f" ({int(announced):,} bytes)" if announced.isdigit() else ""
                raise HubUnavailableError(
                    f"The Hub at {endpoint} ignored the Range request for the footer of {path} "
                    f"of {repo} and sent the whole file{whole}; info() stopped reading after "
                    f"{limit // (1024 * 1024)} MiB. Download the split first (crucible-pl "
                    f"download {repo} ...) and info() reads the cached footers, or use a server "
                    "that supports HTTP Range requests.",
                    dataset=repo,
                    revision=sha,
                )
    if response.status_code == 206:
        return bytes(body[-size:])
    return bytes(body)  # a 200 with the whole (small) file: its tail is the footer
