"""Bad arguments and bad data: each gets a specific CrucibleError, never a raw traceback.

A table of hand-picked cases, then hypothesis fuzzing of every argument of ``load_lazy``
and ``info``. Malformed arguments must be refused before any request; each message names
the bad value and what is valid. Then bad data: schema drift, an empty split, a Parquet
file that is not Parquet, a card whose YAML does not parse, hand-edited manifests.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

import crucible_pl
from crucible_pl import errors
from crucible_pl.testing import LocalHub, write_repo

REPO = "org/bad"
HINTS = ("expected", "vailable", "valid", "must", "use ", "Registered", "ass ", "once", "e.g.")
FUZZ = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def frame(n: int, start: int = 0) -> pl.DataFrame:
    return pl.DataFrame(
        {"question": [f"q{i}" for i in range(start, start + n)], "answer": list(range(n))}
    )


CARD = {
    "configs": [
        {
            "config_name": "main",
            "default": True,
            "data_files": [
                {"split": "train", "path": "main/train-*"},
                {"split": "test", "path": "main/test-*"},
            ],
        },
        {"config_name": "other", "data_files": [{"split": "test", "path": "other/test-*"}]},
    ]
}


@pytest.fixture
def hub(make_hub: Callable[..., LocalHub]) -> LocalHub:
    hub = make_hub()
    write_repo(
        hub.root,
        REPO,
        {
            "main/train-00000-of-00001.parquet": frame(20),
            "main/test-00000-of-00001.parquet": frame(10),
            "other/test-00000-of-00001.parquet": frame(5),
        },
        card=CARD,
    )
    return hub


@contextlib.contextmanager
def cold_cache(root: Path) -> Iterator[None]:
    """A fresh manifest cache, so that a valid argument would have to ask the Hub."""
    old = os.environ["CRUCIBLE_PL_CACHE"]
    os.environ["CRUCIBLE_PL_CACHE"] = tempfile.mkdtemp(dir=root)
    try:
        yield
    finally:
        os.environ["CRUCIBLE_PL_CACHE"] = old


def attempt(hub: LocalHub, call: Callable[[], object]) -> errors.CrucibleError | None:
    """Run a load; return its CrucibleError (or None); fail on any other exception.

    A malformed argument (InvalidInputError) must not have reached the server.
    """
    before = len(hub.requests)
    caught: errors.CrucibleError | None = None
    try:
        result = call()
        if isinstance(result, pl.LazyFrame):
            result.collect()
    except errors.CrucibleError as err:
        caught = err
    if isinstance(caught, errors.InvalidInputError):
        assert len(hub.requests) == before, f"{caught!r} was raised after a request"
    return caught


def names_value(err: errors.CrucibleError, value: object) -> bool:
    text = str(err)
    shown = [repr(value)]
    if isinstance(value, (list, tuple)):
        shown += [repr(v) for v in value] + [str(v) for v in value if isinstance(v, str)]
    elif isinstance(value, str):
        shown += [value.strip(), repr(value.strip())]
        if err.split and err.split in value:  # the unknown split name within 'name[slice]'
            shown.append(repr(err.split))
    return any(s in text for s in shown if s)


def check_error(err: errors.CrucibleError | None, value: object) -> None:
    if err is None:
        return
    assert type(err) is not errors.CrucibleError, "use a specific subclass"
    assert names_value(err, value), f"{err} does not name {value!r}"
    assert any(h in str(err) for h in HINTS), f"{err} does not say what is valid"


# ------------------------------------------------------------------------ the table

TABLE: list[tuple[str, dict[str, Any], type[errors.CrucibleError], object]] = [
    # (name, load_lazy kwargs, expected error, the bad value the message names)
    ("repo-none", {"name": None}, errors.InvalidInputError, None),
    ("repo-int", {"name": 42}, errors.InvalidInputError, 42),
    ("repo-empty", {"name": ""}, errors.InvalidRepoIdError, ""),
    ("repo-dotdot", {"name": "../etc"}, errors.InvalidRepoIdError, "../etc"),
    ("repo-abs", {"name": "/etc/passwd"}, errors.InvalidRepoIdError, "/etc/passwd"),
    ("repo-3-parts", {"name": "org/bad/x"}, errors.InvalidRepoIdError, "org/bad/x"),
    ("repo-owner-dotdot", {"name": "../bad"}, errors.InvalidRepoIdError, "../bad"),
    ("repo-name-dotdot", {"name": "org/.."}, errors.InvalidRepoIdError, "org/.."),
    ("repo-space", {"name": "org/b ad"}, errors.InvalidRepoIdError, "org/b ad"),
    ("repo-newline", {"name": "org/bad\n"}, errors.InvalidRepoIdError, "org/bad\n"),
    ("repo-backslash", {"name": "org\\bad"}, errors.InvalidRepoIdError, "org\\bad"),
    ("repo-too-long", {"name": "o/" + "x" * 97}, errors.InvalidRepoIdError, "o/" + "x" * 97),
    ("repo-unknown", {"name": "org/nope"}, errors.DatasetNotFoundError, "org/nope"),
    ("name-unknown", {"name": "gsm9k"}, errors.DatasetNotFoundError, "gsm9k"),
    ("split-int", {"split": 3}, errors.InvalidSplitError, 3),
    ("split-empty", {"split": ""}, errors.InvalidSplitError, ""),
    ("split-open", {"split": "test["}, errors.InvalidSplitError, "test["),
    ("split-letters", {"split": "test[:x]"}, errors.InvalidSplitError, "test[:x]"),
    ("split-step", {"split": "test[1:2:3]"}, errors.InvalidSplitError, "test[1:2:3]"),
    ("split-pct", {"split": "test[:101%]"}, errors.InvalidSplitError, "test[:101%]"),
    ("split-plus", {"split": "+test"}, errors.InvalidSplitError, "+test"),
    ("split-unknown", {"split": "tset"}, errors.SplitNotFoundError, "tset"),
    ("split-part-unknown", {"split": "test+dev"}, errors.SplitNotFoundError, "dev"),
    ("config-int", {"config": 1}, errors.InvalidInputError, 1),
    ("config-empty", {"config": ""}, errors.InvalidInputError, ""),
    ("config-slash", {"config": "a/b"}, errors.InvalidInputError, "a/b"),
    ("config-dotdot", {"config": ".."}, errors.InvalidInputError, ".."),
    ("config-unknown", {"config": "mian"}, errors.ConfigNotFoundError, "mian"),
    ("revision-int", {"revision": 7}, errors.InvalidInputError, 7),
    ("revision-empty", {"revision": ""}, errors.InvalidInputError, ""),
    ("revision-dotdot", {"revision": "../main"}, errors.InvalidInputError, "../main"),
    ("revision-abs", {"revision": "/main"}, errors.InvalidInputError, "/main"),
    ("revision-unknown", {"revision": "v9"}, errors.RevisionNotFoundError, "v9"),
    ("revision-sha-unknown", {"revision": "0" * 40}, errors.RevisionNotFoundError, "0" * 40),
    ("columns-str", {"columns": "question"}, errors.InvalidInputError, "question"),
    ("columns-empty", {"columns": []}, errors.InvalidInputError, []),
    ("columns-int", {"columns": [1]}, errors.InvalidInputError, [1]),
    ("columns-blank", {"columns": [""]}, errors.InvalidInputError, [""]),
    ("columns-dupe", {"columns": ["answer", "answer"]}, errors.InvalidInputError, ["answer"]),
    ("columns-set", {"columns": {"answer"}}, errors.InvalidInputError, {"answer"}),
    ("columns-unknown", {"columns": ["anser"]}, errors.ColumnNotFoundError, ["anser"]),
    ("source", {"source": "disk"}, errors.InvalidInputError, "disk"),
    ("n-without-synthetic", {"n": 5}, errors.InvalidInputError, "n="),
]


@pytest.mark.parametrize(
    ("kwargs", "expected", "value"), [case[1:] for case in TABLE], ids=[c[0] for c in TABLE]
)
def test_bad_argument_table(
    hub: LocalHub,
    tmp_path: Path,
    kwargs: dict[str, Any],
    expected: type[errors.CrucibleError],
    value: object,
) -> None:
    args = {"name": REPO, "split": "test", **kwargs}
    with cold_cache(tmp_path):
        err = attempt(hub, lambda: crucible_pl.load_lazy(**args))
    assert type(err) is expected, err
    check_error(err, value)
    if isinstance(err, errors.InvalidInputError):
        assert hub.requests == []


def test_bad_argument_table_size(record: Callable[..., None]) -> None:
    assert len(TABLE) >= 40
    record(bad_inputs=len(TABLE))


# ---------------------------------------------------------------------- fuzzing

SPLITS = st.one_of(
    st.text(max_size=20),
    st.from_regex(r"(test|train|tset)(\[-?[0-9]{0,4}%?:-?[0-9]{0,4}%?\])?", fullmatch=True),
    st.from_regex(r"(test|train)\[[^\]]{0,6}\](\+(test|train))?", fullmatch=True),
)
REPOS = st.one_of(
    st.text(max_size=30),
    st.from_regex(r"[A-Za-z0-9_.\-]{0,8}/[A-Za-z0-9_.\-]{0,8}", fullmatch=True),
    st.sampled_from(["org/bad", "org/bad/", "org//bad", ".org/bad", "org/bad.", "org/b--d"]),
)
NAMES = st.one_of(st.text(max_size=20), st.from_regex(r"[a-z_\-. +/]{1,12}", fullmatch=True))
COLUMNS = st.one_of(
    st.lists(st.sampled_from(["question", "answer", "qestion", "", "ANSWER"]), max_size=4),
    st.lists(st.text(max_size=8), max_size=3),
    st.text(max_size=8),
    st.none(),
)


def fuzz(
    hub: LocalHub, root: Path, value: object, call: Callable[[], object], *, cold: bool = True
) -> str:
    with cold_cache(root) if cold else contextlib.nullcontext():
        err = attempt(hub, call)
    check_error(err, value)
    return "ok" if err is None else type(err).__name__


@pytest.mark.parametrize(
    ("argument", "strategy"),
    [("split", SPLITS), ("name", REPOS), ("config", NAMES), ("revision", NAMES)],
)
def test_fuzzed_arguments_get_specific_errors(
    hub: LocalHub,
    tmp_path: Path,
    argument: str,
    strategy: st.SearchStrategy[Any],
    record: Callable[..., None],
) -> None:
    seen: dict[str, int] = {}

    @FUZZ
    @given(value=strategy)
    def run(value: Any) -> None:
        args = {"name": REPO, "split": "test", argument: value}
        outcome = fuzz(hub, tmp_path, value, lambda: crucible_pl.load_lazy(**args))
        seen[outcome] = seen.get(outcome, 0) + 1
        if argument != "split":  # info() takes the same arguments but split; warm cache
            info_args = {k: v for k, v in args.items() if k != "split"}
            name = info_args.pop("name")
            fuzz(hub, tmp_path, value, lambda: crucible_pl.info(name, **info_args), cold=False)

    run()
    assert len(seen) >= 2, seen  # the strategies reach both valid and invalid values
    tried = sum(seen.values())
    record(bad_inputs=tried - seen.get("ok", 0), fuzzed=tried)


def test_fuzzed_columns(hub: LocalHub, tmp_path: Path, record: Callable[..., None]) -> None:
    tried = 0

    @FUZZ
    @given(value=COLUMNS)
    def run(value: Any) -> None:
        nonlocal tried
        tried += 1
        err = fuzz(hub, tmp_path, value, lambda: crucible_pl.load_lazy(REPO, columns=value))
        assert err in ("ok", "InvalidInputError", "ColumnNotFoundError")

    run()
    record(bad_inputs=tried, fuzzed=tried)


# --------------------------------------------------------------------- bad data


def test_schema_drift_between_shards_loads_with_nulls(make_hub: Callable[..., LocalHub]) -> None:
    hub = make_hub()
    first = frame(3)
    second = frame(2, 3).with_columns(extra=pl.lit("x"))
    write_repo(
        hub.root,
        "org/drift",
        {"data/test-00000-of-00002.parquet": first, "data/test-00001-of-00002.parquet": second},
    )
    df = crucible_pl.load_lazy("org/drift").collect()
    expected = pl.concat([first, second], how="diagonal")
    assert_frame_equal(df, expected)
    assert df["extra"].null_count() == 3


def test_empty_split_loads_with_zero_rows(make_hub: Callable[..., LocalHub]) -> None:
    hub = make_hub()
    empty = frame(0)
    write_repo(hub.root, "org/empty", {"data/test-00000-of-00001.parquet": empty})
    df = crucible_pl.load_lazy("org/empty", "test").collect()
    assert_frame_equal(df, empty)
    assert [s.num_rows for s in crucible_pl.info("org/empty").splits] == [0]
    assert crucible_pl.load_lazy("org/empty", "test[:10%]").collect().height == 0


def test_parquet_file_that_is_not_parquet(make_hub: Callable[..., LocalHub]) -> None:
    hub = make_hub()
    bad = "data/test-00000-of-00001.parquet"
    write_repo(hub.root, "org/notpq", {bad: b"<html>Bad gateway</html>"})
    with pytest.raises(errors.DataFormatError, match=rf"{bad} of org/notpq.*not a valid Parquet"):
        crucible_pl.load_lazy("org/notpq", "test")
    assert hub.downloads() == [bad, bad]  # fetched once more in case it was damaged in transit
    cache = Path(os.environ["CRUCIBLE_PL_CACHE"])
    assert list(cache.glob("manifests/**/splits/**/*.json")) == []
    hf = Path(os.environ["HF_HOME"]) / "hub"
    assert [p for p in hf.rglob("*") if p.is_file() and "blobs" in p.parts] == []


def test_card_with_broken_yaml_is_a_data_format_error_naming_readme(
    make_hub: Callable[..., LocalHub],
) -> None:
    hub = make_hub()
    write_repo(
        hub.root,
        "org/card",
        {
            "README.md": "---\nconfigs:\n  - config_name: main\n    data_files: [oops\n---\n",
            "data/test-00000-of-00001.parquet": frame(3),
        },
    )
    with pytest.raises(errors.DataFormatError, match=r"README\.md.*does not parse"):
        crucible_pl.load_lazy("org/card", "test")
    write_repo(hub.root, "org/card2", {"README.md": "---\n- a list\n---\n", "x.parquet": b""})
    with pytest.raises(errors.DataFormatError, match=r"README\.md"):
        crucible_pl.info("org/card2")


# ------------------------------------------------------------ hand-edited manifests


def manifests(kind: str) -> list[Path]:
    root = Path(os.environ["CRUCIBLE_PL_CACHE"]) / "manifests"
    pattern = {"ref": "**/refs/*.json", "layout": "**/layout.json", "split": "**/splits/**/*.json"}
    return sorted(root.glob(pattern[kind]))


def edit(path: Path, change: Callable[[Any], Any]) -> None:
    path.write_text(json.dumps(change(json.loads(path.read_text()))))


def split_files(data: Any, **fields: Any) -> Any:
    data["files"][0].update(fields)
    return data


def layout_paths(data: Any, path: str) -> Any:
    data["configs"]["main"]["test"][0][0] = path
    return data


EDITS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "split-rows-str": ("split", lambda d: split_files(d, rows="x")),
    "split-rows-negative": ("split", lambda d: split_files(d, rows=-5)),
    "split-rows-bool": ("split", lambda d: split_files(d, rows=True)),
    "split-converted-str": ("split", lambda d: split_files(d, converted="no")),
    "split-path-dotdot": ("split", lambda d: split_files(d, path="../../../../etc/passwd")),
    "split-path-abs": ("split", lambda d: split_files(d, path="/etc/passwd")),
    "split-revision-dotdot": ("split", lambda d: split_files(d, revision="../../..")),
    "split-files-not-list": ("split", lambda d: {**d, "files": 3}),
    "split-size-wrong": ("split", lambda d: split_files(d, size=1)),
    "split-not-json": ("split", lambda d: "not an object"),
    "layout-path-dotdot": ("layout", lambda d: layout_paths(d, "../../secrets.parquet")),
    "layout-configs-list": ("layout", lambda d: {**d, "configs": []}),
    "layout-other-sha": ("layout", lambda d: {**d, "sha": "f" * 40}),
    "ref-sha-garbage": ("ref", lambda d: {**d, "sha": "../../x"}),
}


@pytest.mark.parametrize("case", list(EDITS))
def test_hand_edited_manifest_is_treated_as_absent(
    hub: LocalHub, case: str, record: Callable[..., None]
) -> None:
    expected = crucible_pl.load_lazy(REPO, "test").collect()
    kind, change = EDITS[case]
    (path,) = manifests(kind)
    original = path.read_text()
    if case == "split-not-json":
        path.write_text("{ truncated")
    else:
        edit(path, change)
    hub.clear_requests()
    df = crucible_pl.load_lazy(REPO, "test").collect()
    assert_frame_equal(df, expected)
    assert path.read_text() == original  # resolved again, and rewritten as it was
    hub.clear_requests()
    assert_frame_equal(crucible_pl.load_lazy(REPO, "test").collect(), expected)
    assert hub.requests == []
    record(bad_inputs=1, loads_ok=2, rows_checked=2 * expected.height)
