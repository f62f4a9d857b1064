"""Tests of crucible_pl._hashing and crucible_pl._sampling."""

from __future__ import annotations

import math
from collections import Counter

import hypothesis.strategies as st
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from polars.testing import assert_frame_equal

from crucible_pl._hashing import stable_hash
from crucible_pl._sampling import (
    flatten,
    interleave,
    k_fold,
    sample,
    shard,
    shuffle,
    shuffle_choices,
    stratified_sample,
    train_test_split,
)
from crucible_pl.errors import ColumnNotFoundError, InvalidInputError

FAST = settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# ---------------------------------------------------------------- reference hash, in plain Python

MASK = 2**64 - 1


def ref_mix64(x: int) -> int:
    z = (x + 0x9E3779B97F4A7C15) & MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


def ref_hash(value: str, seed: int) -> int:
    data = value.encode("utf-8")
    key = ref_mix64(seed)
    padded = data + b"\0" * (-len(data) % 8)
    acc = 0
    for j in range(len(padded) // 8):
        word = int.from_bytes(padded[8 * j : 8 * j + 8], "big")
        acc = (acc + ref_mix64((word + ref_mix64(key + j + 1)) & MASK)) & MASK
    return ref_mix64(((acc ^ key) + len(data)) & MASK)


def frame(n: int, *, strata: list[str] | None = None) -> pl.LazyFrame:
    data: dict[str, object] = {"id": [f"ds/cfg/test/{i}" for i in range(n)], "x": list(range(n))}
    if strata is not None:
        data["y"] = strata
    return pl.LazyFrame(data)


def ids(lf: pl.LazyFrame) -> list[str]:
    return lf.collect()["id"].to_list()


# ---------------------------------------------------------------- stable_hash


def test_stable_hash_pinned_values() -> None:
    # Pinned forever: changing these changes every user's samples and splits.
    df = pl.DataFrame({"id": ["a", "mmlu/astronomy/test/0", ""]})
    got = df.select(stable_hash("id", 0))["id"].to_list()
    assert got == [6425660008120935974, 7821260738828851162, ref_hash("", 0)]
    assert got[:2] == [ref_hash("a", 0), ref_hash("mmlu/astronomy/test/0", 0)]


@pytest.mark.parametrize("seed", [0, 1, 42, 2**63, 2**64 - 1])
def test_stable_hash_matches_reference(seed: int) -> None:
    values = [
        "",
        "a",
        "abcdefgh",  # exactly one word
        "abcdefghi",
        "x" * 63,
        "y" * 64,  # exactly the static words
        "z" * 65,  # first tail byte
        "mmlu/high_school_government_and_politics/test/1234/" * 4,  # long tail
        "é€😀 unicode",
        "nul\0inside",
        "a\0",  # must differ from "a" (length is hashed)
    ]
    df = pl.DataFrame({"s": values})
    got = df.select(stable_hash(pl.col("s"), seed))["s"].to_list()
    assert got == [ref_hash(v, seed) for v in values]
    assert len(set(got)) == len(values)


@given(st.lists(st.text(max_size=90), max_size=30), st.integers(0, 2**64 - 1))
@FAST
def test_stable_hash_property_matches_reference(values: list[str], seed: int) -> None:
    got = pl.DataFrame({"s": values}, schema={"s": pl.String}).lazy()
    out = got.select(stable_hash("s", seed)).collect()["s"].to_list()
    assert out == [ref_hash(v, seed) for v in values]


def test_stable_hash_nulls_dtype_name_and_casts() -> None:
    df = pl.DataFrame({"s": ["a", None], "n": [12, None]})
    out = df.select(stable_hash("s", 3), stable_hash(pl.col("n"), 3))
    assert out.schema == pl.Schema({"s": pl.UInt64, "n": pl.UInt64})
    assert out.row(1) == (None, None)
    assert out["n"][0] == ref_hash("12", 3)


def test_stable_hash_lazy_equals_eager_and_row_order_free() -> None:
    df = pl.DataFrame({"s": [f"id-{i}" for i in range(500)]})
    eager = df.with_columns(h=stable_hash("s", 9))
    lazy = df.lazy().reverse().with_columns(h=stable_hash("s", 9)).collect().reverse()
    assert_frame_equal(eager, lazy)


@pytest.mark.parametrize("seed", [-1, 2**64, 1.5, True, "0"])
def test_stable_hash_rejects_bad_seed(seed: object) -> None:
    with pytest.raises(InvalidInputError, match="Invalid seed"):
        stable_hash("s", seed)  # type: ignore[arg-type]


# ---------------------------------------------------------------- sample / shuffle


def test_sample_n_exact_nested_and_order_independent() -> None:
    lf = frame(50)
    small, big = ids(sample(lf, n=5, seed=1)), ids(sample(lf, n=20, seed=1))
    assert len(small) == 5
    assert len(big) == 20
    assert big[:5] == small
    assert ids(sample(lf.reverse(), n=20, seed=1)) == big
    assert ids(sample(lf, n=20, seed=2)) != big
    expected = sorted(ids(lf), key=lambda i: (ref_hash(i, 1), i))[:5]
    assert small == expected


def test_sample_bounds() -> None:
    lf = frame(7)
    assert len(ids(sample(lf, n=100))) == 7
    assert ids(sample(lf, n=0)) == []
    out = sample(lf, n=3).collect()
    assert out.columns == ["id", "x"]


@pytest.mark.parametrize(("fraction", "rows"), [(0.25, 3), (0.2, 2), (1.0, 10), (0.01, 0)])
def test_sample_fraction_rounds_half_up(fraction: float, rows: int) -> None:
    assert len(ids(sample(frame(10), fraction=fraction, seed=4))) == rows


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "exactly one of n= and fraction="),
        ({"n": 1, "fraction": 0.5}, "exactly one of n= and fraction="),
        ({"n": -1}, r"Invalid n=-1: expected an int >= 0"),
        ({"n": True}, "Invalid n=True"),
        ({"fraction": 0.0}, r"Invalid fraction=0.0: expected a fraction in \(0, 1\]"),
        ({"fraction": 1.5}, "Invalid fraction=1.5"),
        ({"fraction": math.nan}, "Invalid fraction=nan"),
    ],
)
def test_sample_rejects_bad_arguments(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        sample(frame(3), **kwargs)  # type: ignore[arg-type]


def test_missing_id_column_and_reserved_name() -> None:
    with pytest.raises(ColumnNotFoundError, match=r"'uid'.*Available columns: id, x"):
        sample(frame(3), n=1, id_column="uid")
    with pytest.raises(ColumnNotFoundError, match="'nope'"):
        stratified_sample(frame(3), 1, by="nope")
    reserved = frame(3).with_columns(pl.lit(1).alias("__crucible_hash"))
    with pytest.raises(InvalidInputError, match="reserved"):
        shuffle(reserved)


def test_shuffle_is_a_seeded_permutation() -> None:
    lf = frame(30)
    a = shuffle(lf, seed=5)
    assert isinstance(a, pl.LazyFrame)
    assert_frame_equal(a.collect(), shuffle(lf.reverse(), seed=5).collect())
    assert sorted(ids(a)) == sorted(ids(lf))
    assert ids(a) != ids(shuffle(lf, seed=6))
    assert ids(a) == sorted(ids(lf), key=lambda i: ref_hash(i, 5))


# ---------------------------------------------------------------- stratified_sample


def test_stratified_sample_largest_remainder() -> None:
    # quotas for n=10: a 6.5, b 2.5, c 1.0 -> floors 6, 2, 1; one left over, ties .5/.5
    lf = frame(20, strata=["a"] * 13 + ["b"] * 5 + ["c"] * 2)
    counts = dict(stratified_sample(lf, 10, by="y").collect()["y"].value_counts().rows())
    assert sum(counts.values()) == 10
    assert counts["c"] == 1
    assert sorted([counts["a"], counts["b"]]) in ([2, 7], [3, 6]) or (counts["a"], counts["b"]) in (
        (7, 2),
        (6, 3),
    )


def test_stratified_sample_every_stratum_when_n_allows() -> None:
    lf = frame(100, strata=["big"] * 98 + ["s1", "s2"])
    out = stratified_sample(lf, 3, by=["y"]).collect()
    assert sorted(out["y"].to_list()) == ["big", "s1", "s2"]
    out = stratified_sample(lf, 2, by="y").collect()
    assert out["y"].to_list() == ["big", "big"]  # fewer rows than strata: pure Hamilton


def test_stratified_sample_takes_smallest_hashes_per_stratum() -> None:
    strata = [["a", "b", "c"][i % 3] for i in range(30)]
    lf = frame(30, strata=strata)
    out = stratified_sample(lf, 9, by="y", seed=3).collect()
    for y in "abc":
        members = [i for i, s in zip(ids(lf), strata, strict=True) if s == y]
        best = sorted(members, key=lambda i: ref_hash(i, 3))[:3]
        assert sorted(out.filter(pl.col("y") == y)["id"]) == sorted(best)


@given(
    sizes=st.lists(st.integers(1, 12), min_size=1, max_size=6),
    n=st.integers(0, 80),
    seed=st.integers(0, 1000),
)
@FAST
def test_stratified_sample_properties(sizes: list[int], n: int, seed: int) -> None:
    strata = [f"s{j}" for j, size in enumerate(sizes) for _ in range(size)]
    lf = frame(len(strata), strata=strata)
    out = stratified_sample(lf, n, by="y", seed=seed).collect()
    total, count = len(strata), len(sizes)
    assert out.height == min(n, total)
    assert out["id"].n_unique() == out.height
    got = Counter(out["y"].to_list())
    quotas = {f"s{j}": min(n, total) * size / total for j, size in enumerate(sizes)}
    small = sum(q < 1 for q in quotas.values())
    for name, quota in quotas.items():
        assert got[name] <= sizes[int(name[1:])]
        if n >= count:
            assert got[name] >= 1
        if n < count or small == 0:
            assert math.floor(quota) <= got[name] <= math.ceil(quota)
        else:
            assert abs(got[name] - quota) < 1 + small
    shuffled = lf.reverse().collect().sample(fraction=1.0, shuffle=True, seed=seed).lazy()
    assert_frame_equal(out, stratified_sample(shuffled, n, by="y", seed=seed).collect())


# ---------------------------------------------------------------- train_test_split


def test_train_test_split_sizes_disjoint_cover() -> None:
    lf = frame(11)
    train, test = train_test_split(lf, test_size=0.25, seed=2)
    tr, te = ids(train), ids(test)
    assert len(te) == 3  # 2.75 -> 3
    assert not set(tr) & set(te)
    assert sorted(tr + te) == sorted(ids(lf))
    assert te == ids(sample(lf, n=3, seed=2))
    assert len(ids(train_test_split(lf, test_size=4)[1])) == 4
    assert len(ids(train_test_split(lf, test_size=40)[1])) == 11


def test_train_test_split_stratified_matches_stratified_sample() -> None:
    lf = frame(40, strata=["a"] * 30 + ["b"] * 8 + ["c"] * 2)
    train, test = train_test_split(lf, test_size=0.2, seed=1, stratify_by="y")
    assert Counter(test.collect()["y"]) == {"a": 6, "b": 1, "c": 1}  # 6, 1.6, .4 -> min one
    assert sorted(ids(test)) == sorted(ids(stratified_sample(lf, 8, by="y", seed=1)))
    assert len(ids(train)) == 32


@pytest.mark.parametrize("test_size", [0.0, 1.0, -1, 1.5, "0.2", True])
def test_train_test_split_rejects_bad_size(test_size: object) -> None:
    with pytest.raises(InvalidInputError, match="Invalid test_size"):
        train_test_split(frame(3), test_size=test_size)  # type: ignore[arg-type]


# ---------------------------------------------------------------- k_fold


@given(n=st.integers(0, 40), k=st.integers(2, 6), seed=st.integers(0, 100), data=st.data())
@FAST
def test_k_fold_properties(n: int, k: int, seed: int, data: st.DataObject) -> None:
    lf = frame(n)
    folds = k_fold(lf, k=k, seed=seed)
    assert len(folds) == k
    tests = [f["id"].to_list() for f in pl.collect_all([test for _, test in folds])]
    assert sorted(i for t in tests for i in t) == sorted(ids(lf))  # disjoint and covering
    assert max(map(len, tests)) - min(map(len, tests)) <= 1
    assert sorted(ids(folds[0][0]) + tests[0]) == sorted(ids(lf))  # train is the rest
    order = data.draw(st.permutations(list(range(n))))
    rebuilt = lf.collect()[list(order)].lazy() if n else lf
    again = pl.collect_all([test for _, test in k_fold(rebuilt, k=k, seed=seed)])
    assert [f["id"].to_list() for f in again] == tests


@given(
    sizes=st.lists(st.integers(1, 9), min_size=1, max_size=5),
    k=st.integers(2, 5),
    seed=st.integers(0, 100),
)
@FAST
def test_k_fold_stratified_properties(sizes: list[int], k: int, seed: int) -> None:
    strata = [f"s{j}" for j, size in enumerate(sizes) for _ in range(size)]
    lf = frame(len(strata), strata=strata)
    tests = pl.collect_all([test for _, test in k_fold(lf, k=k, seed=seed, stratify_by="y")])
    assert sorted(i for t in tests for i in t["id"]) == sorted(ids(lf))
    heights = [t.height for t in tests]
    assert max(heights) - min(heights) <= 1
    for j in range(len(sizes)):
        per_fold = [t.filter(pl.col("y") == f"s{j}").height for t in tests]
        assert max(per_fold) - min(per_fold) <= 1


def test_k_fold_rejects_bad_k() -> None:
    for k in (1, 0, True, 2.0):
        with pytest.raises(InvalidInputError, match="Invalid k="):
            k_fold(frame(3), k=k)  # type: ignore[arg-type]


# ---------------------------------------------------------------- shard


@given(n=st.integers(0, 30), num_shards=st.integers(1, 7), contiguous=st.booleans())
@FAST
def test_shard_covers_every_row_once(n: int, num_shards: int, contiguous: bool) -> None:
    lf = pl.LazyFrame({"x": list(range(n))})
    parts = [
        shard(lf, num_shards, i, contiguous=contiguous).collect()["x"].to_list()
        for i in range(num_shards)
    ]
    assert sorted(x for p in parts for x in p) == list(range(n))
    for i, part in enumerate(parts):
        if contiguous:  # datasets.Dataset.shard(contiguous=True)
            div, mod = divmod(n, num_shards)
            start = div * i + min(i, mod)
            assert part == list(range(start, start + div + (i < mod)))
        else:
            assert part == list(range(i, n, num_shards))


@pytest.mark.parametrize(("num_shards", "index"), [(0, 0), (3, 3), (3, -1), (2, True)])
def test_shard_rejects_bad_arguments(num_shards: int, index: int) -> None:
    with pytest.raises(InvalidInputError, match=r"Invalid (num_shards|shard index)"):
        shard(frame(3), num_shards, index)


# ---------------------------------------------------------------- shuffle_choices


@given(
    rows=st.lists(
        st.lists(st.text(min_size=1, max_size=5), min_size=1, max_size=6, unique=True).flatmap(
            lambda c: st.tuples(st.just(c), st.integers(0, len(c) - 1))
        ),
        min_size=1,
        max_size=15,
    ),
    seed=st.integers(0, 2**64 - 1),
)
@FAST
def test_shuffle_choices_keeps_the_answer(rows: list[tuple[list[str], int]], seed: int) -> None:
    lf = pl.LazyFrame(
        {
            "id": [f"q{i}" for i in range(len(rows))],
            "choices": [c for c, _ in rows],
            "expected": [e for _, e in rows],
        },
        schema={"id": pl.String, "choices": pl.List(pl.String), "expected": pl.Int64},
    )
    out = shuffle_choices(lf, seed=seed).collect()
    assert out.schema == lf.collect_schema()
    for (choices, expected), row in zip(rows, out.iter_rows(named=True), strict=True):
        assert sorted(row["choices"]) == sorted(choices)
        assert row["choices"][row["expected"]] == choices[expected]
    again = shuffle_choices(lf.reverse(), seed=seed).collect().reverse()
    assert_frame_equal(out, again)


def test_shuffle_choices_moves_answers_and_keeps_nulls() -> None:
    lf = pl.LazyFrame(
        {
            "id": [f"q{i}" for i in range(40)] + ["none"],
            "choices": [["a", "b", "c", "d"]] * 41,
            "expected": [0] * 40 + [None],
        }
    )
    out = shuffle_choices(lf, seed=0).collect()
    assert out["expected"].tail(1).to_list() == [None]
    assert out["expected"].head(40).n_unique() == 4  # the answer is not always at 0
    assert out["id"].to_list() == lf.collect()["id"].to_list()
    assert not out.equals(shuffle_choices(lf, seed=1).collect())
    with pytest.raises(ColumnNotFoundError, match="'choices'"):
        shuffle_choices(frame(2))


# ---------------------------------------------------------------- interleave


def datasets_round_robin(lengths: list[int], all_exhausted: bool) -> list[tuple[int, int]]:
    """(frame, row) pairs as datasets.interleave_datasets builds them without probabilities."""
    if not all_exhausted:
        return [(j, i) for i in range(min(lengths)) for j in range(len(lengths))]
    return [
        (j, i % lengths[j])
        for i in range(max(lengths))
        for j in range(len(lengths))
        if lengths[j] > 0  # datasets divides by zero here; crucible-pl skips empty frames
    ]


@pytest.mark.parametrize("lengths", [[3, 2], [2, 3, 1], [4], [0, 2]])
@pytest.mark.parametrize("strategy", ["first_exhausted", "all_exhausted"])
def test_interleave_round_robin_matches_datasets(lengths: list[int], strategy: str) -> None:
    frames = [
        pl.LazyFrame({"x": [[j, i] for i in range(n)]}, schema={"x": pl.List(pl.Int64)})
        for j, n in enumerate(lengths)
    ]
    out = interleave(frames, stopping_strategy=strategy)  # type: ignore[arg-type]
    pairs = [tuple(x) for x in out.collect()["x"].to_list()]
    assert pairs == datasets_round_robin(lengths, strategy == "all_exhausted")


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_interleave_probabilities(seed: int) -> None:
    lengths = [5, 2, 8]
    frames = [pl.LazyFrame({"src": [j] * n, "row": list(range(n))}) for j, n in enumerate(lengths)]
    probs = [0.5, 0.2, 0.3]
    first = interleave(frames, probabilities=probs, seed=seed).collect()
    assert_frame_equal(first, interleave(frames, probabilities=probs, seed=seed).collect())
    emitted = Counter(first["src"].to_list())
    last = first.row(-1, named=True)
    assert last["row"] == lengths[last["src"]] - 1  # stopped right after one ran out
    for j, n in enumerate(lengths):
        rows = first.filter(pl.col("src") == j)["row"].to_list()
        assert rows == list(range(len(rows)))
        assert emitted[j] <= n
    every = interleave(frames, probabilities=probs, seed=seed, stopping_strategy="all_exhausted")
    out = every.collect()
    for j, n in enumerate(lengths):
        rows = out.filter(pl.col("src") == j)["row"].to_list()
        assert rows == [i % n for i in range(len(rows))]
        assert len(rows) >= n
    last = out.row(-1, named=True)
    assert last["row"] == lengths[last["src"]] - 1
    # stops when the last frame is exhausted for the first time: it is emitted exactly once
    assert out.filter(pl.col("src") == last["src"]).height == lengths[last["src"]]


def test_interleave_probabilities_follow_the_weights() -> None:
    frames = [pl.LazyFrame({"src": [j] * 3000}) for j in range(2)]
    out = interleave(frames, probabilities=[0.8, 0.2], seed=0).collect()
    share = out["src"].eq(0).mean()
    assert isinstance(share, float)
    assert 0.75 < share < 0.85


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"probabilities": [0.5, 0.6]}, "summing to 1"),
        ({"probabilities": [1.0]}, "expected 2 non-negative"),
        ({"probabilities": [1.5, -0.5]}, "non-negative"),
        ({"probabilities": [1.0, 0.0], "stopping_strategy": "all_exhausted"}, "never stop"),
        ({"stopping_strategy": "longest"}, "Invalid stopping_strategy='longest'"),
    ],
)
def test_interleave_rejects_bad_arguments(kwargs: dict[str, object], message: str) -> None:
    frames = [frame(2), frame(3)]
    with pytest.raises(InvalidInputError, match=message):
        interleave(frames, **kwargs)  # type: ignore[arg-type]


