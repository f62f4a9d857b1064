"""Issue 13 item 7: a corrupt ``.jsonl.gz``, a load racing ``cache rm``, a full disk.

Each used to escape as a raw exception (``zlib.error``, ``FileNotFoundError``, Polars'
``ComputeError`` "File too large (os error 27)"); each is now a specific
``CrucibleError`` saying what to do, or a transparent repair.
"""

from __future__ import annotations

import errno
import gzip
import json
import random
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest

import crucible_pl
from crucible_pl._cache import manifests, paths
from crucible_pl._demo import write_demo_repos
from crucible_pl._files import atomic
from crucible_pl._files.convert import convert_to_parquet
from crucible_pl._load import normalized, source_hub
from crucible_pl.errors import CacheChangedError, DataFormatError, DiskFullError
from crucible_pl.testing import LocalHub, write_repo

GZ_FILE = "data/test-00000-of-00001.jsonl.gz"
ROWS = 3000


def _jsonl_gz() -> bytes:
    lines = (json.dumps({"id": f"r{i}", "q": f"question {i}"}) for i in range(ROWS))
    return gzip.compress(("\n".join(lines) + "\n").encode(), mtime=0)


def _corrupt(data: bytes) -> bytes:
    """The gzip member with its first deflate block header overwritten: zlib.error."""
    return data[:10] + b"\xff" * 8 + data[18:]


def _leftovers(*roots: Path) -> list[Path]:
    return [
        p for root in roots for p in root.rglob("*") if p.name.endswith((".tmp", ".incomplete"))
    ]


def _caches() -> tuple[Path, Path]:
    return paths.crucible_root(), paths.hub_root()


@pytest.fixture
def hub(make_hub: Callable[..., LocalHub]) -> LocalHub:
    hub = make_hub()
    write_repo(hub.root, "me/gz", {GZ_FILE: _jsonl_gz()})
    write_repo(
        hub.root, "me/toy", {"data/test-00000-of-00001.parquet": pl.DataFrame({"a": [1, 2, 3]})}
    )
    write_demo_repos(hub.root, rows=8)
    return hub


def _damage_cached_gz() -> Path:
    """Cold-load me/gz, then damage its cached download and drop its conversion."""
    assert crucible_pl.load_lazy("me/gz", "test").collect().height == ROWS
    sha = manifests.read_ref("me/gz", "main")
    assert sha is not None
    blob = paths.hub_file_path("me/gz", sha, GZ_FILE).resolve()
    blob.write_bytes(_corrupt(blob.read_bytes()))
    paths.converted_path("me/gz", sha, GZ_FILE).unlink()
    return blob


# ----------------------------------------------------------------- corrupt .jsonl.gz


def test_a_corrupt_cached_jsonl_gz_is_downloaded_again_once(hub: LocalHub) -> None:
    # This held before item 7: the download's checksum check (the client) catches a blob
    # damaged on disk before it is converted.
    _damage_cached_gz()
    hub.clear_requests()
    frame = crucible_pl.load_lazy("me/gz", "test").collect()
    assert frame.height == ROWS
    assert frame["id"][-1] == f"r{ROWS - 1}"
    assert hub.downloads("me/gz") == [GZ_FILE]


def test_a_corrupt_cached_jsonl_gz_offline_is_removed_and_named(hub: LocalHub) -> None:
    # A cache without symlinks (a copy, as on some Windows setups) has no blob name to
    # check the file against, so the damage reaches the conversion.
    assert crucible_pl.load_lazy("me/gz", "test").collect().height == ROWS
    sha = manifests.read_ref("me/gz", "main")
    assert sha is not None
    link = paths.hub_file_path("me/gz", sha, GZ_FILE)
    data = link.read_bytes()
    link.unlink()
    link.write_bytes(_corrupt(data))
    paths.converted_path("me/gz", sha, GZ_FILE).unlink()
    hub.clear_requests()
    with pytest.raises(DataFormatError) as info:
        crucible_pl.load_lazy("me/gz", "test", offline=True)
    message = str(info.value)
    assert f"{GZ_FILE} of me/gz@{sha[:12]}" in message
    assert "invalid block type" in message
    assert "load again online" in message
    assert hub.requests == []
    assert not link.exists()
    assert _leftovers(*_caches()) == []
    assert crucible_pl.load_lazy("me/gz", "test").collect().height == ROWS


def test_converting_a_corrupt_jsonl_gz_names_the_file_and_leaves_nothing(tmp_path: Path) -> None:
    source = tmp_path / "test-00000-of-00001.jsonl.gz"
    source.write_bytes(_corrupt(_jsonl_gz()))
    dest = tmp_path / "out" / "test.parquet"
    # Before: zlib.error "Error -3 while decompressing data: invalid block type".
    with pytest.raises(DataFormatError, match=r"Cannot read data/x.jsonl.gz of me/x: error: "):
        convert_to_parquet(source, dest, label="data/x.jsonl.gz of me/x")
    assert not dest.exists()
    assert _leftovers(tmp_path) == []
    # Cut short: EOFError; not gzip at all: BadGzipFile. Both named, never raw.
    for damaged in (_jsonl_gz()[:200], b"not gzip at all"):
        source.write_bytes(damaged)
        with pytest.raises(DataFormatError, match=str(source.name)):
            convert_to_parquet(source, dest)
        assert not dest.exists()


