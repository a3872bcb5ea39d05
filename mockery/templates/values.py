"""Response values that may hold templates: compiled once into a small tree, rendered per request.

A body such as ``{id: "{{ request.path_params.id }}", kind: user}`` becomes a ``MappingValue`` holding a
native template and a constant. A tree with no template in it is ``static``: its bytes are encoded once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from jinja2 import TemplateSyntaxError

from mockery.source.document import DocPath as DocPath  # re-exported: one definition, in the spec document
from mockery.templates.direct import FALLBACK, Direct
from mockery.templates.environment import CompiledTemplate, TemplateVariables, compile_template, is_template


class Value(Protocol):
    """A part of a response: renders to plain data given the template variables."""

    @property
    def static(self) -> bool: ...

    def render(self, variables: dict[str, Any]) -> Any: ...


@dataclass(frozen=True, slots=True)
class ConstantValue:
    value: Any
    static = True

    def render(self, variables: dict[str, Any]) -> Any:
        return self.value


@dataclass(frozen=True, slots=True)
class TemplateValue:
    template: CompiledTemplate
    static = False

    def render(self, variables: dict[str, Any]) -> Any:
        return self.template.render(variables)


@dataclass(frozen=True, slots=True)
class DirectValue(TemplateValue):
    """A template that is a lone plain call or read: called directly (``mockery.templates.direct``), or
    rendered by the sandbox when the call hands it back."""

    direct: Direct

    def render(self, variables: dict[str, Any]) -> Any:
        if type(variables) is TemplateVariables:
            value = self.direct(variables)
            if value is not FALLBACK:
                return value
        return self.template.render(variables)


@dataclass(frozen=True, slots=True)
class MappingValue:
    items: tuple[tuple[str, Value], ...]
    static = False

    def render(self, variables: dict[str, Any]) -> Any:
        return {key: value.render(variables) for key, value in self.items}


@dataclass(frozen=True, slots=True)
class ListValue:
    items: tuple[Value, ...]
    static = False

    def render(self, variables: dict[str, Any]) -> Any:
        return [value.render(variables) for value in self.items]


TemplateSink = Callable[[DocPath, CompiledTemplate], None]
SyntaxErrorSink = Callable[[DocPath, TemplateSyntaxError], None]


def compile_value(data: Any, path: DocPath, on_template: TemplateSink, on_error: SyntaxErrorSink) -> Value:
    """Compile ``data``. Each template is handed to ``on_template`` for further checks, and each syntax
    error to ``on_error``, both with the template's path in the document, so that all are reported."""
    if isinstance(data, str):
        if not is_template(data):
            return ConstantValue(data)
        try:
            template = compile_template(data)
        except TemplateSyntaxError as exc:
            on_error(path, exc)
            return ConstantValue(data)
        on_template(path, template)
        if template.direct is not None:
            return DirectValue(template, template.direct)
        return TemplateValue(template)
    if isinstance(data, dict):
        items = tuple((key, compile_value(value, (*path, key), on_template, on_error)) for key, value in data.items())
        if all(value.static for _, value in items):
            return ConstantValue(data)
        return MappingValue(items)
    if isinstance(data, list):
        elements = tuple(
            compile_value(value, (*path, index), on_template, on_error) for index, value in enumerate(data)
        )
        if all(value.static for value in elements):
            return ConstantValue(data)
        return ListValue(elements)
    return ConstantValue(data)


def templates(value: Value) -> Iterator[CompiledTemplate]:
    """Every template in a compiled value, in document order."""
    if isinstance(value, TemplateValue):
        yield value.template
    elif isinstance(value, MappingValue):
        for _, item in value.items:
            yield from templates(item)
    elif isinstance(value, ListValue):
        for element in value.items:
            yield from templates(element)
