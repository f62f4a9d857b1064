"""`LocalHub`: a real HTTP server on loopback that speaks the Hub's dataset endpoints.

It serves the repos laid out under a directory (see :mod:`crucible_pl.testing._repos`)
well enough that the real ``huggingface_hub`` client works against it unchanged:
``dataset_info``, ``list_repo_tree``, ``get_paths_info``, ``list_repo_refs``,
``hf_hub_download`` and ``snapshot_download``. It never sends Xet headers, so the
client always downloads over plain HTTP.

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

import base64
import binascii
import contextlib
import hmac
import json
import logging
import os
import re
import socket
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlencode

from crucible_pl.errors import InvalidInputError, InvalidRepoIdError
from crucible_pl.testing._faults import Fault, FaultSet, FiredFault
from crucible_pl.testing._repos import (
    CONVERT_PREFIX,
    FileEntry,
    RefState,
    RepoStore,
    is_valid_repo_id,
)

__all__ = ["HubRequest", "HubResponse", "LocalHub", "RecordedRequest"]

logger = logging.getLogger(__name__)

_MAX_BODY = 10 * 1024 * 1024
_COPY_CHUNK = 256 * 1024
_RANGE_RE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$", re.IGNORECASE)
_DRIVE_RE = re.compile(r"^[A-Za-z]:")
_EXPAND_PAGE_SIZE = 50  # the Hub returns at most 50 entries per page when expand=true
_PARQUET_REF = "refs/convert/parquet"


@dataclass(frozen=True)
class RecordedRequest:
    """One request the hub answered, as recorded before its response was written.

    Attributes
    ----------
    method
        ``"GET"``, ``"HEAD"``, ``"POST"``...
    path
        The request path exactly as sent (still percent-encoded), without the query.
    query
        The raw query string (``""`` when none).
    status
        The HTTP status the hub answered with; ``0`` when an injected fault dropped
        or stalled the connection without an answer.
    repo_id, revision, filename
        What the request was about, decoded; ``None`` where it does not apply.
        ``filename`` is set for ``resolve`` (file download) requests only.
    authorized
        Whether the request carried a token. The token itself is never stored.
    range
        The ``Range`` header, or ``None``.

    Examples
    --------
    >>> import tempfile
    >>> from huggingface_hub import hf_hub_download
    >>> from crucible_pl.testing import LocalHub, write_repo
    >>> tmp = tempfile.TemporaryDirectory()
    >>> _ = write_repo(f"{tmp.name}/hub", "me/toy", {"data/test.csv": "q,a\\n1+1,2\\n"})
    >>> with LocalHub(f"{tmp.name}/hub") as hub:
    ...     _ = hf_hub_download(
    ...         "me/toy", "data/test.csv", repo_type="dataset", endpoint=hub.url,
    ...         cache_dir=f"{tmp.name}/cache", token=False,
    ...     )
    >>> [(r.method, r.status, r.filename) for r in hub.requests]
    [('HEAD', 200, 'data/test.csv'), ('GET', 200, 'data/test.csv')]
    >>> tmp.cleanup()
    """

    method: str
    path: str
    query: str
    status: int
    repo_id: str | None
    revision: str | None
    filename: str | None
    authorized: bool
    range: str | None


@dataclass
class HubRequest:
    """A parsed request on its way through :meth:`LocalHub.handle`.

    ``repo_id``, ``revision`` and ``filename`` are filled in by routing. ``token`` lives
    only for the duration of the request and is excluded from ``repr``; the
    ``Authorization`` header is removed from ``headers``.
    """

    method: str
    path: str
    query: str
    headers: Message
    body: bytes = b""
    token: str | None = field(default=None, repr=False)
    repo_id: str | None = None
    revision: str | None = None
    filename: str | None = None

    @property
    def segments(self) -> list[str]:
        """The raw (still percent-encoded) path segments."""
        return self.path.strip("/").split("/") if self.path.strip("/") else []

    @property
    def params(self) -> dict[str, list[str]]:
        """The query parameters, decoded."""
        return parse_qs(self.query, keep_blank_values=True)

    def param(self, name: str, default: str | None = None) -> str | None:
        """The last value of query parameter ``name``."""
        values = self.params.get(name)
        return values[-1] if values else default

    def flag(self, name: str) -> bool:
        """Whether query parameter ``name`` is truthy (``1``/``true``/``yes``)."""
        return (self.param(name) or "").lower() in {"1", "true", "yes"}


@dataclass
class HubResponse:
    """What the hub answers: a status, headers and a body of bytes or a file slice."""

    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    file: Path | None = None
    offset: int = 0
    length: int = 0
    fault: Fault | None = field(default=None, repr=False)

    def read_body(self) -> bytes:
        """The whole body as bytes (read from the file slice when it is one)."""
        if self.file is None:
            return self.body
        with self.file.open("rb") as fh:
            fh.seek(self.offset)
            return fh.read(self.length)

    @property
    def content_length(self) -> int:
        """The number of body bytes a GET would carry."""
        return self.length if self.file is not None else len(self.body)


class _HubError(Exception):
    def __init__(self, response: HubResponse) -> None:
        super().__init__(response.status)
        self.response = response


def _json(data: Any, status: int = 200, headers: Iterable[tuple[str, str]] = ()) -> HubResponse:
    body = json.dumps(data).encode()
    return HubResponse(
        status, [("Content-Type", "application/json; charset=utf-8"), *headers], body
    )


def _error(
    status: int, code: str | None, message: str, headers: Iterable[tuple[str, str]] = ()
) -> _HubError:
    extra = [("X-Error-Message", message), *headers]
    if code is not None:
        extra.insert(0, ("X-Error-Code", code))
    return _HubError(_json({"error": message}, status, extra))


def _bad_path(path: str) -> bool:
    """Whether a decoded repo path has ``..``/``.`` segments or an absolute component."""
    parts = path.split("/")
    return (
        any(p in {"", ".", ".."} for p in parts)
        or "\\" in path
        or "\0" in path
        or bool(_DRIVE_RE.match(path))
    )


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], hub: LocalHub) -> None:
        self.hub = hub
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.connections_lock:
            self.connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self.connections_lock:
            self.connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        with self.connections_lock:
            connections = list(self.connections)
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        logger.debug("Error while serving %s", client_address, exc_info=True)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    timeout = 60  # an idle keep-alive connection is closed after this many seconds

    def do_GET(self) -> None:
        self._dispatch()

    def do_HEAD(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        """The single path every request takes: parse, handle, record, send."""
        hub = self.server.hub
        path, _, query = self.path.partition("?")
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        refused = not 0 <= length <= _MAX_BODY
        if refused:
            self.close_connection = True  # the body, if any, is left unread
        body = self.rfile.read(length) if not refused and length > 0 else b""
        auth = self.headers.get("Authorization") or ""
        del self.headers["Authorization"]  # the token lives in HubRequest.token only
        scheme, _, token = auth.partition(" ")
        request = HubRequest(
            method=self.command,
            path=path,
            query=query,
            headers=self.headers,
            body=body,
            token=(token.strip() or None) if scheme.lower() == "bearer" else None,
        )
        if refused:
            response = _json({"error": f"Invalid or too large Content-Length: {length}"}, 413)
        else:
            response = hub.handle(request)
        hub._record(request, response)
        self._send(request, response)

    def _send(self, request: HubRequest, response: HubResponse) -> None:
        fault = response.fault
        if fault is not None and response.status == 0:  # drop, or stall before answering
            if fault.kind == "stall":
                self.server.hub._stopping.wait(fault.seconds)
            self.close_connection = True
            return
        self.send_response(response.status)
        names = {name.lower() for name, _ in response.headers}
        for name, value in response.headers:
            self.send_header(name, value)
        if "content-length" not in names:
            self.send_header("Content-Length", str(response.content_length))
        self.end_headers()
        if request.method == "HEAD":
            return
        limit = response.content_length
        if fault is not None:
            limit = fault.after_bytes if fault.after_bytes is not None else limit // 2
        self._write_body(response, min(limit, response.content_length))
        if fault is not None:  # truncate, or stall mid-body: cut the connection short
            self.wfile.flush()
            if fault.kind == "stall":
                self.server.hub._stopping.wait(fault.seconds)
            self.close_connection = True

    def _write_body(self, response: HubResponse, limit: int) -> None:
        if response.file is None:
            self.wfile.write(response.body[:limit])
            return
        with response.file.open("rb") as fh:
            fh.seek(response.offset)
            remaining = limit
            while remaining > 0:
                chunk = fh.read(min(_COPY_CHUNK, remaining))
                if not chunk:
                    break
                self.wfile.write(chunk)
                remaining -= len(chunk)

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s - " + format, self.address_string(), *args)


class LocalHub:
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

    def _route(self, req: HubRequest) -> HubResponse:
        seg = req.segments
        for raw in seg:
            if any(part in {".", ".."} for part in unquote(raw).split("/")):
                raise _error(400, None, "Invalid path: '..' and '.' segments are not allowed")
        if len(seg) >= 4 and seg[0] == "api" and seg[1] == "datasets":
            req.repo_id = f"{unquote(seg[2])}/{unquote(seg[3])}"
            return self._route_api(req, seg[4:])
        if len(seg) >= 5 and seg[0] == "datasets" and seg[3] == "resolve":
            req.repo_id = f"{unquote(seg[1])}/{unquote(seg[2])}"
            return self._route_resolve(req, seg[4:])
        if (len(seg) >= 3 and seg[0] == "api" and seg[1] in {"models", "spaces", "datasets"}) or (
            "resolve" in seg
        ):
            raise self._repo_not_found(req)
        raise _error(404, None, "Not Found")

    def _route_api(self, req: HubRequest, rest: list[str]) -> HubResponse:
        if not rest:
            self._only(req, "GET", "HEAD")
            return self._info(req, "main")
        head, args = rest[0], rest[1:]
        if head == "revision" and args:
            self._only(req, "GET", "HEAD")
            return self._info(req, unquote("/".join(args)))
        if head == "tree" and args:
            self._only(req, "GET")
            path = unquote("/".join(args[1:])).strip("/")
            return self._tree(req, unquote(args[0]), path)
        if head == "paths-info" and args:
            self._only(req, "POST")
            return self._paths_info(req, unquote("/".join(args)))
        if head == "refs" and not args:
            self._only(req, "GET")
            return self._refs(req)
        if head == "parquet" and len(args) <= 2:
            self._only(req, "GET")
            return self._parquet(req, *[unquote(a) for a in args])
        raise _error(404, None, "Not Found")

    def _route_resolve(self, req: HubRequest, rest: list[str]) -> HubResponse:
        self._only(req, "GET", "HEAD")
        # The client encodes the revision as one segment; accept an unencoded
        # refs/convert/..., refs/pr/... too, as the Hub does.
        if rest[0] == "refs" and len(rest) >= 4 and rest[1] in {"convert", "pr", "heads", "tags"}:
            revision, file_segments = "/".join(rest[:3]), rest[3:]
        else:
            revision, file_segments = rest[0], rest[1:]
        req.revision = unquote(revision)
        req.filename = unquote("/".join(file_segments))
        return self._resolve_file(req)

    # -- checks ----------------------------------------------------------------------

    @staticmethod
    def _only(req: HubRequest, *methods: str) -> None:
        if req.method not in methods:
            raise _error(
                405, None, f"Method {req.method} not allowed", [("Allow", ", ".join(methods))]
            )

    def _repo_not_found(self, req: HubRequest) -> _HubError:
        status = 404 if req.token is not None else 401
        return _error(status, "RepoNotFound", "Repository not found")

    def _ref(self, req: HubRequest, revision: str) -> RefState:
        """Check the repo exists and resolve ``revision`` in it."""
        repo_id = req.repo_id or ""
        req.revision = revision
        if not self.store.exists(repo_id):
            raise self._repo_not_found(req)
        ref = self.store.resolve(repo_id, revision, self._tags.get(repo_id))
        if ref is None:
            raise _error(404, "RevisionNotFound", f"Invalid rev id: {revision}")
        return ref

    def _check_gate(self, req: HubRequest) -> None:
        allowed = self._gated.get(req.repo_id or "")
        if allowed is None:
            return
        if req.token is None:
            raise _error(
                401,
                "GatedRepo",
                f"Access to dataset {req.repo_id} is restricted. You must have access to it "
                "and be authenticated to access it. Please log in.",
            )
        token = req.token.encode()
        if not any(hmac.compare_digest(token, ok.encode()) for ok in allowed):
            raise _error(
                403,
                "GatedRepo",
                f"Access to dataset {req.repo_id} is restricted and you are not in the "
                "authorized list.",
            )

    # -- endpoints -------------------------------------------------------------------

    def _info(self, req: HubRequest, revision: str) -> HubResponse:
        ref = self._ref(req, revision)
        repo_id = req.repo_id or ""
        blobs = req.flag("blobs")
        siblings: list[dict[str, Any]] = []
        for entry in ref.files.values():
            sibling: dict[str, Any] = {"rfilename": entry.path}
            if blobs:
                sibling.update(size=entry.size, blobId=entry.blob_oid)
                if entry.lfs:
                    sibling["lfs"] = {
                        "sha256": entry.sha256,
                        "size": entry.size,
                        "pointerSize": len(entry.pointer),
                    }
            siblings.append(sibling)
        created = ref.last_modified
        info: dict[str, Any] = {
            "_id": ref.tree_oid("")[:24],
            "id": repo_id,
            "author": repo_id.split("/")[0],
            "sha": ref.sha,
            "lastModified": ref.last_modified,
            "createdAt": created,
            "private": False,
            "gated": "manual" if repo_id in self._gated else False,
            "disabled": False,
            "downloads": 0,
            "downloadsAllTime": 0,
            "likes": 0,
            "tags": [],
            "siblings": siblings,
            "usedStorage": sum(f.size for f in ref.files.values()),
        }
        card = self.store.card_data(ref)
        if card is not None:
            info["cardData"] = card
            if isinstance(card.get("tags"), list):
                info["tags"] = [str(t) for t in card["tags"]]
        expand = req.params.get("expand") or req.params.get("expand[]")
        if expand:
            info = {k: v for k, v in info.items() if k in {"_id", "id", *expand}}
        return _json(info)

    def _entry_json(self, ref: RefState, path: str, *, expand: bool) -> dict[str, Any]:
        entry = ref.files.get(path)
        data: dict[str, Any]
        if entry is None:
            data = {"type": "directory", "oid": ref.tree_oid(path), "size": 0, "path": path}
        else:
            data = {"type": "file", "oid": entry.blob_oid, "size": entry.size, "path": path}
            if entry.lfs:
                data["lfs"] = {
                    "oid": entry.sha256,
                    "size": entry.size,
                    "pointerSize": len(entry.pointer),
                }
        if expand:
            data["lastCommit"] = {"id": ref.sha, "title": "Upload", "date": ref.last_modified}
            if entry is not None:
                data["securityFileStatus"] = {
                    "status": "safe",
                    "avScan": {"virusFound": False, "virusNames": None},
                    "pickleImportScan": None,
                }
        return data

    def _tree(self, req: HubRequest, revision: str, path: str) -> HubResponse:
        ref = self._ref(req, revision)
        if path and _bad_path(path):
            raise _error(400, None, f"Invalid path: {path!r}")
        if path not in ref.directories:
            raise _error(404, "EntryNotFound", f"{path!r} does not exist at revision {revision}")
        expand = req.flag("expand")
        items = ref.descendants(path) if req.flag("recursive") else ref.children(path)
        limit = min(self.page_size, _EXPAND_PAGE_SIZE) if expand else self.page_size
        start = 0
        cursor = req.param("cursor")
        if cursor:
            try:
                start = int(base64.urlsafe_b64decode(cursor.encode()).decode())
            except (ValueError, binascii.Error, UnicodeDecodeError):
                raise _error(400, None, f"Invalid cursor: {cursor!r}") from None
        page = items[start : start + limit]
        headers: list[tuple[str, str]] = []
        if start + limit < len(items):
            params = [(k, v) for k, vs in req.params.items() if k != "cursor" for v in vs]
            params.append(
                ("cursor", base64.urlsafe_b64encode(str(start + limit).encode()).decode())
            )
            host = req.headers.get("Host") or self.url.removeprefix("http://")
            headers.append(("Link", f'<http://{host}{req.path}?{urlencode(params)}>; rel="next"'))
        body = [self._entry_json(ref, p, expand=expand) for p, _ in page]
        return _json(body, headers=headers)

    def _paths_info(self, req: HubRequest, revision: str) -> HubResponse:
        ref = self._ref(req, revision)
        content_type = (req.headers.get("Content-Type") or "").lower()
        paths: list[str]
        if "json" in content_type:
            try:
                payload = json.loads(req.body or b"{}")
                paths = [str(p) for p in payload.get("paths", [])]
                expand = bool(payload.get("expand", False))
            except (ValueError, AttributeError, TypeError):
                raise _error(400, None, "Invalid JSON body") from None
        else:
            form = parse_qs(req.body.decode("utf-8", "replace"), keep_blank_values=True)
            paths = form.get("paths", [])
            expand = (form.get("expand", [""])[-1]).lower() in {"1", "true", "yes"}
        out = []
        for raw in paths:
            path = raw.strip("/")
            if path and _bad_path(path):
                raise _error(400, None, f"Invalid path: {raw!r}")
            if path in ref.files or (path and path in ref.directories):
                out.append(self._entry_json(ref, path, expand=expand))
        return _json(out)

    def _refs(self, req: HubRequest) -> HubResponse:
        repo_id = req.repo_id or ""
        if not self.store.exists(repo_id):
            raise self._repo_not_found(req)
        refs = self.store.refs(repo_id)
        groups: dict[str, list[dict[str, str]]] = {"branch": [], "convert": [], "pull_request": []}
        for ref in refs.values():
            name = ref.name.removeprefix(CONVERT_PREFIX) if ref.kind == "convert" else ref.name
            groups[ref.kind].append({"name": name, "ref": ref.ref, "targetCommit": ref.sha})
        tags = [
            {"name": tag, "ref": f"refs/tags/{tag}", "targetCommit": refs[branch].sha}
            for tag, branch in sorted(self._tags.get(repo_id, {}).items())
            if branch in refs
        ]
        data: dict[str, Any] = {
            "branches": groups["branch"],
            "converts": groups["convert"],
            "tags": tags,
        }
        if req.flag("include_prs"):
            data["pullRequests"] = groups["pull_request"]
        return _json(data)

    def _parquet(
        self, req: HubRequest, config: str | None = None, split: str | None = None
    ) -> HubResponse:
        ref = self._ref(req, _PARQUET_REF)
        self._check_gate(req)
        host = req.headers.get("Host") or self.url.removeprefix("http://")
        base = f"http://{host}/datasets/{req.repo_id}/resolve/{quote(_PARQUET_REF, safe='')}"
        listing: dict[str, dict[str, list[str]]] = {}
        for path in ref.files:
            parts = path.split("/")
            if len(parts) == 3 and parts[2].endswith(".parquet"):
                urls = listing.setdefault(parts[0], {}).setdefault(parts[1], [])
                urls.append(f"{base}/{quote(path)}")
        if config is None:
            return _json(listing)
        if config not in listing:
            raise _error(404, "EntryNotFound", f"Config {config!r} not found in {_PARQUET_REF}")
        if split is None:
            return _json(listing[config])
        if split not in listing[config]:
            raise _error(404, "EntryNotFound", f"Split {split!r} not found in config {config!r}")
        return _json(listing[config][split])

    def _resolve_file(self, req: HubRequest) -> HubResponse:
        filename = req.filename or ""
        if not filename or _bad_path(filename):
            raise _error(400, None, f"Invalid file path: {filename!r}")
        ref = self._ref(req, req.revision or "main")
        self._check_gate(req)
        commit = [("X-Repo-Commit", ref.sha)]
        entry = ref.files.get(filename)
        if entry is None:
            raise _error(404, "EntryNotFound", "Entry not found", commit)
        local = entry.local_path
        if not self.store.may_serve(local) or not local.is_file():
            raise _error(404, "EntryNotFound", "Entry not found", commit)
        return self._file_response(req, ref, entry)

    def _file_response(self, req: HubRequest, ref: RefState, entry: FileEntry) -> HubResponse:
        size = entry.size
        headers = [
            ("Content-Type", "application/octet-stream"),
            ("ETag", f'"{entry.etag}"'),
            ("X-Repo-Commit", ref.sha),
            ("Accept-Ranges", "bytes"),
            ("Content-Disposition", f'inline; filename="{entry.path.rsplit("/", 1)[-1]}"'),
        ]
        if entry.lfs:
            headers += [("X-Linked-Etag", f'"{entry.sha256}"'), ("X-Linked-Size", str(size))]
        range_header = req.headers.get("Range")
        if range_header is None:
            return HubResponse(200, headers, file=entry.local_path, offset=0, length=size)
        match = _RANGE_RE.match(range_header)
        start: int | None = None
        end = size - 1
        if match is not None:
            first, last = match.groups()
            if first:
                start = int(first)
                if last:
                    end = min(int(last), size - 1)
                    if int(last) < start:
                        start = None
            elif last and int(last) > 0:
                start = max(size - int(last), 0)
        if start is None or start >= size or size == 0:
            raise _HubError(
                _json(
                    {"error": f"Range {range_header!r} not satisfiable for {size} bytes"},
                    416,
                    [("Content-Range", f"bytes */{size}"), *headers[1:4]],
                )
            )
        headers.append(("Content-Range", f"bytes {start}-{end}/{size}"))
        return HubResponse(
            206, headers, file=entry.local_path, offset=start, length=end - start + 1
        )
