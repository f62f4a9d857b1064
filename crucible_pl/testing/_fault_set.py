"""The armed faults of one LocalHub, and the record of the ones that fired (thread-safe)."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from crucible_pl.errors import InvalidInputError
from crucible_pl.testing._faults import Fault, FaultKind

__all__ = ["FaultSet", "FiredFault"]


@dataclass(frozen=True)
class FiredFault:
    """A fault that fired: its kind, and the request it hit.

    Attributes
    ----------
    kind
        The fault's kind (``"status"``, ``"stall"``...).
    method, path
        The request it hit (the path decoded, without the query).
    status
        The HTTP status of a ``status`` fault, else ``None``.

    Examples
    --------
    >>> import tempfile
    >>> import httpx2
    >>> from crucible_pl.testing import Fault, LocalHub
    >>> tmp = tempfile.TemporaryDirectory()
    >>> with LocalHub(tmp.name, faults=[Fault.drop(path="/api/*")]) as hub:
    ...     try:
    ...         httpx2.get(f"{hub.url}/api/datasets/me/toy")
    ...     except httpx2.HTTPError:
    ...         pass
    >>> hub.faults_fired()
    [FiredFault(kind='drop', method='GET', path='/api/datasets/me/toy', status=None)]
    >>> tmp.cleanup()
    """

    kind: FaultKind
    method: str
    path: str
    status: int | None


class FaultSet:
    """The faults of one hub, with how many times each has fired (thread-safe)."""

    def __init__(self, faults: Iterable[Fault] = ()) -> None:
        self._lock = threading.Lock()
        self._armed: list[list[Any]] = []  # [fault, fired count]
        self._fired: list[FiredFault] = []
        self.add(*faults)

    def add(self, *faults: Fault) -> None:
        """Arm more faults; they are tried after the ones already armed."""
        for fault in faults:
            if not isinstance(fault, Fault):
                raise InvalidInputError(f"Expected a Fault, got {fault!r}.")
        with self._lock:
            self._armed.extend([f, 0] for f in faults)

    def clear(self) -> None:
        """Disarm every fault and forget what fired."""
        with self._lock:
            self._armed.clear()
            self._fired.clear()

    def take(
        self, method: str, path: str, *, before_routing: bool, has_body: bool = False
    ) -> Fault | None:
        """The first armed fault for this request and phase, counted as fired; or None."""
        with self._lock:
            for slot in self._armed:
                fault: Fault = slot[0]
                if fault.times is not None and slot[1] >= fault.times:
                    continue
                if fault.before_routing != before_routing:
                    continue
                if not before_routing and not has_body:
                    continue
                if fault.matches(method, path):
                    slot[1] += 1
                    status = fault.status if fault.kind == "status" else None
                    self._fired.append(FiredFault(fault.kind, method, path, status))
                    return fault
        return None

    def fired(self) -> list[FiredFault]:
        """Every fault that fired, in order (a copy)."""
        with self._lock:
            return list(self._fired)
