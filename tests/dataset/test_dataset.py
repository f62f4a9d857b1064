"""The Dataset layer: load -> Dataset, provenance, exact len, sampling through the wrapper,
concat/interleave, validation, streaming, save/load_from_disk. Over HTTP against a LocalHub.

The frame-level properties of the sampling functions live in tests/dataset/test_sampling.py; here
we test what the wrapper adds: loading, immutability, row counts without scans, and
results that do not depend on the file layout, the cache or the process.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import hypothesis.strategies as st
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from polars.testing import assert_frame_equal

import crucible_pl
from crucible_pl import Dataset, _sampling, errors, schemas
from crucible_pl.registry import get_spec
from crucible_pl.testing import LocalHub, write_repo, write_spec_repo

SUBJECTS = ("algebra", "biology", "chemistry")


def rows(n: int, *, start: int = 0) -> pl.DataFrame:
    """``n`` rows with unique ids, a stratum, and multiple-choice columns."""
    i = pl.int_range(start, start + n, dtype=pl.Int64, eager=True)
    return pl.DataFrame(
        {
            "id": [f"r{k}" for k in i],
            "x": i,
            # Uneven strata: 1/2, 1/3, 1/6 of the rows.
            "subject": [SUBJECTS[(0, 0, 0, 1, 1, 2)[k % 6]] for k in i],
            "choices": [[f"c{k}", f"d{k}", f"e{k}"] for k in i],
            "expected": i % 3,
        }
    )


def shards(df: pl.DataFrame, count: int, *, seed: int | None = None) -> dict[str, pl.DataFrame]:
    """``df`` (rows permuted when ``seed`` is given) cut into ``count`` Parquet shards."""
    if seed is not None:
        df = df.sample(fraction=1.0, shuffle=True, seed=seed)
    size = -(-df.height // count) if df.height else 0
    return {
        f"data/train-{k:05d}-of-{count:05d}.parquet": df.slice(k * size, size) for k in range(count)
    }


def publish(hub: LocalHub, repo: str, df: pl.DataFrame, count: int, seed: int | None = None) -> str:
    write_repo(hub.root, repo, shards(df, count, seed=seed))
    return repo


def fresh_cache(monkeypatch: pytest.MonkeyPatch, base: Path) -> None:
    """Point both caches at new, empty directories (read at call time)."""
    base.mkdir(parents=True)
    monkeypatch.setenv("HF_HOME", str(base / "hf-home"))
    monkeypatch.setenv("CRUCIBLE_PL_CACHE", str(base / "crucible"))


@pytest.fixture
def hub(make_hub: Callable[..., LocalHub]) -> LocalHub:
    hub = make_hub()
    publish(hub, "org/rows", rows(60), 3)
    return hub


# Every Dataset method that returns Datasets, as (name, call) pairs.
DERIVATIONS: list[tuple[str, Callable[[Dataset], Any]]] = [
    ("head", lambda ds: ds.head(3)),
    ("filter", lambda ds: ds.filter(pl.col("x") > 10)),
    ("select", lambda ds: ds.select("id", "x")),
    ("with_columns", lambda ds: ds.with_columns(y=pl.col("x") * 2)),
    ("rename", lambda ds: ds.rename({"x": "z"})),
    ("flatten", lambda ds: ds.flatten()),
    ("sample_n", lambda ds: ds.sample(7, seed=3)),
    ("sample_fraction", lambda ds: ds.sample(fraction=0.25, seed=3)),
    ("shuffle", lambda ds: ds.shuffle(seed=5)),
    ("stratified_sample", lambda ds: ds.stratified_sample(11, by="subject", seed=2)),
    ("train_test_split", lambda ds: ds.train_test_split(test_size=0.3, seed=1)),
    ("train_test_split_int", lambda ds: ds.train_test_split(test_size=13, seed=1)),
    (
        "train_test_split_stratified",
        lambda ds: ds.train_test_split(test_size=0.2, seed=1, stratify_by="subject"),
    ),
    ("k_fold", lambda ds: ds.k_fold(4, seed=7)),
    ("k_fold_stratified", lambda ds: ds.k_fold(3, seed=7, stratify_by="subject")),
    ("shard", lambda ds: ds.shard(4, 1)),
    ("shard_contiguous", lambda ds: ds.shard(7, 6, contiguous=True)),
    ("shuffle_choices", lambda ds: ds.shuffle_choices(seed=9)),
]


def datasets_of(result: Any) -> list[Dataset]:
    if isinstance(result, Dataset):
        return [result]
    return [ds for item in result for ds in datasets_of(item)]


def ids(ds: Dataset) -> list[str]:
    return ds.collect()["id"].to_list()


# --------------------------------------------------------------------------- load, provenance


def test_load_returns_a_dataset_with_provenance(make_hub: Callable[..., LocalHub]) -> None:
    hub = make_hub()
    spec = get_spec("mmlu_pro")
    write_spec_repo(hub.root, spec, rows=12)
    ds = crucible_pl.load("mmlu_pro", "test")
    sha = hub.store.resolve(spec.repo, "main")
    assert sha is not None
    assert isinstance(ds, Dataset)
    assert ds.provenance == crucible_pl.Provenance(
        name="mmlu_pro",
        repo="TIGER-Lab/MMLU-Pro",
        config="default",
        split="test",
        revision="main",
        sha=sha.sha,
        family="multiple_choice",
        spec_version=spec.version,
        source="hub",
    )
    assert ds.family == "multiple_choice"
    assert len(ds) == 12
    assert ds.files()
    assert all(Path(f).is_file() for f in ds.files())

    raw = crucible_pl.load("mmlu_pro", "test", raw=True)
    assert raw.family is None
    assert raw.provenance.sha == sha.sha
    assert "question_id" in raw.columns


@pytest.mark.parametrize(("name", "derive"), DERIVATIONS, ids=[n for n, _ in DERIVATIONS])
def test_methods_return_new_datasets_and_never_mutate(
    hub: LocalHub, name: str, derive: Callable[[Dataset], Any]
) -> None:
    ds = crucible_pl.load("org/rows", "train")
    before = (ds.collect(), repr(ds), ds.provenance, ds.files(), ds.columns)
    result = derive(ds)
    derived = datasets_of(result)
    assert derived
    assert all(isinstance(d, Dataset) and d is not ds for d in derived)
    for d in derived:
        # The row count a derived Dataset reports matches its rows.
        assert len(d) == d.collect().height
        assert d.provenance == ds.provenance
    assert_frame_equal(ds.collect(), before[0])
    assert (repr(ds), ds.provenance, ds.files(), ds.columns) == before[1:]


def test_len_is_read_from_footers_without_a_data_scan(make_hub: Callable[..., LocalHub]) -> None:
    hub = make_hub()
    files = {
        f"data/train-{k:05d}-of-00024.parquet": rows(500 + k, start=1000 * k) for k in range(24)
    }
    write_repo(hub.root, "org/big", files)
    expected = sum(500 + k for k in range(24))
    ds = crucible_pl.load("org/big", "train")
    derived = {
        "select": ds.select("id", pl.col("x").alias("y")),
        "rename": ds.rename({"x": "z"}).with_columns(w=pl.lit(1)),
        "shuffle": ds.shuffle(seed=1),
        "head": ds.head(10),
        "sample": ds.sample(fraction=0.1),
        "split": ds.train_test_split(test_size=0.25)[1],
        "shard": ds.shard(5, 4, contiguous=True),
    }
    folds = ds.k_fold(5)
    # Wreck every data file: any scan would now fail, so right counts prove none ran.
    for path in ds.files():
        Path(path).resolve().write_bytes(b"not parquet any more")
    assert len(ds) == expected
    assert f"rows={expected}" in repr(ds)
    assert {name: len(d) for name, d in derived.items()} == {
        "select": expected,
        "rename": expected,
        "shuffle": expected,
        "head": 10,
        "sample": round(expected * 0.1),
        "split": round(expected * 0.25),
        "shard": expected // 5,
    }
    assert [len(test) for _, test in folds] == [2456, 2455, 2455, 2455, 2455]
    assert [len(train) for train, _ in folds] == [expected - len(t) for _, t in folds]
    with pytest.raises(BaseException):  # noqa: B017, PT011 (Polars panics on such a file)
        ds.collect()


def test_len_after_filter_or_aggregation_is_counted(hub: LocalHub) -> None:
    ds = crucible_pl.load("org/rows", "train")
    evens = ds.filter(pl.col("x") % 2 == 0)
    assert "rows=?" in repr(evens)
    assert len(evens) == 30
    assert "rows=30" in repr(evens)  # the count is remembered
    assert len(evens.filter(pl.col("subject") == "biology")) == 10
    # An aggregating select changes the row count: it must not keep the footer count.
    assert len(ds.select(pl.col("x").sum())) == 1
    assert len(ds.select()) == 0


def test_repr_is_short_and_never_shows_a_token(hub: LocalHub) -> None:
    ds = crucible_pl.load("org/rows", "train[:10]", token="hf_SeCrEtToKeN123")
    text = repr(ds)
    assert "\n" not in text
    assert len(text) < 120
    assert text.startswith("<Dataset org/rows config='default' split='train[:10]' rows=10 sha=")
    assert "SeCrEt" not in text
    assert "SeCrEt" not in str(ds.provenance)
    assert "family=multiple_choice" in repr(crucible_pl.load("mmlu_pro", source="synthetic", n=3))


# --------------------------------------------------------------------------- determinism

# Named selections compared across layouts, caches and processes. The shard is taken
# after a shuffle: alone it is positional, by design.
SELECTIONS = {
    "sample": "ds.sample(9, seed=3)",
    "sample_fraction": "ds.sample(fraction=0.3, seed=4)",
    "shuffle": "ds.shuffle(seed=5)",
    "stratified": "ds.stratified_sample(10, by='subject', seed=6)",
    "split_train": "ds.train_test_split(test_size=0.25, seed=7)[0]",
    "split_test_strat": "ds.train_test_split(test_size=0.25, seed=7, stratify_by='subject')[1]",
    "fold2_test": "ds.k_fold(4, seed=8)[2][1]",
    "fold1_train_strat": "ds.k_fold(3, seed=8, stratify_by='subject')[1][0]",
    "shard": "ds.shuffle(seed=1).shard(3, 2)",
    "choices": "ds.shuffle_choices(seed=2).shuffle(seed=0).select('id', 'choices', 'expected')",
}


def selections(ds: Dataset) -> dict[str, pl.DataFrame]:
    return {name: eval(code, {"ds": ds}).collect() for name, code in SELECTIONS.items()}


def test_selections_do_not_depend_on_file_layout_cache_or_process(
    hub: LocalHub, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    data = rows(90)
    publish(hub, "org/one", data, 1)
    publish(hub, "org/many", data, 7, seed=11)  # same rows, shuffled into 7 files
    one = selections(crucible_pl.load("org/one", "train"))
    many = selections(crucible_pl.load("org/many", "train"))
    for name in SELECTIONS:
        assert_frame_equal(one[name], many[name])

    fresh_cache(monkeypatch, tmp_path / "second")
    again = selections(crucible_pl.load("org/many", "train"))
    for name in SELECTIONS:
        assert_frame_equal(again[name], one[name])

    # A new process, another PYTHONHASHSEED and an empty cache pick the same ids.
    script = (
        "import json, crucible_pl\n"
        "ds = crucible_pl.load('org/many', 'train')\n"
        f"codes = {SELECTIONS!r}\n"
        "print(json.dumps({k: eval(c).collect()['id'].to_list() for k, c in codes.items()}))\n"
    )
    env = dict(os.environ, PYTHONHASHSEED="12345")
    env["HF_HOME"] = str(tmp_path / "proc" / "hf-home")
    env["CRUCIBLE_PL_CACHE"] = str(tmp_path / "proc" / "crucible")
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    remote = json.loads(done.stdout)
    assert remote == {name: frame["id"].to_list() for name, frame in one.items()}


def test_fast_selections_equal_the_frame_level_functions(hub: LocalHub) -> None:
    ds = crucible_pl.load("org/rows", "train")
    lf = ds.lazy()
    assert_frame_equal(
        ds.sample(13, seed=2).collect(), _sampling.sample(lf, n=13, seed=2).collect()
    )
    assert_frame_equal(
        ds.sample(fraction=0.3, seed=2).collect(),
        _sampling.sample(lf, fraction=0.3, seed=2).collect(),
    )
    for mine, theirs in zip(
        ds.train_test_split(test_size=0.2, seed=4),
        _sampling.train_test_split(lf, test_size=0.2, seed=4),
        strict=True,
    ):
        assert_frame_equal(mine.collect(), theirs.collect())
    for strat in (None, "subject"):
        for (tr, te), (tr2, te2) in zip(
            ds.k_fold(4, seed=5, stratify_by=strat),
            _sampling.k_fold(lf, k=4, seed=5, stratify_by=strat),
            strict=True,
        ):
            assert_frame_equal(tr.collect(), tr2.collect())
            assert_frame_equal(te.collect(), te2.collect())
    # After a filter the size of a fraction is unknown: the frame-level plan is used.
    part = ds.filter(pl.col("x") < 40)
    assert_frame_equal(
        part.sample(fraction=0.5, seed=1).collect(),
        _sampling.sample(part.lazy(), fraction=0.5, seed=1).collect(),
    )


@pytest.fixture(scope="module")
def module_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalHub]:
    with LocalHub(tmp_path_factory.mktemp("kfold-hub")) as hub:
        yield hub


_REPO_NUMBERS = itertools.count()


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    n=st.integers(2, 40),  # k_fold refuses k above the row count (issue 13 item 8)
    k=st.integers(2, 5),
    seed=st.integers(0, 2**64 - 1),
    layout=st.tuples(st.integers(1, 4), st.integers(1, 4), st.integers(0, 1000)),
    stratified=st.booleans(),
)
def test_k_fold_property_over_generated_repos(
    module_hub: LocalHub,
    n: int,
    k: int,
    seed: int,
    layout: tuple[int, int, int],
    stratified: bool,
) -> None:
    k = min(k, n)
    shards_a, shards_b, order = layout
    number = next(_REPO_NUMBERS)
    data = rows(n)
    repo_a = publish(module_hub, f"gen/a{number}", data, min(shards_a, n))
    repo_b = publish(module_hub, f"gen/b{number}", data, min(shards_b, n), seed=order)
    strat = "subject" if stratified else None

    def folds(repo: str) -> list[tuple[list[str], list[str]]]:
        with tempfile.TemporaryDirectory() as cache, pytest.MonkeyPatch.context() as mp:
            mp.setenv("HF_ENDPOINT", module_hub.url)
            mp.setenv("HF_HOME", f"{cache}/hf-home")
            mp.setenv("CRUCIBLE_PL_CACHE", f"{cache}/crucible")
            ds = crucible_pl.load(repo, "train")
            out = []
            for i, (train, test) in enumerate(ds.k_fold(k, seed=seed, stratify_by=strat)):
                # Trains are checked in full for the first fold; the rest by their count.
                a, b = ids(train) if i == 0 else [], ids(test)
                assert len(test) == len(b)
                assert len(train) == n - len(b)
                out.append((a, b))
            return out

    first = folds(repo_a)
    tests = [set(test) for _, test in first]
    everything = set(data["id"])
    assert sum(len(t) for t in tests) == n
    assert set().union(*tests) == everything
    assert max(map(len, tests)) - min(map(len, tests)) <= 1
    train, test = first[0]
    assert set(train) == everything - set(test)
    assert len(train) + len(test) == n
    assert folds(repo_a) == first  # re-loaded into a fresh cache
    assert folds(repo_b) == first  # other shard count and row order


def test_stratified_sample_exact_total_and_proportions(hub: LocalHub) -> None:
    ds = crucible_pl.load("org/rows", "train")  # 30 algebra, 20 biology, 10 chemistry
    for n in (1, 5, 7, 13, 29, 59, 60, 100):
        got = ds.stratified_sample(n, by="subject", seed=n).collect()
        assert got.height == min(n, 60)
        assert got["id"].n_unique() == got.height
        counts = dict(got.group_by("subject").len().iter_rows())
        for subject, size in (("algebra", 30), ("biology", 20), ("chemistry", 10)):
            quota = min(n, 60) * size / 60
            assert abs(counts.get(subject, 0) - quota) < 1, (n, subject, counts)
    train, test = ds.train_test_split(test_size=0.2, seed=3, stratify_by="subject")
    assert dict(test.collect().group_by("subject").len().iter_rows()) == {
        "algebra": 6,
        "biology": 4,
        "chemistry": 2,
    }
    assert len(train) == 48


@pytest.mark.parametrize("contiguous", [False, True])
@pytest.mark.parametrize("num_shards", [1, 4, 7, 61])
def test_shards_cover_every_row_once(hub: LocalHub, num_shards: int, contiguous: bool) -> None:
    ds = crucible_pl.load("org/rows", "train")
    parts = [ds.shard(num_shards, i, contiguous=contiguous) for i in range(num_shards)]
    got = [ids(p) for p in parts]
    assert [len(p) for p in parts] == [len(g) for g in got]
    flat = [x for g in got for x in g]
    assert sorted(flat) == sorted(ids(ds))
    assert len(flat) == 60
    assert max(map(len, got)) - min(map(len, got)) <= 1


# --------------------------------------------------------------------------- combining, reshaping


def test_concat_aligns_schemas_and_keeps_provenance(make_hub: Callable[..., LocalHub]) -> None:
    hub = make_hub()
    narrow = pl.DataFrame({"id": ["a0", "a1"], "x": pl.Series([1, 2], dtype=pl.Int32)})
    wide = pl.DataFrame({"id": ["b0"], "x": [3], "extra": ["e"]})
    write_repo(hub.root, "org/a", {"data/test-00000-of-00001.parquet": narrow})
    write_repo(hub.root, "org/b", {"data/test-00000-of-00001.parquet": wide})
    a, b = crucible_pl.load("org/a", "test"), crucible_pl.load("org/b", "test")
    both = crucible_pl.concat([a, b])
    expected = pl.DataFrame(
        {
            "id": ["a0", "a1", "b0"],
            "x": [1, 2, 3],
            "source": ["org/a/default/test", "org/a/default/test", "org/b/default/test"],
            "extra": [None, None, "e"],
        }
    )
    assert_frame_equal(both.collect(), expected)
    assert len(both) == 3
    assert "rows=3" in repr(both)
    assert both.provenance.name == "concat(org/a, org/b)"
    assert both.provenance.sha == f"{a.provenance.sha}+{b.provenance.sha}"
    assert both.provenance.parts == (a.provenance, b.provenance)
    assert both.provenance.config == "default"  # shared by both parts
    assert both.files() == a.files() + b.files()
    assert a.columns == ["id", "x"]  # inputs untouched
    named = crucible_pl.concat([a, b], source_column="origin")
    assert "origin" in named.columns
    assert "source" not in named.columns
    with pytest.raises(errors.InvalidInputError, match="non-empty list"):
        crucible_pl.concat([])
    with pytest.raises(errors.InvalidInputError, match="source"):
        crucible_pl.concat([both, a])  # "source" already exists: refuse to overwrite it


def test_interleave_both_strategies(make_hub: Callable[..., LocalHub]) -> None:
    hub = make_hub()
    write_repo(hub.root, "org/a", {"data/test.parquet": pl.DataFrame({"id": ["a0", "a1", "a2"]})})
    write_repo(hub.root, "org/b", {"data/test.parquet": pl.DataFrame({"id": ["b0", "b1"]})})
    a, b = crucible_pl.load("org/a", "test"), crucible_pl.load("org/b", "test")
    assert ids(crucible_pl.interleave([a, b])) == ["a0", "b0", "a1", "b1"]
    every = crucible_pl.interleave([a, b], stopping_strategy="all_exhausted")
    assert ids(every) == ["a0", "b0", "a1", "b1", "a2", "b0"]
    drawn = crucible_pl.interleave([a, b], probabilities=[0.5, 0.5], seed=3)
    got = ids(drawn)
    assert got == ids(crucible_pl.interleave([a, b], probabilities=[0.5, 0.5], seed=3))
    assert got[-1] in {"a2", "b1"}
    assert {g[0] for g in got} <= {"a", "b"}
    assert len(drawn) == len(got)
    assert drawn.provenance.name == "interleave(org/a, org/b)"
    assert [p.repo for p in drawn.provenance.parts] == ["org/a", "org/b"]
    assert drawn.provenance.source == "interleave"
    with pytest.raises(errors.InvalidInputError, match="probabilities"):
        crucible_pl.interleave([a, b], probabilities=[0.9, 0.2])


def test_rename_and_flatten(make_hub: Callable[..., LocalHub]) -> None:
    hub = make_hub()
    df = pl.DataFrame({"id": ["q0", "q1"], "meta": [{"src": "x", "pos": {"line": 3}}] * 2})
    write_repo(hub.root, "org/nested", {"data/test.parquet": df})
    ds = crucible_pl.load("org/nested", "test")
    flat = ds.flatten()
    assert flat.columns == ["id", "meta.src", "meta.pos.line"]
    assert flat.collect()["meta.pos.line"].to_list() == [3, 3]
    assert ds.flatten(separator="__").columns == ["id", "meta__src", "meta__pos__line"]
    renamed = ds.rename({"id": "key"})
    assert renamed.columns == ["key", "meta"]
    assert len(renamed) == 2
    assert ds.columns == ["id", "meta"]
    with pytest.raises(errors.InvalidInputError, match="separator"):
        ds.flatten(separator="")


# --------------------------------------------------------------------------- validation


def mmlu_pro_rows(n: int) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "question_id": list(range(n)),
            "question": [f"What is {i} + 1?" for i in range(n)],
            "options": [[str(i), str(i + 1), str(i + 2)] for i in range(n)],
            "answer": ["B"] * n,
            "answer_index": [1] * n,
            "cot_content": [""] * n,
            "category": ["math"] * n,
            "src": ["ori_mmlu-math"] * n,
        }
    )


def test_validate_lists_failing_columns_and_ids(make_hub: Callable[..., LocalHub]) -> None:
    hub = make_hub()
    spec = get_spec("mmlu_pro")
    write_spec_repo(hub.root, spec, rows=3)
    bad = mmlu_pro_rows(40).with_columns(
        # 15 answers out of range, one empty question, one duplicated id.
        pl.when(pl.col("question_id") >= 25)
        .then(7)
        .otherwise(pl.col("answer_index"))
        .alias("answer_index"),
        pl.when(pl.col("question_id") == 3)
        .then(pl.lit(""))
        .otherwise("question")
        .alias("question"),
        pl.when(pl.col("question_id") == 5).then(4).otherwise("question_id").alias("question_id"),
    )
    write_repo(hub.root, spec.repo, {"data/test-00000-of-00001.parquet": bad})
    with pytest.raises(errors.ValidationError) as caught:
        crucible_pl.load("mmlu_pro", "test", validate=True)
    message = str(caught.value)
    assert "mmlu_pro (config 'default', split 'test')" in message
    lines = {line.split(":")[0].strip(): line for line in message.splitlines()[1:]}
    assert set(lines) == {"id", "input", "expected"}
    assert "duplicate value (2 rows), ids: 4, 4" in lines["id"]
    assert "ids: 3" in lines["input"]
    assert (
        "out of range of choices (15 rows), ids: 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, ..."
        in (lines["expected"])
    )
    assert "(5 more)" in lines["expected"]

    ds = crucible_pl.load("mmlu_pro", "test")  # without validate=: loads, lazily
    with pytest.raises(errors.ValidationError):
        ds.validate()
    good = ds.filter(pl.col("expected") < 3, pl.col("input") != "", pl.col("id") != "4")
    assert good.validate() is good
    with pytest.raises(errors.InvalidInputError, match="raw"):
        crucible_pl.load("mmlu_pro", "test", raw=True).validate()


def test_schemas_export_json_schema() -> None:
    for family, model in schemas.MODELS.items():
        schema = model.model_json_schema()
        json.dumps(schema)
        assert {"id", "input"} <= set(schema["properties"]), family
    mc = schemas.MultipleChoice.model_json_schema()
    assert mc["properties"]["choices"]["type"] == "array"
    assert set(mc["required"]) >= {"id", "input", "expected", "choices"}


# --------------------------------------------------------------------------- streaming, saving


def test_iter_batches_yields_exact_sizes_on_the_streaming_engine(
    make_hub: Callable[..., LocalHub], monkeypatch: pytest.MonkeyPatch
) -> None:
    hub = make_hub()
    sizes = [7, 13, 0, 25, 1]
    data = rows(sum(sizes))
    offsets = list(itertools.accumulate([0, *sizes]))
    files = {
        f"data/train-{k:05d}-of-00005.parquet": data.slice(offsets[k], size)
        for k, size in enumerate(sizes)
    }
    write_repo(hub.root, "org/uneven", files)
    ds = crucible_pl.load("org/uneven", "train")

    engines: list[object] = []
    original = pl.LazyFrame.collect_batches

    def spy(self: pl.LazyFrame, **kwargs: Any) -> Any:
        engines.append(kwargs.get("engine"))
        return original(self, **kwargs)

    monkeypatch.setattr(pl.LazyFrame, "collect_batches", spy)
    for size, expected in [(10, [10, 10, 10, 10, 6]), (46, [46]), (1000, [46]), (1, [1] * 46)]:
        batches = list(ds.iter_batches(size))
        assert [b.height for b in batches] == expected
        assert_frame_equal(pl.concat(batches), ds.collect())
    assert set(engines) == {"streaming"}
    odd = [b.height for b in ds.filter(pl.col("x") % 2 == 1).iter_batches(4)]
    assert odd == [4, 4, 4, 4, 4, 3]
    assert list(ds.filter(pl.col("x") < 0).iter_batches(5)) == []
    first = next(ds.iter_batches(8))  # stopping early is fine
    assert first.height == 8


def test_collect_streaming_equals_in_memory(hub: LocalHub) -> None:
    ds = crucible_pl.load("org/rows", "train").filter(pl.col("x") > 5).shuffle(seed=2)
    assert_frame_equal(ds.collect(streaming=True), ds.collect())


def test_save_and_load_from_disk_round_trip(hub: LocalHub, tmp_path: Path) -> None:
    ds = crucible_pl.load("org/rows", "train").filter(pl.col("subject") == "biology")
    path = ds.save(tmp_path / "out" / "bio.parquet")
    assert path == tmp_path / "out" / "bio.parquet"
    meta = json.loads(pl.read_parquet_metadata(path)["crucible_pl"])
    assert meta["sha"] == ds.provenance.sha
    assert meta["split"] == "train"
    back = crucible_pl.load_from_disk(path)
    assert back.provenance == ds.provenance
    assert_frame_equal(back.collect(), ds.collect())
    assert len(back) == 20
    assert back.files() == [str(path)]
    assert os.listdir(path.parent) == ["bio.parquet"]  # no temporary file left

    # Refuses to overwrite; the file is untouched.
    before = path.read_bytes()
    with pytest.raises(errors.InvalidInputError, match="overwrite=True"):
        ds.head(2).save(path)
    assert path.read_bytes() == before
    ds.head(2).save(path, overwrite=True)
    assert len(crucible_pl.load_from_disk(path)) == 2


def test_save_never_leaves_a_partial_file(hub: LocalHub, tmp_path: Path) -> None:
    ds = crucible_pl.load("org/rows", "train")
    broken = ds.with_columns(pl.col("subject").str.to_integer())  # fails while writing
    out = tmp_path / "out"
    target = out / "x.parquet"
    with pytest.raises(pl.exceptions.PolarsError):
        broken.save(target)
    assert list(out.iterdir()) == []
    ds.head(3).save(target)
    before = target.read_bytes()
    with pytest.raises(pl.exceptions.PolarsError):
        broken.save(target, overwrite=True)
    assert target.read_bytes() == before
    assert list(out.iterdir()) == [target]


def test_load_from_disk_errors_and_foreign_parquet(tmp_path: Path) -> None:
    with pytest.raises(errors.InvalidInputError, match="No file"):
        crucible_pl.load_from_disk(tmp_path / "missing.parquet")
    junk = tmp_path / "junk.parquet"
    junk.write_bytes(b"nope")
    with pytest.raises(errors.DataFormatError, match="not a readable Parquet"):
        crucible_pl.load_from_disk(junk)
    plain = tmp_path / "plain.parquet"
    pl.DataFrame({"id": ["a", "b"]}).write_parquet(plain)
    ds = crucible_pl.load_from_disk(plain)
    assert ds.provenance.source == "disk"
    assert len(ds) == 2
    assert ds.family is None


# --------------------------------------------------------------------------- bad arguments


BAD_CALLS: list[tuple[str, Callable[[Dataset], Any], type[Exception]]] = [
    ("sample_negative_n", lambda ds: ds.sample(-1), errors.InvalidInputError),
    ("sample_both", lambda ds: ds.sample(3, fraction=0.5), errors.InvalidInputError),
    ("sample_fraction_2", lambda ds: ds.sample(fraction=2.0), errors.InvalidInputError),
    ("sample_bad_seed", lambda ds: ds.sample(3, seed=-1), errors.InvalidInputError),
    ("head_negative", lambda ds: ds.head(-1), errors.InvalidInputError),
    ("k_fold_1", lambda ds: ds.k_fold(1), errors.InvalidInputError),
    (
        "k_fold_unknown_stratum",
        lambda ds: ds.k_fold(3, stratify_by="nope"),
        errors.ColumnNotFoundError,
    ),
    ("shard_index_out_of_range", lambda ds: ds.shard(3, 3), errors.InvalidInputError),
    ("shard_zero", lambda ds: ds.shard(0, 0), errors.InvalidInputError),
    ("split_size_1", lambda ds: ds.train_test_split(test_size=1.0), errors.InvalidInputError),
    ("split_negative", lambda ds: ds.train_test_split(test_size=-2), errors.InvalidInputError),
    ("stratify_unknown", lambda ds: ds.stratified_sample(3, by="nope"), errors.ColumnNotFoundError),
    ("stratified_negative", lambda ds: ds.stratified_sample(-3), errors.InvalidInputError),
    ("batch_size_0", lambda ds: next(ds.iter_batches(0)), errors.InvalidInputError),
    ("batch_size_float", lambda ds: next(ds.iter_batches(2.5)), errors.InvalidInputError),  # type: ignore[arg-type]
    ("no_id_column", lambda ds: ds.select("x").shuffle(), errors.ColumnNotFoundError),
    ("no_choices", lambda ds: ds.select("id").shuffle_choices(), errors.ColumnNotFoundError),
]


@pytest.mark.parametrize(("name", "call", "error"), BAD_CALLS, ids=[c[0] for c in BAD_CALLS])
def test_bad_arguments_raise_specific_errors(
    hub: LocalHub, name: str, call: Callable[[Dataset], Any], error: type[Exception]
) -> None:
    ds = crucible_pl.load("org/rows", "train")
    with pytest.raises(error) as caught:
        call(ds)
    assert isinstance(caught.value, errors.CrucibleError)
    assert str(caught.value)  # a message naming the problem
