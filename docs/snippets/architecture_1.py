import ast
from pathlib import Path

import crucible_pl

# The import layers, top to bottom: a module imports only from layers below its own.
# Packages (registry, scoring, testing) count as one unit each; the modules of the load
# path's folders (_files, _cache, _hub, _load) count one by one, as "folder.module".
LAYERS = [
    {"cli"},
    {"_demo"},
    {"crucible_pl"},  # crucible_pl/__init__.py: re-exports only
    {"scoring"},
    {"_api", "_dataset"},
    {"_load.frame", "_cache.admin"},
    {"_load.normalized"},
    {"_hub.resolve"},
    {"_hub.client"},
    {"_cache.paths", "_files.parquet", "_files.convert", "_hub.datafiles", "_sampling", "testing"},
    {"_validate", "_split", "_files.formats", "_hashing", "registry", "schemas"},
    {"_config", "errors"},
]
FOLDERS = {"_files", "_cache", "_hub", "_load"}
LEVEL = {unit: depth for depth, layer in enumerate(LAYERS) for unit in layer}
ROOT = Path(crucible_pl.__file__).parent.parent


def unit_of(module: str) -> str:
    """crucible_pl.registry._spec -> registry; crucible_pl._hub.client -> _hub.client."""
    parts = module.split(".")
    if len(parts) > 2 and parts[1] in FOLDERS:
        return f"{parts[1]}.{parts[2]}"
    return parts[1] if len(parts) > 1 else parts[0]


def is_module(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, anywhere in it (also inside functions), as absolute names.

    ``from ._hub import client`` counts as an import of ``crucible_pl._hub.client``.
    """
    parts = path.relative_to(ROOT).with_suffix("").parts
    package = parts if path.name == "__init__.py" else parts[:-1]
    package = package[:-1] if package[-1] == "__init__" else package
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                base = node.module or ""
            else:  # relative: from . import x, from .x import y
                base = ".".join(package[: len(package) - node.level + 1])
                base = f"{base}.{node.module}" if node.module else base
            for alias in node.names:
                name = f"{base}.{alias.name}"
                found.add(name if is_module(name) else base)
    return found


edges = set()
uses_hf_hub = set()
for path in sorted((ROOT / "crucible_pl").rglob("*.py")):
    module = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
    source = unit_of(module)
    if source in FOLDERS:  # a layer folder's __init__: a docstring, no imports
        assert not imported_modules(path), f"{module} imports; keep it a docstring"
        continue
    assert source in LEVEL, f"{module} is in no layer: add it to docs/architecture.md"
    for name in imported_modules(path):
        if name == "crucible_pl" or name.startswith("crucible_pl."):
            if unit_of(name) != source:
                edges.add((source, unit_of(name)))
        elif name.split(".")[0] == "huggingface_hub":
            uses_hf_hub.add(source)

for source, target in sorted(edges):
    assert LEVEL[source] < LEVEL[target], f"{source} imports {target}, which is not below it"

# Only _hub.client imports huggingface_hub: the boundary where its errors become ours.
assert uses_hf_hub == {"_hub.client"}, uses_hf_hub
print(f"{len(edges)} imports between units, all pointing down")
