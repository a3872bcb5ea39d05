"""mockery.source.yaml_loader: safe YAML with every value's position, and every mistake located."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from mockery.errors import SpecError
from mockery.source.document import Document, Position
from mockery.source.yaml_loader import MAX_DEPTH, MAX_VALUES, escape_variables, load_document

WriteSpec = Callable[..., Path]
SpecErrorsOf = Callable[..., list[SpecError]]
Where = Callable[..., tuple[int, int]]


def load(path: Path, environ: dict[str, str] | None = None) -> tuple[Document | None, list[SpecError]]:
    return load_document(path, environ={} if environ is None else environ)


def data_of(path: Path, environ: dict[str, str] | None = None) -> Any:
    """The loaded data of a file that must load without any error."""
    document, errors = load(path, environ)
    assert errors == []
    assert document is not None
    return document.data


def only_error(path: Path, environ: dict[str, str] | None = None) -> SpecError:
    _, errors = load(path, environ)
    assert len(errors) == 1, errors
    return errors[0]


# --- duplicate keys ---------------------------------------------------------------------------------------------


def test_duplicate_top_level_key_names_the_first_line(write_spec: WriteSpec, where: Where) -> None:
    text = """\
        service: users
        description: first
        routes: []
        service: accounts
        """
    error = only_error(write_spec(text))
    first_line, _ = where(text, "service: users")
    assert (error.line, error.column) == where(text, "service: accounts")
    assert error.file == "spec.yaml"
    assert error.path == "service"
    assert f"duplicate key 'service' (first defined at line {first_line})" in error.message
    assert error.suggestion == "remove one of them"


def test_duplicate_nested_key_is_located_with_its_path(write_spec: WriteSpec, where: Where) -> None:
    text = """\
        service: users
        routes:
          - path: /a
            response:
              status: 200
              status: 201
        """
    error = only_error(write_spec(text))
    assert error.path == "routes[0].response.status"
    assert (error.line, error.column) == where(text, "status: 201")
    assert f"first defined at line {where(text, 'status: 200')[0]}" in error.message


def test_every_duplicate_key_is_reported(write_spec: WriteSpec) -> None:
    _, errors = load(write_spec("service: a\nport: 1\nservice: b\nport: 2\n"))
    assert [(error.line, error.path) for error in errors] == [(3, "service"), (4, "port")]


# --- tabs -------------------------------------------------------------------------------------------------------


def test_tab_used_for_indentation_is_located(write_spec: WriteSpec) -> None:
    path = write_spec("service: users\nroutes:\n\t- path: /a\n")
    error = only_error(path)
    assert (error.line, error.column) == (3, 1)
    assert error.message == "a tab is used for indentation"
    assert error.suggestion == "indent with spaces"


def test_tab_after_spaces_is_located_at_the_tab(write_spec: WriteSpec) -> None:
    path = write_spec("service: users\nroutes:\n  - path: /a\n  \tmethod: GET\n")
    error = only_error(path)
    assert (error.line, error.column) == (4, 3)
    assert "tab" in error.message


def test_every_tab_indented_line_is_reported(write_spec: WriteSpec) -> None:
    _, errors = load(write_spec("service: users\nx-a:\n\tb: 1\n\tc: 2\n"))
    assert [(error.line, error.column) for error in errors] == [(3, 1), (4, 1)]
    assert all(error.message == "a tab is used for indentation" for error in errors)


def test_tab_inside_a_block_scalar_is_text(write_spec: WriteSpec) -> None:
    """A tab after a block's indentation is part of the text (a TSV body), not indentation."""
    path = write_spec("service: users\nx-tsv: |\n  id\tname\n  \tindented\n")
    assert data_of(path)["x-tsv"] == "id\tname\n\tindented\n"


