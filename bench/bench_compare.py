"""Compare crucible-pl with Hugging Face ``datasets`` side by side, on the same local Hub.

Usage::

    python bench/bench_compare.py [--quick] [--repeat R] [--cold-repeat C] [--rows N]
                                  [--output PATH | --no-write]

Needs ``datasets`` installed next to crucible-pl (``pip install datasets``). Never touches
the network: every repo is generated in a temporary directory and served on loopback by
``crucible_pl.testing.LocalHub``.

Every measurement runs in a fresh interpreter (``python bench_compare.py --worker SPEC``)
with ``HF_ENDPOINT``, ``HF_HOME`` and ``CRUCIBLE_PL_CACHE`` set in its environment,
because ``datasets`` and ``huggingface_hub`` read them once, at import. The worker imports
only the tool it measures, times the operation alone (after the import) and reports its
peak RSS (``ru_maxrss``). The parent counts the requests, files and bytes the local Hub
served while the worker ran. Each cold run gets new, empty caches; warm runs reuse the
caches of the last cold run of the same tool (the two tools never share a cache). The two
tools alternate, in switching order, so that load on the machine hits both alike.

Repos (all Hub-shaped, with cards where the real ones have them):

- ``bench/mmlu-like``: 57 subject configs plus ``all`` (``{config}/{split}-00000-of-00001
  .parquet``, splits test/validation/dev), about MMLU's size; loads ``astronomy``/``test``.
- ``bench/gsm8k-like``: configs ``main`` and ``socratic``, splits train (7,473 rows) and
  test (1,319 rows), text as large and compressible as GSM8K; loads ``main``/``test``.
- ``bench/stream-like``: ``--rows`` rows (3,000,000; 1,000,000 with ``--quick``) in 8
  Parquet shards (``data/train-*``): ``id``, ``text`` (8 words), ``label`` (0..999), ``score``.

Prints one table (metric | crucible-pl | datasets | ratio | target | verdict) in which
the ratio is always "how many times better crucible-pl is" (datasets / crucible-pl for
times, sizes and counts; crucible-pl / datasets for throughput), then writes the
measurements (without the developers' targets and verdicts) to ``docs/benchmarks.md``
between generated-section markers (text outside the markers is kept), and the rows as
data to ``bench/results/bench_compare.json`` for ``bench/charts.py``. ``--quick`` writes
nothing unless ``--output`` is given.

Targets (issue 7): warm load >= 10x faster than datasets, with 0 requests; a cold load
downloads only the requested split's data files; ``import crucible_pl`` <= 1.3x
``import polars``.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["main"]

CRUCIBLE = "crucible-pl"
DATASETS = "datasets"
TOOLS = (CRUCIBLE, DATASETS)
TARGET_WARM_SPEEDUP = 10.0
TARGET_IMPORT_VS_POLARS = 1.3
WORKER_MARK = "BENCH_COMPARE_RESULT "
BEGIN_MARK = "<!-- bench_compare.py: generated section begins; edit outside it -->"
END_MARK = "<!-- bench_compare.py: generated section ends -->"
ROOT = Path(__file__).resolve().parents[1]
DOCS_PAGE = ROOT / "docs" / "benchmarks.md"
STREAM_BATCH = 100_000
FILTER_LABEL = 7  # label is uniform over 0..999: the filter keeps about 0.1% of the rows


# =============================================================================== worker
# Runs in a fresh interpreter. Imports only the tool it measures (and nothing from this
# file's parent-side code, which imports polars).


def _rss_mib() -> float:
    """Peak RSS of this process since its exec, in MiB.

    ``VmHWM`` rather than ``ru_maxrss``: Linux keeps ``ru_maxrss`` across ``execve``, so a
    worker forked from the parent (which holds the generated repos) would report the
    parent's RSS as its own floor.
    """
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _crucible_op(spec: Mapping[str, Any]) -> int:
    import polars as pl

    import crucible_pl

    repo, split, config, op = spec["repo"], spec["split"], spec["config"], spec["op"]
    if op == "stream":
        dataset = crucible_pl.load(repo, split, config=config)
        return sum(batch.height for batch in dataset.iter_batches(spec["batch"]))
    if op == "open":  # a lazy handle with its row count, like datasets' memory-mapped Dataset
        return len(crucible_pl.load(repo, split, config=config))
    frame = crucible_pl.load_lazy(repo, split, config=config)
    if op == "head":
        frame = frame.head(5)
    elif op == "project":
        frame = frame.select(spec["column"])
    elif op == "filter":
        frame = frame.filter(pl.col(spec["column"]) == spec["value"])
    elif op != "load":
        raise ValueError(f"unknown op {op!r}")
    return frame.collect().height


def _datasets_op(spec: Mapping[str, Any]) -> int:
    import datasets  # type: ignore[import-untyped]
    import pyarrow.compute as pc  # type: ignore[import-untyped]

    repo, split, config, op = spec["repo"], spec["split"], spec["config"], spec["op"]
    if op == "stream":  # streaming=True: reads the Parquet files over HTTP as it goes
        stream = datasets.load_dataset(repo, config, split=split, streaming=True)
        return sum(len(b) for b in stream.with_format("arrow").iter(batch_size=spec["batch"]))
    ds = datasets.load_dataset(repo, config, split=split)
    if op == "load":
        return int(ds.num_rows)
    if op == "head":
        return len(next(iter(ds[:5].values())))
    if op == "project":
        return int(ds.select_columns([spec["column"]]).with_format("arrow")[:].num_rows)
    if op == "filter":  # datasets' fastest idiom: vectorized over Arrow batches
        column, value = spec["column"], spec["value"]
        kept = ds.with_format("arrow").filter(
            lambda table: pc.equal(table[column], value), batched=True
        )
        return int(kept.with_format("arrow")[:].num_rows)
    if op == "stream_cached":  # iterate the prepared Arrow cache
        return sum(len(b) for b in ds.with_format("arrow").iter(batch_size=spec["batch"]))
    raise ValueError(f"unknown op {op!r}")


def worker(spec: Mapping[str, Any]) -> dict[str, Any]:
    """Import the tool, run one operation, and return timings, row count and peak RSS."""
    start = time.perf_counter()
    if spec["tool"] == CRUCIBLE:
        import crucible_pl

        # crucible_pl loads its public names on first use (PEP 562). Touch them here, so
        # that the import phase holds the same work as ``import datasets`` (which loads
        # everything) and the timed operation holds only the operation.
        _ = (crucible_pl.load_lazy, crucible_pl.load)
        run: Callable[[Mapping[str, Any]], int] = _crucible_op
    else:
        import datasets

        datasets.disable_progress_bars()
        datasets.logging.set_verbosity_error()
        run = _datasets_op
    imported = time.perf_counter()
    rss_import = _rss_mib()
    rows = run(spec)
    done = time.perf_counter()
    return {
        "import_s": imported - start,
        "op_s": done - imported,
        "rows": rows,
        "rss_import_mib": rss_import,
        "rss_mib": _rss_mib(),
    }


# ============================================================================ data model


@dataclass(frozen=True)
class Case:
    """One (repo, config, split) and the repo paths of that split's data files."""

    key: str
    label: str
    repo: str
    config: str | None
    split: str
    data_files: tuple[str, ...]
    rows: int


