"""The one module that talks to the Hub, always through huggingface_hub.

It resolves a revision to a commit sha and file list, reads the dataset card, and
downloads files into the standard Hugging Face cache. Every huggingface_hub and
transport exception is translated here, by class, into a :mod:`crucible_pl.errors`
exception; callers never see a raw huggingface_hub error. huggingface_hub is
imported lazily so that ``import crucible_pl`` and warm loads stay fast.

Endpoint, cache directory and token are read from :mod:`crucible_pl._config` at
call time and passed explicitly (huggingface_hub reads ``HF_ENDPOINT`` only once,
at import). Retries and backoff are huggingface_hub's own.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import _config, _validate
from .errors import (
    CrucibleError,
    DataFormatError,
    DatasetNotFoundError,
    GatedDatasetError,
    HubUnavailableError,
    RevisionNotFoundError,
)

if TYPE_CHECKING:
    from huggingface_hub import HfApi

__all__ = ["CONVERT_BRANCH", "RepoState", "download_files", "fetch_footer", "repo_state"]

logger = logging.getLogger(__name__)

CONVERT_BRANCH = "refs/convert/parquet"
_LIBRARY = "crucible-pl"
_MAX_WORKERS = 8


@dataclass(frozen=True)
class RepoState:
    """A repo at one commit: its sha, its files and its card's YAML front matter."""

    repo: str
    revision: str
    sha: str
    files: tuple[str, ...]
    card: dict[str, Any]


def _api(token: str | None) -> HfApi:
    from huggingface_hub import HfApi

    return HfApi(endpoint=_config.endpoint(), token=token, library_name=_LIBRARY)


@contextlib.contextmanager
def _translated(
    repo: str, *, revision: str | None = None, what: str = "", token: str | None = None
) -> Iterator[None]:
    """Map huggingface_hub and transport exceptions to ours, by class."""
    import httpx2
    from huggingface_hub import errors as hf

    where = f" ({what})" if what else ""
    endpoint = _config.endpoint()
    try:
        yield
    except CrucibleError:
        raise
    except hf.GatedRepoError as err:
        raise GatedDatasetError(_gated_message(repo, err, token), dataset=repo) from None
    except hf.RepositoryNotFoundError as err:
        status = err.response.status_code if err.response is not None else None
        if status == 403:
            raise GatedDatasetError(_gated_message(repo, err, token), dataset=repo) from None
        raise DatasetNotFoundError(
            f"Dataset {repo!r} not found on the Hub at {endpoint}. Check the repo id "
            "(owner/name) or the registered name; if the dataset is private or gated, pass "
            "token=... or set HF_TOKEN.",
            dataset=repo,
        ) from None
    except hf.RevisionNotFoundError:
        raise RevisionNotFoundError(
            f"Revision {revision!r} not found in {repo}. Pass an existing branch, tag or "
            "commit sha (revision=None uses the default branch).",
            dataset=repo,
            revision=revision,
        ) from None
    except hf.RemoteEntryNotFoundError as err:
        raise DataFormatError(
            f"{repo} lists a file{where} that the Hub does not serve (HTTP 404). The repo may "
            "have changed since it was resolved: retry with refresh=True.",
            dataset=repo,
            revision=revision,
        ) from err
    except hf.OfflineModeIsEnabled as err:
        raise HubUnavailableError(
            f"huggingface_hub refused to reach the Hub for {repo}{where} because its offline "
            "mode is on. Unset HF_HUB_OFFLINE, or load with offline=True from the cache.",
            dataset=repo,
            revision=revision,
        ) from err
    except hf.HfHubHTTPError as err:
        status = err.response.status_code if err.response is not None else None
        if status in (401, 403):
            raise GatedDatasetError(_gated_message(repo, err, token), dataset=repo) from None
        raise HubUnavailableError(
            f"The Hub at {endpoint} answered HTTP {status} for {repo}{where}, after "
            "huggingface_hub's retries. Nothing was cached for this request; try again later.",
            dataset=repo,
            revision=revision,
        ) from None
    except (hf.LocalEntryNotFoundError, httpx2.HTTPError, OSError) as err:
        raise HubUnavailableError(
            f"Could not reach the Hub at {endpoint} for {repo}{where} "
            f"({type(err).__name__}). Nothing was cached for this request. Check the network "
            "or HF_ENDPOINT, or set HF_HUB_OFFLINE=1 to use data already cached.",
            dataset=repo,
            revision=revision,
        ) from None


def _gated_message(repo: str, err: Exception, token: str | None) -> str:
    status = getattr(getattr(err, "response", None), "status_code", None)
    code = f" (HTTP {status})" if status else ""
    hint = (
        "The token you passed was refused: check that it is valid and that its account "
        "accepted the dataset's terms on the Hub."
        if token
        else "Accept its terms on the Hub, then pass token=... or set HF_TOKEN."
    )
    return f"Access to {repo} was refused{code}: the dataset is gated or private. {hint}"


