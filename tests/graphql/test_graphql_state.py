"""Types bound to resources: GraphQL and REST read and write one store, in memory and in SQLite."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from mockery import MockServer
from mockery.store import Store
from tests.graphql.support import ask

Serve = Callable[..., MockServer]

SHOP = """\
service: shop
resources:
  orders:
    count: 5
    fields:
      status: {choice: [new, paid, shipped]}
      total: "{{ random.randint(1, 500) }}"
graphql:
  sdl: |
    type Order { id: ID! status: String total: Int note: String }
    type OrderEdge { cursor: String! node: Order! }
    type PageInfo { hasNextPage: Boolean! hasPreviousPage: Boolean! endCursor: String startCursor: String }
    type OrderConnection { edges: [OrderEdge!]! pageInfo: PageInfo! totalCount: Int! nodes: [Order!]! }
    input OrderInput { status: String total: Int }
    type CreateOrderPayload { order: Order clientMutationId: String }
    type Query {
      order(id: ID!): Order
      orders(first: Int): [Order!]!
      orderConnection(first: Int, after: String): OrderConnection!
    }
    type Mutation {
      createOrder(input: OrderInput!): CreateOrderPayload
      updateOrder(id: ID!, input: OrderInput!): Order
      deleteOrder(id: ID!): Boolean
      addOrder(status: String, total: Float): Order
    }
  types:
    Order: {resource: orders}
"""


@pytest.fixture
def shop(store: Store | str, write_spec: Callable[..., Path], serve: Serve) -> MockServer:
    """The shop on each store: memory, SQLite, Redis (tests/graphql/conftest.py)."""
    return serve(write_spec(SHOP), store=store)


def test_queries_read_the_records_rest_serves(shop: MockServer) -> None:
    url = shop.url + "/graphql"
    rest = httpx.get(shop.url + "/orders").json()
    listed = ask(url, "{ orders(first: 10) { id status total } }")["data"]["orders"]
    assert [(int(o["id"]), o["status"], o["total"]) for o in listed] == [
        (o["id"], o["status"], o["total"]) for o in rest
    ]
    one = ask(url, '{ order(id: "3") { id status note } }')["data"]["order"]
    assert one["status"] == rest[2]["status"]
    assert isinstance(one["note"], str)
    assert ask(url, '{ order(id: "99") { id } }')["data"]["order"] is None


def test_a_connection_pages_through_the_collection(shop: MockServer) -> None:
    url = shop.url + "/graphql"
    query = """query($after: String) {
      orderConnection(first: 2, after: $after) { totalCount nodes { id } pageInfo { hasNextPage endCursor } }
    }"""
    ids, after = [], None
    while True:
        page = ask(url, query, {"after": after})["data"]["orderConnection"]
        assert page["totalCount"] == 5
        ids += [node["id"] for node in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert ids == ["1", "2", "3", "4", "5"]


def test_a_graphql_write_is_read_through_rest_and_the_other_way_round(shop: MockServer) -> None:
    url = shop.url + "/graphql"
    created = ask(url, 'mutation { createOrder(input: {status: "paid", total: 42}) { order { id status total } } }')
    order = created["data"]["createOrder"]["order"]
    assert order == {"id": "6", "status": "paid", "total": 42}
    assert httpx.get(shop.url + "/orders/6").json() == {"id": 6, "status": "paid", "total": 42}
    updated = ask(url, 'mutation { updateOrder(id: "6", input: {status: "shipped"}) { status total } }')
    assert updated["data"]["updateOrder"] == {"status": "shipped", "total": 42}
    assert httpx.get(shop.url + "/orders/6").json()["status"] == "shipped"
    # REST writes, GraphQL reads.
    httpx.patch(shop.url + "/orders/2", json={"status": "new", "total": 7}).raise_for_status()
    assert ask(url, '{ order(id: "2") { status total } }')["data"]["order"] == {"status": "new", "total": 7}
    assert ask(url, 'mutation { deleteOrder(id: "2") }')["data"]["deleteOrder"] is True
    assert httpx.get(shop.url + "/orders/2").status_code == 404
    assert ask(url, '{ order(id: "2") { id } }')["data"]["order"] is None


def test_writes_the_fields_refuse_are_errors_of_the_mutation(shop: MockServer) -> None:
    url = shop.url + "/graphql"
    refused = ask(url, 'mutation { addOrder(status: "new", total: 3.5) { id } }')
    assert refused["data"]["addOrder"] is None
    error = refused["errors"][0]
    assert error["path"] == ["addOrder"]
    assert error["message"] == "the Order is not valid: /total: 3.5 is not of type 'integer'"
    assert error["extensions"]["violations"] == [{"pointer": "/total", "detail": "3.5 is not of type 'integer'"}]
    added = ask(url, 'mutation { addOrder(status: "new", total: 3) { id status } }')  # the arguments are the record
    assert added["data"]["addOrder"] == {"id": "6", "status": "new"}
    missing = ask(url, 'mutation { deleteOrder(id: "77") }')
    assert missing["errors"][0]["message"] == "Order '77' does not exist"
    assert [order["id"] for order in httpx.get(shop.url + "/orders").json()] == [1, 2, 3, 4, 5, 6]


def test_sqlite_keeps_graphql_writes_over_a_restart(write_spec: Callable[..., Path], tmp_path: Path) -> None:
    spec, store = write_spec(SHOP), f"sqlite:///{tmp_path}/kept.db"
    with MockServer(spec, store=store) as server:
        ask(server.url + "/graphql", 'mutation { updateOrder(id: "1", input: {status: "shipped", total: 1}) { id } }')
    with MockServer(spec, store=store) as server:
        assert ask(server.url + "/graphql", '{ order(id: "1") { status total } }')["data"]["order"] == {
            "status": "shipped",
            "total": 1,
        }


FILTERED = SHOP.replace(
    "      orders(first: Int): [Order!]!",
    "      orders(first: Int, status: String, filter: OrderFilter): [Order!]!",
).replace("    input OrderInput {", "    input OrderFilter { status: String }\n    input OrderInput {")


def test_arguments_named_after_fields_filter_as_rest_does(write_spec: Callable[..., Path], serve: Serve) -> None:
    server = serve(write_spec(FILTERED))
    url = server.url + "/graphql"
    for status in ("new", "paid", "shipped"):
        rest = [order["id"] for order in httpx.get(server.url + "/orders", params={"status": status}).json()]
        by_argument = ask(url, "query($s: String) { orders(status: $s) { id status } }", {"s": status})
        by_input = ask(url, "query($s: String) { orders(filter: {status: $s}, first: 50) { id } }", {"s": status})
        first = [int(order["id"]) for order in by_argument["data"]["orders"]]  # 1 to 3 of them, no `first`
        assert first == rest[: len(first)]
        assert len(first) == min(len(rest), len(first))
        assert first or not rest
        assert [int(order["id"]) for order in by_input["data"]["orders"]] == rest
