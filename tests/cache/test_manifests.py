"""The cache layer: one owner of every path, one reader and one writer per manifest format."""

from __future__ import annotations

import ast
import json
import logging
from pathlib import Path

import pytest

import crucible_pl
from crucible_pl._cache import manifests, paths
from crucible_pl._cache.damage import usable_split
from crucible_pl._cache.manifests import CachedFile, Layout, NormalizedSplit, SplitFiles

PACKAGE = Path(crucible_pl.__file__).parent
SHA = "a" * 40


def calls(module: Path) -> set[str]:
    """The dotted names a module calls, e.g. ``_config.crucible_cache_dir``, ``os.replace``."""
    found = set()
    for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
        func = node.func if isinstance(node, ast.Call) else None
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            found.add(f"{func.value.id}.{func.attr}")
    return found


def library_modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if p.name != "_config.py")


def test_only_cache_paths_knows_the_cache_directories() -> None:
    owners = {
        str(p.relative_to(PACKAGE))
        for p in library_modules()
        if calls(p) & {"_config.crucible_cache_dir", "_config.hub_cache_dir"}
    }
    # cli.py only names the two directories in a message.
    assert owners == {"_cache/paths.py", "cli.py"}


def test_one_atomic_write() -> None:
    writers = {
        str(p.relative_to(PACKAGE))
        for p in library_modules()
        if calls(p) & {"os.replace", "os.fsync", "tempfile.mkstemp"}
    }
    # testing/ (below the load path) keeps LocalHub's own repo files consistent.
    assert writers == {"_files/atomic.py", "testing/_fixtures.py"}


def test_split_manifest_round_trip() -> None:
    files = (CachedFile("data/test.parquet", SHA, False, 3, 120), CachedFile("t.csv", SHA, True, 2))
    split = SplitFiles("me/toy", SHA, "default", "test", files, uniform_schema=True)
    manifests.write_split(split)
    back = manifests.read_split("me/toy", SHA, "default", "test")
    assert back == split
    assert paths.split_path("me/toy", SHA, "default", "test").is_file()


def test_layout_and_ref_round_trip() -> None:
    layout = Layout(
        "me/toy", SHA, "card", {"default": {"test": (("data/test.parquet", SHA),)}}, "default"
    )
    manifests.write_layout(layout)
    manifests.write_ref("me/toy", "main", SHA)
    assert manifests.read_layout("me/toy", SHA) == layout
    assert manifests.read_ref("me/toy", "main") == SHA
    assert manifests.ref_revisions("me/toy") == {SHA: ["main"]}


def test_normalized_manifest_round_trip() -> None:
    parquet, _ = paths.normalized_paths("toy", 1, "me/toy", SHA, "default", "test")
    record = NormalizedSplit(parquet, 5, 4, ("/x.parquet",), ("id", "__pos"), 99)
    manifests.write_normalized(
        record, name="toy", version=1, repo="me/toy", sha=SHA, config="default", split="test"
    )
    assert manifests.read_normalized("toy", 1, "me/toy", SHA, "default", "test") == record


@pytest.mark.parametrize(
    "entry",
    [
        {"path": "../../etc/passwd", "revision": SHA, "converted": False, "rows": 1},
        {"path": "a.parquet", "revision": "main", "converted": False, "rows": 1},
        {"path": "a.parquet", "revision": SHA, "converted": "no", "rows": 1},
        {"path": "a.parquet", "revision": SHA, "converted": False, "rows": -1},
    ],
)
def test_a_malformed_split_manifest_is_ignored(
    entry: dict[str, object], caplog: pytest.LogCaptureFixture
) -> None:
    path = paths.split_path("me/toy", SHA, "default", "test")
    path.parent.mkdir(parents=True)
    path.write_text(f'{{"files": [{json.dumps(entry)}]}}', encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        assert manifests.read_split("me/toy", SHA, "default", "test") is None
    assert "malformed" in caplog.text
    with pytest.raises(manifests.ManifestError, match="malformed"):
        manifests.parse_split(path, repo="me/toy", sha=SHA, config="default", split="test")


def test_a_layout_for_another_commit_is_ignored() -> None:
    layout = Layout("me/toy", "b" * 40, "card", {}, None)
    paths.layout_path("me/toy", SHA).parent.mkdir(parents=True)
    paths.layout_path("me/toy", SHA).write_text(json.dumps(layout.to_json()))
    assert manifests.read_layout("me/toy", SHA) is None


def test_a_damaged_file_is_removed_and_reported(tmp_path: Path) -> None:
    local = paths.converted_path("me/toy", SHA, "t.csv")
    local.parent.mkdir(parents=True)
    local.write_bytes(b"PAR1 truncated")
    split = SplitFiles("me/toy", SHA, "default", "test", (CachedFile("t.csv", SHA, True, 2),))
    manifests.write_split(split)
    assert usable_split("me/toy", SHA, "default", "test") == (None, ["t.csv"])
    assert not local.exists()
