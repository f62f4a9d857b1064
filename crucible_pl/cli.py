"""The ``crucible-pl`` command line, thin over the public API.

Commands: ``list``, ``info``, ``head``, ``download``, ``lock``, ``sync``,
``cache ls|rm|verify|clean``, ``serve`` and ``demo``. Every listing command takes
``--json`` for machine-readable output.

A :class:`~crucible_pl.errors.CrucibleError` exits with status 1 and one clear line
(the traceback too with ``--debug``); bad usage exits with status 2 (click's rule).
Downloads show huggingface_hub's progress bars when stderr is a terminal, and none
otherwise or with ``--quiet``.

Examples
--------
>>> from click.testing import CliRunner
>>> from crucible_pl.cli import main
>>> result = CliRunner().invoke(main, ["list", "--family", "code", "--json"])
>>> result.exit_code
0
"""

# Over 500 lines on purpose: every command of the CLI with its click options and help
# in one place; each command body is a few lines over the public API.
from __future__ import annotations

import contextlib
import functools
import ipaddress
import json
import logging
import signal
import socket
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click
import polars as pl

from . import _api, _config, _terminal
from ._cache import admin as _cache_admin
from ._hub import session as _hub_session
from ._sampling import MAX_ROWS
from .errors import CrucibleError

__all__ = ["main"]

F = TypeVar("F", bound=Callable[..., Any])


def _friendly(func: F) -> F:
    """Turn a CrucibleError, or any other error, into one line on stderr and exit status 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context()
        try:
            return func(*args, **kwargs)
        except CrucibleError as err:
            if ctx.find_root().params.get("debug"):
                click.echo(traceback.format_exc().rstrip(), err=True)
            click.echo(f"error: {_terminal.cli_terms(str(err))}", err=True)
            ctx.exit(1)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except KeyboardInterrupt:
            # Downloads in flight stopped; no partial file is ever taken for a whole one.
            click.echo("interrupted (Ctrl-C): nothing partly downloaded was kept.", err=True)
            ctx.exit(130)
        except Exception as err:  # the CLI never shows a traceback unasked
            # Anything not translated into a CrucibleError yet (an OSError from the disk, a
            # Polars error) is still one line and status 1; --debug shows where it came from.
            if ctx.find_root().params.get("debug"):
                click.echo(traceback.format_exc().rstrip(), err=True)
            click.echo(
                f"error: unexpected {type(err).__name__}: {err}. Run again with --debug for "
                "the traceback, and report it if it is not about your disk or input.",
                err=True,
            )
            ctx.exit(1)

    return wrapper  # type: ignore[return-value]


def _fail(message: str) -> NoReturn:
    """One line on stderr and exit status 1, for failures that are not usage errors."""
    click.echo(f"error: {message}", err=True)
    click.get_current_context().exit(1)


_WIDE_TERMINAL = 140
"""Columns from which ``list`` shows every column."""


def _print_frame(df: pl.DataFrame, *, as_json: bool, wide: tuple[str, ...] = ()) -> None:
    """A frame as JSON, or as a table the width of the terminal (``wide`` columns give way)."""
    if as_json:
        click.echo(json.dumps(df.to_dicts(), default=str, ensure_ascii=False))
        return
    click.echo(_terminal.table_text(df, wide=wide))


def _echo_json(data: object) -> None:
    click.echo(json.dumps(data, default=str, ensure_ascii=False))


def _human(size: int) -> str:
    """``1536`` -> ``'1.5 KiB'``."""
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            return f"{int(value)} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def _stderr_is_terminal() -> bool:
    return sys.stderr.isatty()


def _progress_bars_off() -> contextlib.AbstractContextManager[object]:
    """Disable huggingface_hub's bars until the command ends (its env variable wins)."""
    return _hub_session.progress_bars_off()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show tracebacks and debug logs.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bars or info logs.")
