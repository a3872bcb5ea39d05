"""The admin rules hold for the dashboard: off loopback without a token everything is refused; with a token,
the page and its login answer, the data does not until the token is given once to the login form, whose
session cookie (HttpOnly, SameSite=Strict, scoped to /__mockery) then stands for it; a foreign Origin is
refused, cookie or not."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from dashboard_support import running

from mockery.server.server import Server

SPEC = """\
service: shop
routes:
  - {path: /cart, response: {body: {cart: open}}}
"""
TOKEN = "s3cret-Token-dashboard"
DATA = ("/__mockery/services", "/__mockery/routes", "/__mockery/requests.har", "/__mockery/requests/stream")


def local_url(server: Server) -> str:
    """The listener reached through 127.0.0.1, whatever address it listens on."""
    return f"http://127.0.0.1:{server.listeners[0].socket.getsockname()[1]}"


@pytest.fixture
def spec(write_spec: Callable[..., Path]) -> Path:
    return write_spec(SPEC)


def test_off_loopback_without_a_token_the_dashboard_is_refused(spec: Path) -> None:
    with running(spec, host="0.0.0.0") as server:
        url = local_url(server)
        for path in ("/__mockery/ui", "/__mockery/ui/assets/app.js", *DATA):
            refused = httpx.get(url + path)
            assert refused.status_code == 403, path
            assert "MOCKERY_ADMIN_TOKEN" in refused.json()["detail"]
        login = httpx.post(f"{url}/__mockery/ui/login", data={"token": "anything"})
        assert login.status_code == 403
        assert "set-cookie" not in login.headers


def test_with_a_token_the_login_gives_a_session_cookie_that_opens_the_data(spec: Path) -> None:
    with running(spec, host="0.0.0.0", admin_token=TOKEN) as server, httpx.Client(base_url=local_url(server)) as client:
        # The page holds no data: it answers, and asks for the token.
        assert client.get("/__mockery/ui").status_code == 200
        assert client.get("/__mockery/ui/assets/app.js").status_code == 200
        for path in DATA:
            refused = client.get(path)
            assert refused.status_code == 401, path
            assert refused.headers["www-authenticate"] == 'Bearer realm="mockery"'
        wrong = client.post("/__mockery/ui/login", data={"token": TOKEN + "x"})
        assert wrong.status_code == 401
        assert wrong.json()["title"] == "Wrong admin token"
        assert "set-cookie" not in wrong.headers
        assert client.post("/__mockery/ui/login", data={"other": TOKEN}).status_code == 401
        assert client.post("/__mockery/ui/login", content=b"token=" + b"x" * 5000).status_code == 400
        signed_in = client.post("/__mockery/ui/login", data={"token": TOKEN})
        assert signed_in.status_code == 204
        cookie = signed_in.headers["set-cookie"]
        assert cookie.startswith("mockery_admin=")
        for attribute in ("HttpOnly", "Path=/__mockery", "SameSite=strict"):
            assert attribute.lower() in cookie.lower(), attribute
        value = client.cookies["mockery_admin"]
        assert TOKEN not in value
        assert client.get("/__mockery/services").json()["services"][0]["name"] == "shop"
        assert client.get("/__mockery/routes").status_code == 200
        # The cookie opens every admin endpoint a bearer token does.
        assert client.post("/__mockery/reset").status_code == 200
        # A foreign page's request is refused, cookie or not (SameSite keeps browsers from sending it anyway).
        foreign = client.get("/__mockery/services", headers={"Origin": "http://evil.test"})
        assert foreign.status_code == 403
        cross = client.post("/__mockery/ui/login", data={"token": TOKEN}, headers={"Sec-Fetch-Site": "cross-site"})
        assert cross.status_code == 403
        # A forged cookie is worth nothing; logging out clears the real one.
        assert (
            httpx.get(f"{local_url(server)}/__mockery/services", cookies={"mockery_admin": "0" * 64}).status_code == 401
        )
        logout = client.post("/__mockery/ui/logout")
        assert logout.status_code == 204
        assert "max-age=0" in logout.headers["set-cookie"].lower()
        assert client.get("/__mockery/services").status_code == 401


def test_on_loopback_without_a_token_a_foreign_origin_or_host_is_refused(spec: Path) -> None:
    with running(spec) as server:
        url = local_url(server)
        assert httpx.get(f"{url}/__mockery/ui").status_code == 200
        assert httpx.get(f"{url}/__mockery/routes").status_code == 200
        assert httpx.post(f"{url}/__mockery/ui/login", data={"token": "x"}).status_code == 204  # nothing to give
        assert httpx.get(f"{url}/__mockery/ui", headers={"Origin": "http://evil.test"}).status_code == 403
        assert httpx.get(f"{url}/__mockery/requests/stream", headers={"Host": "evil.test"}).status_code == 403
        assert httpx.get(f"{url}/__mockery/ui", headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