# --- tags -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        '!!python/object/apply:os.system ["touch {target}"]',
        '!!python/object/apply:os.system {{args: ["touch {target}"]}}',
        "!!python/object/new:os.system [touch {target}]",
        "!!python/name:os.system",
    ],
    ids=["apply-sequence", "apply-mapping", "new", "name"],
)
def test_python_tags_are_rejected_and_never_run(
    write_spec: WriteSpec, spec_errors: SpecErrorsOf, tmp_path: Path, where: Where, value: str
) -> None:
    target = tmp_path / "touched"
    text = f"""\
        service: users
        routes:
          - path: /a
            response:
              body: {value.format(target=target)}
        """
    path = write_spec(text)
    errors = spec_errors(path)
    tag_errors = [error for error in errors if "is not allowed" in error.message]
    assert len(tag_errors) == 1, errors
    error = tag_errors[0]
    assert (error.line, error.column) == where(text, "!!python")
    assert error.path == "routes[0].response.body"
    assert "!!python/" in error.message
    assert error.suggestion == "specs use plain YAML: remove the tag"
    assert not target.exists()


@pytest.mark.parametrize(
    ("value", "tag"),
    [
        ("!!set {a, b}", "!!set"),
        ("!!binary aGVsbG8=", "!!binary"),
        ("!!omap [{a: 1}]", "!!omap"),
        ("!foo bar", "!foo"),
        ("!foo [1, 2]", "!foo"),
        ("!foo {a: 1}", "!foo"),
    ],
    ids=["set", "binary", "omap", "local-scalar", "local-sequence", "local-mapping"],
)
def test_custom_tags_are_rejected_at_their_position(write_spec: WriteSpec, where: Where, value: str, tag: str) -> None:
    text = f"""\
        service: users
        x-value: {value}
        """
    error = only_error(write_spec(text))
    assert (error.line, error.column) == where(text, value)
    assert error.path == "x-value"
    assert error.message == f"tag {tag!r} is not allowed"


def test_explicit_core_tags_are_plain_yaml(write_spec: WriteSpec) -> None:
    data = data_of(write_spec('service: users\nx-a: !!str 5\nx-b: !!int "7"\nx-c: !!float "1.5"\n'))
    assert (data["x-a"], data["x-b"], data["x-c"]) == ("5", 7, 1.5)


# --- alias bombs ------------------------------------------------------------------------------------------------

BILLION_LAUGHS = """\
service: users
x-a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
x-b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
x-c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
x-d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
x-e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
x-f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
x-g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
x-h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
x-i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
"""


@pytest.mark.slow
def test_alias_bomb_is_rejected_with_a_located_error(write_spec: WriteSpec, spec_errors: SpecErrorsOf) -> None:
    path = write_spec(BILLION_LAUGHS)
    document, errors = load(path)
    assert document is None
    assert len(errors) == 1
    error = errors[0]
    assert error.file == "spec.yaml"
    assert 2 <= error.line <= len(BILLION_LAUGHS.splitlines())
    assert error.column >= 1
    assert error.path.startswith("x-")
    assert f"more than {MAX_VALUES} values" in error.message
    assert "alias bomb" in error.message
    assert [str(e) for e in spec_errors(path)] == [str(error)]


def test_reused_aliases_below_the_limit_load(write_spec: WriteSpec) -> None:
    text = """\
        service: users
        x-a: &a {id: 1, tags: [x, y]}
        x-b: [*a, *a, *a]
        """
    data = data_of(write_spec(text))
    assert data["x-b"] == [{"id": 1, "tags": ["x", "y"]}] * 3


def test_nesting_too_deep_is_rejected(write_spec: WriteSpec) -> None:
    depth = MAX_DEPTH + 5
    error = only_error(write_spec("service: users\nx-a: " + "[" * depth + "]" * depth + "\n"))
    assert error.line == 2
    assert f"nested more than {MAX_DEPTH} levels deep" in error.message


@pytest.mark.slow
def test_pathological_nesting_is_an_error_not_a_crash(write_spec: WriteSpec) -> None:
    depth = 5000
    error = only_error(write_spec("service: users\nx-a: " + "[" * depth + "]" * depth + "\n"))
    # libyaml composes it and the depth check names the limit; the pure-Python composer would recurse too deep.
    assert "nested too deeply" in error.message or f"nested more than {MAX_DEPTH} levels deep" in error.message


