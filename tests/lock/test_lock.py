"""Issue 14 item 4: pinned eval suites (crucible.lock), against a LocalHub whose branch moves."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

import crucible_pl
from crucible_pl import cli, errors
from crucible_pl._files.lockfile import read_lock
from crucible_pl._lock import check_lock, sync
from crucible_pl.registry import get_spec
from crucible_pl.testing import LocalHub, write_repo, write_spec_repo

OLD = pl.DataFrame({"q": ["1+1", "2+2"], "a": ["2", "4"]})
NEW = pl.DataFrame({"q": ["1+1", "2+2", "3+3"], "a": ["2", "4", "6"]})


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli.main, list(args))
    return result.exit_code, result.output + result.stderr


@pytest.fixture
def hub(make_hub: Callable[..., LocalHub]) -> LocalHub:
    hub = make_hub()
    write_repo(hub.root, "me/evals", {"data/test-00000-of-00001.parquet": OLD})
    write_spec_repo(hub.root, get_spec("gsm8k"), rows=40)
    return hub


@pytest.fixture
def lock_path(hub: LocalHub, tmp_path: Path) -> Path:
    path = tmp_path / "crucible.lock"
    status, out = run("lock", "me/evals", "gsm8k:main:test", "--file", str(path))
    assert status == 0, out
    return path


def move_branch(hub: LocalHub) -> None:
    """A new commit on main: one more row."""
    write_repo(hub.root, "me/evals", {"data/test-00000-of-00001.parquet": NEW})


def test_the_lock_file_is_small_diffable_toml(lock_path: Path) -> None:
    text = lock_path.read_text()
    assert text.startswith("# crucible.lock")
    entries = {e.name: e for e in read_lock(lock_path)}
    evals = entries["me/evals"]
    assert (evals.config, evals.split, evals.revision) == ("default", "test", "main")
    assert re.fullmatch(r"[0-9a-f]{40}", evals.sha)
    [file] = evals.files
    assert file.path == "data/test-00000-of-00001.parquet"
    assert file.hash.startswith(("sha256:", "git-sha1:"))
    assert file.size > 0
    assert (entries["gsm8k"].config, entries["gsm8k"].split) == ("main", "test")


def test_a_moved_branch_loads_the_locked_rows_and_check_reports_the_drift(
    hub: LocalHub, lock_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    move_branch(hub)
    # Without the lock, a fresh resolution sees the new commit.
    assert crucible_pl.load_lazy("me/evals", refresh=True).collect().equals(NEW)
    # With the lock: the old rows, by argument or environment.
    assert crucible_pl.load_lazy("me/evals", lock=lock_path).collect().equals(OLD)
    monkeypatch.setenv("CRUCIBLE_PL_LOCK", str(lock_path))
    ds = crucible_pl.load("me/evals")
    assert ds.lazy().collect().equals(OLD)
    assert ds.provenance.sha == read_lock(lock_path)[1].sha  # sorted: gsm8k, me/evals
    monkeypatch.delenv("CRUCIBLE_PL_LOCK")
    drifts = check_lock(lock_path)
    assert [(d.entry.name, d.added, d.removed) for d in drifts] == [("me/evals", (), ())]
    status, out = run("lock", "--check", "--file", str(lock_path))
    assert status == 1
    assert "drift: me/evals default/test: main moved" in out
    assert "1 locked entry drifted." in out


def test_no_drift_exits_zero(lock_path: Path) -> None:
    status, out = run("lock", "--check", "--file", str(lock_path), "--json")
    assert status == 0
    assert json.loads(out) == []


def test_sync_warms_an_empty_cache_for_offline_loads(
    hub: LocalHub, lock_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HOME", str(tmp_path / "node-hf"))
    monkeypatch.setenv("CRUCIBLE_PL_CACHE", str(tmp_path / "node-crucible"))
    status, out = run("sync", "--lock", str(lock_path))
    assert status == 0, out
    assert "synced me/evals default/test" in out
    hub.stop()
    hub.clear_requests()
    frame = crucible_pl.load_lazy("me/evals", lock=lock_path, offline=True).collect()
    assert frame.equals(OLD)
    assert [rows for _, rows in sync(lock_path)] == [40, 2]  # gsm8k's 40 rows, then ours
    assert hub.requests == []


def test_loads_outside_the_lock_are_refused_with_what_to_do(lock_path: Path) -> None:
    with pytest.raises(errors.LockMismatchError, match="me/other is not in the lock file"):
        crucible_pl.load_lazy("me/other", lock=lock_path)
    with pytest.raises(errors.LockMismatchError, match="split\\(s\\) train are not in the"):
        crucible_pl.load_lazy("gsm8k", "train", lock=lock_path)
    with pytest.raises(errors.LockMismatchError, match="revision='dev' differs from the lock"):
        crucible_pl.load_lazy("me/evals", revision="dev", lock=lock_path)


def test_files_that_differ_from_the_lock_are_refused(hub: LocalHub, lock_path: Path) -> None:
    text = lock_path.read_text()
    entry = next(e for e in read_lock(lock_path) if e.name == "me/evals")
    tampered = text.replace(entry.files[0].hash, "sha256:" + "0" * 64)
    lock_path.write_text(tampered)
    with pytest.raises(errors.LockMismatchError, match="does not match the lock: data/test"):
        crucible_pl.load_lazy("me/evals", lock=lock_path)
    lock_path.write_text(text.replace("data/test-00000-of-00001.parquet", "data/other.parquet"))
    with pytest.raises(errors.LockMismatchError, match="files not in the lock"):
        crucible_pl.load_lazy("me/evals", lock=lock_path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not = [toml", "is not valid TOML"),
        ("version = 7\n", "has version 7"),
        ('version = 1\nextra = "x"\n', "unknown top-level key"),
        ('version = 1\n[[dataset]]\nname = "x"\n', "missing"),
    ],
)
def test_a_malformed_lock_file_is_a_clear_error(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.lock"
    path.write_text(content)
    with pytest.raises(errors.LockFileError, match=message):
        crucible_pl.load_lazy("gsm8k", lock=path)
    status, out = run("sync", "--lock", str(path))
    assert status == 1
    assert "Traceback" not in out


def test_a_missing_lock_file_says_how_to_write_one(tmp_path: Path) -> None:
    with pytest.raises(errors.LockFileError, match=r"does not exist\. Write one with"):
        crucible_pl.load_lazy("gsm8k", lock=tmp_path / "nope.lock")


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: t.replace('revision = "main"', 'revision = "main"\nextra = 1', 1), "extra"),
        (lambda t: t.replace("size = ", 'colour = "red"\nsize = ', 1), "colour"),
        (lambda t: re.sub(r'\nsha = "[0-9a-f]{40}"', '\nsha = "not-a-sha"', t, count=1), "sha"),
    ],
    ids=["unknown key in [[dataset]]", "unknown key in [[dataset.files]]", "malformed sha"],
)
def test_a_lock_table_with_unknown_keys_or_a_bad_sha_is_refused(
    lock_path: Path, edit: Callable[[str], str], message: str
) -> None:
    lock_path.write_text(edit(lock_path.read_text()))
    with pytest.raises(errors.LockFileError, match=message):
        crucible_pl.load_lazy("me/evals", lock=lock_path)


def test_a_locked_sha_the_hub_does_not_have_is_a_clear_error_not_other_rows(
    hub: LocalHub, lock_path: Path
) -> None:
    """The locked commit sha tampered with (or gone from the Hub): the load asks for that
    exact commit, never for the branch, and says which commit is missing."""
    entry = next(e for e in read_lock(lock_path) if e.name == "me/evals")
    lock_path.write_text(lock_path.read_text().replace(entry.sha, "f" * 40))
    move_branch(hub)
    hub.clear_requests()
    with pytest.raises(errors.CrucibleError, match="f" * 40) as caught:
        crucible_pl.load_lazy("me/evals", lock=lock_path).collect()
    assert "does not exist" in str(caught.value) or "not found" in str(caught.value).lower()
    revisions = {r.path for r in hub.requests}
    assert not any("/revision/main" in p or "/resolve/main/" in p for p in revisions), revisions


def test_several_configs_under_a_lock_each_follow_their_own_entries(
    hub: LocalHub, tmp_path: Path
) -> None:
    path = tmp_path / "two.lock"
    status, out = run("lock", "gsm8k:main:test", "gsm8k:socratic:test", "--file", str(path))
    assert status == 0, out
    before = crucible_pl.load_lazy("gsm8k", "test", config=["main", "socratic"]).collect()
    write_spec_repo(hub.root, get_spec("gsm8k"), rows=40, seed=7)  # main moves on
    moved = crucible_pl.load_lazy(
        "gsm8k", "test", config=["main", "socratic"], refresh=True
    ).collect()
    assert not moved.equals(before)
    locked = crucible_pl.load("gsm8k", config=["main", "socratic"], lock=path)
    assert locked.lazy().collect().equals(before)
    shas = {e.sha for e in read_lock(path)}
    assert {p.sha for p in locked.provenance.parts} == shas
    assert [p.config for p in locked.provenance.parts] == ["main", "socratic"]
    only_main = tmp_path / "main.lock"
    assert run("lock", "gsm8k:main:test", "--file", str(only_main))[0] == 0
    with pytest.raises(errors.LockMismatchError, match="config 'socratic'\\) is not in the lock"):
        crucible_pl.load_lazy("gsm8k", config=["main", "socratic"], lock=only_main)
