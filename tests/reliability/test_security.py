"""A hostile or broken server cannot make us touch files outside the caches; tokens stay
secret; nothing downloaded is ever evaluated, unpickled or executed."""

from __future__ import annotations

import ast
import contextlib
import json
import logging
import os
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest

import crucible_pl
from crucible_pl import errors
from crucible_pl._hub import client as _hub
from crucible_pl.testing import Fault, LocalHub, write_repo

REPO = "org/sec"
GATED = "org/gated"
TOKEN = "hf_PlantedSecret0123456789abcdefXYZ"
RIGHT_TOKEN = "hf_TheOneTokenTheGateAccepts987654"
INFO = f"/api/datasets/{REPO}/revision/*"
SOURCES = Path(crucible_pl.__file__).parent


def frame(n: int) -> pl.DataFrame:
    return pl.DataFrame({"question": [f"q{i}" for i in range(n)], "answer": list(range(n))})


@pytest.fixture
def hub(make_hub: Callable[..., LocalHub], monkeypatch: pytest.MonkeyPatch) -> LocalHub:
    monkeypatch.setattr(_hub, "_RETRY_PAUSE", 0.0)
    hub = make_hub(gated={GATED: [RIGHT_TOKEN]})
    write_repo(hub.root, REPO, {"data/test-00000-of-00001.parquet": frame(10)})
    write_repo(hub.root, GATED, {"data/test-00000-of-00001.parquet": frame(4)})
    return hub


def files_under(root: Path, skip: tuple[Path, ...] = ()) -> set[Path]:
    return (
        {p for p in root.rglob("*") if not any(p == s or s in p.parents for s in skip)}
        if root.exists()
        else set()
    )


# ------------------------------------------------------------ unsafe paths from the server

UNSAFE = [
    "../evil.parquet",
    "data/../../evil.parquet",
    "/tmp/evil.parquet",
    "data\\..\\..\\evil.parquet",
    "C:/evil.parquet",
    "data//evil.parquet",
    "./data/evil.parquet",
    "data/evil\x00.parquet",
]


@pytest.mark.parametrize("bad", UNSAFE)
def test_unsafe_paths_in_a_repo_listing_are_refused(
    hub: LocalHub, tmp_path: Path, bad: str, record: Callable[..., None]
) -> None:
    def add_sibling(info: dict[str, Any]) -> dict[str, Any]:
        info["siblings"].append({"rfilename": bad})
        return info

    hub.inject(Fault.rewrite_json(add_sibling, path=INFO))
    caches = (tmp_path / "hf-home", tmp_path / "crucible-cache", hub.root)
    outside_before = files_under(tmp_path, caches)
    neighbours_before = set(tmp_path.parent.iterdir())
    with pytest.raises(errors.InvalidPathError) as info:
        crucible_pl.load_lazy(REPO, "test")
    assert repr(bad) in str(info.value)
    assert "stay inside the repository" in str(info.value)
    assert len(hub.faults_fired()) == 1
    assert files_under(tmp_path, caches) == outside_before
    assert set(tmp_path.parent.iterdir()) == neighbours_before
    written = [p.name for root in caches[:2] for p in files_under(root)]
    assert not any("evil" in name for name in written)
    record(faults=1, clean_failures=1)


def test_a_split_manifest_pointing_outside_the_cache_is_not_followed(
    hub: LocalHub, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.parquet"
    frame(1).write_parquet(secret)
    crucible_pl.load_lazy(REPO, "test").collect()
    (manifest,) = (tmp_path / "crucible-cache").glob("manifests/**/splits/**/*.json")
    data = json.loads(manifest.read_text())
    data["files"][0]["path"] = os.path.relpath(secret, tmp_path / "hf-home" / "hub")
    manifest.write_text(json.dumps(data))
    df = crucible_pl.load_lazy(REPO, "test").collect()
    assert df.height == 10  # the real split, resolved again; the planted file was not read
    assert secret.is_file()


# ------------------------------------------------------------------------------ tokens


@contextlib.contextmanager
def expect_crucible_error(found: list[BaseException]) -> Iterator[None]:
    try:
        yield
    except errors.CrucibleError as err:
        found.append(err)
    else:
        raise AssertionError("expected a CrucibleError")


def exception_texts(err: BaseException) -> list[str]:
    texts = ["".join(traceback.format_exception(err))]
    seen: BaseException | None = err
    while seen is not None:
        texts += [str(seen), repr(seen), repr(seen.args), repr(vars(seen))]
        seen = seen.__cause__ or seen.__context__
    return texts


def test_tokens_never_reach_logs_output_errors_reprs_or_cache_files(
    hub: LocalHub,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    record: Callable[..., None],
) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="huggingface_hub")
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    failures: list[BaseException] = []
    shown: list[str] = []

    lf = crucible_pl.load_lazy(REPO, "test")  # cold, with the token from HF_TOKEN
    shown += [repr(lf), lf.explain(), repr(lf.collect())]
    shown.append(repr(crucible_pl.info(REPO, token=TOKEN)))
    shown.append(repr(crucible_pl.load_lazy(REPO, "test", token=TOKEN).collect()))
    with expect_crucible_error(failures):  # a gate that refuses the token
        crucible_pl.load_lazy(GATED, "test", token=TOKEN)
    with expect_crucible_error(failures):
        crucible_pl.load_lazy("org/missing", token=TOKEN)
    with expect_crucible_error(failures):
        crucible_pl.load_lazy(REPO, "test", revision="v404", token=TOKEN)
    with expect_crucible_error(failures):
        crucible_pl.load_lazy(REPO, "tset", token=TOKEN)
    with expect_crucible_error(failures):
        crucible_pl.load_lazy(REPO, "test", columns=[TOKEN[:5] + "x"], token=TOKEN)
    write_repo(hub.root, "org/flaky", {"data/test-00000-of-00001.parquet": frame(3)})
    hub.inject(Fault.error(500, method="GET", path="/datasets/org/flaky/*", times=None))
    with expect_crucible_error(failures):  # HubUnavailableError after the retries
        crucible_pl.load_lazy("org/flaky", "test", token=TOKEN)
    hub.clear_faults()
    hub.inject(Fault.corrupt(path="/datasets/org/flaky/*", times=None))
    with expect_crucible_error(failures):  # DataFormatError: corrupt twice
        crucible_pl.load_lazy("org/flaky", "test", token=TOKEN)
    with expect_crucible_error(failures):
        crucible_pl.load_lazy("org/other", "test", offline=True, token=TOKEN)
    hub.stop()
    with expect_crucible_error(failures):
        crucible_pl.load_lazy("org/down", "test", token=TOKEN)
    assert {type(e).__name__ for e in failures} >= {
        "GatedDatasetError",
        "DatasetNotFoundError",
        "RevisionNotFoundError",
        "HubUnavailableError",
        "DataFormatError",
        "CacheMissError",
    }
    assert "token you passed was refused" in str(failures[0])  # the token is mentioned, not shown

    out, err = capsys.readouterr()
    texts = [caplog.text, out, err, *shown, repr(hub), repr(hub.requests)]
    texts += [r.getMessage() for r in caplog.records]
    for failure in failures:
        texts += exception_texts(failure)
    leaks = [t for t in texts if TOKEN in t or TOKEN[3:] in t]
    assert leaks == []
    assert any(r.authorized for r in hub.requests)  # the token was really sent
    assert caplog.records  # debug logging was really captured
    for root in (tmp_path / "hf-home", tmp_path / "crucible-cache"):
        cached = [p for p in files_under(root) if p.is_file() and not p.is_symlink()]
        assert cached
        assert [p for p in cached if TOKEN.encode() in p.read_bytes()] == []
    record(clean_failures=len(failures))