@dataclass
class Sample:
    """One measured subprocess run."""

    op_s: float
    import_s: float
    wall_s: float
    rows: int
    rss_mib: float
    rss_import_mib: float
    requests: int
    downloads: list[str]
    bytes: int
    disk: int  # bytes of regular files in the worker's caches afterwards (not symlinks)


@dataclass
class Series:
    """The samples of one (tool, measurement)."""

    samples: list[Sample] = field(default_factory=list)

    def median(self, attr: str) -> float:
        return float(statistics.median(getattr(s, attr) for s in self.samples))

    def last(self) -> Sample:
        return self.samples[-1]


@dataclass(frozen=True)
class Row:
    """One line of the result table."""

    metric: str
    crucible: str
    datasets: str
    ratio: str
    target: str
    verdict: str


# =========================================================================== repos


def _mmlu_like(root: Path, vocabulary: Any) -> Case:
    import polars as pl
    from bench_load import _sentences

    from crucible_pl.registry._mmlu_subjects import MMLU_SUBJECTS
    from crucible_pl.testing import write_repo

    repo = "bench/mmlu-like"
    files: dict[str, pl.DataFrame | bytes] = {}
    by_split: dict[str, list[pl.DataFrame]] = {"test": [], "validation": [], "dev": []}
    info: list[dict[str, Any]] = []
    configs: list[dict[str, Any]] = []
    seed = 100
    for i, subject in enumerate(MMLU_SUBJECTS):
        sizes = {"test": 100 + (i * 137) % 400, "validation": 11 + (i * 7) % 30, "dev": 5}
        for split, n in sizes.items():
            seed += 2
            choices = _sentences(4 * n, 4, vocabulary, seed + 1).reshape((n, 4))
            frame = pl.DataFrame(
                {
                    "question": _sentences(n, 30, vocabulary, seed) + "?",
                    "subject": [subject] * n,
                    "choices": choices.cast(pl.List(pl.String)),
                    "answer": (pl.int_range(0, n, eager=True).hash(seed) % 4).cast(pl.Int64),
                }
            )
            files[f"{subject}/{split}-00000-of-00001.parquet"] = frame
            by_split[split].append(frame)
        info.append(_mmlu_info(subject, sizes))
        configs.append(_card_config(subject, list(sizes)))
    for split, frames in by_split.items():
        files[f"all/{split}-00000-of-00001.parquet"] = pl.concat(frames)
    info.append(_mmlu_info("all", {k: sum(f.height for f in v) for k, v in by_split.items()}))
    configs.append(_card_config("all", list(by_split)))
    write_repo(root, repo, files, card={"license": "mit", "dataset_info": info, "configs": configs})
    subject = "astronomy"
    path = f"{subject}/test-00000-of-00001.parquet"
    rows = by_split["test"][MMLU_SUBJECTS.index(subject)].height
    return Case("mmlu", "MMLU-like astronomy/test", repo, subject, "test", (path,), rows)


def _mmlu_info(config: str, sizes: Mapping[str, int]) -> dict[str, Any]:
    names = {str(i): letter for i, letter in enumerate("ABCD")}
    return {
        "config_name": config,
        "features": [
            {"name": "question", "dtype": "string"},
            {"name": "subject", "dtype": "string"},
            {"name": "choices", "sequence": "string"},
            {"name": "answer", "dtype": {"class_label": {"names": names}}},
        ],
        "splits": [{"name": split, "num_examples": n} for split, n in sizes.items()],
    }


