"""The HTTP plumbing of LocalHub: requests and responses as values, one handler path.

Every request is parsed into a :class:`HubRequest`, answered by ``LocalHub.handle`` with a
:class:`HubResponse`, recorded, then written (with any injected fault applied to how it is
sent). The recorded requests never hold the token.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import socket
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from crucible_pl.testing._faults import Fault

if TYPE_CHECKING:
    from crucible_pl.testing._server import LocalHub

__all__ = ["HubRequest", "HubResponse", "RecordedRequest"]

logger = logging.getLogger(__name__)

_MAX_BODY = 10 * 1024 * 1024


_COPY_CHUNK = 256 * 1024


_DRIVE_RE = re.compile(r"^[A-Za-z]:")


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
    bytes
        The body bytes the answer carries (0 for ``HEAD``): what a client reading
        ranges of a file actually transferred.

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
    bytes: int = 0


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
    # Clients that read ranges open many connections at once (Polars' HTTP reader does):
    # socketserver's default backlog of 5 drops the rest, and their retried SYNs cost
    # them seconds each.
    request_queue_size = 256

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