def test_local_hub_records_never_hold_the_token(hub: LocalHub) -> None:
    crucible_pl.load_lazy(REPO, "test", token=TOKEN).collect()
    assert hub.requests
    assert all(r.authorized for r in hub.requests)
    assert TOKEN not in repr(hub.requests)


# ------------------------------------------------------- nothing downloaded is executed

FORBIDDEN_MODULES = {"pickle", "_pickle", "cPickle", "marshal", "shelve", "dill", "cloudpickle"}
FORBIDDEN_MODULES |= {"joblib", "subprocess"}
FORBIDDEN_CALLS = {"eval", "exec", "compile", "__import__", "execfile"}
# Scoring modules that start subprocesses on purpose, and what they run: never a
# downloaded file. The sandbox runs model-written code only on the caller's explicit
# opt-in (allow_code_execution); the math checker runs Math-Verify in worker processes
# so that a parse can be stopped at its time limit.
SUBPROCESS_ALLOWED = {"scoring/_sandbox.py", "scoring/_math_verify.py"}
UNSAFE_YAML = {"load", "load_all", "unsafe_load", "unsafe_load_all", "full_load", "full_load_all"}


def unsafe_constructs(path: Path) -> list[str]:
    """eval/exec calls, pickle-like imports, unsafe YAML loads and os.system in a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        where = f"{path.parent.name}/{path.name}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Import):
            names = [a.name.split(".")[0] for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [(node.module or "").split(".")[0]]
        else:
            names = []
        allowed = (
            {"subprocess"} if f"{path.parent.name}/{path.name}" in SUBPROCESS_ALLOWED else set()
        )
        found += [f"{where} imports {n}" for n in names if n in FORBIDDEN_MODULES - allowed]
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id in FORBIDDEN_CALLS:
            found.append(f"{where} calls {func.id}()")
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            owner, attr = func.value.id, func.attr
            if owner == "builtins" and attr in FORBIDDEN_CALLS:
                found.append(f"{where} calls builtins.{attr}()")
            if owner == "os" and attr in {"system", "popen", "execv", "execvp", "spawnv"}:
                found.append(f"{where} calls os.{attr}()")
            if owner == "yaml" and attr in UNSAFE_YAML:
                loader = next((k.value for k in node.keywords if k.arg == "Loader"), None)
                if loader is None or "safe" not in ast.unparse(loader).lower():
                    found.append(f"{where} calls yaml.{attr}() without a safe Loader")
    return found


def test_no_eval_pickle_or_code_execution_in_the_library() -> None:
    modules = sorted(SOURCES.rglob("*.py"))
    assert len(modules) > 20
    problems = [p for module in modules for p in unsafe_constructs(module)]
    assert problems == []


def test_the_source_check_catches_what_it_looks_for(tmp_path: Path) -> None:
    bad = tmp_path / "probe.py"
    source = (
        "# eval(x) in a comment is fine\n"
        "import pickle\nfrom marshal import loads\nimport yaml\n"
        "s = 'exec(x) in a string is fine'\n"
        "eval('1')\nyaml.load(s)\nyaml.load(s, Loader=yaml.SafeLoader)\n"
    )
    bad.write_text(source)
    found = unsafe_constructs(bad)
    assert [f.split(" ", 1)[1] for f in found] == [
        "imports pickle",
        "imports marshal",
        "calls eval()",
        "calls yaml.load() without a safe Loader",
    ]
