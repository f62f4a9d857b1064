"""Tests for crucible_pl._files.parquet and .convert: scans, footers, conversion to Parquet."""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from crucible_pl._files import convert as _convert
from crucible_pl._files import parquet as _scan
from crucible_pl._files.convert import convert_to_parquet
from crucible_pl._files.parquet import (
    check_parquet,
    hf_features,
    parquet_row_count,
    parquet_schema,
    scan_parquet_files,
)
from crucible_pl.errors import DataFormatError, InvalidInputError

SHARED = Path(__file__).resolve().parents[3] / "shared"
MMLU_ASTRONOMY = SHARED / "hub/datasets/cais/mmlu/astronomy/test-00000-of-00001.parquet"

ROWS = [
    {"question": "1+1?", "answer": 2, "tags": ["a"]},
    {"question": "2+2?", "answer": 4, "tags": []},
    {"question": "3+3?", "answer": 6, "tags": ["b", "c"]},
]
EXPECTED = pl.DataFrame(
    {"question": ["1+1?", "2+2?", "3+3?"], "answer": [2, 4, 6], "tags": [["a"], [], ["b", "c"]]}
)


def jsonl_text(rows: list[dict[str, object]]) -> str:
    return "".join(json.dumps(row) + "\n" for row in rows)


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


# ---------------------------------------------------------------------------------------
# conversion
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "write"),
    [
        ("train.jsonl", lambda p: p.write_text(jsonl_text(ROWS))),
        ("train.ndjson", lambda p: p.write_text(jsonl_text(ROWS))),
        ("train.jsonl.gz", lambda p: p.write_bytes(gzip.compress(jsonl_text(ROWS).encode()))),
        ("train.json", lambda p: p.write_text(json.dumps(ROWS, indent=2))),  # array
        ("train.json.gz", lambda p: p.write_bytes(gzip.compress(json.dumps(ROWS).encode()))),
        ("misnamed.json", lambda p: p.write_text(jsonl_text(ROWS))),  # JSON Lines as .json
        ("array.jsonl.gz", lambda p: p.write_bytes(gzip.compress(json.dumps(ROWS).encode()))),
    ],
)
def test_convert_json_forms(tmp_path: Path, name: str, write: object) -> None:
    source = tmp_path / name
    write(source)  # type: ignore[operator]
    dest = tmp_path / "out" / "train.parquet"
    assert convert_to_parquet(source, dest) == dest
    assert_frame_equal(pl.read_parquet(dest), EXPECTED)
    assert leftovers(dest.parent) == ["train.parquet"]


CSV_TEXT = "question,answer,score\n1+1?,2,0.5\n2+2?,4,\n3+3?,6,1.25\n"
CSV_EXPECTED = pl.DataFrame(
    {"question": ["1+1?", "2+2?", "3+3?"], "answer": [2, 4, 6], "score": [0.5, None, 1.25]}
)


@pytest.mark.parametrize("compress", [False, True])
def test_convert_csv(tmp_path: Path, compress: bool) -> None:
    source = tmp_path / ("gpqa.csv.gz" if compress else "gpqa.csv")
    data = CSV_TEXT.encode()
    source.write_bytes(gzip.compress(data) if compress else data)
    dest = convert_to_parquet(source, tmp_path / "gpqa.parquet")
    assert_frame_equal(pl.read_parquet(dest), CSV_EXPECTED)


@pytest.mark.skipif(shutil.which("zstd") is None, reason="the zstd command is not installed")
def test_convert_zstd_jsonl_and_json_array(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text(jsonl_text(ROWS))
    (tmp_path / "b.json").write_text(json.dumps(ROWS))
    for name in ("a.jsonl", "b.json"):
        subprocess.run(["zstd", "-q", str(tmp_path / name)], check=True)
        dest = convert_to_parquet(tmp_path / f"{name}.zst", tmp_path / f"{name}.parquet")
        assert_frame_equal(pl.read_parquet(dest), EXPECTED)


def test_schema_inferred_over_all_rows(tmp_path: Path) -> None:
    # A key that first appears on row 20,001, and an int column that turns float there.
    rows: list[dict[str, object]] = [{"id": i, "x": 1} for i in range(20_000)]
    rows.append({"id": 20_000, "x": 1.5, "late": "here"})
    source = tmp_path / "late.jsonl"
    source.write_text(jsonl_text(rows))
    dest = convert_to_parquet(source, tmp_path / "late.parquet")
    assert parquet_schema(dest) == pl.Schema({"id": pl.Int64, "x": pl.Float64, "late": pl.String})
    tail = pl.read_parquet(dest).tail(2)
    expected = pl.DataFrame({"id": [19_999, 20_000], "x": [1.0, 1.5], "late": [None, "here"]})
    assert_frame_equal(tail, expected)


def test_csv_schema_inferred_over_all_rows(tmp_path: Path) -> None:
    lines = ["a,b"] + [f"{i},1" for i in range(500)] + ["500,text"]
    source = tmp_path / "late.csv"
    source.write_text("\n".join(lines) + "\n")
    dest = convert_to_parquet(source, tmp_path / "late.parquet")
    assert parquet_schema(dest) == pl.Schema({"a": pl.Int64, "b": pl.String})
    assert parquet_row_count(dest) == 501


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("broken.jsonl", b'{"a": 1}\n{"a": 2,,}\n'),
        ("broken.json", b'[{"a": 1}, {"a": '),
        ("broken.jsonl.gz", gzip.compress(b'{"a": 1}\n{"a": oops}\n')),
        ("object.json", b'{\n  "data": [1, 2]\n}\n'),
        ("truncated.jsonl.gz", gzip.compress(jsonl_text(ROWS).encode())[:-12]),
    ],
)
def test_broken_json_raises_and_leaves_nothing(tmp_path: Path, name: str, content: bytes) -> None:
    source = tmp_path / "src" / name
    source.parent.mkdir()
    source.write_bytes(content)
    out = tmp_path / "out"
    with pytest.raises(DataFormatError) as info:
        convert_to_parquet(source, out / "x.parquet")
    assert name in str(info.value)
    assert isinstance(info.value, ValueError)
    assert leftovers(out) == []


