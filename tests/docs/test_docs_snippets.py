"""The docs cannot rot: every snippet runs, every include resolves, and the site builds.

Each code example of the docs is a file under ``docs/snippets/`` (``<page>_<n>.py`` or
``<page>_<n>.sh``), pulled into ``docs/<page>.md`` by the ``pymdownx.snippets``
extension. Here:

* every Python snippet runs with :func:`runpy.run_path` in a fresh temporary directory,
  with ``HF_ENDPOINT`` pointed at a :class:`~crucible_pl.testing.LocalHub` serving
  synthetic repos (the demo's gsm8k, mmlu, humaneval and arc, plus
  :data:`EXTRA_DATASETS`) and private caches; its own asserts check what it shows. A
  snippet whose first lines say ``# requires: mod1, mod2`` is skipped, with the reason,
  when one of those modules cannot be imported. A snippet that defines ``test_*``
  functions is a pytest example: it runs as its own pytest session (``pytester``);
* every shell snippet runs line by line: each ``crucible-pl ...`` command (optionally
  preceded by ``VAR=value`` assignments) goes through click's ``CliRunner`` and must
  exit 0. Its working directory holds ``mirror/``, the synthetic repos, for
  ``crucible-pl serve``;
* every include points at an existing snippet of the page that includes it, every
  snippet is included, pages hold no Python or ``crucible-pl`` command that is not a
  snippet, the CLI page names every command and option, and the README's Python
  examples are snippets;
* ``mkdocs build --strict`` builds the site (skipped when mkdocs is not installed).
"""

from __future__ import annotations

import ast
import importlib.util
import os
import re
import runpy
import shlex
import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from crucible_pl._demo import write_demo_repos
from crucible_pl.cli import main as cli_main
from crucible_pl.registry import get_spec
from crucible_pl.testing import LocalHub, write_spec_repo

pytest_plugins = ["pytester"]  # the pytest examples run in-process, in their own session

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
SNIPPETS = DOCS / "snippets"
README = ROOT / "README.md"
MKDOCS_YML = ROOT / "mkdocs.yml"

EXTRA_DATASETS = ("math_500",)
"""Registered datasets the snippets use beyond the demo's (written with write_spec_repo)."""

NOT_OURS = {"datasets.md", "reliability.md"}
"""Pages written by others (generated, or by another author): their code blocks are theirs."""

INCLUDE = re.compile(r'^[ \t]*--8<--[ \t]+"([^"]+)"[ \t]*$', re.MULTILINE)
FENCE = re.compile(r"^(```+|~~~+)[ \t]*([\w+-]*)[^\n]*\n(.*?)^\1[ \t]*$", re.MULTILINE | re.DOTALL)
REQUIRES = re.compile(r"^# requires: (.+)$", re.MULTILINE)

PY_SNIPPETS = sorted(SNIPPETS.glob("*.py"))
SH_SNIPPETS = sorted(SNIPPETS.glob("*.sh"))


def _pages() -> list[Path]:
    return sorted(DOCS.glob("*.md"))


def _includes(page: Path) -> list[str]:
    return INCLUDE.findall(page.read_text(encoding="utf-8"))


def _is_pytest_example(snippet: Path) -> bool:
    return re.search(r"^def test_", snippet.read_text(encoding="utf-8"), re.MULTILINE) is not None


RUN_SNIPPETS = [p for p in PY_SNIPPETS if not _is_pytest_example(p)]
PYTEST_SNIPPETS = [p for p in PY_SNIPPETS if _is_pytest_example(p)]


def _skip_unless_importable(snippet: Path) -> None:
    match = REQUIRES.search(snippet.read_text(encoding="utf-8"))
    for module in match.group(1).split(",") if match else []:
        name = module.strip()
        if importlib.util.find_spec(name) is None:
            pytest.skip(
                f"{snippet.name} needs the optional module {name!r}, which is not installed "
                f"here (pip install {name} to run it)"
            )


# ---------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def hub_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("docs-hub")
    write_demo_repos(root)
    for name in EXTRA_DATASETS:
        write_spec_repo(root, get_spec(name), rows=40, seed=0)
    return root


@pytest.fixture(scope="module")
def docs_hub(hub_root: Path) -> Iterator[LocalHub]:
    with LocalHub(hub_root) as hub:
        yield hub