def _card_config(config: str, splits: Sequence[str]) -> dict[str, Any]:
    return {
        "config_name": config,
        "data_files": [{"split": s, "path": f"{config}/{s}-*"} for s in splits],
    }


def _gsm8k_like(root: Path) -> Case:
    import polars as pl
    from bench_load import gsm8k_like

    from crucible_pl.testing import write_repo

    repo = "bench/gsm8k-like"
    sizes = {"train": 7473, "test": 1319}
    files: dict[str, pl.DataFrame | bytes] = {}
    for c, config in enumerate(("main", "socratic")):
        for s, (split, n) in enumerate(sizes.items()):
            files[f"{config}/{split}-00000-of-00001.parquet"] = gsm8k_like(n, seed=10 * c + s)
    card = {
        "license": "mit",
        "dataset_info": [
            {
                "config_name": config,
                "features": [
                    {"name": "question", "dtype": "string"},
                    {"name": "answer", "dtype": "string"},
                ],
                "splits": [{"name": split, "num_examples": n} for split, n in sizes.items()],
            }
            for config in ("main", "socratic")
        ],
        "configs": [_card_config(config, list(sizes)) for config in ("main", "socratic")],
    }
    write_repo(root, repo, files, card=card)
    path = "main/test-00000-of-00001.parquet"
    return Case("gsm8k", "GSM8K-like main/test", repo, "main", "test", (path,), sizes["test"])


def _stream_like(root: Path, rows: int, vocabulary: Any, shards: int = 8) -> Case:
    import polars as pl
    from bench_load import _sentences

    from crucible_pl.testing import write_repo

    repo = "bench/stream-like"
    per = -(-rows // shards)
    files: dict[str, pl.DataFrame | bytes] = {}
    for i in range(shards):
        n = min(per, rows - i * per)
        ids = pl.int_range(i * per, i * per + n, eager=True, dtype=pl.Int64)
        files[f"data/train-{i:05d}-of-{shards:05d}.parquet"] = pl.DataFrame(
            {
                "id": ids,
                "text": _sentences(n, 8, vocabulary, 1000 + i),
                "label": (ids.hash(3) % 1000).cast(pl.Int64),
                "score": (ids.hash(4) % 1_000_000).cast(pl.Float64) / 1e6,
            }
        )
    write_repo(root, repo, files, card={"license": "mit"})
    label = f"stream set, {rows:,} rows in {shards} shards"
    return Case("stream", label, repo, None, "train", tuple(sorted(files)), rows)


# ========================================================================= the runner


def _clean_environ() -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("HF_", "CRUCIBLE_PL_", "HUGGING_FACE_", "HF_DATASETS_"))
    }
    env.update(
        HF_HUB_DISABLE_TELEMETRY="1",
        HF_HUB_DISABLE_PROGRESS_BARS="1",
        HF_DATASETS_DISABLE_PROGRESS_BARS="1",
        HF_HUB_DISABLE_IMPLICIT_TOKEN="1",
    )
    return env


def _served_bytes(hub: Any, repo: str, start: int) -> int:
    """Bytes of the file downloads (200, or 206 ranges) since request ``start``."""
    total = 0
    for r in hub.requests[start:]:
        if r.method != "GET" or r.filename is None or r.status not in (200, 206):
            continue
        size = (hub.root / "datasets" / repo / r.filename).stat().st_size
        match = re.fullmatch(r"\s*bytes=(\d*)-(\d*)\s*", r.range or "")
        if r.status == 206 and match:
            first = int(match[1]) if match[1] else max(size - int(match[2]), 0)
            last = int(match[2]) if match[1] and match[2] else size - 1
            total += min(last, size - 1) - first + 1
        else:
            total += size
    return total


def _disk_usage(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


class Runner:
    """Runs workers against one LocalHub and records what the hub saw."""

    def __init__(self, hub: Any, caches: Path, *, verbose: bool) -> None:
        self.hub = hub
        self.caches = caches
        self.verbose = verbose
        self.base_env = _clean_environ()
        self.base_env["HF_ENDPOINT"] = hub.url

    def cache(self, name: str, *, fresh: bool) -> Path:
        path = self.caches / name
        if fresh and path.exists():
            shutil.rmtree(path)
        path.mkdir(parents=True, exist_ok=True)
        return path

    def run(
        self,
        tool: str,
        op: str,
        case: Case,
        cache: Path,
        *,
        offline: bool = False,
        **extra: Any,
    ) -> Sample:
        spec = {
            "tool": tool,
            "op": op,
            "repo": case.repo,
            "config": case.config,
            "split": case.split,
            **extra,
        }
        env = dict(self.base_env)
        env["HF_HOME"] = str(cache / "hf-home")
        env["CRUCIBLE_PL_CACHE"] = str(cache / "crucible")
        if offline:
            env["HF_HUB_OFFLINE"] = "1"
        self.hub.clear_requests()
        start = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--worker", json.dumps(spec)],
            env=env,
            capture_output=True,
            text=True,
            timeout=3600,
            check=False,
        )
        wall = time.perf_counter() - start
        lines = [ln for ln in proc.stdout.splitlines() if ln.startswith(WORKER_MARK)]
        if proc.returncode or not lines:
            raise RuntimeError(
                f"worker {spec} failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}"
            )
        out = json.loads(lines[-1][len(WORKER_MARK) :])
        sample = Sample(
            op_s=out["op_s"],
            import_s=out["import_s"],
            wall_s=wall,
            rows=out["rows"],
            rss_mib=out["rss_mib"],
            rss_import_mib=out["rss_import_mib"],
            requests=len(self.hub.requests),
            downloads=self.hub.downloads(case.repo),
            bytes=_served_bytes(self.hub, case.repo, 0),
            disk=_disk_usage(cache),
        )
        if self.verbose:
            mode = " offline" if offline else ""
            print(
                f"    {tool:<12}{op + mode:<22}{sample.op_s * 1e3:10.1f} ms "
                f"{sample.requests:4d} req {len(sample.downloads):3d} dl "
                f"{sample.rss_mib:7.0f} MiB  rows={sample.rows}",
                flush=True,
            )
        return sample


