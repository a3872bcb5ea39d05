"""Rules of the package's shape that no single module's tests would notice being broken."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "mockery"

# The callers of a running server: each may use the server's verbs (public methods and properties), never what
# it keeps inside (its runtime, store, listeners, route registry...).
SERVER_CALLERS = (
    "server/admin.py",
    "server/admin_docs.py",
    "server/docs_ui.py",
    "server/reload.py",
    "testing/mock_server.py",
    "server/workers.py",
    "cli.py",
)
# The names a server object goes by in those modules.
SERVER_NAMES = {"server", "_server"}


def _server_verbs() -> set[str]:
    """Every public name defined in the body of ``class Server``: its methods and properties."""
    tree = ast.parse((PACKAGE / "server" / "server.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == "Server":
            return {
                item.name
                for item in node.body
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) and not item.name.startswith("_")
            }
    raise AssertionError("mockery/server/server.py defines no class Server")


def _is_server(node: ast.expr) -> bool:
    """``server``, ``self.server`` or ``self._server``."""
    if isinstance(node, ast.Name):
        return node.id in SERVER_NAMES
    return isinstance(node, ast.Attribute) and node.attr in SERVER_NAMES and isinstance(node.value, ast.Name)


def _reaches_inside(module: str, verbs: set[str]) -> list[str]:
    path = PACKAGE / module
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _is_server(node.value) and node.attr not in verbs:
            found.append(f"mockery/{module}:{node.lineno}: .{node.attr}")
    return found


def test_the_server_has_the_verbs_its_callers_need() -> None:
    verbs = _server_verbs()
    assert {"describe", "health", "ready", "set_scenario", "use_profile", "add_route", "reload", "reset"} <= verbs


@pytest.mark.parametrize("module", SERVER_CALLERS)
def test_admin_and_reloader_use_only_the_servers_verbs(module: str) -> None:
    assert _reaches_inside(module, _server_verbs()) == []


def test_servers_are_built_only_by_the_one_factory() -> None:
    """``Server(...)`` is called in ``mockery/server/options.py`` (``build_server``) and nowhere else: the CLI,
    ``MockServer``, the workers and the tests compose a server the same way."""
    root = PACKAGE.parent
    callers = []
    for folder in ("mockery", "tests", "examples"):
        for path in sorted((root / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name | ast.Attribute):
                    name = node.func.id if isinstance(node.func, ast.Name) else node.func.attr
                    uvicorn = isinstance(node.func, ast.Attribute) and ast.unparse(node.func.value) == "uvicorn"
                    if name == "Server" and not uvicorn:  # uvicorn.Server: a test's own receiver, not mockery's
                        callers.append(f"{path.relative_to(root)}:{node.lineno}")
    assert [caller for caller in callers if not caller.startswith("mockery/server/options.py:")] == []
    assert callers, "build_server no longer calls Server(...): update this test"