def test_empty_files_raise(tmp_path: Path) -> None:
    for name in ("empty.jsonl", "empty.csv", "blank.json"):
        source = tmp_path / name
        source.write_text("\n" if name == "blank.json" else "")
        with pytest.raises(DataFormatError, match=name):
            convert_to_parquet(source, tmp_path / f"{name}.parquet")
        assert not (tmp_path / f"{name}.parquet").exists()


def test_convert_is_idempotent(tmp_path: Path) -> None:
    source = tmp_path / "a.jsonl"
    source.write_text(jsonl_text(ROWS))
    dest = convert_to_parquet(source, tmp_path / "a.parquet")
    before = dest.stat().st_mtime_ns
    source.write_text("not json at all")  # a second call must not even read the source
    assert convert_to_parquet(source, dest) == dest
    assert dest.stat().st_mtime_ns == before
    assert_frame_equal(pl.read_parquet(dest), EXPECTED)


def test_convert_refuses_parquet_and_unknown_suffixes(tmp_path: Path) -> None:
    source = tmp_path / "a.parquet"
    EXPECTED.write_parquet(source)
    with pytest.raises(InvalidInputError, match="already Parquet"):
        convert_to_parquet(source, tmp_path / "b.parquet")
    txt = tmp_path / "a.txt"
    txt.write_text("x")
    with pytest.raises(DataFormatError, match="Unsupported data file"):
        convert_to_parquet(txt, tmp_path / "c.parquet")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.parquet", "a.txt"]


# ---------------------------------------------------------------------------------------
# Parquet footers
# ---------------------------------------------------------------------------------------


def test_row_count_and_schema(tmp_path: Path) -> None:
    path = tmp_path / "x.parquet"
    EXPECTED.write_parquet(path, row_group_size=1)
    assert parquet_row_count(path) == 3
    assert parquet_schema(path) == EXPECTED.schema


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "only 0 bytes"),
        (b"<html>rate limited</html>", "magic bytes"),
        (b"PAR1" + b"\x00" * 20 + b"\xff\xff\x00\x00PAR1", "footer length 65535"),
        (b"PAR1" + b"\x00" * 20 + b"\x08\x00\x00\x00PAR1", "not a valid Parquet file"),
    ],
)
def test_check_parquet_rejects_non_parquet(tmp_path: Path, content: bytes, problem: str) -> None:
    path = tmp_path / "test-00000-of-00001.parquet"
    path.write_bytes(content)
    with pytest.raises(DataFormatError, match=problem) as info:
        check_parquet(path)
    assert "test-00000-of-00001.parquet" in str(info.value)


def test_check_parquet_rejects_truncated_file(tmp_path: Path) -> None:
    good = tmp_path / "good.parquet"
    EXPECTED.write_parquet(good)
    check_parquet(good)  # no error
    cut = tmp_path / "cut.parquet"
    cut.write_bytes(good.read_bytes()[:-30])
    with pytest.raises(DataFormatError, match=r"cut\.parquet"):
        check_parquet(cut)


def test_footer_readers_raise_data_format_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.parquet"
    path.write_text("nope")
    for reader in (parquet_row_count, parquet_schema, hf_features):
        with pytest.raises(DataFormatError, match=r"bad\.parquet"):
            reader(path)


def test_hf_features_absent_or_invalid(tmp_path: Path) -> None:
    plain = tmp_path / "plain.parquet"
    EXPECTED.write_parquet(plain)
    assert hf_features(plain) is None
    bad = tmp_path / "bad_meta.parquet"
    EXPECTED.write_parquet(bad, metadata={"huggingface": "{not json"})
    assert hf_features(bad) is None
    wrong = tmp_path / "wrong_shape.parquet"
    EXPECTED.write_parquet(wrong, metadata={"huggingface": json.dumps({"info": 3})})
    assert hf_features(wrong) is None