# --- values JSON cannot carry -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2024-01-01", "'2024-01-01' is read as a date, which JSON cannot carry"),
        ("2024-01-01T10:00:00Z", "'2024-01-01T10:00:00Z' is read as a date, which JSON cannot carry"),
        (".nan", "'.nan' is not a number JSON can carry"),
        (".NaN", "'.NaN' is not a number JSON can carry"),
        (".inf", "'.inf' is not a number JSON can carry"),
        ("-.inf", "'-.inf' is not a number JSON can carry"),
    ],
    ids=["date", "datetime", "nan", "NaN", "inf", "minus-inf"],
)
def test_values_json_cannot_carry_ask_to_be_quoted(
    write_spec: WriteSpec, where: Where, value: str, message: str
) -> None:
    text = f"""\
        service: users
        routes:
          - path: /a
            response:
              body:
                since: {value}
        """
    error = only_error(write_spec(text))
    assert error.message == message
    assert error.suggestion == f'quote it: "{value}"'
    assert error.path == "routes[0].response.body.since"
    assert (error.line, error.column) == where(text, value)


def test_quoted_dates_and_nan_are_strings(write_spec: WriteSpec) -> None:
    data = data_of(write_spec("service: users\nx-a: \"2024-01-01\"\nx-b: '.nan'\nx-c: 1.5e+3\n"))
    assert (data["x-a"], data["x-b"], data["x-c"]) == ("2024-01-01", ".nan", 1500.0)


# --- documents, empty files, syntax, encoding -------------------------------------------------------------------


def test_a_second_document_is_an_error_at_its_start(write_spec: WriteSpec, where: Where) -> None:
    text = """\
        service: users
        ---
        service: accounts
        """
    error = only_error(write_spec(text))
    assert error.line == where(text, "service: accounts")[0]
    assert error.message == "a spec file holds one document, found another"
    assert error.suggestion == "put each service in its own file"


def test_every_extra_document_is_reported(write_spec: WriteSpec) -> None:
    _, errors = load(write_spec("service: a\n---\nservice: b\n---\nservice: c\n"))
    assert [error.line for error in errors] == [3, 5]


def test_explicit_document_markers_around_one_document_are_fine(write_spec: WriteSpec) -> None:
    assert data_of(write_spec("---\nservice: users\n...\n")) == {"service": "users"}


@pytest.mark.parametrize("text", ["", "\n\n", "# just a comment\n"], ids=["empty", "blank-lines", "comment"])
def test_an_empty_file_is_an_error(write_spec: WriteSpec, spec_errors: SpecErrorsOf, text: str) -> None:
    errors = spec_errors(write_spec(text))
    assert [(e.file, e.line, e.column, e.message) for e in errors] == [(("spec.yaml"), 1, 1, "the file is empty")]
    assert errors[0].suggestion == "a spec needs at least `service:`"


