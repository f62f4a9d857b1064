"""Issue 13 item 11: a body that runs past its announced size is cut short and named.

huggingface_hub writes a download until the server ends the body and compares sizes only
afterwards, so an endless answer filled the disk and the error then said to free space.
Here the server announces (HEAD) a small file and sends 40 MiB instead: the download
stops at the announced size, nothing is cached, and the error says what happened.
Before: all 40 MiB were written, twice, then "did not have the size the Hub advertised".
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

import crucible_pl
from crucible_pl._cache import paths
from crucible_pl.errors import DataFormatError
from crucible_pl.testing import LocalHub, write_repo
from crucible_pl.testing._http import HubRequest, HubResponse

PADDING = 40 * 1024 * 1024


class PaddingHub(LocalHub):
    """Answers a file GET with its bytes followed by 40 MiB the HEAD never announced."""

    def handle(self, request: HubRequest) -> HubResponse:
        response = super().handle(request)
        if request.method == "GET" and "/resolve/" in request.path and response.status == 200:
            body = response.read_body() + b"\0" * PADDING
            headers = [(k, v) for k, v in response.headers if k.lower() != "content-length"]
            return HubResponse(status=200, headers=headers, body=body)
        return response


def test_a_body_longer_than_announced_is_cut_short(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_repo(tmp_path / "hub", "me/pad", {"data/test.parquet": pl.DataFrame({"x": [1, 2]})})
    with PaddingHub(tmp_path / "hub") as hub:
        monkeypatch.setenv("HF_ENDPOINT", hub.url)
        with pytest.raises(
            DataFormatError, match=r"sent more than the [\d,]+ bytes it announced"
        ) as err:
            crucible_pl.load_lazy("me/pad")
    assert "not a lack of disk space" in str(err.value)
    assert "Free space" not in str(err.value)
    blobs = paths.hub_repo_dir("me/pad") / "blobs"
    leftovers = sorted(p.name for p in blobs.iterdir()) if blobs.is_dir() else []
    assert leftovers == []  # nothing cached, no partial file either
