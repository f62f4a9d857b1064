"""The public surface: __all__ matches what each package really exports."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

import crucible_pl

PACKAGES = [
    "crucible_pl",
    "crucible_pl.scoring",
    "crucible_pl.testing",
    "crucible_pl.errors",
    "crucible_pl.schemas",
]


@pytest.mark.parametrize("name", PACKAGES)
def test_all_names_resolve_and_are_unique(name: str) -> None:
    module = importlib.import_module(name)
    exported = list(module.__all__)
    assert len(exported) == len(set(exported))
    for attr in exported:
        assert getattr(module, attr) is not None, f"{name}.{attr}"


def test_top_level_all_matches_the_lazy_table() -> None:
    lazy = set(crucible_pl._LAZY)
    assert set(crucible_pl.__all__) == lazy | {"errors"}
    assert set(crucible_pl.__all__) <= set(dir(crucible_pl))


def test_unknown_attribute_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'lod_lazy'"):
        _ = crucible_pl.lod_lazy  # type: ignore[attr-defined]


def test_import_does_not_load_heavy_modules() -> None:
    code = (
        "import sys, crucible_pl\n"
        "heavy = [m for m in ('polars', 'huggingface_hub', 'patito') if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_warm_path_does_not_import_huggingface_hub_or_patito() -> None:
    code = (
        "import sys, crucible_pl\n"
        "crucible_pl.load_lazy\n"
        "heavy = [m for m in ('huggingface_hub', 'patito') if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_only_the_hub_client_and_its_error_translation_import_huggingface_hub() -> None:
    import ast
    from pathlib import Path

    package = Path(crucible_pl.__file__).parent
    offenders = []
    for path in package.rglob("*.py"):
        if (
            path.relative_to(package).as_posix()
            in (
                "_hub/client.py",
                "_hub/footers.py",
                "_hub/remote.py",
                "_hub/session.py",
                "_hub/translate.py",
            )
            or "testing" in path.relative_to(package).parts
        ):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(n == "huggingface_hub" or n.startswith("huggingface_hub.") for n in names):
                offenders.append(f"{path.relative_to(package)}:{node.lineno}")
    assert offenders == []
