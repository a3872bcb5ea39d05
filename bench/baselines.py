"""The limits mockery is measured against: the same bytes from a raw ASGI callable and a bare Starlette app.

Each baseline does only what its workload needs (no matching, no templates, no journal), with the same
uvicorn settings as mockery, so that the ratio shows what mockery's own work costs.
"""

from __future__ import annotations

import orjson
from faker import Faker
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

STATIC_BODY = orjson.dumps(
    {
        "id": 42,
        "name": "Ada Lovelace",
        "email": "ada@example.com",
        "role": "admin",
        "active": True,
        "address": {"street": "12 Analytical Row", "city": "London", "postcode": "NW1 6XE", "country": "GB"},
        "tags": ["math", "engines", "poetry"],
        "created_at": "2026-01-01T00:00:00+00:00",
        "plan": {"name": "free", "seats": 1, "renews": False},
        "note": "a static body of about three hundred bytes",
    }
)
_HEADERS = [(b"content-type", b"application/json"), (b"content-length", str(len(STATIC_BODY)).encode())]

_faker = Faker("en_US", use_weighting=False)
_faker.seed_instance(0)


async def raw_static(scope: Scope, receive: Receive, send: Send) -> None:
    """The cheapest possible ASGI answer: the ceiling of the stack."""
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": _HEADERS})
    await send({"type": "http.response.body", "body": STATIC_BODY})


async def _static(request: Request) -> Response:
    return Response(STATIC_BODY, media_type="application/json")


# The records of the list baseline: 1,000 built once, with the fields of bench/run.py's resource spec.
LIST_RECORDS = [
    {
        "id": number,
        "name": _faker.name(),
        "email": _faker.email(),
        "age": _faker.pyint(min_value=18, max_value=90),
        "role": _faker.random_element(("admin", "member", "guest")),
    }
    for number in range(1, 1001)
]
LIST_PAGE = 20


async def _list(request: Request) -> Response:
    """A page of 20 of the prebuilt records (the third), encoded per request: what a list answer must do."""
    start = 2 * LIST_PAGE
    return Response(orjson.dumps(LIST_RECORDS[start : start + LIST_PAGE]), media_type="application/json")


async def _templated(request: Request) -> Response:
    body = {
        "id": request.path_params["id"],
        "name": _faker.name(),
        "email": _faker.email(),
        "city": _faker.city(),
    }
    return Response(orjson.dumps(body), media_type="application/json")


starlette_app = Starlette(
    routes=[
        Route("/static", _static),
        Route("/users/{id:int}", _templated),
        Route("/list", _list),
    ]
)
