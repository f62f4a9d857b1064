"""Loads under injected Hub faults, offline, and over a damaged cache.

Every fault is injected into a real LocalHub and met by the real huggingface_hub client.
huggingface_hub's backoff waits are recorded instead of slept (``sleeps`` fixture) and its
timeouts lowered to one second, so the suite stays fast while the retry schedule itself
is asserted. Counts go to a JSON file; ``python tests/reliability/test_reliability.py`` prints the
figures quoted in docs/reliability.md.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from polars.testing import assert_frame_equal

import crucible_pl
from crucible_pl import errors
from crucible_pl._hub import client as _hub
from crucible_pl.testing import Fault, LocalHub, write_repo

REPO = "org/rel"
JSON_REPO = "org/rel-json"
SHARD0 = "data/test-00000-of-00002.parquet"
SHARD1 = "data/test-00001-of-00002.parquet"
TRAIN = "data/train-00000-of-00001.jsonl"
INFO = f"/api/datasets/{REPO}/revision/*"
RESOLVE = f"/datasets/{REPO}/resolve/*/"
TIMEOUT = 1.0


def frame(n: int, start: int = 0) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "question": [f"q{i}" for i in range(start, start + n)],
            "answer": [f"#### {i}" for i in range(start, start + n)],
            "score": [float(i) for i in range(start, start + n)],
        }
    )


TEST = pl.concat([frame(300), frame(200, 300)])
TRAIN_FRAME = frame(50, 1000)


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record huggingface_hub's backoff waits instead of sleeping; lower its timeouts."""
    import huggingface_hub.file_download as file_download
    import huggingface_hub.utils._http as hf_http
    from huggingface_hub import constants

    waits: list[float] = []

    class Clock:
        def __getattr__(self, name: str) -> Any:
            return getattr(time, name)

        @staticmethod
        def sleep(seconds: float) -> None:
            waits.append(seconds)

    monkeypatch.setattr(hf_http, "time", Clock())
    monkeypatch.setattr(file_download, "time", Clock())
    monkeypatch.setattr(_hub, "_RETRY_PAUSE", 0.0)
    # huggingface_hub reads HF_HUB_ETAG_TIMEOUT / HF_HUB_DOWNLOAD_TIMEOUT once, at import,
    # into these constants, and reads the constants at call time.
    monkeypatch.setattr(constants, "HF_HUB_ETAG_TIMEOUT", TIMEOUT)
    monkeypatch.setattr(constants, "HF_HUB_DOWNLOAD_TIMEOUT", TIMEOUT)
    monkeypatch.setattr(file_download, "_ETAG_RETRY_TIMEOUT", TIMEOUT)
    return waits


@pytest.fixture
def hub(make_hub: Callable[..., LocalHub], sleeps: list[float]) -> LocalHub:
    hub = make_hub()
    write_repo(hub.root, REPO, {SHARD0: frame(300), SHARD1: frame(200, 300)})
    write_repo(hub.root, JSON_REPO, {TRAIN: TRAIN_FRAME})
    return hub


def hf_cache() -> Path:
    return Path(os.environ["HF_HOME"]) / "hub"


def crucible_cache() -> Path:
    return Path(os.environ["CRUCIBLE_PL_CACHE"])


def split_manifests() -> list[Path]:
    return sorted(crucible_cache().glob("manifests/**/splits/**/*.json"))


def blobs() -> dict[str, Path]:
    return {p.name: p for p in hf_cache().glob("datasets--*/blobs/*") if p.is_file()}


def assert_cache_intact() -> None:
    """Every blob in the HF cache hashes to its name, and no temporary file is left."""
    for name, path in blobs().items():
        data = path.read_bytes()
        if len(name) == 64:
            assert hashlib.sha256(data).hexdigest() == name, path
        else:
            header = f"blob {len(data)}\0".encode()
            assert hashlib.sha1(header + data, usedforsecurity=False).hexdigest() == name, path
    leftovers = [p for p in hf_cache().rglob("*") if p.name.endswith(".incomplete")]
    assert leftovers == []


def snapshot_file(path: str) -> Path | None:
    found = list(hf_cache().glob(f"datasets--*/snapshots/*/{path}"))
    return found[0] if found else None


def load_test() -> pl.DataFrame:
    return crucible_pl.load_lazy(REPO, "test").collect()


# ----------------------------------------------------------------- transient faults

