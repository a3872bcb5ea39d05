"""A real upstream for the proxy and record tests: a small Starlette app on uvicorn in a thread."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from mockery.server.server import Server

# The upstream's personal data: none of it may reach a recorded spec.
USERS = [
    {
        "id": 1,
        "name": "Margaret Holloway",
        "email": "margaret.holloway@corp-mail.io",
        "phone": "+1 415-555-0134",
        "address": "1600 Fernwood Avenue",
        "card": "4111 1111 1111 1111",
        "iban": "GB82WEST12345698765432",
        "last_login_ip": "203.0.113.77",
        "active": True,
    },
    {
        "id": 2,
        "name": "Theodore Blackwell",
        "email": "t.blackwell@example-bank.co.uk",
        "phone": "(212) 555-0199",
        "address": "42 Lindenhurst Road",
        "card": "5555555555554444",
        "iban": "DE89370400440532013000",
        "last_login_ip": "198.51.100.23",
        "active": False,
    },
]
TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJtYXJnYXJldCJ9.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg"
API_KEY = "sk_live_4eC39HqLyjWDarjtT1zdp7dc"
ORDER_ID = "0b7e6c1a-3f0e-4a51-9d6a-2f9c8e4b7a10"
MAX_SLOW_SECONDS = 5.0
# Text a recorded spec must serve back as it was: substitution, template and escape syntax of mockery specs.
LITERAL = {
    "note": "${SECRET_TOKEN}",
    "template": "{{ 7*7 }}",
    "escaped": "$${X}",
    "block": "{% if true %}x{% endif %}",
    "comment": "{# c #}",
    "mixed": "${X:-y} costs $5 {{",
}
LITERAL_TEXT = "line ${SECRET_TOKEN}\r\n{{ 7*7 }} and $${X}\r\n{% raw %}$$ {#\n"


@dataclass
class Upstream:
    url: str
    host: str
    port: int
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)


def app(seen: list[tuple[str, str, dict[str, str]]], redirect_to: str = "") -> Starlette:
    async def note(request: Request) -> None:
        seen.append((request.method, request.url.path, dict(request.headers)))

    async def users(request: Request) -> Response:
        await note(request)
        return JSONResponse({"users": USERS, "total": len(USERS)}, headers={"set-cookie": f"session={TOKEN}"})

    async def user(request: Request) -> Response:
        await note(request)
        found = [u for u in USERS if u["id"] == request.path_params["id"]]
        if not found:
            return JSONResponse({"error": "no such user"}, status_code=404)
        return JSONResponse(found[0])

    async def order(request: Request) -> Response:
        await note(request)
        return JSONResponse({"id": str(request.path_params["id"]), "buyer": USERS[0]["email"], "amount": 1999})

    async def login(request: Request) -> Response:
        await note(request)
        body = await request.json()
        return JSONResponse(
            {"user": body.get("username"), "access_token": TOKEN, "api_key": API_KEY, "note": f"Bearer {TOKEN}"},
            status_code=201,
            headers={"set-cookie": "sid=abc123; HttpOnly", "x-api-key": API_KEY},
        )

    async def echo(request: Request) -> Response:
        await note(request)
        return JSONResponse(
            {
                "method": request.method,
                "path": request.url.path,
                "raw_path": request.scope["raw_path"].decode("latin-1"),
                "query": request.url.query,
                "headers": dict(request.headers),
                "body": (await request.body()).decode(),
            }
        )

    async def slow(request: Request) -> Response:
        await note(request)
        await asyncio.sleep(min(float(request.query_params.get("seconds", "1")), MAX_SLOW_SECONDS))
        return PlainTextResponse("late")

    async def redirect(request: Request) -> Response:
        await note(request)
        return RedirectResponse(redirect_to, status_code=302)

    async def literal(request: Request) -> Response:
        await note(request)
        return JSONResponse(LITERAL)

    async def literal_text(request: Request) -> Response:
        await note(request)
        return PlainTextResponse(LITERAL_TEXT)

    async def anything(request: Request) -> Response:
        await note(request)
        return PlainTextResponse(f"upstream saw {request.url.path}", status_code=404)

    return Starlette(
        routes=[
            Route("/users", users),
            Route("/users/{id:int}", user),
            Route("/orders/{id:uuid}", order),
            Route("/login", login, methods=["POST"]),
            Route("/echo", echo, methods=["GET", "POST", "PUT"]),
            Route("/echo/{rest:path}", echo, methods=["GET", "POST"]),
            Route("/slow", slow),
            Route("/redirect", redirect),
            Route("/literal", literal),
            Route("/literal.txt", literal_text),
            Route("/{rest:path}", anything, methods=["GET", "POST", "PUT", "DELETE"]),
        ]
    )


class _ThreadServer(uvicorn.Server):
    def install_signal_handlers(self) -> None:  # not on the main thread
        pass


@contextmanager
def running(host: str = "127.0.0.1", redirect_to: str = "") -> Iterator[Upstream]:
    """Serve the upstream app on ``host`` at an ephemeral port for the duration of the block."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    port = sock.getsockname()[1]
    upstream = Upstream(f"http://{host}:{port}", host, port)
    config = uvicorn.Config(app(upstream.requests, redirect_to), lifespan="off", log_level="warning")
    server = _ThreadServer(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    started = threading.Event()
    while not server.started and thread.is_alive():
        started.wait(0.01)
    try:
        yield upstream
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(*servers: Server) -> Iterator[None]:
    """Serve bound ``Server``s together on one event loop in a background thread for the duration of the block
    (their sockets listen already: a request sent before they accept waits in the backlog)."""
    ready = threading.Event()
    errors: list[BaseException] = []
    started: list[Server] = []

    def on_ready(server: Server) -> None:
        started.append(server)
        if len(started) == len(servers):
            ready.set()

    async def main() -> None:
        await asyncio.gather(
            *(server.serve(handle_signals=False, on_ready=lambda s=server: on_ready(s)) for server in servers)
        )

    def run() -> None:
        try:
            asyncio.run(main())
        except BaseException as exc:  # re-raised in the test
            errors.append(exc)
            ready.set()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    ready.wait(10)
    try:
        if errors:
            raise errors[0]
        yield
    finally:
        for server in servers:
            server.stop()
        thread.join(15)
    if errors:
        raise errors[0]
