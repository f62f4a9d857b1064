"""The two sources behind one interface, and the frame builder they share."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl
import pytest
from polars.testing import assert_frame_equal

import crucible_pl
from crucible_pl._load.frame import open_frame, open_source
from crucible_pl._load.request import LoadRequest
from crucible_pl._load.source import POSITION
from crucible_pl._load.source_hub import HubSource
from crucible_pl._load.source_synthetic import SyntheticSource
from crucible_pl._synthetic import generator_for
from crucible_pl.registry import get_spec
from crucible_pl.registry._spec import SyntheticRequest
from crucible_pl.testing import LocalHub, write_repo


@pytest.fixture
def toy_hub(make_hub: Callable[..., LocalHub]) -> LocalHub:
    hub = make_hub()
    write_repo(
        hub.root,
        "me/toy",
        {
            "data/train-00000-of-00002.parquet": pl.DataFrame({"q": ["a", "b", "c"]}),
            "data/train-00001-of-00002.parquet": pl.DataFrame({"q": ["d", "e"]}),
            "data/test-00000-of-00001.parquet": pl.DataFrame({"q": ["x", "y"]}),
        },
    )
    return hub


def test_each_request_opens_its_source(toy_hub: LocalHub) -> None:
    hub = open_source(LoadRequest.build("me/toy"))
    synthetic = open_source(LoadRequest.build("gsm8k", source="synthetic", n=4))
    assert isinstance(hub, HubSource)
    assert isinstance(synthetic, SyntheticSource)
    assert (hub.kind, hub.config, sorted(hub.split_names())) == (
        "hub",
        "default",
        ["test", "train"],
    )
    assert (synthetic.kind, synthetic.config, synthetic.sha) == ("synthetic", "main", "0" * 40)


def test_a_hub_split_is_every_file_of_it(toy_hub: LocalHub) -> None:
    source = HubSource.open(LoadRequest.build("me/toy"))
    rows = source.raw_split("train")
    assert (rows.raw_rows, rows.rows, len(rows.files)) == (5, 5, 2)
    assert rows.frame.collect()["q"].to_list() == ["a", "b", "c", "d", "e"]


def test_canonical_rows_carry_their_raw_position() -> None:
    source = SyntheticSource.open(LoadRequest.build("gsm8k", source="synthetic", n=6))
    rows = source.canonical_split("test")
    frame = rows.frame.collect()
    assert frame[POSITION].to_list() == list(range(6))
    assert (rows.raw_rows, rows.rows, rows.files) == (6, None, ())


@pytest.mark.parametrize(
    ("name", "split"),
    [
        ("gsm8k", "test"),
        ("arc", "test"),
        ("hh_rlhf", "test"),  # a union of Hub configs
        ("ultrafeedback", "train"),  # drops ties
        ("no_robots", "train_sft"),  # computed on read
        ("mmlu", "validation"),  # a union of 57 Hub configs
    ],
)
def test_a_synthetic_slice_is_what_slicing_then_normalizing_gives(name: str, split: str) -> None:
    """What the synthetic source did by itself (generate each Hub config, slice the raw rows,
    normalize) gives the rows the shared builder gives (normalize once, select positions)."""
    loaded = crucible_pl.load(name, f"{split}[10:50]", source="synthetic", n=30, seed=2)
    config = loaded.provenance.config
    spec = get_spec(name)
    governing = spec.for_config(config)
    hub_configs = spec.source_configs(config)
    pieces = []
    for hub_config in hub_configs:
        make = generator_for(spec, hub_config)
        assert make is not None
        lf = make(SyntheticRequest(hub_config, split, 30, 2)).lazy()
        lf = lf.with_row_index("__row").with_columns(pl.col("__row").cast(pl.Int64))
        if len(hub_configs) > 1:
            lf = lf.with_columns(pl.lit(hub_config, pl.String).alias("__config"))
        pieces.append(lf)
    raw = pl.concat(pieces, how="vertical_relaxed").slice(10, 40)
    expected = governing.normalize(raw, config=config, split=split).collect()
    assert expected.height > 0
    assert_frame_equal(loaded.collect(), expected)


def test_the_synthetic_source_goes_through_the_same_builder() -> None:
    loaded = open_frame(LoadRequest.build("gsm8k", "test[:3]+train[-2:]", source="synthetic", n=5))
    p = loaded.provenance
    assert (p.source, p.revision, p.split, p.family) == (
        "synthetic",
        "synthetic",
        "test[:3]+train[-2:]",
        "math",
    )
    assert loaded.num_rows is None  # a generator's row count is not known without a scan
    assert loaded.frame.collect().height == 5


def test_an_unknown_synthetic_split_lists_the_splits() -> None:
    with pytest.raises(
        crucible_pl.errors.SplitNotFoundError, match="Available splits: test, train"
    ):
        crucible_pl.load_lazy("gsm8k", "dev", source="synthetic")
