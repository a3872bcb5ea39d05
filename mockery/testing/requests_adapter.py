"""An in-process transport adapter for ``requests`` sessions (``MockServer.requests_adapter``): see
``mockery.testing.transport``, whose router it shares with the httpx transport."""

from __future__ import annotations

import io
from collections.abc import Mapping

try:
    import requests
    import requests.adapters
    import requests.structures
    import requests.utils
except ImportError:  # pragma: no cover - requests is the user's choice, not a dependency
    raise ImportError("MockServer.requests_adapter needs requests: pip install requests") from None

from mockery.testing.transport import Broken, Router, reason


class RequestsAdapter(requests.adapters.BaseAdapter):
    """Answers a ``requests`` session's requests from a ``MockServer`` without sockets. Mount it for the
    URLs it should answer: ``session.mount("https://api.stripe.com", adapter)``, or ``"http://"`` and
    ``"https://"`` for every request. A broken connection (a fault) is ``requests.ConnectionError``."""

    def __init__(self, router: Router) -> None:
        super().__init__()
        self._router = router

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: float | tuple[float, float] | tuple[float, None] | None = None,
        verify: bool | str = True,
        cert: bytes | str | tuple[bytes | str, bytes | str] | None = None,
        proxies: Mapping[str, str] | None = None,
    ) -> requests.Response:
        body = request.body or b""
        data = body.encode() if isinstance(body, str) else bytes(body)
        headers = [(name.encode("latin-1"), str(value).encode("latin-1")) for name, value in request.headers.items()]
        url = request.url or ""
        read_timeout = timeout[1] if isinstance(timeout, tuple) else timeout
        try:
            exchange = self._router.call(request.method or "GET", url, headers, data, read_timeout)
        except LookupError as exc:
            raise requests.exceptions.ConnectionError(str(exc), request=request) from None
        except TimeoutError as exc:
            raise requests.exceptions.ReadTimeout(str(exc), request=request) from None
        except Broken as exc:
            raise requests.exceptions.ConnectionError(str(exc), request=request) from None
        response = requests.Response()
        response.status_code = exchange.status
        response.reason = reason(exchange.status)
        merged: dict[str, str] = {}
        for name, value in exchange.headers:
            key, text = name.decode("latin-1"), value.decode("latin-1")
            merged[key] = f"{merged[key]}, {text}" if key in merged else text
        response.headers = requests.structures.CaseInsensitiveDict(merged)
        response.encoding = requests.utils.get_encoding_from_headers(response.headers)
        response.raw = io.BytesIO(exchange.body)
        response.url = url
        response.request = request
        return response

    def close(self) -> None:
        return None

    def __repr__(self) -> str:
        return f"RequestsAdapter({self._router!r})"
