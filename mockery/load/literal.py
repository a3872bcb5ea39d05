"""Writing text mockery did not write (a recorded upstream's answers, a third-party document's examples) into
a spec, so that the spec serves it exactly as it was.

A spec's strings are read twice: ``${VAR}`` is substituted when the file is loaded (``$$`` is a literal
``$``: see mockery.source.yaml_loader), and a string holding ``{{``, ``{%`` or ``{#`` is a template when a
response is rendered. So a writer escapes both: ``literal_template`` for a string that is rendered (a body
value, a header value), then ``escape_variables`` (``spec_text_data``) for every string of the file.
"""

from __future__ import annotations

from typing import Any

from mockery.source.yaml_loader import escape_variables
from mockery.templates.environment import is_template


def escape_template(text: str) -> str:
    """``text`` as template source that renders to exactly ``text``, to stand in or beside other template
    source: every ``{`` becomes ``{{ '{' }}``, and every carriage return ``{{ '\\r' }}`` (Jinja reads a raw
    one as a line break, and would send ``\\n``)."""
    return text.replace("{", "{{ '{' }}").replace("\r", "{{ '\\r' }}")


def literal_template(text: str) -> str:
    """``text`` as a string value that renders to exactly ``text``: itself when it holds no template syntax."""
    return escape_template(text) if is_template(text) else text


def literal_body(data: Any) -> Any:
    """A body (parsed JSON, or text) with every string made a ``literal_template``; keys are never rendered."""
    if isinstance(data, str):
        return literal_template(data)
    if isinstance(data, dict):
        return {key: literal_body(value) for key, value in data.items()}
    if isinstance(data, list):
        return [literal_body(item) for item in data]
    return data


def spec_text_data(data: Any) -> Any:
    """Spec data ready to be written as a file: every string value escaped for ``${VAR}`` substitution, so
    that the file loads as ``data`` (keys are never substituted, and are kept)."""
    if isinstance(data, str):
        return escape_variables(data)
    if isinstance(data, dict):
        return {key: spec_text_data(value) for key, value in data.items()}
    if isinstance(data, list):
        return [spec_text_data(item) for item in data]
    return data