@click.version_option(package_name="crucible-pl")
@click.pass_context
def main(ctx: click.Context, debug: bool, quiet: bool) -> None:
    """Load ML evaluation datasets from the Hugging Face Hub as lazy Polars frames."""
    level = logging.DEBUG if debug else logging.ERROR if quiet else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    if quiet or not _stderr_is_terminal():
        ctx.with_resource(_progress_bars_off())


# --------------------------------------------------------------------------- list/info/head


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
        # Wide terminals get every column; narrower ones what tells datasets apart.
        columns = ["name", "family", "repo", "default_config", "license", "description"]
        if _terminal.terminal_width() < _WIDE_TERMINAL:
            columns = ["name", "family", "repo", "description"]
        df = df.select(columns)
    _print_frame(df, as_json=as_json, wide=("description", "repo"))


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
        "class_labels": _class_labels(meta.features),
        "canonical": {k: str(v) for k, v in (meta.canonical or {}).items()} or None,
    }
    if as_json:
        _echo_json(payload)
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
    for column, labels in _class_labels(meta.features).items():
        click.echo(f"  labels of {column}: " + ", ".join(f"{i}={n}" for i, n in enumerate(labels)))
    if meta.canonical:
        click.echo("  canonical: " + ", ".join(f"{k}: {v}" for k, v in meta.canonical.items()))


def _class_labels(features: dict[str, Any] | None) -> dict[str, list[str]]:
    """The ClassLabel names of each top-level column of a ``datasets`` features dict."""
    labels: dict[str, list[str]] = {}
    for column, feature in (features or {}).items():
        if isinstance(feature, dict) and feature.get("_type") == "ClassLabel":
            names = feature.get("names")
            if isinstance(names, list):
                labels[column] = [str(n) for n in names]
    return labels


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
    # A frame holds at most MAX_ROWS rows; Polars' head() overflows above its index type.
    df = lf.head(min(rows, MAX_ROWS)).collect()
    text_like = tuple(c for c, d in df.schema.items() if d == pl.String or d.is_nested())
    _print_frame(df, as_json=as_json, wide=text_like)


# ------------------------------------------------------------------------------- download


def _download_one(
    name: str,
    config: str | None,
    split: str | None,
    *,
    revision: str | None,
    offline: bool | None,
    token: str | None,
) -> dict[str, Any]:
    from ._dataset import load

    ds = load(name, split, config=config, revision=revision, offline=offline, token=token)
    p, files = ds.provenance, ds.files()
    return {
        "name": name,
        "repo": p.repo,
        "config": p.config,
        "split": p.split,
        "sha": p.sha,
        "files": len(files),
        "rows": len(ds),
        "bytes": sum(Path(f).stat().st_size for f in files),
    }


