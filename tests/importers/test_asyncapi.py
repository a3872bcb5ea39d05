"""`mockery import asyncapi`: channels become WebSocket routes (or event streams) whose messages come from the
document's examples or its payload schemas; the spec loads, serves, and is the same for the same document."""

from __future__ import annotations

import asyncio
import json
import textwrap
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from websockets.asyncio.client import connect

from mockery import MockServer
from mockery.cli import cli
from mockery.errors import SpecErrors
from mockery.importers.asyncapi import write_spec
from mockery.load.loader import load_specs
from tests.streams.support import events, ws_url

CORPUS = (
    Path(__file__).resolve().parents[3] / "shared/corpus/asyncapi/asyncapi-spec_examples__websocket-gemini-asyncapi.yml"
)

CHAT_V3 = """\
asyncapi: 3.0.0
info: {title: Chat, version: 1.0.0}
servers:
  local: {host: localhost, protocol: ws}
channels:
  room:
    address: /rooms/{roomId}
    messages:
      ping:
        payload: {type: object, properties: {type: {const: ping}}, required: [type]}
      pong:
        payload:
          type: object
          properties:
            type: {const: pong}
            note: {type: string, examples: ["{{ 7 * 7 }} stays as written"]}
          required: [type, note]
      welcome:
        payload: {type: object, properties: {motd: {type: string}}, required: [motd]}
operations:
  greet:
    action: send
    channel: {$ref: '#/channels/room'}
    messages: [{$ref: '#/channels/room/messages/welcome'}]
  answerPing:
    action: receive
    channel: {$ref: '#/channels/room'}
    messages: [{$ref: '#/channels/room/messages/ping'}]
    reply:
      messages: [{$ref: '#/channels/room/messages/pong'}]
"""

TICKER_V2 = """\
asyncapi: 2.6.0
info: {title: Ticker feed, version: 1.0.0}
servers:
  production: {url: 'https://feed.example.com', protocol: https}
channels:
  prices/{symbol}:
    subscribe:
      message:
        name: price
        payload:
          type: object
          properties:
            symbol: {type: string, enum: [btc, eth]}
            price: {type: number, minimum: 1, maximum: 5}
          required: [symbol, price]
"""


def _write(tmp_path: Path, text: str, name: str = "doc.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.mark.skipif(not CORPUS.exists(), reason="the AsyncAPI corpus is not here")
def test_the_corpus_document_becomes_a_websocket_route_sending_its_examples(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["import", "asyncapi", str(CORPUS), "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    spec = tmp_path / "gemini-market-data-websocket-api.yaml"
    assert result.output == f"wrote {spec}\n"
    [service] = load_specs([spec]).services
    [route] = service.routes
    assert (route.path, route.name, route.answer.kind) == ("/v1/marketdata/{symbol}", "marketDataV1", "websocket")
    with MockServer(spec) as mock:

        async def first_two() -> list[object]:
            async with connect(ws_url(mock, "/v1/marketdata/btcusd?heartbeat=true")) as socket:
                return [json.loads(await socket.recv()) for _ in range(2)]

        update, heartbeat = asyncio.run(first_two())
    assert update["type"] == "update"
    assert update["eventId"] == 36902233362
    assert update["events"][0]["price"] == 54350.4
    assert heartbeat == {"type": "heartbeat", "socket_sequence": 1656}


def test_a_received_message_with_a_reply_is_answered_by_a_rule_on_its_schema(tmp_path: Path) -> None:
    spec = write_spec(_write(tmp_path, CHAT_V3), tmp_path / "out")
    with MockServer(spec) as mock:

        async def talk() -> list[object]:
            async with connect(ws_url(mock, "/rooms/7")) as socket:
                welcome = json.loads(await socket.recv())
                await socket.send(json.dumps({"type": "nope"}))  # satisfies no rule: no answer
                await socket.send(json.dumps({"type": "ping"}))
                pong = json.loads(await socket.recv())
                return [welcome, pong]

        welcome, pong = asyncio.run(talk())
    assert isinstance(welcome, dict)
    assert isinstance(welcome["motd"], str)
    # The document's text is sent as written: a `{{ }}` in an example is never run as a template.
    assert pong == {"type": "pong", "note": "{{ 7 * 7 }} stays as written"}


def test_http_servers_make_an_event_stream_and_the_same_document_gives_the_same_spec(tmp_path: Path) -> None:
    document = _write(tmp_path, TICKER_V2)
    spec = write_spec(document, tmp_path / "one")
    again = write_spec(document, tmp_path / "two")
    assert spec.read_text() == again.read_text()
    [route] = load_specs([spec]).services[0].routes
    assert (route.path, route.answer.kind) == ("/prices/{symbol}", "events")
    with (
        MockServer(spec) as mock,
        httpx.Client(base_url=mock.url, timeout=10) as client,
        client.stream("GET", "/prices/btc") as stream,
    ):
        first = next(event for event in events(stream.iter_lines()) if event.data)
    price = json.loads(first.text)
    assert first.event == "price"
    assert price["symbol"] in ("btc", "eth")
    assert 1 <= price["price"] <= 5


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("openapi: 3.1.0\ninfo: {title: x, version: '1'}\npaths: {}\n", 1, "not an AsyncAPI document"),
        ("asyncapi: 1.2.0\nchannels: {a: {}}\n", 1, "AsyncAPI 1.2.0 is not read; versions 2.x and 3.x are"),
        ("asyncapi: 3.0.0\ninfo: {title: x, version: '1'}\n", 1, "the document has no channels"),
        ("asyncapi: 3.0.0\nchannels:\n  a: [unclosed\n", 4, "not valid YAML"),
    ],
    ids=["openapi", "old-version", "no-channels", "bad-yaml"],
)
def test_a_file_that_is_no_asyncapi_document_is_refused_where_it_goes_wrong(
    tmp_path: Path, text: str, line: int, message: str
) -> None:
    document = _write(tmp_path, text)
    with pytest.raises(SpecErrors) as info:
        write_spec(document, tmp_path / "out")
    [error] = info.value.errors
    assert error.line == line
    assert error.message.startswith(message)
    assert not (tmp_path / "out").exists()
    result = CliRunner().invoke(cli, ["import", "asyncapi", str(document), "-o", str(tmp_path / "out")])
    assert result.exit_code != 0
    assert message in result.output
