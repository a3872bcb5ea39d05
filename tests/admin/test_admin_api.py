"""The admin API over real HTTP, on a loopback listener without a token (as `MockServer` runs it)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import faker
import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from mockery import MockServer

SPEC = """\
service: users
base_path: /api
routes:
  - name: get user
    path: /users/{id:int}
    response: {body: {id: "{{ request.path_params.id }}", name: "{{ faker.name() }}"}}
  - method: POST
    path: /users
    response: {status: 201, body: {created: true}}
"""

Serve = Callable[..., MockServer]


@pytest.fixture
def mock(serve: Serve, write_spec: Callable[..., Path]) -> MockServer:
    return serve(write_spec(SPEC, "users.yaml"))


def admin(mock: MockServer, path: str) -> str:
    return f"{mock.url}/__mockery/{path}"


def test_health_and_ready_answer(mock: MockServer) -> None:
    health = httpx.get(admin(mock, "health"))
    assert health.status_code == 200
    body = health.json()
    assert body["status"] == "ok"
    assert body["services"] == ["users"]
    assert body["last_reload_error"] is None
    assert body["reload"]["generation"] == 1
    assert body["faker"] == faker.VERSION  # the values generated depend on Faker's release
    assert httpx.get(admin(mock, "ready")).json() == {"ready": True}
    report = httpx.get(admin(mock, "reload")).json()
    assert report == {"generation": 1, "reloaded_at": None, "last_error": None}


def test_metrics_parse_as_prometheus_text_and_count_requests(mock: MockServer) -> None:
    for _ in range(3):
        assert httpx.get(f"{mock.url}/api/users/1").status_code == 200
    assert httpx.get(f"{mock.url}/api/nope").status_code == 404
    response = httpx.get(admin(mock, "metrics"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    families = {family.name: family for family in text_string_to_metric_families(response.text)}
    requests = {
        (s.labels["service"], s.labels["route"], s.labels["status"]): s.value
        for s in families["mockery_requests"].samples
        if s.name == "mockery_requests_total"
    }
    assert requests == {("users", "get user", "200"): 3.0, ("users", "-", "404"): 1.0}
    histogram = families["mockery_request_duration_seconds"]
    assert histogram.type == "histogram"
    counts = [s for s in histogram.samples if s.name.endswith("_count") and s.labels["route"] == "get user"]
    assert [s.value for s in counts] == [3.0]
    infinite = [s for s in histogram.samples if s.labels.get("le") == "+Inf" and s.labels["route"] == "get user"]
    assert [s.value for s in infinite] == [3.0]
    assert families["mockery_journal_requests"].samples[0].value == 4.0
    # Admin calls themselves are neither counted nor journaled.
    assert len(mock.journal) == 4


def test_requests_lists_the_journal_with_the_python_filters_and_delete_clears_it(mock: MockServer) -> None:
    httpx.get(f"{mock.url}/api/users/1")
    httpx.post(f"{mock.url}/api/users", json={"name": "Ada"})
    httpx.get(f"{mock.url}/api/users/2?full=1")
    everything = httpx.get(admin(mock, "requests")).json()
    assert everything["count"] == 3
    assert [r["path"] for r in everything["requests"]] == ["/api/users/1", "/api/users", "/api/users/2"]
    posted = httpx.get(admin(mock, "requests"), params={"method": "post"}).json()
    assert posted["count"] == 1
    assert posted["requests"][0]["body"] == {"name": "Ada"}
    assert posted["requests"][0]["status"] == 201
    by_route = httpx.get(admin(mock, "requests"), params={"route": "get user", "status": "200"}).json()
    assert [r["query"] for r in by_route["requests"]] == [{}, {"full": "1"}]
    assert httpx.get(admin(mock, "requests"), params={"path": "/api/users/2", "service": "users"}).json()["count"] == 1
    unknown = httpx.get(admin(mock, "requests"), params={"stauts": "200"})
    assert unknown.status_code == 400
    assert "did you mean 'status'?" in unknown.json()["detail"]
    assert httpx.get(admin(mock, "requests"), params={"status": "ok"}).status_code == 400
    assert httpx.delete(admin(mock, "requests")).status_code == 204
    assert httpx.get(admin(mock, "requests")).json() == {"count": 0, "requests": []}


def test_services_lists_listeners_services_and_routes(mock: MockServer) -> None:
    body = httpx.get(admin(mock, "services")).json()
    assert body["listeners"] == [{"url": mock.url, "shared": True, "services": ["users"]}]
    [service] = body["services"]
    assert service["name"] == "users"
    assert service["url"] == mock.url + "/api"
    assert [(r["name"], r["methods"], r["path"]) for r in service["routes"]] == [
        ("get user", ["GET"], "/api/users/{id:int}"),
        ("POST /api/users", ["POST"], "/api/users"),
    ]


def test_a_route_added_answers_at_once_and_can_be_removed(mock: MockServer) -> None:
    route = {"path": "/users/{id:int}", "response": {"status": 503, "body": {"error": "down"}}}
    added = httpx.post(admin(mock, "routes"), json={"service": "users", "route": route})
    assert added.status_code == 201, added.text
    route_id = added.json()["id"]
    assert added.json()["path"] == "/api/users/{id:int}"
    answered = httpx.get(f"{mock.url}/api/users/1")
    assert (answered.status_code, answered.json()) == (503, {"error": "down"})
    listed = httpx.get(admin(mock, "services")).json()["services"][0]["routes"]
    assert listed[0]["runtime_id"] == route_id
    assert httpx.delete(admin(mock, f"routes/{route_id}")).status_code == 204
    assert httpx.get(f"{mock.url}/api/users/1").status_code == 200
    missing = httpx.delete(admin(mock, f"routes/{route_id}"))
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("payload", "field", "words"),
    [
        pytest.param(
            {"service": "users", "route": {"path": "/x", "response": {"status": 999}}},
            "route.response.status",
            "999",
            id="bad-status",
        ),
        pytest.param(
            {"service": "users", "route": {"path": "/x", "respons": {}}},
            "route",
            "respons",
            id="misspelt-key",
        ),
        pytest.param({"service": "user", "route": {"path": "/x"}}, "service", "did you mean 'users'?", id="service"),
        pytest.param({"service": "users"}, "route", "route", id="no-route"),
    ],
)
def test_an_invalid_route_gets_a_problem_naming_the_field(
    mock: MockServer, payload: dict[str, object], field: str, words: str
) -> None:
    response = httpx.post(admin(mock, "routes"), json=payload)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 422
    assert problem["errors"][0]["field"].startswith(field), problem
    assert words in response.text
    assert httpx.get(f"{mock.url}/api/x").status_code == 404


def test_a_body_that_is_not_json_is_a_400(mock: MockServer) -> None:
    response = httpx.post(admin(mock, "routes"), content=b"{nope")
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"


def test_reset_forgets_runtime_routes_and_the_journal(mock: MockServer) -> None:
    route = {"path": "/users/{id:int}", "response": {"status": 418}}
    assert httpx.post(admin(mock, "routes"), json={"service": "users", "route": route}).status_code == 201
    assert httpx.get(f"{mock.url}/api/users/1").status_code == 418
    reset = httpx.post(admin(mock, "reset"))
    assert (reset.status_code, reset.json()) == (200, {"reset": True})
    assert len(mock.journal) == 0
    assert httpx.get(f"{mock.url}/api/users/1").status_code == 200


def test_unknown_admin_paths_and_methods(mock: MockServer) -> None:
    missing = httpx.get(admin(mock, "nope"))
    assert missing.status_code == 404
    assert "/__mockery/health" in missing.json()["endpoints"]
    assert httpx.get(admin(mock, "reset")).status_code == 405


def test_stubs_and_admin_routes_share_one_registry(mock: MockServer) -> None:
    mock.stub("users", {"path": "/ping", "response": {"body": "pong"}})
    assert httpx.get(f"{mock.url}/api/ping").text == "pong"
    routes = httpx.get(admin(mock, "services")).json()["services"][0]["routes"]
    assert routes[0]["path"] == "/api/ping"
    assert routes[0]["runtime_id"] is not None
    mock.reset()
    assert httpx.get(f"{mock.url}/api/ping").status_code == 404


def test_a_route_sent_as_yaml_reads_nothing_of_the_servers_environment(
    mock: MockServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ADMIN_SECRET", "s3cr3t")
    route = "path: /leak\nresponse:\n  body: {token: '${ADMIN_SECRET}', other: '${UNSET_ONE:-fallback}'}\n"
    refused = httpx.post(admin(mock, "routes"), json={"service": "users", "route": route})
    assert refused.status_code == 422
    assert "s3cr3t" not in refused.text
    assert "ADMIN_SECRET" in refused.text  # named as not set: the server's environment is not consulted
    assert httpx.get(mock.url + "/api/leak").status_code == 404
    literal = "path: /plain\nresponse:\n  body: {other: '${UNSET_ONE:-fallback}'}\n"
    assert httpx.post(admin(mock, "routes"), json={"service": "users", "route": literal}).status_code == 201
    assert httpx.get(mock.url + "/api/plain").json() == {"other": "fallback"}
