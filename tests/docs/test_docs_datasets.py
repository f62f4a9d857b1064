"""docs/datasets.md is the fresh rendering of the registry by docs/gen_datasets.py."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from crucible_pl.registry import all_specs

DOCS = Path(__file__).resolve().parents[2] / "docs"
SCRIPT = DOCS / "gen_datasets.py"
PAGE = DOCS / "datasets.md"
FIX = "run `python docs/gen_datasets.py` and commit docs/datasets.md"


@pytest.fixture(scope="module")
def gen() -> ModuleType:
    spec = importlib.util.spec_from_file_location("_gen_datasets", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclass/annotation lookups need the module registered
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module


@pytest.fixture(scope="module")
def rendered(gen: ModuleType) -> str:
    text = gen.render()
    assert isinstance(text, str)
    return text


def test_committed_page_is_the_fresh_rendering(rendered: str) -> None:
    assert PAGE.is_file(), f"docs/datasets.md is missing: {FIX}"
    assert PAGE.read_text(encoding="utf-8") == rendered, f"docs/datasets.md is stale: {FIX}"


def test_rendering_is_deterministic(gen: ModuleType, rendered: str) -> None:
    assert gen.render() == rendered


def test_page_covers_every_dataset_and_config(rendered: str) -> None:
    for spec in all_specs():
        assert f"\n### {spec.name}\n" in rendered
        assert f"| [{spec.name}](#{spec.name}) | `{spec.repo}` |" in rendered
        for config in spec.configs:
            assert f"| `{config}` |" in rendered
    assert "\n## Layouts: what is confirmed, and what is still open\n" in rendered
    assert rendered.endswith("\n")
    assert not rendered.endswith("\n\n")


def test_canonical_columns_come_from_the_normalizer(gen: ModuleType, rendered: str) -> None:
    from crucible_pl.registry import get_spec

    schema = gen.canonical_schema(get_spec("truthfulqa"), "generation")
    assert schema.names() == ["id", "input", "expected", "correct_answers", "incorrect_answers"]
    section = rendered.split("\n### gsm8k\n")[1].split("\n### ")[0]
    assert "| `expected` | `String` |" in section
    assert "| `solution` | `String` |" in section


def test_check_flag_reports_a_stale_page(gen: ModuleType, rendered: str, tmp_path: Path) -> None:
    page = tmp_path / "datasets.md"
    assert gen.main(["--check", "--output", str(page)]) == 1  # missing
    assert gen.main(["--output", str(page)]) == 0
    assert page.read_text(encoding="utf-8") == rendered
    assert gen.main(["--check", "--output", str(page)]) == 0
    page.write_text(rendered + "edited\n", encoding="utf-8")
    assert gen.main(["--check", "--output", str(page)]) == 1
