import ast
from pathlib import Path

import crucible_pl

# The import layers, top to bottom: a module imports only from layers below its own.
# Packages (registry, scoring, testing) count as one unit each.
LAYERS = [
    {"cli"},
    {"_demo"},
    {"crucible_pl"},  # crucible_pl/__init__.py: re-exports only
    {"scoring"},
    {"_api", "_dataset"},
    {"_load", "_cache_admin"},
    {"_normalized"},
    {"_resolve"},
    {"_hub"},
    {"_cache", "_scan", "_sampling", "testing"},
    {"_validate", "_split", "_datafiles", "_hashing", "registry", "schemas"},
    {"_config", "errors"},
]
LEVEL = {unit: depth for depth, layer in enumerate(LAYERS) for unit in layer}
ROOT = Path(crucible_pl.__file__).parent.parent


def unit_of(module: str) -> str:
    """crucible_pl.registry._spec -> registry; crucible_pl -> crucible_pl."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, anywhere in it (also inside functions), as absolute names."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    package = parts if path.name == "__init__.py" else parts[:-1]
    package = package[:-1] if package[-1] == "__init__" else package
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
        elif isinstance(node, ast.ImportFrom):  # relative: from . import x, from .x import y
            base = ".".join(package[: len(package) - node.level + 1])
            if node.module:
                found.add(f"{base}.{node.module}")
            else:
                found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


edges = set()
uses_hf_hub = set()
for path in sorted((ROOT / "crucible_pl").rglob("*.py")):
    module = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
    source = unit_of(module)
    assert source in LEVEL, f"{module} is in no layer: add it to docs/architecture.md"
    for name in imported_modules(path):
        if name == "crucible_pl" or name.startswith("crucible_pl."):
            if unit_of(name) != source:
                edges.add((source, unit_of(name)))
        elif name.split(".")[0] == "huggingface_hub":
            uses_hf_hub.add(source)

for source, target in sorted(edges):
    assert LEVEL[source] < LEVEL[target], f"{source} imports {target}, which is not below it"

# Only _hub imports huggingface_hub: the boundary where its errors become ours.
assert uses_hf_hub == {"_hub"}, uses_hf_hub
print(f"{len(edges)} imports between units, all pointing down")