@pytest.fixture
def workdir(docs_hub: LocalHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh working directory, the Hub client pointed at ``docs_hub``, private caches.

    The top conftest.py already gives each test its own HF_HOME and CRUCIBLE_PL_CACHE.
    Snippets about LocalHub set HF_ENDPOINT themselves, so the whole environment is
    restored afterwards.
    """
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("HF_ENDPOINT", docs_hub.url)
    # The fault-injection example retries twice; skip the 1 s pause before each retry.
    monkeypatch.setattr("crucible_pl._hub.client._RETRY_PAUSE", 0.0, raising=False)
    saved = dict(os.environ)
    yield work
    os.environ.clear()
    os.environ.update(saved)


# ---------------------------------------------------------------------------- snippets run


@pytest.mark.parametrize("snippet", RUN_SNIPPETS, ids=[p.name for p in RUN_SNIPPETS])
def test_python_snippet_runs(snippet: Path, workdir: Path) -> None:
    _skip_unless_importable(snippet)
    with warnings.catch_warnings():
        if REQUIRES.search(snippet.read_text(encoding="utf-8")):
            # A snippet of an optional extra runs that tool (inspect_ai, lm-eval), whose
            # own dependencies warn about their deprecations: not ours to fail on.
            warnings.simplefilter("ignore", DeprecationWarning)
            warnings.simplefilter("ignore", ResourceWarning)
        namespace = runpy.run_path(str(snippet), run_name="__main__")
    unbound = _top_level_names(snippet) - namespace.keys()
    assert not unbound, f"{snippet.name} stopped before binding {sorted(unbound)}"


def _top_level_names(snippet: Path) -> set[str]:
    """Names a snippet binds at module level (assignments, defs, imports)."""
    names: set[str] = set()
    for node in ast.parse(snippet.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign | ast.AnnAssign | ast.For):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name))
        elif isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return names


@pytest.mark.parametrize("snippet", PY_SNIPPETS, ids=[p.name for p in PY_SNIPPETS])
def test_python_snippet_checks_itself(snippet: Path) -> None:
    """Each Python snippet asserts what it shows, so it fails when the library changes."""
    tree = ast.parse(snippet.read_text(encoding="utf-8"))
    asserts = [n for n in ast.walk(tree) if isinstance(n, ast.Assert)]
    assert asserts, f"{snippet.name} has no assert: check what the example shows"


@pytest.mark.parametrize("snippet", PYTEST_SNIPPETS, ids=[p.name for p in PYTEST_SNIPPETS])
def test_pytest_example_passes(
    snippet: Path, pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pytest example runs as a user's suite would: its own file, session and ini."""
    _skip_unless_importable(snippet)
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")  # it needs none; faster
    source = snippet.read_text(encoding="utf-8")
    pytester.makeini("[pytest]\nfilterwarnings = error\n")
    pytester.makepyfile(**{f"test_{snippet.stem}": source})
    result = pytester.runpytest_inprocess("-p", "no:randomly", "-p", "no:cacheprovider")
    tests = len(re.findall(r"^def test_", source, re.MULTILINE))
    result.assert_outcomes(passed=tests)


def _commands(snippet: Path) -> list[tuple[dict[str, str], list[str]]]:
    """``(env, args)`` of each ``[VAR=value ...] crucible-pl args`` line of a shell snippet."""
    commands = []
    for line in snippet.read_text(encoding="utf-8").splitlines():
        words = shlex.split(line, comments=True)
        if not words:
            continue
        env = {}
        while "=" in words[0] and not words[0].startswith("-"):
            name, _, value = words.pop(0).partition("=")
            env[name] = value
        assert words[0] == "crucible-pl", f"{snippet.name}: not a crucible-pl command: {line}"
        commands.append((env, words[1:]))
    return commands


@pytest.mark.parametrize("snippet", SH_SNIPPETS, ids=[p.name for p in SH_SNIPPETS])
def test_shell_snippet_runs(
    snippet: Path, workdir: Path, hub_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import crucible_pl.cli

    (workdir / "mirror").symlink_to(hub_root, target_is_directory=True)
    # `crucible-pl serve` blocks until Ctrl-C; here it stops as soon as it is serving.
    monkeypatch.setattr(crucible_pl.cli, "_wait_for_interrupt", lambda hub: None)
    commands = _commands(snippet)
    assert commands, f"{snippet.name} holds no command"
    for env, args in commands:
        result = CliRunner().invoke(cli_main, args, env=env)
        shown = f"crucible-pl {shlex.join(args)}"
        assert result.exit_code == 0, f"{shown} exited {result.exit_code}:\n{result.output}"
        assert result.output.strip(), f"{shown} printed nothing"


# ---------------------------------------------------------------------------- includes


def test_every_include_is_a_snippet_of_its_page() -> None:
    included: set[Path] = set()
    for page in _pages():
        for target in _includes(page):
            path = ROOT / target
            if target.startswith("bench/README.md"):  # the bench results, minus their title
                assert page.name == "benchmarks.md"
                assert (ROOT / "bench" / "README.md").is_file()
                continue
            assert path.parent == SNIPPETS, f"{page.name} includes {target}, not a snippet"
            assert path.is_file(), f"{page.name} includes {target}, which does not exist"
            assert re.fullmatch(rf"{re.escape(page.stem)}_\d+\.(py|sh)", path.name), (
                f"{page.name} includes {path.name}: name snippets <page>_<n>.py or .sh"
            )
            assert path not in included, f"{path.name} is included twice"
            included.add(path)
    every = {p for p in SNIPPETS.iterdir() if p.is_file()}
    assert every == set(PY_SNIPPETS) | set(SH_SNIPPETS), "snippets must be .py or .sh files"
    assert not every - included, (
        f"snippets no page includes: {sorted(p.name for p in every - included)}"
    )


def test_pages_hold_no_untested_code() -> None:
    """Python and crucible-pl commands on our pages come from snippets, never inline."""
    for page in _pages():
        if page.name in NOT_OURS:
            continue
        for _, lang, body in FENCE.findall(page.read_text(encoding="utf-8")):
            lines = [line for line in body.splitlines() if line.strip()]
            if lines and all(INCLUDE.match(line) for line in lines):
                continue
            assert lang not in {"python", "py", "pycon"}, (
                f"{page.name} has an inline Python block; put it in docs/snippets/:\n{body}"
            )
            for line in lines:
                assert not line.lstrip().startswith("crucible-pl "), (
                    f"{page.name} runs `{line.strip()}` inline; put it in a .sh snippet"
                )


def _cli_entries(group: click.Group, prefix: str = "") -> Iterator[tuple[str, list[str]]]:
    for name, command in sorted(group.commands.items()):
        path = f"{prefix}{name}"
        options = [
            max(param.opts, key=len)
            for param in command.params
            if isinstance(param, click.Option) and not param.hidden
        ]
        yield path, options
        if isinstance(command, click.Group):
            yield from _cli_entries(command, f"{path} ")


def test_cli_page_documents_every_command_and_option() -> None:
    page = (DOCS / "cli.md").read_text(encoding="utf-8")
    sections = re.split(r"^## ", page, flags=re.MULTILINE)
    for path, options in _cli_entries(cli_main):
        heading = f"`crucible-pl {path}`"
        matching = [s for s in sections if s.startswith(heading)]
        assert matching, f"docs/cli.md has no section '## {heading}'"
        for option in options:
            if option == "--help":
                continue
            assert f"`{option}" in matching[0], f"docs/cli.md: {heading} does not document {option}"
    for option in ("--debug", "--quiet", "--version"):
        assert f"`{option}`" in page, f"docs/cli.md does not document the global {option}"


def test_readme_python_examples_are_snippets() -> None:
    readme = README.read_text(encoding="utf-8")
    if "docs/" not in readme:
        pytest.skip(
            "README.md does not link to the docs yet; once it does, its Python examples "
            "must be copies of docs/snippets files (see the proposed README)"
        )
    snippets = {p.read_text(encoding="utf-8").strip() for p in PY_SNIPPETS}
    blocks = [body for _, lang, body in FENCE.findall(readme) if lang in {"python", "py"}]
    assert blocks, "README.md has no Python example"
    for body in blocks:
        assert body.strip() in snippets, f"README example is not a docs snippet:\n{body}"


# ---------------------------------------------------------------------------- site build


def test_site_builds_strict(tmp_path: Path) -> None:
    missing = [m for m in ("mkdocs", "material") if importlib.util.find_spec(m) is None]
    if missing:
        pytest.skip(
            f"{' and '.join(missing)} not installed: pip install mkdocs mkdocs-material "
            "to build the docs"
        )
    site = tmp_path / "site"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "-f",
            str(MKDOCS_YML),
            "-d",
            str(site),
        ],
        cwd=tmp_path,  # the config must not depend on the working directory
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    built = {p.relative_to(site).as_posix() for p in site.rglob("index.html")}
    for page in _pages():
        expected = "index.html" if page.stem == "index" else f"{page.stem}/index.html"
        assert expected in built, f"{page.name} was not built"
    html = (site / "loading" / "index.html").read_text(encoding="utf-8")
    assert "CacheMissError" in html  # a snippet's code made it into the page
    assert "--8&lt;--" not in html, "an include was left unexpanded"
