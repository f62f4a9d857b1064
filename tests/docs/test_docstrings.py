"""Every public name carries a NumPy docstring with a runnable Examples section.

The public names are those listed in ``__all__`` of the public modules below, plus the
public methods and properties each public class defines itself (inherited ones are
checked where they are defined). The examples run as doctests (``--doctest-modules`` in
pyproject.toml); this test makes sure that there is one to run, so the public layer keeps
carrying the documentation (private modules keep short notes).
"""

from __future__ import annotations

import importlib
import inspect
import re
import typing
from collections.abc import Iterator
from types import ModuleType

import pytest

PUBLIC_MODULES = (
    "crucible_pl",
    "crucible_pl.errors",
    "crucible_pl.registry",
    "crucible_pl.schemas",
    "crucible_pl.scoring",
    "crucible_pl.testing",
)

NOT_YET_CHECKED: dict[str, str] = {}
"""Modules whose names are skipped for now, with the reason (none at present)."""

_EXAMPLES = re.compile(r"^Examples\n-{8,}\n(?:.*\n)*?>>> ", re.MULTILINE)


def _defined_in(obj: object) -> str:
    return getattr(obj, "__module__", "") or ""


def _skipped(module: str) -> bool:
    return any(module == m or module.startswith(f"{m}.") for m in NOT_YET_CHECKED)


def _members(cls: type) -> Iterator[tuple[str, object]]:
    """Public functions, class/static methods and properties defined by ``cls`` itself."""
    for name, value in vars(cls).items():
        if name.startswith("_"):
            continue
        if isinstance(value, (classmethod, staticmethod)):
            yield name, value.__func__
        elif isinstance(value, property) or inspect.isfunction(value):
            yield name, value


def public_objects() -> Iterator[tuple[str, object]]:
    """``(qualified name, object)`` for every public function, class and class member."""
    seen: set[int] = set()
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            obj = getattr(module, name)
            if isinstance(obj, ModuleType) or not (inspect.isclass(obj) or callable(obj)):
                continue  # submodules are checked as modules; constants have no examples
            if typing.get_origin(obj) is not None:
                continue  # a type alias (Literal[...], Callable[...], A | B): no docstring
            if id(obj) in seen or _skipped(_defined_in(obj)):
                continue
            seen.add(id(obj))
            yield f"{module_name}.{name}", obj
            if inspect.isclass(obj):
                for member, value in _members(obj):
                    yield f"{module_name}.{name}.{member}", value


PUBLIC = dict(public_objects())


def test_the_public_surface_is_found() -> None:
    # Guards the collection itself: an empty or tiny PUBLIC would make the test vacuous.
    assert {"crucible_pl.load", "crucible_pl.Dataset.sample", "crucible_pl.interleave"} <= set(
        PUBLIC
    )
    assert "crucible_pl.testing.LocalHub.downloads" in PUBLIC
    assert {"crucible_pl.evaluate", "crucible_pl.EvalResult.metrics"} <= set(PUBLIC)
    assert any(name.startswith("crucible_pl.scoring.") for name in PUBLIC)
    assert len(PUBLIC) > 80
    assert not any(_skipped(_defined_in(obj)) for obj in PUBLIC.values())


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_public_name_has_a_numpy_docstring_with_examples(name: str) -> None:
    doc = inspect.getdoc(PUBLIC[name]) or ""
    assert doc.strip(), f"{name} has no docstring"
    assert _EXAMPLES.search(doc + "\n"), (
        f"{name} has no NumPy 'Examples' section with a '>>>' example. Add one that runs "
        "against the built-in local Hub or synthetic data (see crucible_pl/_dataset.py)."
    )


def test_each_public_module_has_examples() -> None:
    for module_name in PUBLIC_MODULES:
        doc = importlib.import_module(module_name).__doc__ or ""
        assert _EXAMPLES.search(inspect.cleandoc(doc) + "\n"), module_name
