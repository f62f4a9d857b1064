"""``crucible_pl.testing.write_repo`` cuts Parquet row groups as ``datasets`` does.

The benchmarks compare crucible-pl's reads with reads of Hub-shaped files, so those
files must be laid out as the Hub's are: ``datasets`` (``push_to_hub``, ``to_parquet``)
ends a row group at ``config.MAX_ROW_GROUP_SIZE`` bytes. Needs the ``interop`` extra.
"""

from __future__ import annotations

import io
from pathlib import Path

import polars as pl
import pytest

from crucible_pl.testing import _fixtures, write_repo

datasets = pytest.importorskip("datasets", reason="needs the 'interop' extra")
pq = pytest.importorskip("pyarrow.parquet", reason="pyarrow comes with datasets")


def test_write_repo_cuts_row_groups_where_datasets_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 1 MB groups instead of 100 MB, on both sides, so a small frame has several.
    monkeypatch.setattr(datasets.config, "MAX_ROW_GROUP_SIZE", "1MB")
    monkeypatch.setattr(_fixtures, "_HUB_ROW_GROUP_BYTES", 10**6)
    frame = pl.DataFrame(
        {
            "question": [f"question {i} " + "words " * 100 for i in range(6_000)],
            "answer": list(range(6_000)),
        }
    )
    theirs = io.BytesIO()
    datasets.Dataset.from_polars(frame).to_parquet(theirs)
    write_repo(tmp_path, "me/layout", {"data/train.parquet": frame})
    [ours] = tmp_path.rglob("train.parquet")

    their_groups = pq.ParquetFile(io.BytesIO(theirs.getvalue())).metadata.num_row_groups
    our_groups = pq.ParquetFile(ours).metadata.num_row_groups
    assert their_groups > 1
    assert abs(our_groups - their_groups) <= 1, (our_groups, their_groups)
    assert pl.read_parquet(ours).equals(frame)
