"""`mockery init`: a starter spec that validates and serves as written, never written over a user's file;
`--from-openapi` through the importer; `mockery version` and `-V`."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import faker
import httpx
import pytest
from click.testing import CliRunner

from mockery import __version__
from mockery.cli import cli
from mockery.load.loader import load_specs
from mockery.load.schema import spec_schema
from mockery.scaffold import MODELINE_PREFIX

ROOT = Path(__file__).resolve().parent.parent
PETSTORE = """\
openapi: 3.0.3
info: {title: Pet Store, version: "1"}
paths:
  /pets/{petId}:
    get:
      operationId: getPet
      parameters:
        - {name: petId, in: path, required: true, schema: {type: integer}}
      responses:
        "200":
          description: a pet
          content:
            application/json:
              schema:
                type: object
                properties: {id: {type: integer}, name: {type: string}}
"""


def run(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args))


def test_init_writes_a_spec_and_the_schema_it_points_at(tmp_path: Path) -> None:
    result = run("init", str(tmp_path))
    assert result.exit_code == 0, result.output
    spec, schema = tmp_path / "specs" / "hello.yaml", tmp_path / "mockery.schema.json"
    assert result.output.splitlines() == [
        f"wrote {spec}",
        f"wrote {schema}",
        f"next: mockery validate {spec.parent}/ && mockery serve {spec.parent}/",
    ]
    first = spec.read_text(encoding="utf-8").splitlines()[0]
    assert first == f"{MODELINE_PREFIX}../mockery.schema.json"
    assert (spec.parent / first.removeprefix(MODELINE_PREFIX)).resolve() == schema.resolve()
    assert json.loads(schema.read_text(encoding="utf-8")) == spec_schema()


def test_the_starter_validates_and_holds_a_template_route_a_resource_and_a_scenario(tmp_path: Path) -> None:
    run("init", str(tmp_path))
    validated = run("validate", str(tmp_path / "specs"))
    assert validated.exit_code == 0, validated.output
    assert validated.output == "1 service, 10 routes: OK\n"
    service = load_specs([tmp_path / "specs"], environ={}).service("hello")
    assert [resource.name for resource in service.resources] == ["users"]
    assert any(route.scenario is not None for route in service.routes)
    assert any(route.origin == "spec" and route.uses_request for route in service.routes)


def test_the_starter_serves(tmp_path: Path, serve: Callable[..., Any]) -> None:
    run("init", str(tmp_path), "--service", "shop")
    server = serve(tmp_path / "specs", environ={})
    with httpx.Client(base_url=server.url, timeout=10) as client:
        greeting = client.get("/hello/ada").json()
        assert greeting["greeting"] == "Hello, ada!"
        assert 1 <= greeting["lucky_number"] <= 99
        assert client.get("/order").json() == {"status": "pending"}
        assert client.post("/order/pay").status_code == 202
        assert client.get("/order").json() == {"status": "paid"}
        users = client.get("/users", params={"role": "admin"})
        assert users.status_code == 200
        assert all(user["role"] == "admin" for user in users.json())
        assert client.get("/users/20").status_code == 200


def test_init_never_writes_over_an_edited_file(tmp_path: Path) -> None:
    run("init", str(tmp_path))
    spec = tmp_path / "specs" / "hello.yaml"
    spec.write_text(spec.read_text(encoding="utf-8") + "# mine\n", encoding="utf-8")
    refused = run("init", str(tmp_path))
    assert refused.exit_code == 1
    assert refused.output == (f"not overwriting {spec}: edit it, or run `mockery init --force` to write it again\n")
    assert spec.read_text(encoding="utf-8").endswith("# mine\n")
    forced = run("init", str(tmp_path), "--force")
    assert forced.exit_code == 0, forced.output
    assert not spec.read_text(encoding="utf-8").endswith("# mine\n")


def test_init_again_over_its_own_untouched_files_is_harmless(tmp_path: Path) -> None:
    assert run("init", str(tmp_path)).exit_code == 0
    assert run("init", str(tmp_path)).exit_code == 0


@pytest.mark.parametrize("name", ["Shop", "9shop", "shop_1", ""], ids=["upper", "digit-first", "underscore", "empty"])
def test_a_bad_service_name_is_refused_before_anything_is_written(name: str, tmp_path: Path) -> None:
    result = run("init", str(tmp_path), "--service", name)
    assert result.exit_code == 1
    assert f"--service {name!r}: a service name is lower-case letters" in result.output
    assert list(tmp_path.iterdir()) == []


def test_init_from_openapi_imports_the_document(tmp_path: Path, serve: Callable[..., Any]) -> None:
    document = tmp_path / "petstore.yaml"
    document.write_text(PETSTORE, encoding="utf-8")
    project = tmp_path / "project"
    result = run("init", str(project), "--from-openapi", str(document))
    assert result.exit_code == 0, result.output
    [spec] = (project / "specs").glob("*.yaml")
    assert result.output.splitlines()[0] == f"wrote {spec}"
    assert spec.read_text(encoding="utf-8").startswith(f"{MODELINE_PREFIX}../mockery.schema.json\n")
    assert (project / "mockery.schema.json").exists()
    assert run("validate", str(project / "specs")).exit_code == 0
    server = serve(project / "specs", environ={})
    assert httpx.get(f"{server.url}/pets/3", timeout=10).status_code == 200
    # Importing again gives the same file: nothing of the user's is lost, so it is not refused.
    assert run("init", str(project), "--from-openapi", str(document)).exit_code == 0
    assert list((project / "specs").glob("*.yaml")) == [spec]


def test_init_from_openapi_refuses_to_write_over_an_edited_import(tmp_path: Path) -> None:
    document = tmp_path / "petstore.yaml"
    document.write_text(PETSTORE, encoding="utf-8")
    run("init", str(tmp_path / "p"), "--from-openapi", str(document))
    [spec] = (tmp_path / "p" / "specs").glob("*.yaml")
    spec.write_text(spec.read_text(encoding="utf-8") + "# mine\n", encoding="utf-8")
    result = run("init", str(tmp_path / "p"), "--from-openapi", str(document))
    assert result.exit_code == 1
    assert f"not overwriting {spec}" in result.output
    assert spec.read_text(encoding="utf-8").endswith("# mine\n")


def test_init_from_a_missing_document_is_a_usage_error(tmp_path: Path) -> None:
    result = run("init", str(tmp_path), "--from-openapi", str(tmp_path / "nope.yaml"))
    assert result.exit_code == 2
    assert "does not exist" in result.output


@pytest.mark.parametrize("args", [["version"], ["--version"], ["-V"]])
def test_the_version_three_ways(args: list[str]) -> None:
    result = run(*args)
    assert result.exit_code == 0
    assert result.output == f"mockery, version {__version__} (Faker {faker.VERSION})\n"
