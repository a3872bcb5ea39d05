"""The shape of an OpenAPI document: the parts mockery reads must have the types the format gives them.

A document whose ``paths``, path items, operations, parameters, request bodies, responses or components have
another type cannot be served as written: each such place is an error, all found at once, so that a broken
document is refused with where it breaks instead of failing somewhere inside the loader.
"""

from __future__ import annotations

from typing import Any

from mockery.source.document import DocPath

_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_COMPONENT_SECTIONS: tuple[str, ...] = ("schemas", "responses", "parameters", "examples", "requestBodies")
_COMPONENT_SECTIONS += ("headers", "securitySchemes", "links", "callbacks", "pathItems")


def structure_problems(data: dict[str, Any]) -> list[tuple[DocPath, str, str | None]]:
    """Where the parts of the document mockery reads have the wrong type: a document that cannot be served as
    written, so each is an error (``(path, message, suggestion)``), all of them at once."""
    problems: list[tuple[DocPath, str, str | None]] = []

    def expect(value: Any, kind: type, path: DocPath, what: str) -> bool:
        if isinstance(value, kind):
            return True
        shown = "a mapping" if kind is dict else "a list"
        problems.append((path, f"{what} must be {shown}, not {type(value).__name__} {value!r:.40}", None))
        return False

    def parameters(node: dict[str, Any], path: DocPath) -> None:
        if "parameters" in node and expect(node["parameters"], list, (*path, "parameters"), "'parameters'"):
            for index, parameter in enumerate(node["parameters"]):
                expect(parameter, dict, (*path, "parameters", index), "a parameter")

    components = data.get("components")
    if components is not None and expect(components, dict, ("components",), "'components'"):
        for section in _COMPONENT_SECTIONS:
            if section in components:
                expect(components[section], dict, ("components", section), f"'components.{section}'")
    for key in ("webhooks",):
        if data.get(key) is not None:
            expect(data[key], dict, (key,), f"'{key}'")
    if data.get("security") is not None:
        expect(data["security"], list, ("security",), "'security'")
    paths = data.get("paths")
    if paths is None or not expect(paths, dict, ("paths",), "'paths'"):
        return problems
    for template, item in paths.items():
        where: DocPath = ("paths", template)
        if str(template).startswith("x-") or not expect(item, dict, where, "a path item"):
            continue
        parameters(item, where)
        for method in _METHODS:
            if method not in item or not expect(item[method], dict, (*where, method), "an operation"):
                continue
            operation = item[method]
            parameters(operation, (*where, method))
            if operation.get("requestBody") is not None:
                expect(operation["requestBody"], dict, (*where, method, "requestBody"), "'requestBody'")
            responses = operation.get("responses")
            if responses is not None and expect(responses, dict, (*where, method, "responses"), "'responses'"):
                for code, response in responses.items():
                    expect(response, dict, (*where, method, "responses", code), "a response")
    return problems
