"""A hostile Hub (issue 13 item 3): names the server sends never put a file outside the cache."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
import pytest

import crucible_pl
from crucible_pl import errors
from crucible_pl.testing import LocalHub, write_repo
from crucible_pl.testing._server import HubResponse

REPO = "org/hostile"
SHARD = "data/test-00000-of-00001.parquet"


def all_files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


@pytest.mark.parametrize(
    "etag",
    ["../../../../escaped", "..%2F..%2Fescaped", "a" * 63 + "/", "abc", "A" * 64],
    ids=["dot-dot", "encoded", "slash", "short", "uppercase"],
)
def test_a_non_hex_etag_is_refused_before_anything_is_written(
    make_hub: Callable[..., LocalHub],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    etag: str,
) -> None:
    hub = make_hub()
    write_repo(hub.root, REPO, {SHARD: pl.DataFrame({"q": ["a", "b"]})})
    honest = LocalHub._file_response

    def lying(self: LocalHub, *args: Any, **kwargs: Any) -> HubResponse:
        response = honest(self, *args, **kwargs)
        response.headers = [
            (k, f'"{etag}"' if k.lower() in {"etag", "x-linked-etag"} else v)
            for k, v in response.headers
        ]
        return response

    monkeypatch.setattr(LocalHub, "_file_response", lying)
    hf_home = Path(os.environ["HF_HOME"])
    before = all_files(tmp_path.parent)
    with pytest.raises(errors.DataFormatError, match="not a sha256 or git sha1 hex digest"):
        crucible_pl.load_lazy(REPO, "test").collect()
    written = all_files(tmp_path.parent) - before
    # nothing was downloaded: no blob anywhere, inside or outside the HF cache
    assert not [p for p in written if "blobs" in p.parts or "escaped" in p.name], written
    assert not list(hf_home.rglob("escaped*"))
    assert not [p for p in written if p.suffix == ".parquet"], written


HOSTILE_NAMES = ["../../../../escaped", "a/../../b", "/abs", "..", "x\\..\\..\\y"]


@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=["dot-dot", "inner", "absolute", "dots", "bs"])
@pytest.mark.parametrize("where", ["config", "split"])
def test_config_and_split_names_never_leave_the_cache(
    make_hub: Callable[..., LocalHub], tmp_path: Path, name: str, where: str
) -> None:
    hub = make_hub()
    rows = pl.DataFrame({"q": ["a", "b"]})
    config = name if where == "config" else "default"
    split = name if where == "split" else "test"
    card = {"configs": [{"config_name": config, "data_files": [{"split": split, "path": SHARD}]}]}
    write_repo(hub.root, REPO, {SHARD: rows}, card=card)
    roots = (Path(os.environ["HF_HOME"]).resolve(), Path(os.environ["CRUCIBLE_PL_CACHE"]).resolve())
    before = all_files(tmp_path.parent)
    try:
        loaded = crucible_pl.load_lazy(REPO, split, config=config).collect()
    except errors.CrucibleError:
        pass  # refusing the name is fine; writing outside the caches is not
    else:
        assert loaded.equals(rows)
    written = {p.resolve() for p in all_files(tmp_path.parent) - before}
    outside = [p for p in written if not any(p.is_relative_to(r) for r in roots)]
    assert outside == []
    assert not list(tmp_path.parent.rglob("escaped*"))
