"""Answering leaves no reference cycles behind: every cycle is work for the garbage collector, whose passes
pause every answer in flight (a cycle per request once made the p99 of templated answers several times their
median)."""

from __future__ import annotations

import gc
from collections.abc import Callable
from pathlib import Path

import httpx

from mockery import MockServer

SPEC = """\
service: cycles
routes:
  - path: /static
    response: {body: {ok: true}}
  - path: /users/{id:int}
    response:
      body: {id: "{{ request.path_params.id }}", name: "{{ faker.name() }}", email: "{{ faker.email() }}"}
resources:
  people:
    count: 50
    fields: {name: name, age: {faker: pyint, min_value: 18, max_value: 90}}
graphql:
  sdl: |
    type User { id: ID! name: String }
    type Query { user(id: ID!): User }
"""

OURS = ("mockery", "uvicorn", "starlette", "graphql", "httptools", "h11")


def test_answers_of_every_kind_leave_no_reference_cycles(
    write_spec: Callable[..., Path], serve: Callable[..., MockServer]
) -> None:
    server = serve(write_spec(SPEC))
    query = {"query": "{ user(id: 7) { id name } }"}

    def ask_everything(client: httpx.Client) -> list[int]:
        statuses = [
            client.get("/static").status_code,
            client.get("/static?x=1").status_code,
            client.get("/users/42").status_code,
            client.get("/people?_sort=-age&_limit=5").status_code,
            client.get("/people/3").status_code,
            client.post("/people", json={"name": "Ada", "age": 36}).status_code,
            client.get("/nowhere").status_code,
            client.post("/graphql", json=query).status_code,
        ]
        created = client.get("/people?_sort=-id&_limit=1").json()[0]["id"]
        statuses.append(client.delete(f"/people/{created}").status_code)
        return statuses

    with httpx.Client(base_url=server.url) as client:
        ask_everything(client)  # first answers may build what is kept (a parsed query, a page)
        gc.collect()
        gc.set_debug(gc.DEBUG_SAVEALL)
        try:
            statuses = [ask_everything(client) for _ in range(20)]
            gc.collect()
            left = [item for item in gc.garbage if type(item).__module__.startswith(OURS)]
        finally:
            gc.set_debug(0)
            gc.garbage.clear()
            gc.collect()
    assert statuses == [[200, 200, 200, 200, 200, 201, 404, 200, 204]] * 20
    assert left == [], sorted({type(item).__qualname__ for item in left})