def repo_state(repo: str, revision: str, *, token: str | None) -> RepoState:
    """Resolve ``revision`` of ``repo`` to a commit sha, its file list and its card.

    One API request (repo info at that revision); a second one (README.md) only when
    the server does not return the card's metadata itself.
    """
    tok = _config.token(token)
    with _translated(repo, revision=revision, what="repo info", token=tok):
        info = _api(tok).dataset_info(repo, revision=revision)
    sha = info.sha
    if not isinstance(sha, str) or len(sha) != 40:
        raise DataFormatError(
            f"The Hub at {_config.endpoint()} returned no commit sha for {repo}@{revision}; "
            "is HF_ENDPOINT a Hub-compatible server?",
            dataset=repo,
            revision=revision,
        )
    files = tuple(
        _validate.repo_path(s.rfilename, repo=repo) for s in (info.siblings or ()) if s.rfilename
    )
    card: dict[str, Any] | None = None
    if info.card_data is not None:
        card = dict(info.card_data.to_dict())  # type: ignore[no-untyped-call]
    elif "README.md" in files:
        card = _read_card(repo, sha, token=tok)
    return RepoState(repo=repo, revision=revision, sha=sha, files=files, card=card or {})


def _read_card(repo: str, sha: str, *, token: str | None) -> dict[str, Any] | None:
    import yaml
    from huggingface_hub import hf_hub_download
    from huggingface_hub.repocard import metadata_load

    with _translated(repo, revision=sha, what="README.md", token=token):
        path = hf_hub_download(
            repo,
            "README.md",
            repo_type="dataset",
            revision=sha,
            cache_dir=_config.hub_cache_dir(),
            endpoint=_config.endpoint(),
            token=token,
            library_name=_LIBRARY,
        )
    try:
        return metadata_load(str(path))
    except yaml.YAMLError as err:
        raise DataFormatError(
            f"The dataset card (README.md) of {repo}@{sha[:12]} has YAML front matter that "
            f"does not parse: {err}. Fix the card, or pin a revision whose card parses.",
            dataset=repo,
            revision=sha,
        ) from None


def download_files(repo: str, files: Sequence[tuple[str, str]], *, token: str | None) -> list[Path]:
    """Download ``(path, commit sha)`` pairs into the HF cache; return their local paths.

    Files already cached at that sha cost no request. huggingface_hub writes each
    file as ``.incomplete`` and renames it when complete, under a file lock, so an
    interrupted download is never taken for a complete one and concurrent processes
    download each file once.
    """
    from huggingface_hub import hf_hub_download

    tok = _config.token(token)
    cache_dir = _config.hub_cache_dir()
    endpoint = _config.endpoint()

    def fetch(item: tuple[str, str]) -> Path:
        path, sha = item
        _validate.repo_path(path, repo=repo)
        with _translated(repo, revision=sha, what=path, token=tok):
            local = hf_hub_download(
                repo,
                path,
                repo_type="dataset",
                revision=sha,
                cache_dir=cache_dir,
                endpoint=endpoint,
                token=tok,
                library_name=_LIBRARY,
            )
        return Path(str(local))

    if len(files) <= 1:
        return [fetch(item) for item in files]
    with ThreadPoolExecutor(max_workers=min(_MAX_WORKERS, len(files))) as pool:
        return list(pool.map(fetch, files))


def fetch_footer(repo: str, sha: str, path: str, *, token: str | None) -> bytes:
    """The Parquet footer of a remote file (``PAR1`` trailer included), by Range requests.

    Two small requests through huggingface_hub's own HTTP session: the last 64 KiB,
    and, for a larger footer, the rest of it. Used by ``info()`` for files that are
    not cached, so row counts and schemas cost kilobytes, not the whole file.
    """
    from huggingface_hub import hf_hub_url
    from huggingface_hub.utils import build_hf_headers, get_session, hf_raise_for_status

    tok = _config.token(token)
    url = hf_hub_url(repo, path, repo_type="dataset", revision=sha, endpoint=_config.endpoint())
    headers = build_hf_headers(token=tok, library_name=_LIBRARY)
    session = get_session()
    tail = 64 * 1024
    with _translated(repo, revision=sha, what=path, token=tok):
        response = session.get(
            url, headers={**headers, "Range": f"bytes=-{tail}"}, follow_redirects=True
        )
        hf_raise_for_status(response)
        data = response.content
        if len(data) < 8 or data[-4:] != b"PAR1":
            raise DataFormatError(
                f"{path} of {repo} is not a valid Parquet file (no PAR1 trailer).",
                dataset=repo,
                revision=sha,
            )
        footer_len = int.from_bytes(data[-8:-4], "little")
        if footer_len + 8 > len(data):
            response = session.get(
                url,
                headers={**headers, "Range": f"bytes=-{footer_len + 8}"},
                follow_redirects=True,
            )
            hf_raise_for_status(response)
            data = response.content
    return data[-(footer_len + 8) :]
