"""Tests of crucible_pl._hashing and crucible_pl._sampling."""

from __future__ import annotations

import itertools
import math
from collections import Counter

import hypothesis.strategies as st
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from polars.testing import assert_frame_equal

from crucible_pl._hashing import stable_hash
from crucible_pl._reshape import flatten, interleave
from crucible_pl._sampling import (
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
C1, C2 = 0xBF58476D1CE4E5B9, 0x94D049BB133111EB


def ref_mix64(x: int) -> int:
    z = (x + 0x9E3779B97F4A7C15) & MASK
    z = ((z ^ (z >> 30)) * C1) & MASK
    z = ((z ^ (z >> 27)) * C2) & MASK
    return z ^ (z >> 31)


def ref_hash(value: str, seed: int) -> int:
    """The algorithm of the _hashing docstring, written again from it."""
    data = value.encode("utf-8")
    n = len(data)
    key = ref_mix64(seed)
    words = {1: (data + bytes(8))[:8]}
    for j in range(1, n // 8):
        words[j + 1] = data[8 * j : 8 * j + 8]
    if n >= 8:
        words[0] = data[n - 8 :]
    acc = 0
    for i, word in words.items():
        x = ((int.from_bytes(word, "big") + ref_mix64(key + i)) * C1) & MASK
        acc = (acc + (x ^ (x >> 32)) * C2) & MASK
    return ref_mix64((acc + n) & MASK)


def frame(n: int, *, strata: list[str] | None = None) -> pl.LazyFrame:
    data: dict[str, object] = {"id": [f"ds/cfg/test/{i}" for i in range(n)], "x": list(range(n))}
    if strata is not None:
        data["y"] = strata
    return pl.LazyFrame(data)


def ids(lf: pl.LazyFrame) -> list[str]:
    return lf.collect()["id"].to_list()


# ---------------------------------------------------------------- stable_hash


def test_stable_hash_pinned_values() -> None:
    # Pinned forever: changing these changes every user's samples and splits. Computed
    # with the reference above (not read from stable_hash's output).
    df = pl.DataFrame({"id": ["a", "mmlu/astronomy/test/0", "", "abcdefgh", "x" * 100]})
    got = df.select(stable_hash("id", 0))["id"].to_list()
    assert got == [
        8479959064876606709,
        7420949259257309836,
        11122055906314666090,
        15733320622280530794,
        6130806417638772363,
    ]
    assert got == [ref_hash(v, 0) for v in df["id"]]


@pytest.mark.parametrize("seed", [0, 1, 42, 2**63, 2**64 - 1])
def test_stable_hash_matches_reference(seed: int) -> None:
    values = [
        "",
        "a",
        "abcdefg",  # padded first word
        "abcdefgh",  # exactly one word: the last word is the first
        "abcdefghi",  # the last word overlaps the first
        *("x" * n for n in (15, 16, 17, 24, 55, 56, 57, 63)),  # static words only
        *("y" * n for n in (64, 65, 71, 72, 73, 200)),  # words through the list path
        "mmlu/high_school_government_and_politics/test/1234/" * 4,
        "é€😀 unicode",
        "nul\0inside",
        "a\0",  # must differ from "a" (length is hashed)
        "\0" * 9,
    ]
    df = pl.DataFrame({"s": values})
    got = df.select(stable_hash(pl.col("s"), seed))["s"].to_list()
    assert got == [ref_hash(v, seed) for v in values]
    assert len(set(got)) == len(values)
    streamed = df.lazy().select(stable_hash("s", seed)).collect(engine="streaming")
    assert streamed["s"].to_list() == got


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


def test_stable_hash_in_group_contexts() -> None:
    values = ["", "a", "x" * 70, None, "bb", "y" * 100, "zz" * 5]
    df = pl.DataFrame({"s": values, "g": [1, 2, 1, 2, 1, 1, 2]})
    expected = [None if v is None else ref_hash(v, 5) for v in values]
    over = df.select(stable_hash("s", 5).over("g"))["s"].to_list()
    assert over == expected
    agg = df.group_by("g", maintain_order=True).agg(stable_hash("s", 5))
    for g, hashes in agg.iter_rows():
        assert hashes == [h for h, gg in zip(expected, df["g"], strict=True) if gg == g]


def test_stable_hash_quality_on_a_million_ids() -> None:
    n = 1_000_000
    ids = pl.select(pl.format("ds/cfg/test/{}", pl.int_range(n)).alias("id"))
    h = ids.select(stable_hash("id", 0))["id"]
    assert h.n_unique() == n  # no collision
    # Low bits: each residue mod 5 within 4 standard deviations of n / 5.
    counts = (h % 5).value_counts()["count"].to_list()
    sd = math.sqrt(n * 0.2 * 0.8)
    assert len(counts) == 5
    assert all(abs(c - n / 5) < 4 * sd for c in counts)
    # Every bit is set in about half the hashes.
    ones = ids.select(stable_hash("id", 0).alias("h")).select(
        ((pl.col("h") // (1 << b)) % 2).sum().alias(str(b)) for b in range(64)
    )
    assert all(abs(c - n / 2) < 5 * math.sqrt(n / 4) for c in ones.row(0))


def test_stable_hash_nearby_ids_differ_in_about_half_the_bits() -> None:
    ids = ["a/1", "a/2", "a/3", "a/10", "q12345678", "q12345679", "x" * 70 + "1", "x" * 70 + "2"]
    hashes = pl.DataFrame({"id": ids}).select(stable_hash("id", 0))["id"].to_list()
    for a, b in itertools.pairwise(hashes):
        assert 16 <= bin(a ^ b).count("1") <= 48
    # Over many neighbours the mean is 32 bits (a binomial(64, 1/2)).
    many = pl.select(pl.format("a/{}", pl.int_range(20_000)).alias("id"))
    flips = many.select((stable_hash("id", 3) ^ stable_hash("id", 3).shift(1)).bitwise_count_ones())
    mean = flips.to_series().drop_nulls().mean()
    assert isinstance(mean, float)
    assert 31.8 < mean < 32.2


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


def test_rows_come_back_unchanged_and_streamed_alike() -> None:
    # Selected rows are joined back and their strings copied: values, dtypes and column
    # order must not change, nested strings included, on either engine.
    n = 40
    lf = pl.LazyFrame(
        {
            "id": [f"q{i}" for i in range(n)],
            "text": ["x" * i for i in range(n)],
            "choices": [["a" * i, None] if i % 3 else None for i in range(n)],
            "turns": [[{"role": "user", "content": str(i)}] for i in range(n)],
            "meta": [{"src": f"s{i}", "k": i} if i % 4 else None for i in range(n)],
        }
    )
    full = lf.collect()
    parts = [sample(lf, n=7, seed=2), *k_fold(lf, k=3, seed=1)[1], shard(lf, 3, 1)]
    for part in parts:
        got = part.collect()
        assert got.schema == full.schema
        assert_frame_equal(got, part.collect(engine="streaming"))
        rows = full.filter(pl.col("id").is_in(got["id"].to_list()))
        assert_frame_equal(got, rows, check_row_order=False)


def test_duplicate_ids_come_back_once_per_row() -> None:
    lf = pl.LazyFrame({"id": ["a", "a", "b", "c", None, None], "x": range(6)})
    assert sorted(shuffle(lf).collect()["x"]) == list(range(6))
    picked = sample(lf, n=6).collect()
    assert sorted(picked["x"]) == list(range(6))  # each row once, not once per copy
    tests = [test.collect()["x"].to_list() for _, test in k_fold(lf, k=2)]
    assert sorted(tests[0] + tests[1]) == list(range(6))  # folds stay disjoint
    train, test = train_test_split(lf, test_size=2)
    assert sorted(train.collect()["x"].to_list() + test.collect()["x"].to_list()) == list(range(6))


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
