"""Benchmark the normalizers: normalized vs raw ``load_lazy(...).collect()`` on the same files.

Usage::

    python bench/bench_normalize.py [--rows N] [--repeat R] [--only NAME ...]
        [--short-texts] [--max-mb MB] [--compression policy|uncompressed|lz4]

For every registered dataset (``CASES``; a dataset without a case fails the run), a
synthetic repo shaped exactly like the registered spec's Hub
repo is written: ``write_spec_repo(rows=3)`` lays out every file and the card, then the
files of the measured config and split are rewritten with ``--rows`` rows in total
(spread over their shards), made by the spec's own synthetic generator and cast to its
raw schema, exactly as ``write_spec_repo(rows=...)`` makes them. (Passing the big
``rows=`` to ``write_spec_repo`` itself would write it to every file: 175 files for MMLU.)
Every text is made distinct per row and, unless ``--short-texts``, lengthened until a row
takes the bytes it takes on the Hub (``Case.row_bytes``, from the Hub cards); a split
whose Hub-sized rows would pass ``--max-mb`` gets fewer rows.

All repos are served by one ``LocalHub``; one cold load per dataset fills a fresh cache.
Then, warm, ``load_lazy(name, ...).collect()`` and ``load_lazy(name, ..., raw=True)
.collect()`` are timed alternately (``--repeat`` runs each, median), with zero requests to
the hub (asserted). Target: the normalizer adds <= 25% to the raw collect.

Last, ``load_lazy("mmlu", config="all").select("id", "expected").head(5).collect()`` is
compared with the full normalized collect, to show that projection and ``head`` reach
the scan.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path
from typing import Any

import polars as pl

import crucible_pl
from crucible_pl._load import normalized
from crucible_pl._synthetic import generator_for
from crucible_pl.errors import DatasetNotFoundError
from crucible_pl.registry import all_specs, get_spec
from crucible_pl.registry._spec import DatasetSpec, SyntheticRequest
from crucible_pl.testing import LocalHub, write_repo, write_spec_repo

TARGET_NORMALIZE = 0.25
SHARED_HUB = Path(__file__).resolve().parents[2] / "shared" / "hub"


@dataclass(frozen=True)
class Case:
    """A registered dataset, the config and split measured, and why it is here.

    ``texts`` are the raw free-text columns made unique per row (see ``distinct``):
    a String column gets a ``[row] `` prefix, or, with a trailing ``"@"``, one after
    every ``Human:``/``Assistant:`` turn marker of a transcript; a nested column (message
    lists, content parts) gets the prefix on every ``content``, ``text`` and ``value``
    string inside it.

    ``row_bytes`` is how many bytes a row of this split takes on the Hub, from its card
    in ``../shared/hub-cards``: ``num_bytes / num_examples`` where the card gives them,
    else the size of the split's files over its rows (marked ``# files``: a lower bound
    where they are compressed), None where the card gives neither. The spec generators
    write a few dozen bytes per text; real questions, solutions and conversations are
    ten to a thousand times longer, and how long they are decides what a read costs
    (bytes to copy, pages to map) against what the normalizer adds per row. So unless
    ``--short-texts`` is given, ``hub_sized`` lengthens the texts to ``row_bytes``.
    """

    name: str
    config: str
    split: str
    note: str
    texts: tuple[str, ...] = ()
    row_bytes: int | None = None


# Every registered dataset, in the order of ``crucible_pl.list_datasets()`` families.
CASES = (
    # gsm8k: 713,732 B / 1,319
    Case("gsm8k", "main", "test", "answer after ####", ("question", "answer"), row_bytes=541),
    # hendrycks_math: 648,291 B / 1,187
    Case(
        "hendrycks_math",
        "algebra",
        "test",
        r"last \boxed{} of the solution",
        ("problem", "solution"),
        row_bytes=546,
    ),
    # math_500: 400,274 B / 500 (the card's mirrors)
    Case(
        "math_500",
        "default",
        "test",
        "JSON Lines, converted once",
        ("problem", "solution"),
        row_bytes=800,
    ),
    # deepmath: 4,963,982,703 B / 103,110
    Case(
        "deepmath",
        "default",
        "train",
        "10 shards, 3 R1 solutions",
        ("question", "r1_solution_1", "r1_solution_2", "r1_solution_3"),
        row_bytes=48_142,
    ),
    # polaris: files: 28 MB of JSON Lines / 53,291
    Case("polaris", "default", "train", "difficulty 'k/8' -> float", ("problem",), row_bytes=525),
    # mmlu: 6,967,453 B / 14,042
    Case("mmlu", "all", "test", "choices, letter -> index", ("question",), row_bytes=496),
    # mmlu_stem: mmlu all/test, 496 B a row
    Case(
        "mmlu_stem", "default", "test", "union of 19 subject configs", ("question",), row_bytes=496
    ),
    # mmlu_pro: 8,715,484 B / 12,032
    Case(
        "mmlu_pro",
        "default",
        "test",
        "10 options, answer index",
        ("question", "cot_content"),
        row_bytes=724,
    ),
    # arc: 375,511 B / 1,172
    Case("arc", "ARC-Challenge", "test", "label -> index", ("question",), row_bytes=320),
    # boolq: 1,998,182 B / 3,270
    Case("boolq", "default", "validation", "bool -> index", ("question", "passage"), row_bytes=611),
    # hellaswag: 11,175,717 B / 10,042
    Case(
        "hellaswag",
        "default",
        "validation",
        "endings, label -> index",
        ("ctx_a", "ctx"),
        row_bytes=1113,
    ),
    # truthfulqa: no row_bytes, the card's multiple_choice size is from memory, not read
    Case("truthfulqa", "multiple_choice", "validation", "mc1 targets -> index", ("question",)),
    # winogrande: 164,183 B / 1,267
    Case(
        "winogrande",
        "winogrande_xl",
        "validation",
        "option 1/2 -> index",
        ("sentence",),
        row_bytes=130,
    ),
    # gpqa: files: 3.21 MB of CSV / 448
    Case(
        "gpqa",
        "gpqa_main",
        "train",
        "answers shuffled by a fixed seed",
        (
            "Question",
            "Explanation",
            "Correct Answer",
            "Incorrect Answer 1",
            "Incorrect Answer 2",
            "Incorrect Answer 3",
        ),
        row_bytes=7165,
    ),
    # humaneval: 194,394 B / 164
    Case(
        "humaneval",
        "openai_humaneval",
        "test",
        "task ids kept",
        ("prompt", "canonical_solution", "test"),
        row_bytes=1185,
    ),
    # mbpp: 244,104 B / 500
    Case("mbpp", "full", "test", "prompt built from text + tests", ("text", "code"), row_bytes=488),
    # deepcoder: no row_bytes, its tests blobs reach 100 MB a row (the texts here: problems)
    Case("deepcoder", "lcbv5", "test", "8 shards of problems", ("problem",)),
    # tulu3_sft: 2,914,250,826 B / 939,343
    Case("tulu3_sft", "default", "train", "6 shards of messages", ("messages",), row_bytes=3102),
    # no_robots: 887,460 B / 500
    Case("no_robots", "default", "test_sft", "messages", ("prompt", "messages"), row_bytes=1775),
    # open_thoughts3: about 60 GB / 1,200,000 (the card's estimate)
    Case(
        "open_thoughts3",
        "default",
        "train",
        "120 shards of ShareGPT turns",
        ("conversations",),
        row_bytes=50_000,
    ),
    # hh_rlhf: no row_bytes, the card gives neither num_bytes nor file sizes
    Case(
        "hh_rlhf", "default", "test", "4 configs of jsonl.gz transcripts", ("chosen@", "rejected@")
    ),
    # helpsteer3: files: 5.49 MB of gzip / 2,017 (a lower bound)
    Case(
        "helpsteer3",
        "preference",
        "validation",
        "ties dropped, sides ordered",
        ("context", "response1", "response2"),
        row_bytes=2722,
    ),
    # ultrafeedback: 203,496,687 B / 63,619
    Case(
        "ultrafeedback",
        "default",
        "train",
        "texts -> one-turn lists",
        ("instruction", "chosen_response", "rejected_response"),
        row_bytes=3199,
    ),
    # arena_140k: no row_bytes, the card gives neither num_bytes nor file sizes
    Case(
        "arena_140k",
        "default",
        "train",
        "7 shards, content parts joined",
        ("conversation_a", "conversation_b", "full_conversation"),
    ),
    # tulu3_preference: 1,680,549,462 B / 271,409
    Case(
        "tulu3_preference",
        "default",
        "train",
        "4 shards, shared prompt split off",
        ("prompt", "chosen", "rejected"),
        row_bytes=6192,
    ),
    # helpsteer2: files: 582 kB of gzip / 1,038 (a lower bound)
    Case(
        "helpsteer2",
        "default",
        "validation",
        "ratings as floats",
        ("prompt", "response"),
        row_bytes=561,
    ),
    # feedback_collection: files: 1.02 GB of JSON / 99,952
    Case(
        "feedback_collection",
        "default",
        "train",
        "rubric struct of 5 scores",
        (
            "instruction",
            "output",
            "orig_instruction",
            "orig_response",
            "orig_reference_answer",
            "orig_criteria",
            "orig_feedback",
        ),
        row_bytes=10_205,
    ),
    # ifeval: files: 207 kB of JSON Lines / 541
    Case("ifeval", "default", "train", "instruction ids and kwargs", ("prompt",), row_bytes=383),
)

# The real files in ../shared/hub (small: a few thousand rows each).
REAL_CASES = (
    Case("gsm8k", "main", "train", "answer after ####"),
    Case("mmlu", "high_school_european_history", "test", "choices, letter -> index"),
    Case("arc", "ARC-Easy", "test", "label -> index"),
    Case("boolq", "default", "validation", "bool -> index"),
)


def clean_env() -> None:
    """No token, offline flag, endpoint or cache location inherited from the caller."""
    for name in list(os.environ):
        if name.startswith(("HF_", "CRUCIBLE_PL_", "HUGGING_FACE_")):
            del os.environ[name]
    os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
    os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"


_TEXT_FIELDS = frozenset({"content", "text", "value"})
_TURN_MARKERS = ("\n\nHuman: ", "\n\nAssistant: ")


def distinct(df: pl.DataFrame, texts: Sequence[str], first_row: int) -> pl.DataFrame:
    """``df`` with each of its ``texts`` columns unique per row (see ``Case``).

    The spec generators draw texts from a few templates, and Parquet dictionary-encodes
    repeated strings, so a read of them costs next to nothing: nothing like the Hub's
    data, where every question, turn and transcript is different. A row number in each
    text makes every value distinct (and keeps what the normalizers parse intact: the
    tag goes after a transcript's turn markers, and never into roles or answers).
    """
    tag = "[" + pl.int_range(first_row, first_row + pl.len()).cast(pl.String) + "] "
    exprs = []
    for text in texts:
        column = text.rstrip("@")
        if text.endswith("@"):
            expr = pl.col(column)
            for marker in _TURN_MARKERS:
                expr = expr.str.replace_all(marker, marker + tag, literal=True)
            exprs.append(expr)
        elif df.schema[column] == pl.String:
            exprs.append((tag + pl.col(column)).alias(column))
        else:
            # Setup, not measured: walking nested values in Python is simplest here.
            tagged = [
                _map_leaves(value, partial(str.__add__, f"[{row}] "))
                for row, value in enumerate(df.get_column(column).to_list(), first_row)
            ]
            exprs.append(pl.lit(pl.Series(column, tagged, dtype=df.schema[column])))
    return df.with_columns(exprs)


def _map_leaves(value: Any, change: Callable[[str], str]) -> Any:
    """``value`` with ``change`` applied to every string under a ``content``/``text``/
    ``value`` key, at any depth, in order."""
    if isinstance(value, dict):
        return {
            k: change(v) if k in _TEXT_FIELDS and isinstance(v, str) else _map_leaves(v, change)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_map_leaves(v, change) for v in value]
    return value


_VOCABULARY_SIZE = 5_000
_POOL_CHARS = 1 << 24


@cache
def _filler_pool() -> str:
    """16 MiB of made-up words, Zipf-distributed like a language's, seeded: filler text
    that compresses about as prose does (snappy and LZ4 find no long repeats within
    their 64 KiB windows, since rows draw from far-apart offsets)."""
    rng = random.Random(0)
    letters = "abcdefghijklmnopqrstuvwxyz"
    vocabulary = [
        "".join(rng.choices(letters, k=rng.randint(1, 10))) for _ in range(_VOCABULARY_SIZE)
    ]
    weights = [1 / rank**1.1 for rank in range(1, _VOCABULARY_SIZE + 1)]
    words = rng.choices(vocabulary, weights=weights, k=_POOL_CHARS // 5)
    return " ".join(words)[:_POOL_CHARS]


def _filler(key: int, chars: int) -> str:
    """``chars`` characters of the pool from a place chosen by ``key``, then a space."""
    pool = _filler_pool()
    chars = min(chars, len(pool) // 2)
    if chars <= 0:
        return ""
    start = (key * 2_654_435_761) % (len(pool) - chars)
    return pool[start : start + chars] + " "


def _text_chars(value: Any) -> int:
    """Characters of a text: a string, or the ``content``/``text``/``value`` strings
    inside a nested value."""
    if isinstance(value, str):
        return len(value)
    chars: list[int] = []

    def measure(leaf: str) -> str:
        chars.append(len(leaf))
        return leaf

    _map_leaves(value, measure)
    return sum(chars)


def _lengthened(value: Any, scale: float, key: int) -> Any:
    """A text after filler ``scale`` times its length, drawn from where ``key`` says: a
    string, or every ``content``/``text``/``value`` string of a nested value (each from
    a place of its own)."""
    if isinstance(value, str):
        return _filler(key, round(len(value) * scale)) + value
    keys = itertools.count(key, 7)
    return _map_leaves(value, lambda leaf: _lengthened(leaf, scale, next(keys)))


def hub_sized(
    df: pl.DataFrame, texts: Sequence[str], row_bytes: int, first_row: int
) -> pl.DataFrame:
    """``df`` with its ``texts`` lengthened so a row takes about ``row_bytes`` (see
    ``Case``), every text by the same factor of its own length.

    The filler goes before the text (after a transcript's first turn marker), so what the
    normalizers parse (an answer after ``####``, the last ``\\boxed{}``, the turn
    structure) is untouched.
    """
    per_row = df.estimated_size() / max(df.height, 1)
    columns = {text: text.rstrip("@") for text in texts}
    values = {text: df.get_column(column).to_list() for text, column in columns.items()}
    text_chars = sum(_text_chars(v) for vs in values.values() for v in vs) / max(df.height, 1)
    if per_row >= row_bytes or text_chars == 0:
        return df
    scale = (row_bytes - per_row) / text_chars
    exprs = []
    for n, (text, column) in enumerate(columns.items()):
        lengthened = []
        for row, value in enumerate(values[text], first_row):
            key = row * 131 + n * 17
            if value is None:
                lengthened.append(None)
            elif text.endswith("@"):
                marker = _TURN_MARKERS[0]
                pad = _filler(key, round(len(value) * scale))
                lengthened.append(value.replace(marker, marker + pad, 1))
            else:
                lengthened.append(_lengthened(value, scale, key))
        exprs.append(pl.Series(column, lengthened, dtype=df.schema[column]))
    return df.with_columns(exprs)


def case_rows(case: Case, rows: int, max_bytes: int | None) -> int:
    """``rows``, or fewer where ``case``'s Hub-sized rows would pass ``max_bytes``."""
    if max_bytes is None or case.row_bytes is None:
        return rows
    return max(1_000, min(rows, max_bytes // case.row_bytes))


def write_case(
    root: Path, spec: DatasetSpec, case: Case, rows: int, *, hub_sized_texts: bool
) -> tuple[int, float]:
    """Lay out ``spec``'s repo with ``rows`` rows in total in ``case``'s config and split.

    Returns the number of files written and the bytes a row takes in memory.
    """
    write_spec_repo(root, spec, rows=3)
    targets = [
        f
        for f in spec.hub_files
        if f.config in spec.source_configs(case.config) and f.split == case.split
    ]
    per_file = -(-rows // len(targets))
    written = 0
    for seed, f in enumerate(targets):
        sub = spec.for_config(f.config)
        generate = generator_for(spec, f.config)  # the generators live in _synthetic
        assert generate is not None, f"{spec.name} has no synthetic generator"
        df = generate(SyntheticRequest(f.config, f.split, per_file, seed))
        schema = sub.raw_schema.get(f.config) or spec.raw_schema.get(f.config)
        if schema:
            df = df.cast(pl.Schema(schema))
        df = distinct(df, case.texts, first_row=seed * per_file)
        if hub_sized_texts and case.row_bytes is not None:
            df = hub_sized(df, case.texts, case.row_bytes, first_row=seed * per_file)
        written += df.estimated_size()
        write_repo(root, spec.repo, {f.path: df}, ref=f.revision)
    return len(targets), written / (per_file * len(targets))


def timed(fn: Callable[[], object]) -> float:
    gc.collect()
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def interleaved(
    first: Callable[[], object], second: Callable[[], object], repeat: int
) -> tuple[list[float], list[float]]:
    """``repeat`` timings of each, alternating which goes first, after one untimed run each."""
    first()
    second()
    a: list[float] = []
    b: list[float] = []
    for i in range(repeat):
        if i % 2:
            b.append(timed(second))
            a.append(timed(first))
        else:
            a.append(timed(first))
            b.append(timed(second))
    return a, b


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def load(case: Case, *, raw: bool = False) -> pl.LazyFrame:
    return crucible_pl.load_lazy(case.name, case.split, config=case.config, raw=raw)


def collect(case: Case, *, raw: bool) -> pl.DataFrame:
    """A whole warm load, from ``load_lazy`` to the collected frame."""
    return load(case, raw=raw).collect()


def compare(
    cases: Sequence[Case], *, repeat: int, breakdown: bool, record: list[dict[str, Any]]
) -> bool:
    """Time normalized vs raw collects of each case (warm); print a row per case.

    ``id+exp`` is ``select("id", "expected").collect()`` of the normalized load, and
    ``id+exp %`` its share of the full normalized collect: what a projection saves.
    """
    header = (
        f"{'dataset':<20}{'config/split':<30}{'rows':>8}{'raw ms':>9}{'norm ms':>9}"
        f"{'added':>9}{'id+exp ms':>11}{'id+exp %':>10}"
    )
    print(f"{header}  verdict (target <= +25%)  what the normalizer does")
    ok = True
    for case in cases:
        norm_times, raw_times = interleaved(
            partial(collect, case, raw=False), partial(collect, case, raw=True), repeat
        )
        t_norm, t_raw = statistics.median(norm_times), statistics.median(raw_times)
        t_narrow = statistics.median(
            [timed(load(case).select("id", "expected").collect) for _ in range(repeat)]
        )
        added = t_norm / t_raw - 1
        passed = added <= TARGET_NORMALIZE
        ok &= passed
        rows = load(case).select(pl.len()).collect().item()
        record.append(
            {"name": case.name, "config": case.config, "split": case.split, "rows": rows,
             "raw_ms": t_raw * 1e3, "normalized_ms": t_norm * 1e3,
             "id_expected_ms": t_narrow * 1e3}
        )  # fmt: skip
        where = f"{case.config}/{case.split}"
        print(
            f"{case.name:<20}{where:<30}{rows:>8}{t_raw * 1e3:9.1f}{t_norm * 1e3:9.1f}"
            f"{added:+9.1%}{t_narrow * 1e3:11.1f}{t_narrow / t_norm:10.0%}  "
            f"{verdict(passed):<25} {case.note}"
        )
        if breakdown:
            lf = load(case)
            costs = []
            for column in lf.collect_schema().names():
                times = [timed(lf.select(column).collect) for _ in range(3)]
                costs.append(f"{column} {statistics.median(times) * 1e3:.1f}")
            print(f"{'':<20}  ms to collect each column alone: {', '.join(costs)}")
    return ok


def compare_head(repeat: int) -> bool:
    """A projected ``head(5)`` of MMLU 'all' vs its full normalized collect."""

    def head() -> pl.DataFrame:
        lf = crucible_pl.load_lazy("mmlu", config="all")
        return lf.select("id", "expected").head(5).collect()

    def full() -> pl.DataFrame:
        return crucible_pl.load_lazy("mmlu", config="all").collect()

    head_times, full_times = interleaved(head, full, repeat)
    t_head, t_full = statistics.median(head_times), statistics.median(full_times)
    snapshots = Path(os.environ["HF_HOME"]) / "hub" / "datasets--cais--mmlu" / "snapshots"
    files = sorted(snapshots.glob("*/all/test-*.parquet"))
    floor = statistics.median(
        [timed(pl.scan_parquet(files).head(5).collect) for _ in range(repeat)]
    )
    # head(5) cannot beat a bare head(5) of the same file: judge it against that floor plus
    # the load path's own budget (20% + 5 ms), and report the ratio to the full collect.
    passed = t_head <= floor * 1.2 + 0.005
    print(
        f"\nmmlu all: .select('id', 'expected').head(5).collect() {t_head * 1e3:.1f} ms vs "
        f"full collect {t_full * 1e3:.1f} ms: ratio {t_head / t_full:.2%} "
        f"({t_full / t_head:.0f}x cheaper)\n   bare pl.scan_parquet(file).head(5).collect() "
        f"{floor * 1e3:.1f} ms  {verdict(passed)} (target: head <= bare head * 1.2 + 5 ms)"
    )
    return passed


def write_results(path: Path, record: list[dict[str, Any]], *, args: argparse.Namespace) -> None:
    """The synthetic measurements as JSON, for ``bench/charts.py``."""
    compression = {
        "policy": f"uncompressed up to {normalized.UNCOMPRESSED_UP_TO >> 20} MB of raw files",
        "uncompressed": "uncompressed (forced)",
        "lz4": "lz4 (forced)",
    }[args.compression]
    path.write_text(
        json.dumps(
            {
                "date": time.strftime("%Y-%m-%d"),
                "versions": {"polars": pl.__version__, "crucible-pl": crucible_pl.__version__},
                "rows": args.rows,
                "texts": "short" if args.short_texts else f"hub-sized (at most {args.max_mb} MB)",
                "compression": compression,
                "datasets": record,
            },
            indent=1,
        )
        + "\n"
    )
    print(f"wrote {path}")


def describe_machine() -> None:
    load_avg = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"python {platform.python_version()}, polars {pl.__version__}, "
        f"crucible_pl {crucible_pl.__version__}, {os.cpu_count()} CPUs, "
        f"POLARS_MAX_THREADS={pl.thread_pool_size()}, load average {load_avg}"
    )


def assert_no_requests(hub: LocalHub) -> None:
    if hub.requests:
        raise AssertionError(
            f"warm loads made {len(hub.requests)} request(s): "
            f"{[(r.method, r.path) for r in hub.requests][:5]}"
        )
    print("requests to the hub during the warm runs: 0 (asserted)")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=100_000, help="rows per measured split")
    parser.add_argument("--repeat", type=int, default=9, help="runs of each (median)")
    parser.add_argument("--only", nargs="*", default=None, help="dataset names to run")
    parser.add_argument("--breakdown", action="store_true", help="also time each column alone")
    parser.add_argument("--no-real", action="store_true", help="skip the ../shared/hub variant")
    parser.add_argument("--output", type=Path, help="also write the synthetic rows as JSON")
    parser.add_argument(
        "--short-texts",
        action="store_true",
        help="keep the generators' short texts (per-row costs) instead of Hub-sized rows",
    )
    parser.add_argument(
        "--max-mb",
        type=int,
        default=256,
        help="with Hub-sized rows, fewer than --rows where a split would pass this many MB",
    )
    parser.add_argument(
        "--compression",
        choices=("policy", "uncompressed", "lz4"),
        default="policy",
        help="how normalized files are written: crucible-pl's choice by size, or forced",
    )
    args = parser.parse_args(argv)
    if args.compression == "lz4":
        normalized.UNCOMPRESSED_UP_TO = -1
    elif args.compression == "uncompressed":
        normalized.UNCOMPRESSED_UP_TO = sys.maxsize
    max_bytes = None if args.short_texts else args.max_mb << 20

    clean_env()
    describe_machine()
    uncovered = sorted({s.name for s in all_specs()} - {c.name for c in CASES})
    if uncovered:
        raise SystemExit(f"registered datasets without a case in CASES: {uncovered}")
    cases: list[tuple[Case, DatasetSpec]] = []
    for case in CASES:
        if args.only and case.name not in args.only:
            continue
        try:
            cases.append((case, get_spec(case.name)))
        except DatasetNotFoundError:
            print(f"{case.name}: skipped, no such spec in this registry")
    ok = True
    with tempfile.TemporaryDirectory(prefix="crucible-bench-normalize-") as tmp:
        root = Path(tmp) / "hub"
        row_bytes: dict[str, float] = {}
        for case, spec in cases:
            start = time.perf_counter()
            rows = case_rows(case, args.rows, max_bytes)
            files, row_bytes[case.name] = write_case(
                root, spec, case, rows, hub_sized_texts=not args.short_texts
            )
            print(
                f"wrote {spec.repo} {case.config}/{case.split}: {rows} rows of "
                f"{row_bytes[case.name]:,.0f} B (Hub: {case.row_bytes or '?'}) in {files} "
                f"file(s), {time.perf_counter() - start:.1f} s"
            )
        os.environ["HF_HOME"] = str(Path(tmp) / "hf-home")
        os.environ["CRUCIBLE_PL_CACHE"] = str(Path(tmp) / "crucible")
        with LocalHub(root) as hub:
            os.environ["HF_ENDPOINT"] = hub.url
            for case, _ in cases:  # cold: download (and convert) once, untimed
                load(case, raw=True)
            hub.clear_requests()
            texts = (
                "short texts" if args.short_texts else f"Hub-sized rows, at most {args.max_mb} MB"
            )
            print(f"\nsynthetic data (spec generators), up to {args.rows} rows each, {texts}:")
            record: list[dict[str, Any]] = []
            ok &= compare(
                [c for c, _ in cases], repeat=args.repeat, breakdown=args.breakdown, record=record
            )
            if args.output:
                for entry in record:
                    entry["row_bytes"] = round(row_bytes[entry["name"]])
                write_results(args.output, record, args=args)
            if any(case.name == "mmlu" for case, _ in cases):
                ok &= compare_head(args.repeat)
            assert_no_requests(hub)

        if args.no_real:
            print("\nreal data: skipped (--no-real)")
        elif not (SHARED_HUB / "datasets").is_dir():
            print(f"\nreal data: skipped, {SHARED_HUB} is absent")
        else:
            # Fresh caches: the synthetic repos above have the same repo ids.
            os.environ["HF_HOME"] = str(Path(tmp) / "real" / "hf-home")
            os.environ["CRUCIBLE_PL_CACHE"] = str(Path(tmp) / "real" / "crucible")
            with LocalHub(SHARED_HUB) as hub:
                os.environ["HF_ENDPOINT"] = hub.url
                real = [c for c in REAL_CASES if not args.only or c.name in args.only]
                for case in real:
                    load(case, raw=True)
                hub.clear_requests()
                print(f"\nreal data ({SHARED_HUB}), warm cache:")
                ok &= compare(real, repeat=args.repeat, breakdown=args.breakdown, record=[])
                assert_no_requests(hub)
    print(f"\noverall: {verdict(ok)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