@main.command("download")
@click.argument("names", nargs=-1, required=True)
@click.option(
    "--config", "-c", "configs", multiple=True, help="Config(s); repeatable. Default: the default."
)
@click.option("--all-configs", is_flag=True, help="Every config of each dataset.")
@click.option("--split", "-s", "splits", multiple=True, help="Split(s); repeatable.")
@click.option("--all-splits", is_flag=True, help="Every split of each config.")
@click.option("--revision", "-r", help="Branch, tag or commit sha.")
@click.option("--offline", is_flag=True, default=None, help="Only check what is cached.")
@click.option("--token", envvar=None, help="Hub token (default: HF_TOKEN).")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@_friendly
def download_command(
    names: tuple[str, ...],
    configs: tuple[str, ...],
    all_configs: bool,
    splits: tuple[str, ...],
    all_splits: bool,
    revision: str | None,
    offline: bool | None,
    token: str | None,
    as_json: bool,
) -> None:
    """Pre-fetch NAMES (configs and splits) into the cache for offline use.

    Without --split, each config's default split (test, else validation) is fetched.
    """
    if configs and all_configs:
        raise click.UsageError("--config and --all-configs exclude each other.")
    if splits and all_splits:
        raise click.UsageError("--split and --all-splits exclude each other.")
    opts: dict[str, Any] = {"revision": revision, "offline": offline, "token": token}
    done: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    plans = [
        (name, _configs_to_fetch(name, configs, all_configs, len(names), opts)) for name in names
    ]
    if configs and len(names) > 1 and not any(wanted for _, wanted in plans):
        raise click.UsageError(
            f"No dataset among {', '.join(names)} has config(s) {', '.join(configs)}."
        )
    for name, wanted in plans:
        for config in wanted:
            try:
                split_names: Sequence[str | None] = splits or [None]
                if all_splits:
                    split_names = [s.name for s in _api.info(name, config=config, **opts).splits]
                for split in split_names:
                    row = _download_one(name, config, split, **opts)
                    done.append(row)
                    if not as_json:
                        click.echo(
                            f"cached {name} config={row['config']} split={row['split']}: "
                            f"{row['files']} file(s), {row['rows']:,} rows, {_human(row['bytes'])}"
                        )
            except CrucibleError as err:
                if not all_configs:
                    raise
                # --all-configs goes on past a config that fails, and reports it at the end.
                failed.append({"name": name, "config": config, "error": str(err)})
                if not as_json:
                    click.echo(f"failed {name} config={config}: {err}", err=True)
    if as_json:
        _echo_json(done + failed)
    else:
        total = sum(r["bytes"] for r in done)
        click.echo(
            f"{len(done)} split(s) cached, {_human(total)} of Parquet; offline loads now work."
        )
    if failed:
        listed = ", ".join(f"{f['name']} config={f['config']}" for f in failed)
        click.echo(f"error: {len(failed)} config(s) failed: {listed}", err=True)
        sys.exit(1)


def _configs_to_fetch(
    name: str, configs: tuple[str, ...], all_configs: bool, datasets: int, opts: dict[str, Any]
) -> list[str | None]:
    """The configs of ``name`` that ``download`` fetches.

    ``-c`` given with several datasets applies only to those that have the config; the
    others are skipped with a note (with one dataset a missing config is an error).
    """
    if all_configs:
        return list(_api.list_configs(name, **opts))
    if not configs:
        return [None]
    if datasets == 1:
        return list(configs)
    available = set(_api.list_configs(name, **opts))
    kept = [c for c in configs if c in available]
    skipped = [c for c in configs if c not in available]
    if skipped:
        where = "none of them" if not kept else f"only {', '.join(kept)}"
        click.echo(
            f"note: {name} has no config {', '.join(skipped)}; fetching {where} for it.",
            err=True,
        )
    return list(kept)


# ----------------------------------------------------------------------------- lock/sync


@main.command("lock")
@click.argument("specs", nargs=-1)
@click.option(
    "--file", "-f", "path", default="crucible.lock", show_default=True, help="The lock file."
)
@click.option("--check", is_flag=True, help="Report drift from the Hub instead; exit 1 if any.")
@click.option("--token", envvar=None, help="Hub token (default: HF_TOKEN).")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@_friendly
def lock_command(
    specs: tuple[str, ...], path: str, check: bool, token: str | None, as_json: bool
) -> None:
    """Pin SPECS (NAME[:CONFIG[:SPLIT]][@REVISION]) to their commits in a lock file.

    Each is downloaded once and recorded with its commit sha and each file's size and
    content hash. Loads given lock= (or CRUCIBLE_PL_LOCK) then use exactly these.
    With --check, ask the Hub where each locked revision is now and report what moved.
    """
    from ._lock import check_lock, lock

    if check:
        if specs:
            raise click.UsageError("--check takes no SPECS: it checks the whole lock file.")
        drifts = check_lock(path, token=token)
        if as_json:
            _echo_json(
                [
                    {"name": d.entry.name, "config": d.entry.config, "split": d.entry.split,
                     "revision": d.entry.revision, "locked": d.entry.sha, "now": d.sha,
                     "added": list(d.added), "removed": list(d.removed)}
                    for d in drifts
                ]
            )  # fmt: skip
        else:
            for drift in drifts:
                click.echo(f"drift: {drift.describe()}")
            click.echo(f"{len(drifts)} locked entr{'y' if len(drifts) == 1 else 'ies'} drifted.")
        if drifts:
            click.get_current_context().exit(1)
        return
    if not specs:
        raise click.UsageError("Give at least one NAME[:CONFIG[:SPLIT]][@REVISION] (or --check).")
    entries = lock(list(specs), path=path, token=token)
    if as_json:
        _echo_json([{"name": e.name, "config": e.config, "split": e.split, "sha": e.sha,
                     "files": len(e.files)} for e in entries])  # fmt: skip
        return
    for e in entries:
        click.echo(f"locked {e.name} {e.config}/{e.split} at {e.sha[:12]} ({len(e.files)} file(s))")
    click.echo(f"Wrote {path}.")


