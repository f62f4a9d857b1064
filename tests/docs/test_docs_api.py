"""The API reference: a page per public module, each guide page linking to it."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
PUBLIC_MODULES = ("crucible_pl", "prompts", "scoring", "schemas", "errors", "testing")


def nav_guides() -> list[str]:
    config = yaml.load((ROOT / "mkdocs.yml").read_text(), Loader=yaml.BaseLoader)
    guide = next(entry["Guide"] for entry in config["nav"] if "Guide" in entry)
    return [next(iter(item.values())) for item in guide]


def test_every_public_module_has_a_page_rendered_by_mkdocstrings() -> None:
    for module in PUBLIC_MODULES:
        page = (DOCS / "api" / f"{module}.md").read_text()
        target = "crucible_pl" if module == "crucible_pl" else f"crucible_pl.{module}"
        assert re.search(rf"^::: {re.escape(target)}$", page, re.M), module
    assert "::: crucible_pl.Dataset" in (DOCS / "api" / "dataset.md").read_text()


def test_every_guide_page_links_to_the_api_reference() -> None:
    guides = nav_guides()
    assert len(guides) >= 9
    for name in guides:
        text = (DOCS / name).read_text()
        assert "**API reference:**" in text, name
        for link in re.findall(r"\]\((api/[a-z_]+\.md)\)", text):
            assert (DOCS / link).is_file(), (name, link)
