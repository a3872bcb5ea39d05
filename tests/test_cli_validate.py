"""The `mockery validate`, `schema` and `routes` commands: every mistake printed, never a traceback."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from mockery.cli import cli
from mockery.load.schema import spec_schema

BROKEN = """\
service: users
description: The users service
port: 8001
routes:
  - name: list users
    path: /users
    method: get
    response:
      status: abc
  - path: /users/{id}
    respnse: {}
"""

VALID = """\
service: users
port: 8101
routes:
  - path: /users
  - path: /users/{id:int}
    method: [GET, DELETE]
"""


@pytest.fixture(autouse=True)
def _in_tmp_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def column_of(text: str, line: int, needle: str) -> int:
    return text.splitlines()[line - 1].index(needle) + 1


def test_validate_prints_every_error_and_exits_1(tmp_path: Path) -> None:
    write(tmp_path, "users.yaml", BROKEN)
    result = CliRunner().invoke(cli, ["validate", "users.yaml"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert f"users.yaml:9:{column_of(BROKEN, 9, 'abc')}: routes[0].response.status: expected an integer" in (
        result.output
    )
    assert any(line.startswith(f"users.yaml:7:{column_of(BROKEN, 7, 'get')}: routes[0].method:") for line in lines)
    assert any(line.startswith("users.yaml:11:5: routes[1].respnse: unknown key 'respnse'") for line in lines)
    assert lines[-1] == "3 errors found"
    assert "Traceback" not in result.output


def test_validate_reports_errors_of_several_files(tmp_path: Path) -> None:
    write(tmp_path, "specs/a.yaml", "service: a\nport: high\n")
    write(tmp_path, "specs/b.yaml", "service: b\nlocale: en_us\n")
    result = CliRunner().invoke(cli, ["validate", "specs"])
    assert result.exit_code == 1
    assert "specs/a.yaml:2:7: port: expected an integer, got 'high'" in result.output
    assert "specs/b.yaml:2:9: locale: unknown Faker locale 'en_us'; did you mean 'en_US'?" in result.output
    assert result.output.splitlines()[-1] == "2 errors found"


def test_validate_ok(tmp_path: Path) -> None:
    write(tmp_path, "specs/users.yaml", VALID)
    write(tmp_path, "specs/more/orders.yml", "service: orders\nroutes:\n  - path: /orders\n")
    result = CliRunner().invoke(cli, ["validate", "specs"])
    assert result.exit_code == 0, result.output
    assert result.output == "2 services, 3 routes: OK\n"


@pytest.mark.parametrize(
    ("files", "argument", "message"),
    [
        ({}, "missing.yaml", "missing.yaml:1:1: no such file or folder"),
        ({"empty.yaml": ""}, "empty.yaml", "empty.yaml:1:1: the file is empty"),
        ({"bad.yaml": "service: [\n"}, "bad.yaml", "bad.yaml:2:1: invalid YAML"),
        ({"tabs.yaml": "service: a\nroutes:\n\t- path: /\n"}, "tabs.yaml", "tabs.yaml:3:1: a tab is used"),
        ({"bomb.yaml": "service: a\nx-a: !!python/object/apply:os.getcwd []\n"}, "bomb.yaml", "is not allowed"),
    ],
    ids=["missing", "empty", "syntax", "tab", "python-tag"],
)
def test_user_mistakes_never_show_a_traceback(
    tmp_path: Path, files: dict[str, str], argument: str, message: str
) -> None:
    for name, text in files.items():
        write(tmp_path, name, text)
    result = CliRunner().invoke(cli, ["validate", argument])
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)


def test_schema_prints_the_schema_as_json() -> None:
    result = CliRunner().invoke(cli, ["schema"])
    assert result.exit_code == 0
    assert json.loads(result.output) == spec_schema()


def test_routes_prints_a_table(tmp_path: Path) -> None:
    write(tmp_path, "users.yaml", VALID)
    write(tmp_path, "orders.yaml", "service: orders\nbase_path: /v1\nroutes:\n  - path: /orders\n    method: POST\n")
    result = CliRunner().invoke(cli, ["routes", "users.yaml", "orders.yaml", "--port", "8123"])
    assert result.exit_code == 0, result.output
    rows = [line.split()[:4] for line in result.output.splitlines()]
    assert rows[0] == ["SERVICE", "LISTENER", "METHOD", "PATH"]
    assert sorted(rows[1:]) == sorted(
        [
            ["orders", "127.0.0.1:8123", "POST", "/v1/orders"],
            ["users", "127.0.0.1:8101", "GET", "/users"],
            ["users", "127.0.0.1:8101", "GET", "/users/{id:int}"],
            ["users", "127.0.0.1:8101", "DELETE", "/users/{id:int}"],
        ]
    )


def test_routes_with_a_broken_spec_prints_the_errors(tmp_path: Path) -> None:
    write(tmp_path, "users.yaml", BROKEN)
    result = CliRunner().invoke(cli, ["routes", "users.yaml"])
    assert result.exit_code == 1
    assert "users.yaml:9:" in result.output
    assert "Traceback" not in result.output


HEAD_AND_GET = """\
service: pages
routes:
  - path: /pages/{id:int}
    response: {body: {id: 1}}
  - path: /pages/{page:int}
    method: HEAD
    response: {status: 204}
  - path: /other
    response: {body: {}}
  - path: /other
    method: HEAD
    priority: 1
    response: {status: 204}
"""


def test_a_head_route_beside_a_get_route_is_a_located_conflict_unless_it_overrides(tmp_path: Path) -> None:
    write(tmp_path, "pages.yaml", HEAD_AND_GET)
    result = CliRunner().invoke(cli, ["validate", "pages.yaml"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith("pages.yaml:5:5: routes[1]: HEAD /pages/{page:int} is already answered by the GET route")
    assert "pages.yaml:3:5 (GET /pages/{id:int}), which answers HEAD too" in lines[0]
    assert "give the HEAD route a higher priority" in lines[0]
    assert lines[-1] == "1 error found"  # the /other pair overrides by priority: no error


@pytest.mark.parametrize(
    ("value", "expected"),
    [("!!str ${SEED}", "seed: expected an integer, got '7'"), ("${SEED}", None)],
    ids=["explicit-str-tag-kept", "untagged-typed-as-yaml"],
)
def test_an_explicit_tag_is_honoured_after_substitution(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str, expected: str | None
) -> None:
    monkeypatch.setenv("SEED", "7")
    write(tmp_path, "seeded.yaml", f"service: seeded\nseed: {value}\nroutes:\n  - path: /x\n")
    result = CliRunner().invoke(cli, ["validate", "seeded.yaml"])
    if expected is None:
        assert result.exit_code == 0, result.output
    else:
        assert result.exit_code == 1
        assert f"seeded.yaml:2:7: {expected}" in result.output, result.output