def test_interleave_rejects_no_frames_and_schema_mismatch() -> None:
    with pytest.raises(InvalidInputError, match="at least one frame"):
        interleave([])
    with pytest.raises(InvalidInputError, match="frame 1 has"):
        interleave([frame(2), frame(2).select("id")])


# ---------------------------------------------------------------- flatten


def test_flatten_nested_structs() -> None:
    lf = pl.LazyFrame(
        {
            "id": ["a"],
            "meta": [{"src": "x", "pos": {"line": 3, "col": 4}}],
            "turns": [[{"role": "user"}]],
        }
    )
    out = flatten(lf).collect()
    expected = pl.DataFrame(
        {
            "id": ["a"],
            "meta.src": ["x"],
            "meta.pos.line": [3],
            "meta.pos.col": [4],
            "turns": [[{"role": "user"}]],
        }
    )
    assert_frame_equal(out, expected)
    assert flatten(lf, separator="__").collect_schema().names()[1] == "meta__src"


def test_flatten_errors() -> None:
    lf = pl.LazyFrame({"a": [{"b": 1}], "a.b": [2]})
    with pytest.raises(InvalidInputError, match="duplicate column"):
        flatten(lf)
    with pytest.raises(InvalidInputError, match="separator"):
        flatten(lf, separator="")
