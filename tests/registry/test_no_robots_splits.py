"""Issue 14 item 1: no_robots loads both its layouts: today's train/test (9.5k and 500 rows)
and the late-2023 train_sft/test_sft files, normalized the same way."""

from __future__ import annotations

from collections.abc import Callable

import pytest

import crucible_pl
from crucible_pl.testing import LocalHub, write_repo


@pytest.mark.parametrize(("train", "test"), [("train", "test"), ("train_sft", "test_sft")])
def test_no_robots_either_split_naming(
    make_hub: Callable[..., LocalHub], train: str, test: str
) -> None:
    raw = crucible_pl.load_lazy("no_robots", "train_sft", source="synthetic", n=4, raw=True)
    frame = raw.collect()
    card = {
        "configs": [
            {
                "config_name": "default",
                "data_files": [
                    {"split": train, "path": f"data/{train}-*"},
                    {"split": test, "path": f"data/{test}-*"},
                ],
            }
        ]
    }
    hub = make_hub()
    files = {
        f"data/{train}-00000-of-00001.parquet": frame,
        f"data/{test}-00000-of-00001.parquet": frame.head(2),
    }
    write_repo(hub.root, "HuggingFaceH4/no_robots", files, card=card)
    default = crucible_pl.load("no_robots")  # the test split, whatever its name
    assert default.provenance.split == test
    assert len(default) == 2
    full = crucible_pl.load_lazy("no_robots", train).collect()
    assert full.height == 4
    assert {"id", "input", "expected", "messages"} <= set(full.columns)
