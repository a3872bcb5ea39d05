"""The dashboard in headless Chromium against a real server: it loads with no request leaving the listener,
shows a request live with both bodies, a near-miss with its failed condition, edits a record through the REST
API, switches a scenario and a profile, signs in with the admin token, and writes the screenshots of
docs/dashboard.md."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from dashboard_browser import Browser, browser_in, needs_chromium
from dashboard_support import running

from mockery import MockServer

pytestmark = [pytest.mark.slow, needs_chromium]

DOCS = Path(__file__).resolve().parents[2] / "docs" / "dashboard"

SPEC = """\
service: shop
profiles:
  flaky:
    fault: {rate: 1, kind: status, status: 502}
routes:
  - path: /orders
    method: POST
    match:
      headers: {X-Key: abc}
    response: {status: 201, body: {created: "{{ request.body.item }}"}}
  - {path: /cart, scenario: {name: checkout, state: started}, response: {body: {cart: open}}}
  - {path: /cart, scenario: {name: checkout, state: paid}, response: {body: {cart: paid}}}
resources:
  users:
    count: 12
    fields:
      name: "{{ faker.first_name() }}"
      city: "{{ faker.city() }}"
"""

Serve = Callable[..., MockServer]


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    yield from browser_in(tmp_path_factory.mktemp("chromium"))


@pytest.fixture
def shop(write_spec: Callable[..., Path], serve: Serve, browser: Browser) -> Iterator[MockServer]:
    server = serve(write_spec(SPEC))
    browser.requests.clear()
    browser.size(1280, 860)
    browser.goto(f"{server.url}/__mockery/ui#requests")
    browser.wait_for("document.body.dataset.ready === 'true'")
    yield server
    browser.goto("about:blank")  # the journal's stream closes before the server stops


def open_view(browser: Browser, view: str) -> None:
    browser.js(f"location.hash = '#{view}'")
    browser.wait_for(f"!document.querySelector('#view-{view}').hidden")


def row_for(browser: Browser, text: str) -> str:
    """A selector for the journal's newest row whose text holds ``text`` (waited for)."""
    found = browser.wait_for(
        "(() => { const b = [...document.querySelectorAll('#journal button')]"
        + f".find((b) => b.textContent.includes({json.dumps(text)}));"
        + " return b ? b.dataset.id : null })()"
    )
    return f'#journal button[data-id="{found}"]'


def test_the_page_loads_with_no_request_leaving_the_listener(shop: MockServer, browser: Browser) -> None:
    browser.wait_for("document.querySelector('#journal-count').textContent !== ''")
    requests = list(browser.requests)
    assert any(url.endswith("/__mockery/ui/assets/app.js") for url in requests)
    assert any("/__mockery/requests/stream" in url for url in requests)
    assert all(url.startswith(shop.url + "/") for url in requests), requests
    assert browser.console == []


def test_a_request_appears_within_a_second_with_both_bodies(shop: MockServer, browser: Browser) -> None:
    answer = httpx.post(f"{shop.url}/orders?source=test", json={"item": "lamp"}, headers={"X-Key": "abc"})
    assert answer.status_code == 201
    sent = time.monotonic()
    selector = row_for(browser, "/orders?source=test")
    assert time.monotonic() - sent < 1.0
    browser.click(selector)
    request_body = json.loads(browser.text("#detail .request-body"))
    answer_body = json.loads(browser.text("#detail .answer-body"))
    assert request_body == {"item": "lamp"}
    assert answer_body == {"created": "lamp"}
    detail = browser.text("#detail")
    assert "spec.yaml:6:5" in detail  # the route's file:line:column
    assert "x-key" in detail
    assert "source" in detail
    curl = browser.text("#detail .curl")
    assert curl.startswith(f"curl -X POST '{shop.url}/orders?source=test'")
    assert "-H 'x-key: abc'" in curl
    assert """--data-binary '{"item":"lamp"}'""" in curl


def test_a_near_miss_shows_each_failed_condition_and_the_filters_narrow_the_list(
    shop: MockServer, browser: Browser
) -> None:
    assert httpx.post(f"{shop.url}/orders", json={"item": "desk"}).status_code == 404
    assert httpx.get(f"{shop.url}/cart").status_code == 200
    browser.click(row_for(browser, "unmatched"))
    reasons = browser.js("[...document.querySelectorAll('#detail .closest li.reason')].map((r) => r.textContent)")
    assert "failed: headers.x-key: expected 'abc', got nothing" in reasons
    assert "POST /orders" in browser.text("#detail .closest")
    # Unmatched only: the matched GET /cart leaves the list.
    browser.js("document.querySelector('#filters [name=unmatched]').click()")
    browser.wait_for("![...document.querySelectorAll('#journal button')].some((b) => b.textContent.includes('/cart'))")
    assert "/orders" in browser.text("#journal")
    # Keyboard: the rows are buttons, and the arrow keys move between them.
    browser.js("document.querySelector('#filters [name=unmatched]').click()")
    browser.wait_for("document.querySelectorAll('#journal button').length >= 2")
    browser.js("document.querySelector('#journal button').focus()")
    browser.key("ArrowDown", "ArrowDown", 40)
    browser.wait_for("document.activeElement === document.querySelectorAll('#journal button')[1]")
    assert browser.js("document.activeElement.getAttribute('aria-pressed')") == "true"


