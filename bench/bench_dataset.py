"""Benchmark the Dataset layer on a big split: streaming batches, sampling, k-fold, validate.

Usage::

    python bench/bench_dataset.py [--rows 20000000] [--files 8] [--mcq-rows 1000000]
                                  [--batch 100000] [--repeat 3] [--frame-level]
                                  [--workdir DIR]

What it does, in fresh temporary directories and caches:

1. Writes a ``--rows``-row split (``id``, 8 random words of ``input``, ``subject``,
   ``expected``, ``score``) in ``--files`` Parquet files of a LocalHub repo, with Polars
   expressions only, and a ``--mcq-rows``-row MMLU-Pro-shaped ``test`` split.
2. Loads both once (cold) in this process, so every worker below loads warm, offline.
3. Runs every measurement in its own subprocess, which reports its own peak RSS
   (``VmHWM``), so this process's memory never counts:

   (a) ``load(...).filter(score < 0.5).iter_batches(--batch)`` over all rows against a
       bare ``pl.scan_parquet(files).filter(...).collect_batches(chunk_size=--batch,
       engine="streaming")``, ``--repeat`` times each, alternating. Targets: peak RSS
       < 1 GiB; time <= 1.5x the bare scan.
   (b) ``sample(n=1000).collect()`` and, for ``k_fold(5)``, iterating the first test
       fold in batches. Target: peak RSS below the in-memory size of the whole frame
       (measured one file at a time). ``--frame-level`` also runs the frame-level
       ``crucible_pl._sampling.sample`` (a full sort of whole rows) for comparison.
   (c) ``validate()`` on the MMLU-Pro split against a plain ``collect()`` of it, in one
       worker, alternating. Target: validate <= 3x collect.

Prints PASS/FAIL per target and exits 0.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import string
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import polars as pl

BIG_REPO = "bench/big"
PREDICATE = pl.col("score") < 0.5
SUBJECTS = [f"subject_{i:02d}" for i in range(57)]
GIB = 1 << 30


# --------------------------------------------------------------------------- data


def _vocabulary(seed: int = 0) -> pl.Series:
    rng = random.Random(seed)
    words = ["".join(rng.choices(string.ascii_lowercase, k=rng.randint(2, 9))) for _ in range(4096)]
    return pl.Series("word", words)


def big_part(start: int, stop: int, vocabulary: pl.Series) -> pl.LazyFrame:
    """Rows ``start..stop`` of the big split, computed lazily from the row number."""
    i = pl.col("i")
    h = i.hash(0)
    words = [
        pl.lit(vocabulary).gather((i.hash(k + 1) % vocabulary.len()).cast(pl.UInt32))
        for k in range(8)
    ]
    return (
        pl.LazyFrame()
        .select(pl.int_range(start, stop, dtype=pl.UInt64).alias("i"))
        .select(
            pl.format("r{}", i).alias("id"),
            pl.concat_str(words, separator=" ").alias("input"),
            pl.lit(pl.Series(SUBJECTS))
            .gather((h % len(SUBJECTS)).cast(pl.UInt32))
            .alias("subject"),
            ((h // 256) % 4).cast(pl.Int64).alias("expected"),
            ((h // 65536) % 1_000_000).cast(pl.Float64).truediv(1e6).alias("score"),
        )
    )


def mmlu_pro_part(rows: int, vocabulary: pl.Series) -> pl.LazyFrame:
    """An MMLU-Pro-shaped raw ``test`` split: 4 to 10 options, a valid answer index."""
    i = pl.col("i")
    options = pl.concat_list(
        [pl.lit(vocabulary).gather((i.hash(k + 1) % 4096).cast(pl.UInt32)) for k in range(10)]
    ).list.head((i.hash(99) % 7 + 4).cast(pl.Int64))
    return (
        pl.LazyFrame()
        .select(pl.int_range(rows, dtype=pl.Int64).alias("i"))
        .with_columns(options.alias("options"))
        .select(
            i.alias("question_id"),
            pl.format("Question {}: which word comes first?", i).alias("question"),
            "options",
            pl.lit("A").alias("answer"),
            (i.hash(7) % pl.col("options").list.len()).cast(pl.Int64).alias("answer_index"),
            pl.lit("").alias("cot_content"),
            pl.lit(pl.Series(SUBJECTS[:14]))
            .gather((i.hash(5) % 14).cast(pl.UInt32))
            .alias("category"),
            pl.lit("ori_mmlu").alias("src"),
        )
    )


def write_data(root: Path, rows: int, files: int, mcq_rows: int) -> tuple[int, float]:
    """Write both repos under ``root``; return (bytes of the big split, seconds)."""
    from crucible_pl.registry import get_spec
    from crucible_pl.testing import write_spec_repo

    started = time.perf_counter()
    vocabulary = _vocabulary()
    data = root / "datasets" / BIG_REPO / "data"
    data.mkdir(parents=True)
    size = -(-rows // files)
    total = 0
    for k in range(files):
        path = data / f"train-{k:05d}-of-{files:05d}.parquet"
        big_part(k * size, min((k + 1) * size, rows), vocabulary).sink_parquet(path)
        total += path.stat().st_size
    spec = get_spec("mmlu_pro")
    main = write_spec_repo(root, spec, rows=3)
    mmlu_pro_part(mcq_rows, vocabulary).sink_parquet(main / "data/test-00000-of-00001.parquet")
    return total, time.perf_counter() - started


# --------------------------------------------------------------------------- workers


def worker(task: str, batch: int) -> dict[str, Any]:
    """Run one measurement in this (child) process and return its results."""
    import crucible_pl
    from crucible_pl import _sampling

    ds = crucible_pl.load(BIG_REPO, "train")
    out: dict[str, Any] = {}
    started = time.perf_counter()
    if task == "baseline":
        out["rows"] = len(ds)
    elif task == "bare":
        lf = pl.scan_parquet(ds.files()).filter(PREDICATE)
        batches = lf.collect_batches(chunk_size=batch, engine="streaming")
        out["rows"] = sum(b.height for b in batches)
    elif task == "ours":
        sizes = [b.height for b in ds.filter(PREDICATE).iter_batches(batch)]
        out["rows"] = sum(sizes)
        out["exact"] = bool(sizes) and all(s == batch for s in sizes[:-1]) and sizes[-1] <= batch
    elif task == "sample":
        out["rows"] = ds.sample(n=1000).collect().height
    elif task == "sample_frame_level":
        out["rows"] = _sampling.sample(ds.lazy(), n=1000).collect().height
    elif task == "k_fold":
        folds = ds.k_fold(5)
        out["call_s"] = time.perf_counter() - started
        out["fold_sizes"] = [len(test) for _, test in folds]
        out["rows"] = sum(b.height for b in folds[0][1].iter_batches(batch))
    elif task == "validate":
        mcq = crucible_pl.load("mmlu_pro", "test")
        collect, validate = [], []
        for _ in range(3):
            t = time.perf_counter()
            out["rows"] = mcq.collect().height
            collect.append(time.perf_counter() - t)
            t = time.perf_counter()
            mcq.validate()
            validate.append(time.perf_counter() - t)
        out["collect_s"], out["validate_s"] = (
            statistics.median(collect),
            statistics.median(validate),
        )
    else:
        raise SystemExit(f"unknown task {task!r}")
    out["seconds"] = time.perf_counter() - started
    out["rss"] = peak_rss()
    return out


def peak_rss() -> int:
    """This process's peak resident set size in bytes (``VmHWM``).

    Read from ``/proc/self/status`` rather than ``getrusage``: after ``fork`` + ``exec``,
    Linux carries the parent's peak into the child's ``ru_maxrss``, so a child of a big
    parent would report the parent's memory.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise SystemExit("no VmHWM in /proc/self/status (this benchmark needs Linux)")


