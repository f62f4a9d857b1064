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
from crucible_pl.testing import LocalHub, write_repo, write_spec_repo

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


def test_long_conversations_are_stored_in_row_groups_of_a_few_megabytes(
    make_hub: Callable[..., LocalHub],
) -> None:
    """A reader task (a Dask partition, a Ray block) takes one row group or more: long
    rows get groups of about 8 MiB (here 300 rows of 80 kB canonical bytes: 3 groups,
    not one of 24 MB), and short rows keep whole-split groups. The rows read back as
    the same canonical rows."""
    pq = pytest.importorskip("pyarrow.parquet", reason="pyarrow comes with the 'dask' extra")
    hub = make_hub()
    spec = get_spec("tulu3_sft")
    write_spec_repo(hub.root, spec, rows=3)
    turn = "word " * 4_000  # 20 kB a turn, as in long reasoning traces
    messages = pl.List(pl.Struct({"content": pl.String, "role": pl.String}))
    for shard, hub_file in enumerate(spec.hub_files):
        rows = [
            {
                "id": f"conv-{shard}-{row}",
                "messages": [
                    {"content": f"{shard}/{row} {turn}", "role": "user"},
                    {"content": f"{row}/{shard} {turn}", "role": "assistant"},
                ],
                "source": "long",
            }
            for row in range(50)
        ]
        frame = pl.DataFrame(
            rows, schema={"id": pl.String, "messages": messages, "source": pl.String}
        )
        write_repo(hub.root, spec.repo, {hub_file.path: frame})
    ds = crucible_pl.load("tulu3_sft")
    path = ds.normalized_file()
    assert path is not None
    metadata = pq.ParquetFile(path).metadata
    sizes = [metadata.row_group(i).total_byte_size for i in range(metadata.num_row_groups)]
    assert metadata.num_rows == len(ds) == 300
    # 8 MiB is estimated from the first rows, so allow some slack around it.
    assert metadata.num_row_groups >= 2, sizes
    assert max(sizes) <= 12 * 2**20, sizes
    frame = dd.read_parquet(path, columns=["id", "expected"]).compute()
    assert frame["id"].tolist() == ds.collect()["id"].to_list()
    assert frame["expected"].tolist() == ds.collect()["expected"].to_list()

    write_spec_repo(hub.root, get_spec("gsm8k"), rows=40)
    short = crucible_pl.load("gsm8k").normalized_file()
    assert short is not None
    assert pq.ParquetFile(short).metadata.num_row_groups == 1