TRANSIENT = {
    "info-500x2": Fault.error(500, path=INFO, times=2),
    "info-502": Fault.error(502, path=INFO),
    "info-503x3": Fault.error(503, path=INFO, times=3),
    "info-429-retry-after": Fault.rate_limit(retry_after=2, path=INFO),
    "info-drop": Fault.drop(path=INFO),
    "info-stall": Fault.stall(3 * TIMEOUT, path=INFO),
    "head-500": Fault.error(500, method="HEAD", path=RESOLVE + SHARD1),
    "head-503x2": Fault.error(503, method="HEAD", path=RESOLVE + SHARD1, times=2),
    "head-429x2-retry-after": Fault.rate_limit(
        retry_after=3, method="HEAD", path=RESOLVE + SHARD1, times=2
    ),
    "head-drop": Fault.drop(method="HEAD", path=RESOLVE + SHARD1),
    "head-stall": Fault.stall(3 * TIMEOUT, method="HEAD", path=RESOLVE + SHARD1),
    "get-500": Fault.error(500, method="GET", path=RESOLVE + SHARD1),
    "get-502": Fault.error(502, method="GET", path=RESOLVE + SHARD0),
    "get-503": Fault.error(503, method="GET", path=RESOLVE + SHARD1),
    "get-429-retry-after": Fault.rate_limit(retry_after=2, method="GET", path=RESOLVE + SHARD1),
    "get-drop": Fault.drop(method="GET", path=RESOLVE + SHARD1),
    "get-stall": Fault.stall(3 * TIMEOUT, method="GET", path=RESOLVE + SHARD1),
    "get-stall-mid-body": Fault.stall(3 * TIMEOUT, path=RESOLVE + SHARD1, after_bytes=100),
    "get-truncated": Fault.truncate(path=RESOLVE + SHARD1),
    "get-truncated-x2": Fault.truncate(path=RESOLVE + "*", times=2, after_bytes=10),
    "get-corrupt": Fault.corrupt(path=RESOLVE + SHARD1),
    "get-corrupt-short": Fault.corrupt(path=RESOLVE + SHARD1, size_delta=-100),
    "get-corrupt-padded": Fault.corrupt(path=RESOLVE + SHARD0, size_delta=64),
}


@pytest.mark.parametrize("name", list(TRANSIENT))
def test_transient_fault_is_survived_with_the_right_data(
    hub: LocalHub, sleeps: list[float], name: str, record: Callable[..., None]
) -> None:
    fault = TRANSIENT[name]
    hub.inject(fault)
    df = load_test()
    assert_frame_equal(df, TEST)
    fired = hub.faults_fired()
    assert len(fired) == fault.times
    assert len(split_manifests()) == 1
    assert_cache_intact()
    if fault.retry_after is not None:
        assert fault.retry_after + 1 in sleeps  # huggingface_hub honours Retry-After (+1 s)
    # The data are now warm: no request at all, and the same frame.
    hub.clear_requests()
    assert_frame_equal(load_test(), TEST)
    assert hub.requests == []
    record(faults=len(fired), loads_ok=2, rows_checked=2 * TEST.height)


def test_converted_file_survives_a_corrupt_download(hub: LocalHub) -> None:
    hub.inject(Fault.corrupt(path=f"/datasets/{JSON_REPO}/resolve/*/{TRAIN}"))
    df = crucible_pl.load_lazy(JSON_REPO, "train").collect()
    assert_frame_equal(df, TRAIN_FRAME)
    assert hub.downloads() == [TRAIN, TRAIN]  # a git-sha1 mismatch, then a clean download
    assert_cache_intact()


# ------------------------------------------------------------- retries run out


def assert_nothing_cached_for(path: str) -> None:
    assert split_manifests() == []
    assert snapshot_file(path) is None
    assert_cache_intact()


def test_repo_info_5xx_uses_huggingface_hubs_backoff_then_fails_cleanly(
    hub: LocalHub, sleeps: list[float], record: Callable[..., None]
) -> None:
    hub.inject(Fault.error(503, path=INFO, times=None))
    with pytest.raises(errors.HubUnavailableError) as info:
        load_test()
    message = str(info.value)
    assert "HTTP 503" in message
    assert "repo info" in message
    assert "Nothing was cached" in message
    assert info.value.dataset == REPO
    assert sleeps == [1, 2, 4, 8, 8]  # http_backoff: 5 retries, capped exponential
    assert len(hub.faults_fired()) == 6
    assert not (crucible_cache() / "manifests").exists()
    assert blobs() == {}
    record(faults=6, clean_failures=1)