@pytest.mark.parametrize(
    ("text", "line", "column", "message", "suggestion"),
    [
        (
            "service: users\nroutes: [/a, /b\n",
            3, 1, "the `[` list opened on line 2 is not closed", "close it with `]`, or quote the value",
        ),
        (
            "service: users\n  port: 8000\n",
            2, 7, "`port: 8000` is indented deeper than the keys above it allow", "indent it as the keys beside it",
        ),
        (
            "service: users\nroutes:\n  - path: /a\n - path: /b\n",
            4, 2, "`- path: /b` is indented to match none of the lines above it",
            "indent it exactly as the keys or `-` items it belongs with",
        ),
        (
            "service: users\nroutes:\n  - path: /a\n    response:\n      body: ok\n   status: 200\n",
            6, 4, "`status: 200` is indented to match none of the lines above it",
            "indent it exactly as the keys or `-` items it belongs with",
        ),
        (
            'service: "users\n',
            2, 1, "the quoted text that starts on line 1 is never closed", "close it with the quote it opens with",
        ),
        (
            "service: users\nx-note: Note: this\n",
            2, 13, "the value in `x-note: Note: this` holds ': ', which YAML reads as a key",
            'quote it: x-note: "Note: this"',
        ),
        (
            "service: users\nroutes:\n  - path /a\n    method: GET\n",
            4, 11, "`method: GET` follows a line that is not `key: value`",
            "add the ':' after the key in `- path /a`, or indent `method: GET` as the keys beside it",
        ),
        (
            'service: users\nx-a: "quoted" tail\n',
            2, 15, 'text follows a complete value in `x-a: "quoted" tail`', "quote the whole value",
        ),
        (
            "service: users\nx-a: *nope\n",
            2, 6, "an alias names no anchor defined before it, in `x-a: *nope`", "define `&name` before using `*name`",
        ),
        (
            "service: users\nx-a: @home\n",
            2, 6, "a value cannot start with '@' unquoted, in `x-a: @home`", "quote the value",
        ),
    ],
    ids=["unclosed-flow", "bad-indent", "dedented-item", "dedented-key", "unclosed-quote", "colon-in-value",
         "missing-colon", "text-after-quote", "undefined-alias", "reserved-character"],
)  # fmt: skip
def test_invalid_yaml_is_located_and_said_in_plain_words(
    write_spec: WriteSpec, spec_errors: SpecErrorsOf, text: str, line: int, column: int, message: str, suggestion: str
) -> None:
    errors = spec_errors(write_spec(text))
    assert len(errors) == 1
    error = errors[0]
    assert (error.line, error.column) == (line, column)
    assert error.message == f"invalid YAML: {message}"
    assert error.suggestion == suggestion


QUOTES_INSIDE = '"{{ \'a \\"b\\"\' }}"'  # both quotes inside: the double-quoted form, escaped


@pytest.mark.parametrize(
    ("text", "line", "column", "path", "message"),
    [
        (
            "service: users\nroutes:\n  - path: /a\n    response:\n      body:\n"
            "        seller: {{ faker.company() }}\n",
            6, 17, "routes[0].response.body.seller",
            'a value that starts with {{ must be quoted: seller: "{{ faker.company() }}"',
        ),
        (
            "service: users\nroutes:\n  - path: /a\n    response:\n      body:\n        - {{ faker.name() }}\n",
            6, 11, "routes[0].response.body[0]", 'a value that starts with {{ must be quoted: - "{{ faker.name() }}"',
        ),
        (
            "service: users\nroutes:\n  - path: /a\n    response: {body: {{ request.query.q }}}\n",
            4, 22, "routes[0].response.body",
            'a value that starts with {{ must be quoted: body: "{{ request.query.q }}"',
        ),
        (
            "service: users\nroutes:\n  - path: /a\n    response:\n      body: {{ faker.name() }} and more\n",
            5, 32, "", 'invalid YAML: a value that starts with {{ must be quoted: body: "{{ faker.name() }} and more"',
        ),
        (
            "service: users\nroutes:\n  - path: /a\n    response:\n      body: {{ 'a \"b\"' }}\n",
            5, 13, "routes[0].response.body", "a value that starts with {{ must be quoted: body: " + QUOTES_INSIDE,
        ),
    ],
    ids=["mapping-value", "list-item", "flow-mapping", "text-after", "quotes-inside"],
)  # fmt: skip
def test_an_unquoted_template_is_told_to_be_quoted(
    write_spec: WriteSpec, spec_errors: SpecErrorsOf, text: str, line: int, column: int, path: str, message: str
) -> None:
    (error,) = spec_errors(write_spec(text))
    assert (error.line, error.column, error.path, error.message) == (line, column, path, message)


def test_a_quoted_template_and_a_flow_mapping_of_mappings_are_not_mistaken(write_spec: WriteSpec) -> None:
    data = data_of(write_spec('service: users\nx-a: "{{ x }}"\nx-b: {c: {d: 1}}\n'))
    assert data["x-a"] == "{{ x }}"
    assert data["x-b"] == {"c": {"d": 1}}


def test_an_openapi_document_gets_no_template_hint(write_spec: WriteSpec) -> None:
    document, errors = load(write_spec("openapi: 3.0.0\nx-a: {{ b }}\n"))
    assert document is not None
    assert all("must be quoted" not in error.message for error in errors)


