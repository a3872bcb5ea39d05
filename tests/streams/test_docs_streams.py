"""The Server-Sent Events and WebSocket sections of docs/streams.md: their examples run as the page says, and
their tables name every key of the schema."""

from __future__ import annotations

import asyncio
import json
import re  # re-ok: fixed patterns
from pathlib import Path

import httpx
from websockets.asyncio.client import connect

from mockery import MockServer
from mockery.load.schema import spec_schema
from tests.streams.support import events, ws_url

STREAMS = Path(__file__).resolve().parents[2] / "docs" / "streams.md"
_BLOCK = re.compile(r"^```(yaml|python|console)\n(.*?)^```", re.DOTALL | re.MULTILINE)


def _section(title: str) -> str:
    return STREAMS.read_text(encoding="utf-8").split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]


def _blocks(title: str, language: str) -> list[str]:
    return [text for kind, text in _BLOCK.findall(_section(title)) if kind == language]


def _table_keys(title: str) -> set[str]:
    return {row.split("`")[1] for row in _section(title).splitlines() if row.startswith("| `")}


def test_the_tables_name_every_key_of_the_schema() -> None:
    definitions = spec_schema()["$defs"]
    assert _table_keys("Server-Sent Events") == set(definitions["events"]["properties"])
    assert _table_keys("WebSocket") == set(definitions["websocket"]["properties"])


def test_the_event_stream_example_sends_what_the_page_says(tmp_path: Path) -> None:
    [example] = _blocks("Server-Sent Events", "yaml")
    spec = tmp_path / "jobs.yaml"
    spec.write_text(example, encoding="utf-8")
    with MockServer(spec) as mock, httpx.Client(base_url=mock.url, timeout=10) as client:
        answer = client.get("/jobs/42/progress")
        received = list(events(iter(answer.text.split("\n"))))
        assert received[0].retry == 2000
        assert [(e.event, e.id, e.text) for e in received[1:]] == [
            ("started", "1", '{"job":"42"}'),
            ("progress", "2", '{"percent":50}'),
            ("done", "finished", "job 42 done"),
        ]
        resumed = client.get("/jobs/42/progress", headers={"Last-Event-ID": "2"}).text
        assert [e.id for e in events(iter(resumed.split("\n"))) if e.data] == ["finished"]
        with client.stream("GET", "/orders/live") as stream:
            lines = stream.iter_lines()
            created = client.post("/orders", json={"item": "lamp"}).json()
            client.delete(f"/orders/{created['id']}")
            live = [event for _, event in zip(range(2), events(lines), strict=False)]
    assert (live[0].event, json.loads(live[0].text)) == ("orders.create", created)
    assert (live[1].event, json.loads(live[1].text)) == ("order.changed", {"id": created["id"], "change": "delete"})


def test_the_websocket_example_talks_as_the_page_says(tmp_path: Path) -> None:
    [example] = _blocks("WebSocket", "yaml")
    spec = tmp_path / "chat.yaml"
    spec.write_text(example, encoding="utf-8")
    [snippet] = _blocks("WebSocket", "python")
    [command] = _blocks("WebSocket", "console")
    assert "/__mockery/websockets/chat/chat/broadcast" in command
    with MockServer(spec) as mock:

        async def talk() -> list[str | bytes]:
            async with connect(ws_url(mock, "/ws/chat?room=blue"), subprotocols=["chat.v1"]) as socket:  # type: ignore[list-item]
                got = [await socket.recv()]
                await socket.send('{"type": "ping"}')
                got.append(await socket.recv())
                async with httpx.AsyncClient(base_url=mock.url) as client:
                    shell = command.split("curl ", 1)[1]
                    body = shell.split("-d '", 1)[1].rstrip("'\n")
                    sent = await client.post(
                        "/__mockery/websockets/chat/chat/broadcast",
                        content=body,
                        headers={"content-type": "application/json"},
                    )
                    assert sent.json() == {"route": "chat", "delivered": 1}
                got.append(await socket.recv())
                scope = {"mock": mock}
                exec(snippet, scope)  # the page's MockServer lines, against this server
                got.append(await socket.recv())
                await socket.send("bye")
                got.append(await socket.recv())
                return got

        hello, pong, notice, again, farewell = asyncio.run(talk())
    assert json.loads(hello)["room"] == "blue"
    assert pong == '{"type":"pong","n":1}'
    assert notice == again == '{"notice":"maintenance"}'
    assert farewell == "farewell"
