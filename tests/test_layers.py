"""The package is built in layers, and imports run one way: down the chain of the data.

scenario file -> input -> model -> run -> results -> (logs | plan) -> output -> cli -> launch (the program)

A module may import from its own layer and the layers below it, never from a
layer above (nor may logs and plan, side by side, import each other).  The
README's Layout shows the same tree.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "sim"
RANK = {"base": 0, "input": 1, "model": 2, "run": 3, "results": 4, "logs": 5, "plan": 5, "output": 6, "cli": 7, "launch": 8}
LAYERS_ON_DISK = {"input", "model", "run", "results", "logs", "plan", "output"}


def layer_of(module: str) -> str:
    """'sim.model.engine' -> 'model'; 'sim.cli' -> 'cli'; 'sim.launch' -> 'launch'; 'sim.errors', 'sim.files',
    'sim' -> 'base'."""
    parts = module.split(".")
    if len(parts) > 1 and parts[1] in LAYERS_ON_DISK:
        return parts[1]
    if parts[1:2] in (["cli"], ["launch"]):
        return parts[1]
    return "base"


def modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(ROOT).with_suffix("")
        name = ".".join(rel.parts).removesuffix(".__init__")
        yield name, path


def imports_of(name: str, path: Path):
    """Every module of the package that ``name`` imports, at the top or inside functions."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "sim":
                    yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "sim":
                continue
            for alias in node.names:       # "from sim.output import plots" imports the module sim.output.plots
                candidate = f"{target}.{alias.name}"
                yield node.lineno, candidate if (PACKAGE.parent / (candidate.replace(".", "/") + ".py")).is_file() \
                    else target


def test_the_package_is_in_layers_and_imports_run_one_way():
    upward = []
    for name, path in modules():
        here = layer_of(name)
        for line, target in imports_of(name, path):
            there = layer_of(target)
            if RANK[there] > RANK[here] or (RANK[there] == RANK[here] and there != here and here != "base"):
                upward.append(f"{path.relative_to(ROOT)}:{line}: {here} imports {target} ({there})")
    assert not upward, "imports that run back up the chain:\n" + "\n".join(upward)


def test_every_module_sits_in_a_layer_folder():
    loose = [name for name, _ in modules() if layer_of(name) == "base"]
    assert sorted(loose) == ["sim", "sim.errors", "sim.files"], loose


@pytest.mark.parametrize("layer", sorted(LAYERS_ON_DISK))
def test_the_readme_layout_names_every_module_of_each_layer(layer):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    layout = readme[readme.index("## Layout"):]
    for path in sorted((PACKAGE / layer).glob("*.py")):
        if path.name != "__init__.py":
            assert f"{path.stem}" in layout, f"README Layout does not name {layer}/{path.name}"
