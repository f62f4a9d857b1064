"""CLI output in a real pseudo-terminal at 80 and 100 columns (issue 17 item 3).

Each command runs as a subprocess whose stdout and stderr are a pty of the given size,
with no COLUMNS variable, so the width comes from the terminal itself.
"""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios
from collections.abc import Callable

import polars as pl
import pytest

from crucible_pl import _api
from crucible_pl._terminal import cli_terms, table_text
from crucible_pl.testing import LocalHub, write_repo


def run_in_pty(args: list[str], columns: int, env: dict[str, str] | None = None) -> str:
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    environ = {k: v for k, v in (env or os.environ).items() if k not in ("COLUMNS", "LINES")}
    code = "from crucible_pl.cli import main; main()"
    proc = subprocess.Popen(
        [sys.executable, "-c", code, *args], stdout=slave, stderr=slave, env=environ
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    assert proc.wait(timeout=60) == 0, b"".join(chunks).decode()
    return b"".join(chunks).decode().replace("\r\n", "\n")


@pytest.mark.parametrize("columns", [80, 100])
def test_list_fits_the_terminal_one_line_per_dataset(columns: int) -> None:
    out = run_in_pty(["list"], columns)
    lines = out.rstrip("\n").split("\n")
    assert max(len(line) for line in lines) <= columns
    n = _api.list_datasets().height
    assert len(lines) == n + 2  # header, rule, one line per dataset
    assert lines[0].split() == ["name", "family", "repo", "description"]
    assert set(lines[1]) <= {"-", " "}
    assert any(line.startswith("gsm8k ") and "openai/gsm8k" in line for line in lines)
    assert any(line.endswith("…") for line in lines)  # long descriptions are cut


def test_a_wide_terminal_gets_every_column() -> None:
    out = run_in_pty(["list"], 160)
    assert out.split("\n")[0].split() == [
        "name", "family", "repo", "default_config", "license", "description"
    ]  # fmt: skip


@pytest.mark.parametrize("columns", [80, 100])
def test_head_rounds_numbers_and_fits(make_hub: Callable[..., LocalHub], columns: int) -> None:
    hub = make_hub()
    rows = pl.DataFrame(
        {
            "id": ["a", "b"],
            "text": ["word " * 80, "short"],
            "score": [1 / 3, None],
            "tags": [["x", "y"], []],
        }
    )
    write_repo(hub.root, "me/wide", {"data/test-00000-of-00001.parquet": rows})
    out = run_in_pty(["head", "me/wide", "-n", "2"], columns, env=dict(os.environ))
    lines = out.rstrip("\n").split("\n")
    assert max(len(line) for line in lines) <= columns
    assert len(lines) == 4
    assert "0.3333" in lines[2]
    assert "0.33333" not in out
    assert lines[3].split() == ["b", "short", "-"]  # a null score, an empty list
    assert "x, y" in lines[2]


def test_json_output_is_unchanged_by_the_terminal() -> None:
    out = run_in_pty(["list", "--json"], 80)
    assert out.startswith('[{"name": ')
    assert len(out.strip().split("\n")) == 1


def test_table_text_keeps_short_columns_whole_and_cuts_the_wide_one() -> None:
    df = pl.DataFrame({"name": ["gsm8k"], "about": ["x" * 200]})
    text = table_text(df, width=40, wide=("about",))
    assert text.split("\n")[2] == "gsm8k  " + "x" * 32 + "…"


@pytest.mark.parametrize(
    ("library", "cli"),
    [
        (
            "If it is private, pass token=... or set HF_TOKEN.",
            "If it is private, pass --token or set HF_TOKEN.",
        ),
        (
            "is locked in several configs (main, socratic): pass config=.",
            "is locked in several configs (main, socratic): pass --config.",
        ),
        ("Did you mean config='astronomy'?", "Did you mean --config astronomy?"),
        (
            "pin an older revision=, or load with raw=True and normalize yourself",
            "pin an older --revision, or load with --raw and normalize yourself",
        ),
        ("the split, e.g. split='test[:100]'.", "the split, e.g. --split test[:100]."),
    ],
)
def test_error_hints_use_cli_words(library: str, cli: str) -> None:
    assert cli_terms(library) == cli
