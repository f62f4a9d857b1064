import ast
from pathlib import Path

import crucible_pl

# The import layers, top to bottom: a module imports only from layers below its own.
# Packages (registry, scoring, testing, prompts) count as one unit each, and so does each layer
# folder of the load path (_load, _hub, _cache, _files), whose modules are ordered too.
LAYERS = [
    {"cli"},
    {"_demo", "_mirror"},  # the built-in demo | serve --from-cache: the caches as a Hub
    {"crucible_pl"},  # crucible_pl/__init__.py: re-exports only
    {"scoring"},
    {"_api", "_dataset", "_lock"},
    {"_bridges"},  # lm-eval and inspect_ai (optional extras): below Dataset, above _load
    {"_load"},
    {"_hub"},
    {"_cache"},
    {"_files", "_sampling", "_reshape", "testing", "prompts", "_display", "_terminal"},
    {"_synthetic"},  # synthetic raw rows of every registered dataset (test data)
    {"_validate", "_split", "_hashing", "registry", "schemas"},
    {"_config"},  # reads the environment; may raise the errors below
    {"errors"},  # the leaf: imports nothing of ours
]
# Inside a layer folder, the same rule: a module imports only from lines below its own.
INSIDE = {
    "_load": [
        {"describe", "frame"},
        {"source_hub", "source_synthetic"},
        {"normalized"},
        {"request", "source", "provenance"},
    ],
    "_hub": [
        {"fetch"},
        {"resolve"},
        {"client", "datafiles", "footers", "remote"},
        {"session"},
        {"translate", "globs"},
    ],
    "_cache": [
        {"admin"},
        {"entries", "leftovers"},
        {"damage"},
        {"manifests", "hf_cache"},
        {"paths"},
    ],
    "_files": [{"convert", "lockfile"}, {"atomic", "formats", "parquet"}],
}
LEVEL = {unit: depth for depth, layer in enumerate(LAYERS) for unit in layer}
INNER = {
    (folder, module): depth
    for folder, lines in INSIDE.items()
    for depth, line in enumerate(lines)
    for module in line
}
ROOT = Path(crucible_pl.__file__).parent.parent


def unit_of(module: str) -> tuple[str, str | None]:
    """crucible_pl.registry._spec -> (registry, None); crucible_pl._hub.client -> (_hub, client)."""
    parts = module.split(".")
    unit = parts[1] if len(parts) > 1 else parts[0]
    inner = parts[2] if unit in INSIDE and len(parts) > 2 else None
    return unit, inner


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
inner_edges = set()
uses_hf_hub = set()
for path in sorted((ROOT / "crucible_pl").rglob("*.py")):
    module = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
    source, source_inner = unit_of(module)
    assert source in LEVEL, f"{module} is in no layer: add it to docs/architecture.md"
    if source in INSIDE and source_inner is None:  # a layer folder's __init__: a docstring
        assert not imported_modules(path), f"{module} imports; keep it a docstring"
        continue
    if source in INSIDE:
        assert (source, source_inner) in INNER, f"{module} is in no line of INSIDE[{source!r}]"
    for name in imported_modules(path):
        if name == "crucible_pl" or name.startswith("crucible_pl."):
            target, target_inner = unit_of(name)
            if target != source:
                edges.add((source, target))
            elif source in INSIDE and source_inner != target_inner:
                assert target_inner is not None, f"{module} imports its folder's __init__"
                inner_edges.add((source, source_inner, target_inner))
        elif name.split(".")[0] == "huggingface_hub":
            uses_hf_hub.add(module)

for source, target in sorted(edges):
    assert LEVEL[source] < LEVEL[target], f"{source} imports {target}, which is not below it"
for folder, source, target in sorted(inner_edges):
    assert INNER[folder, source] < INNER[folder, target], f"{folder}.{source} imports {target}"

# Only the request modules of _hub (client, footers, remote, session) and translate import
# huggingface_hub: the boundary where its requests are made and its errors become ours.
assert uses_hf_hub <= {
    "crucible_pl._hub.client",
    "crucible_pl._hub.footers",
    "crucible_pl._hub.remote",
    "crucible_pl._hub.session",
    "crucible_pl._hub.translate",
}, uses_hf_hub
print(f"{len(edges)} imports between layers, {len(inner_edges)} inside folders, all pointing down")
