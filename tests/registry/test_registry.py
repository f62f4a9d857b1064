"""Every registered dataset, end to end through a real Hub-compatible server.

One LocalHub per module serves a synthetic repo for every spec, shaped exactly like the
Hub (paths, formats, card configs, raw dtypes, ``refs/convert/parquet``). Each dataset's
test loads every config and split through ``load_lazy`` with a fresh cache and checks
the canonical schema, the ids, the labels, that a cold load downloads only that
config+split's files, and that a warm load makes no request at all.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator

import polars as pl
import pytest
from polars.testing import assert_frame_equal

import crucible_pl
from crucible_pl.errors import DatasetNotFoundError
from crucible_pl.registry import all_specs, get_spec
from crucible_pl.registry._spec import DatasetSpec
from crucible_pl.testing import LocalHub, write_spec_repo

SPECS = all_specs()
TOKEN = "hf_registry_test_token"
MAX_CONFIGS = 8
# Read at collection, before the autouse fixture clears CRUCIBLE_PL_* variables.
FULL_SWEEP = os.environ.get("CRUCIBLE_PL_TEST_ALL_CONFIGS") == "1"

# --------------------------------------------------------------------------------------
# The canonical columns of each family (shared/DESIGN.md)
# --------------------------------------------------------------------------------------

S, I64, F64 = pl.String(), pl.Int64(), pl.Float64()
MESSAGES = pl.List(pl.Struct({"role": pl.String, "content": pl.String}))
TEXT_OR_MESSAGES = (S, MESSAGES)
Allowed = tuple[pl.DataType, ...] | Callable[[pl.DataType], bool]


def _list_of_structs(dtype: pl.DataType) -> bool:
    return isinstance(dtype, pl.List) and isinstance(dtype.inner, pl.Struct)


RUBRIC = pl.Struct({f"score{i}": pl.String for i in range(1, 6)})

# family -> (required column -> allowed dtypes, optional column -> allowed dtypes)
FAMILY_COLUMNS: dict[str, tuple[dict[str, Allowed], dict[str, Allowed]]] = {
    "math": (
        {"input": (S,), "expected": (S,)},
        {"solution": (S,), "level": (I64,), "subject": (S,)},
    ),
    "multiple_choice": (
        {"input": (S,), "expected": (I64,), "choices": (pl.List(pl.String),)},
        {"subject": (S,)},
    ),
    "code": (
        {
            "input": (S,),
            "expected": (S,),
            "test": (S,),
            "entry_point": (S,),
            "language": (S,),
        },
        {},
    ),
    "chat": ({"input": (MESSAGES,), "expected": (S,), "messages": (MESSAGES,)}, {}),
    "preference": (
        {
            "input": TEXT_OR_MESSAGES,
            "expected": (pl.Null(),),
            "chosen": TEXT_OR_MESSAGES,
            "rejected": TEXT_OR_MESSAGES,
        },
        {"margin": (F64,)},
    ),
    "rated": ({"input": TEXT_OR_MESSAGES, "expected": (pl.Null(),), "response": (S,)}, {}),
    "rubric": ({"input": (S,), "expected": (S,), "criteria": (S,), "rubric": (RUBRIC,)}, {}),
    "instruction": (
        {
            "input": (S,),
            "expected": (pl.Null(),),
            "instruction_id_list": (pl.List(pl.String),),
            "kwargs": _list_of_structs,
        },
        {},
    ),
    "generation": (
        {
            "input": (S,),
            "expected": (S,),
            "correct_answers": (pl.List(pl.String),),
            "incorrect_answers": (pl.List(pl.String),),
        },
        {},
    ),
}
# Columns a dataset adds beyond its family's (a rated dataset's ratings are all Float64).
DATASET_EXTRAS: dict[str, dict[str, pl.DataType]] = {
    "deepmath": {"difficulty": F64},
    "polaris": {"pass_rate": F64},
    "deepcoder": {"starter_code": S},
    "hellaswag": {"ctx_a": S, "ctx_b": S},
    "feedback_collection": {"response": S, "feedback": S, "score": I64},
}
LABELED_FAMILIES = {"math", "multiple_choice", "code", "chat", "rubric", "generation"}


def hidden_labels(name: str, config: str, split: str) -> bool:
    """Config/splits whose Hub rows carry no reference (see tests/registry/test_registry_*.py)."""
    if split == "test" and name in ("hellaswag", "winogrande"):
        return True  # test labels withheld by the authors
    return name == "deepcoder" and config in ("lcbv5", "codeforces")  # tests only


def check_canonical_schema(spec: DatasetSpec, config: str, schema: pl.Schema) -> None:
    family = spec.for_config(config).family
    required, optional = FAMILY_COLUMNS[family]
    assert schema.names()[:3] == ["id", "input", "expected"]
    assert schema["id"] == pl.String
    allowed: dict[str, Allowed] = {"id": (S,), **optional, **required}
    allowed.update({k: (v,) for k, v in DATASET_EXTRAS.get(spec.name, {}).items()})
    assert set(required) <= set(schema.names()), f"missing {set(required) - set(schema)}"
    for column, dtype in schema.items():
        if family == "rated" and column not in allowed:
            assert dtype == pl.Float64, f"rating {column!r} is {dtype}"
            continue
        assert column in allowed, f"unexpected column {column!r} for family {family}"
        ok = allowed[column]
        good = ok(dtype) if callable(ok) else dtype in ok
        assert good, f"{spec.name}/{config}: {column} is {dtype}, expected {ok}"


def config_splits(spec: DatasetSpec, config: str) -> list[str]:
    hub_configs = spec.source_configs(config)
    return sorted({f.split for f in spec.hub_files if f.config in hub_configs})


def split_files(spec: DatasetSpec, config: str, split: str) -> dict[str, tuple[str, str]]:
    """Repo path -> (Hub config, split) of the files that make up ``config``/``split``."""
    hub_configs = spec.source_configs(config)
    return {
        f.path: (f.config, f.split)
        for f in spec.hub_files
        if f.config in hub_configs and f.split == split
    }


def touched_files(hub: LocalHub, repo: str) -> list[str]:
    """The repo files the hub was asked about (HEAD or GET on ``resolve``)."""
    return sorted({r.filename for r in hub.requests if r.repo_id == repo and r.filename})


def raw_schema(spec: DatasetSpec, config: str) -> pl.Schema:
    hub_config = spec.source_configs(config)[0]
    sub = spec.for_config(config)
    return pl.Schema(sub.raw_schema.get(hub_config) or spec.raw_schema[hub_config])


def configs_to_test(spec: DatasetSpec) -> tuple[str, ...]:
    """Every config, except for a spec with many look-alike configs (mmlu's 57 subjects):
    there the default, the unions and an even sample, so the module stays fast. Set
    CRUCIBLE_PL_TEST_ALL_CONFIGS=1 to load every config of every spec."""
    if FULL_SWEEP or len(spec.configs) <= MAX_CONFIGS:
        return spec.configs
    chosen = dict.fromkeys(
        c for c in spec.configs if c == spec.default_config or c in spec.hub_configs
    )
    rest = [c for c in spec.configs if c not in chosen]
    k = MAX_CONFIGS - len(chosen)  # evenly spaced, first and last included
    chosen.update(dict.fromkeys(rest[round(i * (len(rest) - 1) / (k - 1))] for i in range(k)))
    return tuple(c for c in spec.configs if c in chosen)


# --------------------------------------------------------------------------------------
# One hub for the module, a fresh cache per test
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def registry_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalHub]:
    root = tmp_path_factory.mktemp("registry-hub")
    for spec in SPECS:  # mmlu and mmlu_stem share cais/mmlu: same files, same card
        write_spec_repo(root, spec)
    gated = {s.repo: [TOKEN] for s in SPECS if s.gated}
    with LocalHub(root, gated=gated) as hub:
        yield hub


@pytest.fixture
def hub(registry_hub: LocalHub, monkeypatch: pytest.MonkeyPatch) -> LocalHub:
    monkeypatch.setenv("HF_ENDPOINT", registry_hub.url)
    registry_hub.clear_requests()
    return registry_hub


def test_registry_is_not_empty_and_names_are_unique() -> None:
    names = [s.name for s in SPECS]
    assert len(names) >= 20
    assert names == sorted(set(names))


def test_sampled_configs_keep_the_default_and_the_unions() -> None:
    mmlu = get_spec("mmlu")
    chosen = configs_to_test(mmlu)
    assert "all" in chosen
    assert mmlu.configs[-1] in chosen
    assert len(chosen) == (len(mmlu.configs) if FULL_SWEEP else MAX_CONFIGS)
    assert configs_to_test(get_spec("hendrycks_math")) == get_spec("hendrycks_math").configs


@pytest.mark.parametrize("spec", SPECS, ids=[s.name for s in SPECS])
def test_every_config_and_split_loads_canonically(spec: DatasetSpec, hub: LocalHub) -> None:
    token = TOKEN if spec.gated else None
    schemas: dict[str, pl.Schema] = {}
    loaded: set[tuple[str, str]] = set()  # (Hub config, split) pairs in the cache
    for config in configs_to_test(spec):
        family = spec.for_config(config).family
        splits = config_splits(spec, config)
        assert splits, f"{spec.name}/{config} has no hub_files"
        for split in splits:
            where = f"{spec.name}/{config}/{split}"
            hub.clear_requests()
            df = crucible_pl.load_lazy(spec.name, split, config=config, token=token).collect()

            # A cold load fetches exactly this config+split's files. Hub configs already
            # cached under another config (`all`, a union) are not fetched again; a file
            # whose bytes the HF cache holds already (an empty shard) gets a HEAD only.
            files = split_files(spec, config, split)
            wanted = sorted(path for path, pair in files.items() if pair not in loaded)
            assert touched_files(hub, spec.repo) == wanted, where
            assert set(hub.downloads(spec.repo)) <= set(wanted), where
            loaded.update(files.values())

            check_canonical_schema(spec, config, df.schema)
            assert df.height > 0, where
            assert df["id"].null_count() == 0, where
            assert df["id"].is_unique().all(), where
            if family in LABELED_FAMILIES:
                if hidden_labels(spec.name, config, split):
                    assert df["expected"].null_count() == df.height, where
                else:
                    assert df["expected"].null_count() == 0, where

            # a warm load makes no request and gives the same rows; so does raw=True
            hub.clear_requests()
            again = crucible_pl.load_lazy(spec.name, split, config=config, token=token)
            assert_frame_equal(again.collect(), df)
            raw = crucible_pl.load_lazy(spec.name, split, config=config, raw=True, token=token)
            want_raw = raw_schema(spec, config)
            got_raw = raw.collect_schema()
            assert got_raw.names() == want_raw.names(), where
            if all(path.endswith(".parquet") for path in files):
                # JSON and CSV hold no dtypes: their converted columns are inferred
                assert got_raw == want_raw, where
            assert hub.requests == [], where

            synthetic = crucible_pl.load_lazy(
                spec.name, split, config=config, source="synthetic", n=3
            )
            assert synthetic.collect_schema() == df.schema, where
            schemas.setdefault(config, df.schema)

    default = spec.default_config or spec.configs[0]
    meta = crucible_pl.info(spec.name, token=token)
    assert meta.config == default
    assert meta.family == spec.for_config(default).family
    assert meta.canonical == dict(schemas[default])


# --------------------------------------------------------------------------------------
# The catalogue and its errors
# --------------------------------------------------------------------------------------


def test_list_datasets_has_every_name() -> None:
    frame = crucible_pl.list_datasets()
    assert frame["name"].to_list() == [s.name for s in SPECS]
    assert frame.filter(pl.col("gated"))["name"].to_list() == [s.name for s in SPECS if s.gated]
    families = dict(zip(frame["name"], frame["family"], strict=True))
    assert families == {s.name: s.family for s in SPECS}


@pytest.mark.parametrize(
    ("typo", "suggested"),
    [("gsm8", "gsm8k"), ("mmlu_stm", "mmlu_stem"), ("humaneva", "humaneval"), ("Arc", "arc")],
)
def test_unknown_name_suggests_close_names(typo: str, suggested: str) -> None:
    with pytest.raises(DatasetNotFoundError, match="did you mean") as info:
        crucible_pl.load_lazy(typo, "test")
    assert repr(suggested) in str(info.value)
    assert info.value.dataset == typo
    with pytest.raises(DatasetNotFoundError, match=re.escape(repr(suggested))):
        crucible_pl.info(typo)


def test_unknown_name_far_from_everything_lists_the_registry() -> None:
    with pytest.raises(DatasetNotFoundError) as info:
        get_spec("zzzzzz")
    message = str(info.value)
    assert "did you mean" not in message
    assert all(s.name in message for s in SPECS)


# --------------------------------------------------------------------------------------
# Laziness
# --------------------------------------------------------------------------------------


def test_selection_and_head_project_the_scan(hub: LocalHub) -> None:
    lf = crucible_pl.load_lazy("mmlu", config="all").select("id", "expected").head(5)
    plan = lf.explain()
    scan = plan[plan.index("Parquet SCAN") :]
    projected = re.search(r"PROJECT (\d+)/(\d+) COLUMNS", scan)
    assert projected is not None, plan
    # The scan reads the normalized cache (canonical columns + the raw position): only
    # `id` and `expected` are decoded.
    assert int(projected.group(1)) == 2
    assert int(projected.group(2)) == len(get_spec("mmlu").columns) + 1
    assert "question" not in plan
    assert "choices" not in plan
    assert "SLICE" in scan
    df = lf.collect()
    assert df.columns == ["id", "expected"]
    assert df["id"].to_list() == [f"mmlu/all/test/{i}" for i in range(5)]
    assert hub.downloads("cais/mmlu") == ["all/test-00000-of-00001.parquet"]


def test_ifeval_kwargs_dtype_does_not_depend_on_the_file(hub: LocalHub) -> None:
    # The Hub file is JSON Lines: struct members null in every row are inferred as Null,
    # so the canonical `kwargs` must be cast to the declared struct, as synthetic rows are.
    from crucible_pl.registry.instruction import IFEVAL_KWARGS

    schema = crucible_pl.load_lazy("ifeval").collect_schema()
    assert schema["kwargs"] == pl.List(IFEVAL_KWARGS)


def test_gated_dataset_needs_its_token(hub: LocalHub) -> None:
    from crucible_pl.errors import GatedDatasetError

    gated = [s for s in SPECS if s.gated]
    assert gated
    for spec in gated:
        with pytest.raises(GatedDatasetError):
            crucible_pl.load_lazy(spec.name).collect()
        assert crucible_pl.load_lazy(spec.name, token=TOKEN).collect().height > 0