def test_get_5xx_gets_one_more_attempt_then_fails_cleanly(
    hub: LocalHub, record: Callable[..., None]
) -> None:
    hub.inject(Fault.error(500, method="GET", path=RESOLVE + SHARD1, times=None))
    with pytest.raises(errors.HubUnavailableError) as info:
        load_test()
    assert SHARD1 in str(info.value)
    assert "HTTP 500" in str(info.value)
    gets = [r for r in hub.requests if r.method == "GET" and r.status == 500]
    assert len(gets) == 2  # huggingface_hub does not retry a 5xx GET; we try once more
    assert_nothing_cached_for(SHARD1)
    record(faults=2, clean_failures=1)


def test_head_5xx_exhausts_huggingface_hubs_retries(
    hub: LocalHub, sleeps: list[float], record: Callable[..., None]
) -> None:
    hub.inject(Fault.error(503, method="HEAD", path=RESOLVE + SHARD1, times=None))
    with pytest.raises(errors.HubUnavailableError) as info:
        load_test()
    assert SHARD1 in str(info.value)
    assert "Nothing was cached" in str(info.value)
    # One plain HEAD, then a second round with http_backoff's 5 retries; no retry of ours.
    assert len(hub.faults_fired()) == 7
    assert sleeps == [1, 2, 4, 8, 8]
    assert_nothing_cached_for(SHARD1)
    record(faults=7, clean_failures=1)


@pytest.mark.parametrize(
    ("fault", "words"),
    [
        (Fault.corrupt(path=RESOLVE + SHARD1, times=None), "checksum"),
        (Fault.corrupt(path=RESOLVE + SHARD1, times=None, size_delta=-100), "size"),
    ],
    ids=["bad-checksum", "bad-size"],
)
def test_corrupt_download_is_never_stored_as_complete(
    hub: LocalHub, fault: Fault, words: str, record: Callable[..., None]
) -> None:
    hub.inject(fault)
    with pytest.raises(errors.DataFormatError) as info:
        load_test()
    assert words in str(info.value)
    assert "Nothing was cached" in str(info.value)
    assert len(hub.faults_fired()) == 2
    assert_nothing_cached_for(SHARD1)
    record(faults=2, clean_failures=1)


def test_dropped_connections_end_in_a_clean_error(
    hub: LocalHub, record: Callable[..., None]
) -> None:
    hub.inject(Fault.drop(method="GET", path=RESOLVE + SHARD1, times=None))
    with pytest.raises(errors.HubUnavailableError, match="RemoteProtocolError"):
        load_test()
    fired = len(hub.faults_fired())
    assert fired == 12  # huggingface_hub resumes 5 times, twice
    assert_nothing_cached_for(SHARD1)
    record(faults=fired, clean_failures=1)


def test_a_stalled_server_times_out_instead_of_hanging(
    hub: LocalHub, monkeypatch: pytest.MonkeyPatch, record: Callable[..., None]
) -> None:
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_DOWNLOAD_TIMEOUT", 0.3)
    hub.inject(Fault.stall(5.0, path=INFO, times=None))
    started = time.monotonic()
    with pytest.raises(errors.HubUnavailableError, match=r"did not answer .* timeout, twice"):
        load_test()
    assert time.monotonic() - started < 4.5
    # One more try after a timeout, not a backoff loop of them (it was 6 tries).
    assert len(hub.faults_fired()) == 2
    record(faults=2, clean_failures=1)


# ------------------------------------------------------------------------- offline


def test_every_warm_load_works_with_the_server_stopped(
    hub: LocalHub, record: Callable[..., None]
) -> None:
    loads = [
        (REPO, "test", TEST),
        (REPO, "test[100:150]", TEST[100:150]),
        (JSON_REPO, "train", TRAIN_FRAME),
    ]
    for repo, split, expected in loads:
        assert_frame_equal(crucible_pl.load_lazy(repo, split).collect(), expected)
    hub.stop()
    for offline in (None, True):
        for repo, split, expected in loads:
            assert_frame_equal(
                crucible_pl.load_lazy(repo, split, offline=offline).collect(), expected
            )
        assert [s.num_rows for s in crucible_pl.info(REPO, offline=offline).splits] == [500]
    record(loads_ok=9, rows_checked=3 * (500 + 50 + 50))


def test_cold_load_with_the_server_stopped_fails_fast(hub: LocalHub) -> None:
    hub.stop()
    started = time.monotonic()
    with pytest.raises(errors.HubUnavailableError, match="Could not reach the Hub") as info:
        load_test()
    assert time.monotonic() - started < 3  # a refused connection is not retried
    assert "Nothing was cached" in str(info.value)


