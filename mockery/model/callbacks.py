"""Callbacks and webhooks: HTTP requests mockery sends after answering, as compiled from a spec.

The model only describes them; ``mockery.callbacks`` renders and delivers them off the request path.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mockery.http.behaviours import Delay
from mockery.source.document import Position
from mockery.templates.values import Value

DEFAULT_ATTEMPTS = 3
DEFAULT_BACKOFF = 0.5
DEFAULT_TIMEOUT = 10.0
MAX_ATTEMPTS = 10
DEFAULT_SIGNATURE_HEADER = "x-mockery-signature"


@dataclass(frozen=True, slots=True)
class Signature:
    """An HMAC-SHA256 signature of the body, GitHub style (``sha256=<hex>``) or, ``timestamped``, Stripe style
    (``t=<unix time>,v1=<hex of "t.body">``). The secret was read from the environment at load time."""

    secret: bytes
    header: str = DEFAULT_SIGNATURE_HEADER
    timestamped: bool = False

    def __repr__(self) -> str:
        return f"Signature(header={self.header!r}, timestamped={self.timestamped})"


@dataclass(frozen=True, slots=True)
class Retry:
    """``attempts`` in all (the first included), waiting ``backoff * factor**n`` (at most ``max_wait``) between."""

    attempts: int = DEFAULT_ATTEMPTS
    backoff: float = DEFAULT_BACKOFF
    factor: float = 2.0
    max_wait: float = 30.0

    def wait(self, failed: int) -> float:
        """Seconds to wait after the ``failed``-th failed attempt (1 for the first)."""
        return float(min(self.backoff * self.factor ** (failed - 1), self.max_wait))


@dataclass(frozen=True, slots=True)
class Callback:
    """One request to send after a route answered (or, for a webhook, when triggered).

    ``url``, the header values and ``body`` render with the answer's variables (Faker, ``request``,
    ``response``: the status, headers and body the client got). ``allow_self`` lets it reach the mock's own
    listeners; ``allow_link_local`` lets it reach link-local and metadata addresses (never by default)."""

    name: str
    method: str
    url: Value
    headers: tuple[tuple[str, Value], ...] = ()
    body: Value | None = None
    is_json: bool = True
    delay: Delay | None = None
    retry: Retry = field(default=Retry())
    timeout: float = DEFAULT_TIMEOUT
    signature: Signature | None = None
    position: Position = field(default=Position(1, 1))
    allow_self: bool = False
    allow_link_local: bool = False

    def __repr__(self) -> str:
        return f"Callback({self.name!r}, {self.method})"
