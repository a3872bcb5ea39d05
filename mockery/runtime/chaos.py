"""What behaviours do to a request: wait, count it against a rate limit, inject a fault, dribble the body.

Every random choice comes from a generator seeded with the server's seed, the route and the number of the
request on that route (a counter in the store), so the same seed and the same request sequence give the
same delays and the same faults. Waiting is ``asyncio.sleep``: a slow answer never blocks other requests.

Breaking a connection goes below ASGI, which has no message for it: uvicorn closes the connection when an
app returns after starting but not finishing a response, yet answers 500 when it returns without starting
one. So ``reset`` (no response at all) reaches the connection's transport through uvicorn's ``send`` and
aborts it with an RST; ``empty`` and ``malformed`` send the headers (and part of the body) and close. The
app then waits for uvicorn to notice the disconnection, so that uvicorn neither logs an error nor tries a
500 on the dead connection. Under another server (or in-process) a fault that cannot break the connection
raises ``InjectedFault`` instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import random
import socket
import struct
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from starlette.types import Receive, Send

from mockery.errors import ProfileError as ProfileError  # re-exported: callers import it from here too
from mockery.http.behaviours import NO_BEHAVIOURS, Behaviours, Fault, RateLimit
from mockery.model.services import Route, Service
from mockery.store import Store
from mockery.suggest import did_you_mean
from mockery.templates.fakes import derive_seed

_DISCONNECT_WAIT_SECONDS = 5.0
_THROTTLE_TICKS_PER_SECOND = 10

Headers = list[tuple[bytes, bytes]]


class InjectedFault(Exception):
    """A connection-level fault the server in use does not let mockery inject; the client sees an error."""


@dataclass(slots=True)
class Chaos:
    """The server-wide side of behaviours: the active profile and the server-level behaviours."""

    services: Callable[[], Iterable[Service]]
    """The services served now (a reload may change them)."""
    profile: str | None = None
    behaviours: Behaviours = NO_BEHAVIOURS

    @property
    def profiles(self) -> list[str]:
        """Every profile some service defines."""
        return sorted({name for service in self.services() for name, _ in service.profiles})

    def use(self, profile: str | None) -> None:
        """Make ``profile`` the active one (``None``: none). ``ProfileError`` if no service defines it."""
        if profile is not None and profile not in self.profiles:
            known = ", ".join(self.profiles) or "none"
            raise ProfileError(
                f"no service defines the profile {profile!r} (profiles: {known})"
                + (f"; {hint}" if (hint := did_you_mean(profile, self.profiles)) else "")
            )
        self.profile = profile

    def resolve(self, service: Service, route: Route) -> Behaviours:
        """The behaviours of ``route``: route, then active profile, then service, then server-wide."""
        if not (route.behaviours or service.behaviours or self.behaviours or (self.profile and service.profiles)):
            return NO_BEHAVIOURS  # the common case, decided without merging anything
        merged = route.behaviours
        if self.profile is not None:
            for name, overlay in service.profiles:
                if name == self.profile:
                    merged = merged.over(overlay)
        return merged.over(service.behaviours).over(self.behaviours)


@dataclass(slots=True)
class Verdict:
    """What the behaviours decided for one request."""

    delay: float = 0.0
    fault: Fault | None = None
    limited: bool = False
    headers: Headers = field(default_factory=list)


def decide(behaviours: Behaviours, store: Store, seed: int, service: str, route_index: int | str) -> Verdict:
    """Draw the delay and the fault of one request and count it against its rate limit."""
    verdict = Verdict()
    if behaviours.rate_limit is not None:
        verdict.limited, verdict.headers = _count(behaviours.rate_limit, store)
    draw: random.Random | None = None
    if behaviours.random:
        number = store.increment(f"mockery:draws:{service}:{route_index}")
        draw = random.Random(derive_seed(seed, "chaos", service, route_index, number))
    if behaviours.delay is not None:
        verdict.delay = behaviours.delay.sample(draw)
    fault = behaviours.fault
    if fault is not None and fault.rate > 0 and (fault.rate >= 1 or (draw is not None and draw.random() < fault.rate)):
        verdict.fault = fault
    return verdict


def _count(limit: RateLimit, store: Store) -> tuple[bool, Headers]:
    """Count a request in its fixed window (opened by the window's first request, expiring ``per`` later):
    one atomic store call, so that replicas sharing a store share the window and its count."""
    count, left = store.count_in_window(f"mockery:rate:{limit.scope}", limit.per)
    seconds = max(1, math.ceil(left))
    headers = [
        (b"x-ratelimit-limit", str(limit.requests).encode()),
        (b"x-ratelimit-remaining", str(max(0, limit.requests - count)).encode()),
        (b"x-ratelimit-reset", str(seconds).encode()),
    ]
    if count > limit.requests:
        headers.append((b"retry-after", str(seconds).encode()))
        return True, headers
    return False, headers


async def send_paced(send: Send, status: int, headers: Headers, body: bytes, behaviours: Behaviours) -> None:
    """Send a response, its body dribbled as ``chunked`` (which wins) or ``throttle`` says."""
    chunked, throttle = behaviours.chunked, behaviours.throttle
    if chunked is not None:
        count = max(1, min(chunked.chunks, len(body) or 1))
        size = math.ceil(len(body) / count) if body else 0
        pieces = [body[i * size : (i + 1) * size] for i in range(count)] if body else [b""]
        pause = chunked.over / (len(pieces) - 1) if len(pieces) > 1 else 0.0
        # No content-length: the body goes out with Transfer-Encoding: chunked, as the pieces are ready.
        await send({"type": "http.response.start", "status": status, "headers": headers})
    else:
        assert throttle is not None
        size = max(1, throttle.bytes_per_second // _THROTTLE_TICKS_PER_SECOND)
        pieces = [body[i : i + size] for i in range(0, len(body), size)] or [b""]
        pause = size / throttle.bytes_per_second
        headers = [*headers, (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
    for number, piece in enumerate(pieces):
        last = number == len(pieces) - 1
        await send({"type": "http.response.body", "body": piece, "more_body": not last})
        if not last:
            await asyncio.sleep(pause)


async def break_connection(
    send: Send, receive: Receive, fault: Fault, status: int, headers: Headers, body: bytes
) -> None:
    """Inject a connection-level fault: ``reset``, ``empty``, ``malformed`` or ``timeout``."""
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    if transport is None:
        raise InjectedFault(f"fault {fault.kind!r}: the server in use cannot break connections")
    if fault.kind == "timeout":
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(_disconnected(receive), fault.after)
            return  # the client gave up first, as intended
        _reset(transport)
    elif fault.kind == "reset":
        _reset(transport)
    else:
        length = max(len(body), 2)
        start_headers = [*headers, (b"content-length", str(length).encode())]
        await send({"type": "http.response.start", "status": status, "headers": start_headers})
        if fault.kind == "malformed":
            await send({"type": "http.response.body", "body": body[: length // 2], "more_body": True})
        transport.close()
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(_disconnected(receive), _DISCONNECT_WAIT_SECONDS)


def _reset(transport: Any) -> None:
    """Close with an RST: what a client sees when a server process dies or a proxy drops a connection."""
    sock = transport.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()


async def _disconnected(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass
