"""The one answer type and the one problem(): checks of the package's shape that no behaviour test would see rot."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "mockery"


def _modules() -> list[tuple[str, ast.Module]]:
    return [
        (path.relative_to(PACKAGE.parent).as_posix(), ast.parse(path.read_text(encoding="utf-8")))
        for path in sorted(PACKAGE.rglob("*.py"))
    ]


def _is_tuple_answer(node: ast.expr) -> bool:
    """``tuple[int, <headers>, bytes]``: the shape of an answer before it had a type."""
    if not (isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == "tuple"):
        return False
    items = node.slice.elts if isinstance(node.slice, ast.Tuple) else []
    return (
        len(items) >= 3
        and isinstance(items[0], ast.Name)
        and items[0].id == "int"
        and isinstance(items[2], ast.Name)
        and items[2].id == "bytes"
    )


def _builds_problem(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Whether ``function`` writes an RFC 9457 document itself (its ``type`` member, ``about:blank``)."""
    return any(isinstance(node, ast.Constant) and node.value == "about:blank" for node in ast.walk(function))


def test_one_answer_type_and_one_problem() -> None:
    problems, answer_types, tuple_answers = [], [], []
    for name, module in _modules():
        # A method named ``problem`` may record a load-time mistake; a function of that name answers one.
        functions = {node for node in module.body if isinstance(node, ast.FunctionDef) and node.name == "problem"}
        for node in ast.walk(module):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and (
                node in functions or _builds_problem(node)
            ):
                problems.append(f"{name}:{node.name}")
            elif isinstance(node, ast.ClassDef) and node.name == "Answer":
                answer_types.append(f"{name}:{node.name}")
            elif isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if any(isinstance(target, ast.Name) and target.id.endswith("Answer") for target in targets):
                    answer_types.append(f"{name}:{ast.unparse(node)} (an alias)")
            if isinstance(node, ast.Subscript) and _is_tuple_answer(node):
                tuple_answers.append(f"{name}:{node.lineno}: {ast.unparse(node)}")
    assert problems == ["mockery/http/answer.py:problem"]
    assert answer_types == ["mockery/http/answer.py:Answer"]
    assert tuple_answers == []


RESPONSE_SET_SPEC = """\
service: sets
routes:
  - path: /next
    responses:
      - status: 200
      - status: 201
"""

GRAPHQL_SPEC = """\
service: graph
routes:
  - path: /before
    response: {status: 204}
graphql:
  sdl: "type Query { hello: String }"
"""

STREAMS_SPEC = """\
service: streams
routes:
  - path: /events
    events: [{data: hello}]
  - path: /socket
    websocket: {on_connect: hello}
"""


def test_every_route_answers_with_one_of_the_kinds(tmp_path: Path) -> None:
    from mockery.answers.kinds import KINDS
    from mockery.load.loader import load_specs
    from tests.openapi.support import PETSTORE

    (tmp_path / "pets.yaml").write_text(PETSTORE)
    (tmp_path / "sets.yaml").write_text(RESPONSE_SET_SPEC)
    (tmp_path / "graph.yaml").write_text(GRAPHQL_SPEC)
    (tmp_path / "streams.yaml").write_text(STREAMS_SPEC)
    bundled = sorted((PACKAGE.parent / "specs").glob("*.yaml"))
    written = ["pets.yaml", "sets.yaml", "graph.yaml", "streams.yaml"]
    specs = load_specs([*bundled, *(tmp_path / name for name in written)])
    found = {type(route.answer) for service in specs.services for route in service.routes}
    # Stubs added from Python answer with a handler, or another kind's answer a number of times.
    from mockery.answers.handler import CountedAnswer
    from mockery.testing.mock_server import MockServer

    stub = MockServer(tmp_path / "sets.yaml").stub("sets", {"path": "/h"}, handler=lambda request: {}, times=2)
    assert isinstance(stub.route.answer, CountedAnswer)
    found |= {type(stub.route.answer), type(stub.route.answer.inner)}
    assert found == set(KINDS)
    assert len({kind.kind for kind in KINDS}) == len(KINDS)  # type: ignore[attr-defined]
    # Identities are (origin, index): no two routes of a service share one.
    for service in specs.services:
        keys = [(route.origin, route.index) for route in service.routes]
        assert len(keys) == len(set(keys)), service.name


def test_the_app_asks_the_kind_not_which_kind() -> None:
    """The request path calls ``route.answer``; it does not tell kinds apart (no isinstance, no optional field)."""
    source = (PACKAGE / "app" / "listener.py").read_text(encoding="utf-8")
    tree = ast.parse(source)
    kind_names = {"TemplateAnswer", "ResponseSetAnswer", "ResourceAnswer", "OperationAnswer"}
    names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    attributes = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    assert not names & kind_names
    assert not attributes & {"endpoint", "handler", "responses", "response"}
