"""`LocalHub`: a real HTTP server on loopback that speaks the Hub's dataset endpoints.

It serves the repos laid out under a directory (see :mod:`crucible_pl.testing._repos`)
well enough that the real ``huggingface_hub`` client works against it unchanged:
``dataset_info``, ``list_repo_tree``, ``get_paths_info``, ``list_repo_refs``,
``hf_hub_download`` and ``snapshot_download``. It never sends Xet headers, so the
client always downloads over plain HTTP.

Three modules: this one (the server's lifecycle, recording, faults and
:meth:`LocalHub.handle`), :mod:`crucible_pl.testing._endpoints` (the endpoint handlers)
and :mod:`crucible_pl.testing._http` (requests and responses, the socket handler).

Every request goes through :meth:`LocalHub.handle` (request in, response out) and is
recorded before its response is written, so a test can assert exactly what the client
asked for. The recorded requests never hold the token, only whether one was sent.
:meth:`LocalHub.inject` arms deterministic faults (see :mod:`crucible_pl.testing._faults`):
error answers, stalls, dropped connections, short or corrupt bodies, rewritten JSON.

Endpoints (repo type ``dataset`` only)::

    GET  /api/datasets/{repo}[/revision/{rev}]       repo info (?blobs, ?expand)
    GET  /api/datasets/{repo}/tree/{rev}[/{path}]    listing (?recursive, ?expand, ?cursor)
    POST /api/datasets/{repo}/paths-info/{rev}       form or JSON body: paths, expand
    GET  /api/datasets/{repo}/refs                   branches, converts, tags (?include_prs)
    GET  /api/datasets/{repo}/parquet[/{config}[/{split}]]   refs/convert/parquet files
    HEAD/GET /datasets/{repo}/resolve/{rev}/{path}   file download, Range supported
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from urllib.parse import unquote

from crucible_pl.errors import InvalidInputError, InvalidRepoIdError
from crucible_pl.testing._endpoints import _Endpoints
from crucible_pl.testing._fault_set import FaultSet, FiredFault
from crucible_pl.testing._faults import Fault
from crucible_pl.testing._http import (
    HubRequest,
    HubResponse,
    RecordedRequest,
    _HubError,
    _json,
    _Server,
)
from crucible_pl.testing._repos import (
    RepoStore,
    is_valid_repo_id,
)

__all__ = ["HubRequest", "HubResponse", "LocalHub", "RecordedRequest"]

logger = logging.getLogger(__name__)


class LocalHub(_Endpoints):
    """A Hugging Face Hub-compatible HTTP server for the dataset repos under ``root``.

    Parameters
    ----------
    root
        Directory holding ``datasets/<owner>/<name>/`` (branch ``main``) and
        ``refs/datasets/<owner>/<name>/<quote(ref, safe='')>/`` (other refs).
    gated
        Repo id -> the tokens allowed to download it. Downloads (and the parquet
        listing) answer 401 ``GatedRepo`` without a token and 403 with any other one;
        repo info, tree and refs stay public, as on the Hub.
    tags
        Repo id -> tag name -> branch: each tag points at the branch's current commit.
    page_size
        Entries per page of the tree listing (at most 50 with ``expand=true``).
    host, port
        Where to listen; ``port=0`` picks a free port.
    faults
        Faults armed from the start; more can be armed with :meth:`inject`.
    trusted_roots
        Directories outside ``root`` that repo files may link into (``crucible-pl serve
        --from-cache`` links into the Hugging Face cache's blobs); links leaving ``root``
        and these are never served.

    Raises
    ------
    InvalidInputError
        ``root`` is not a directory, or ``page_size`` is not positive.
    InvalidRepoIdError
        A repo id in ``gated`` or ``tags`` is not ``owner/name``.

    Notes
    -----
    Unknown repos answer 401 ``RepoNotFound`` to anonymous callers and 404 when a token
    was sent (the hub has no user database: any token counts as a signed-in user).

    Examples
    --------
    >>> import tempfile
    >>> from huggingface_hub import HfApi
    >>> from crucible_pl.testing import LocalHub, write_repo
    >>> tmp = tempfile.TemporaryDirectory()
    >>> _ = write_repo(tmp.name, "me/toy", {"data/test.csv": "q,a\\n1+1,2\\n"})
    >>> with LocalHub(tmp.name) as hub:
    ...     api = HfApi(endpoint=hub.url, token=False)
    ...     [s.rfilename for s in api.dataset_info("me/toy").siblings]
    ['data/test.csv']
    >>> [(r.method, r.status, r.repo_id) for r in hub.requests]
    [('GET', 200, 'me/toy')]
    >>> tmp.cleanup()
    """

    def __init__(
        self,
        root: str | os.PathLike[str],
        *,
        gated: Mapping[str, Iterable[str]] | None = None,
        tags: Mapping[str, Mapping[str, str]] | None = None,
        page_size: int = 1000,
        host: str = "127.0.0.1",
        port: int = 0,
        faults: Iterable[Fault] = (),
        trusted_roots: Iterable[str | os.PathLike[str]] = (),
    ) -> None:
        if not Path(root).is_dir():
            raise InvalidInputError(
                f"LocalHub root {str(root)!r} is not a directory. Pass an existing directory "
                "holding datasets/<owner>/<name>/ (write one with crucible_pl.testing.write_repo)."
            )
        if page_size < 1:
            raise InvalidInputError(f"page_size must be a positive integer, got {page_size!r}.")
        for repo_id in [*(gated or {}), *(tags or {})]:
            if not is_valid_repo_id(repo_id):
                raise InvalidRepoIdError(
                    f"Invalid repo id {repo_id!r} in LocalHub(gated=/tags=): expected 'owner/name' "
                    "made of letters, digits, '-', '_' and '.'.",
                    dataset=repo_id,
                )
        self.store = RepoStore(root, trusted_roots=tuple(Path(t) for t in trusted_roots))
        self.root = self.store.root
        self.page_size = page_size
        self._gated = {
            repo: frozenset([tokens] if isinstance(tokens, str) else tokens)
            for repo, tokens in (gated or {}).items()
        }
        self._tags = {repo: dict(t) for repo, t in (tags or {}).items()}
        self._host = host
        self._port = port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._faults = FaultSet(faults)
        self._stopping = threading.Event()  # ends injected stalls early on stop()

    def __repr__(self) -> str:
        state = self.url if self._server is not None else "stopped"
        return f"LocalHub(root={str(self.root)!r}, {state})"

    # -- lifecycle -------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The endpoint to pass to ``huggingface_hub``, e.g. ``http://127.0.0.1:54321``.

        Returns
        -------
        str

        Raises
        ------
        RuntimeError
            If the hub is not running.

        Examples
        --------
        >>> import tempfile
        >>> from crucible_pl.testing import LocalHub
        >>> tmp = tempfile.TemporaryDirectory()
        >>> with LocalHub(tmp.name) as hub:
        ...     hub.url.startswith("http://127.0.0.1:")
        True
        >>> tmp.cleanup()
        """
        if self._server is None:
            raise RuntimeError("LocalHub is not running: call start() or use it in a with block.")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> LocalHub:
        """Start serving in a daemon thread (no-op when already running); return ``self``.

        A ``with LocalHub(...)`` block starts and stops it for you.

        Returns
        -------
        LocalHub
            ``self``, so that ``hub = LocalHub(root).start()`` reads naturally.

        See Also
        --------
        stop : Stop serving.

        Examples
        --------
        >>> import tempfile
        >>> from crucible_pl.testing import LocalHub
        >>> tmp = tempfile.TemporaryDirectory()
        >>> hub = LocalHub(tmp.name).start()
        >>> hub.start() is hub  # already running
        True
        >>> hub.stop()
        >>> tmp.cleanup()
        """
        if self._server is not None:
            return self
        self._stopping.clear()
        self._server = _Server((self._host, self._port), self)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"LocalHub-{self._server.server_address[1]}",
            daemon=True,
        )
        self._thread.start()
        logger.debug("LocalHub serving %s at %s", self.root, self.url)
        return self

    def stop(self) -> None:
        """Stop serving and close every open connection (no-op when stopped).

        Injected stalls end at once. The hub can be started again, on a new port when
        it was created with ``port=0``.

        Examples
        --------
        >>> import tempfile
        >>> from crucible_pl.testing import LocalHub
        >>> tmp = tempfile.TemporaryDirectory()
        >>> hub = LocalHub(tmp.name).start()
        >>> hub.stop()
        >>> hub
        LocalHub(root=..., stopped)
        >>> tmp.cleanup()
        """
        server, thread = self._server, self._thread
        if server is None:
            return
        self._stopping.set()
        server.shutdown()
        server.close_connections()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> LocalHub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- recording -------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request answered so far, in order (a copy).

        Returns
        -------
        list[RecordedRequest]
            Tokens are never recorded, only whether one was sent.

        See Also
        --------
        downloads : Only the files served.

        Examples
        --------
        >>> import tempfile
        >>> import httpx2
        >>> from crucible_pl.testing import LocalHub
        >>> tmp = tempfile.TemporaryDirectory()
        >>> with LocalHub(tmp.name) as hub:
        ...     _ = httpx2.get(f"{hub.url}/api/datasets/me/missing")
        >>> [(r.method, r.path, r.status, r.authorized) for r in hub.requests]
        [('GET', '/api/datasets/me/missing', 401, False)]
        >>> tmp.cleanup()
        """
        with self._lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        """Forget the recorded requests, e.g. between a cold and a warm load.

        Examples
        --------
        >>> import tempfile
        >>> import httpx2
        >>> from crucible_pl.testing import LocalHub
        >>> tmp = tempfile.TemporaryDirectory()
        >>> with LocalHub(tmp.name) as hub:
        ...     _ = httpx2.get(f"{hub.url}/api/datasets/me/missing")
        ...     hub.clear_requests()
        >>> hub.requests
        []
        >>> tmp.cleanup()
        """
        with self._lock:
            self._requests.clear()

    def downloads(self, repo_id: str | None = None) -> list[str]:
        """Repo file paths served by ``GET .../resolve/...`` with 200 or 206, in order.

        Parameters
        ----------
        repo_id
            Only the downloads from this repo; all repos when ``None``.

        Returns
        -------
        list[str]
            Repo file paths, one per download (a file fetched twice appears twice).

        Examples
        --------
        >>> import tempfile
        >>> from huggingface_hub import hf_hub_download
        >>> from crucible_pl.testing import LocalHub, write_repo
        >>> tmp = tempfile.TemporaryDirectory()
        >>> _ = write_repo(f"{tmp.name}/hub", "me/toy", {"data/test.csv": "q,a\\n1+1,2\\n"})
        >>> with LocalHub(f"{tmp.name}/hub") as hub:
        ...     for _ in range(2):  # the second call is served from the cache
        ...         _ = hf_hub_download(
        ...             "me/toy", "data/test.csv", repo_type="dataset", endpoint=hub.url,
        ...             cache_dir=f"{tmp.name}/cache", token=False,
        ...         )
        >>> hub.downloads("me/toy")
        ['data/test.csv']
        >>> tmp.cleanup()
        """
        return [
            r.filename
            for r in self.requests
            if r.method == "GET"
            and r.filename is not None
            and r.status in (200, 206)
            and (repo_id is None or r.repo_id == repo_id)
        ]

    # -- faults ----------------------------------------------------------------------

    def inject(self, *faults: Fault) -> None:
        """Arm faults: each hits the first ``fault.times`` requests it matches.

        Faults are tried in the order they were armed; a request gets at most one
        answer-replacing fault and one body-altering fault.

        Examples
        --------
        >>> import tempfile
        >>> import httpx2
        >>> from crucible_pl.testing import Fault, LocalHub
        >>> tmp = tempfile.TemporaryDirectory()
        >>> with LocalHub(tmp.name) as hub:
        ...     hub.inject(Fault.error(503, path="/api/*", times=1))
        ...     first = httpx2.get(f"{hub.url}/api/datasets/me/toy").status_code
        ...     second = httpx2.get(f"{hub.url}/api/datasets/me/toy").status_code
        >>> first, second, [f.status for f in hub.faults_fired()]
        (503, 401, [503])
        >>> tmp.cleanup()
        """
        self._faults.add(*faults)

    def clear_faults(self) -> None:
        """Disarm every fault and forget which fired.

        Examples
        --------
        >>> import tempfile
        >>> from crucible_pl.testing import Fault, LocalHub
        >>> tmp = tempfile.TemporaryDirectory()
        >>> hub = LocalHub(tmp.name, faults=[Fault.drop()])
        >>> hub.clear_faults()
        >>> hub.faults_fired()
        []
        >>> tmp.cleanup()
        """
        self._faults.clear()

    def faults_fired(self) -> list[FiredFault]:
        """The faults that fired so far, in order, with the request each one hit.

        Returns
        -------
        list[FiredFault]

        Examples
        --------
        >>> import tempfile
        >>> import httpx2
        >>> from crucible_pl.testing import Fault, LocalHub
        >>> tmp = tempfile.TemporaryDirectory()
        >>> with LocalHub(tmp.name, faults=[Fault.rate_limit(path="/api/*")]) as hub:
        ...     _ = httpx2.get(f"{hub.url}/api/datasets/me/toy")
        >>> [(f.kind, f.status, f.path) for f in hub.faults_fired()]
        [('status', 429, '/api/datasets/me/toy')]
        >>> tmp.cleanup()
        """
        return self._faults.fired()

    def _record(self, request: HubRequest, response: HubResponse) -> None:
        record = RecordedRequest(
            method=request.method,
            path=request.path,
            query=request.query,
            status=response.status,
            repo_id=request.repo_id,
            revision=request.revision,
            filename=request.filename,
            authorized=request.token is not None,
            range=request.headers.get("Range"),
            bytes=0 if request.method == "HEAD" else response.content_length,
        )
        with self._lock:
            self._requests.append(record)

    # -- dispatch --------------------------------------------------------------------

    def handle(self, request: HubRequest) -> HubResponse:
        """Answer one request. Every request passes here, and so do injected faults.

        The HTTP handler calls it for each request; calling it directly answers without
        a socket (and without recording the request).

        Parameters
        ----------
        request
            The parsed request.

        Returns
        -------
        HubResponse
            Status ``0`` when a fault drops or stalls the connection.

        Examples
        --------
        >>> import tempfile
        >>> from email.message import Message
        >>> from crucible_pl.testing import LocalHub, write_repo
        >>> from crucible_pl.testing._server import HubRequest
        >>> tmp = tempfile.TemporaryDirectory()
        >>> _ = write_repo(tmp.name, "me/toy", {"data/test.csv": "q,a\\n1+1,2\\n"})
        >>> hub = LocalHub(tmp.name)
        >>> hub.handle(HubRequest("GET", "/api/datasets/me/toy", "", Message())).status
        200
        >>> hub.handle(HubRequest("GET", "/api/datasets/me/nope", "", Message())).status
        401
        >>> tmp.cleanup()
        """
        path = unquote(request.path)
        fault = self._faults.take(request.method, path, before_routing=True)
        if fault is not None:
            if fault.kind == "status":
                return _json(
                    {"error": f"Injected fault: HTTP {fault.status}"},
                    fault.status,
                    fault.error_headers(),
                )
            return HubResponse(0, fault=fault)  # drop, or stall: no answer at all
        try:
            response = self._route(request)
        except _HubError as err:
            return err.response
        except Exception:
            logger.exception("LocalHub failed on %s %s", request.method, request.path)
            return _json({"error": "Internal Error"}, 500)
        has_body = (
            request.method != "HEAD"
            and response.status in (200, 206)
            and response.content_length > 0
        )
        if not has_body:
            return response
        fault = self._faults.take(request.method, path, before_routing=False, has_body=True)
        if fault is None:
            return response
        if fault.kind in ("corrupt", "rewrite"):
            body = fault.alter(response.read_body())
            return HubResponse(response.status, response.headers, body)
        response.fault = fault  # truncate, or stall mid-body: applied while sending
        return response
