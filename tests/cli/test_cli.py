"""The ``crucible-pl`` command line: every command, its --json output and its exit codes.

Commands run in-process with click's CliRunner against a LocalHub over HTTP; one test
runs ``python -m crucible_pl.cli serve`` as a real subprocess.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from click.testing import CliRunner, Result

from crucible_pl import _config, cli
from crucible_pl._cache import paths as _cache
from crucible_pl.testing import LocalHub, write_repo

TOY = {
    "data/test-00000-of-00001.parquet": pl.DataFrame({"q": ["1+1", "2+2", "3+3"], "a": [2, 4, 6]}),
    "data/train-00000-of-00001.parquet": pl.DataFrame({"q": ["4+4", "5+5"], "a": [8, 10]}),
}
# Two configs reading the same test file, and a JSON Lines config converted to Parquet.
SHARED_CARD = {
    "configs": [
        {
            "config_name": "a",
            "default": True,
            "data_files": [{"split": "test", "path": "a.parquet"}],
        },
        {"config_name": "b", "data_files": [{"split": "test", "path": "a.parquet"}]},
        {"config_name": "c", "data_files": [{"split": "test", "path": "c.jsonl"}]},
    ]
}
SHARED = {
    "a.parquet": pl.DataFrame({"x": [1, 2, 3]}),
    "c.jsonl": pl.DataFrame({"x": [4, 5]}),
}


def run(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli.main, list(args), input=input)


def one_error_line(result: Result) -> str:
    """The single ``error: ...`` line of a failed command (and no traceback)."""
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


@pytest.fixture
def hub(make_hub: Callable[..., LocalHub]) -> LocalHub:
    hub = make_hub()
    write_repo(hub.root, "me/toy", TOY)
    write_repo(hub.root, "me/shared", SHARED, card=SHARED_CARD)
    return hub


# ----------------------------------------------------------------------- general


def test_help_lists_every_command_and_version_prints() -> None:
    result = run("--help")
    assert result.exit_code == 0
    for command in ("list", "info", "head", "download", "cache", "serve", "demo"):
        assert command in result.output
    cache_help = run("cache", "--help")
    assert cache_help.exit_code == 0
    assert all(c in cache_help.output for c in ("ls", "rm", "verify"))
    version = run("--version")
    assert version.exit_code == 0
    assert "0.1.0" in version.output


@pytest.mark.parametrize(
    "args",
    [
        ["no-such-command"],
        ["list", "--no-such-option"],
        ["head"],
        ["head", "me/toy", "-n", "-1"],
        ["download"],
        ["download", "me/toy", "--config", "a", "--all-configs"],
        ["download", "me/toy", "--split", "test", "--all-splits"],
        ["cache", "ls", "--config", "main"],
        ["cache", "rm"],
        ["serve", "/no/such/directory"],
    ],
)
def test_bad_usage_exits_2(args: list[str]) -> None:
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert "Usage:" in result.stderr


def test_crucible_error_is_one_line_exit_1() -> None:
    line = one_error_line(run("list", "--family", "nope"))
    assert "Unknown family 'nope'" in line
    assert "math" in line  # names the valid families


def test_debug_shows_the_traceback() -> None:
    result = run("--debug", "list", "--family", "nope")
    assert result.exit_code == 1
    assert "Traceback (most recent call last)" in result.stderr
    assert "InvalidInputError" in result.stderr
    assert result.stderr.rstrip().splitlines()[-1].startswith("error: Unknown family")


# ------------------------------------------------------------------ list/info/head


def test_list_table_and_json() -> None:
    table = run("list", "--family", "math")
    assert table.exit_code == 0
    assert "gsm8k" in table.output
    assert "humaneval" not in table.output
    rows = json.loads(run("list", "--family", "math", "--json").output)
    assert {r["name"] for r in rows} == {
        "deepmath",
        "gsm8k",
        "hendrycks_math",
        "math_500",
        "polaris",
    }
    assert all(r["family"] == "math" for r in rows)


def test_info_text_and_json(hub: LocalHub) -> None:
    text = run("info", "me/toy")
    assert text.exit_code == 0, text.output
    assert "split test" in text.output
    assert "q: String" in text.output
    payload = json.loads(run("info", "me/toy", "--json").output)
    assert payload["repo"] == "me/toy"
    assert {s["name"]: s["num_rows"] for s in payload["splits"]} == {"test": 3, "train": 2}


def test_head_json_with_columns(hub: LocalHub) -> None:
    result = run("head", "me/toy", "--split", "train", "-n", "1", "--columns", "a", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == [{"a": 8}]


def test_head_unknown_split_names_the_valid_ones(hub: LocalHub) -> None:
    line = one_error_line(run("head", "me/toy", "--split", "tset"))
    assert "'tset'" in line
    assert "test, train" in line


# ------------------------------------------------------------------------ download


def test_download_configs_and_splits_then_offline_head(hub: LocalHub) -> None:
    result = run("download", "me/shared", "-c", "a", "-c", "c", "--split", "test")
    assert result.exit_code == 0, result.output
    assert "cached me/shared config=a split=test: 1 file(s), 3 rows" in result.output
    assert "cached me/shared config=c split=test: 1 file(s), 2 rows" in result.output
    assert "2 split(s) cached" in result.output
    assert "B" in result.output  # sizes are printed
    hub.clear_requests()
    offline = run("head", "me/shared", "--config", "c", "--offline", "--json")
    assert offline.exit_code == 0, offline.output
    assert json.loads(offline.output) == [{"x": 4}, {"x": 5}]
    assert hub.requests == []


def test_download_all_configs_all_splits_json(hub: LocalHub) -> None:
    result = run("download", "me/shared", "me/toy", "--all-configs", "--all-splits", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    got = {(r["repo"], r["config"], r["split"], r["rows"]) for r in rows}
    assert got == {
        ("me/shared", "a", "test", 3),
        ("me/shared", "b", "test", 3),
        ("me/shared", "c", "test", 2),
        ("me/toy", "default", "test", 3),
        ("me/toy", "default", "train", 2),
    }
    assert all(r["bytes"] > 0 and r["files"] == 1 and len(r["sha"]) == 40 for r in rows)


def test_download_default_split_and_unknown_dataset(hub: LocalHub) -> None:
    result = run("download", "me/toy")
    assert result.exit_code == 0, result.output
    assert "split=test" in result.output
    line = one_error_line(run("download", "me/nope"))
    assert "me/nope" in line


# --------------------------------------------------------------------------- cache


def test_cache_ls_empty_table_json_and_filters(hub: LocalHub) -> None:
    empty = run("cache", "ls")
    assert empty.exit_code == 0
    assert "Nothing cached" in empty.output
    assert json.loads(run("cache", "ls", "--json").output) == []
    assert run("download", "me/toy", "--all-splits").exit_code == 0
    assert run("download", "me/shared", "--all-configs").exit_code == 0
    table = run("cache", "ls")
    assert table.exit_code == 0
    assert "me/toy" in table.output
    assert "main -> " in table.output  # revision -> sha
    assert "5 cached split(s)" in table.output
    entries = json.loads(run("cache", "ls", "me/shared", "--json").output)
    assert [(e["config"], e["split"], e["rows"]) for e in entries] == [
        ("a", "test", 3),
        ("b", "test", 3),
        ("c", "test", 2),
    ]
    assert all(e["revisions"] == ["main"] and e["bytes"] > 0 for e in entries)
    only = json.loads(run("cache", "ls", "me/toy", "--split", "train", "--json").output)
    assert [(e["config"], e["split"], e["rows"]) for e in only] == [("default", "train", 2)]
    one_error_line(run("cache", "ls", "no/such/../repo"))


def _parquet_in_hf_cache(repo: str, path: str) -> Path:
    folder = "datasets--" + repo.replace("/", "--")
    (local,) = (_config.hub_cache_dir() / folder / "snapshots").glob(f"*/{path}")
    return local


def test_cache_verify_reports_damage_and_exits_1(hub: LocalHub) -> None:
    assert run("download", "me/shared", "--all-configs").exit_code == 0
    ok = run("cache", "verify")
    assert ok.exit_code == 0, ok.output
    assert "3 file(s) checked, 0 damaged" in ok.output
    # Damage the HF cache blob of a.parquet (used by configs a and b) and truncate the
    # converted Parquet of c.jsonl.
    blob = _parquet_in_hf_cache("me/shared", "a.parquet").resolve()
    blob.write_bytes(blob.read_bytes() + b"x")
    (converted,) = (_config.crucible_cache_dir() / "converted").rglob("c.jsonl.parquet")
    converted.write_bytes(converted.read_bytes()[:-8])
    bad = run("cache", "verify")
    assert bad.exit_code == 1
    assert bad.output.count("DAMAGED") == 3
    assert "3 file(s) checked, 3 damaged" in bad.output
    checks = json.loads(run("cache", "verify", "me/shared", "--json").output)
    assert {(c["config"], c["ok"]) for c in checks} == {("a", False), ("b", False), ("c", False)}
    assert run("cache", "verify", "me/shared", "--config", "a").output.count("DAMAGED") == 1


def test_cache_verify_reports_a_malformed_manifest(hub: LocalHub) -> None:
    assert run("download", "me/toy").exit_code == 0
    (manifest,) = _cache.manifest_dir("me/toy").glob("*/splits/*/*.json")
    manifest.write_text("{not json", encoding="utf-8")
    result = run("cache", "verify", "--json")
    assert result.exit_code == 1
    (check,) = json.loads(result.output)
    assert check["ok"] is False
    assert "not valid JSON" in check["problem"]


def test_cache_ls_counts_shared_files_once_and_shows_missing_ones(hub: LocalHub) -> None:
    from crucible_pl._cache import admin as _cache_admin

    assert run("download", "me/shared", "-c", "a", "-c", "b").exit_code == 0
    entries = _cache_admin.list_entries("me/shared")
    a, b = entries
    assert a.paths == b.paths  # configs a and b read the same file
    assert _cache_admin.total_bytes(entries) == entries[0].bytes
    assert "missing" not in run("cache", "ls").output
    _parquet_in_hf_cache("me/shared", "a.parquet").unlink()
    table = run("cache", "ls")
    assert table.exit_code == 0
    assert "missing" in table.output
    assert [e["missing"] for e in json.loads(run("cache", "ls", "--json").output)] == [1, 1]


def test_cache_rm_asks_first_and_keeps_everything_on_no(hub: LocalHub) -> None:
    assert run("download", "me/toy").exit_code == 0
    result = run("cache", "rm", "me/toy", input="n\n")
    assert result.exit_code == 1
    assert "Remove me/toy" in result.stderr
    assert len(json.loads(run("cache", "ls", "--json").output)) == 1


def test_cache_rm_one_config_keeps_shared_hub_files(hub: LocalHub) -> None:
    assert run("download", "me/shared", "--all-configs").exit_code == 0
    a_file = _parquet_in_hf_cache("me/shared", "a.parquet")
    raw_jsonl = _parquet_in_hf_cache("me/shared", "c.jsonl")
    (converted,) = (_config.crucible_cache_dir() / "converted").rglob("c.jsonl.parquet")

    # b shares a.parquet with a: removing b with --hub-files keeps the file for a.
    rm_b = run("cache", "rm", "me/shared", "--config", "b", "--hub-files", "--yes", "--json")
    assert rm_b.exit_code == 0, rm_b.output
    plan = json.loads(rm_b.output)
    assert [e["config"] for e in plan["entries"]] == ["b"]
    assert plan["hub_files"] == []
    assert plan["blobs"] == []
    assert a_file.is_file()

    # c without --hub-files: the converted Parquet goes, the raw JSON Lines file stays.
    rm_c = run("cache", "rm", "me/shared", "-c", "c", "-y")
    assert rm_c.exit_code == 0, rm_c.output
    assert "Removed me/shared c/test" in rm_c.output
    assert not converted.exists()
    assert raw_jsonl.is_file()

    left = json.loads(run("cache", "ls", "--json").output)
    assert [(e["config"], e["split"]) for e in left] == [("a", "test")]

    # The whole repo with --hub-files: its manifests and the blob of a.parquet go.
    blob = a_file.resolve()
    rm_all = run("cache", "rm", "me/shared", "--hub-files", "-y")
    assert rm_all.exit_code == 0, rm_all.output
    assert not _cache.manifest_dir("me/shared").exists()
    assert not blob.exists()
    assert not a_file.exists()
    assert not a_file.is_symlink()
    assert json.loads(run("cache", "ls", "--json").output) == []
    # ... and the next load fetches it again.
    assert run("head", "me/shared", "-c", "a", "--json").exit_code == 0


def test_cache_rm_never_follows_links_out_of_the_cache(hub: LocalHub, tmp_path: Path) -> None:
    assert run("download", "me/toy").exit_code == 0
    pointer = _parquet_in_hf_cache("me/toy", "data/test-00000-of-00001.parquet")
    outside = tmp_path / "outside.parquet"
    outside.write_bytes(pointer.read_bytes())
    pointer.unlink()
    pointer.symlink_to(outside)
    result = run("cache", "rm", "me/toy", "--hub-files", "-y", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["blobs"] == []
    assert outside.is_file()
    assert not pointer.is_symlink()


def test_cache_rm_nothing_cached_exits_1(hub: LocalHub) -> None:
    assert "Nothing is cached for me/toy" in one_error_line(run("cache", "rm", "me/toy", "-y"))
    assert run("download", "me/toy").exit_code == 0
    line = one_error_line(run("cache", "rm", "me/toy", "--split", "validation", "-y"))
    assert "default/test" in line  # lists what is cached


# --------------------------------------------------------------------------- bars


@pytest.mark.parametrize(
    ("terminal", "quiet", "disabled"),
    [(True, False, False), (True, True, True), (False, False, True)],
)
def test_progress_bars_follow_terminal_and_quiet(
    monkeypatch: pytest.MonkeyPatch, terminal: bool, quiet: bool, disabled: bool
) -> None:
    from huggingface_hub import constants
    from huggingface_hub.utils import are_progress_bars_disabled

    # As when HF_HUB_DISABLE_PROGRESS_BARS is unset (the autouse fixture sets it).
    monkeypatch.setattr(constants, "HF_HUB_DISABLE_PROGRESS_BARS", None)
    bars = sys.modules["huggingface_hub.utils.tqdm"]
    monkeypatch.setattr(bars, "HF_HUB_DISABLE_PROGRESS_BARS", None)
    monkeypatch.setattr(bars, "progress_bar_states", {})
    monkeypatch.setattr(cli, "_stderr_is_terminal", lambda: terminal)
    seen: list[bool] = []
    real = cli._api.list_datasets

    def spy(**kwargs: Any) -> pl.DataFrame:
        seen.append(are_progress_bars_disabled())
        return real(**kwargs)

    monkeypatch.setattr(cli._api, "list_datasets", spy)
    before = are_progress_bars_disabled()
    result = run(*(["--quiet"] if quiet else []), "list", "--json")
    assert result.exit_code == 0
    assert seen == [disabled]
    assert are_progress_bars_disabled() == before  # restored when the command ends


# -------------------------------------------------------------------------- serve


def test_serve_refuses_a_non_loopback_host_without_the_flag(tmp_path: Path) -> None:
    result = run("serve", str(tmp_path), "--host", "0.0.0.0")
    assert result.exit_code == 2
    assert "--allow-remote" in result.stderr


def test_serve_on_a_busy_port_exits_1(hub: LocalHub) -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        line = one_error_line(run("serve", str(hub.root), "--port", str(port)))
    assert f"cannot listen on 127.0.0.1:{port}" in line


def test_serve_warns_about_an_empty_mirror(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "_wait_for_interrupt", lambda hub: None)
    result = run("serve", str(tmp_path))
    assert result.exit_code == 0
    assert "warning: no dataset repos in" in result.stderr
    assert "Serving 0 dataset repo(s)" in result.output


def test_serve_prints_the_endpoint_and_stops_on_ctrl_c(
    hub: LocalHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers: list[int] = []

    def one_request_then_ctrl_c(server: LocalHub) -> None:
        with urllib.request.urlopen(f"{server.url}/api/datasets/me/toy") as response:
            answers.append(response.status)
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_wait_for_interrupt", one_request_then_ctrl_c)
    result = run("serve", str(hub.root))
    assert result.exit_code == 0, result.output
    assert answers == [200]
    assert "Serving 2 dataset repo(s)" in result.output
    assert "export HF_ENDPOINT=http://127.0.0.1:" in result.output
    assert "Stopped after 1 request(s)." in result.output


def test_serve_as_a_real_process(hub: LocalHub, monkeypatch: pytest.MonkeyPatch) -> None:
    import crucible_pl

    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "crucible_pl.cli", "serve", str(hub.root), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        lines = []
        for line in proc.stdout:
            lines.append(line)
            if "export HF_ENDPOINT=" in line:
                break
        endpoint = lines[-1].split("=", 1)[1].strip()
        assert endpoint.startswith("http://127.0.0.1:")
        monkeypatch.setenv("HF_ENDPOINT", endpoint)
        df = crucible_pl.load_lazy("me/toy", "train").collect()
        assert df["a"].to_list() == [8, 10]
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    assert "Stopped after" in out


def test_info_shows_class_label_names_like_the_python_api(use_real_hub: LocalHub) -> None:
    from crucible_pl import info

    names = info("mmlu", config="astronomy").features["answer"]["names"]  # type: ignore[index]
    assert names == ["A", "B", "C", "D"]
    text = run("info", "mmlu", "-c", "astronomy")
    assert text.exit_code == 0, text.output
    assert "labels of answer: 0=A, 1=B, 2=C, 3=D" in text.output
    payload = json.loads(run("info", "mmlu", "-c", "astronomy", "--json").output)
    assert payload["class_labels"] == {"answer": names}


def test_download_config_with_several_datasets_applies_where_it_exists(hub: LocalHub) -> None:
    result = run("download", "me/shared", "me/toy", "-c", "b", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [(r["name"], r["config"]) for r in rows] == [("me/shared", "b")]
    assert "note: me/toy has no config b; fetching none of them for it." in result.stderr
    nowhere = run("download", "me/shared", "me/toy", "-c", "zzz")
    assert nowhere.exit_code == 2
    assert "No dataset among me/shared, me/toy has config(s) zzz" in nowhere.stderr


def test_download_all_configs_goes_on_past_a_failing_config(hub: LocalHub) -> None:
    card = {
        "configs": [
            {"config_name": "good", "data_files": [{"split": "test", "path": "good.parquet"}]},
            {"config_name": "broken", "data_files": [{"split": "test", "path": "broken.jsonl"}]},
            {"config_name": "later", "data_files": [{"split": "test", "path": "later.parquet"}]},
        ]
    }
    files = {
        "good.parquet": pl.DataFrame({"x": [1]}),
        "broken.jsonl": "{not json\n",
        "later.parquet": pl.DataFrame({"x": [2, 3]}),
    }
    write_repo(hub.root, "me/mixed", files, card=card)
    result = run("download", "me/mixed", "--all-configs", "--json")
    assert result.exit_code == 1, (result.output, result.stderr, result.exception)
    rows = json.loads(result.stdout)
    assert [(r["config"], r.get("rows")) for r in rows] == [
        ("good", 1),
        ("later", 2),
        ("broken", None),
    ]
    assert "broken.jsonl" in rows[2]["error"]
    assert result.stderr.splitlines()[-1] == "error: 1 config(s) failed: me/mixed config=broken"
    assert "Traceback" not in result.stderr
