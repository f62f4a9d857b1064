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


# ------------------------------------------------------------------ bad data files

DATA_FILE = "data/test-00000-of-00001"


def _data_file(kind: str) -> tuple[str, Path]:
    """Load once so the file is cached; the dataset to load and the file's path."""
    name = {"normalized": "gsm8k", "converted": "me/js", "raw JSON": "me/js"}.get(kind, "me/toy")
    crucible_pl.load_lazy(name, "test").collect()
    repo = "openai/gsm8k" if name == "gsm8k" else name
    sha = manifests.read_ref(repo, "main")
    assert sha is not None
    if kind == "normalized":
        (meta,) = paths.normalized_manifests(repo)
        return name, meta.with_suffix(".parquet")
    if kind == "converted":
        return name, paths.converted_path(repo, sha, f"{DATA_FILE}.jsonl")
    if kind == "raw JSON":
        return name, paths.hub_file_path(repo, sha, f"{DATA_FILE}.jsonl").resolve()
    link = paths.hub_file_path(repo, sha, f"{DATA_FILE}.parquet")
    return name, link.resolve() if kind == "blob" else link


FILE_FORMS: dict[str, Callable[[Path], object]] = {
    "truncated": _truncate,
    "empty": lambda p: p.write_bytes(b""),
    "garbage of the same size": lambda p: p.write_bytes(b"x" * p.stat().st_size),
    "missing": lambda p: p.unlink(),
    "a directory": _directory,
    "mode 000": _unreadable,
}
FILE_KINDS = ["blob", "snapshot link", "converted", "raw JSON", "normalized"]


def _file_form_params() -> list[object]:
    root = pytest.mark.skipif(os.geteuid() == 0, reason="root reads a mode-000 file anyway")
    return [pytest.param(n, id=n, marks=root if n == "mode 000" else ()) for n in FILE_FORMS]


def _blocked(kind: str, form: str) -> bool:
    """A directory where a data file belongs cannot be removed to repair it."""
    return form == "a directory" and kind != "raw JSON"  # a converted file needs no source


@pytest.mark.parametrize("kind", FILE_KINDS)
@pytest.mark.parametrize("form", _file_form_params())
def test_a_bad_cached_file_is_repaired_or_a_crucible_error(
    hub: LocalHub, kind: str, form: str, record: Callable[..., None]
) -> None:
    name, path = _data_file(kind)
    FILE_FORMS[form](path)
    try:
        if _blocked(kind, form):
            # Before: IsADirectoryError while removing the damaged file.
            with pytest.raises(FileWriteError, match="a directory is in its place") as info:
                crucible_pl.load_lazy(name, "test").collect()
            fix = "rm -r" if kind in ("blob", "snapshot link") else "crucible-pl cache rm"
            assert fix in str(info.value)
        else:
            assert crucible_pl.load_lazy(name, "test").collect().height == _expected(name)
        result = CliRunner().invoke(cli.main, ["head", name, "-s", "test", "--json"])
        assert "Traceback" not in result.output
        assert "unexpected" not in result.output
        assert result.exit_code == (1 if _blocked(kind, form) else 0), result.output
    finally:
        _restore(path)
    record(bad_inputs=1)


@pytest.mark.parametrize("kind", FILE_KINDS)
@pytest.mark.parametrize("form", _file_form_params())
def test_a_bad_cached_file_offline(hub: LocalHub, kind: str, form: str) -> None:
    name, path = _data_file(kind)
    FILE_FORMS[form](path)
    try:
        outcome = _load_offline(name)
        assert isinstance(outcome, int | CacheMissError | FileWriteError), outcome
        assert not isinstance(outcome, int) or outcome == _expected(name)
    finally:
        _restore(path)


@pytest.mark.parametrize("kind", ["blob", "snapshot link", "converted", "normalized"])
def test_the_fix_named_for_a_directory_in_a_data_file_s_place_works(
    hub: LocalHub, kind: str
) -> None:
    name, path = _data_file(kind)
    _directory(path)
    with pytest.raises(
        CrucibleError, match=r"[Ii]s a directory|a directory is in its place"
    ) as info:
        crucible_pl.load_lazy(name, "test").collect()
    if kind in ("blob", "snapshot link"):
        # In the HF cache: the message says to delete it by hand.
        if isinstance(info.value, FileWriteError):
            assert f"rm -r '{path}'" in str(info.value)
        shutil.rmtree(path)
    else:
        assert "crucible-pl cache rm" in str(info.value)
        result = CliRunner().invoke(cli.main, ["cache", "rm", name, "--yes"])
        assert result.exit_code == 0, result.output
    assert crucible_pl.load_lazy(name, "test").collect().height == _expected(name)
