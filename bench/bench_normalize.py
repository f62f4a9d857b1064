"""Benchmark the normalizers: normalized vs raw ``load_lazy(...).collect()`` on the same files.

Usage::

    python bench/bench_normalize.py [--rows N] [--repeat R] [--only NAME ...] [--lz4]

For every registered dataset (``CASES``; a dataset without a case fails the run), a
synthetic repo shaped exactly like the registered spec's Hub
repo is written: ``write_spec_repo(rows=3)`` lays out every file and the card, then the
files of the measured config and split are rewritten with ``--rows`` rows in total
(spread over their shards), made by the spec's own synthetic generator and cast to its
raw schema, exactly as ``write_spec_repo(rows=...)`` makes them. (Passing the big
``rows=`` to ``write_spec_repo`` itself would write it to every file: 175 files for MMLU.)

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
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
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
    """

    name: str
    config: str
    split: str
    note: str
    texts: tuple[str, ...] = ()


# Every registered dataset, in the order of ``crucible_pl.list_datasets()`` families.
CASES = (
    Case("gsm8k", "main", "test", "answer after ####", ("question", "answer")),
    Case(
        "hendrycks_math",
        "algebra",
        "test",
        r"last \boxed{} of the solution",
        ("problem", "solution"),
    ),
    Case("math_500", "default", "test", "JSON Lines, converted once", ("problem", "solution")),
    Case(
        "deepmath",
        "default",
        "train",
        "10 shards, 3 R1 solutions",
        ("question", "r1_solution_1", "r1_solution_2", "r1_solution_3"),
    ),
    Case("polaris", "default", "train", "difficulty 'k/8' -> float", ("problem",)),
    Case("mmlu", "all", "test", "choices, letter -> index", ("question",)),
    Case("mmlu_stem", "default", "test", "union of 19 subject configs", ("question",)),
    Case("mmlu_pro", "default", "test", "10 options, answer index", ("question", "cot_content")),
    Case("arc", "ARC-Challenge", "test", "label -> index", ("question",)),
    Case("boolq", "default", "validation", "bool -> index", ("question", "passage")),
    Case("hellaswag", "default", "validation", "endings, label -> index", ("ctx_a", "ctx")),
    Case("truthfulqa", "multiple_choice", "validation", "mc1 targets -> index", ("question",)),
    Case("winogrande", "winogrande_xl", "validation", "option 1/2 -> index", ("sentence",)),
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
    ),
    Case(
        "humaneval",
        "openai_humaneval",
        "test",
        "task ids kept",
        ("prompt", "canonical_solution", "test"),
    ),
    Case("mbpp", "full", "test", "prompt built from text + tests", ("text", "code")),
    Case("deepcoder", "lcbv5", "test", "8 shards of problems", ("problem",)),
    Case("tulu3_sft", "default", "train", "6 shards of messages", ("messages",)),
    Case("no_robots", "default", "test_sft", "messages", ("prompt", "messages")),
    Case("open_thoughts3", "default", "train", "120 shards of ShareGPT turns", ("conversations",)),
    Case(
        "hh_rlhf", "default", "test", "4 configs of jsonl.gz transcripts", ("chosen@", "rejected@")
    ),
    Case(
        "helpsteer3",
        "preference",
        "validation",
        "ties dropped, sides ordered",
        ("context", "response1", "response2"),
    ),
    Case(
        "ultrafeedback",
        "default",
        "train",
        "texts -> one-turn lists",
        ("instruction", "chosen_response", "rejected_response"),
    ),
    Case(
        "arena_140k",
        "default",
        "train",
        "7 shards, content parts joined",
        ("conversation_a", "conversation_b", "full_conversation"),
    ),
    Case(
        "tulu3_preference",
        "default",
        "train",
        "4 shards, shared prompt split off",
        ("prompt", "chosen", "rejected"),
    ),
    Case("helpsteer2", "default", "validation", "ratings as floats", ("prompt", "response")),
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
    ),
    Case("ifeval", "default", "train", "instruction ids and kwargs", ("prompt",)),
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
                _tag_leaves(value, f"[{row}] ")
                for row, value in enumerate(df.get_column(column).to_list(), first_row)
            ]
            exprs.append(pl.lit(pl.Series(column, tagged, dtype=df.schema[column])))
    return df.with_columns(exprs)


def _tag_leaves(value: Any, tag: str) -> Any:
    """``value`` with ``tag`` before every string under a ``content``/``text``/``value``
    key, at any depth."""
    if isinstance(value, dict):
        return {
            k: tag + v if k in _TEXT_FIELDS and isinstance(v, str) else _tag_leaves(v, tag)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_tag_leaves(v, tag) for v in value]
    return value


def write_case(root: Path, spec: DatasetSpec, case: Case, rows: int) -> int:
    """Lay out ``spec``'s repo with ``rows`` rows in total in ``case``'s config and split."""
    write_spec_repo(root, spec, rows=3)
    targets = [
        f
        for f in spec.hub_files
        if f.config in spec.source_configs(case.config) and f.split == case.split
    ]
    per_file = -(-rows // len(targets))
    for seed, f in enumerate(targets):
        sub = spec.for_config(f.config)
        generate = generator_for(spec, f.config)  # the generators live in _synthetic
        assert generate is not None, f"{spec.name} has no synthetic generator"
        df = generate(SyntheticRequest(f.config, f.split, per_file, seed))
        schema = sub.raw_schema.get(f.config) or spec.raw_schema.get(f.config)
        if schema:
            df = df.cast(pl.Schema(schema))
        df = distinct(df, case.texts, first_row=seed * per_file)
        write_repo(root, spec.repo, {f.path: df}, ref=f.revision)
    return len(targets)


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


def write_results(path: Path, record: list[dict[str, Any]], *, rows: int, lz4: bool) -> None:
    """The synthetic measurements as JSON, for ``bench/charts.py``."""
    path.write_text(
        json.dumps(
            {
                "date": time.strftime("%Y-%m-%d"),
                "versions": {"polars": pl.__version__, "crucible-pl": crucible_pl.__version__},
                "rows": rows,
                "compression": "lz4"
                if lz4
                else f"default (uncompressed up to {normalized.UNCOMPRESSED_UP_TO >> 20} MB)",
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
        "--lz4",
        action="store_true",
        help="write every normalized file with LZ4, as for splits past UNCOMPRESSED_UP_TO",
    )
    args = parser.parse_args(argv)
    if args.lz4:
        normalized.UNCOMPRESSED_UP_TO = -1

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
        for case, spec in cases:
            start = time.perf_counter()
            files = write_case(root, spec, case, args.rows)
            print(
                f"wrote {spec.repo} {case.config}/{case.split}: {args.rows} rows in {files} "
                f"file(s), {time.perf_counter() - start:.1f} s"
            )
        os.environ["HF_HOME"] = str(Path(tmp) / "hf-home")
        os.environ["CRUCIBLE_PL_CACHE"] = str(Path(tmp) / "crucible")
        with LocalHub(root) as hub:
            os.environ["HF_ENDPOINT"] = hub.url
            for case, _ in cases:  # cold: download (and convert) once, untimed
                load(case, raw=True)
            hub.clear_requests()
            print(f"\nsynthetic data (spec generators), {args.rows} rows each, warm cache:")
            record: list[dict[str, Any]] = []
            ok &= compare(
                [c for c, _ in cases], repeat=args.repeat, breakdown=args.breakdown, record=record
            )
            if args.output:
                write_results(args.output, record, rows=args.rows, lz4=args.lz4)
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
