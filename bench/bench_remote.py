"""Cold looks at a large split: remote=True against a download and datasets streaming.

    python bench/bench_remote.py [--shards 8] [--rows-per-shard 150000] [--repeat 3]

One LocalHub on loopback serves an 8-shard Parquet split of at least 250 MB (row groups
of 1,000 rows, as ``datasets`` writes them; an ``id``, a ``label`` integer and a
barely compressible ``text`` column). Every measurement runs in a fresh interpreter
with empty caches (``HF_HOME``, ``CRUCIBLE_PL_CACHE``), taking turns, and the hub's
record says how many bytes each answer carried:

- ``head(10)``: ``load_lazy(repo, "train", remote=True).head(10).collect()``; the
  default ``load_lazy(repo, "train").head(10).collect()`` (downloads the split);
  ``datasets.load_dataset(repo, split="train", streaming=True).take(10)``.
- ``select("label")``: ``load_lazy(..., remote=True).select("label").collect()``,
  against the label column's share of the files (from their footers) plus the bytes
  read for footers.

Targets (issue 16): the cold remote ``head(10)`` reads at most 2% of the split's bytes
and is at least 3x faster than ``datasets`` streaming; the remote ``select`` reads at
most the column's share plus the footers. Needs ``datasets`` (``pip install -e
".[bench]"``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

WORKER = "--worker"
REPO = "bench/big-split"


def write_split(root: Path, shards: int, rows: int) -> list[Path]:
    """The split's shards, written into a LocalHub root; returns their paths."""
    from crucible_pl.testing import write_repo

    files: dict[str, bytes] = {}
    for shard in range(shards):
        index = pl.int_range(rows, eager=True) + shard * rows
        words = [(index * 7919 + k).hash(seed=k).cast(pl.String) for k in range(10)]
        frame = pl.DataFrame(
            {
                "id": index.cast(pl.String),
                "label": (index % 1000).cast(pl.Int32),
                "text": pl.select(pl.concat_str(words, separator=" ")).to_series(),
            }
        )
        path = root / f"shard-{shard}.parquet"
        frame.write_parquet(path, row_group_size=1_000)
        files[f"data/train-{shard:05d}-of-{shards:05d}.parquet"] = path.read_bytes()
        path.unlink()
    main = write_repo(root, REPO, files)
    return sorted(main.rglob("train-*.parquet"))


def column_share(paths: list[Path], column: str) -> int:
    """Compressed bytes of ``column`` in ``paths``, from their footers (pyarrow)."""
    import pyarrow.parquet as pq

    total = 0
    for path in paths:
        meta = pq.ParquetFile(path).metadata
        names = [meta.schema.column(i).name for i in range(meta.num_columns)]
        j = names.index(column)
        total += sum(
            meta.row_group(g).column(j).total_compressed_size for g in range(meta.num_row_groups)
        )
    return total


def worker(kind: str) -> dict[str, object]:
    """One measurement, in this fresh interpreter (its environment set by the parent)."""
    start = time.perf_counter()
    if kind.startswith("crucible"):
        import crucible_pl

        remote = kind != "crucible-download"
        lf = crucible_pl.load_lazy(REPO, "train", remote=remote)
        picked = lf.select("label") if kind == "crucible-select" else lf.head(10)
        frame = picked.collect()
        rows = frame.height
    else:
        import datasets

        stream = datasets.load_dataset(REPO, split="train", streaming=True)
        rows = sum(1 for _ in stream.take(10))
    return {"seconds": time.perf_counter() - start, "rows": rows}


