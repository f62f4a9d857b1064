"""Issue 14 item 1 (part): a normalizer meeting raw columns it does not expect says so.

Before, a drifted Hub layout failed inside the normalizer with a bare Polars error (or,
for some dtypes, normalized into wrong values). Now the scan's schema is checked against
the spec's raw schema first: the error names the dataset, the column and both dtypes.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl
import pytest
from click.testing import CliRunner

import crucible_pl
from crucible_pl import cli
from crucible_pl.errors import DataFormatError
from crucible_pl.testing import LocalHub, write_repo

TEST_FILE = "main/test-00000-of-00001.parquet"


@pytest.fixture
def hub(make_hub: Callable[..., LocalHub]) -> LocalHub:
    return make_hub()


def test_a_column_of_another_kind_is_named_with_both_dtypes(hub: LocalHub) -> None:
    frame = pl.DataFrame({"question": ["1+1?"], "answer": [{"text": "2", "value": 2}]})
    write_repo(hub.root, "openai/gsm8k", {TEST_FILE: frame})
    with pytest.raises(DataFormatError) as caught:
        crucible_pl.load_lazy("gsm8k", "test")
    message = str(caught.value)
    assert "gsm8k (config 'main', split 'test'): column 'answer' is Struct" in message
    assert "the normalizer expects String" in message
    assert "raw=True" in message
    result = CliRunner().invoke(cli.main, ["head", "gsm8k", "--split", "test"])
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr


def test_a_missing_column_lists_the_columns_found(hub: LocalHub) -> None:
    write_repo(hub.root, "openai/gsm8k", {TEST_FILE: pl.DataFrame({"prompt": ["1+1?"]})})
    with pytest.raises(DataFormatError, match=r"have no column 'question' .* they have prompt\."):
        crucible_pl.load_lazy("gsm8k", "test")


def test_extra_columns_and_same_kind_dtypes_are_fine(hub: LocalHub) -> None:
    frame = pl.DataFrame(
        {"question": ["1+1?"], "answer": ["1 + 1 = 2\n#### 2"], "source": ["new column"]}
    ).with_columns(pl.col("question").cast(pl.Categorical))
    write_repo(hub.root, "openai/gsm8k", {TEST_FILE: frame})
    out = crucible_pl.load_lazy("gsm8k", "test").collect()
    assert out["expected"].to_list() == ["2"]
