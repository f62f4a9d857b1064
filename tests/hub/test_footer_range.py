"""Issue 13 item 4: ``info()`` against servers that ignore or refuse Range requests.

``info()`` reads only Parquet footers (two suffix Range requests per file not cached).
Before: a server that ignored Range had its whole answer buffered (4.2 GB seen), and one
that refused ranges was retried for about 70 s, after which ``crucible-pl info`` printed
"? rows" with exit status 0. Now the bytes read are bounded, a small file sent whole is
used, and a refusal is a clear error with a non-zero status (unless the card has the
row count).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

import crucible_pl
from crucible_pl import cli
from crucible_pl._hub import footers
from crucible_pl.errors import HubUnavailableError
from crucible_pl.testing import LocalHub, write_repo
from crucible_pl.testing._http import HubRequest, HubResponse, _json


class RangeIgnoringHub(LocalHub):
    """Answers every file GET whole (200), as a server without Range support does."""

    def handle(self, request: HubRequest) -> HubResponse:
        if request.method == "GET" and "/resolve/" in request.path:
            del request.headers["Range"]
        return super().handle(request)


class RangeRefusingHub(LocalHub):
    """Answers every Range request 416, as a server that cannot serve ranges does."""

    def handle(self, request: HubRequest) -> HubResponse:
        if request.method == "GET" and "/resolve/" in request.path and request.headers["Range"]:
            return _json({"error": "Range Not Satisfiable"}, 416)
        return super().handle(request)


def big_frame(megabytes: int) -> pl.DataFrame:
    """A frame whose Parquet file is about ``megabytes`` MiB (incompressible bytes)."""
    rows = megabytes * 16
    return pl.DataFrame({"id": range(rows), "blob": [os.urandom(64 * 1024) for _ in range(rows)]})


@pytest.fixture
def serve(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., LocalHub]]:
    started: list[LocalHub] = []

    def start(kind: type[LocalHub], files: dict[str, pl.DataFrame]) -> LocalHub:
        root = tmp_path / f"hub-{len(started)}"
        write_repo(root, "me/big", files)
        hub = kind(root)
        hub.start()
        started.append(hub)
        monkeypatch.setenv("HF_ENDPOINT", hub.url)
        return hub

    yield start
    for hub in started:
        hub.stop()


def test_a_server_ignoring_range_is_read_no_further_than_the_limit(
    serve: Callable[..., LocalHub], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(footers, "FOOTER_READ_LIMIT", 1024 * 1024)
    hub = serve(RangeIgnoringHub, {"data/test.parquet": big_frame(6)})
    size = (hub.root / "datasets/me/big/data/test.parquet").stat().st_size
    with pytest.raises(HubUnavailableError, match="ignored the Range request") as caught:
        crucible_pl.info("me/big")
    assert f"sent the whole file ({size:,} bytes)" in str(caught.value)
    assert "stopped reading after 1 MiB" in str(caught.value)


def test_a_small_file_sent_whole_still_gives_its_footer(serve: Callable[..., LocalHub]) -> None:
    serve(RangeIgnoringHub, {"data/test.parquet": pl.DataFrame({"x": range(1000)})})
    meta = crucible_pl.info("me/big")
    assert [(s.name, s.num_rows) for s in meta.splits] == [("test", 1000)]
    assert meta.columns == {"x": pl.Int64}


def test_a_server_refusing_ranges_fails_at_once_with_a_clear_error(
    serve: Callable[..., LocalHub],
) -> None:
    serve(RangeRefusingHub, {"data/test.parquet": pl.DataFrame({"x": range(10)})})
    started = time.monotonic()
    with pytest.raises(HubUnavailableError, match=r"refused a Range request .* \(HTTP 416\)"):
        crucible_pl.info("me/big")
    assert time.monotonic() - started < 5
    result = CliRunner().invoke(cli.main, ["info", "me/big"])
    assert result.exit_code == 1
    assert "? rows" not in result.output
    assert "refused a Range request" in result.stderr
