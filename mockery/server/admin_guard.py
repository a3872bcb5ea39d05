"""Who may call the admin API. Admin endpoints of mock servers are where their CVEs live; this one:

- with a token (``--admin-token``/``MOCKERY_ADMIN_TOKEN``) asks for ``Authorization: Bearer TOKEN`` on every
  endpoint but health, ready and metrics, compared in constant time;
- without one, answers only on a loopback listener, and only when the ``Host`` header names a loopback
  address (a DNS-rebinding page sends its own host name); elsewhere only health, ready and metrics answer;
- refuses any request a browser marks as cross-site (a foreign ``Origin``, ``Sec-Fetch-Site: cross-site``),
  token or not, and sends no CORS headers, so no page can read an answer;
- decides from the listener's own address, never from ``X-Forwarded-For`` or the peer address;
- lets a browser give the token once, to the dashboard's login form (``/__mockery/ui``): the form answers with a
  session cookie (``HttpOnly``, ``SameSite=Strict``, scoped to ``/__mockery``) that stands for the token; with
  a token set, the dashboard's page, files and login answer without it (they hold no data).

The token is kept as bytes for the comparison and never written anywhere.
"""

from __future__ import annotations

import hmac
import ipaddress

from starlette.types import Scope

from mockery.http.paths import RESERVED_PREFIX
from mockery.http.requests import header_map

PUBLIC_PATHS = frozenset(f"{RESERVED_PREFIX}/{name}" for name in ("health", "ready", "metrics"))
HOW_TO_ENABLE = (
    "start mockery with --admin-token TOKEN (or MOCKERY_ADMIN_TOKEN=TOKEN) and send "
    "'Authorization: Bearer TOKEN', or listen on a loopback address such as 127.0.0.1"
)

# The largest body an admin or recorder endpoint reads (a route, a scenario move, a stop): JSON of a few KiB.
ADMIN_MAX_BODY = 1024 * 1024

Refusal = tuple[int, str, str, dict[str, str]]

UI_PATH = f"{RESERVED_PREFIX}/ui"
SESSION_COOKIE = "mockery_admin"
_SESSION_CONTEXT = b"mockery dashboard session"


def is_loopback_host(host: str) -> bool:
    """Whether ``host`` (a name or address, without port) is this machine's loopback."""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def split_host(value: str) -> tuple[str, int | None]:
    """``"127.0.0.1:8000"`` -> ``("127.0.0.1", 8000)``; ``"[::1]:80"`` -> ``("::1", 80)``."""
    if value.startswith("["):
        host, _, rest = value[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else ""
    elif value.count(":") == 1:
        host, _, port = value.partition(":")
    else:
        host, port = value, ""
    return host, int(port) if port.isdigit() else None


class AdminGuard:
    """Decides, from the request's headers and the listener's address, whether an admin call may proceed."""

    def __init__(self, listener_host: str, listener_port: int | None, token: str | None) -> None:
        # ``listener_port`` ``None``: an app run by another server (``mockery.create_app``), whose port it cannot
        # know; a loopback Host with any port is its own then.
        self.loopback = is_loopback_host(listener_host)
        self.listener_host = listener_host
        self.listener_port = listener_port
        self._token = token.encode() if token else None

    @property
    def token_required(self) -> bool:
        return self._token is not None

    def check(self, scope: Scope) -> Refusal | None:
        """``None`` when the call may proceed, else ``(status, title, detail, headers)``."""
        headers = header_map(scope)
        host = headers.get("host", "")
        origin = headers.get("origin")
        if origin is not None and origin != f"{scope.get('scheme', 'http')}://{host}":
            return 403, "Cross-site request refused", "the admin API does not answer requests from web pages", {}
        if headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
            return 403, "Cross-site request refused", "the admin API does not answer requests from web pages", {}
        if self._token is None and self.loopback and not self._own_loopback_host(host):
            return (
                403,
                "Host refused",
                "without an admin token the admin API answers only to a loopback Host such as "
                + (
                    "127.0.0.1 or localhost"
                    if self.listener_port is None
                    else f"127.0.0.1:{self.listener_port} or localhost:{self.listener_port}"
                ),
                {},
            )
        if scope["path"] in PUBLIC_PATHS:
            return None
        if self._token is not None:
            if _ui_page_or_login(scope["path"]):
                return None
            given = headers.get("authorization", "")
            scheme, _, credentials = given.partition(" ")
            if (
                scheme.lower() != "bearer"
                or not hmac.compare_digest(credentials.strip().encode("latin-1", errors="replace"), self._token)
            ) and not self._session_cookie_given(headers.get("cookie", "")):
                detail = "send 'Authorization: Bearer TOKEN' with the admin token mockery was started with"
                return 401, "Admin token required", detail, {"www-authenticate": 'Bearer realm="mockery"'}
            return None
        if not self.loopback:
            return (
                403,
                "Admin API disabled",
                f"without an admin token the admin API answers only on loopback listeners, and this one listens "
                f"on {self.listener_host}: {HOW_TO_ENABLE}",
                {},
            )
        return None

    def token_matches(self, given: str) -> bool:
        """Whether ``given`` is the admin token (constant time); ``False`` when none is set."""
        return self._token is not None and hmac.compare_digest(given.encode("utf-8", errors="replace"), self._token)

    def session_value(self) -> str:
        """The session cookie's value: derived from the token (so no state is kept, every worker agrees, and a
        new token ends every session), never the token itself."""
        if self._token is None:
            raise ValueError("no admin token is set")
        return hmac.new(self._token, _SESSION_CONTEXT, "sha256").hexdigest()

    def _session_cookie_given(self, cookie_header: str) -> bool:
        expected = self.session_value().encode()
        for part in cookie_header.split(";"):
            name, _, value = part.strip().partition("=")
            if name == SESSION_COOKIE and hmac.compare_digest(value.encode("latin-1", errors="replace"), expected):
                return True
        return False

    def _own_loopback_host(self, value: str) -> bool:
        host, port = split_host(value)
        return is_loopback_host(host) and (self.listener_port is None or port in (None, self.listener_port))

    def __repr__(self) -> str:
        where = "loopback" if self.loopback else self.listener_host
        return f"AdminGuard({where}, token={'required' if self._token is not None else 'none'})"


def _ui_page_or_login(path: str) -> bool:
    """The dashboard's page, its packaged files and its login form: no data, and the way to give the token."""
    return path in (UI_PATH, f"{UI_PATH}/login", f"{UI_PATH}/logout") or path.startswith(f"{UI_PATH}/assets/")
