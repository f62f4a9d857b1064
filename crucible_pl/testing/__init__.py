"""A local, Hub-compatible HTTP server and the fixtures it serves.

:class:`LocalHub` speaks the Hugging Face Hub's dataset endpoints on loopback, so the
real ``huggingface_hub`` client (and crucible-pl on top of it) can be tested, demoed and
used offline. :func:`write_repo` and :func:`write_spec_repo` lay out the repos it serves.
:class:`Fault` describes a deterministic failure to inject with :meth:`LocalHub.inject`.
"""

from __future__ import annotations

from crucible_pl.testing._faults import Fault as Fault
from crucible_pl.testing._faults import FiredFault as FiredFault
from crucible_pl.testing._fixtures import write_repo as write_repo
from crucible_pl.testing._fixtures import write_spec_repo as write_spec_repo
from crucible_pl.testing._server import LocalHub as LocalHub
from crucible_pl.testing._server import RecordedRequest as RecordedRequest

__all__ = [
    # faults
    "Fault",
    "FiredFault",
    # server
    "LocalHub",
    "RecordedRequest",
    # fixtures
    "write_repo",
    "write_spec_repo",
]
