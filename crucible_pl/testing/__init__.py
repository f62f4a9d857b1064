"""A local, Hub-compatible HTTP server and the fixtures it serves.

:class:`LocalHub` speaks the Hugging Face Hub's dataset endpoints on loopback, so the
real ``huggingface_hub`` client (and crucible-pl on top of it) can be tested, demoed and
used offline. :func:`write_repo` and :func:`write_spec_repo` lay out the repos it serves.
:class:`Fault` describes a deterministic failure to inject with :meth:`LocalHub.inject`.

Examples
--------
>>> import tempfile
>>> import polars as pl
>>> from huggingface_hub import HfApi
>>> from crucible_pl.testing import LocalHub, write_repo
>>> tmp = tempfile.TemporaryDirectory()
>>> rows = pl.DataFrame({"question": ["1 + 1?"], "answer": ["2"]})
>>> _ = write_repo(tmp.name, "me/toy", {"data/test-00000-of-00001.parquet": rows})
>>> with LocalHub(tmp.name) as hub:
...     files = HfApi(endpoint=hub.url, token=False).list_repo_files("me/toy", repo_type="dataset")
>>> [f for f in files if f.endswith(".parquet")]
['data/test-00000-of-00001.parquet']
>>> tmp.cleanup()
"""

from __future__ import annotations

from crucible_pl.testing._fault_set import FiredFault as FiredFault
from crucible_pl.testing._faults import Fault as Fault
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
