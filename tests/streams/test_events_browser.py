"""A real browser's EventSource (headless Chromium) reads mockery's event streams: named events with their ids,
a reconnection that resumes with Last-Event-ID, and a live event when the page itself creates a record."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from mockery import MockServer

SCRIPT = """
const out = {events: [], opens: 0};
function show(state) {
  document.getElementById("out").textContent = state + "ULT" + JSON.stringify(out) + "E" + "ND";
}
// One stream at a time: virtual time (the reconnection's timer) stands still while a request is open.
const ticks = new EventSource("/ticks");
ticks.onopen = () => {
  out.opens += 1;
  if (out.opens < 2) return;
  ticks.close();  // reconnected with Last-Event-ID: now the live list
  const live = new EventSource("/orders/live");
  live.onopen = () => fetch("/orders", {
    method: "POST", headers: {"content-type": "application/json"}, body: JSON.stringify({item: "lamp"}),
  });
  live.addEventListener("orders.create", (e) => { out.created = JSON.parse(e.data); live.close(); show("RES"); });
};
for (const type of ["tick", "tock"]) {
  ticks.addEventListener(type, (e) => out.events.push([type, e.lastEventId, e.data]));
}
ticks.onmessage = (e) => out.events.push(["message", e.lastEventId, e.data]);
show("PARTIAL");
"""

SPEC = {
    "service": "live",
    "resources": {"orders": {"count": 2, "fields": {"item": "{{ faker.word() }}"}}},
    "routes": [
        {
            "path": "/",
            "response": {
                "headers": {"Content-Type": "text/html"},
                "body": '<html><body><pre id="out">pending</pre><script>' + SCRIPT + "</script></body></html>",
            },
        },
        {
            "path": "/ticks",
            "events": {
                "retry": 50,
                "send": [
                    {"event": "tick", "data": {"n": "{{ number }}"}},
                    {"event": "tock", "data": "second", "delay": "10ms"},
                    {"data": "last"},
                ],
            },
        },
        {"path": "/orders/live", "events": {"heartbeat": "1s", "on": {"resource": "orders", "action": "create"}}},
    ],
}


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Chromium is not installed (apt-get install chromium)")
@pytest.mark.slow
def test_an_event_source_in_chromium_receives_events_resumes_and_sees_a_live_record(tmp_path: Path) -> None:
    with MockServer(inline=[SPEC]) as mock:
        dom = subprocess.run(
            [
                "chromium",
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-dev-shm-usage",
                f"--user-data-dir={tmp_path / 'profile'}",
                "--virtual-time-budget=10000",
                "--dump-dom",
                f"{mock.url}/",
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
        streams = [call for call in mock.calls if call.path == "/ticks"]
    text = dom.stdout
    assert "RESULT" in text, text[:3000] + dom.stderr[-2000:]
    result = json.loads(text[text.index("RESULT") + 6 : text.index("END")])
    assert result["events"][:3] == [["tick", "1", '{"n":1}'], ["tock", "2", "second"], ["message", "3", "last"]]
    # The stream ended; the browser came back after `retry` ms with the last id, and got nothing again.
    assert len(result["events"]) == 3
    assert streams[0].headers.get("last-event-id") is None
    assert streams[1].headers["last-event-id"] == "3"
    assert result["created"]["item"] == "lamp"
    assert result["created"]["id"] == 3
