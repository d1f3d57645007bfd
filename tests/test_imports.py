"""The package's import structure: no import circle, and the library layers
never reach for the whole config (they take typed settings)."""

from __future__ import annotations

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1] / "codecorr_jax"
# packages that take typed settings and never read a ConfigDict
TYPED_LAYERS = ("train", "sampling", "execution", "models", "synth")


def _modules() -> dict[str, pathlib.Path]:
    found = {}
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _imports(tree: ast.AST, modules: dict, top_level_only: bool) -> set[str]:
    """The project modules a module's import statements name."""
    def resolve(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    nodes = tree.body if top_level_only else list(ast.walk(tree))
    names = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names |= {f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in modules
                      else node.module for a in node.names}
    return {m for n in names if n.startswith("codecorr_jax") and (m := resolve(n))}


@pytest.mark.parametrize("top_level_only", [True, False], ids=["module_level", "deferred_too"])
def test_no_import_circle(top_level_only):
    """Not even through imports deferred into functions: a deferred import that closes a
    circle hides a layering problem instead of solving it."""
    modules = _modules()
    graph = {m: _imports(ast.parse(p.read_text()), modules, top_level_only) - {m}
             for m, p in modules.items()}
    state: dict[str, int] = {}  # 1 on the current path, 2 done

    def visit(module: str, path: list[str]) -> list[str] | None:
        state[module] = 1
        for dep in sorted(graph[module]):
            if state.get(dep) == 1:
                return path + [module, dep]
            if dep not in state and (circle := visit(dep, path + [module])):
                return circle
        state[module] = 2
        return None

    for module in sorted(graph):
        if module not in state:
            circle = visit(module, [])
            assert circle is None, " -> ".join(circle[circle.index(circle[-1]):])


def test_the_typed_layers_never_import_the_config():
    modules = _modules()
    for name, path in modules.items():
        if name.split(".")[1:2] and name.split(".")[1] in TYPED_LAYERS:
            tree = ast.parse(path.read_text())
            assert "codecorr_jax.config" not in _imports(tree, modules, False), name
            raw = {a.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                   for a in node.names}
            raw |= {node.module for node in ast.walk(tree)
                    if isinstance(node, ast.ImportFrom) and node.module}
            assert "ml_collections" not in raw, name


def test_the_config_reads_registries_not_the_modules_they_name():
    """Validating a config imports no regime, study or evaluation module (not even deferred):
    it reads the regime, suite and task-file registries, and a regime's own check is reached
    through its registry entry."""
    modules = _modules()
    imported = _imports(ast.parse(modules["codecorr_jax.config"].read_text()), modules, False)
    assert "codecorr_jax.regimes" in imported and "codecorr_jax.tasks.registry" in imported
    upward = sorted(m for m in imported
                    if m.startswith(("codecorr_jax.study", "codecorr_jax.eval"))
                    or (m.startswith("codecorr_jax.regimes.")))
    assert upward == [], upward
