"""The one module that talks to the Hub, always through huggingface_hub.

It resolves a revision to a commit sha and file list, reads the dataset card, and
downloads files into the standard Hugging Face cache. Every huggingface_hub and
transport exception is translated here, by class, into a :mod:`crucible_pl.errors`
exception; callers never see a raw huggingface_hub error. huggingface_hub is
imported lazily so that ``import crucible_pl`` and warm loads stay fast.

Endpoint, cache directory and token are read from :mod:`crucible_pl._config` at
call time and passed explicitly (huggingface_hub reads ``HF_ENDPOINT`` only once,
at import).

Retries and backoff are huggingface_hub's own (``http_backoff``: capped exponential,
``Retry-After`` honoured), with two gaps closed here (see ``docs/reliability.md``):

* ``HfApi.dataset_info`` neither retries nor times out, so repo info is fetched with
  ``http_backoff`` and the ``HF_HUB_DOWNLOAD_TIMEOUT`` huggingface_hub uses for other
  requests. A refused connection is not retried: the Hub is down or the endpoint is
  wrong, and the caller should hear it at once.
* ``hf_hub_download`` does not retry a 5xx answer to its GET, nor a connection dropped
  during its first HEAD, and checks only the size of what it stored. Each file gets
  one more download after such a failure, or after its bytes fail the checksum its
  ETag names (sha256 for LFS files, the git blob sha1 otherwise), a single bounded
  second attempt, not a retry loop.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import time
from collections.abc import Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, wait
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from crucible_pl import _config, _validate
from crucible_pl._cache import paths as _cache
from crucible_pl.errors import DataFormatError

from .session import LIBRARY, get, online
from .translate import (
    CorruptDownloadError,
    OversizedBodyError,
    is_timeout,
    transient,
    translated,
    worth_one_more_try,
)

if TYPE_CHECKING:
    pass

__all__ = [
    "CONVERT_BRANCH",
    "RepoState",
    "cached_files",
    "discard_file",
    "download_files",
    "repo_state",
]

logger = logging.getLogger(__name__)


CONVERT_BRANCH = "refs/convert/parquet"
_MAX_WORKERS = 8
_RETRY_PAUSE = 1.0  # seconds before the one extra download attempt (huggingface_hub's base wait)
_SHA256 = re.compile(r"[0-9a-f]{64}")
_SHA1 = re.compile(r"[0-9a-f]{40}")
_HASH_CHUNK = 1 << 20


@dataclass(frozen=True)
class RepoState:
    """A repo at one commit: its sha, its files and its card's YAML front matter."""

    repo: str
    revision: str
    sha: str
    files: tuple[str, ...]
    card: dict[str, Any]