@main.command("sync")
@click.option(
    "--lock", "-l", "path", default="crucible.lock", show_default=True, help="The lock file."
)
@click.option("--token", envvar=None, help="Hub token (default: HF_TOKEN).")
@_friendly
def sync_command(path: str, token: str | None) -> None:
    """Download everything the lock file pins, checked against it (warm a node's cache)."""
    from ._lock import sync

    for entry, rows in sync(path, token=token):
        click.echo(
            f"synced {entry.name} {entry.config}/{entry.split} @ {entry.sha[:12]}: {rows:,} rows"
        )


# ---------------------------------------------------------------------------------- cache


@main.group("cache")
def cache_group() -> None:
    """List, remove and verify cached datasets (our manifests and the HF cache files)."""


def _target(
    name: str | None, config: str | None, split: str | None
) -> tuple[str | None, tuple[str, ...] | None, tuple[str, ...]]:
    if name is None:
        if config is not None or split is not None:
            raise click.UsageError("--config and --split need a dataset NAME.")
        return None, None, ()
    return _cache_admin.resolve_target(name, config=config, split=split)


@cache_group.command("ls")
@click.argument("name", required=False)
@click.option("--config", "-c", help="Only this config.")
@click.option("--split", "-s", help="Only this split.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@_friendly
def cache_ls(name: str | None, config: str | None, split: str | None, as_json: bool) -> None:
    """List what is cached (all datasets, or NAME), with rows and sizes on disk."""
    repo, configs, split_names = _target(name, config, split)
    entries = _cache_admin.list_entries(repo, configs=configs, splits=split_names)
    if as_json:
        _echo_json([e.to_dict() for e in entries])
        return
    where = f"(crucible cache {_config.crucible_cache_dir()}, HF cache {_config.hub_cache_dir()})"
    if not entries:
        click.echo(f"Nothing cached {where}.")
        _report_leftovers()
        return
    df = pl.DataFrame(
        {
            "repo": [e.repo for e in entries],
            "revision": [f"{','.join(e.revisions) or '-'} -> {e.sha[:12]}" for e in entries],
            "config": [e.config for e in entries],
            "split": [e.split for e in entries],
            "files": [e.files for e in entries],
            "rows": [e.rows for e in entries],
            "size": [_human(e.bytes) for e in entries],
            "missing": [e.missing for e in entries],
        }
    )
    if not (df["missing"] > 0).any():
        df = df.drop("missing")
    _print_frame(df, as_json=False, wide=("repo", "revision"))
    total = _human(_cache_admin.total_bytes(entries))
    click.echo(f"{len(entries)} cached split(s), {total} on disk {where}")
    _report_leftovers()


def _report_leftovers() -> None:
    """One line about the files interrupted loads left, if any (text output only)."""
    found = _cache_admin.find_leftovers()
    if found:
        size = _human(sum(f.bytes for f in found))
        click.echo(
            f"{len(found)} leftover file(s) from interrupted loads ({size}): "
            "crucible-pl cache clean removes them."
        )


@cache_group.command("rm")
@click.argument("name")
@click.option("--config", "-c", help="Only this config.")
@click.option("--split", "-s", help="Only this split.")
@click.option(
    "--hub-files",
    is_flag=True,
    help="Also remove the HF cache files they use that nothing else cached uses.",
)
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@_friendly
def cache_rm(
    name: str,
    config: str | None,
    split: str | None,
    hub_files: bool,
    yes: bool,
    as_json: bool,
) -> None:
    """Remove what is cached for NAME (or one config or split of it)."""
    plan = _cache_admin.plan_removal(name, config=config, split=split, hub_files=hub_files)
    what = ", ".join(f"{e.config}/{e.split}" for e in plan.entries) or "(no split cached)"
    if plan.whole_repo:
        what = f"everything: {what}"
    parts = [f"{len(plan.converted)} converted file(s)"]
    if hub_files:
        parts.append(f"{len(plan.hub_files)} HF cache file(s), {len(plan.blobs)} blob(s)")
    summary = f"{plan.repo} {what} ({', '.join(parts)}, {_human(plan.bytes)})"
    if not yes:
        click.confirm(f"Remove {summary}?", abort=True, err=True)
    freed = _cache_admin.apply_removal(plan)
    if as_json:
        _echo_json({**plan.to_dict(), "removed": True})
        return
    click.echo(f"Removed {summary}: {_human(freed)} freed.")
    if not hub_files:
        click.echo("The HF cache files were kept (pass --hub-files to remove them too).")


@cache_group.command("verify")
@click.argument("name", required=False)
@click.option("--config", "-c", help="Only this config.")
@click.option("--split", "-s", help="Only this split.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@_friendly
def cache_verify(name: str | None, config: str | None, split: str | None, as_json: bool) -> None:
    """Re-check every cached file (size, footer, rows, content hash); exit 1 if any is damaged."""
    repo, configs, split_names = _target(name, config, split)
    checks = _cache_admin.verify_cache(repo, configs=configs, splits=split_names)
    damaged = [c for c in checks if not c.ok]
    if as_json:
        _echo_json([c.to_dict() for c in checks])
    else:
        for c in damaged:
            click.echo(
                f"DAMAGED {c.repo} {c.config}/{c.split} {c.path or c.local_path}: {c.problem}"
            )
        click.echo(f"{len(checks)} file(s) checked, {len(damaged)} damaged.")
        if damaged:
            click.echo(
                "Damaged files were removed: the next load downloads them again (or, for "
                "converted and normalized files, rebuilds them from the cached raw files)."
            )
        _report_leftovers()
    if damaged:
        click.get_current_context().exit(1)


@cache_group.command("clean")
@click.option("--dry-run", is_flag=True, help="Only list what would be removed.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@_friendly
def cache_clean(dry_run: bool, as_json: bool) -> None:
    """Remove the files interrupted loads left (never one a live process is writing).

    Temporary files of our atomic writes and huggingface_hub's .incomplete downloads;
    a file whose writer still holds its lock is live and kept.
    """
    found = _cache_admin.find_leftovers()
    freed = 0 if dry_run else _cache_admin.remove_leftovers(found)
    if as_json:
        _echo_json({"leftovers": [f.to_dict() for f in found], "removed": not dry_run,
                    "bytes_freed": freed})  # fmt: skip
        return
    for f in found:
        click.echo(f"{'would remove' if dry_run else 'removed'} {f.kind}: {f.path}")
    if dry_run:
        click.echo(f"{len(found)} leftover file(s), {_human(sum(f.bytes for f in found))}.")
    else:
        click.echo(f"{len(found)} leftover file(s) removed, {_human(freed)} freed.")


# ---------------------------------------------------------------------------------- serve


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _wait_for_interrupt(hub: object) -> None:
    """Block until Ctrl-C (or SIGTERM, turned into the same); tests replace it."""

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        while True:
            time.sleep(3600)
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def _serving(
    directory: Path, host: str, port: int, trusted_roots: tuple[Path, ...] = ()
) -> Iterator[Any]:
    from .testing import LocalHub

    hub = LocalHub(directory, host=host, port=port, trusted_roots=trusted_roots)
    try:
        hub.start()
    except OSError as err:
        _fail(f"cannot listen on {host}:{port}: {err.strerror or err}. Pick another --port.")
    try:
        yield hub
    finally:
        hub.stop()


@main.command("serve")
@click.argument(
    "directory",
    required=False,
    type=click.Path(exists=True, file_okay=False, dir_okay=True, path_type=Path),
)
@click.option(
    "--from-cache",
    is_flag=True,
    help="Serve what the local caches hold (the HF cache and our refs) instead of DIRECTORY.",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", default=0, show_default=True, type=click.IntRange(0, 65535), help="0: any free port."
)
@click.option(
    "--allow-remote",
    is_flag=True,
    help="Allow a --host other than loopback. The server has no authentication.",
)
@_friendly
def serve_command(
    directory: Path | None, from_cache: bool, host: str, port: int, allow_remote: bool
) -> None:
    """Serve dataset repos as a Hub mirror, until Ctrl-C.

    DIRECTORY holds datasets/<owner>/<name>/ (crucible_pl.testing.write_repo writes
    that layout). With --from-cache, the mirror serves every dataset repo in the local
    caches instead, at the commit shas they were downloaded from, so one machine with
    internet can feed air-gapped ones. Point clients at it with HF_ENDPOINT.
    """
    if (directory is None) == (not from_cache):
        raise click.UsageError("Give DIRECTORY or --from-cache (exactly one).")
    if not _is_loopback(host) and not allow_remote:
        raise click.BadParameter(
            f"{host!r} is not a loopback address. The server has no authentication: pass "
            "--allow-remote to serve it to other machines.",
            param_hint="'--host'",
        )
    with contextlib.ExitStack() as stack:
        trusted: tuple[Path, ...] = ()
        if directory is None:
            from ._cache import paths as _cache_paths
            from ._mirror import build_mirror

            directory = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="mirror-")))
            mirrored = build_mirror(directory)
            trusted = (_cache_paths.hub_root(),)
            source = f"the caches ({_cache_paths.hub_root()})"
            for m in mirrored:
                refs = ", ".join(f"{r}@{sha[:12]}" for r, sha in m.refs.items() if r != sha)
                bare = sum(1 for r, sha in m.refs.items() if r == sha)
                extra = f" + {bare} commit(s) by sha" if bare else ""
                partial = f"; {m.skipped} partial file(s) left out" if m.skipped else ""
                click.echo(f"  {m.repo}: {refs}{extra}, {m.files} file(s){partial}")
            count = len(mirrored)
        else:
            datasets = directory / "datasets"
            count = len([p for p in datasets.glob("*/*") if p.is_dir()]) if datasets.is_dir() else 0
            source = str(directory)
        if not count:
            click.echo(f"warning: no dataset repos in {source}; serving an empty mirror.", err=True)
        hub = stack.enter_context(_serving(directory, host, port, trusted))
        url = hub.url
        if host in ("0.0.0.0", "::"):
            url = url.replace(host, socket.gethostname(), 1)
        click.echo(f"Serving {count} dataset repo(s) from {source} at {hub.url}")
        if not _is_loopback(host):
            click.echo("warning: reachable from other machines, without authentication.", err=True)
        click.echo("Point clients at it with:")
        click.echo(f"  export HF_ENDPOINT={url}")
        click.echo("Press Ctrl-C to stop.")
        with contextlib.suppress(KeyboardInterrupt):
            _wait_for_interrupt(hub)
        click.echo(f"Stopped after {len(hub.requests)} request(s).")


# ----------------------------------------------------------------------------------- demo


@main.command("demo")
@_friendly
def demo_command() -> None:
    """Run the whole path offline on synthetic data served by a LocalHub on loopback."""
    from ._demo import run_demo

    run_demo(click.echo)


if __name__ == "__main__":
    main()
