"""The normalized cache: canonical rows computed once per split, keyed by spec version."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

import crucible_pl
from crucible_pl._hub import resolve as _resolve
from crucible_pl._load import normalized as _normalized
from crucible_pl.errors import InvalidInputError
from crucible_pl.registry import DatasetSpec, all_specs, get_spec
from crucible_pl.testing import LocalHub, write_spec_repo


def normalized_files(cache: Path) -> list[Path]:
    return sorted((cache / "normalized").rglob("*.parquet"))


def test_first_load_writes_the_cache_and_later_loads_read_only_it(
    make_hub: Callable[..., LocalHub], tmp_path: Path
) -> None:
    hub = make_hub()
    spec = get_spec("gsm8k")
    write_spec_repo(hub.root, spec, rows=30)
    first = crucible_pl.load_lazy("gsm8k", "test").collect()
    [path] = normalized_files(tmp_path / "crucible-cache")
    assert f"/normalized/gsm8k/v{spec.version}/openai/gsm8k/" in path.as_posix()
    # The raw files are no longer read: wreck them, the warm load still works.
    for raw in crucible_pl.load("gsm8k", "test").files():
        Path(raw).resolve().write_bytes(b"wrecked")
    hub.clear_requests()
    assert_frame_equal(crucible_pl.load_lazy("gsm8k", "test").collect(), first)
    assert hub.requests == []


def test_slices_select_raw_positions_even_when_rows_are_dropped(
    make_hub: Callable[..., LocalHub],
) -> None:
    hub = make_hub()
    spec = get_spec("helpsteer3")  # ties (overall_preference == 0) are dropped
    write_spec_repo(hub.root, spec, rows=60)
    raw = crucible_pl.load_lazy("helpsteer3", "train", raw=True)
    for split, (start, stop) in {"train[:10]": (0, 10), "train[-7:]": (53, 60)}.items():
        expected = (
            spec.normalize(
                raw.with_row_index("__row").with_columns(pl.col("__row").cast(pl.Int64)),
                config="preference",
                split="train",
            )
            .collect()
            .filter(
                pl.col("id").is_in([f"helpsteer3/preference/train/{i}" for i in range(start, stop)])
            )
        )
        got = crucible_pl.load_lazy("helpsteer3", split).collect()
        assert_frame_equal(got, expected)
        assert got.height < stop - start  # some of those raw rows were ties
    ds = crucible_pl.load("helpsteer3", "train")
    assert len(ds) == ds.collect().height  # exact, from the cache's recorded count


def test_a_new_spec_version_gets_its_own_cache(
    make_hub: Callable[..., LocalHub], tmp_path: Path
) -> None:
    hub = make_hub()
    spec = get_spec("arc")
    write_spec_repo(hub.root, spec, rows=12)
    crucible_pl.load_lazy("arc", "test")
    layout = _resolve.get_layout(spec.repo, crucible_pl.info("arc").sha, offline=True, token=None)
    bumped = dataclasses.replace(spec.for_config("ARC-Challenge"), version=spec.version + 1)
    built = _normalized.normalized_split(
        bumped,
        layout,
        ["ARC-Challenge"],
        config="ARC-Challenge",
        split="test",
        offline=True,
        token=None,
    )
    assert f"/v{spec.version + 1}/" in built.path.as_posix()
    assert len(normalized_files(tmp_path / "crucible-cache")) == 2


def test_a_damaged_cache_file_is_rebuilt(make_hub: Callable[..., LocalHub], tmp_path: Path) -> None:
    hub = make_hub()
    write_spec_repo(hub.root, get_spec("mmlu"), rows=8)
    first = crucible_pl.load_lazy("mmlu", "test", config="astronomy").collect()
    [path] = normalized_files(tmp_path / "crucible-cache")
    path.write_bytes(path.read_bytes()[:-20])  # cut short
    hub.clear_requests()
    again = crucible_pl.load_lazy("mmlu", "test", config="astronomy").collect()
    assert_frame_equal(again, first)
    assert hub.requests == []  # rebuilt from the cached raw file


def test_offline_rebuild_from_cached_raw_files(
    make_hub: Callable[..., LocalHub], tmp_path: Path
) -> None:
    hub = make_hub()
    write_spec_repo(hub.root, get_spec("humaneval"), rows=5)
    first = crucible_pl.load_lazy("humaneval").collect()
    for path in normalized_files(tmp_path / "crucible-cache"):
        path.with_suffix(".json").unlink()
    hub.stop()
    assert_frame_equal(crucible_pl.load_lazy("humaneval", offline=True).collect(), first)


def test_cache_rm_removes_the_normalized_cache(
    make_hub: Callable[..., LocalHub], tmp_path: Path
) -> None:
    from crucible_pl._cache import admin as _cache_admin

    hub = make_hub()
    write_spec_repo(hub.root, get_spec("gsm8k"), rows=5)
    crucible_pl.load_lazy("gsm8k", "test")
    assert normalized_files(tmp_path / "crucible-cache")
    _cache_admin.apply_removal(_cache_admin.plan_removal("gsm8k"))
    assert normalized_files(tmp_path / "crucible-cache") == []


@pytest.mark.parametrize("split", ["test[:3]", "test[2:5]+test[-1:]"])
def test_sliced_ids_match_raw_positions(make_hub: Callable[..., LocalHub], split: str) -> None:
    hub = make_hub()
    write_spec_repo(hub.root, get_spec("gsm8k"), rows=10)
    ids = crucible_pl.load_lazy("gsm8k", split).collect()["id"].to_list()
    positions = {"test[:3]": [0, 1, 2], "test[2:5]+test[-1:]": [2, 3, 4, 9]}[split]
    assert ids == [f"gsm8k/main/test/{i}" for i in positions]


def _stored_and_canonical(name: str) -> tuple[DatasetSpec, pl.DataFrame, pl.DataFrame]:
    """A spec (for its default config), its stored rows and its canonical rows."""
    spec = get_spec(name)
    config = spec.default_config or spec.configs[0]
    raw = crucible_pl.load_lazy(name, config=config, source="synthetic", n=12, raw=True)
    sub = spec.for_config(config)
    canonical = sub.normalize(raw, config=config, split="test").collect()
    stored = sub.normalize_for_storage(raw, config=config, split="test").collect()
    return sub, stored, canonical


@pytest.mark.parametrize("name", [spec.name for spec in all_specs()])
def test_stored_columns_restore_the_canonical_frame(name: str) -> None:
    """For every spec: what the cache stores, restored on read, is the canonical frame."""
    spec, stored, canonical = _stored_and_canonical(name)
    assert stored.columns == list(spec.stored_columns())
    assert_frame_equal(spec.restore(stored.lazy()).collect(), canonical)


@pytest.mark.parametrize("name", [spec.name for spec in all_specs()])
def test_the_stored_file_holds_canonical_rows_for_any_reader(name: str) -> None:
    """Every canonical column is in the file under its own name, with its own values:
    DuckDB, Ray, Spark or Dask read canonical rows from it without crucible-pl; the
    extra columns are all ours, named ``__...``."""
    _, stored, canonical = _stored_and_canonical(name)
    assert_frame_equal(stored.select(canonical.columns), canonical)
    assert all(c.startswith("__") for c in stored.columns if c not in canonical.columns)


@pytest.mark.parametrize("name", [spec.name for spec in all_specs()])
def test_a_load_reads_each_value_once_and_a_projection_only_what_it_needs(
    name: str, tmp_path: Path
) -> None:
    """What a load reads, shown by files whose other columns are all null: a full load
    never reads the stored copies of ``computed_on_read`` columns, and
    ``select("id", "expected")`` reads only those two columns (the plan projects 2)."""
    spec, stored, canonical = _stored_and_canonical(name)

    def nulled(keep: Callable[[str], bool]) -> pl.LazyFrame:
        path = tmp_path / "stored.parquet"
        stored.with_columns(
            pl.lit(None, dtype).alias(c) for c, dtype in stored.schema.items() if not keep(c)
        ).write_parquet(path)
        return spec.restore(pl.scan_parquet(path))

    full = nulled(lambda c: c not in spec.computed_on_read)
    assert_frame_equal(full.collect(), canonical)
    narrow = nulled(lambda c: c in ("id", "expected")).select("id", "expected")
    assert_frame_equal(narrow.collect(), canonical.select("id", "expected"))
    assert f"PROJECT 2/{stored.width} COLUMNS" in narrow.explain()


def test_chat_cache_holds_the_canonical_columns_and_computes_input_on_read(
    make_hub: Callable[..., LocalHub], tmp_path: Path
) -> None:
    hub = make_hub()
    spec = get_spec("tulu3_sft")
    write_spec_repo(hub.root, spec, rows=20)
    first = crucible_pl.load_lazy("tulu3_sft", "train").collect()
    [path] = normalized_files(tmp_path / "crucible-cache")
    stored = pl.read_parquet_schema(path)
    assert list(stored) == ["id", "input", "expected", "messages", "__last_assistant", "__pos"]
    # Restored on read: the same frame as the normalizer's, and each column alone.
    raw = crucible_pl.load_lazy("tulu3_sft", "train", raw=True)
    direct = spec.normalize(
        raw.with_row_index("__row").with_columns(pl.col("__row").cast(pl.Int64)),
        config="default",
        split="train",
    ).collect()
    assert_frame_equal(first, direct)
    assert_frame_equal(pl.read_parquet(path, columns=first.columns), direct)
    assert first.columns == ["id", "input", "expected", "messages"]
    last = crucible_pl.load_lazy("tulu3_sft", "train").select("expected").collect()
    assert_frame_equal(last, direct.select("expected"))
    sliced = crucible_pl.load_lazy("tulu3_sft", "train[5:8]").collect()
    assert_frame_equal(sliced, direct.slice(5, 3))


def test_computed_on_read_must_name_canonical_columns() -> None:
    spec = get_spec("tulu3_sft")
    with pytest.raises(InvalidInputError, match=r"computed_on_read names \['nope'\]"):
        dataclasses.replace(spec, computed_on_read=("input", "nope"))


def test_a_cache_with_other_stored_columns_is_rebuilt(
    make_hub: Callable[..., LocalHub], tmp_path: Path
) -> None:
    """A cache file written when the spec stored other columns is never restored from."""
    hub = make_hub()
    write_spec_repo(hub.root, get_spec("tulu3_sft"), rows=10)
    first = crucible_pl.load_lazy("tulu3_sft", "train").collect()
    [meta_path] = sorted((tmp_path / "crucible-cache" / "normalized").rglob("*.json"))
    meta = json.loads(meta_path.read_text())
    meta["columns"] = ["id", "__messages", "__last_assistant", "__pos"]  # version 1's
    meta_path.write_text(json.dumps(meta))
    assert_frame_equal(crucible_pl.load_lazy("tulu3_sft", "train").collect(), first)
    assert json.loads(meta_path.read_text())["columns"][-1] == "__pos"
    assert "messages" in json.loads(meta_path.read_text())["columns"]


def test_small_splits_are_stored_uncompressed_and_large_ones_with_lz4(
    make_hub: Callable[..., LocalHub], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Eval splits decode fastest uncompressed; past the limit, LZ4 shrinks the file.
    The same rows either way."""
    hub = make_hub()
    write_spec_repo(hub.root, get_spec("gsm8k"), rows=200)
    plain = crucible_pl.load_lazy("gsm8k", "test").collect()
    [path] = normalized_files(tmp_path / "crucible-cache")
    uncompressed = path.stat().st_size
    assert _normalized.compression_for(crucible_pl.load("gsm8k", "test").files()) == (
        "uncompressed"
    )
    from crucible_pl._cache import admin as _cache_admin

    monkeypatch.setattr(_normalized, "UNCOMPRESSED_UP_TO", 0)
    _cache_admin.apply_removal(_cache_admin.plan_removal("gsm8k"))
    assert_frame_equal(crucible_pl.load_lazy("gsm8k", "test").collect(), plain)
    [path] = normalized_files(tmp_path / "crucible-cache")
    assert path.stat().st_size < uncompressed * 0.8
