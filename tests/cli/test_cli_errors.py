"""Issue 13 items 7, 8 and 10: huge counts, bad k, non-bool flags, and no traceback in the CLI."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl
import pytest
from click.testing import CliRunner, Result

import crucible_pl
from crucible_pl import _api, _config, cli
from crucible_pl.errors import CrucibleError, InvalidInputError
from crucible_pl.testing import LocalHub, write_repo

TOY = {
    "data/test-00000-of-00001.parquet": pl.DataFrame(
        {"id": ["r0", "r1", "r2"], "q": ["1+1", "2+2", "3+3"], "a": [2, 4, 6]}
    ),
}


def run(*args: str) -> Result:
    return CliRunner().invoke(cli.main, list(args))


@pytest.fixture
def hub(make_hub: Callable[..., LocalHub]) -> LocalHub:
    hub = make_hub()
    write_repo(hub.root, "me/toy", TOY)
    return hub


def test_sample_and_head_above_the_index_type_return_every_row(hub: LocalHub) -> None:
    # Before: OverflowError "number too large to fit in target type" from Polars.
    ds = crucible_pl.load("me/toy", "test")
    assert ds.sample(2**32 + 5).collect()["id"].sort().to_list() == ["r0", "r1", "r2"]
    assert ds.head(10**12).collect().height == 3
    assert len(ds.head(10**12)) == 3


def test_cli_head_with_a_huge_n_prints_every_row(hub: LocalHub) -> None:
    result = run("head", "me/toy", "-s", "test", "-n", str(10**12), "--json")
    assert result.exit_code == 0, result.output
    assert '"r2"' in result.stdout
    assert "Traceback" not in result.output


def test_k_fold_rejects_k_above_the_row_count_and_non_ints(hub: LocalHub) -> None:
    ds = crucible_pl.load("me/toy", "test")
    # Before: k=4 gave an empty fourth test fold, and k=10**9 built 10**9 query pairs.
    for k in (4, 10**9):
        with pytest.raises(InvalidInputError, match=r"has 3 rows.*k <= 3"):
            ds.k_fold(k)
    for bad in (1, True, 2.0, "3"):
        with pytest.raises(InvalidInputError, match="expected an int >= 2"):
            ds.k_fold(bad)  # type: ignore[arg-type]
    folds = ds.k_fold(3)
    assert sorted(len(test) for _, test in folds) == [1, 1, 1]
    # The row count of a filtered dataset is not known in advance: it is counted.
    with pytest.raises(InvalidInputError, match="has 2 rows"):
        ds.filter(pl.col("a") > 2).k_fold(3)


def test_boolean_flags_reject_non_bools() -> None:
    # Before: offline="no" was truthy, so it meant offline.
    for bad in ("no", 0, 1, "False"):
        with pytest.raises(InvalidInputError, match="expected True, False or None"):
            _config.is_offline(bad)  # type: ignore[arg-type]
        with pytest.raises(InvalidInputError, match="allow_code_execution"):
            _config.allow_code_execution(bad)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="offline='no'"):
        crucible_pl.load("me/toy", "test", offline="no")  # type: ignore[arg-type]


def test_offline_false_wins_over_hf_hub_offline(
    hub: LocalHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert _config.is_offline(False) is False
    ds = crucible_pl.load("me/toy", "test", offline=False)
    assert ds.collect()["id"].to_list() == ["r0", "r1", "r2"]


def test_cli_turns_an_unexpected_error_into_one_line(
    hub: LocalHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full_disk(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(_api, "load_lazy", full_disk)
    result = run("head", "me/toy")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines == [
        "error: unexpected OSError: [Errno 28] No space left on device. Run again with "
        "--debug for the traceback, and report it if it is not about your disk or input."
    ]
    debug = run("--debug", "head", "me/toy")
    assert debug.exit_code == 1
    assert "Traceback" in debug.stderr
    assert issubclass(InvalidInputError, CrucibleError)