def run(kind: str, hub_url: str, tmp: Path) -> dict[str, object]:
    cache = Path(tempfile.mkdtemp(dir=tmp))
    env = {
        **os.environ,
        "HF_ENDPOINT": hub_url,
        "HF_HOME": str(cache / "hf"),
        "CRUCIBLE_PL_CACHE": str(cache / "crucible"),
        "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    }
    env.pop("HF_HUB_OFFLINE", None)
    out = subprocess.run(
        [sys.executable, __file__, WORKER, kind], env=env, capture_output=True, text=True
    )
    lines = out.stdout.strip().splitlines()
    if not lines or not lines[-1].startswith("{"):
        raise RuntimeError(f"worker {kind} failed ({out.returncode}):\n{out.stderr[-3000:]}")
    # A worker that printed its result counts even if its interpreter then aborted on
    # exit (datasets' streaming threads can): the measurement itself was complete.
    return dict(json.loads(lines[-1]))


LABELS = {
    "crucible-remote": "head(10), crucible-pl remote=True",
    "datasets-stream": "head(10), datasets streaming",
    "crucible-download": "head(10), crucible-pl default (download)",
    "crucible-select": 'select("label"), crucible-pl remote=True',
}


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


MODEL_RATE = 50e6
"""Bytes per second of the modelled network (loopback adds only its own, tiny, cost)."""


def report(
    seconds: dict[str, list[float]],
    sent: dict[str, list[int]],
    requests: dict[str, list[int]],
    footers: list[int],
    *,
    total: int,
    label_bytes: int,
) -> None:
    """The medians side by side, then the three targets."""
    med = {k: statistics.median(v) for k, v in seconds.items()}
    byt = {k: statistics.median(v) for k, v in sent.items()}
    req = {k: statistics.median(v) for k, v in requests.items()}
    model = {k: med[k] + byt[k] / MODEL_RATE for k in med}
    head = f"{'measurement':44}{'loopback s':>11}{'at 50 MB/s':>11}{'requests':>9}"
    print(f"\n{head}{'MB read':>9}{'% of split':>11}")
    for kind, label in LABELS.items():
        share = 100 * byt[kind] / total
        print(
            f"{label:44}{med[kind]:11.2f}{model[kind]:11.2f}{req[kind]:9.0f}"
            f"{byt[kind] / 1e6:9.2f}{share:10.2f}%"
        )
    print(
        "(at 50 MB/s: the loopback time plus the bytes read at that rate; request latency "
        "is not modelled)"
    )
    share = 100 * byt["crucible-remote"] / total
    speedup = med["datasets-stream"] / med["crucible-remote"]
    modelled = model["datasets-stream"] / model["crucible-remote"]
    footer = statistics.median(footers)
    allowed = label_bytes + footer
    print()
    print(f"{verdict(share <= 2)}  remote head(10) reads {share:.2f}% of the split (<= 2%)")
    print(
        f"{verdict(speedup >= 3)}  remote head(10) is {speedup:.1f}x faster than datasets "
        f"streaming on loopback (>= 3x); {modelled:.1f}x at 50 MB/s"
    )
    print(
        f"{verdict(byt['crucible-select'] <= allowed)}  remote select(label) reads "
        f"{byt['crucible-select'] / 1e6:.2f} MB: the column is {label_bytes / 1e6:.2f} MB, "
        f"the footer reads {footer / 1e6:.2f} MB"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--shards", type=int, default=8)
    parser.add_argument("--rows-per-shard", type=int, default=150_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(WORKER)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker)))
        return 0

    from crucible_pl.testing import LocalHub

    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        root = tmp / "hub"
        root.mkdir()
        print(f"writing {args.shards} shards of {args.rows_per_shard:,} rows ...", flush=True)
        paths = write_split(root, args.shards, args.rows_per_shard)
        total = sum(p.stat().st_size for p in paths)
        label_bytes = column_share(paths, "label")
        size, label = f"{total / 1e6:.1f} MB", f"{label_bytes / 1e6:.2f} MB"
        print(f"split: {size} in {len(paths)} files; label column {label}")
        kinds = ["crucible-remote", "datasets-stream", "crucible-download", "crucible-select"]
        seconds: dict[str, list[float]] = {k: [] for k in kinds}
        sent: dict[str, list[int]] = {k: [] for k in kinds}
        requests: dict[str, list[int]] = {k: [] for k in kinds}
        footers: list[int] = []
        with LocalHub(root) as hub:
            for round_ in range(args.repeat):
                order = kinds if round_ % 2 == 0 else kinds[::-1]
                for kind in order:
                    hub.clear_requests()
                    result = run(kind, hub.url, tmp)
                    data = [
                        r for r in hub.requests if r.filename and r.filename.endswith(".parquet")
                    ]
                    seconds[kind].append(float(result["seconds"]))  # type: ignore[arg-type]
                    sent[kind].append(sum(r.bytes for r in data))
                    requests[kind].append(len(hub.requests))
                    if kind == "crucible-select":
                        footers.append(
                            sum(r.bytes for r in data if (r.range or "").startswith("bytes=-"))
                        )
        report(seconds, sent, requests, footers, total=total, label_bytes=label_bytes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
