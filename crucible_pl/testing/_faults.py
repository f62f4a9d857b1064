"""Deterministic fault injection for :class:`~crucible_pl.testing.LocalHub`.

A :class:`Fault` says which requests it hits (HTTP method and a path glob or regex)
and how many of them (the first ``times`` that match), and what goes wrong:

=============  ==============================================================================
kind           what the client sees
=============  ==============================================================================
``status``     an HTTP error answer (500, 502, 503, 429 with ``Retry-After``...)
``stall``      no answer for ``seconds`` (or a body that stops after ``after_bytes``), then
               the connection is closed; the wait ends early when the hub stops
``drop``       the connection closed without any answer
``truncate``   the full ``Content-Length`` announced, fewer bytes sent, connection closed
``corrupt``    a complete answer whose bytes differ from the file (its ETag no longer
               matches), optionally ``size_delta`` bytes shorter or longer than advertised
``rewrite``    a JSON answer passed through a function (e.g. a repo listing with ``../``)
=============  ==============================================================================

Faults are configured in the test, never through the environment, and each one fires a
fixed number of times, so a run is reproducible. ``status``, ``stall`` (without
``after_bytes``) and ``drop`` are decided before routing; the others act on a successful
answer that has a body (never on ``HEAD``).

Examples
--------
>>> from crucible_pl.testing import Fault
>>> fault = Fault.error(503, method="GET", path="/datasets/*/resolve/*/data/test-*", times=2)
>>> fault.matches("GET", "/datasets/me/toy/resolve/main/data/test-00000-of-00001.parquet")
True
>>> fault.matches("HEAD", "/datasets/me/toy/resolve/main/data/test-00000-of-00001.parquet")
False
>>> Fault.rate_limit(retry_after=2).status
429
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from crucible_pl.errors import InvalidInputError

__all__ = ["Fault", "FaultKind"]

FaultKind = Literal["status", "stall", "drop", "truncate", "corrupt", "rewrite"]

_BEFORE_ROUTING = frozenset({"status", "drop"})
_CORRUPT_SPAN = 64


@dataclass(frozen=True)
class Fault:
    """One deterministic failure, applied to the first ``times`` matching requests.

    Prefer the constructors (:meth:`error`, :meth:`rate_limit`, :meth:`stall`,
    :meth:`drop`, :meth:`truncate`, :meth:`corrupt`, :meth:`rewrite_json`) to building
    one by hand.

    Parameters
    ----------
    kind
        What goes wrong; see the module docstring.
    method
        Only requests with this HTTP method (``"GET"``, ``"HEAD"``...); ``None`` for any.
    path
        A glob (``fnmatch``, ``*`` also crosses ``/``) matched against the whole decoded
        request path, or a compiled regex searched in it.
    times
        How many matching requests it hits; ``None`` for every one.
    status
        The HTTP status of a ``status`` fault.
    retry_after
        Seconds sent in a ``Retry-After`` header with a ``status`` fault.
    seconds
        How long a ``stall`` lasts before the connection is closed.
    after_bytes
        ``stall``: stall after sending this many body bytes instead of before the
        headers. ``truncate``: body bytes sent before closing (default: half).
    size_delta
        ``corrupt``: bytes removed (negative) or appended (positive) to the body,
        with a ``Content-Length`` that matches the altered body.
    transform
        ``rewrite``: a function from the parsed JSON answer to the JSON to send.

    Raises
    ------
    InvalidInputError
        On an unknown kind, a ``times`` below 1, a status outside 400-599, a negative
        duration or a ``rewrite`` without ``transform``.

    Examples
    --------
    >>> Fault.stall(2.0, method="HEAD").kind
    'stall'
    >>> Fault.error(200)
    Traceback (most recent call last):
    ...
    crucible_pl.errors.InvalidInputError: Fault status must be an HTTP error (400-599), got 200.
    """

    kind: FaultKind
    method: str | None = None
    path: str | re.Pattern[str] = "*"
    times: int | None = 1
    status: int = 503
    retry_after: int | None = None
    seconds: float = 0.0
    after_bytes: int | None = None
    size_delta: int = 0
    transform: Callable[[Any], Any] | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.kind not in get_args(FaultKind):
            raise InvalidInputError(
                f"Unknown fault kind {self.kind!r}: use one of {', '.join(get_args(FaultKind))}."
            )
        if self.times is not None and self.times < 1:
            raise InvalidInputError(
                f"Fault times must be at least 1 (or None for every request), got {self.times}."
            )
        if not 400 <= self.status <= 599:
            raise InvalidInputError(
                f"Fault status must be an HTTP error (400-599), got {self.status}."
            )
        if self.seconds < 0 or (self.after_bytes is not None and self.after_bytes < 0):
            raise InvalidInputError("Fault seconds and after_bytes must not be negative.")
        if self.kind == "rewrite" and self.transform is None:
            raise InvalidInputError("A 'rewrite' fault needs transform=, a JSON -> JSON function.")
        if self.method is not None:
            object.__setattr__(self, "method", self.method.upper())

    # -- constructors ----------------------------------------------------------------

    @classmethod
    def error(
        cls,
        status: int = 503,
        *,
        method: str | None = None,
        path: str | re.Pattern[str] = "*",
        times: int | None = 1,
        retry_after: int | None = None,
    ) -> Fault:
        """Answer matching requests with HTTP ``status`` (500, 502, 503, 404...).

        Decided before routing: the request never reaches the repo.

        Parameters
        ----------
        status
            An HTTP error status, 400-599.
        method
            Only requests with this HTTP method; ``None`` for any.
        path
            A glob matched against the whole decoded request path, or a compiled regex.
        times
            How many matching requests it hits; ``None`` for every one.
        retry_after
            Seconds to send in a ``Retry-After`` header; none when ``None``.

        Returns
        -------
        Fault

        Raises
        ------
        InvalidInputError
            If ``status`` is outside 400-599 or ``times`` is below 1.

        Examples
        --------
        >>> from crucible_pl.testing import Fault
        >>> fault = Fault.error(502, path="/api/*", times=2)
        >>> fault.kind, fault.status, fault.times
        ('status', 502, 2)
        """
        return cls(
            "status", method=method, path=path, times=times, status=status, retry_after=retry_after
        )

    @classmethod
    def rate_limit(
        cls,
        *,
        retry_after: int = 1,
        method: str | None = None,
        path: str | re.Pattern[str] = "*",
        times: int | None = 1,
    ) -> Fault:
        """Answer HTTP 429 with ``Retry-After: <retry_after>``.

        Parameters
        ----------
        retry_after
            Seconds the client is asked to wait.
        method
            Only requests with this HTTP method; ``None`` for any.
        path
            A glob matched against the whole decoded request path, or a compiled regex.
        times
            How many matching requests it hits; ``None`` for every one.

        Returns
        -------
        Fault

        Examples
        --------
        >>> from crucible_pl.testing import Fault
        >>> Fault.rate_limit(retry_after=2).error_headers()[-1]
        ('Retry-After', '2')
        """
        return cls.error(429, method=method, path=path, times=times, retry_after=retry_after)

    @classmethod
    def stall(
        cls,
        seconds: float,
        *,
        method: str | None = None,
        path: str | re.Pattern[str] = "*",
        times: int | None = 1,
        after_bytes: int | None = None,
    ) -> Fault:
        """Send nothing (or stop after ``after_bytes`` body bytes) for ``seconds``, then close.

        Set ``seconds`` above the client's timeout; the server thread is busy for at most
        ``seconds``, less if the hub stops.

        Parameters
        ----------
        seconds
            How long the stall lasts, ``>= 0``.
        method
            Only requests with this HTTP method; ``None`` for any.
        path
            A glob matched against the whole decoded request path, or a compiled regex.
        times
            How many matching requests it hits; ``None`` for every one.
        after_bytes
            Stall after sending this many body bytes instead of before the headers.

        Returns
        -------
        Fault

        Examples
        --------
        >>> from crucible_pl.testing import Fault
        >>> Fault.stall(30.0).before_routing, Fault.stall(30.0, after_bytes=10).before_routing
        (True, False)
        """
        return cls(
            "stall", method=method, path=path, times=times, seconds=seconds, after_bytes=after_bytes
        )

    @classmethod
    def drop(
        cls, *, method: str | None = None, path: str | re.Pattern[str] = "*", times: int | None = 1
    ) -> Fault:
        """Close the connection without answering.

        Parameters
        ----------
        method
            Only requests with this HTTP method; ``None`` for any.
        path
            A glob matched against the whole decoded request path, or a compiled regex.
        times
            How many matching requests it hits; ``None`` for every one.

        Returns
        -------
        Fault

        Examples
        --------
        >>> from crucible_pl.testing import Fault
        >>> Fault.drop(method="HEAD", times=None).matches("HEAD", "/datasets/me/toy")
        True
        """
        return cls("drop", method=method, path=path, times=times)

    @classmethod
    def truncate(
        cls,
        *,
        method: str | None = "GET",
        path: str | re.Pattern[str] = "*",
        times: int | None = 1,
        after_bytes: int | None = None,
    ) -> Fault:
        """Announce the full body, send ``after_bytes`` of it (default: half), then close.

        Parameters
        ----------
        method
            Only requests with this HTTP method (``'GET'`` by default); ``None`` for any.
        path
            A glob matched against the whole decoded request path, or a compiled regex.
        times
            How many matching requests it hits; ``None`` for every one.
        after_bytes
            Body bytes sent before closing; half the body when ``None``.

        Returns
        -------
        Fault

        Examples
        --------
        >>> from crucible_pl.testing import Fault
        >>> fault = Fault.truncate(path="/datasets/*/resolve/*", after_bytes=100)
        >>> fault.kind, fault.method, fault.before_routing
        ('truncate', 'GET', False)
        """
        return cls("truncate", method=method, path=path, times=times, after_bytes=after_bytes)

    @classmethod
    def corrupt(
        cls,
        *,
        method: str | None = "GET",
        path: str | re.Pattern[str] = "*",
        times: int | None = 1,
        size_delta: int = 0,
    ) -> Fault:
        """Serve altered bytes: flipped in the middle of the body, and ``size_delta`` longer.

        The ``Content-Length`` matches the altered body, so only a checksum (the ETag)
        tells the client the file is wrong.

        Parameters
        ----------
        method
            Only requests with this HTTP method (``'GET'`` by default); ``None`` for any.
        path
            A glob matched against the whole decoded request path, or a compiled regex.
        times
            How many matching requests it hits; ``None`` for every one.
        size_delta
            Bytes appended (positive) or removed (negative) after the flip.

        Returns
        -------
        Fault

        Examples
        --------
        >>> from crucible_pl.testing import Fault
        >>> body = bytes(200)
        >>> altered = Fault.corrupt(size_delta=-2).alter(body)
        >>> len(altered), sum(a != b for a, b in zip(body, altered))
        (198, 33)
        """
        return cls("corrupt", method=method, path=path, times=times, size_delta=size_delta)

    @classmethod
    def rewrite_json(
        cls,
        transform: Callable[[Any], Any],
        *,
        method: str | None = "GET",
        path: str | re.Pattern[str] = "*",
        times: int | None = None,
    ) -> Fault:
        """Pass matching JSON answers through ``transform`` (every one by default).

        Parameters
        ----------
        transform
            A function from the parsed JSON answer to the JSON to send.
        method
            Only requests with this HTTP method (``'GET'`` by default); ``None`` for any.
        path
            A glob matched against the whole decoded request path, or a compiled regex.
        times
            How many matching requests it hits; ``None`` for every one.

        Returns
        -------
        Fault

        Examples
        --------
        >>> from crucible_pl.testing import Fault
        >>> fault = Fault.rewrite_json(lambda info: {**info, "sha": "0" * 40})
        >>> fault.alter(b'{"id": "me/toy", "sha": "abc"}')
        b'{"id": "me/toy", "sha": "0000000000000000000000000000000000000000"}'
        """
        return cls("rewrite", method=method, path=path, times=times, transform=transform)

    # -- behaviour -------------------------------------------------------------------

    @property
    def before_routing(self) -> bool:
        """Whether the fault replaces the answer, rather than altering a real one.

        ``status``, ``drop`` and a ``stall`` before the headers are decided before the
        request is routed; the others act on a successful answer with a body.

        Returns
        -------
        bool

        Examples
        --------
        >>> from crucible_pl.testing import Fault
        >>> Fault.error(503).before_routing, Fault.corrupt().before_routing
        (True, False)
        """
        return self.kind in _BEFORE_ROUTING or (self.kind == "stall" and self.after_bytes is None)

    def matches(self, method: str, path: str) -> bool:
        """Whether a request (method, decoded path without query) is one this fault hits.

        Parameters
        ----------
        method
            The request's HTTP method, in any case.
        path
            The decoded request path, without the query string.

        Returns
        -------
        bool

        Examples
        --------
        >>> import re
        >>> from crucible_pl.testing import Fault
        >>> fault = Fault.error(503, path=re.compile(r"/resolve/[^/]+/data/"))
        >>> fault.matches("get", "/datasets/me/toy/resolve/main/data/test.csv")
        True
        >>> fault.matches("GET", "/api/datasets/me/toy")
        False
        """
        if self.method is not None and method.upper() != self.method:
            return False
        if isinstance(self.path, re.Pattern):
            return self.path.search(path) is not None
        return fnmatch.fnmatchcase(path, self.path)

    def error_headers(self) -> list[tuple[str, str]]:
        """Headers of a ``status`` answer: the Hub's error message, and ``Retry-After``.

        Returns
        -------
        list[tuple[str, str]]

        Examples
        --------
        >>> from crucible_pl.testing import Fault
        >>> Fault.error(503, retry_after=3).error_headers()
        [('X-Error-Message', 'Injected fault: HTTP 503'), ('Retry-After', '3')]
        """
        headers = [("X-Error-Message", f"Injected fault: HTTP {self.status}")]
        if self.retry_after is not None:
            headers.append(("Retry-After", str(self.retry_after)))
        return headers

    def alter(self, body: bytes) -> bytes:
        """The body a ``corrupt`` or ``rewrite`` fault sends instead of ``body``.

        Parameters
        ----------
        body
            The body the hub would have sent.

        Returns
        -------
        bytes

        Examples
        --------
        >>> from crucible_pl.testing import Fault
        >>> list(Fault.corrupt().alter(bytes(4)))
        [255, 255, 255, 0]
        >>> Fault.rewrite_json(lambda rows: rows[:1]).alter(b"[1, 2, 3]")
        b'[1]'
        """
        if self.kind == "rewrite":
            assert self.transform is not None
            return json.dumps(self.transform(json.loads(body))).encode()
        altered = bytearray(body)
        middle = len(altered) // 2
        for i in range(max(0, middle - _CORRUPT_SPAN // 2), min(len(altered), middle + 1)):
            altered[i] ^= 0xFF
        if self.size_delta < 0:
            del altered[len(altered) + self.size_delta :]
        elif self.size_delta > 0:
            altered += b"\0" * self.size_delta
        return bytes(altered)
