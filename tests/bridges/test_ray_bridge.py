"""Ray Data on a real local cluster: Dataset.to_ray and a sharded evaluation.

Needs the ``ray`` extra (CI installs it in its own step); skipped without it, or when a
local Ray cluster cannot start here (the reason is shown).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

import crucible_pl
from crucible_pl import errors
from crucible_pl.registry import get_spec
from crucible_pl.scoring import evaluate, merge_results
from crucible_pl.testing import LocalHub, write_spec_repo

ray = pytest.importorskip("ray", reason="needs the 'ray' extra: pip install -e '.[ray]'")
pa = pytest.importorskip("pyarrow", reason="Ray Data's dependency")

pytestmark = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
    pytest.mark.filterwarnings("ignore::FutureWarning"),
]

ROWS = 60


@pytest.fixture(scope="module")
def cluster() -> Iterator[None]:
    try:
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    except Exception as err:  # a sandbox without the resources Ray needs
        pytest.skip(f"a local Ray cluster could not start here: {err}")
    yield
    ray.shutdown()


@pytest.fixture
def mmlu(make_hub: Callable[..., LocalHub]) -> crucible_pl.Dataset:
    hub = make_hub()
    write_spec_repo(hub.root, get_spec("mmlu"), rows=ROWS)
    return crucible_pl.load("mmlu", "test", config="all")


def test_canonical_rows_with_the_same_count_and_values(
    cluster: None, mmlu: crucible_pl.Dataset
) -> None:
    ray_ds = mmlu.to_ray()
    assert ray_ds.count() == len(mmlu) == ROWS
    assert ray_ds.columns() == mmlu.columns
    rows = ray_ds.take_all()
    frame = mmlu.collect()
    assert [r["id"] for r in rows] == frame["id"].to_list()
    assert [list(r["choices"]) for r in rows[:3]] == frame["choices"].head(3).to_list()
    # Seeded sampling and shards carry over: the Ray rows are the Polars rows.
    sampled = mmlu.sample(10, seed=3)
    assert [r["id"] for r in sampled.to_ray().take_all()] == sampled.collect()["id"].to_list()
    shard = mmlu.shard(3, 1)
    assert shard.to_ray(blocks=2).count() == len(shard)


@pytest.mark.parametrize("name", ["tulu3_sft", "hh_rlhf", "mmlu"])
def test_a_whole_split_is_read_by_the_workers_from_the_normalized_file(
    cluster: None, make_hub: Callable[..., LocalHub], monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """No crucible-pl code on the workers: Ray reads the cache file's canonical columns
    (a chat's ``input`` and a preference pair's turn lists included), and the rows never
    pass through the driver (collecting there is made to fail)."""
    hub = make_hub()
    write_spec_repo(hub.root, get_spec(name), rows=ROWS)
    ds = crucible_pl.load(name)
    stored = ds.normalized_file()
    assert stored is not None
    assert "normalized" in Path(stored).parts

    def no_collect(*args: object, **kwargs: object) -> None:
        raise AssertionError("to_ray collected the rows on the driver")

    monkeypatch.setattr(crucible_pl.Dataset, "collect", no_collect)
    ray_ds = ds.to_ray()
    tables = ray.get(ray_ds.to_arrow_refs())
    monkeypatch.undo()
    assert ray_ds.columns() == ds.columns
    assert ray_ds.count() == len(ds)
    got = pl.from_arrow(pa.concat_tables(tables))
    assert isinstance(got, pl.DataFrame)
    assert_frame_equal(got, ds.collect())


def test_anything_but_a_whole_split_goes_through_the_driver(
    cluster: None, mmlu: crucible_pl.Dataset
) -> None:
    sliced = crucible_pl.load("mmlu", "test[:5]", config="all")
    for part in (mmlu.sample(7, seed=1), mmlu.filter(pl.col("expected") == 0), sliced):
        assert part.normalized_file() is None
        ray_ds = part.to_ray()
        assert [r["id"] for r in ray_ds.take_all()] == part.collect()["id"].to_list()


def test_raw_columns_for_a_repo_id(cluster: None, mmlu: crucible_pl.Dataset) -> None:
    raw = crucible_pl.load("cais/mmlu", "test", config="all")
    assert raw.to_ray().columns() == ["question", "subject", "choices", "answer"]


def test_sharded_evaluation_on_ray_workers_equals_one_process(
    cluster: None, mmlu: crucible_pl.Dataset
) -> None:
    frame = mmlu.collect()
    letters = "ABCD"
    preds = frame.select(
        "id",
        prediction=pl.when(pl.int_range(pl.len()) % 3 == 0)
        .then(pl.lit("A"))
        .otherwise(pl.col("expected").replace_strict(dict(enumerate(letters)))),
    )
    shards = [mmlu.shard(4, i, contiguous=True).collect() for i in range(4)]

    @ray.remote
    def score(refs: pl.DataFrame, predictions: pl.DataFrame) -> object:
        # A worker: crucible-pl's evaluate on its shard only.
        return evaluate(refs, predictions, family="multiple_choice", by="subject", seed=5)

    parts = ray.get([score.remote(shard, preds) for shard in shards])
    merged = merge_results(parts)
    whole = evaluate(frame, preds, family="multiple_choice", by="subject", seed=5)
    assert merged.items.equals(whole.items)
    assert merged.summary.equals(whole.summary)
    assert merged.provenance["evaluation"]["shards"] == 4


def test_merging_checks_its_inputs() -> None:
    refs = pl.DataFrame({"id": ["a", "b"], "expected": ["1", "2"]})
    preds = pl.DataFrame({"id": ["a", "b"], "prediction": ["1", "3"]})
    one = evaluate(refs, preds, family="math", n_bootstrap=0)
    with pytest.raises(errors.InvalidInputError, match="share reference ids"):
        merge_results([one, one])
    other = evaluate(refs[1:], preds, family="math", n_bootstrap=10)
    with pytest.raises(errors.InvalidInputError, match="n_bootstrap"):
        merge_results([evaluate(refs[:1], preds, family="math", n_bootstrap=0), other])
    with pytest.raises(errors.InvalidInputError, match="at least one"):
        merge_results([])