def _alternate(i: int) -> tuple[str, ...]:
    return TOOLS if i % 2 == 0 else TOOLS[::-1]


@dataclass
class LoadResult:
    """Series of one case: ``kind`` ("cold", "warm", "offline") -> tool -> samples.

    ``warm_open`` and ``offline_open`` hold crucible-pl's ``len(load(...))``: a lazy handle
    with its row count, the closest match to the memory-mapped Dataset that datasets'
    ``load_dataset`` returns (the main rows collect every row into memory).
    """

    case: Case
    series: dict[str, dict[str, Series]] = field(default_factory=dict)

    def get(self, kind: str, tool: str) -> Series:
        return self.series.setdefault(kind, {}).setdefault(tool, Series())


def measure_loads(runner: Runner, case: Case, *, cold: int, repeat: int) -> LoadResult:
    print(f"  {case.label} ({case.repo})", flush=True)
    result = LoadResult(case)
    for i in range(cold):
        for tool in _alternate(i):
            cache = runner.cache(f"{case.key}-{tool}", fresh=True)
            result.get("cold", tool).samples.append(runner.run(tool, "load", case, cache))
    for kind, offline in (("warm", False), ("offline", True)):
        for i in range(repeat):
            for tool in _alternate(i):
                cache = runner.cache(f"{case.key}-{tool}", fresh=False)
                sample = runner.run(tool, "load", case, cache, offline=offline)
                result.get(kind, tool).samples.append(sample)
                if tool == CRUCIBLE:
                    sample = runner.run(tool, "open", case, cache, offline=offline)
                    result.get(f"{kind}_open", tool).samples.append(sample)
    return result


@dataclass
class StreamResult:
    """Measurements on the multi-million-row set, per tool."""

    case: Case
    series: dict[str, dict[str, Series]] = field(default_factory=dict)

    def get(self, name: str, tool: str) -> Series:
        return self.series.setdefault(name, {}).setdefault(tool, Series())


def measure_stream(runner: Runner, case: Case, *, cold: int, repeat: int) -> StreamResult:
    print(f"  {case.label} ({case.repo})", flush=True)
    result = StreamResult(case)
    batch: dict[str, Any] = {"batch": STREAM_BATCH}
    # A first pass from empty caches: crucible-pl downloads then scans; datasets'
    # streaming=True reads the files over HTTP (nothing cached, no Arrow conversion).
    for i in range(cold):
        for tool in _alternate(i):
            cache = runner.cache(f"{case.key}-{tool}-stream-cold", fresh=True)
            result.get("stream_cold", tool).samples.append(
                runner.run(tool, "stream", case, cache, **batch)
            )
    # The full cold load (download, and for datasets the Arrow conversion) that the
    # warm measurements below reuse.
    for tool in TOOLS:
        cache = runner.cache(f"{case.key}-{tool}", fresh=True)
        result.get("load_cold", tool).samples.append(runner.run(tool, "load", case, cache))
    ops: list[tuple[str, str, str, dict[str, Any]]] = [
        ("load_warm", "load", "load", {}),
        ("head", "head", "head", {}),
        ("project", "project", "project", {"column": "label"}),
        ("filter", "filter", "filter", {"column": "label", "value": FILTER_LABEL}),
        ("stream_warm", "stream", "stream_cached", batch),
    ]
    for i in range(repeat):
        for name, crucible_op, datasets_op, extra in ops:
            for tool in _alternate(i):
                cache = runner.cache(f"{case.key}-{tool}", fresh=False)
                op = crucible_op if tool == CRUCIBLE else datasets_op
                result.get(name, tool).samples.append(runner.run(tool, op, case, cache, **extra))
    return result


# ============================================================================ imports


@dataclass
class ImportResult:
    """Median wall times of ``python -c 'import x'`` and the importtime profile."""

    wall: dict[str, list[float]]
    packages: list[tuple[str, float]]  # top-level package -> median self time (s)
    heaviest: list[tuple[str, float]]  # crucible_pl's own modules -> median self time (s)
    total_s: float

    def median(self, module: str) -> float:
        return float(statistics.median(self.wall[module]))


IMPORTS = {
    "pass": "pass",
    "polars": "import polars",
    "crucible_pl": "import crucible_pl",
    "load_lazy": "from crucible_pl import load_lazy",
    "datasets": "import datasets",
}


