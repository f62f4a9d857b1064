"""Issue 14 item 3: several configs in one load, with a ``config`` column and one
provenance part per config. Before: ``config=[...]`` failed with a regex-style message."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

import crucible_pl
from crucible_pl import errors
from crucible_pl.testing import LocalHub, write_repo


@pytest.mark.realdata
def test_two_mmlu_subjects_from_the_real_files(use_real_hub: LocalHub) -> None:
    both = crucible_pl.load("mmlu", "test", config=["astronomy", "anatomy"])
    one = {
        c: crucible_pl.load_lazy("mmlu", "test", config=c).collect()
        for c in ("astronomy", "anatomy")
    }
    frame = both.lazy().collect()
    assert frame.columns[0] == "config"
    assert len(both) == frame.height == 152 + 135
    for config, alone in one.items():
        rows = frame.filter(pl.col("config") == config).drop("config")
        assert_frame_equal(rows, alone)
    assert frame["config"].to_list() == ["astronomy"] * 152 + ["anatomy"] * 135
    prov = both.provenance
    assert [(p.config, p.split, p.repo) for p in prov.parts] == [
        ("astronomy", "test", "cais/mmlu"),
        ("anatomy", "test", "cais/mmlu"),
    ]
    assert prov.sha == prov.parts[0].sha == prov.parts[1].sha
    assert prov.family == "multiple_choice"


def test_raw_configs_with_different_columns_are_stacked_by_name(
    make_hub: Callable[..., LocalHub],
) -> None:
    hub = make_hub()
    card = {
        "configs": [
            {"config_name": "a", "data_files": [{"split": "test", "path": "a.parquet"}]},
            {"config_name": "b", "data_files": [{"split": "test", "path": "b.jsonl"}]},
        ]
    }
    files = {
        "a.parquet": pl.DataFrame({"x": [1, 2], "y": ["p", "q"]}),
        "b.jsonl": pl.DataFrame({"x": [3], "z": [True]}),
    }
    write_repo(hub.root, "me/two", files, card=card)
    frame = crucible_pl.load_lazy("me/two", "test", config=["a", "b"]).collect()
    assert frame.to_dicts() == [
        {"config": "a", "x": 1, "y": "p", "z": None},
        {"config": "a", "x": 2, "y": "q", "z": None},
        {"config": "b", "x": 3, "y": None, "z": True},
    ]
    sliced = crucible_pl.load_lazy("me/two", "test[:1]", config=["b", "a"], columns=["x"])
    assert sliced.collect().rows() == [("b", 3), ("a", 1)]


def test_provenance_parts_survive_save_and_load_from_disk(tmp_path: Path) -> None:
    ds = crucible_pl.load("mmlu", "test", config=["astronomy", "anatomy"], source="synthetic", n=2)
    ds.save(tmp_path / "two.parquet")
    back = crucible_pl.load_from_disk(tmp_path / "two.parquet")
    assert [p.config for p in back.provenance.parts] == ["astronomy", "anatomy"]
    assert back.provenance.parts == ds.provenance.parts


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ([], "a non-empty list of config names"),
        (["astronomy", "astronomy"], "'astronomy' more than once"),
        (["astronomy", "astronmy"], "Did you mean 'astronomy'"),
        (["astronomy", 3], "Invalid config name 3"),
        ({"astronomy"}, "a non-empty list of config names"),
    ],
)
def test_bad_config_lists_are_refused_before_any_request(config: object, message: str) -> None:
    with pytest.raises(errors.CrucibleError, match=message):
        crucible_pl.load_lazy("mmlu", "test", config=config)  # type: ignore[arg-type]


def test_info_says_it_takes_one_config() -> None:
    with pytest.raises(errors.InvalidInputError, match="info\\(\\) describes one config"):
        crucible_pl.info("mmlu", config=["astronomy", "anatomy"])  # type: ignore[arg-type]


def test_a_list_of_one_config_is_a_plain_load() -> None:
    frame = crucible_pl.load_lazy("gsm8k", "test", config=["main"], source="synthetic", n=2)
    assert "config" not in frame.collect_schema()
