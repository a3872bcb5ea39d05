"""`serve`, `validate` and `import openapi` load a document with one loader: the same verdict, the same
errors and the same warnings, on every document of both corpus folders and on documents they must refuse."""

from __future__ import annotations

import logging
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from mockery import MockServer, SpecErrors
from mockery.cli import cli
from mockery.errors import display_path
from mockery.server.options import ServerOptions, build_server
from tests.openapi.support import LITERAL, LITERAL_BODY

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
CORPUS = sorted(
    p
    for folder in ("openapi", "swagger2")
    for p in (SHARED / folder).glob("*")
    if p.suffix in (".yaml", ".yml", ".json")
)

BROKEN = """\
swagger: "2.0"
info: {title: Broken, version: "1"}
paths:
  /things:
    get:
      parameters:
        - {name: ids, in: query, type: array, collectionFormat: tsv, items: {type: string}}
      responses:
        200: {description: ok, schema: {$ref: "#/definitions/Nothing"}}
"""

Verdict = tuple[str, frozenset[str]]


def _warnings(caplog: pytest.LogCaptureFixture) -> frozenset[str]:
    found = frozenset(
        r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING and r.name.startswith("mockery")
    )
    caplog.clear()
    return found


def _served(path: Path, caplog: pytest.LogCaptureFixture) -> Verdict:
    try:
        build_server(ServerOptions(paths=(path,)))
        outcome = "ok"
    except SpecErrors as errors:
        outcome = "\n".join(str(error) for error in errors.errors)
    return outcome, _warnings(caplog)


def _cli(arguments: list[str], caplog: pytest.LogCaptureFixture) -> Verdict:
    result = CliRunner().invoke(cli, arguments)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    if result.exit_code == 0:
        return "ok", _warnings(caplog)
    errors = [line for line in result.output.splitlines() if line.startswith(("/", "."))]
    return "\n".join(errors), _warnings(caplog)


def _agree(path: Path, output: Path, caplog: pytest.LogCaptureFixture) -> Verdict:
    caplog.set_level(logging.WARNING)
    caplog.clear()
    served = _served(path, caplog)
    validated = _cli(["validate", str(path)], caplog)
    imported = _cli(["import", "openapi", str(path), "-o", str(output)], caplog)
    assert validated == served
    assert imported == served
    return served


@pytest.mark.skipif(not CORPUS, reason=f"the corpus is not at {SHARED}")
@pytest.mark.parametrize("path", CORPUS, ids=lambda p: f"{p.parent.name}-{p.stem[:40]}")
@pytest.mark.slow
def test_serve_validate_and_import_agree_on_every_corpus_document(
    path: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    outcome, warnings = _agree(path, tmp_path, caplog)
    assert outcome == "ok"  # every corpus document is one a mock can serve
    for warning in warnings:
        # Each warning is located: file:line:column, then what and where.
        assert warning.startswith(display_path(path.resolve()) + ":"), warning


def test_they_agree_on_a_document_they_must_refuse(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(BROKEN)
    outcome, warnings = _agree(path, tmp_path / "specs", caplog)
    assert "broken.yaml:9:47: paths./things.get.responses.200.schema.$ref" in outcome
    assert "'#/definitions/Nothing' points to nothing" in outcome
    assert not (tmp_path / "specs").exists()
    (warning,) = warnings
    assert "broken.yaml:7:65: paths./things.get.parameters[0].collectionFormat" in warning


SWAGGER_LITERAL = """\
swagger: "2.0"
info: {title: Literal, version: "1"}
x-mockery-service: literal
paths:
  /things:
    get:
      produces: [application/json]
      responses:
        200:
          description: one thing
          schema:
            type: object
            properties:
              startDate: {type: string}
              flag: {type: string}
          examples:
            application/json:
              home: "${HOME}"
              token: ${SECRET_TOKEN}
              escaped: $${X}
              template: "{{ 7*7 }}"
              block: "{% if true %}x{% endif %}"
              startDate: 2020-04-13T00:00:00
              stamp: 2020-04-13T21:54:01.8865016
              flag: yes
"""


@pytest.mark.parametrize("text", [LITERAL, SWAGGER_LITERAL], ids=["openapi-3", "swagger-2"])
def test_they_read_a_documents_yaml_by_its_own_rules(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    # Unquoted timestamps and yes, ${VAR} with no such variable, and $$: YAML 1.2 strings, never substituted.
    monkeypatch.delenv("SECRET_TOKEN", raising=False)
    path = tmp_path / "literal.yaml"
    path.write_text(text)
    outcome, warnings = _agree(path, tmp_path / "specs", caplog)
    assert outcome == "ok"
    assert not warnings
    with MockServer(path) as server:
        served = httpx.get(server.url_for("literal") + "/things").json()
    with MockServer(tmp_path / "specs" / "literal.yaml") as server:
        imported = httpx.get(server.url_for("literal") + "/things").json()
    with MockServer(inline=text) as server:  # a document given as text from Python
        inline = httpx.get(server.url_for("literal") + "/things").json()
    assert served == imported == inline == LITERAL_BODY
