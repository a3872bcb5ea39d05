"""mockery.load.literal: text written into a spec so that the spec serves it exactly as it was."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from mockery.load.literal import escape_template, literal_body, literal_template, spec_text_data
from mockery.source.yaml_loader import parse_document
from mockery.templates.environment import compile_template

TEXTS = [
    "plain",
    "{{ 7*7 }}",
    "{% if true %}x{% endif %}",
    "{# note #}",
    "{{",
    "a\r\n{{ b }}\r\n",
    "{'a': 1}",
    "${HOME} $${X} $$ $",
]


@pytest.mark.parametrize("text", TEXTS)
def test_a_literal_template_renders_to_its_text(text: str) -> None:
    written = literal_template(text)
    rendered = compile_template(written).render({}) if written != text else written
    assert rendered == text
    assert compile_template(escape_template(text)).render({}) == text


def test_a_literal_body_escapes_values_and_keeps_keys() -> None:
    body = {"{{ k }}": ["{{ v }}", 1, None, {"n": "{% x %}"}]}
    assert literal_body(body) == {"{{ k }}": ["{{ '{' }}{{ '{' }} v }}", 1, None, {"n": "{{ '{' }}% x %}"}]}


def test_spec_text_data_loads_back_as_the_data() -> None:
    data = {"service": "s", "x-a": {"${KEY}": ["${HOME}", "$${X}", 5, "$5"]}}
    text = yaml.safe_dump(spec_text_data(data))
    document, errors = parse_document(text, path=Path("s.yaml"), display_name="s.yaml", environ={"HOME": "/root"})
    assert errors == []
    assert document is not None
    assert document.data == data