def test_hf_features_written_metadata(tmp_path: Path) -> None:
    features = {"answer": {"names": ["no", "yes"], "_type": "ClassLabel"}}
    path = tmp_path / "meta.parquet"
    EXPECTED.write_parquet(
        path, metadata={"huggingface": json.dumps({"info": {"features": features}})}
    )
    assert hf_features(path) == features


@pytest.mark.realdata
def test_hf_features_on_real_mmlu_file() -> None:
    if not MMLU_ASTRONOMY.is_file():
        pytest.skip(f"{MMLU_ASTRONOMY} is absent: the local Hub mirror in /work/shared is missing")
    features = hf_features(MMLU_ASTRONOMY)
    assert features is not None
    assert features["answer"]["_type"] == "ClassLabel"
    assert features["answer"]["names"] == ["A", "B", "C", "D"]
    check_parquet(MMLU_ASTRONOMY)
    assert parquet_row_count(MMLU_ASTRONOMY) == 152


# ---------------------------------------------------------------------------------------
# scanning
# ---------------------------------------------------------------------------------------


def test_scan_two_files_one_lacking_a_column(tmp_path: Path) -> None:
    first, second = tmp_path / "0.parquet", tmp_path / "1.parquet"
    pl.DataFrame({"q": ["a", "b"], "a": [1, 2]}).write_parquet(first)
    pl.DataFrame({"q": ["c"], "a": [3], "extra": [True]}).write_parquet(second)
    expected = pl.DataFrame({"q": ["a", "b", "c"], "a": [1, 2, 3], "extra": [None, None, True]})
    assert_frame_equal(scan_parquet_files([first, second]).collect(), expected)
    # Either order: the column missing from the *first* file is inserted too.
    reverse = scan_parquet_files([second, first]).collect()
    assert reverse["extra"].to_list() == [True, None, None]
    assert reverse.columns == ["q", "a", "extra"]


def test_scan_widens_drifting_dtypes(tmp_path: Path) -> None:
    first, second = tmp_path / "0.parquet", tmp_path / "1.parquet"
    pl.DataFrame({"x": [1], "s": [{"k": 1}]}).write_parquet(first)
    pl.DataFrame({"x": [2.5], "s": [{"k": 2, "v": "z"}]}).write_parquet(second)
    out = scan_parquet_files([first, second]).collect()
    expected = pl.DataFrame({"x": [1.0, 2.5], "s": [{"k": 1, "v": None}, {"k": 2, "v": "z"}]})
    assert_frame_equal(out, expected)


def test_scan_row_index_is_int64_and_spans_files(tmp_path: Path) -> None:
    paths = []
    for i in range(3):
        path = tmp_path / f"{i}.parquet"
        pl.DataFrame({"v": [i * 10, i * 10 + 1]}).write_parquet(path)
        paths.append(path)
    lf = scan_parquet_files(paths, row_index="__row")
    expected = pl.DataFrame(
        {"__row": pl.Series([0, 1, 2, 3, 4, 5], dtype=pl.Int64), "v": [0, 1, 10, 11, 20, 21]}
    )
    assert_frame_equal(lf.collect(), expected)
    assert_frame_equal(lf.slice(3, 2).collect(), expected.slice(3, 2))


def test_scan_single_file_is_lazy_and_projectable(tmp_path: Path) -> None:
    path = tmp_path / "x.parquet"
    EXPECTED.write_parquet(path)
    lf = scan_parquet_files([path])
    assert isinstance(lf, pl.LazyFrame)
    assert_frame_equal(lf.select("answer").head(2).collect(), EXPECTED.select("answer").head(2))


def test_scan_paths_are_not_globs(tmp_path: Path) -> None:
    path = tmp_path / "a[1].parquet"
    EXPECTED.write_parquet(path)
    assert_frame_equal(scan_parquet_files([path]).collect(), EXPECTED)


def test_scan_needs_a_file() -> None:
    with pytest.raises(InvalidInputError, match="at least one Parquet file"):
        scan_parquet_files([])


def test_scan_incompatible_schemas(tmp_path: Path) -> None:
    first, second = tmp_path / "0.parquet", tmp_path / "1.parquet"
    pl.DataFrame({"x": [[1]]}).write_parquet(first)
    pl.DataFrame({"x": [{"a": 1}]}).write_parquet(second)
    with pytest.raises(DataFormatError, match="incompatible schemas"):
        scan_parquet_files([first, second])


def test_all_is_exported() -> None:
    assert all(hasattr(_scan, name) for name in _scan.__all__)
    assert all(hasattr(_convert, name) for name in _convert.__all__)
