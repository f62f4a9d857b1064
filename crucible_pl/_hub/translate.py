"""huggingface_hub and transport exceptions, translated by class into :mod:`crucible_pl.errors`.

Also what counts as transient: the failures huggingface_hub retries itself, and the
ones it does not (a 5xx answer to a download's GET, a connection dropped during the
first HEAD, a size or checksum mismatch) that :mod:`crucible_pl._hub.client` gives one
more try. huggingface_hub is imported lazily, inside the functions.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from crucible_pl import _config
from crucible_pl.errors import (
    CrucibleError,
    DataFormatError,
    DatasetNotFoundError,
    GatedDatasetError,
    HubUnavailableError,
    RevisionNotFoundError,
)

__all__ = [
    "TRANSIENT_STATUS",
    "CorruptDownloadError",
    "OversizedBodyError",
    "gated_message",
    "is_sha",
    "is_size_mismatch",
    "is_timeout",
    "retry_exceptions",
    "transient",
    "translated",
    "worth_one_more_try",
]

TRANSIENT_STATUS = frozenset({500, 502, 503, 504})


class CorruptDownloadError(Exception):
    """A stored file whose bytes do not hash to the ETag it was downloaded under."""


class OversizedBodyError(Exception):
    """A download whose body ran past the size its metadata announced (endless or padded)."""


def retry_exceptions() -> tuple[type[Exception], ...]:
    """The transport errors worth ``http_backoff``'s retries: a dropped connection.

    Not a refused connection (the Hub is down or the endpoint wrong: say so at once) and
    not a timeout: a server that did not answer within huggingface_hub's timeout gets
    one more try (:func:`is_timeout`), never a backoff loop of them, so a hung server
    fails in about twice the timeout instead of minutes.
    """
    import httpx2

    return (httpx2.RemoteProtocolError, httpx2.ReadError, httpx2.WriteError)


def is_timeout(err: BaseException) -> bool:
    """A request that got no answer (or no more bytes) within its timeout."""
    import httpx2

    return isinstance(err, (httpx2.TimeoutException, TimeoutError))


@contextlib.contextmanager
def translated(
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
        raise GatedDatasetError(gated_message(repo, err, token), dataset=repo) from None
    except hf.RepositoryNotFoundError as err:
        status = err.response.status_code if err.response is not None else None
        if status == 403:
            raise GatedDatasetError(gated_message(repo, err, token), dataset=repo) from None
        raise DatasetNotFoundError(
            f"Dataset {repo!r} not found on the Hub at {endpoint}. Check the repo id "
            "(owner/name) or the registered name; if the dataset is private or gated, pass "
            "token=... or set HF_TOKEN.",
            dataset=repo,
        ) from None
    except hf.RevisionNotFoundError:
        if what != "repo info" and revision is not None and is_sha(revision):
            # A file fetched at the commit a manifest pinned: the user named no revision.
            raise RevisionNotFoundError(
                f"Commit {revision} of {repo}, which the cache resolved earlier, no longer "
                f"exists on the Hub (the branch was force-pushed or the commit deleted), so "
                f"{what} cannot be fetched at it. Load again with refresh=True to resolve the "
                "current commit.",
                dataset=repo,
                revision=revision,
            ) from None
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
    except OversizedBodyError as err:
        raise DataFormatError(
            f"{err} The download was stopped there, twice, and nothing was cached (the body "
            "did not end where the server said it would: an endless or padded answer, not a "
            "lack of disk space). Retry later; if it persists, the server or a proxy in "
            "between is broken: check HF_ENDPOINT.",
            dataset=repo,
            revision=revision,
        ) from None
    except CorruptDownloadError as err:
        raise DataFormatError(
            f"{err} Nothing was cached for it. Retry later; if it persists, the file on the "
            "Hub or a proxy in between serves wrong bytes.",
            dataset=repo,
            revision=revision,
        ) from None
    except hf.HfHubHTTPError as err:
        status = err.response.status_code if err.response is not None else None
        if status in (401, 403):
            raise GatedDatasetError(gated_message(repo, err, token), dataset=repo) from None
        if status in (404, 410) and what != "repo info":
            # A file listed when the repo was resolved that the Hub no longer serves: the
            # network is fine, the listing is stale.
            raise DataFormatError(
                f"{repo} lists a file{where} that the Hub does not serve (HTTP {status}). The "
                "repo may have changed since it was resolved: retry with refresh=True.",
                dataset=repo,
                revision=revision,
            ) from None
        raise HubUnavailableError(
            f"The Hub at {endpoint} answered HTTP {status} for {repo}{where}, after "
            "huggingface_hub's retries. Nothing was cached for this request; try again later.",
            dataset=repo,
            revision=revision,
        ) from None
    except (hf.LocalEntryNotFoundError, httpx2.HTTPError, OSError) as err:
        local = not isinstance(err, (ConnectionError, TimeoutError, hf.LocalEntryNotFoundError))
        if local and isinstance(err, OSError) and err.errno is not None:
            # A local failure (disk full, permissions), not the network.
            raise CrucibleError(
                f"Could not write {repo}{where} into the cache: {err.strerror} "
                f"({err.filename or 'cache'}). Free space or fix permissions in the cache "
                "directory (HF_HOME / CRUCIBLE_PL_CACHE).",
                dataset=repo,
                revision=revision,
            ) from err
        if is_size_mismatch(err):
            raise DataFormatError(
                f"The download of {repo}{where} did not have the size the Hub advertised, twice "
                "(a connection or proxy cutting or padding the body). Nothing was cached for it; "
                "retry later.",
                dataset=repo,
                revision=revision,
            ) from None
        if is_timeout(err):
            raise HubUnavailableError(
                f"The Hub at {endpoint} did not answer for {repo}{where} within "
                "huggingface_hub's timeout, twice (HF_HUB_ETAG_TIMEOUT / "
                "HF_HUB_DOWNLOAD_TIMEOUT, 10 s by default). Nothing was cached for this "
                "request. The server or a proxy is hung: retry later, check HF_ENDPOINT, or "
                "set HF_HUB_OFFLINE=1 to use data already cached.",
                dataset=repo,
                revision=revision,
            ) from None
        raise HubUnavailableError(
            f"Could not reach the Hub at {endpoint} for {repo}{where} "
            f"({type(err).__name__}). Nothing was cached for this request. Check the network "
            "or HF_ENDPOINT, or set HF_HUB_OFFLINE=1 to use data already cached.",
            dataset=repo,
            revision=revision,
        ) from None


def is_sha(revision: str) -> bool:
    """A full 40-hex commit sha, as a manifest pins, rather than a branch or tag name."""
    return len(revision) == 40 and all(c in "0123456789abcdef" for c in revision)


def gated_message(repo: str, err: Exception, token: str | None) -> str:
    status = getattr(getattr(err, "response", None), "status_code", None)
    code = f" (HTTP {status})" if status else ""
    hint = (
        "The token you passed was refused: check that it is valid and that its account "
        "accepted the dataset's terms on the Hub."
        if token
        else "Accept its terms on the Hub, then pass token=... or set HF_TOKEN."
    )
    return f"Access to {repo} was refused{code}: the dataset is gated or private. {hint}"


def is_size_mismatch(err: BaseException) -> bool:
    """huggingface_hub's "Consistency check failed" after a download of the wrong size.

    It raises a bare ``OSError`` without an errno; every other OSError it lets through
    is a subclass (its HTTP errors, ``FileNotFoundError``...) or carries an errno (disk
    full, permissions). Told apart by class and attributes, never by message.
    """
    return type(err) is OSError and err.errno is None


def worth_one_more_try(err: BaseException) -> bool:
    """Failures huggingface_hub does not retry by itself, and the corrupt downloads."""
    import httpx2
    from huggingface_hub import errors as hf

    if isinstance(err, (CorruptDownloadError, OversizedBodyError)) or is_size_mismatch(err):
        return True
    if isinstance(err, hf.HfHubHTTPError):  # a 5xx answer to the GET is never retried
        status = err.response.status_code if err.response is not None else None
        return status in TRANSIENT_STATUS
    # A connection dropped during the first HEAD escapes hf_hub_download unretried.
    return isinstance(err, (httpx2.RemoteProtocolError, httpx2.ReadError, httpx2.WriteError))


def transient(err: BaseException) -> bool:
    """A failed HEAD that hf_hub_download would try again (with its backoff)."""
    import httpx2
    from huggingface_hub import errors as hf

    if isinstance(err, hf.HfHubHTTPError):
        status = err.response.status_code if err.response is not None else None
        return status in TRANSIENT_STATUS or status == 429
    return isinstance(err, (httpx2.TransportError, TimeoutError))
