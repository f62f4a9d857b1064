"""Tests for _hub.datafiles and _files.formats: configs -> splits -> data files, as `datasets` does.

The layouts come from /work/shared/hub-cards (one per real Hub repo) and, where the
local mirror exists, from the real cards and files under /work/shared/hub.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from crucible_pl._files import formats as _formats
from crucible_pl._files.formats import SUPPORTED_SUFFIXES, data_format, is_data_file
from crucible_pl._hub import datafiles as _datafiles
from crucible_pl._hub import globs as _globs
from crucible_pl._hub.datafiles import (
    ConfigFiles,
    configs_from_card,
    configs_from_conventions,
    configs_from_convert_branch,
    default_config,
    default_split,
)
from crucible_pl._hub.globs import glob_to_regex
from crucible_pl.errors import DataFormatError

SHARED_HUB = Path(__file__).resolve().parents[3] / "shared" / "hub" / "datasets"
MMLU_SUBJECTS = ("abstract_algebra", "anatomy", "astronomy", "business_ethics")


def splits_of(configs: dict[str, ConfigFiles] | None, name: str) -> dict[str, tuple[str, ...]]:
    assert configs is not None
    return dict(configs[name].splits)


# ---------------------------------------------------------------------------------------
# formats and data files
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("data/train-00000-of-00001.parquet", ("parquet", None)),
        ("harmless-base/train.jsonl.gz", ("jsonl", "gzip")),
        ("x.ndjson", ("jsonl", None)),
        ("x.jsonl.zst", ("jsonl", "zstd")),
        ("new_feedback_collection.json", ("json", None)),
        ("a/b.json.gz", ("json", "gzip")),
        ("gpqa_main.csv", ("csv", None)),
        ("x.CSV.GZ", ("csv", "gzip")),
    ],
)
def test_data_format(path: str, expected: tuple[str, str | None]) -> None:
    assert data_format(path) == expected


@pytest.mark.parametrize("path", ["hellaswag.py", "images/a.png", "data.gz", "x.arrow", ".parquet"])
def test_data_format_rejects_unsupported_suffix(path: str) -> None:
    with pytest.raises(DataFormatError, match=r"Unsupported data file .*\.parquet"):
        data_format(path)


def test_supported_suffixes_cover_the_required_ones() -> None:
    required = {".parquet", ".jsonl", ".jsonl.gz", ".ndjson", ".json", ".json.gz", ".csv"}
    assert required | {".csv.gz"} <= set(SUPPORTED_SUFFIXES)
    assert all(data_format("f" + suffix) for suffix in SUPPORTED_SUFFIXES)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("data/train-00000-of-00001.parquet", True),
        ("test.jsonl", True),
        ("README.md", False),
        ("dataset_infos.json", False),
        ("sub/dataset_info.json", False),
        ("config.json", False),
        (".gitattributes", False),
        (".hidden/train.parquet", False),
        ("data/.train.parquet", False),
        ("hellaswag.py", False),
        ("feedback_collection.JPG", False),
    ],
)
def test_is_data_file(path: str, expected: bool) -> None:
    assert is_data_file(path) is expected


# ---------------------------------------------------------------------------------------
# glob matching
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("main/train-*", "main/train-00000-of-00001.parquet", True),
        ("main/train-*", "main/x/train-0.parquet", False),
        ("main/train-*", "socratic/train-0.parquet", False),
        ("*.csv", "a.csv", True),
        ("*.csv", "d/a.csv", False),
        ("**", "a/b/c.parquet", True),
        ("**/train[-._ 0-9]*", "train.jsonl.gz", True),
        ("**/train[-._ 0-9]*", "a/b/train-0.csv", True),
        ("**/train[-._ 0-9]*", "a/trains.csv", False),
        ("**/*[-._ 0-9]train[-._ 0-9]*", "data/my_train_0.csv", True),
        ("**/train/**", "data/train/shard_0.csv", True),
        ("**/train/**", "train/a/b.csv", True),
        ("**/train/**", "training/a.csv", False),
        ("data/?.csv", "data/a.csv", True),
        ("data/?.csv", "data/ab.csv", False),
        ("data/[!a]*.csv", "data/b.csv", True),
        ("data/[!a]*.csv", "data/a.csv", False),
        ("data/[ab].csv", "data/b.csv", True),
        ("x[/]y", "x/y", False),
        ("a+b(c).csv", "a+b(c).csv", True),
        ("[unclosed.csv", "[unclosed.csv", True),
        ("**.csv", "a/b.csv", True),
    ],
)
def test_glob_to_regex(pattern: str, path: str, expected: bool) -> None:
    assert bool(glob_to_regex(pattern).fullmatch(path)) is expected


# ---------------------------------------------------------------------------------------
# conventions (no configs block)
# ---------------------------------------------------------------------------------------

HH_RLHF = [
    "README.md",
    ".gitattributes",
    *(
        f"{d}/{s}.jsonl.gz"
        for d in ("harmless-base", "helpful-base", "helpful-online", "helpful-rejection-sampled")
        for s in ("train", "test")
    ),
    "red-team-attempts/red_team_attempts.jsonl.gz",
]


def test_hh_rlhf_default_and_data_dir_configs() -> None:
    configs = configs_from_conventions(HH_RLHF)
    assert list(configs) == [
        "default",
        "harmless-base",
        "helpful-base",
        "helpful-online",
        "helpful-rejection-sampled",
    ]
    default = splits_of(configs, "default")
    assert list(default) == ["train", "test"]
    assert len(default["train"]) == 4
    assert "red-team-attempts/red_team_attempts.jsonl.gz" not in default["train"]
    assert splits_of(configs, "harmless-base") == {
        "train": ("harmless-base/train.jsonl.gz",),
        "test": ("harmless-base/test.jsonl.gz",),
    }
    assert default_config(configs) == "default"


def test_helpsteer2_root_files_only() -> None:
    files = [
        "README.md",
        ".gitattributes",
        "train.jsonl.gz",
        "validation.jsonl.gz",
        "preference.jsonl.gz",
        "preference/preference.jsonl.gz",
        "disagreements.jsonl.gz",
        "disagreements/disagreements.jsonl.gz",
    ]
    configs = configs_from_conventions(files)
    assert list(configs) == ["default"]
    assert splits_of(configs, "default") == {
        "train": ("train.jsonl.gz",),
        "validation": ("validation.jsonl.gz",),
    }


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (["README.md", ".gitattributes", "test.jsonl"], {"test": ("test.jsonl",)}),  # MATH-500
        (
            ["README.md", ".gitattributes", "polaris-data-53K.jsonl"],
            {"train": ("polaris-data-53K.jsonl",)},
        ),
        (
            ["README.md", ".gitattributes", "ifeval_input_data.jsonl"],
            {"train": ("ifeval_input_data.jsonl",)},
        ),
        (
            ["train_0.csv", "train_1.csv", "test_0.csv", "dev.csv"],
            {
                "train": ("train_0.csv", "train_1.csv"),
                "validation": ("dev.csv",),
                "test": ("test_0.csv",),
            },
        ),
        (
            ["data/train/shard_0.csv", "data/train/shard_1.csv", "data/test/shard_0.csv"],
            {
                "train": ("data/train/shard_0.csv", "data/train/shard_1.csv"),
                "test": ("data/test/shard_0.csv",),
            },
        ),
    ],
    ids=["math500", "polaris", "ifeval", "keyword-files", "keyword-dirs"],
)
def test_single_default_config_layouts(
    files: list[str], expected: dict[str, tuple[str, ...]]
) -> None:
    configs = configs_from_conventions(files)
    assert splits_of(configs, "default") == expected


def test_sharded_names_give_verbatim_splits() -> None:
    files = [
        "README.md",
        "data/train_sft-00000-of-00001-8aba5401a3b757f5.parquet",
        "data/test_sft-00000-of-00001-fe658ed8e3578d4a.parquet",
        "data/random-00001-of-00002.parquet",
        "data/random-00000-of-00002.parquet",
        "data/train-00000-of-00001.parquet",
    ]
    configs = configs_from_conventions(files)
    assert list(configs) == ["default"]  # data/ is datasets' own directory, not a config
    splits = splits_of(configs, "default")
    assert list(splits) == ["train", "random", "test_sft", "train_sft"]
    assert splits["random"] == (
        "data/random-00000-of-00002.parquet",
        "data/random-00001-of-00002.parquet",
    )
    assert splits["train"] == ("data/train-00000-of-00001.parquet",)


def test_subject_directories_keep_hub_split_names() -> None:
    files = ["README.md"]
    files += [
        f"all/{s}-00000-of-00001.parquet" for s in ("test", "validation", "dev", "auxiliary_train")
    ]
    files += [
        f"{subject}/{s}-00000-of-00001.parquet"
        for subject in MMLU_SUBJECTS
        for s in ("test", "validation", "dev")
    ]
    configs = configs_from_conventions(files)
    assert set(configs) == {"default", "all", *MMLU_SUBJECTS}
    assert list(splits_of(configs, "all")) == ["validation", "test", "auxiliary_train", "dev"]
    assert splits_of(configs, "astronomy")["dev"] == ("astronomy/dev-00000-of-00001.parquet",)


def test_conventions_without_data_files_is_empty() -> None:
    # Rowan/hellaswag main: a loading script only.
    files = [".gitattributes", "README.md", "dataset_infos.json", "hellaswag.py"]
    assert configs_from_conventions(files) == {}


def test_mixed_formats_keep_the_most_common_one() -> None:
    files = ["data/train-00000-of-00002.parquet", "data/train-00001-of-00002.parquet"]
    files += ["data/train-00000-of-00001.csv"]
    splits = splits_of(configs_from_conventions(files), "default")
    assert splits == {"train": tuple(files[:2])}


def test_hidden_and_special_directories_are_ignored() -> None:
    files = [".cache/train.parquet", "__pycache__/train.parquet", "train.parquet"]
    assert splits_of(configs_from_conventions(files), "default") == {"train": ("train.parquet",)}


# ---------------------------------------------------------------------------------------
# card configs
# ---------------------------------------------------------------------------------------

GSM8K_FILES = [
    "README.md",
    "main/train-00000-of-00001.parquet",
    "main/test-00000-of-00001.parquet",
    "socratic/train-00000-of-00001.parquet",
    "socratic/test-00000-of-00001.parquet",
]
GSM8K_CARD: list[dict[str, Any]] = [
    {
        "config_name": name,
        "data_files": [
            {"split": "train", "path": f"{name}/train-*"},
            {"split": "test", "path": f"{name}/test-*"},
        ],
    }
    for name in ("main", "socratic")
]


def test_no_configs_block_gives_none() -> None:
    assert configs_from_card(None, GSM8K_FILES) is None
    assert configs_from_card([], GSM8K_FILES) is None


def test_gsm8k_card() -> None:
    configs = configs_from_card(GSM8K_CARD, GSM8K_FILES)
    assert configs is not None
    assert list(configs) == ["main", "socratic"]
    assert splits_of(configs, "socratic") == {
        "train": ("socratic/train-00000-of-00001.parquet",),
        "test": ("socratic/test-00000-of-00001.parquet",),
    }
    assert default_config(configs) is None  # two configs, none marked: the user must choose


def test_mbpp_card_default_true_and_prompt_split() -> None:
    card = [
        {
            "config_name": name,
            "default": name == "full",
            "data_files": [
                {"split": s, "path": f"{name}/{s}-*"}
                for s in ("train", "test", "validation", "prompt")
            ],
        }
        for name in ("full", "sanitized")
    ]
    files = [
        f"{n}/{s}-00000-of-00001.parquet"
        for n in ("full", "sanitized")
        for s in ("train", "test", "validation", "prompt")
    ]
    configs = configs_from_card(card, files)
    assert configs is not None
    assert configs["full"].default
    assert not configs["sanitized"].default
    assert default_config(configs) == "full"
    assert list(configs["full"].splits) == ["train", "test", "validation", "prompt"]
    assert configs["full"].splits["prompt"] == ("full/prompt-00000-of-00001.parquet",)


def test_feedback_collection_card_single_json_path() -> None:
    files = [
        ".gitattributes",
        "README.md",
        "feedback_collection.JPG",
        "new_feedback_collection.json",
    ]
    card = [
        {
            "config_name": "default",
            "data_files": [{"split": "train", "path": "new_feedback_collection.json"}],
        }
    ]
    configs = configs_from_card(card, files)
    assert splits_of(configs, "default") == {"train": ("new_feedback_collection.json",)}


def test_no_robots_card_custom_split_names() -> None:
    files = [
        "data/train_sft-00000-of-00001-8aba5401a3b757f5.parquet",
        "data/test_sft-00000-of-00001-fe658ed8e3578d4a.parquet",
    ]
    card = [
        {
            "config_name": "default",
            "data_files": [
                {"split": "train_sft", "path": "data/train_sft-*"},
                {"split": "test_sft", "path": "data/test_sft-*"},
            ],
        }
    ]
    splits = splits_of(configs_from_card(card, files), "default")
    assert splits == {"train_sft": (files[0],), "test_sft": (files[1],)}
    assert default_split(splits) is None


def test_card_data_files_string_and_list_forms() -> None:
    files = ["data.csv", "part0/a.csv", "part1/b.csv", "part2/c.csv"]
    card: list[dict[str, Any]] = [
        {"config_name": "one", "data_files": "data.csv"},
        {"config_name": "many", "data_files": ["part0/*", "part1/*"]},
        {"config_name": "paths", "data_files": [{"split": "test", "path": ["part1/*", "part2/*"]}]},
    ]
    configs = configs_from_card(card, files)
    assert splits_of(configs, "one") == {"train": ("data.csv",)}
    assert splits_of(configs, "many") == {"train": ("part0/a.csv", "part1/b.csv")}
    assert splits_of(configs, "paths") == {"test": ("part1/b.csv", "part2/c.csv")}


def test_card_data_dir_with_and_without_data_files() -> None:
    files = [
        "preference/train.jsonl.gz",
        "preference/validation.jsonl.gz",
        "edit/train.jsonl.gz",
        "edit/validation.jsonl.gz",
    ]
    card: list[dict[str, Any]] = [
        {"config_name": "preference", "default": True, "data_dir": "preference"},
        {
            "config_name": "edit",
            "data_dir": "edit",
            "data_files": [{"split": "validation", "path": "validation.jsonl.gz"}],
        },
        {"config_name": "everything"},
    ]
    configs = configs_from_card(card, files)
    assert splits_of(configs, "preference") == {
        "train": ("preference/train.jsonl.gz",),
        "validation": ("preference/validation.jsonl.gz",),
    }
    assert splits_of(configs, "edit") == {"validation": ("edit/validation.jsonl.gz",)}
    assert splits_of(configs, "everything")["train"] == (
        "edit/train.jsonl.gz",
        "preference/train.jsonl.gz",
    )
    assert configs is not None
    assert default_config(configs) == "preference"


def test_card_pattern_matching_nothing_drops_the_split() -> None:
    card = [
        {
            "config_name": "default",
            "data_files": [
                {"split": "train", "path": "data/train-*"},
                {"split": "test", "path": "data/test-*"},
            ],
        }
    ]
    files = [
        "README.md",
        "data/validation-00000-of-00001.parquet",
        "data/test-00000-of-00001.parquet",
    ]
    assert splits_of(configs_from_card(card, files), "default") == {"test": (files[2],)}


def test_card_ignores_non_data_files_matched_by_a_glob() -> None:
    card = [{"config_name": "default", "data_files": "**"}]
    files = ["README.md", "script.py", "dataset_infos.json", "rows.jsonl"]
    assert splits_of(configs_from_card(card, files), "default") == {"train": ("rows.jsonl",)}


@pytest.mark.parametrize(
    ("card", "message"),
    [
        ({"config_name": "x"}, "expected a list of configs"),
        ("configs", "expected a list of configs"),
        (["main"], "expected each config to be a mapping"),
        ([{"data_files": "a.csv"}], "no string `config_name`"),
        ([{"config_name": "a"}, {"config_name": "a"}], "'a' is listed twice"),
        ([{"config_name": "a", "data_files": {"train": "a.csv"}}], "data_files="),
        ([{"config_name": "a", "data_files": 3}], "data_files=3"),
        ([{"config_name": "a", "data_files": []}], "data_files=\\[\\]"),
        (
            [{"config_name": "a", "data_files": [{"split": "train"}]}],
            "data_files entry \\{'split': 'train'\\}",
        ),
        (
            [{"config_name": "a", "data_files": [{"split": "t", "path": "x", "extra": 1}]}],
            "data_files entry",
        ),
        ([{"config_name": "a", "data_files": [{"split": "t", "path": 5}]}], "data_files entry"),
        (
            [{"config_name": "a", "data_files": ["a.csv", {"split": "t", "path": "b"}]}],
            "entry 'a.csv'",
        ),
        (
            [
                {
                    "config_name": "a",
                    "data_files": [{"split": "t", "path": "x"}, {"split": "t", "path": "y"}],
                }
            ],
            "lists split 't' twice",
        ),
        (
            [{"config_name": "a", "data_files": [{"split": "bad split", "path": "x"}]}],
            "split name 'bad split'",
        ),
        ([{"config_name": "a", "data_dir": ["x"]}], "data_dir=\\['x'\\]"),
        (
            [{"config_name": "a", "default": True}, {"config_name": "b", "default": True}],
            "several configs are marked `default: true`: a, b",
        ),
    ],
)
def test_malformed_card_configs(card: Any, message: str) -> None:
    with pytest.raises(DataFormatError, match=message) as info:
        configs_from_card(card, ["a.csv"])
    assert "Valid forms of data_files" in str(info.value)


# ---------------------------------------------------------------------------------------
# convert branch
# ---------------------------------------------------------------------------------------


def test_hellaswag_convert_branch() -> None:
    files = [
        ".gitattributes",
        "default/train/0000.parquet",
        "default/validation/0000.parquet",
        "default/test/0000.parquet",
    ]
    configs = configs_from_convert_branch(files)
    assert list(configs) == ["default"]
    assert splits_of(configs, "default") == {
        "train": ("default/train/0000.parquet",),
        "validation": ("default/validation/0000.parquet",),
        "test": ("default/test/0000.parquet",),
    }
    assert default_split(configs["default"].splits) == "test"


def test_convert_branch_partial_and_several_configs() -> None:
    files = [
        "boolq/partial-train/0001.parquet",
        "boolq/partial-train/0000.parquet",
        "boolq/validation/0000.parquet",
        "cb/test/0000.parquet",
        "cb/partial-test/0000.parquet",
        "cb/test/notes.txt",
        "README.md",
        "deep/a/b/0000.parquet",
    ]
    configs = configs_from_convert_branch(files)
    assert list(configs) == ["boolq", "cb"]
    assert splits_of(configs, "boolq") == {
        "train": ("boolq/partial-train/0000.parquet", "boolq/partial-train/0001.parquet"),
        "validation": ("boolq/validation/0000.parquet",),
    }
    assert splits_of(configs, "cb") == {"test": ("cb/test/0000.parquet",)}  # full beats partial


# ---------------------------------------------------------------------------------------
# defaults
# ---------------------------------------------------------------------------------------


def test_default_config_rules() -> None:
    a, b = ConfigFiles("a"), ConfigFiles("b")
    assert default_config({"a": a, "b": b}) is None
    assert default_config({"a": a}) == "a"
    assert default_config({"a": a, "default": ConfigFiles("default")}) == "default"
    flagged = ConfigFiles("b", default=True)
    assert default_config({"default": ConfigFiles("default"), "b": flagged}) == "b"
    assert default_config({}) is None


@pytest.mark.parametrize(
    ("splits", "expected"),
    [
        (["train", "validation", "test"], "test"),
        (["train", "validation"], "validation"),
        (["train"], "train"),
        (["prompt"], "prompt"),
        (["train", "dev"], None),
        ([], None),
    ],
)
def test_default_split(splits: list[str], expected: str | None) -> None:
    assert default_split(splits) == expected


def test_all_is_exported() -> None:
    assert sorted(_datafiles.__all__) == sorted(set(_datafiles.__all__))
    assert all(hasattr(_datafiles, name) for name in _datafiles.__all__)
    assert all(hasattr(_formats, name) for name in _formats.__all__)
    assert all(hasattr(_globs, name) for name in _globs.__all__)


# ---------------------------------------------------------------------------------------
# real cards and files from the local Hub mirror
# ---------------------------------------------------------------------------------------


def _mirror(repo: str) -> tuple[list[dict[str, Any]] | None, list[str]]:
    root = SHARED_HUB / repo
    if not root.is_dir():
        pytest.skip(f"{root} is absent: the local Hub mirror in /work/shared is not available")
    files = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    text = (root / "README.md").read_text(encoding="utf-8")
    front = yaml.safe_load(text.split("---\n")[1])
    return front.get("configs"), files


@pytest.mark.realdata
def test_real_mmlu_card() -> None:
    card, files = _mirror("cais/mmlu")
    configs = configs_from_card(card, files)
    assert configs is not None
    assert len(configs) >= len(MMLU_SUBJECTS)
    assert splits_of(configs, "astronomy") == {
        "test": ("astronomy/test-00000-of-00001.parquet",),
        "validation": ("astronomy/validation-00000-of-00001.parquet",),
        "dev": ("astronomy/dev-00000-of-00001.parquet",),
    }
    on_disk = {name for name in configs if (SHARED_HUB / "cais/mmlu" / name).is_dir()}
    assert all(configs[name].splits for name in on_disk)


@pytest.mark.realdata
@pytest.mark.parametrize(
    ("repo", "config", "expected_splits"),
    [
        ("openai/gsm8k", "main", ["train", "test"]),
        ("google-research-datasets/mbpp", "full", ["train", "test", "validation", "prompt"]),
        ("google/boolq", "default", ["validation"]),
        ("openai/openai_humaneval", "openai_humaneval", ["test"]),
    ],
)
def test_real_cards(repo: str, config: str, expected_splits: list[str]) -> None:
    card, files = _mirror(repo)
    configs = configs_from_card(card, files)
    assert configs is not None
    assert list(configs[config].splits) == expected_splits
    assert all(len(paths) == 1 for paths in configs[config].splits.values())
    assert default_config(configs) in (config, None)
