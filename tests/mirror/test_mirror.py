"""``crucible-pl serve --from-cache``: a Hub mirror of what the local caches hold.

A LocalHub plays the real Hub. Its repos are loaded (by crucible-pl, and by
``huggingface_hub.snapshot_download``) into this test's caches; the "Hub" is then
stopped and the mirror built from those caches is served. Clients pointed at the
mirror with fresh caches see the same commit shas and the same rows: huggingface_hub,
crucible-pl and, when installed, ``datasets.load_dataset``.
"""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import polars as pl
import pytest
from huggingface_hub import HfApi, snapshot_download

import crucible_pl
from crucible_pl._cache import paths
from crucible_pl._mirror import build_mirror
from crucible_pl.testing import LocalHub, write_repo

CARD = {
    "configs": [
        {
            "config_name": "easy",
            "default": True,
            "data_files": [
                {"split": "test", "path": "easy/test-00000-of-00001.parquet"},
                {"split": "train", "path": "easy/train-00000-of-00001.parquet"},
            ],
        },
        {"config_name": "hard", "data_files": [{"split": "test", "path": "hard/test.jsonl"}]},
    ]
}
EASY_TEST = pl.DataFrame({"question": ["1+1", "2+2", "3+3"], "answer": ["2", "4", "6"]})
EASY_TRAIN = pl.DataFrame({"question": ["4+4"], "answer": ["8"]})
HARD_TEST = pl.DataFrame({"question": ["x^2=4"], "answer": ["2"]})
FILES = {
    "easy/test-00000-of-00001.parquet": EASY_TEST,
    "easy/train-00000-of-00001.parquet": EASY_TRAIN,
    "hard/test.jsonl": HARD_TEST,
}


@pytest.fixture
def origin(make_hub: Callable[..., LocalHub]) -> LocalHub:
    """The 'real Hub': two repos, one loaded by crucible-pl, one by snapshot_download."""
    hub = make_hub()
    write_repo(hub.root, "me/arith", FILES, card=CARD)
    write_repo(hub.root, "me/other", {"data/test.parquet": pl.DataFrame({"x": [1, 2]})})
    return hub


def _fill_caches(origin: LocalHub) -> dict[str, str]:
    """Load what an online machine would; return repo -> the origin's main sha."""
    crucible_pl.load_lazy("me/arith", "test", config="easy").collect()
    crucible_pl.load_lazy("me/arith", "test", config="hard").collect()
    # cache_dir: huggingface_hub read HF_HOME at import, before this test set its own.
    snapshot_download(
        "me/other",
        repo_type="dataset",
        endpoint=origin.url,
        token=False,
        cache_dir=paths.hub_root(),
    )
    api = HfApi(endpoint=origin.url, token=False)
    return {repo: api.dataset_info(repo).sha or "" for repo in ("me/arith", "me/other")}


@pytest.fixture
def mirror(
    origin: LocalHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[LocalHub, dict[str, str]]]:
    """The origin's data served from the caches alone (the origin is stopped)."""
    shas = _fill_caches(origin)
    origin.stop()
    layout = tmp_path / "mirror"
    build_mirror(layout)
    with LocalHub(layout, trusted_roots=(paths.hub_root(),)) as hub:
        # A second machine: its own, empty caches, pointed at the mirror.
        monkeypatch.setenv("HF_HOME", str(tmp_path / "node-hf-home"))
        monkeypatch.setenv("CRUCIBLE_PL_CACHE", str(tmp_path / "node-crucible"))
        monkeypatch.setenv("HF_ENDPOINT", hub.url)
        yield hub, shas


def test_the_mirror_serves_the_origin_shas_and_files(
    mirror: tuple[LocalHub, dict[str, str]],
) -> None:
    hub, shas = mirror
    api = HfApi(endpoint=hub.url, token=False)
    for repo, sha in shas.items():
        assert api.dataset_info(repo).sha == sha
    files = sorted(s.rfilename for s in api.dataset_info("me/arith").siblings or [])
    # Only what was cached: the train split was never loaded, so it is not served.
    assert files == ["README.md", "easy/test-00000-of-00001.parquet", "hard/test.jsonl"]
    other = sorted(s.rfilename for s in api.dataset_info("me/other").siblings or [])
    assert other == ["data/test.parquet"]


def test_crucible_loads_through_the_mirror_equal_the_origin(
    mirror: tuple[LocalHub, dict[str, str]],
) -> None:
    hub, shas = mirror
    easy = crucible_pl.load_lazy("me/arith", "test", config="easy").collect()
    assert easy.equals(EASY_TEST)
    hard = crucible_pl.load_lazy("me/arith", "test", config="hard").collect()
    assert hard.equals(HARD_TEST)
    pinned = crucible_pl.load_lazy("me/arith", "test", config="easy", revision=shas["me/arith"])
    assert pinned.collect().equals(EASY_TEST)
    assert crucible_pl.load_lazy("me/other", "test").collect()["x"].to_list() == [1, 2]
    assert hub.downloads()  # served by the mirror, not by a cache of this machine


