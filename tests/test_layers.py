"""fbgym's layers import downwards only: core ← simulators ← envs ← agents ← runner ← leaderboard/cli."""

import ast
from pathlib import Path

import fbgym

PACKAGE = Path(fbgym.__file__).parent
LAYERS = (
    ("fbgym.errors", "fbgym.version", "fbgym.catalog", "fbgym.core"),
    ("fbgym.registration",),
    ("fbgym.sandbox", "fbgym.simulators"),
    ("fbgym.envs",),
    ("fbgym.agents", "fbgym.wrappers"),
    ("fbgym.runner", "fbgym.remote", "fbgym.utils", "fbgym.integrations"),
    ("fbgym.leaderboard",),
    ("fbgym.cli", "fbgym.leaderboard.cli", "fbgym.remote.cli", "fbgym.pytest_plugin", "fbgym"),
)


def layer_of(module: str) -> int:
    """The layer of ``module``: the most specific prefix that names it."""
    best = None
    for level, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if module == prefix or module.startswith(prefix + "."):
                if best is None or len(prefix) > len(best[1]):
                    best = (level, prefix)
    assert best is not None, f"{module} is in no layer; add it to LAYERS"
    return best[0]


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """Every fbgym module ``path`` imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return {name for name in found if name == "fbgym" or name.startswith("fbgym.")}


def test_no_module_imports_from_a_higher_layer():
    upward = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = module_name(path)
        mine = layer_of(module)
        for imported in sorted(imports(path)):
            if layer_of(imported) > mine:
                upward.append(
                    f"{module} (layer {mine}) imports {imported} (layer {layer_of(imported)})"
                )
    assert not upward, "imports from a higher layer:\n" + "\n".join(upward)


def test_the_layer_rule_catches_an_upward_import():
    assert layer_of("fbgym.core.env") < layer_of("fbgym.simulators.fidelity")
    assert layer_of("fbgym.envs.math.env") < layer_of("fbgym.agents.baselines")
    assert layer_of("fbgym.runner.evaluate") < layer_of("fbgym.leaderboard.submit")
