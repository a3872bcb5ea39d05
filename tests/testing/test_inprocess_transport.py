"""In-process transports (httpx sync and async, requests): the same answers, journal, verification and
strictness as over a socket, without one."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
import requests

from mockery import MockServer, ServeError, UnknownServiceError
from mockery.http.journal import Call

PAYMENTS = """\
service: payments
port: 0
routes:
  - path: /v1/charges
    method: POST
    match: {body: {json: {currency: eur}}}
    response: {status: 201, body: {id: "ch_{{ random.randint(1, 1000000) }}", amount: "{{ request.body.amount }}"}}
  - {path: /v1/drop, fault: {kind: reset}, response: {body: never}}
  - {path: /v1/empty, fault: {kind: empty}, response: {body: never}}
  - {path: /v1/slow, delay: 30s, response: {body: late}}
"""
USERS = """\
service: users
routes:
  - path: /users/{id:int}
    response: {body: {id: "{{ request.path_params.id }}"}, headers: {x-kind: user}}
"""
HOSTS = {"api.stripe.com": "payments", "users.internal:8080": "users"}


@pytest.fixture
def mock(serve: Callable[..., MockServer], write_spec: Callable[..., Path]) -> MockServer:
    write_spec(PAYMENTS, "payments.yaml")
    return serve(write_spec(USERS, "users.yaml").parent)


def _journal(calls: list[Call]) -> list[tuple[Any, ...]]:
    """What a call records, but its timing and the headers only a real connection sends."""
    return [
        (c.service, c.method, c.path, c.query_string, c.raw_body, c.route, c.status, c.headers.get("x-test"))
        for c in calls
    ]


def _exchange(client: httpx.Client, stripe: str, users: str) -> list[tuple[int, bytes, str | None]]:
    answers = [
        client.post(f"{stripe}/v1/charges?idem=1", json={"currency": "eur", "amount": 5}, headers={"x-test": "a"}),
        client.post(f"{stripe}/v1/charges", json={"currency": "usd"}),
        client.get(f"{users}/users/7", headers={"x-test": "b"}),
        client.get(f"{users}/nowhere"),
    ]
    return [(answer.status_code, answer.content, answer.headers.get("x-kind")) for answer in answers]


def test_httpx_in_process_answers_and_journals_exactly_as_over_a_socket(mock: MockServer) -> None:
    with httpx.Client() as client:
        over_socket = _exchange(client, mock.url_for("payments"), mock.url_for("users"))
    socket_journal = _journal(mock.calls)
    socket_unmatched = [call.describe() for call in mock.unmatched()]
    mock.reset()
    with httpx.Client(transport=mock.httpx_transport(HOSTS)) as client:
        in_process = _exchange(client, "https://api.stripe.com", "http://users.internal:8080")
    assert in_process == over_socket
    assert [status for status, _, _ in in_process] == [201, 404, 200, 404]
    assert _journal(mock.calls) == socket_journal
    assert [call.describe() for call in mock.unmatched()] == socket_unmatched  # what strict mode fails on
    mock.assert_called("POST", "/v1/charges", times=2)
    mock.assert_called("GET", "/users/7", times=1)


def test_the_servers_own_urls_and_no_hosts_reach_the_listeners(mock: MockServer) -> None:
    with httpx.Client(transport=mock.httpx_transport()) as client:
        assert client.get(mock.url_for("users") + "/users/1").json() == {"id": 1}
        assert client.get("http://anything.test/users/2").json() == {"id": 2}  # the shared listener
        own = client.post(mock.url_for("payments") + "/v1/charges", json={"currency": "eur", "amount": 1})
        assert own.status_code == 201
        assert own.reason_phrase == "Created"


def test_an_unmapped_host_is_a_connect_error_naming_the_mapped_ones(mock: MockServer) -> None:
    with (
        httpx.Client(transport=mock.httpx_transport(HOSTS)) as client,
        pytest.raises(httpx.ConnectError, match=r"no service is mapped to host 'example\.com'.*api\.stripe\.com"),
    ):
        client.get("https://example.com/")
    assert mock.calls == []


def test_connection_faults_and_timeouts_are_the_clients_own_errors(mock: MockServer) -> None:
    with httpx.Client(transport=mock.httpx_transport(HOSTS), base_url="https://api.stripe.com") as client:
        with pytest.raises(httpx.ReadError, match="reset"):
            client.get("/v1/drop")
        with pytest.raises(httpx.RemoteProtocolError, match="before the whole body was sent"):
            client.get("/v1/empty")
        with pytest.raises(httpx.ReadTimeout):
            client.get("/v1/slow", timeout=0.05)
        # The client still works afterwards.
        assert client.post("/v1/charges", json={"currency": "eur"}).status_code == 201


def _requests_exchange(session: requests.Session, stripe: str, users: str) -> list[tuple[int, bytes]]:
    answers = [
        session.post(f"{stripe}/v1/charges?idem=1", json={"currency": "eur", "amount": 5}, headers={"x-test": "a"}),
        session.post(f"{stripe}/v1/charges", json={"currency": "usd"}),
        session.get(f"{users}/users/7", headers={"x-test": "b"}),
        session.get(f"{users}/nowhere"),
    ]
    return [(answer.status_code, answer.content) for answer in answers]


def test_requests_in_process_answers_and_journals_exactly_as_over_a_socket(mock: MockServer) -> None:
    with requests.Session() as session:
        over_socket = _requests_exchange(session, mock.url_for("payments"), mock.url_for("users"))
    socket_journal = _journal(mock.calls)
    mock.reset()
    with requests.Session() as session:
        session.mount("https://", mock.requests_adapter(HOSTS))
        session.mount("http://", mock.requests_adapter(HOSTS))
        in_process = _requests_exchange(session, "https://api.stripe.com", "http://users.internal:8080")
    assert in_process == over_socket
    assert _journal(mock.calls) == socket_journal
    assert len(mock.unmatched()) == 2


def test_requests_adapter_answers_like_httpx(mock: MockServer) -> None:
    with requests.Session() as session:
        session.mount("https://api.stripe.com", mock.requests_adapter(HOSTS))
        session.mount("http://users.internal:8080", mock.requests_adapter(HOSTS))
        made = session.post("https://api.stripe.com/v1/charges", json={"currency": "eur", "amount": 9})
        assert made.status_code == 201
        assert made.json()["amount"] == 9
        assert made.headers["Content-Type"] == "application/json"
        assert session.get("http://users.internal:8080/users/3").json() == {"id": 3}
        with pytest.raises(requests.ConnectionError, match="reset"):
            session.get("https://api.stripe.com/v1/drop")
        session.mount("https://example.com", mock.requests_adapter(HOSTS))
        with pytest.raises(requests.ConnectionError, match=r"no service is mapped to host 'example\.com'"):
            session.get("https://example.com/x")
    mock.assert_called("POST", "/v1/charges", times=1)
    mock.assert_called("GET", "/users/3", times=1)


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_httpx_async_in_process(mock: MockServer, anyio_backend: str) -> None:
    async with httpx.AsyncClient(transport=mock.httpx_transport(HOSTS), base_url="https://api.stripe.com") as client:
        answers = [await client.post("/v1/charges", json={"currency": "eur", "amount": n}) for n in range(3)]
        with pytest.raises(httpx.ReadError):
            await client.get("/v1/drop")
    assert [answer.json()["amount"] for answer in answers] == [0, 1, 2]
    mock.assert_called("POST", "/v1/charges", times=3)


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_concurrent_async_requests_in_process(mock: MockServer, anyio_backend: str) -> None:
    results: list[int] = []
    async with httpx.AsyncClient(transport=mock.httpx_transport(HOSTS)) as client:

        async def one(n: int) -> None:
            results.append((await client.get(f"http://users.internal:8080/users/{n}")).status_code)

        async with anyio.create_task_group() as group:
            for n in range(20):
                group.start_soon(one, n)
    assert results == [200] * 20
    assert len(mock.calls) == 20


def test_a_stopped_or_unstarted_server_and_unknown_services_are_refused(write_spec: Callable[..., Path]) -> None:
    path = write_spec(USERS)
    server = MockServer(path)
    with pytest.raises(ServeError, match="start the MockServer"):
        server.httpx_transport()
    with server:
        with pytest.raises(UnknownServiceError, match="users"):
            server.httpx_transport({"api.stripe.com": "payments"})
        transport = server.httpx_transport()
        adapter = server.requests_adapter()
    with httpx.Client(transport=transport) as client, pytest.raises(ServeError, match="not running"):
        client.get("http://users/users/1")
    session = requests.Session()
    session.mount("http://", adapter)
    with pytest.raises(ServeError, match="not running"):
        session.get("http://users/users/1")
