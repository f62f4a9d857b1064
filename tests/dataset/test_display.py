"""Notebook and text display of Dataset and EvalResult (issue 17 item 4)."""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser

import polars as pl
import pytest

import crucible_pl
from crucible_pl.testing import LocalHub, write_repo


class Cells(HTMLParser):
    """The text of every table cell, and whether any <script> element appears."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: list[str] = []
        self.scripts = 0
        self._in_cell = False

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self.scripts += tag == "script"
        if tag in ("td", "th"):
            self._in_cell = True
            self.cells.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th"):
            self._in_cell = False

    def handle_data(self, data: str) -> None:
        if self._in_cell:
            self.cells[-1] += data


def cells_of(page: str) -> Cells:
    parser = Cells()
    parser.feed(page)
    parser.cells = [c.strip().strip('"') for c in parser.cells]  # Polars quotes strings
    return parser


@pytest.fixture
def ds(make_hub: Callable[..., LocalHub]) -> crucible_pl.Dataset:
    hub = make_hub()
    rows = pl.DataFrame(
        {
            "id": [f"q{i}" for i in range(8)] + ["<script>alert(1)</script>"],
            "score": [float(i) / 3 for i in range(9)],
        }
    )
    write_repo(hub.root, "me/shown", {"data/test-00000-of-00001.parquet": rows})
    return crucible_pl.load("me/shown", "test")


def test_dataset_html_shows_provenance_rows_schema_and_the_first_rows(
    ds: crucible_pl.Dataset,
) -> None:
    page = ds._repr_html_()
    cells = cells_of(page)
    assert cells.scripts == 0  # every value escaped
    facts = dict(zip(cells.cells[0:18:2], cells.cells[1:18:2], strict=True))
    assert facts["dataset"] == "me/shown"
    assert facts["split"] == "test"
    assert facts["rows"] == "9"
    assert facts["sha"] == ds.provenance.sha
    assert "schema: 2 columns" in page
    assert {"id", "score", "str", "f64"} <= set(cells.cells)  # schema and preview headers
    assert {"q0", "q4"} <= set(cells.cells)
    assert "q5" not in cells.cells  # five rows previewed
    escaped = crucible_pl.load("me/shown", "test").filter(pl.col("id").str.contains("script"))
    assert "&lt;script&gt;" in escaped._repr_html_()
    assert cells_of(escaped._repr_html_()).scripts == 0


def test_dataset_text_display(ds: crucible_pl.Dataset) -> None:
    text = str(ds)
    lines = text.splitlines()
    assert lines[0] == repr(ds)
    assert re.search(r"^  rows\s+9$", text, re.M)
    assert "columns   id: String, score: Float64" in text
    assert "q0" in text
    assert "q5" not in text
    assert max(len(line) for line in lines) <= 100

    class Printer:
        def __init__(self) -> None:
            self.out = ""

        def text(self, value: str) -> None:
            self.out += value

    printer = Printer()
    ds._repr_pretty_(printer, False)
    assert printer.out == text


def test_a_display_never_raises_when_the_files_are_gone(ds: crucible_pl.Dataset) -> None:
    from pathlib import Path

    for file in ds.files():
        Path(file).unlink()
    assert "no preview" in ds._repr_html_()
    assert "no preview" in str(ds)


def test_eval_result_html_has_the_summary_with_intervals() -> None:
    refs = pl.DataFrame(
        {
            "id": ["a", "b", "c"],
            "expected": [0, 1, 1],
            "choices": [["x", "y"]] * 3,
            "subject": ["s", "s", "t"],
        }
    )
    preds = pl.DataFrame({"id": ["a", "b", "c"], "prediction": ["A", "A", "B"]})
    result = crucible_pl.evaluate(refs, preds, family="multiple_choice", by="subject", seed=3)
    page = result._repr_html_()
    cells = cells_of(page).cells
    assert {"metric", "scope", "mean", "ci_low", "ci_high", "choice_match", "overall"} <= set(cells)
    assert "0.6667" in cells  # the overall mean, rounded for display
    assert not any(re.fullmatch(r"0\.\d{5,}", c) for c in cells)  # no long floats
    assert "3 items; 0 missing (scored 0)" in page
    assert "95% bootstrap intervals, 1000 resamples, seed 3" in page
    text = str(result)
    assert text.splitlines()[0] == repr(result)
    assert "0.6667" in text
    assert "null" not in text


def test_to_arrow_and_to_pandas(ds: crucible_pl.Dataset) -> None:
    pytest.importorskip("pyarrow", reason="to_arrow needs pyarrow")
    assert ds.to_arrow().num_rows == 9
    pytest.importorskip("pandas", reason="to_pandas needs pandas")
    assert list(ds.to_pandas().columns) == ["id", "score"]