def _importtime(code: str, env: Mapping[str, str]) -> list[tuple[int, str, int, int]]:
    """(depth, name, self us, cumulative us) for every line of ``-X importtime``."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        env=dict(env),
        capture_output=True,
        text=True,
        check=True,
    )
    entries = []
    for line in proc.stderr.splitlines():
        match = re.match(r"import time:\s+(\d+)\s+\|\s+(\d+)\s+\|( *)(\S+)", line)
        if match:
            depth = (len(match[3]) - 1) // 2
            entries.append((depth, match[4], int(match[1]), int(match[2])))
    return entries


def measure_imports(repeat: int) -> ImportResult:
    env = _clean_environ()
    wall: dict[str, list[float]] = {m: [] for m in IMPORTS}
    for i in range(repeat):
        order = list(IMPORTS) if i % 2 == 0 else list(IMPORTS)[::-1]
        for key in order:
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", IMPORTS[key]], env=env, check=True)
            wall[key].append(time.perf_counter() - start)
    # Profile of what a user pays before the first call: self time grouped by top-level
    # package, and the heaviest imports made by crucible_pl's own modules.
    runs = [_importtime(IMPORTS["load_lazy"], env) for _ in range(max(3, repeat // 2))]
    per_package: dict[str, list[float]] = {}
    direct: dict[str, list[float]] = {}
    totals = []
    for entries in runs:
        sums: dict[str, float] = {}
        for _depth, name, self_us, _cumulative_us in entries:
            top = name.split(".")[0]
            sums[top] = sums.get(top, 0.0) + self_us / 1e6
        for name, value in sums.items():
            per_package.setdefault(name, []).append(value)
        totals.append(sum(sums.values()))
        seen = {n: self_us / 1e6 for _d, n, self_us, _c in entries if n.startswith("crucible_pl")}
        for name, value in seen.items():
            direct.setdefault(name, []).append(value)
    packages = sorted(
        ((k, statistics.median(v + [0.0] * (len(runs) - len(v)))) for k, v in per_package.items()),
        key=lambda kv: -kv[1],
    )
    heaviest = sorted(
        ((k, statistics.median(v + [0.0] * (len(runs) - len(v)))) for k, v in direct.items()),
        key=lambda kv: -kv[1],
    )
    return ImportResult(wall, packages[:12], heaviest[:10], float(statistics.median(totals)))


# ============================================================================= report


def _fmt_s(seconds: float) -> str:
    return f"{seconds * 1e3:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"


def _fmt_ms(seconds: float) -> str:
    ms = seconds * 1e3
    return f"{ms:.1f} ms" if ms < 100 else f"{ms:.0f} ms"


def _ratio(better: float, worse: float) -> str:
    """How many times ``worse`` is ``better`` (the column is always 'x times better')."""
    if better == 0:
        return "inf" if worse > 0 else "1.0x"
    return f"{worse / better:.1f}x" if worse / better < 100 else f"{worse / better:.0f}x"


def _verdict(ok: bool | None) -> str:
    return "-" if ok is None else ("PASS" if ok else "FAIL")


def _data_files(downloads: Sequence[str]) -> list[str]:
    return sorted({d for d in downloads if not d.endswith(".md")})


def _time_row(metric: str, c: Series, d: Series, attr: str = "op_s", target: bool = False) -> Row:
    speedup = d.median(attr) / c.median(attr)
    return Row(
        metric,
        _fmt_ms(c.median(attr)),
        _fmt_ms(d.median(attr)),
        _ratio(c.median(attr), d.median(attr)),
        f">= {TARGET_WARM_SPEEDUP:g}x" if target else "",
        _verdict(speedup >= TARGET_WARM_SPEEDUP) if target else "-",
    )


def _load_rows(res: LoadResult) -> list[Row]:
    c, d = (res.get("cold", t) for t in TOOLS)
    cw, dw = (res.get("warm", t) for t in TOOLS)
    co, do = (res.get("offline", t) for t in TOOLS)
    cw_open, co_open = res.get("warm_open", CRUCIBLE), res.get("offline_open", CRUCIBLE)
    case = res.case
    name = case.label
    want = sorted(case.data_files)
    c_files, d_files = _data_files(c.last().downloads), _data_files(d.last().downloads)
    c_req = max(s.requests for s in cw.samples + cw_open.samples)
    d_req = max(s.requests for s in dw.samples)
    return [
        _time_row(f"{name}: cold load, time", c, d),
        _time_row(f"{name}: cold load, whole process (start + import + load)", c, d, "wall_s"),
        Row(
            f"{name}: cold load, data files downloaded",
            f"{len(c_files)}",
            f"{len(d_files)}",
            _ratio(len(c_files), len(d_files)),
            f"only the split's {len(want)} file(s)",
            _verdict(c_files == want) + ("" if d_files == want else " (datasets: no)"),
        ),
        Row(
            f"{name}: cold load, bytes downloaded",
            f"{c.last().bytes / 1e3:,.0f} kB",
            f"{d.last().bytes / 1e3:,.0f} kB",
            _ratio(c.last().bytes, d.last().bytes),
            "",
            "-",
        ),
        Row(
            f"{name}: cold load, requests",
            str(c.last().requests),
            str(d.last().requests),
            _ratio(c.last().requests, d.last().requests),
            "",
            "-",
        ),
        _time_row(f"{name}: warm load, time (crucible-pl: rows collected)", cw, dw, target=True),
        _time_row(
            f"{name}: warm load, time (crucible-pl: lazy `len(load())`)", cw_open, dw, target=True
        ),
        Row(
            f"{name}: warm load, requests",
            str(c_req),
            str(d_req),
            _ratio(c_req, d_req),
            "crucible-pl: 0",
            _verdict(c_req == 0),
        ),
        _time_row(
            f"{name}: warm, HF_HUB_OFFLINE=1, time (crucible-pl: rows collected)",
            co,
            do,
            target=True,
        ),
        _time_row(
            f"{name}: warm, HF_HUB_OFFLINE=1, time (crucible-pl: lazy `len(load())`)",
            co_open,
            do,
            target=True,
        ),
        _time_row(f"{name}: warm load, whole process (start + import + load)", cw, dw, "wall_s"),
        Row(
            f"{name}: peak RSS, cold load",
            f"{c.median('rss_mib'):.0f} MiB",
            f"{d.median('rss_mib'):.0f} MiB",
            _ratio(c.median("rss_mib"), d.median("rss_mib")),
            "",
            "-",
        ),
    ]


def _stream_rows(res: StreamResult) -> list[Row]:
    rows: list[Row] = []
    n = res.case.rows

    def pair(name: str) -> tuple[Series, Series]:
        return res.series[name][CRUCIBLE], res.series[name][DATASETS]

    c, d = pair("load_cold")
    rows.append(
        Row(
            "stream set: cold full load (download; datasets also converts to Arrow)",
            _fmt_s(c.median("op_s")),
            _fmt_s(d.median("op_s")),
            _ratio(c.median("op_s"), d.median("op_s")),
            "",
            "-",
        )
    )
    rows.append(
        Row(
            "stream set: cold load, bytes downloaded",
            f"{c.last().bytes / 1e6:,.1f} MB",
            f"{d.last().bytes / 1e6:,.1f} MB",
            _ratio(c.last().bytes, d.last().bytes),
            "",
            "-",
        )
    )
    rows.append(
        Row(
            "stream set: caches on disk after the cold load",
            f"{c.last().disk / 1e6:,.1f} MB",
            f"{d.last().disk / 1e6:,.1f} MB",
            _ratio(c.last().disk, d.last().disk),
            "",
            "-",
        )
    )
    for name, label in (
        ("load_warm", "warm load, all rows"),
        ("head", "warm head(5)"),
        ("project", "warm one-column projection (label)"),
        ("filter", f"warm selective filter (label == {FILTER_LABEL}, ~0.1% of rows)"),
    ):
        c, d = pair(name)
        rows.append(
            Row(
                f"stream set: {label}, time",
                _fmt_ms(c.median("op_s")),
                _fmt_ms(d.median("op_s")),
                _ratio(c.median("op_s"), d.median("op_s")),
                "",
                "-",
            )
        )
    for name, label in (
        ("stream_warm", "streaming throughput, warm (datasets: Arrow cache)"),
        ("stream_cold", "streaming throughput, first pass (datasets: streaming=True)"),
    ):
        c, d = pair(name)
        c_rate, d_rate = n / c.median("op_s"), n / d.median("op_s")
        rows.append(
            Row(
                f"stream set: {label}",
                f"{c_rate / 1e6:.2f} M rows/s",
                f"{d_rate / 1e6:.2f} M rows/s",
                _ratio(d_rate, c_rate),
                "",
                "-",
            )
        )
    for name, label in (
        ("stream_warm", "peak RSS, warm streaming pass"),
        ("load_warm", "peak RSS, warm load of all rows"),
        ("project", "peak RSS, warm one-column projection"),
    ):
        c, d = pair(name)
        rows.append(
            Row(
                f"stream set: {label}",
                f"{c.median('rss_mib'):.0f} MiB",
                f"{d.median('rss_mib'):.0f} MiB",
                _ratio(c.median("rss_mib"), d.median("rss_mib")),
                "",
                "-",
            )
        )
    return rows


def _import_rows(res: ImportResult) -> list[Row]:
    c, f, d, p = (res.median(m) for m in ("crucible_pl", "load_lazy", "datasets", "polars"))
    base = res.median("pass")
    target = f"<= {TARGET_IMPORT_VS_POLARS:g}x"
    return [
        Row(
            "`import crucible_pl` vs `import datasets` (fresh interpreter, wall)",
            _fmt_ms(c),
            _fmt_ms(d),
            _ratio(c, d),
            "",
            "-",
        ),
        Row(
            "`from crucible_pl import load_lazy` vs `import datasets` (wall)",
            _fmt_ms(f),
            _fmt_ms(d),
            _ratio(f, d),
            "",
            "-",
        ),
        Row(
            "`import crucible_pl` / `import polars` (wall)",
            f"{c / p:.2f}x",
            f"polars: {_fmt_ms(p)}",
            "",
            target,
            _verdict(c / p <= TARGET_IMPORT_VS_POLARS),
        ),
        Row(
            "`from crucible_pl import load_lazy` / `import polars` (wall)",
            f"{f / p:.2f}x",
            f"polars: {_fmt_ms(p)}",
            "",
            target,
            _verdict(f / p <= TARGET_IMPORT_VS_POLARS),
        ),
        Row(
            "`from crucible_pl import load_lazy` / `import polars` (best of runs)",
            f"{min(res.wall['load_lazy']) / min(res.wall['polars']):.2f}x",
            f"polars: {_fmt_ms(min(res.wall['polars']))}",
            "",
            target,
            _verdict(
                min(res.wall["load_lazy"]) / min(res.wall["polars"]) <= TARGET_IMPORT_VS_POLARS
            ),
        ),
        Row(
            "`from crucible_pl import load_lazy` / `import polars`, start-up subtracted",
            f"{(f - base) / (p - base):.2f}x",
            f"start-up: {_fmt_ms(base)}",
            "",
            "",
            "-",
        ),
    ]


def _table(rows: Sequence[Row]) -> str:
    # The page shows the measurements; the targets and their checks are for the
    # developers, printed by the run (_plain_table, _interpretation).
    head = ("metric", "crucible-pl", "datasets", "ratio")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        cells = (r.metric, r.crucible, r.datasets, r.ratio)
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


RESULTS = ROOT / "bench" / "results" / "bench_compare.json"
"""The last full run's rows as data, read by bench/charts.py for the docs' charts."""


def _ratio_value(text: str) -> float | None:
    match = re.fullmatch(r"([0-9.]+)x", text.strip())
    return float(match.group(1)) if match else None


def write_results(path: Path, rows: Sequence[Row], meta: Mapping[str, Any]) -> None:
    """The table's rows (and the run's facts) as JSON, ratios also as numbers."""
    data = {
        **meta,
        "rows": [
            {
                "metric": r.metric,
                "crucible_pl": r.crucible,
                "datasets": r.datasets,
                "ratio": r.ratio,
                "ratio_value": _ratio_value(r.ratio),
            }
            for r in rows
        ],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")


def _plain_table(rows: Sequence[Row]) -> str:
    head = Row("metric", "crucible-pl", "datasets", "ratio", "target", "verdict")
    all_rows = [head, *rows]
    widths = [max(len(getattr(r, f)) for r in all_rows) for f in Row.__dataclass_fields__]
    out = []
    for i, r in enumerate(all_rows):
        cells = [
            getattr(r, f).ljust(w) for f, w in zip(Row.__dataclass_fields__, widths, strict=True)
        ]
        out.append("  ".join(cells).rstrip())
        if i == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for dist in ("polars", "datasets", "huggingface_hub", "pyarrow", "crucible-pl"):
        try:
            out[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            out[dist] = "absent"
    return out


def _memory_gib() -> float:
    with open("/proc/meminfo") as fh:
        for line in fh:
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 2**20
    return float("nan")


def _details(loads: Sequence[LoadResult], stream: StreamResult, imports: ImportResult) -> str:
    """Per-measurement medians, counts and what each tool downloaded."""
    lines = [
        "| measurement | tool | runs | median op | median whole process | requests "
        "| file downloads | peak RSS (after import) |",
        "|---|---|---|---|---|---|---|---|",
    ]

    def add(label: str, tool: str, s: Series) -> None:
        last = s.last()
        lines.append(
            f"| {label} | {tool} | {len(s.samples)} | {_fmt_ms(s.median('op_s'))} "
            f"| {_fmt_ms(s.median('wall_s'))} | {last.requests} | {len(last.downloads)} "
            f"| {s.median('rss_mib'):.0f} MiB ({s.median('rss_import_mib'):.0f}) |"
        )

    for res in loads:
        for kind, group in res.series.items():
            for tool, series in group.items():
                add(f"{res.case.label}, {kind}", tool, series)
    for name, group in stream.series.items():
        for tool in TOOLS:
            add(f"stream set, {name}", tool, group[tool])
    lines.append("")
    lines.append("What each tool downloaded on its last cold load (`LocalHub.downloads()`):")
    lines.append("")
    for res in loads:
        for tool in TOOLS:
            files = res.get("cold", tool).last().downloads
            lines.append(f"- {res.case.label}, {tool}: {', '.join(f'`{f}`' for f in files)}")
    for tool in TOOLS:
        files = stream.series["stream_cold"][tool].last().downloads
        ranged = len(files) - len(set(files))
        lines.append(
            f"- stream set first pass, {tool}: {len(set(files))} distinct files, "
            f"{len(files)} GETs ({ranged} repeated: ranged reads)"
        )
    lines.append("")
    lines.append(
        f"Import profile of `from crucible_pl import load_lazy` (`python -X importtime`, "
        f"median of runs; "
        f"total self time {imports.total_s * 1e3:.0f} ms). Self time by top-level package:"
    )
    lines.append("")
    lines.append(
        ", ".join(f"`{name}` {seconds * 1e3:.0f} ms" for name, seconds in imports.packages)
    )
    lines.append("")
    lines.append("crucible_pl's own modules by self time:")
    lines.append("")
    lines.append(
        ", ".join(f"`{name}` {seconds * 1e3:.0f} ms" for name, seconds in imports.heaviest)
    )
    return "\n".join(lines)


def _interpretation(rows: Sequence[Row]) -> str:
    fails = [r for r in rows if r.verdict.startswith("FAIL")]
    passes = [r for r in rows if r.verdict.startswith("PASS")]
    text = [f"Targets met: {len(passes)} of {len(passes) + len(fails)}."]
    for r in fails:
        text.append(f"- Missed: {r.metric} ({r.crucible} vs {r.datasets}; target {r.target}).")
    return "\n".join(text)


def write_page(path: Path, block: str) -> None:
    """Replace the generated section of ``path`` (create the page when missing)."""
    generated = f"{BEGIN_MARK}\n{block}\n{END_MARK}"
    if path.exists():
        text = path.read_text()
        if BEGIN_MARK in text and END_MARK in text:
            before, rest = text.split(BEGIN_MARK, 1)
            after = rest.split(END_MARK, 1)[1]
            text = before + generated + after
        else:
            text = text.rstrip() + "\n\n" + generated + "\n"
    else:
        text = f"# crucible-pl vs Hugging Face datasets\n\n{generated}\n"
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


# =============================================================================== main


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs, 1M-row stream set")
    parser.add_argument("--repeat", type=int, help="warm runs per measurement (default 5; 3)")
    parser.add_argument("--cold-repeat", type=int, help="cold runs (default 3; 1 with --quick)")
    parser.add_argument("--import-repeat", type=int, help="runs of each import (default 9; 5)")
    parser.add_argument("--rows", type=int, help="rows of the stream set (3M; 1M with --quick)")
    parser.add_argument("--output", type=Path, help=f"page to write (default {DOCS_PAGE})")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every run")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def _iter_sections(
    runner: Runner, cases: Sequence[Case], stream_case: Case, args: argparse.Namespace
) -> Iterator[LoadResult | StreamResult]:
    for case in cases:
        yield measure_loads(runner, case, cold=args.cold_repeat, repeat=args.repeat)
    yield measure_stream(runner, stream_case, cold=args.cold_repeat, repeat=args.repeat)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(argv)
    if args.worker:
        result = worker(json.loads(args.worker))
        print(WORKER_MARK + json.dumps(result), flush=True)
        return 0
    args.repeat = args.repeat or (3 if args.quick else 5)
    args.cold_repeat = args.cold_repeat or (1 if args.quick else 3)
    args.import_repeat = args.import_repeat or (5 if args.quick else 9)
    args.rows = args.rows or (1_000_000 if args.quick else 3_000_000)
    versions = _versions()
    if versions["datasets"] == "absent":
        print("bench_compare needs Hugging Face datasets: pip install datasets", file=sys.stderr)
        return 2

    from bench_load import _vocabulary

    from crucible_pl.testing import LocalHub

    started = datetime.datetime.now().astimezone()
    load_before = os.getloadavg()
    print(f"bench_compare: {' '.join(f'{k} {v}' for k, v in versions.items())}", flush=True)
    loads: list[LoadResult] = []
    stream: StreamResult | None = None
    with tempfile.TemporaryDirectory(prefix="crucible-bench-compare-") as tmp:
        root = Path(tmp) / "hub"
        t0 = time.perf_counter()
        vocabulary = _vocabulary(20_000, 0)
        cases = [_mmlu_like(root, vocabulary), _gsm8k_like(root)]
        stream_case = _stream_like(root, args.rows, vocabulary)
        print(f"wrote the repos in {time.perf_counter() - t0:.1f} s", flush=True)
        with LocalHub(root) as hub:
            runner = Runner(hub, Path(tmp) / "caches", verbose=args.verbose)
            for section in _iter_sections(runner, cases, stream_case, args):
                if isinstance(section, LoadResult):
                    loads.append(section)
                else:
                    stream = section
    assert stream is not None
    print("  imports", flush=True)
    imports = measure_imports(args.import_repeat)
    load_after = os.getloadavg()
    elapsed = datetime.datetime.now().astimezone() - started

    rows = [r for res in loads for r in _load_rows(res)]
    rows += _stream_rows(stream)
    rows += _import_rows(imports)
    print()
    print(_plain_table(rows))
    print()
    print(_interpretation(rows))

    command = "python bench/bench_compare.py" + (" --quick" if args.quick else "")
    machine = (
        f"{os.cpu_count()} cores, {_memory_gib():.0f} GiB RAM, {platform.system()} "
        f"{platform.machine()}; load average {load_before[0]:.1f} before and "
        f"{load_after[0]:.1f} after (1 min). The machine was shared with other agents "
        "while measuring, so single numbers can move by 2x; the ratios of interleaved runs "
        "are steadier."
    )
    block = "\n".join(
        [
            f"Command: `{command}` (runs: {args.cold_repeat} cold, {args.repeat} warm, "
            f"{args.import_repeat} per import; stream set {args.rows:,} rows). "
            f"Date: {started:%Y-%m-%d %H:%M %Z}; took {elapsed.total_seconds() / 60:.0f} min.",
            "",
            f"Machine: {machine}",
            "",
            "Software: " + ", ".join(f"{k} {v}" for k, v in versions.items()) + ".",
            "",
            "The ratio column says how many times better crucible-pl is (datasets / "
            "crucible-pl for times, sizes and counts; crucible-pl / datasets for "
            "throughput). Times are medians of the operation alone, measured inside a fresh "
            "interpreter after the import, unless the metric says otherwise.",
            "",
            _table(rows),
            "",
            "### Details",
            "",
            _details(loads, stream, imports),
        ]
    )
    output = args.output or (None if args.quick else DOCS_PAGE)
    if output is not None and not args.no_write:
        write_page(output, block)
        print(f"\nwrote {output}")
        if output == DOCS_PAGE:
            meta = {"command": command, "date": f"{started:%Y-%m-%d %H:%M %Z}"}
            write_results(RESULTS, rows, {**meta, "versions": versions})
            print(f"wrote {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
