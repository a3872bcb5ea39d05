"""The Starlette application at the top of every listener (``mockery.create_app``, ``MockServer.app``, what
``mockery serve`` runs): mounted in FastAPI, wrapped in user middleware, driven by TestClient with lifespan,
introspected with ``routes`` and ``url_path_for``. Served by a real uvicorn over real HTTP where it matters."""

from __future__ import annotations

import contextlib
import gzip
import json
import socket
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.routing import Mount
from starlette.testclient import TestClient
from starlette.types import ASGIApp, Receive, Scope, Send

from mockery import ArgumentError, MockApp, MockServer, create_app

SPEC = """
service: shop
base_path: /api
routes:
  - name: user
    path: /users/{id:int}
    response:
      body: {id: "{{ request.path_params.id }}", name: "{{ faker.name() }}", padding: "{{ 'x' * 200 }}"}
  - name: ping
    path: /ping
    response: {body: {pong: true}}
  - name: broken
    path: /broken
    fault: {kind: reset}
    response: {body: never}
resources:
  notes:
    count: 2
    fields:
      title: sentence
"""


@contextlib.contextmanager
def served(app: ASGIApp) -> Iterator[str]:
    """``app`` on a real uvicorn in a thread, on a free loopback port; yields its base URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        for _ in range(1000):
            if server.started or not thread.is_alive():
                break
            threading.Event().wait(0.01)
        assert server.started, "uvicorn did not start"
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.fixture
def spec(write_spec: Callable[..., Path]) -> Path:
    return write_spec(SPEC)


def test_create_app_and_mock_server_app_are_starlette_applications(spec: Path) -> None:
    app = create_app(spec)
    assert isinstance(app, Starlette)
    assert isinstance(app, MockApp)
    with MockServer(spec) as mock:
        assert isinstance(mock.app, Starlette)
        assert mock.app is mock.app
        # The app MockServer returns is the one its uvicorn runs: middleware added to it shapes real answers.
        got = httpx.get(f"{mock.url}/api/ping")
    assert got.json() == {"pong": True}


def test_mounted_in_fastapi_a_route_a_resource_and_an_explained_miss(spec: Path) -> None:
    host = FastAPI()

    @host.get("/hello")
    def hello() -> dict[str, str]:
        return {"hello": "world"}

    host.mount("/mocks", create_app(spec))
    with served(host) as url, httpx.Client(base_url=url) as client:
        assert client.get("/hello").json() == {"hello": "world"}
        user = client.get("/mocks/api/users/7")
        assert user.status_code == 200
        assert user.json()["id"] == 7
        created = client.post("/mocks/api/notes", json={"title": "mounted"})
        assert created.status_code == 201
        note_id = created.json()["id"]
        assert client.get(f"/mocks/api/notes/{note_id}").json()["title"] == "mounted"
        assert len(client.get("/mocks/api/notes").json()) == 3
        miss = client.get("/mocks/api/userz/7")
        assert miss.status_code == 404
        assert miss.headers["content-type"].startswith("application/problem+json")
        closest = miss.json()["closest"]
        assert closest
        assert closest[0]["route"] == "user"
        # Outside the mount, the host app answers as it would without mockery.
        assert client.get("/api/users/7").status_code == 404


def test_user_middleware_wraps_mock_answers_and_faults_still_break_the_connection(spec: Path) -> None:
    gzipped = [Middleware(GZipMiddleware, minimum_size=100)]
    with MockServer(spec, middleware=gzipped) as mock, httpx.Client(base_url=mock.url) as client:
        plain = client.get("/api/users/3", headers={"accept-encoding": "identity"})
        with client.stream("GET", "/api/users/3", headers={"accept-encoding": "gzip"}) as response:
            encoded = b"".join(response.iter_raw())
            encoding = response.headers.get("content-encoding")
        with pytest.raises(httpx.TransportError):
            client.get("/api/broken")
    assert encoding == "gzip"
    assert json.loads(gzip.decompress(encoded)) == plain.json()  # the same seeded answer, compressed
    assert plain.headers.get("content-encoding") is None
    assert plain.json()["id"] == 3
    assert mock.journal.calls(path="/api/users/3")[0].status == 200


def test_create_app_middleware_and_add_middleware(spec: Path) -> None:
    seen: list[str] = []

    class Tagging:
        def __init__(self, app: ASGIApp, tag: str) -> None:
            self.app, self.tag = app, tag

        async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] == "http":
                seen.append(f"{self.tag} {scope['path']}")

                async def tagged(message: dict[str, Any]) -> None:
                    if message["type"] == "http.response.start":
                        message["headers"] = [*message["headers"], (b"x-tag", self.tag.encode())]
                    await send(message)

                await self.app(scope, receive, tagged)
                return
            await self.app(scope, receive, send)

    app = create_app(spec, middleware=[Middleware(Tagging, tag="given")])
    app.add_middleware(Tagging, tag="added")  # Starlette puts it outside those given
    with served(app) as url:
        first = httpx.get(f"{url}/api/ping")
        second = httpx.get(f"{url}/api/ping")
    assert first.json() == second.json() == {"pong": True}
    assert first.headers.get_list("x-tag") == ["given", "added"]  # the inner one wrote its header first
    assert seen[:2] == ["added /api/ping", "given /api/ping"]


def test_test_client_runs_the_lifespan(spec: Path) -> None:
    events: list[str] = []

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        events.append("startup")
        yield
        events.append("shutdown")

    app = create_app(spec, lifespan=lifespan, seed=3)
    with TestClient(app) as client:
        assert events == ["startup"]
        first = client.get("/api/users/5").json()
        assert client.get("/api/ping").json() == {"pong": True}
        assert client.post("/api/notes", json={"title": "x"}).status_code == 201
    assert events == ["startup", "shutdown"]
    # The same seed, a fresh app: the same answer (determinism holds through create_app).
    with TestClient(create_app(spec, seed=3)) as again:
        assert again.get("/api/users/5").json() == first


def test_routes_and_url_path_for(spec: Path) -> None:
    app = create_app(spec)
    assert app.url_path_for("user", id=7) == "/api/users/7"
    assert app.url_path_for("ping") == "/api/ping"
    assert any(isinstance(route, Mount) and route.path == "/__mockery" for route in app.routes)
    names = {getattr(route, "name", None) for route in app.routes}
    assert {"user", "ping", "broken"} <= names


def test_create_app_refuses_what_the_running_server_decides(spec: Path) -> None:
    with pytest.raises(ArgumentError, match="port: the server that runs the app decides"):
        create_app(spec, port=9000)
    with pytest.raises(ArgumentError, match=r"unknown options sede.*seed"):
        create_app(spec, sede=1)