def run_worker(task: str, batch: int) -> dict[str, Any]:
    """Run ``task`` in a child process and return its results, with its peak RSS."""
    command = [sys.executable, __file__, "--worker", task, "--batch", str(batch)]
    env = dict(os.environ, HF_HUB_OFFLINE="1")  # warm loads only: no request may be made
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True, env=env, check=False)
    if done.returncode != 0:
        raise SystemExit(f"worker {task!r} failed with exit code {done.returncode}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# --------------------------------------------------------------------------- report


def mib(n: float) -> str:
    return f"{n / (1 << 20):,.0f} MiB"


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def frame_size(files: Sequence[str]) -> int:
    """In-memory size of the whole split, read one file at a time."""
    return sum(int(pl.read_parquet(f).estimated_size()) for f in files)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=20_000_000)
    parser.add_argument("--files", type=int, default=8)
    parser.add_argument("--mcq-rows", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--frame-level", action="store_true", help="also time _sampling.sample")
    parser.add_argument(
        "--workdir", type=Path, help="keep the generated repos here and reuse them next time"
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker, args.batch)))
        return 0

    import crucible_pl
    from crucible_pl.testing import LocalHub

    load_avg = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"python {platform.python_version()}, polars {pl.__version__}, {os.cpu_count()} CPUs "
        f"(shared with other agents), load average {load_avg}"
    )
    with tempfile.TemporaryDirectory(prefix="bench-dataset-") as tmp:
        base = Path(tmp)
        for name in list(os.environ):
            if name.startswith(("HF_", "CRUCIBLE_PL_", "HUGGING_FACE_")):
                del os.environ[name]
        os.environ.update(
            HF_HOME=str(base / "hf-home"),
            CRUCIBLE_PL_CACHE=str(base / "crucible"),
            HF_HUB_DISABLE_TELEMETRY="1",
            HF_HUB_DISABLE_PROGRESS_BARS="1",
        )
        hub_root = (args.workdir or base) / "hub"
        if (hub_root / "datasets" / BIG_REPO).is_dir():
            print(f"reusing the repos in {hub_root}")
        else:
            size, seconds = write_data(hub_root, args.rows, args.files, args.mcq_rows)
            print(
                f"generated {args.rows:,} rows in {args.files} files ({mib(size)}) and "
                f"{args.mcq_rows:,} MMLU-Pro rows in {seconds:.1f} s"
            )
        with LocalHub(hub_root) as hub:
            os.environ["HF_ENDPOINT"] = hub.url
            t = time.perf_counter()
            ds = crucible_pl.load(BIG_REPO, "train")
            crucible_pl.load("mmlu_pro", "test")
            print(f"cold loads (download over loopback): {time.perf_counter() - t:.1f} s; {ds!r}")
            in_memory = frame_size(ds.files())
            print(f"whole frame in memory: {mib(in_memory)} (sum of each file's estimated_size)")
            del ds
            ok = report(args, in_memory)
    print("all targets met" if ok else "some targets missed (see FAIL above)")
    return 0