def test_cold_split_with_the_server_stopped_fails_after_huggingface_hubs_backoff(
    hub: LocalHub, sleeps: list[float]
) -> None:
    crucible_pl.info(REPO)  # resolves the repo: the layout is cached, no data file is
    hub.stop()
    with pytest.raises(errors.HubUnavailableError, match=SHARD0):
        load_test()
    # Each shard's HEAD gets a second round with http_backoff (23 s without the fixture).
    assert sorted(sleeps) == sorted([1, 2, 4, 8, 8] * 2)


def test_offline_cold_load_names_dataset_config_split_and_command(hub: LocalHub) -> None:
    crucible_pl.info(REPO)
    hub.stop()
    with pytest.raises(errors.CacheMissError) as info:
        crucible_pl.load_lazy(REPO, "test", offline=True)
    err = info.value
    assert (err.dataset, err.config, err.split) == (REPO, "default", "test")
    assert f"crucible-pl download {REPO} --config default --split test" in str(err)
    with pytest.raises(errors.CacheMissError, match="crucible-pl download org/other"):
        crucible_pl.load_lazy("org/other", offline=True)


# ---------------------------------------------------------------- a damaged cache


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],
        lambda data: data + b"\0" * 10,
        lambda data: b"<html>rate limited</html>" + data[25:],
    ],
    ids=["truncated", "padded", "overwritten-head"],
)
def test_damaged_blob_found_on_a_warm_load_is_fetched_again(
    hub: LocalHub, damage: Callable[[bytes], bytes], record: Callable[..., None]
) -> None:
    load_test()
    blob = snapshot_file(SHARD1)
    assert blob is not None
    target = blob.resolve()
    target.write_bytes(damage(target.read_bytes()))
    hub.clear_requests()
    assert_frame_equal(load_test(), TEST)
    assert hub.downloads() == [SHARD1]
    assert_cache_intact()
    record(loads_ok=1, rows_checked=TEST.height, damaged_files=1)


def test_damaged_conversion_is_rebuilt_without_a_request(hub: LocalHub) -> None:
    crucible_pl.load_lazy(JSON_REPO, "train").collect()
    converted = list(crucible_cache().glob("converted/**/*.parquet"))
    assert len(converted) == 1
    converted[0].write_bytes(b"garbage")
    hub.clear_requests()
    assert_frame_equal(crucible_pl.load_lazy(JSON_REPO, "train").collect(), TRAIN_FRAME)
    assert hub.requests == []


def test_damaged_cache_offline_is_a_cache_miss_that_says_so(hub: LocalHub) -> None:
    load_test()
    blob = snapshot_file(SHARD0)
    assert blob is not None
    blob.resolve().write_bytes(b"PAR1")
    hub.stop()
    with pytest.raises(errors.CacheMissError, match=f"damaged in the cache.*{SHARD0}"):
        crucible_pl.load_lazy(REPO, "test", offline=True)
    assert snapshot_file(SHARD0) is None  # removed, so the next online load fetches it


def test_fault_injection_is_deterministic_and_bounded(make_hub: Callable[..., LocalHub]) -> None:
    import httpx2

    hub = make_hub(faults=[Fault.error(502, path="/api/*", times=2)])
    statuses = [httpx2.get(f"{hub.url}/api/datasets/a/b").status_code for _ in range(3)]
    assert statuses == [502, 502, 401]
    hub.inject(Fault.stall(30.0, path="/api/*"))
    with pytest.raises(httpx2.ReadTimeout):
        httpx2.get(f"{hub.url}/api/datasets/a/b", timeout=0.2)
    started = time.monotonic()
    hub.stop()  # ends the stalled handler at once
    assert time.monotonic() - started < 2
    assert [f.kind for f in hub.faults_fired()] == ["status", "status", "stall"]
    hub.clear_faults()
    assert hub.faults_fired() == []


def figures(path: Path) -> dict[str, int]:
    data: dict[str, dict[str, int]] = json.loads(path.read_text())
    totals: dict[str, int] = {}
    for counts in data.values():
        for key, value in counts.items():
            totals[key] = totals.get(key, 0) + value
    totals["tests_recorded"] = len(data)
    totals["data_lost"] = 0  # every recorded load compared its rows with the source frames
    return totals


def _main(path: Path) -> Iterator[str]:
    for key, value in sorted(figures(path).items()):
        yield f"{key:>20}  {value}"


if __name__ == "__main__":
    # Run as a script: put tests/ on sys.path for its conftest; the `record` fixture there
    # wrote the counts in the latest pytest session's temp dir (or pass that file's path).
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from conftest import latest_figures

    path = Path(sys.argv[1]) if len(sys.argv) > 1 else latest_figures()
    print(f"Figures from {path}:")
    print("\n".join(_main(path)))