def test_a_split_never_cached_is_missing_with_a_clear_error(
    mirror: tuple[LocalHub, dict[str, str]],
) -> None:
    with pytest.raises(crucible_pl.errors.SplitNotFoundError, match="'train' not found"):
        crucible_pl.load_lazy("me/arith", "train", config="easy")


def test_partial_files_are_left_out(origin: LocalHub, tmp_path: Path) -> None:
    _fill_caches(origin)
    blob = paths.hub_file_path("me/other", _main_sha("me/other"), "data/test.parquet").resolve()
    blob.unlink()  # an interrupted download: the snapshot link dangles
    [arith, other] = build_mirror(tmp_path / "mirror")
    assert (arith.repo, arith.skipped) == ("me/arith", 0)
    assert (other.repo, other.files, other.skipped) == ("me/other", 0, 1)


def test_a_snapshot_no_ref_names_is_served_by_its_sha(origin: LocalHub, tmp_path: Path) -> None:
    old = _fill_caches(origin)["me/arith"]
    changed = {**FILES, "hard/test.jsonl": pl.DataFrame({"question": ["y"], "answer": ["1"]})}
    write_repo(origin.root, "me/arith", changed, card=CARD)
    crucible_pl.load_lazy("me/arith", "test", config="hard", refresh=True).collect()
    new = HfApi(endpoint=origin.url, token=False).dataset_info("me/arith").sha
    assert new != old
    [arith, _] = build_mirror(tmp_path / "mirror")
    assert arith.refs["main"] == new
    assert arith.refs[old] == old


def _main_sha(repo: str) -> str:
    refs = paths.hub_repo_dir(repo) / "refs" / "main"
    return refs.read_text().strip()


@pytest.mark.skipif(
    importlib.util.find_spec("datasets") is None,
    reason="the `datasets` library is not installed (pip install -e '.[interop]'), so its "
    "load through the mirror cannot be checked",
)
def test_datasets_load_dataset_through_the_mirror(
    mirror: tuple[LocalHub, dict[str, str]], tmp_path: Path
) -> None:
    hub, _ = mirror
    # huggingface_hub and datasets read HF_ENDPOINT when imported: a fresh process.
    code = (
        "import json, datasets\n"
        "ds = datasets.load_dataset('me/arith', 'easy', split='test')\n"
        "print(json.dumps(ds.to_dict()))\n"
    )
    env = {
        **os.environ,
        "HF_ENDPOINT": hub.url,
        "HF_HOME": str(tmp_path / "datasets-home"),
        "HF_DATASETS_CACHE": str(tmp_path / "datasets-cache"),
        "HF_HUB_DISABLE_TELEMETRY": "1",
    }
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    rows = json.loads(done.stdout.strip().splitlines()[-1])
    assert rows == EASY_TEST.to_dict(as_series=False)


def test_serve_from_cache_as_a_real_process(origin: LocalHub, tmp_path: Path) -> None:
    shas = _fill_caches(origin)
    origin.stop()
    proc = subprocess.Popen(
        [sys.executable, "-m", "crucible_pl.cli", "serve", "--from-cache", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stdout is not None
        lines = []
        for line in proc.stdout:
            lines.append(line)
            if "export HF_ENDPOINT=" in line:
                break
        endpoint = lines[-1].split("=", 1)[1].strip()
        assert any(f"me/arith: main@{shas['me/arith'][:12]}" in line for line in lines)
        assert (
            HfApi(endpoint=endpoint, token=False).dataset_info("me/arith").sha == shas["me/arith"]
        )
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0
    assert "Stopped after 1 request(s)." in out


def test_serve_needs_a_directory_or_from_cache() -> None:
    from click.testing import CliRunner

    from crucible_pl import cli

    result = CliRunner().invoke(cli.main, ["serve"])
    assert result.exit_code == 2
    assert "Give DIRECTORY or --from-cache (exactly one)." in result.output


@pytest.mark.skipif(
    importlib.util.find_spec("datasets") is None,
    reason="the `datasets` library is not installed (pip install -e '.[interop]'), so a cache "
    "it fills cannot be checked",
)
def test_a_cache_filled_by_datasets_loads_offline(origin: LocalHub, tmp_path: Path) -> None:
    # Issue 14 item 2, with the tool users have: datasets.load_dataset fills the HF cache.
    code = "import datasets\ndatasets.load_dataset('me/arith', 'easy', split='test')\n"
    env = {
        **os.environ,
        "HF_ENDPOINT": origin.url,
        "HF_DATASETS_CACHE": str(tmp_path / "datasets-cache"),
        "HF_HUB_DISABLE_TELEMETRY": "1",
    }
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    origin.stop()
    origin.clear_requests()
    frame = crucible_pl.load_lazy("me/arith", "test", config="easy", offline=True).collect()
    assert frame.equals(EASY_TEST)
    assert origin.requests == []
