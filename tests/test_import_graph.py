"""The import graph of the package: no cycle between modules or between packages (every import counts:
TYPE_CHECKING blocks and imports inside functions too), and each package imports only the layers below it."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "mockery"


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _imported(module: str, path: Path) -> set[str]:
    """Every mockery module ``module`` imports, wherever in the file the import stands."""
    targets: set[str] = set()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names = [f"{base}.{alias.name}" for alias in node.names] + [base]
        for name in names:
            while name and name not in MODULES:
                name = name.rpartition(".")[0]
            if name and name != module:
                targets.add(name)
    return targets


GRAPH = {module: _imported(module, path) for module, path in MODULES.items()}


def _package(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2])


def _cycles(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Strongly connected components of more than one node (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(graph.get(root, ())))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(graph.get(child, ()))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_graph_sees_imports_of_every_kind() -> None:
    assert len(MODULES) > 50
    assert any(GRAPH.values())


def test_no_module_imports_itself_through_others() -> None:
    assert _cycles(GRAPH) == []


def test_no_package_imports_itself_through_others() -> None:
    packages: dict[str, set[str]] = {}
    for module, targets in GRAPH.items():
        packages.setdefault(_package(module), set()).update(
            _package(target) for target in targets if _package(target) != _package(module)
        )
    assert _cycles(packages) == []


# The layers of docs/architecture.md, lowest first: a package imports only packages of lower layers.
LAYERS = (
    ("errors", "suggest", "words"),
    ("source", "store", "tracing"),
    ("templates",),
    ("http",),
    ("model",),
    ("resources", "proxy"),
    ("openapi",),
    ("graphql",),
    ("runtime",),
    ("callbacks",),
    ("answers",),
    ("load",),
    ("app", "importers"),
    ("server",),
    ("record", "scaffold"),
    ("testing",),
    ("cli_types",),
    ("",),  # mockery/__init__.py: the public names
    ("cli",),
    ("__main__",),
)


def _layer(package: str) -> int:
    name = package.removeprefix("mockery").removeprefix(".")
    for number, names in enumerate(LAYERS):
        if name in names:
            return number
    raise AssertionError(f"{package} is in no layer of LAYERS: place it (and in docs/architecture.md)")


def test_every_package_imports_only_lower_layers() -> None:
    upward = sorted(
        (module, target)
        for module, targets in GRAPH.items()
        for target in targets
        if _package(module) != _package(target) and _layer(_package(target)) >= _layer(_package(module))
    )
    assert upward == []


def test_the_layers_are_the_folders_of_the_package() -> None:
    folders = {path.name for path in PACKAGE.iterdir() if path.is_dir() and (path / "__init__.py").exists()}
    modules = {path.stem for path in PACKAGE.glob("*.py") if path.stem != "__init__"}
    assert folders | modules == {name for names in LAYERS for name in names if name}


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": ["b"], "b": ["c"], "c": ["a"], "d": ["a"]}) == [["a", "b", "c"]]