def test_non_utf8_bytes_are_an_error(tmp_path: Path, spec_errors: SpecErrorsOf) -> None:
    path = tmp_path / "latin1.yaml"
    raw = "service: café\n".encode("latin-1")
    path.write_bytes(raw)
    errors = spec_errors(path)
    assert len(errors) == 1
    assert errors[0].file == "latin1.yaml"
    assert errors[0].message == f"the file is not UTF-8 text (byte {raw.index(0xE9)})"


def test_control_characters_are_located_at_their_line(write_spec: WriteSpec) -> None:
    path = write_spec('service: users\nx-a: 1\nx-b: "a\x01b"\n')
    error = only_error(path)
    assert (error.line, error.column) == (3, len('x-b: "a') + 1)
    assert error.message == "invalid YAML: special characters are not allowed"


# --- merge keys -------------------------------------------------------------------------------------------------


def test_merge_keys_merge_and_explicit_keys_win(write_spec: WriteSpec) -> None:
    text = """\
        service: users
        x-base: &base
          status: 201
          headers: {x-kind: base}
          body: {ok: true}
        routes:
          - path: /a
            response:
              <<: *base
              status: 202
        """
    data = data_of(write_spec(text))
    assert data["routes"][0]["response"] == {"status": 202, "headers": {"x-kind": "base"}, "body": {"ok": True}}


def test_merge_of_a_list_prefers_the_first_mapping(write_spec: WriteSpec) -> None:
    text = """\
        service: users
        x-one: &one {a: 1, b: 1}
        x-two: &two {b: 2, c: 2}
        x-merged:
          <<: [*one, *two]
          c: 3
        """
    assert data_of(write_spec(text))["x-merged"] == {"a": 1, "b": 1, "c": 3}


def test_merging_a_scalar_is_an_error(write_spec: WriteSpec, where: Where) -> None:
    text = """\
        service: users
        x-merged:
          <<: 5
        """
    error = only_error(write_spec(text))
    assert error.message == "'<<' merges mappings only"
    assert (error.line, error.column) == where(text, "5")


# --- environment variables --------------------------------------------------------------------------------------


def test_plain_default_is_resolved_like_yaml_and_quoted_stays_a_string(write_spec: WriteSpec) -> None:
    text = """\
        service: users
        port: ${PORT:-8001}
        description: "${PORT:-8001}"
        x-flag: ${FLAG:-true}
        """
    data = data_of(write_spec(text))
    assert data["port"] == 8001
    assert isinstance(data["port"], int)
    assert data["description"] == "8001"
    assert data["x-flag"] is True


def test_set_variable_wins_over_the_default(write_spec: WriteSpec) -> None:
    path = write_spec("service: users\nport: ${PORT:-8001}\nx-url: http://${HOST}:${PORT}/v1\n")
    data = data_of(path, {"PORT": "9000", "HOST": "db"})
    assert data["port"] == 9000
    assert data["x-url"] == "http://db:9000/v1"


def test_substituted_text_is_never_parsed_as_yaml_structure(write_spec: WriteSpec) -> None:
    data = data_of(write_spec("service: users\nx-a: ${LIST}\n"), {"LIST": "[1, 2]"})
    assert data["x-a"] == "[1, 2]"


def test_substituted_date_is_still_refused(write_spec: WriteSpec) -> None:
    error = only_error(write_spec("service: users\nx-a: ${DAY}\n"), {"DAY": "2024-01-01"})
    assert error.line == 2
    assert "read as a date" in error.message


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("$$HOME", "$HOME"),
        ("$${HOME}", "${HOME}"),
        ("costs $$5", "costs $5"),
        ("$$$${X}", "$${X}"),
        ("'$${HOME}'", "${HOME}"),
    ],
    ids=["bare", "braced", "inside-text", "double", "quoted"],
)
def test_double_dollar_escapes(write_spec: WriteSpec, written: str, expected: str) -> None:
    data = data_of(write_spec(f"service: users\nx-a: {written}\n"), {"HOME": "/root", "X": "x"})
    assert data["x-a"] == expected