@online
def repo_state(repo: str, revision: str, *, token: str | None) -> RepoState:
    """Resolve ``revision`` of ``repo`` to a commit sha, its file list and its card.

    One API request (repo info at that revision); a second one (README.md) only when
    the server does not return the card's metadata itself.
    """
    from huggingface_hub.hf_api import DatasetInfo

    tok = _config.token(token)
    endpoint = _config.endpoint()
    url = f"{endpoint}/api/datasets/{repo}/revision/{quote(revision, safe='')}"
    with translated(repo, revision=revision, what="repo info", token=tok):
        response = get(url, token=tok)
    try:
        info = DatasetInfo(**response.json())  # type: ignore[no-untyped-call]
    except (ValueError, TypeError, KeyError, AttributeError) as err:
        raise DataFormatError(
            f"The Hub at {endpoint} answered the repo info of {repo}@{revision} with something "
            f"that is not a Hub repo description ({type(err).__name__}); is HF_ENDPOINT a "
            "Hub-compatible server?",
            dataset=repo,
            revision=revision,
        ) from None
    sha = info.sha
    if not isinstance(sha, str) or _SHA1.fullmatch(sha) is None:
        raise DataFormatError(
            f"The Hub at {endpoint} returned no commit sha for {repo}@{revision}; "
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
    from huggingface_hub.repocard import metadata_load

    path = _fetch(repo, "README.md", sha, token=token)
    try:
        return metadata_load(str(path))  # yaml.safe_load: no object construction
    except (yaml.YAMLError, ValueError) as err:  # ValueError: front matter that is not a mapping
        raise DataFormatError(
            f"The dataset card (README.md) of {repo}@{sha[:12]} has YAML front matter that "
            f"does not parse: {err}. Fix the card, or pin a revision whose card parses.",
            dataset=repo,
            revision=sha,
        ) from None


def _file_digest(path: Path, algorithm: str) -> str:
    """sha256 of a file, or its git blob sha1 (``blob <size>\\0`` + content)."""
    if algorithm == "sha256":
        digest = hashlib.sha256()
    else:
        digest = hashlib.sha1(usedforsecurity=False)
        digest.update(f"blob {path.stat().st_size}\0".encode())
    with path.open("rb") as handle:
        while chunk := handle.read(_HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _check_blob(local: Path, repo: str, path: str) -> None:
    """Check a cached file against the ETag its blob is named after.

    The HF cache stores each file as ``blobs/<etag>`` behind a snapshot symlink; the
    ETag is the file's sha256 for LFS files and its git blob sha1 otherwise (what
    ``HfApi.verify_repo_checksums`` checks too). Without symlinks (some Windows setups)
    the ETag is not on disk and the check is skipped; the Parquet footer check of the
    caller still runs.
    """
    if not local.is_symlink():
        return
    blob = local.resolve()
    etag = blob.name
    if _SHA256.fullmatch(etag):
        algorithm = "sha256"
    elif _SHA1.fullmatch(etag):
        algorithm = "git-sha1"
    else:
        return
    actual = _file_digest(blob, algorithm)
    if actual != etag:
        raise CorruptDownloadError(
            f"The downloaded bytes of {path} of {repo} do not match the checksum the Hub "
            f"advertised ({algorithm} {actual[:12]}... instead of {etag[:12]}...), twice."
        )


def _check_etag(repo: str, path: str, sha: str, *, token: str | None) -> int | None:
    """Refuse a file whose ETag is not a plain hex digest, before anything is written.

    huggingface_hub stores a download as ``blobs/<ETag>``, so an ETag such as
    ``../../x`` would put the file outside the cache. The ETag is read first (one HEAD,
    only for a file not yet cached). A server that answers the download's own HEAD with
    another ETag than this one is not caught here; the hash check after the download
    then fails on its bytes.
    """
    from huggingface_hub import get_hf_file_metadata, hf_hub_url

    endpoint = _config.endpoint()
    url = hf_hub_url(repo, path, repo_type="dataset", revision=sha, endpoint=endpoint)
    try:
        meta = get_hf_file_metadata(url, token=token, endpoint=endpoint, library_name=LIBRARY)
    except Exception as err:
        if not transient(err):
            raise
        # hf_hub_download's own schedule: one plain HEAD, then a round with its backoff;
        # but a HEAD that timed out gets one plain try more (see retry_exceptions).
        meta = get_hf_file_metadata(
            url,
            token=token,
            endpoint=endpoint,
            library_name=LIBRARY,
            retry_on_errors=not is_timeout(err),
        )
    etag = meta.etag or ""
    if not (_SHA256.fullmatch(etag) or _SHA1.fullmatch(etag)):
        raise DataFormatError(
            f"The Hub at {endpoint} named {path} of {repo}@{sha[:12]} with ETag {etag[:80]!r}, "
            "which is not a sha256 or git sha1 hex digest; huggingface_hub would store the file "
            "under that name, so nothing was written. Check HF_ENDPOINT: a Hub sends the "
            "content hash as the ETag.",
            dataset=repo,
            revision=sha,
        )
    return meta.size


@online
def _fetch(
    repo: str, path: str, sha: str, *, token: str | None, stop: threading.Event | None = None
) -> Path:
    """Download one file into the HF cache and check it; one more try if that fails.

    The second attempt is made only for failures huggingface_hub does not retry itself
    (see :func:`worth_one_more_try`); a corrupt file is removed from the cache first.
    """
    from huggingface_hub import hf_hub_download

    _validate.repo_path(path, repo=repo)

    size: int | None = None

    def attempt() -> Path:
        local = Path(
            str(
                hf_hub_download(
                    repo,
                    path,
                    repo_type="dataset",
                    revision=sha,
                    cache_dir=_cache.hub_root(),
                    endpoint=_config.endpoint(),
                    token=token,
                    library_name=LIBRARY,
                    tqdm_class=_guarded_progress(size, repo, path, stop),
                )
            )
        )
        try:
            _check_blob(local, repo, path)
        except CorruptDownloadError:
            _cache.remove_hub_file(repo, sha, path)
            raise
        return local

    with translated(repo, revision=sha, what=path, token=token):
        if not _cache.hub_file_path(repo, sha, path).exists():
            size = _check_etag(repo, path, sha, token=token)
        try:
            return attempt()
        except Exception as err:
            if not worth_one_more_try(err):
                raise
            logger.warning(
                "Downloading %s of %s failed (%s); trying once more", path, repo, type(err).__name__
            )
        time.sleep(_RETRY_PAUSE)
        return attempt()


def _guarded_progress(
    size: int | None, repo: str, path: str, stop: threading.Event | None
) -> type[Any] | None:
    """huggingface_hub's progress bar class, cutting a download short when it must stop.

    ``hf_hub_download`` writes a body until the server ends it and checks the size only
    afterwards, so an endless answer would fill the disk; and a download running in a
    worker thread cannot be interrupted from outside. Its download loop reports every
    chunk to the progress bar (shown or not), so that is where the body is cut: past
    ``size`` bytes (:class:`OversizedBodyError`), or once ``stop`` is set (Ctrl-C, or
    another file of the load failed: :class:`_DownloadStoppedError`). huggingface_hub
    then removes its temporary file. ``None`` when there is nothing to guard.
    """
    if size is None and stop is None:
        return None
    from huggingface_hub.utils import tqdm as hf_tqdm

    class GuardedProgress(hf_tqdm):
        received = 0

        def update(self, n: float | None = 1) -> bool | None:
            if stop is not None and stop.is_set():
                raise _DownloadStoppedError(path)
            self.received += int(n or 0)
            if size is not None and self.received > size:
                raise OversizedBodyError(
                    f"The Hub at {_config.endpoint()} sent more than the {size:,} bytes it "
                    f"announced for {path} of {repo}."
                )
            return super().update(n)  # type: ignore[no-any-return]

    return GuardedProgress


class _DownloadStoppedError(Exception):
    """A download cut short because the load is stopping (Ctrl-C, or another file failed)."""


_INTERRUPT_GRACE = 2.0  # seconds Ctrl-C waits for in-flight downloads to stop
_WAKE_UP = 0.2  # seconds between checks for Ctrl-C while downloads run


def download_files(repo: str, files: Sequence[tuple[str, str]], *, token: str | None) -> list[Path]:
    """Download ``(path, commit sha)`` pairs into the HF cache; return their local paths.

    Files already cached at that sha cost no request. huggingface_hub writes each
    file to a temporary name and renames it when complete, under a file lock, so an
    interrupted download is never taken for a complete one and concurrent processes
    download each file once. Each stored file is checked against the checksum its ETag
    names; a transient failure huggingface_hub does not retry, or a corrupt file, gets
    one more attempt.

    Several files download on up to 8 daemon threads. At the first file that fails,
    the files not yet started never start, the ones in flight stop at their next chunk
    (their temporary files removed), and that first error is raised. Ctrl-C does the
    same and is raised within about two seconds (a download stalled in a read stops at
    its timeout, in the background: daemon threads never hold up the process's exit).
    """
    tok = _config.token(token)
    if len(files) <= 1:
        return [_fetch(repo, path, sha, token=tok) for path, sha in files]
    stop = threading.Event()
    jobs: list[Future[Path]] = [Future() for _ in files]
    pending = iter(range(len(files)))
    take = threading.Lock()

    def worker() -> None:
        while True:
            with take:
                index = next(pending, None)
            if index is None:
                return
            job = jobs[index]
            if stop.is_set():
                job.cancel()
            # False for a cancelled job, which it marks done for wait(); else RUNNING.
            if not job.set_running_or_notify_cancel():
                continue
            path, sha = files[index]
            try:
                job.set_result(_fetch(repo, path, sha, token=tok, stop=stop))
            except BaseException as err:
                stop.set()
                job.set_exception(err)

    for number in range(min(_MAX_WORKERS, len(files))):
        name = f"crucible-pl-download-{number}"
        threading.Thread(target=worker, name=name, daemon=True).start()
    try:
        # In short waits: SIGINT may reach a download thread rather than this one, and
        # Python runs its handler (KeyboardInterrupt) only when this thread wakes up.
        while wait(jobs, timeout=_WAKE_UP, return_when=FIRST_EXCEPTION).not_done:
            if stop.is_set():
                break
    except BaseException:  # Ctrl-C (or any interruption) while waiting
        stop.set()
        for job in jobs:
            job.cancel()
        wait(jobs, timeout=_INTERRUPT_GRACE)
        raise
    if stop.is_set():
        for job in jobs:
            job.cancel()
        wait(jobs)  # the ones in flight stop at their next chunk, or fail on their own
        for job in jobs:
            error = None if job.cancelled() else job.exception()
            if error is not None and not isinstance(error, _DownloadStoppedError):
                raise error
    return [job.result() for job in jobs]


def cached_files(repo: str, files: Sequence[tuple[str, str]]) -> list[Path]:
    """The local paths of ``(path, commit sha)`` pairs already in the HF cache: no request.

    For offline loads. Each file is checked against the checksum its blob is named after;
    a damaged one is removed and reported (a :class:`DataFormatError` saying to load
    again online), never downloaded again: offline means no request at all.
    """
    local = []
    for path, sha in files:
        found = _cache.hub_file_path(repo, sha, path)
        try:
            _check_blob(found, repo, path)
        except CorruptDownloadError as err:
            _cache.remove_hub_file(repo, sha, path)
            raise DataFormatError(
                f"{str(err).removesuffix(', twice.')}. The damaged file was removed from the "
                "cache; load again online to download it again.",
                dataset=repo,
                revision=sha,
            ) from None
        local.append(found)
    return local


def discard_file(repo: str, sha: str, path: str) -> None:
    """Remove a downloaded file (snapshot link and blob) so it is downloaded afresh."""
    _cache.remove_hub_file(repo, sha, path)
