"""mockery import graphql: a starter spec that validates, serves, and binds what mutations create."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from mockery import MockServer
from mockery.cli import cli
from mockery.load.loader import load_specs
from tests.graphql.support import CORPUS, GITHUB, SKIP_REASON, ask

SHOP = """\
type Order { id: ID! status: Status! total: Float email: String }
enum Status { NEW PAID }
input OrderInput { status: Status total: Float email: String }
type Query { orders: [Order!]! order(id: ID!): Order }
type Mutation { createOrder(input: OrderInput!): Order }
"""


def test_the_starter_spec_serves_and_binds_created_types(tmp_path: Path) -> None:
    schema = tmp_path / "elsewhere" / "Shop API.graphql"
    schema.parent.mkdir()
    schema.write_text(SHOP, encoding="utf-8")
    result = CliRunner().invoke(cli, ["import", "graphql", str(schema), "-o", str(tmp_path / "specs")])
    assert result.exit_code == 0, result.output
    assert result.output == f"wrote {tmp_path / 'specs' / 'shop-api.yaml'}\n"
    assert (tmp_path / "specs" / "Shop API.graphql").read_text(encoding="utf-8") == SHOP  # copied beside it
    with MockServer(tmp_path / "specs") as server:
        created = ask(server.url + "/graphql", "mutation { createOrder(input: {status: PAID, total: 9.5}) { id } }")
        new_id = created["data"]["createOrder"]["id"]
        assert httpx.get(f"{server.url}/orders/{new_id}").json()["status"] == "PAID"
        listed = httpx.get(server.url + "/orders").json()
        assert {order["status"] for order in listed} <= {"NEW", "PAID"}
        assert all("@" in order["email"] for order in listed[:20])  # the generated ones


def test_a_schema_with_mistakes_is_refused_with_their_places(tmp_path: Path) -> None:
    schema = tmp_path / "broken.graphql"
    schema.write_text("type Query {\n  me: Nobody\n}\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["import", "graphql", str(schema), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "broken.graphql:2:7: Unknown type 'Nobody'.; fix the SDL schema" in result.output
    assert not (tmp_path / "out").exists()


def test_another_schema_of_the_same_name_is_not_overwritten(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "api.graphql").write_text("type Query { mine: Int }\n", encoding="utf-8")
    (tmp_path / "api.graphql").write_text("type Query { theirs: Int }\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["import", "graphql", str(tmp_path / "api.graphql"), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "exists and holds another schema; import into another folder (-o)" in result.output
    assert (tmp_path / "out" / "api.graphql").read_text(encoding="utf-8") == "type Query { mine: Int }\n"


@pytest.mark.skipif(not CORPUS.is_dir(), reason=SKIP_REASON)
def test_githubs_schema_imports_into_a_valid_spec(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["import", "graphql", str(CORPUS / GITHUB), "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    [service] = load_specs([tmp_path]).services
    bound = [route for route in service.routes if route.path == "/graphql"]
    assert len(bound) == 1
    assert len(service.resources) > 5  # the types GitHub's mutations create
