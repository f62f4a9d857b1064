"""Issue 14 item 1: a JSON array too large to read whole (Feedback Collection's 1 GB file is
one array) is converted in memory bounded by its largest element, to the same Parquet rows."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from crucible_pl._files import convert
from crucible_pl.errors import DataFormatError

ROWS = [
    {
        "instruction": f"Rate answer {i}",
        "output": "x" * (i % 7),
        "score": i % 5,
        "tags": ["a"] * (i % 3),
    }
    for i in range(2_000)
]


@pytest.mark.parametrize("gz", [False, True])
def test_a_streamed_array_gives_the_rows_polars_reads_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, gz: bool
) -> None:
    text = json.dumps(ROWS, indent=1)  # newlines and spaces between elements too
    source = tmp_path / ("data.json.gz" if gz else "data.json")
    source.write_bytes(gzip.compress(text.encode()) if gz else text.encode())
    whole = convert.convert_to_parquet(source, tmp_path / "whole.parquet")
    monkeypatch.setattr(convert, "STREAM_ARRAY_BYTES", 0)
    monkeypatch.setattr(convert, "_CHUNK", 997)  # elements straddle the buffer often
    monkeypatch.setattr(convert, "_BATCH", 333)  # several parts
    streamed = convert.convert_to_parquet(source, tmp_path / "streamed.parquet")
    assert_frame_equal(pl.read_parquet(streamed), pl.read_parquet(whole))
    assert pl.read_parquet(streamed).height == 2_000
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [source.name, "whole.parquet", "streamed.parquet"]
    )  # the intermediate JSON Lines file is gone


@pytest.mark.parametrize(
    ("content", "message"),
    [('[{"a": 1}, {"a": ', "not valid JSON"), ('[{"a": 1}', "ends inside its JSON array")],
)
def test_a_broken_array_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: str, message: str
) -> None:
    source = tmp_path / "bad.json"
    source.write_text(content)
    monkeypatch.setattr(convert, "STREAM_ARRAY_BYTES", 0)
    with pytest.raises(DataFormatError, match=message):
        convert.convert_to_parquet(source, tmp_path / "bad.parquet")
    assert not (tmp_path / "bad.parquet").exists()


CHILD = """
import json, resource, sys
from pathlib import Path
from crucible_pl._files import convert
source, dest = Path(sys.argv[1]), Path(sys.argv[2])
convert.STREAM_ARRAY_BYTES = 0
convert.convert_to_parquet(source, dest)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def _peak_mb(tmp_path: Path, count: int) -> float:
    """Peak memory of a child process converting a JSON array of ``count`` 2 KB elements."""
    element = json.dumps({"instruction": "q" * 1000, "output": "a" * 1000, "score": 3})
    source = tmp_path / f"big-{count}.json"
    with source.open("w") as out:
        out.write("[")
        for index in range(count):
            out.write(",\n" if index else "")
            out.write(element)
        out.write("]")
    dest = tmp_path / f"big-{count}.parquet"
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(source), str(dest)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert pl.scan_parquet(dest).select(pl.len()).collect().item() == count
    source.unlink()
    return int(done.stdout.strip()) / 1024


@pytest.mark.skipif(sys.platform != "linux", reason="ru_maxrss is in KiB on Linux")
def test_memory_does_not_grow_with_the_array(tmp_path: Path) -> None:
    # Read whole, Polars' peak grows with the file (about 900 MB for 200 MB here); streamed,
    # it is the parse of one batch plus the Parquet sink: 2.5 times the file, same peak.
    small, large = _peak_mb(tmp_path, 100_000), _peak_mb(tmp_path, 250_000)
    assert large < small * 1.25 + 30, (small, large)