def test_missing_variable_without_default_is_located(write_spec: WriteSpec, where: Where) -> None:
    text = """\
        service: users
        routes:
          - path: /a
            response:
              headers:
                authorization: Bearer ${TOKEN}
        """
    error = only_error(write_spec(text))
    assert (error.line, error.column) == where(text, "Bearer")
    assert error.path == "routes[0].response.headers.authorization"
    assert error.message == "environment variable 'TOKEN' is not set"
    assert error.suggestion == "set it, or give a default: ${TOKEN:-value}"


def test_every_missing_variable_is_reported(write_spec: WriteSpec) -> None:
    _, errors = load(write_spec("service: users\nx-a: ${ONE}\nx-b: ${TWO}\n"))
    assert [(error.line, error.message) for error in errors] == [
        (2, "environment variable 'ONE' is not set"),
        (3, "environment variable 'TWO' is not set"),
    ]


def test_empty_default_is_allowed(write_spec: WriteSpec) -> None:
    assert data_of(write_spec('service: users\nx-a: "<${EMPTY:-}>"\n'))["x-a"] == "<>"


def test_process_environment_is_used_by_default(write_spec: WriteSpec, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOCKERY_TEST_PORT", "8123")
    document, errors = load_document(write_spec("service: users\nport: ${MOCKERY_TEST_PORT}\n"))
    assert errors == []
    assert document is not None
    assert document.data["port"] == 8123


# --- positions --------------------------------------------------------------------------------------------------

POSITIONS = """\
service: users
routes:
  - path: /users/{id}
    response:
      status: 201
      body:
        tags: [a, b]
"""


def test_positions_of_values_and_keys(write_spec: WriteSpec, where: Where) -> None:
    document, errors = load(write_spec(POSITIONS))
    assert errors == []
    assert document is not None
    assert document.display_name == "spec.yaml"
    assert document.position(("service",)) == Position(*where(POSITIONS, "users"))
    assert document.position(("routes", 0, "path")) == Position(*where(POSITIONS, "/users/{id}"))
    assert document.position(("routes", 0)) == Position(*where(POSITIONS, "path:"))
    assert document.position(("routes", 0, "response", "status")) == Position(*where(POSITIONS, "201"))
    assert document.position(("routes", 0, "response", "body", "tags", 1)) == Position(*where(POSITIONS, "b]"))
    key_line, key_column = where(POSITIONS, "status:")
    assert document.position(("routes", 0, "response", "status"), key=True) == Position(key_line, key_column)
    assert document.key_positions[("routes",)] == Position(*where(POSITIONS, "routes:"))


def test_position_of_an_unwritten_path_is_its_nearest_written_ancestor(write_spec: WriteSpec, where: Where) -> None:
    document, _ = load(write_spec(POSITIONS))
    assert document is not None
    status = Position(*where(POSITIONS, "201"))
    assert document.position(("routes", 0, "response", "status", "deeper")) == status
    assert document.position(("nothing", "here")) == Position(1, 1)


def test_template_lines_inside_a_block_map_to_file_lines(write_spec: WriteSpec, where: Where) -> None:
    text = """\
        service: users
        x-body: |
          first
          second
        x-inline: "one line"
        """
    document, _ = load(write_spec(text))
    assert document is not None
    assert document.template_line(("x-body",), 1).line == where(text, "first")[0]
    assert document.template_line(("x-body",), 2).line == where(text, "second")[0]
    assert document.template_line(("x-inline",), 1) == Position(*where(text, '"one line"'))


# --- OpenAPI documents: a third party's text, read as its format defines ---------------------------------------

OPENAPI_HEAD = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n"


def test_an_openapi_document_is_never_substituted(write_spec: WriteSpec) -> None:
    text = OPENAPI_HEAD + "x-a: ${HOME}\nx-b: $${X}\nx-c: '${UNSET}'\nx-d: ${UNSET:-fallback}\n"
    data = data_of(write_spec(text), {"HOME": "/root", "X": "x"})
    assert [data[key] for key in ("x-a", "x-b", "x-c", "x-d")] == ["${HOME}", "$${X}", "${UNSET}", "${UNSET:-fallback}"]


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2020-04-13T00:00:00", "2020-04-13T00:00:00"),
        ("2020-04-13T21:54:01.8865016", "2020-04-13T21:54:01.8865016"),
        ("2024-01-01", "2024-01-01"),
        ("yes", "yes"),
        ("no", "no"),
        ("on", "on"),
        ("Off", "Off"),
        ("1_000", "1_000"),
        ("1:20", "1:20"),
        ("=", "="),
        ("true", True),
        ("FALSE", False),
        ("~", None),
        ("Null", None),
        ("0777", 777),
        ("0o17", 15),
        ("0x1F", 31),
        ("-12", -12),
        ("1.5e+3", 1500.0),
        (".5", 0.5),
    ],
)
def test_an_openapi_document_reads_yaml_1_2_scalars(write_spec: WriteSpec, written: str, expected: Any) -> None:
    data = data_of(write_spec(OPENAPI_HEAD + f"x-value: {written}\n"))
    assert data["x-value"] == expected
    assert type(data["x-value"]) is type(expected)


