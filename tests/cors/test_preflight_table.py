"""RouteTable.methods_at: what an automatic preflight is answered from (the methods of the path's routes, and
the route whose service's policy applies), found with the same lookup as a match."""

from __future__ import annotations

from mockery import load_specs
from mockery.app.matching import RouteTable

ONE = {
    "service": "one",
    "routes": [
        {"path": "/items", "method": ["GET", "POST"]},
        {"path": "/items/{id:int}", "method": "DELETE"},
        {"path": "/files/{rest:path}", "method": "PUT"},
    ],
}
TWO = {"service": "two", "routes": [{"path": "/items", "method": "PATCH"}]}


def table() -> RouteTable:
    return RouteTable.build(load_specs([], inline=[ONE, TWO]).services)


def test_the_methods_of_every_route_of_the_path_head_with_get() -> None:
    methods, entry = table().methods_at("/items", "POST")
    assert methods == {"GET", "HEAD", "POST", "PATCH"}
    assert entry is not None
    assert entry.service.name == "one"


def test_the_route_for_the_asked_method_names_the_service() -> None:
    _, entry = table().methods_at("/items", "PATCH")
    assert entry is not None
    assert entry.service.name == "two"


def test_an_asked_method_no_route_has_falls_back_to_the_best_route_of_the_path() -> None:
    methods, entry = table().methods_at("/items", "DELETE")
    assert "DELETE" not in methods
    assert entry is not None
    assert entry.service.name == "one"


def test_path_parameters_are_matched_with_their_types() -> None:
    assert table().methods_at("/items/7", "DELETE")[0] == {"DELETE"}
    assert table().methods_at("/items/seven", "DELETE") == (frozenset(), None)
    assert table().methods_at("/files/a/b/c.txt", "PUT")[0] == {"PUT"}


def test_a_path_no_route_has_gives_nothing() -> None:
    assert table().methods_at("/nothing", "GET") == (frozenset(), None)
