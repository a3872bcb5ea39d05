"""A hostile request in flight beside an ordinary one: does the server still answer the ordinary one?"""

from __future__ import annotations

import http.client
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
import orjson

HOSTILE_TIMEOUT = 5.0  # on a server that backtracks, the hostile request fails with a timeout, not a hang
ORDINARY_TIMEOUT = 10.0  # generous: the assertion is on the time measured, not on this


@dataclass(frozen=True, slots=True)
class Outcome:
    status: int
    body: bytes
    headers: dict[str, str]
    ordinary_seconds: float  # how long the ordinary GET took while the hostile request was in flight

    def json(self) -> Any:
        return orjson.loads(self.body)


def hostile_beside_ordinary(
    base_url: str,
    method: str,
    target: str,
    ordinary: str,
    body: Any = None,
    headers: dict[str, str] | None = None,
    *,
    content: bytes | None = None,
) -> Outcome:
    """Send ``method target`` (with a JSON ``body``, or the bytes ``content`` as they are), then, while it is
    in flight, GET ``ordinary``.

    The hostile request is written to its socket before the ordinary one starts, so a server that holds its
    event loop on the first cannot answer the second; each has a client timeout, so such a server fails the
    test instead of hanging it.
    """
    address = urlsplit(base_url)
    assert address.hostname is not None
    assert address.port is not None
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=HOSTILE_TIMEOUT)
    try:
        payload = orjson.dumps(body) if body is not None else content
        sent = {"content-type": "application/json", **(headers or {})} if body is not None else headers or {}
        connection.request(method, target, body=payload, headers=sent)  # returns once the request is written
        started = time.perf_counter()
        answer = httpx.get(base_url + ordinary, timeout=ORDINARY_TIMEOUT)
        ordinary_seconds = time.perf_counter() - started
        assert answer.status_code == 200, answer.text
        response = connection.getresponse()
        headers_read = {name.lower(): value for name, value in response.getheaders()}
        return Outcome(response.status, response.read(), headers_read, ordinary_seconds)
    finally:
        connection.close()