def test_editing_and_deleting_a_record_goes_through_the_rest_api(shop: MockServer, browser: Browser) -> None:
    open_view(browser, "data")
    browser.wait_for("document.querySelector('#page-label').textContent.includes('12 records')")
    assert browser.text("#page-label") == "page 1 of 2, 12 records"
    browser.js("document.querySelector('#data-query').value = 'id_gte=5'")
    browser.click("#data-form button[type=submit]")
    browser.wait_for("document.querySelector('#page-label').textContent === 'page 1 of 1, 8 records'")
    browser.click("#records button.edit")
    record = json.loads(browser.js("document.querySelector('#editor-text').value"))
    assert record["id"] == 5
    record["name"] = "Edited"
    browser.js(f"document.querySelector('#editor-text').value = {json.dumps(json.dumps(record))}")
    browser.click("#editor button[type=submit]")
    browser.wait_for("document.querySelector('#editor').hidden")
    assert httpx.get(f"{shop.url}/users/5").json()["name"] == "Edited"
    browser.wait_for("document.querySelector('#records tbody').textContent.includes('Edited')")
    # A record the REST API refuses: the editor stays open and says why.
    browser.click("#records button.edit")
    browser.js("document.querySelector('#editor-text').value = '{not json'")
    browser.click("#editor button[type=submit]")
    assert browser.text("#editor-error").startswith("Not JSON")
    browser.click("#editor-cancel")
    browser.click("#records button.delete")
    browser.wait_for("document.querySelector('#page-label').textContent === 'page 1 of 1, 7 records'")
    assert httpx.get(f"{shop.url}/users/5").status_code == 404


def test_switching_a_scenario_and_a_profile_changes_the_next_answer(shop: MockServer, browser: Browser) -> None:
    assert httpx.get(f"{shop.url}/cart").json() == {"cart": "open"}
    open_view(browser, "control")
    browser.wait_for("!!document.querySelector('form[data-scenario=checkout] select')")
    browser.js("document.querySelector('form[data-scenario=checkout] select').value = 'paid'")
    browser.click("form[data-scenario=checkout] button")
    browser.wait_for("document.querySelector('#status').textContent === 'Scenario checkout is now paid.'")
    assert httpx.get(f"{shop.url}/cart").json() == {"cart": "paid"}
    browser.wait_for("[...document.querySelectorAll('#profile option')].some((o) => o.textContent === 'flaky')")
    browser.js("document.querySelector('#profile').value = 'flaky'")
    browser.click("#profile-form button")
    browser.wait_for("document.querySelector('#status').textContent === 'Profile: flaky.'")
    assert httpx.get(f"{shop.url}/cart").status_code == 502
    browser.click("#reset")
    browser.wait_for("document.querySelector('#status').textContent === 'The server is back to its start.'")
    assert httpx.get(f"{shop.url}/cart").status_code == 502  # the profile is a setting: a reset keeps it
    browser.js("document.querySelector('#profile').value = ''")
    browser.click("#profile-form button")
    browser.wait_for("document.querySelector('#status').textContent === 'Profile: none.'")
    assert httpx.get(f"{shop.url}/cart").json() == {"cart": "open"}


def test_with_a_token_the_page_asks_for_it_once_and_keeps_a_session(
    write_spec: Callable[..., Path], browser: Browser
) -> None:
    with running(write_spec(SPEC), admin_token="s3cret-token") as server:
        signs_in(browser, server.url)


def signs_in(browser: Browser, url: str) -> None:
    browser.goto(f"{url}/__mockery/ui")
    browser.wait_for("!document.querySelector('#login').hidden")
    browser.js("document.querySelector('#token').value = 'wrong'")
    browser.click("#login-form button")
    browser.wait_for("document.querySelector('#login-error').textContent.includes('Wrong admin token')")
    browser.js("document.querySelector('#token').value = 's3cret-token'")
    browser.click("#login-form button")
    browser.wait_for("document.body.dataset.ready === 'true'")
    assert browser.js("document.cookie") == ""  # HttpOnly: the page's scripts cannot read it
    httpx.get(f"{url}/cart")
    row_for(browser, "/cart")
    # A reload keeps the session: no second login.
    browser.goto(f"{url}/__mockery/ui#routes")
    browser.wait_for("!!document.querySelector('#routes-table tbody tr')")
    assert browser.js("document.querySelector('#login').hidden") is True
    browser.goto("about:blank")


