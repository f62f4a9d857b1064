"""load_lazy and info for any Hub repo, over HTTP against a LocalHub."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

import crucible_pl
from crucible_pl import errors
from crucible_pl.testing import LocalHub, write_repo

GSM_CARD = {
    "license": "mit",
    "configs": [
        {
            "config_name": "main",
            "data_files": [
                {"split": "train", "path": "main/train-*"},
                {"split": "test", "path": "main/test-*"},
            ],
        },
        {
            "config_name": "socratic",
            "data_files": [{"split": "test", "path": "socratic/test-*"}],
        },
    ],
}


def frame(n: int, prefix: str = "q", start: int = 0) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "question": [f"{prefix}{i}" for i in range(start, start + n)],
            "answer": [f"step #### {i}" for i in range(start, start + n)],
        }
    )


@pytest.fixture
def gsm_hub(make_hub: Callable[..., LocalHub]) -> LocalHub:
    hub = make_hub()
    write_repo(
        hub.root,
        "org/gsm",
        {
            "main/train-00000-of-00002.parquet": frame(30, "tr"),
            "main/train-00001-of-00002.parquet": frame(20, "tr", 30),
            "main/test-00000-of-00001.parquet": frame(10, "te"),
            "socratic/test-00000-of-00001.parquet": frame(5, "so"),
        },
        card=GSM_CARD,
    )
    return hub


def test_cold_load_downloads_only_the_requested_split(gsm_hub: LocalHub) -> None:
    df = crucible_pl.load_lazy("org/gsm", "test", config="main").collect()
    assert_frame_equal(df, frame(10, "te"))
    assert gsm_hub.downloads() == ["main/test-00000-of-00001.parquet"]


def test_warm_load_makes_no_request_and_works_with_the_server_gone(gsm_hub: LocalHub) -> None:
    cold = crucible_pl.load_lazy("org/gsm", "train", config="main").collect()
    gsm_hub.clear_requests()
    warm = crucible_pl.load_lazy("org/gsm", "train", config="main").collect()
    assert gsm_hub.requests == []
    assert_frame_equal(cold, warm)
    gsm_hub.stop()
    again = crucible_pl.load_lazy("org/gsm", "train", config="main").collect()
    assert_frame_equal(cold, again)
    assert again.height == 50


def test_sharded_split_is_read_in_shard_order(gsm_hub: LocalHub) -> None:
    df = crucible_pl.load_lazy("org/gsm", "train", config="main").collect()
    assert df["question"].to_list() == [f"tr{i}" for i in range(50)]
    assert sorted(gsm_hub.downloads()) == [
        "main/train-00000-of-00002.parquet",
        "main/train-00001-of-00002.parquet",
    ]


@pytest.mark.parametrize(
    ("split", "expected"),
    [
        ("train[:3]", [0, 1, 2]),
        ("train[-2:]", [48, 49]),
        ("train[10%:20%]", list(range(5, 10))),
        ("train[45:]", [45, 46, 47, 48, 49]),
        ("train[28:32]", [28, 29, 30, 31]),
    ],
)
def test_split_slices_stay_lazy_and_exact(
    gsm_hub: LocalHub, split: str, expected: list[int]
) -> None:
    lf = crucible_pl.load_lazy("org/gsm", split, config="main")
    assert isinstance(lf, pl.LazyFrame)
    assert lf.collect()["question"].to_list() == [f"tr{i}" for i in expected]


def test_split_union(gsm_hub: LocalHub) -> None:
    df = crucible_pl.load_lazy("org/gsm", "train[:2]+test[-1:]", config="main").collect()
    assert df["question"].to_list() == ["tr0", "tr1", "te9"]


def test_default_split_is_test_and_is_logged(
    gsm_hub: LocalHub, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="crucible_pl"):
        df = crucible_pl.load_lazy("org/gsm", config="main").collect()
    assert df["question"][0] == "te0"
    assert "using split 'test'" in caplog.text


def test_columns_projection(gsm_hub: LocalHub) -> None:
    lf = crucible_pl.load_lazy("org/gsm", "test", config="main", columns=["answer"])
    assert lf.collect_schema().names() == ["answer"]
    with pytest.raises(
        errors.ColumnNotFoundError, match=r"'anser'.*Available columns: question, answer"
    ):
        crucible_pl.load_lazy("org/gsm", "test", config="main", columns=["anser"])


def test_filter_projection_and_head_are_pushed_into_the_scan(
    make_hub: Callable[..., LocalHub],
) -> None:
    hub = make_hub()
    wide = frame(40).with_columns(extra=pl.int_range(40))
    write_repo(hub.root, "org/wide", {"data/test-00000-of-00001.parquet": wide})
    lf = crucible_pl.load_lazy("org/wide")
    plan = lf.filter(pl.col("question") == "q3").select("answer").explain()
    assert "Parquet SCAN" in plan
    assert "PROJECT 2/3 COLUMNS" in plan
    assert 'SELECTION: col("question") == "q3"' in plan
    head_plan = lf.select("extra").head(5).explain()
    assert "PROJECT 1/3 COLUMNS" in head_plan
    assert "SLICE: Positive { offset: 0, len: 5 }" in head_plan
    assert lf.filter(pl.col("question") == "q3").select("answer").collect().item() == "step #### 3"
    sliced = crucible_pl.load_lazy("org/wide", "test[10:20]").select("extra").head(3)
    assert sliced.collect()["extra"].to_list() == [10, 11, 12]


def test_unknown_config_and_split_list_what_exists(gsm_hub: LocalHub) -> None:
    with pytest.raises(
        errors.ConfigNotFoundError, match=r"'mian'.*Did you mean 'main'.*main, socratic"
    ):
        crucible_pl.load_lazy("org/gsm", "test", config="mian")
    with pytest.raises(errors.SplitNotFoundError, match=r"'tset'.*Available splits: test, train"):
        crucible_pl.load_lazy("org/gsm", "tset", config="main")
    with pytest.raises(errors.ConfigNotFoundError, match="none is marked default"):
        crucible_pl.load_lazy("org/gsm", "test")


def test_unknown_repo(gsm_hub: LocalHub) -> None:
    with pytest.raises(errors.DatasetNotFoundError, match="'org/nope' not found"):
        crucible_pl.load_lazy("org/nope")


@pytest.mark.parametrize("bad", ["../etc", "org/gsm/extra", "/abs/path", "org/..", "a b/c", ""])
def test_malformed_repo_ids_fail_before_any_request(gsm_hub: LocalHub, bad: str) -> None:
    with pytest.raises(errors.InvalidInputError) as info:
        crucible_pl.load_lazy(bad)
    assert isinstance(info.value, ValueError)
    assert gsm_hub.requests == []


@pytest.mark.parametrize("bad", ["test[:x]", "test[", "te st", "test[1:2:3]", "+test"])
def test_bad_split_strings_fail_before_any_request(gsm_hub: LocalHub, bad: str) -> None:
    with pytest.raises(errors.InvalidSplitError, match="Invalid split"):
        crucible_pl.load_lazy("org/gsm", bad, config="main")
    assert gsm_hub.requests == []


def test_offline_cold_load_names_what_is_missing(gsm_hub: LocalHub) -> None:
    with pytest.raises(errors.CacheMissError) as info:
        crucible_pl.load_lazy("org/gsm", "test", config="main", offline=True)
    assert "crucible-pl download org/gsm" in str(info.value)
    assert gsm_hub.requests == []
    crucible_pl.load_lazy("org/gsm", "test", config="main")
    gsm_hub.clear_requests()
    with pytest.raises(errors.CacheMissError) as info:
        crucible_pl.load_lazy("org/gsm", "train", config="main", offline=True)
    assert (info.value.config, info.value.split) == ("main", "train")
    assert "--config main --split train" in str(info.value)
    assert gsm_hub.requests == []


def test_hf_hub_offline_env_is_honoured(gsm_hub: LocalHub, monkeypatch: pytest.MonkeyPatch) -> None:
    crucible_pl.load_lazy("org/gsm", "test", config="main")
    gsm_hub.clear_requests()
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert crucible_pl.load_lazy("org/gsm", "test", config="main").collect().height == 10
    with pytest.raises(errors.CacheMissError, match="offline"):
        crucible_pl.load_lazy("org/gsm", "test", config="socratic")
    assert gsm_hub.requests == []


def test_branch_is_pinned_until_refresh(gsm_hub: LocalHub) -> None:
    first = crucible_pl.load_lazy("org/gsm", "test", config="main").collect()
    write_repo(gsm_hub.root, "org/gsm", {"main/test-00000-of-00001.parquet": frame(4, "new")})
    pinned = crucible_pl.load_lazy("org/gsm", "test", config="main").collect()
    assert_frame_equal(first, pinned)
    fresh = crucible_pl.load_lazy("org/gsm", "test", config="main", refresh=True).collect()
    assert fresh["question"].to_list() == ["new0", "new1", "new2", "new3"]
    # The old commit stays loadable from the cache by its sha, with no request.
    old_sha = crucible_pl.info("org/gsm", config="main", revision="main").sha
    assert old_sha != first.height  # sanity: a real sha string
    gsm_hub.clear_requests()
    assert crucible_pl.load_lazy("org/gsm", "test", config="main").collect().height == 4
    assert gsm_hub.requests == []


def test_revision_by_sha_and_unknown_revision(gsm_hub: LocalHub) -> None:
    sha = crucible_pl.info("org/gsm", config="main").sha
    df = crucible_pl.load_lazy("org/gsm", "test", config="main", revision=sha).collect()
    assert df.height == 10
    with pytest.raises(errors.RevisionNotFoundError, match="'v9' not found in org/gsm"):
        crucible_pl.load_lazy("org/gsm", "test", config="main", revision="v9")
    with pytest.raises(errors.InvalidInputError, match="Invalid revision"):
        crucible_pl.load_lazy("org/gsm", "test", config="main", revision="../main")


def test_conventions_without_card(make_hub: Callable[..., LocalHub]) -> None:
    hub = make_hub()
    write_repo(
        hub.root,
        "org/conv",
        {
            "data/train-00000-of-00001.parquet": frame(6, "tr"),
            "data/validation-00000-of-00001.parquet": frame(3, "va"),
        },
    )
    df = crucible_pl.load_lazy("org/conv").collect()
    assert df["question"].to_list() == ["va0", "va1", "va2"]
    assert hub.downloads() == ["data/validation-00000-of-00001.parquet"]


def test_data_dir_configs_and_jsonl_gz_conversion(make_hub: Callable[..., LocalHub]) -> None:
    hub = make_hub()
    write_repo(
        hub.root,
        "org/hh",
        {
            "harmless-base/train.jsonl.gz": frame(4, "h"),
            "harmless-base/test.jsonl.gz": frame(2, "ht"),
            "helpful-base/train.jsonl.gz": frame(3, "p"),
        },
    )
    df = crucible_pl.load_lazy("org/hh", "train", config="helpful-base").collect()
    assert_frame_equal(df, frame(3, "p"))
    assert hub.downloads() == ["helpful-base/train.jsonl.gz"]
    default = crucible_pl.load_lazy("org/hh", "train").collect()
    assert sorted(default["question"].to_list()) == sorted(
        [f"h{i}" for i in range(4)] + [f"p{i}" for i in range(3)]
    )
    hub.clear_requests()
    warm = crucible_pl.load_lazy("org/hh", "train", config="helpful-base").collect()
    assert hub.requests == []
    assert_frame_equal(warm, df)


@pytest.mark.parametrize("suffix", ["jsonl", "json", "csv", "csv.gz", "json.gz"])
def test_text_formats_are_converted_once(
    make_hub: Callable[..., LocalHub], suffix: str, tmp_path: Path
) -> None:
    hub = make_hub()
    write_repo(hub.root, "org/fmt", {f"test.{suffix}": frame(5)})
    df = crucible_pl.load_lazy("org/fmt").collect()
    assert_frame_equal(df, frame(5))
    converted = list((tmp_path / "crucible-cache" / "converted").rglob("*.parquet"))
    assert len(converted) == 1
    assert converted[0].name == f"test.{suffix}.parquet"


def test_convert_branch_when_main_has_no_data(make_hub: Callable[..., LocalHub]) -> None:
    hub = make_hub()
    write_repo(hub.root, "org/script", {"script.py": "print('legacy loading script')\n"})
    write_repo(
        hub.root,
        "org/script",
        {
            "default/train/0000.parquet": frame(7, "tr"),
            "default/validation/0000.parquet": frame(2, "va"),
        },
        ref="refs/convert/parquet",
    )
    df = crucible_pl.load_lazy("org/script").collect()
    assert df["question"].to_list() == ["va0", "va1"]
    assert hub.downloads() == ["default/validation/0000.parquet"]
    assert crucible_pl.load_lazy("org/script", "train[:2]").collect().height == 2


def test_gated_dataset_needs_a_token_and_never_leaks_it(
    make_hub: Callable[..., LocalHub],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    secret = "hf_SECRETtoken1234567890"
    hub = make_hub(gated={"org/gated": {secret}})
    write_repo(hub.root, "org/gated", {"test.parquet": frame(3)})
    with pytest.raises(errors.GatedDatasetError, match=r"gated or private.*HF_TOKEN") as info:
        crucible_pl.load_lazy("org/gated")
    assert isinstance(info.value, PermissionError)
    with pytest.raises(errors.GatedDatasetError, match="token you passed was refused") as info:
        crucible_pl.load_lazy("org/gated", token="hf_wrong_token_value")
    assert "hf_wrong_token_value" not in str(info.value)
    with caplog.at_level(logging.DEBUG):
        df = crucible_pl.load_lazy("org/gated", token=secret).collect()
        monkeypatch.setenv("HF_TOKEN", secret)
        crucible_pl.load_lazy("org/gated", refresh=True).collect()
    assert df.height == 3
    assert secret not in caplog.text
    for path in (tmp_path / "crucible-cache").rglob("*"):
        if path.is_file():
            assert secret.encode() not in path.read_bytes(), path


def test_info_reads_footers_without_downloading(gsm_hub: LocalHub) -> None:
    meta = crucible_pl.info("org/gsm", config="main")
    assert [(s.name, s.num_rows, s.num_files) for s in meta.splits] == [
        ("test", 10, 1),
        ("train", 50, 2),
    ]
    assert meta.columns == {"question": pl.String, "answer": pl.String}
    assert meta.configs == ("main", "socratic")
    assert meta.license == "mit"
    file_requests = [r for r in gsm_hub.requests if r.filename]
    assert file_requests, "footers are read remotely"
    assert all(r.range and r.range.startswith("bytes=-") for r in file_requests)
    assert "org/gsm" in repr(meta)


def test_info_reports_hub_features(make_hub: Callable[..., LocalHub], tmp_path: Path) -> None:
    hub = make_hub()
    features = '{"info": {"features": {"label": {"names": ["no", "yes"], "_type": "ClassLabel"}}}}'
    src = tmp_path / "with-features.parquet"
    pl.DataFrame({"label": [0, 1, 1]}).write_parquet(src, metadata={"huggingface": features})
    write_repo(hub.root, "org/feat", {"data/test-00000-of-00001.parquet": src.read_bytes()})
    meta = crucible_pl.info("org/feat")
    assert meta.features == {"label": {"names": ["no", "yes"], "_type": "ClassLabel"}}
    assert meta.splits[0].num_rows == 3


def test_info_offline_after_a_load(gsm_hub: LocalHub) -> None:
    crucible_pl.load_lazy("org/gsm", "test", config="main")
    gsm_hub.clear_requests()
    meta = crucible_pl.info("org/gsm", config="main", offline=True)
    rows = {s.name: s.num_rows for s in meta.splits}
    assert rows["test"] == 10
    assert gsm_hub.requests == []


def test_corrupt_manifest_is_resolved_again(gsm_hub: LocalHub, tmp_path: Path) -> None:
    crucible_pl.load_lazy("org/gsm", "test", config="main")
    for manifest in (tmp_path / "crucible-cache" / "manifests").rglob("*.json"):
        manifest.write_text("{ not json")
    df = crucible_pl.load_lazy("org/gsm", "test", config="main").collect()
    assert df.height == 10


def test_schema_drift_across_shards_survives_warm_loads(
    make_hub: Callable[..., LocalHub], tmp_path: Path
) -> None:
    hub = make_hub()
    write_repo(
        hub.root,
        "org/drift",
        {
            "data/train-00000-of-00002.parquet": frame(2),
            "data/train-00001-of-00002.parquet": frame(2, start=2).with_columns(extra=pl.lit(1)),
        },
    )
    cold = crucible_pl.load_lazy("org/drift").collect()
    assert cold["extra"].to_list() == [None, None, 1, 1]
    manifests = list((tmp_path / "crucible-cache").rglob("splits/*/train.json"))
    assert [m.read_text().count('"uniform_schema": false') for m in manifests] == [1]
    hub.clear_requests()
    assert_frame_equal(crucible_pl.load_lazy("org/drift").collect(), cold)
    assert hub.requests == []


def test_a_warm_load_in_a_fresh_process_never_imports_huggingface_hub(gsm_hub: LocalHub) -> None:
    import os
    import subprocess
    import sys

    crucible_pl.load_lazy("org/gsm", "test", config="main")
    gsm_hub.clear_requests()
    code = (
        "import sys, crucible_pl\n"
        "df = crucible_pl.load_lazy('org/gsm', 'test', config='main').collect()\n"
        "print(df.height, 'huggingface_hub' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=os.environ
    )
    assert out.stdout.split() == ["10", "False"]
    assert gsm_hub.requests == []


def test_unknown_config_of_a_registered_dataset_fails_before_any_request(
    make_hub: Callable[..., LocalHub],
) -> None:
    hub = make_hub()
    with pytest.raises(errors.ConfigNotFoundError, match=r"'mian' is not a config of gsm8k"):
        crucible_pl.load_lazy("gsm8k", "test", config="mian")
    assert hub.requests == []


def test_a_mistyped_config_of_a_registered_dataset_gets_did_you_mean() -> None:
    with pytest.raises(errors.ConfigNotFoundError, match=r"Did you mean 'astronomy'\?"):
        crucible_pl.load_lazy("mmlu", "test", config="astronmy")