def test_a_spec_keeps_its_own_rules_where_an_openapi_document_reads_yaml_1_2(write_spec: WriteSpec) -> None:
    assert data_of(write_spec("service: users\nx-a: yes\nx-b: 0o17\n")) == {
        "service": "users",
        "x-a": True,
        "x-b": "0o17",
    }
    error = only_error(write_spec("service: users\nopenapi: 3.0.3\nx-a: 2020-04-13T00:00:00\n"))
    assert "read as a date" in error.message


def test_an_openapi_document_still_refuses_tags_infinities_and_tagged_dates(write_spec: WriteSpec) -> None:
    _, errors = load(
        write_spec(OPENAPI_HEAD + "x-a: !!python/name:os.system\nx-b: .inf\nx-c: !!timestamp 2020-01-01\n")
    )
    assert [(error.line, error.message) for error in errors] == [
        (4, "tag '!!python/name:os.system' is not allowed"),
        (5, "'.inf' is not a number JSON can carry"),
        (6, "'2020-01-01' is read as a date, which JSON cannot carry"),
    ]


def test_a_merge_at_the_top_cannot_make_a_spec_read_as_an_openapi_document(write_spec: WriteSpec) -> None:
    text = "x-base: &base {service: users}\n<<: *base\nopenapi: 3.0.3\nx-a: ${HOME}\n"
    data = data_of(write_spec(text), {"HOME": "/root"})
    assert (data["service"], data["x-a"]) == ("users", "/root")
    text = "x-base: &base {openapi: 3.0.3}\n<<: *base\nx-a: ${HOME}\nx-b: 2020-04-13\n"
    data = data_of(write_spec(text), {"HOME": "/root"})
    assert (data["x-a"], data["x-b"]) == ("${HOME}", "2020-04-13")


@pytest.mark.parametrize("rules", ["spec", "openapi"])
def test_a_number_with_too_many_digits_is_a_located_error(write_spec: WriteSpec, rules: str) -> None:
    head = "service: users\n" if rules == "spec" else OPENAPI_HEAD
    error = only_error(write_spec(head + "x-a: " + "9" * 5000 + "\n"))
    assert error.line == head.count("\n") + 1
    assert error.message == f"the number '{'9' * 20}...' has too many digits"


def test_an_explicit_tag_is_kept_after_substitution(write_spec: WriteSpec) -> None:
    assert data_of(write_spec("service: users\nx-a: !!str ${PORT}\n"), {"PORT": "8001"})["x-a"] == "8001"


@pytest.mark.parametrize(
    "text",
    ["${HOME}", "$${X}", "$$", "$", "a$b", "${", "$$$", "costs $5", "${X:-y}", "$$$${X}", "{{ 7*7 }} ${X}"],
)
def test_escaped_text_loads_as_written(write_spec: WriteSpec, text: str) -> None:
    escaped = escape_variables(text)
    data = data_of(write_spec(yaml.safe_dump({"service": "users", "x-a": escaped})), {"HOME": "/root", "X": "x"})
    assert data["x-a"] == text
