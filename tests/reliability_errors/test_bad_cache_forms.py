"""Issue 13 item 7: no raw exception escapes from a damaged cache.

Every form of bad manifest we could make (truncated, empty, not JSON, JSON of the wrong
type, not UTF-8, nested 10**5 deep, a directory, unreadable) is put in place of each
manifest a load reads (ref, layout, split, normalized), and the load must either repair
it (the right rows) or raise a specific ``CrucibleError``; the CLI must print one line
and no traceback. Before the fixes, nested JSON gave a raw ``RecursionError``, bytes that
are not UTF-8 a ``UnicodeDecodeError`` and a directory an ``IsADirectoryError``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

import crucible_pl
from crucible_pl import cli
from crucible_pl._cache import manifests, paths
from crucible_pl._demo import write_demo_repos
from crucible_pl.errors import CacheMissError, CrucibleError, FileWriteError
from crucible_pl.testing import LocalHub, write_repo

ROWS = pl.DataFrame({"id": ["r0", "r1", "r2"], "a": [1, 2, 3]})

NESTED = 10**5


def _truncate(p: Path) -> None:
    p.write_bytes(p.read_bytes()[: p.stat().st_size // 2])


def _directory(p: Path) -> None:
    p.unlink()
    (p / "inside").mkdir(parents=True)


def _unreadable(p: Path) -> None:
    p.chmod(0)


FORMS: dict[str, Callable[[Path], object]] = {
    "truncated": _truncate,
    "empty": lambda p: p.write_bytes(b""),
    "not JSON": lambda p: p.write_text("this is not json"),
    "a JSON list": lambda p: p.write_text("[1, 2, 3]"),
    "a JSON string": lambda p: p.write_text('"sha"'),
    "JSON null": lambda p: p.write_text("null"),
    "wrong field types": lambda p: p.write_text(
        '{"sha": 1, "repo": [], "configs": "x", "files": {}, "rows": "3", "format": 2}'
    ),
    "not UTF-8": lambda p: p.write_bytes(b"\xff\xfe\x00{"),
    "arrays nested 10**5 deep": lambda p: p.write_text("[" * NESTED + "]" * NESTED),
    "objects nested 10**5 deep": lambda p: p.write_text('{"a":' * NESTED + "1" + "}" * NESTED),
    "a field nested 900 deep": lambda p: p.write_text(
        '{"sha": ' + "[" * 900 + "]" * 900 + ', "configs": ' + "[" * 900 + "]" * 900 + "}"
    ),
    "a directory": _directory,
    "mode 000": _unreadable,
}

# Which forms cannot be repaired by resolving again: the manifest's path cannot be written.
UNWRITABLE = {"a directory"}


def _form_params() -> list[object]:
    marks = {
        "mode 000": pytest.mark.skipif(
            os.geteuid() == 0, reason="root reads a mode-000 file anyway: nothing to test"
        )
    }
    return [pytest.param(name, id=name, marks=marks.get(name, ())) for name in FORMS]


def _restore(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.chmod(0o644)


@pytest.fixture
def hub(make_hub: Callable[..., LocalHub]) -> LocalHub:
    hub = make_hub()
    write_repo(hub.root, "me/toy", {"data/test-00000-of-00001.parquet": ROWS})
    write_repo(hub.root, "me/js", {"data/test-00000-of-00001.jsonl": ROWS})
    write_demo_repos(hub.root, rows=8)
    return hub


def _manifest(kind: str) -> tuple[str, Path]:
    """Load once so the manifest exists; the dataset to load and the manifest's path."""
    name = {"normalized": "gsm8k", "split (converted)": "me/js"}.get(kind, "me/toy")
    crucible_pl.load_lazy(name, "test").collect()
    repo = "openai/gsm8k" if name == "gsm8k" else name
    sha = manifests.read_ref(repo, "main")
    assert sha is not None
    if kind == "ref":
        return name, paths.ref_path(repo, "main")
    if kind == "layout":
        return name, paths.layout_path(repo, sha)
    if kind == "normalized":
        (meta,) = paths.normalized_manifests(repo)
        return name, meta
    return name, paths.split_path(repo, sha, "default", "test")


KINDS = ["ref", "layout", "split", "split (converted)", "normalized"]


def _expected(name: str) -> int:
    return 8 if name == "gsm8k" else ROWS.height


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("form", _form_params())
def test_a_bad_manifest_is_repaired_or_a_crucible_error(
    hub: LocalHub, kind: str, form: str, record: Callable[..., None]
) -> None:
    name, path = _manifest(kind)
    FORMS[form](path)
    try:
        if form in UNWRITABLE:
            # Before: IsADirectoryError from os.replace.
            with pytest.raises(FileWriteError) as info:
                crucible_pl.load_lazy(name, "test").collect()
            message = str(info.value)
            assert str(path) in message
            assert "a directory is in its place" in message
            assert "crucible-pl cache rm" in message
        else:
            # Before: RecursionError / UnicodeDecodeError for some of these forms.
            assert crucible_pl.load_lazy(name, "test").collect().height == _expected(name)
            assert path.is_file()  # written again, whole
            assert crucible_pl.load_lazy(name, "test").collect().height == _expected(name)
    finally:
        _restore(path)
    record(bad_inputs=1)


def _load_offline(name: str) -> int | CrucibleError:
    try:
        return crucible_pl.load_lazy(name, "test", offline=True).collect().height
    except CrucibleError as err:
        return err


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("form", _form_params())
def test_a_bad_manifest_offline_is_a_crucible_error_or_repaired(
    hub: LocalHub, kind: str, form: str
) -> None:
    name, path = _manifest(kind)
    FORMS[form](path)
    try:
        outcome = _load_offline(name)
        # A ref or layout cannot be resolved again without the network: CacheMissError.
        assert isinstance(outcome, int | CacheMissError | FileWriteError), outcome
        assert not isinstance(outcome, int) or outcome == _expected(name)
    finally:
        _restore(path)


@pytest.mark.parametrize("kind", ["ref", "layout", "split"])
@pytest.mark.parametrize("form", _form_params())
def test_the_cli_prints_no_traceback_for_a_bad_manifest(
    hub: LocalHub, kind: str, form: str
) -> None:
    name, path = _manifest(kind)
    FORMS[form](path)
    try:
        result = CliRunner().invoke(cli.main, ["head", name, "-s", "test", "--json"])
        assert "Traceback" not in result.output
        if form in UNWRITABLE:
            assert result.exit_code == 1
            # One line from a CrucibleError, not the catch-all "unexpected ..." line.
            assert result.stderr.startswith("error: Cannot write")
            assert "unexpected" not in result.stderr
        else:
            assert result.exit_code == 0, result.output
            assert '"r2"' in result.stdout
    finally:
        _restore(path)


def test_cache_rm_clears_a_directory_in_a_manifest_s_place(hub: LocalHub) -> None:
    # The fix the FileWriteError names works.
    name, path = _manifest("split")
    _directory(path)
    with pytest.raises(FileWriteError):
        crucible_pl.load_lazy(name, "test")
    result = CliRunner().invoke(cli.main, ["cache", "rm", name, "--yes"])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert crucible_pl.load_lazy(name, "test").collect().height == ROWS.height
    assert path.is_file()