def report(args: argparse.Namespace, in_memory: int) -> bool:
    baseline = run_worker("baseline", args.batch)
    print(f"\nworker baseline (imports + warm load, no data): {mib(baseline['rss'])}")

    print(f"\n(a) filter(score < 0.5) over all rows in batches of {args.batch:,}")
    runs: dict[str, list[dict[str, Any]]] = {"bare": [], "ours": []}
    for r in range(args.repeat):
        for task in ("bare", "ours") if r % 2 == 0 else ("ours", "bare"):
            runs[task].append(run_worker(task, args.batch))
    for task, label in (
        ("bare", "bare scan_parquet.collect_batches"),
        ("ours", "load().filter().iter_batches"),
    ):
        times = [x["seconds"] for x in runs[task]]
        print(
            f"  {label:36} median {statistics.median(times):6.2f} s "
            f"(runs {', '.join(f'{t:.2f}' for t in times)}), peak RSS "
            f"{mib(max(x['rss'] for x in runs[task]))}, rows {runs[task][0]['rows']:,}"
        )
    assert runs["bare"][0]["rows"] == runs["ours"][0]["rows"]
    exact = all(x["exact"] for x in runs["ours"])
    ratio = statistics.median(x["seconds"] for x in runs["ours"]) / statistics.median(
        x["seconds"] for x in runs["bare"]
    )
    rss = max(x["rss"] for x in runs["ours"])
    results = [
        (f"(a) iter_batches peak RSS {mib(rss)} < 1 GiB", rss < GIB),
        (f"(a) iter_batches time = {ratio:.2f}x bare <= 1.5x", ratio <= 1.5),
        ("(a) every batch exactly batch_size rows (last shorter)", exact),
    ]

    print("\n(b) sampling and k-fold on the whole split")
    sample = run_worker("sample", args.batch)
    print(f"  sample(n=1000).collect()             {sample['seconds']:7.2f} s, peak RSS", end=" ")
    print(mib(sample["rss"]))
    fold = run_worker("k_fold", args.batch)
    print(f"  k_fold(5) call (lazy)                {fold['call_s'] * 1e3:7.1f} ms,", end=" ")
    print(f"fold sizes {fold['fold_sizes']}")
    print(f"  k_fold(5)[0] test fold, iter_batches {fold['seconds']:7.2f} s, peak RSS", end=" ")
    print(f"{mib(fold['rss'])}, rows {fold['rows']:,}")
    if args.frame_level:
        frame = run_worker("sample_frame_level", args.batch)
        print(
            f"  _sampling.sample(lf, n=1000)         {frame['seconds']:7.2f} s, peak RSS", end=" "
        )
        print(f"{mib(frame['rss'])} (frame-level full sort, for comparison)")
    # Compared above the worker's baseline (interpreter, Polars, crucible_pl, a warm load).
    added_sample = sample["rss"] - baseline["rss"]
    added_fold = fold["rss"] - baseline["rss"]
    whole = mib(in_memory)
    results += [
        (
            f"(b) sample adds {mib(added_sample)} RSS < whole frame {whole}",
            added_sample < in_memory,
        ),
        (
            f"(b) k_fold test fold adds {mib(added_fold)} RSS < whole frame {whole}",
            added_fold < in_memory,
        ),
    ]

    print(f"\n(c) validate() on {args.mcq_rows:,} MMLU-Pro rows")
    val = run_worker("validate", args.batch)
    vratio = val["validate_s"] / val["collect_s"]
    print(
        f"  collect {val['collect_s']:.2f} s, validate {val['validate_s']:.2f} s (medians of 3), "
        f"peak RSS {mib(val['rss'])}"
    )
    results.append((f"(c) validate = {vratio:.2f}x collect <= 3x", vratio <= 3))

    print()
    for text, ok in results:
        print(f"{verdict(ok)}  {text}")
    return all(ok for _, ok in results)


if __name__ == "__main__":
    sys.exit(main())