def test_a_jsonl_gz_corrupt_on_the_hub_fails_after_one_more_download(hub: LocalHub) -> None:
    write_repo(hub.root, "me/badgz", {GZ_FILE: _corrupt(_jsonl_gz())})
    with pytest.raises(DataFormatError, match=r"failed again when downloaded again") as info:
        crucible_pl.load_lazy("me/badgz", "test")
    assert f"{GZ_FILE} of me/badgz@" in str(info.value)
    assert hub.downloads("me/badgz") == [GZ_FILE, GZ_FILE]
    sha = manifests.read_ref("me/badgz", "main")
    assert sha is not None
    assert not paths.hub_file_path("me/badgz", sha, GZ_FILE).exists()
    assert not paths.converted_path("me/badgz", sha, GZ_FILE).exists()
    assert manifests.read_split("me/badgz", sha, "default", "test") is None


# ------------------------------------------------------------- a load racing cache rm


def _remove_files(split_files: manifests.SplitFiles) -> None:
    """What ``crucible-pl cache rm`` does to the files of one split."""
    for file in split_files.files:
        file.remove(split_files.repo)


def test_files_removed_before_a_dataset_collects_are_a_cache_changed_error(
    hub: LocalHub, tmp_path: Path
) -> None:
    ds = crucible_pl.load("me/toy", "test")
    filtered = ds.filter(pl.col("a") > 1)  # its row count is not known: len() scans
    sha = manifests.read_ref("me/toy", "main")
    assert sha is not None
    split = manifests.read_split("me/toy", sha, "default", "test")
    assert split is not None
    _remove_files(split)
    target = tmp_path / "out" / "rows.parquet"
    calls: dict[str, Callable[[], object]] = {
        "collect": ds.collect,
        "len": lambda: len(filtered),
        "iter_batches": lambda: list(ds.iter_batches(2)),
        "save": lambda: ds.save(target),
    }
    for name, call in calls.items():
        # Before: FileNotFoundError "No such file or directory (os error 2): ..." from Polars.
        with pytest.raises(CacheChangedError, match="vanished while it was being read") as info:
            call()
        assert "Load again" in str(info.value), name
        assert info.value.dataset == "me/toy"
    assert not target.exists()
    assert _leftovers(tmp_path) == []
    assert crucible_pl.load("me/toy", "test").collect()["a"].to_list() == [1, 2, 3]


def test_a_frame_the_user_collects_raises_polars_file_not_found(hub: LocalHub) -> None:
    # Documented limit: load_lazy returns a plain LazyFrame, which reads its files when
    # the user collects it; a file removed by then is Polars' own FileNotFoundError.
    lf = crucible_pl.load_lazy("me/toy", "test")
    sha = manifests.read_ref("me/toy", "main")
    assert sha is not None
    split = manifests.read_split("me/toy", sha, "default", "test")
    assert split is not None
    _remove_files(split)
    with pytest.raises(FileNotFoundError, match="No such file or directory"):
        lf.collect()


