"""The ``crucible-pl`` command line, thin over the public API.

A :class:`~crucible_pl.errors.CrucibleError` exits with status 1 and one clear line
(the traceback only with ``--debug``); bad usage exits with status 2 (click's rule).

Examples
--------
>>> from click.testing import CliRunner
>>> from crucible_pl.cli import main
>>> result = CliRunner().invoke(main, ["list", "--family", "code", "--json"])
>>> result.exit_code
0
"""

from __future__ import annotations

import functools
import json
import logging
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click
import polars as pl

from . import _api
from .errors import CrucibleError

__all__ = ["main"]

F = TypeVar("F", bound=Callable[..., Any])


def _friendly(func: F) -> F:
    """Turn a CrucibleError into one line on stderr and exit status 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context()
        try:
            return func(*args, **kwargs)
        except CrucibleError as err:
            if ctx.find_root().params.get("debug"):
                raise
            click.echo(f"error: {err}", err=True)
            ctx.exit(1)

    return wrapper  # type: ignore[return-value]


def _print_frame(df: pl.DataFrame, *, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(df.to_dicts(), default=str, ensure_ascii=False))
        return
    with pl.Config(
        tbl_rows=max(df.height, 1),
        tbl_cols=-1,
        fmt_str_lengths=60,
        tbl_width_chars=160,
        tbl_hide_dataframe_shape=True,
    ):
        click.echo(str(df))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show tracebacks and debug logs.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bars or info logs.")
@click.version_option(package_name="crucible-pl")
def main(debug: bool, quiet: bool) -> None:
    """Load ML evaluation datasets from the Hugging Face Hub as lazy Polars frames."""
    level = logging.DEBUG if debug else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    if quiet or not sys.stderr.isatty():
        from huggingface_hub.utils import disable_progress_bars

        disable_progress_bars()


@main.command("list")
@click.option("--family", help="Only this family (math, multiple_choice, code, chat, ...).")
@click.option("--domain", help="Only this domain.")
@click.option("--tag", help="Only datasets with this tag.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@_friendly
def list_command(family: str | None, domain: str | None, tag: str | None, as_json: bool) -> None:
    """List the registered datasets."""
    df = _api.list_datasets(family=family, domain=domain, tag=tag)
    if not as_json:
        df = df.select("name", "family", "repo", "default_config", "license", "description")
    _print_frame(df, as_json=as_json)


def _load_options(func: F) -> F:
    for option in reversed(
        [
            click.option("--config", "-c", help="Config (subset); default: the dataset's default."),
            click.option("--revision", "-r", help="Branch, tag or commit sha."),
            click.option("--offline", is_flag=True, default=None, help="Never use the network."),
            click.option("--token", envvar=None, help="Hub token (default: HF_TOKEN)."),
        ]
    ):
        func = option(func)
    return func


@main.command("info")
@click.argument("name")
@_load_options
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@_friendly
def info_command(
    name: str,
    config: str | None,
    revision: str | None,
    offline: bool | None,
    token: str | None,
    as_json: bool,
) -> None:
    """Describe NAME (a registered name or owner/name) without downloading its data."""
    meta = _api.info(name, config=config, revision=revision, offline=offline, token=token)
    payload = {
        "name": meta.name,
        "repo": meta.repo,
        "revision": meta.revision,
        "sha": meta.sha,
        "config": meta.config,
        "configs": list(meta.configs),
        "default_config": meta.default_config,
        "family": meta.family,
        "license": meta.license,
        "splits": [s.__dict__ for s in meta.splits],
        "columns": {k: str(v) for k, v in meta.columns.items()},
        "canonical": {k: str(v) for k, v in (meta.canonical or {}).items()} or None,
    }
    if as_json:
        click.echo(json.dumps(payload, ensure_ascii=False))
        return
    click.echo(f"{meta.name}  ({meta.repo} @ {meta.sha[:12]}, revision {meta.revision})")
    if meta.description:
        click.echo(f"  {meta.description}")
    click.echo(f"  config: {meta.config}   family: {meta.family or '-'}   license: {meta.license}")
    shown = ", ".join(meta.configs[:12]) + (" ..." if len(meta.configs) > 12 else "")
    click.echo(f"  configs ({len(meta.configs)}): {shown}")
    for s in meta.splits:
        rows = f"{s.num_rows:,}" if s.num_rows is not None else "?"
        click.echo(f"  split {s.name:<20} {rows:>12} rows  {s.num_files} file(s)")
    click.echo("  columns: " + ", ".join(f"{k}: {v}" for k, v in meta.columns.items()))
    if meta.canonical:
        click.echo("  canonical: " + ", ".join(f"{k}: {v}" for k, v in meta.canonical.items()))


@main.command("head")
@click.argument("name")
@_load_options
@click.option("--split", "-s", help="Split, with slicing (test, test[:100], train[10%:20%]).")
@click.option("-n", "rows", default=5, show_default=True, type=click.IntRange(min=0))
@click.option("--columns", help="Comma-separated columns to show.")
@click.option("--raw", is_flag=True, help="Raw Hub columns for a registered dataset.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@_friendly
def head_command(
    name: str,
    config: str | None,
    revision: str | None,
    offline: bool | None,
    token: str | None,
    split: str | None,
    rows: int,
    columns: str | None,
    raw: bool,
    as_json: bool,
) -> None:
    """Show the first rows of NAME (downloads only that config and split)."""
    cols = [c.strip() for c in columns.split(",") if c.strip()] if columns else None
    lf = _api.load_lazy(
        name,
        split,
        config=config,
        revision=revision,
        columns=cols,
        offline=offline,
        token=token,
        raw=raw,
    )
    _print_frame(lf.head(rows).collect(), as_json=as_json)


@main.command("download")
@click.argument("names", nargs=-1, required=True)
@_load_options
@click.option("--split", "-s", "splits", multiple=True, help="Split(s); default: the default.")
@_friendly
def download_command(
    names: tuple[str, ...],
    config: str | None,
    revision: str | None,
    offline: bool | None,
    token: str | None,
    splits: tuple[str, ...],
) -> None:
    """Pre-fetch NAMES (config and splits) into the cache for offline use."""
    for name in names:
        for split in splits or (None,):
            lf = _api.load_lazy(
                name, split, config=config, revision=revision, offline=offline, token=token
            )
            width = len(lf.collect_schema())
            click.echo(
                f"cached {name} config={config or 'default'} split={split or 'default'} "
                f"({width} columns)"
            )


@main.command("demo")
@_friendly
def demo_command() -> None:
    """Run the whole path offline on synthetic data served by a LocalHub on loopback."""
    from ._demo import run_demo

    run_demo(click.echo)
