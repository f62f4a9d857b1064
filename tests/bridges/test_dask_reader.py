"""Dask reads a whole split's canonical rows from the normalized cache, without crucible-pl.

Needs the ``dask`` extra (CI installs it in its own step); skipped without it.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl
import pytest
from polars.testing import assert_frame_equal

import crucible_pl
from crucible_pl.registry import get_spec
from crucible_pl.testing import LocalHub, write_spec_repo

dd = pytest.importorskip(
    "dask.dataframe", reason="needs the 'dask' extra: pip install -e '.[dask]'"
)

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.mark.parametrize("name", ["tulu3_sft", "gsm8k"])
def test_dask_reads_the_canonical_rows_of_the_normalized_file(
    make_hub: Callable[..., LocalHub], name: str
) -> None:
    hub = make_hub()
    write_spec_repo(hub.root, get_spec(name), rows=40)
    ds = crucible_pl.load(name)
    path = ds.normalized_file()
    assert path is not None
    frame = dd.read_parquet(path, columns=ds.columns).compute()
    assert list(frame.columns) == ds.columns
    assert len(frame) == len(ds)
    expected = ds.collect()
    # Scalar columns compare as they are; a chat's message lists by their contents.
    nested = [c for c, dtype in expected.schema.items() if isinstance(dtype, pl.List)]
    got = pl.from_pandas(frame.drop(columns=nested))
    assert_frame_equal(got, expected.drop(nested), check_dtypes=False)
    for column in nested:
        as_lists = [[dict(turn) for turn in turns] for turns in frame[column]]
        assert as_lists == expected[column].to_list()