def test_files_removed_while_a_load_opens_them(
    hub: LocalHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    crucible_pl.load_lazy("me/toy", "test").collect()
    real = source_hub.get_split

    def then_removed(*args: Any, **kwargs: Any) -> manifests.SplitFiles:
        found = real(*args, **kwargs)
        _remove_files(found)  # cache rm, just after the manifest check
        return found

    with monkeypatch.context() as patch:
        patch.setattr(source_hub, "get_split", then_removed)
        # columns= reads the schema from the footers while the load opens the frame.
        # Before: a raw FileNotFoundError from Polars.
        with pytest.raises(CacheChangedError, match="vanished") as info:
            crucible_pl.load_lazy("me/toy", "test", columns=["a"])
    assert info.value.dataset == "me/toy"
    assert crucible_pl.load_lazy("me/toy", "test", columns=["a"]).collect().height == 3


def test_raw_files_removed_while_normalizing(
    hub: LocalHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = normalized.get_split

    def then_removed(*args: Any, **kwargs: Any) -> manifests.SplitFiles:
        found = real(*args, **kwargs)
        _remove_files(found)
        return found

    with monkeypatch.context() as patch:
        patch.setattr(normalized, "get_split", then_removed)
        # Before: FileNotFoundError from Polars, while the library normalizes the split.
        with pytest.raises(CacheChangedError, match="vanished") as info:
            crucible_pl.load_lazy("gsm8k", "test")
    assert info.value.dataset == "gsm8k"
    assert _leftovers(*_caches()) == []
    assert paths.normalized_manifests("openai/gsm8k") == []
    assert crucible_pl.load_lazy("gsm8k", "test").collect().height == 8


# ------------------------------------------------------------------------ full disk


@pytest.fixture
def disk_full_on_parquet(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Path]]:
    """Our lowest write step (the fsync before the rename) fails with ENOSPC for Parquet."""
    real = atomic._fsync
    hit: list[Path] = []

    def fsync(path: Path, *, directory: bool = False) -> None:
        if not directory and ".parquet." in path.name:
            hit.append(path)
            raise OSError(errno.ENOSPC, "No space left on device")
        real(path, directory=directory)

    monkeypatch.setattr(atomic, "_fsync", fsync)
    return hit


def test_a_full_disk_while_converting_is_a_disk_full_error(
    hub: LocalHub, disk_full_on_parquet: list[Path]
) -> None:
    # Before: OSError [Errno 28] escaped from the conversion.
    with pytest.raises(DiskFullError) as info:
        crucible_pl.load_lazy("me/gz", "test")
    err = info.value
    assert isinstance(err, OSError)
    assert err.errno == errno.ENOSPC
    assert err.directory is not None
    assert "converted" in err.directory
    assert err.free is not None
    assert "No space left on device" in str(err)
    assert "were written before it filled" in str(err)
    assert disk_full_on_parquet
    assert _leftovers(*_caches()) == []
    assert not list((paths.crucible_root() / "converted").rglob("*.parquet"))


def test_a_full_disk_while_normalizing_or_saving(
    hub: LocalHub, disk_full_on_parquet: list[Path], tmp_path: Path
) -> None:
    with pytest.raises(DiskFullError, match="normalized"):
        crucible_pl.load("gsm8k", "test")
    assert paths.normalized_manifests("openai/gsm8k") == []
    ds = crucible_pl.load("me/toy", "test")
    target = tmp_path / "saved" / "rows.parquet"
    with pytest.raises(DiskFullError, match=str(target.parent)):
        ds.save(target)
    assert not target.exists()
    assert _leftovers(*_caches(), tmp_path) == []


_FSIZE_SCRIPT = """
import json, resource, signal, sys
from pathlib import Path
import crucible_pl
from crucible_pl.errors import CrucibleError
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
resource.setrlimit(resource.RLIMIT_FSIZE, (64_000, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))
out = {}
for name, call in {
    "convert": lambda: crucible_pl.load_lazy("me/big2", "test"),
    "save": lambda: crucible_pl.load("me/big", "test").save(Path(sys.argv[1])),
}.items():
    try:
        call()
        out[name] = "ok"
    except CrucibleError as err:
        out[name] = [type(err).__name__, getattr(err, "errno", None), str(err)]
    except Exception as err:
        out[name] = ["raw " + type(err).__name__, None, str(err)]
print(json.dumps(out))
"""


def test_a_file_size_limit_makes_real_writes_fail_with_disk_full(
    hub: LocalHub, tmp_path: Path
) -> None:
    # Real writes by Polars, stopped by RLIMIT_FSIZE in a child process (EFBIG).
    rnd = random.Random(0)
    big = pl.DataFrame({"q": ["".join(rnd.choices("abcdefgh", k=64)) for _ in range(4000)]})
    for repo in ("me/big", "me/big2"):
        write_repo(hub.root, repo, {"data/test-00000-of-00001.jsonl": big})
        crucible_pl.load_lazy(repo, "test").collect()
    sha = manifests.read_ref("me/big2", "main")
    assert sha is not None
    # Drop the conversion (and the split manifest), so the child converts again.
    paths.converted_path("me/big2", sha, "data/test-00000-of-00001.jsonl").unlink()
    paths.split_path("me/big2", sha, "default", "test").unlink()
    target = tmp_path / "saved.parquet"
    child = subprocess.run(
        [sys.executable, "-c", _FSIZE_SCRIPT, str(target)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert child.returncode == 0, child.stderr
    out = json.loads(child.stdout.strip().splitlines()[-1])
    # Before: polars ComputeError "... File too large (os error 27)" for both.
    for name in ("convert", "save"):
        kind, code, message = out[name]
        assert kind == "DiskFullError", out[name]
        assert code == errno.EFBIG
        assert "File too large" in message
        assert "ulimit -f" in message
    assert not target.exists()
    assert _leftovers(*_caches(), tmp_path) == []
    assert crucible_pl.load_lazy("me/big2", "test").collect().height == 4000


def test_a_full_disk_while_writing_a_manifest_says_how_much_was_needed(
    hub: LocalHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = atomic._fsync

    def fsync(path: Path, *, directory: bool = False) -> None:
        if not directory and ".json." in path.name:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(path, directory=directory)

    monkeypatch.setattr(atomic, "_fsync", fsync)
    with pytest.raises(DiskFullError) as info:
        crucible_pl.load_lazy("me/toy", "test")
    err = info.value
    assert err.path is not None
    assert err.path.endswith(".json")
    assert err.needed is not None
    assert err.needed > 0
    assert "bytes were needed" in str(err)
    assert _leftovers(*_caches()) == []