def test_screenshots_of_the_main_views(shop: MockServer, browser: Browser, tmp_path: Path) -> None:
    # Into docs/ only when asked (MOCKERY_WRITE_SCREENSHOTS=1): a test run leaves the checkout as it found it.
    shots = DOCS if os.environ.get("MOCKERY_WRITE_SCREENSHOTS") == "1" else tmp_path
    shots.mkdir(exist_ok=True)
    httpx.post(f"{shop.url}/orders", json={"item": "lamp"}, headers={"X-Key": "abc"})
    httpx.get(f"{shop.url}/users?_limit=2")
    httpx.post(f"{shop.url}/orders", json={"item": "desk"}, headers={"X-Key": "abd"})
    browser.click(row_for(browser, "unmatched"))
    browser.wait_for("!!document.querySelector('#detail .closest')")
    browser.screenshot(shots / "requests.png")
    open_view(browser, "routes")
    browser.wait_for("document.querySelectorAll('#routes-table tbody tr').length >= 9")
    assert "spec.yaml:6:5" in browser.text("#routes-table tbody")
    browser.screenshot(shots / "routes.png")
    open_view(browser, "data")
    browser.wait_for("!!document.querySelector('#records tbody button.edit')")
    browser.click("#records button.edit")
    browser.screenshot(shots / "data.png")
    open_view(browser, "control")
    browser.wait_for("!!document.querySelector('form[data-scenario=checkout]')")
    browser.screenshot(shots / "control.png")
    # Dark by system preference, and a narrow window with nothing wider than the screen.
    open_view(browser, "requests")
    browser.size(380, 800, dark=True)
    browser.wait_for("getComputedStyle(document.body).backgroundColor === 'rgb(22, 22, 22)'")
    wide = browser.js(
        "[...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > innerWidth + 1)"
        ".map((e) => e.tagName + '#' + e.id + '.' + e.className).slice(0, 8)"
    )
    assert browser.js("document.documentElement.scrollWidth <= window.innerWidth"), wide
    browser.screenshot(shots / "narrow-dark.png")
    for name in ("requests", "routes", "data", "control", "narrow-dark"):
        assert (shots / f"{name}.png").read_bytes().startswith(b"\x89PNG")


def test_a_foreign_page_cannot_make_the_browser_reset_the_server(
    shop: MockServer, write_spec: Callable[..., Path], serve: Serve, browser: Browser
) -> None:
    httpx.put(f"{shop.url}/__mockery/scenarios/checkout", json={"state": "paid"})
    target = f"{shop.url}/__mockery/reset"
    form = f'<form method="post" action="{target}"></form><script src="/go.js"></script>'
    page = f"""\
service: page
routes:
  - path: /
    response: {{headers: {{Content-Type: text/html}}, body: {json.dumps(form)}}}
  - path: /go.js
    response: {{headers: {{Content-Type: text/javascript}}, body: "document.forms[0].submit()"}}
"""
    site = serve(write_spec(page, "page.yaml"))
    browser.goto("about:blank")
    browser.send("Page.navigate", session=True, url=f"{site.url}/")  # the page leaves at once: not waited for
    browser.wait_for(f"location.href === {json.dumps(target)} && document.readyState === 'complete'")
    assert "Cross-site request refused" in browser.js("document.body.textContent")
    assert httpx.get(f"{shop.url}/__mockery/scenarios/checkout").json()["state"] == "paid"


def test_a_failed_reload_shows_each_error_with_its_place(write_spec: Callable[..., Path], browser: Browser) -> None:
    spec = write_spec(SPEC)
    with running(spec, reload=True) as server:
        spec.write_text(SPEC.replace("    method: POST\n", "    method: POST\n    respnse: {}\n"), encoding="utf-8")
        url = f"http://127.0.0.1:{server.listeners[0].socket.getsockname()[1]}"
        browser.goto(f"{url}/__mockery/ui#routes")
        browser.wait_for("document.body.dataset.ready === 'true'")
        deadline = time.monotonic() + 10
        while httpx.get(f"{url}/__mockery/reload").json()["last_error"] is None:
            assert time.monotonic() < deadline, "the reload did not fail"
            time.sleep(0.05)
        browser.js("location.hash = '#data'")
        open_view(browser, "routes")
        alert = browser.text("#reload [role=alert]")
        assert f"{spec}:8:5: routes[0].respnse: unknown key 'respnse'; did you mean 'response'?" in alert
        assert "spec.yaml:6:5" in browser.text("#routes-table tbody")  # the last good specs still serve
        browser.goto("about:blank")
