"""WebSocket routes (``websocket:``) with a real client (the ``websockets`` package) over a real socket."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from mockery import MockServer
from tests.conftest import WriteSpec
from tests.streams.support import ws_url

Serve = Callable[..., MockServer]

SPEC = """\
service: chat
seed: 11
resources:
  orders:
    count: 2
    fields:
      item: "{{ faker.word() }}"
routes:
  - path: /ws/chat
    name: chat
    websocket:
      subprotocols: [chat.v2, chat.v1]
      on_connect: {hello: "{{ faker.name() }}", room: "{{ request.query.room }}"}
      rules:
        - match: {body: {json: {type: ping}}}
          reply: {type: pong, n: "{{ number }}", lucky: "{{ random.randint(1, 1000) }}"}
        - match: {body: {json_path: {"$.type": shout}}}
          broadcast: "{{ message.json.text | upper }}"
        - match: {body: {text: bye}}
          reply: farewell
          close: {code: 4001, reason: see you}
        - match: {headers: {x-role: admin}, body: {text: {matches: "^sudo "}}}
          reply: granted
      otherwise: "echo {{ message.text }}"
      on: {resource: orders, action: create, send: {created: "{{ record.id }}", item: "{{ record.item }}"}}
  - path: /ws/ticker
    websocket:
      every: {interval: 10ms, send: {tick: "{{ number }}"}, count: 3}
  - path: /ws/short
    websocket:
      on_connect: hi
      close: {code: 4000, reason: time is up, after: 30ms}
  - path: /plain
    response: {body: plain}
"""


async def _recv_json(socket: ClientConnection) -> object:
    return json.loads(await socket.recv())


def test_scripted_replies_follow_the_first_matching_rule(serve: Serve, write_spec: WriteSpec) -> None:
    server = serve(write_spec(SPEC))

    async def talk() -> list[object]:
        async with connect(ws_url(server, "/ws/chat?room=blue"), subprotocols=["chat.v1"]) as socket:
            got: list[object] = [await _recv_json(socket)]
            await socket.send(json.dumps({"type": "ping"}))
            got.append(await _recv_json(socket))
            await socket.send(json.dumps({"type": "ping", "extra": True}))
            got.append(await _recv_json(socket))
            await socket.send("hello there")
            got.append(await socket.recv())
            await socket.send("sudo rm")  # the handshake has no x-role: admin header
            got.append(await socket.recv())
            return got

    hello, pong1, pong2, echo, no_sudo = asyncio.run(talk())
    assert isinstance(hello, dict)
    assert hello["room"] == "blue"
    assert isinstance(hello["hello"], str)
    assert isinstance(pong1, dict)
    assert isinstance(pong2, dict)
    assert (pong1["type"], pong1["n"], pong2["n"]) == ("pong", 1, 2)
    assert echo == "echo hello there"
    assert no_sudo == "echo sudo rm"


def test_conditions_on_the_handshake_headers_hold_for_its_messages(serve: Serve, write_spec: WriteSpec) -> None:
    server = serve(write_spec(SPEC))

    async def talk() -> str | bytes:
        async with connect(ws_url(server, "/ws/chat"), additional_headers={"X-Role": "admin"}) as socket:
            await socket.recv()
            await socket.send("sudo ls")
            return await socket.recv()

    assert asyncio.run(talk()) == "granted"


def test_subprotocols_are_negotiated_and_a_client_without_a_common_one_is_refused(
    serve: Serve, write_spec: WriteSpec
) -> None:
    server = serve(write_spec(SPEC))

    async def chosen(offered: list[str]) -> str | None:
        async with connect(ws_url(server, "/ws/chat"), subprotocols=offered) as socket:  # type: ignore[arg-type]
            return socket.subprotocol

    assert asyncio.run(chosen(["chat.v1", "chat.v2"])) == "chat.v1"  # the client's first the route speaks
    assert asyncio.run(chosen(["other", "chat.v2"])) == "chat.v2"
    with pytest.raises(InvalidStatus) as refused:
        asyncio.run(chosen(["mqtt"]))
    assert refused.value.response.status_code == 400
    assert b"chat.v2" in refused.value.response.body
    assert b"mqtt" in refused.value.response.body


def test_a_rule_closes_with_its_code_and_reason_and_the_route_closes_after_its_time(
    serve: Serve, write_spec: WriteSpec
) -> None:
    server = serve(write_spec(SPEC))

    async def bye() -> tuple[object, int | None, str | None]:
        async with connect(ws_url(server, "/ws/chat")) as socket:
            await socket.recv()
            await socket.send("bye")
            farewell = await socket.recv()
            with pytest.raises(ConnectionClosed):
                await socket.recv()
            return farewell, socket.close_code, socket.close_reason

    assert asyncio.run(bye()) == ("farewell", 4001, "see you")

    async def short() -> tuple[object, int | None, str | None]:
        async with connect(ws_url(server, "/ws/short")) as socket:
            hi = await socket.recv()
            with pytest.raises(ConnectionClosed):
                await socket.recv()
            return hi, socket.close_code, socket.close_reason

    assert asyncio.run(short()) == ("hi", 4000, "time is up")
    closes = [frame for frame in server.websocket_frames("chat") if frame.direction == "close"]
    assert sorted(frame.code for frame in closes if frame.code is not None) == [4000, 4001]


def test_periodic_pushes_are_sent_count_times(serve: Serve, write_spec: WriteSpec) -> None:
    server = serve(write_spec(SPEC))

    async def ticks() -> list[object]:
        async with connect(ws_url(server, "/ws/ticker")) as socket:
            return [await _recv_json(socket) for _ in range(3)]

    assert asyncio.run(ticks()) == [{"tick": 1}, {"tick": 2}, {"tick": 3}]
    sent = [frame.data for frame in server.websocket_frames(route="GET /ws/ticker") if frame.direction == "out"]
    assert sent == ['{"tick":1}', '{"tick":2}', '{"tick":3}']


def test_broadcasts_reach_every_connection_from_a_rule_the_admin_api_a_resource_write_and_mockserver(
    serve: Serve, write_spec: WriteSpec
) -> None:
    server = serve(write_spec(SPEC))

    async def scene() -> tuple[list[object], list[object], dict[str, object]]:
        async with (
            connect(ws_url(server, "/ws/chat")) as one,
            connect(ws_url(server, "/ws/chat")) as two,
            httpx.AsyncClient(base_url=server.url) as client,
        ):
            await one.recv()
            await two.recv()
            await one.send(json.dumps({"type": "shout", "text": "hi all"}))
            admin = await client.post("/__mockery/websockets/chat/chat/broadcast", json={"notice": "maintenance"})
            await client.post("/orders", json={"item": "lamp"})
            assert server.broadcast("chat", "/ws/chat", {"from": "python"}) == 2  # by its path, or its name
            got_one = [await one.recv() for _ in range(4)]
            got_two = [await two.recv() for _ in range(4)]
            return got_one, got_two, admin.json()

    got_one, got_two, admin = asyncio.run(scene())
    expected = ["HI ALL", '{"notice":"maintenance"}', '{"created":3,"item":"lamp"}', '{"from":"python"}']
    assert got_one == got_two == expected
    assert admin == {"route": "chat", "delivered": 2}
    assert server.broadcast("chat", "GET /ws/short", "anyone?") == 0  # a route with no connection open
    with pytest.raises(Exception, match="no WebSocket route 'nope'"):
        server.broadcast("chat", "nope", "x")


def test_the_admin_api_refuses_a_broadcast_to_an_unknown_route_and_lists_frames(
    serve: Serve, write_spec: WriteSpec
) -> None:
    server = serve(write_spec(SPEC))
    with httpx.Client(base_url=server.url) as client:
        unknown = client.post("/__mockery/websockets/chat/chatt/broadcast", content=b"x")
        assert unknown.status_code == 404
        assert unknown.json()["suggestion"] == "did you mean 'chat'?"
        assert client.post("/__mockery/websockets/chta/chat/broadcast", content=b"x").status_code == 404
        bad = client.post(
            "/__mockery/websockets/chat/chat/broadcast", content=b"{", headers={"content-type": "application/json"}
        )
        assert bad.status_code == 400

        async def ping_and_bye() -> None:
            async with connect(ws_url(server, "/ws/chat")) as socket:
                await socket.recv()
                await socket.send('{"type": "ping"}')
                await socket.recv()
                await socket.send("bye")  # the server closes: journaled before the client hears of it
                await socket.recv()

        asyncio.run(ping_and_bye())
        listed = client.get("/__mockery/websockets", params={"route": "chat"}).json()
        assert client.get("/__mockery/websockets", params={"route": "other"}).json() == {"open": 0, "frames": []}
    assert listed["open"] == 0
    directions = [frame["direction"] for frame in listed["frames"]]
    assert directions == ["open", "out", "in", "out", "in", "out", "close"]
    assert listed["frames"][2]["data"] == '{"type": "ping"}'
    assert listed["frames"][-1] == {
        "service": "chat",
        "route": "chat",
        "connection": 1,
        "direction": "close",
        "data": "",
        "code": 4001,
    }


def test_unmatched_paths_and_http_routes_refuse_the_handshake_and_http_gets_a_426(
    serve: Serve, write_spec: WriteSpec
) -> None:
    server = serve(write_spec(SPEC))

    async def handshake(path: str) -> httpx.Response | None:
        try:
            async with connect(ws_url(server, path)):
                return None
        except InvalidStatus as exc:
            response = exc.response
            return httpx.Response(response.status_code, content=bytes(response.body))

    missing = asyncio.run(handshake("/ws/nowhere"))
    assert missing is not None
    assert missing.status_code == 404
    assert missing.json()["title"] == "No route matches"
    plain = asyncio.run(handshake("/plain"))
    assert plain is not None
    assert plain.status_code == 400
    assert "not WebSocket" in plain.json()["detail"]
    admin = asyncio.run(handshake("/__mockery/health"))
    assert admin is not None
    assert admin.status_code == 404
    upgrade_required = httpx.get(server.url + "/ws/chat")
    assert upgrade_required.status_code == 426
    assert upgrade_required.headers["content-type"] == "application/problem+json"


def test_the_same_conversation_gets_the_same_frames_on_another_server(serve: Serve, write_spec: WriteSpec) -> None:
    path = write_spec(SPEC)

    def conversation(server: MockServer) -> list[object]:
        async def talk() -> list[object]:
            async with connect(ws_url(server, "/ws/chat?room=r")) as socket:
                got = [await socket.recv()]
                for _ in range(3):
                    await socket.send('{"type": "ping"}')
                    got.append(await socket.recv())
                return got

        return asyncio.run(talk())

    first, second = serve(path), serve(path)
    frames = conversation(first)
    assert conversation(second) == frames
    assert conversation(first) == frames  # a second connection to the same server too
    luckies = {json.loads(str(frame))["lucky"] for frame in frames[1:]}
    assert len(luckies) > 1  # each reply has its own seed, not one value repeated


def test_chaos_delays_the_first_message_and_a_fault_drops_the_connection(serve: Serve, write_spec: WriteSpec) -> None:
    spec = SPEC + (
        "  - path: /ws/slow\n    delay: 20ms\n    websocket: {on_connect: late}\n"
        "  - path: /ws/broken\n    fault: {kind: reset}\n    websocket: {on_connect: never}\n"
    )
    server = serve(write_spec(spec))

    async def first(path: str) -> tuple[object, int | None]:
        async with connect(ws_url(server, path)) as socket:
            try:
                return await socket.recv(), None
            except ConnectionClosed:
                return None, socket.close_code

    assert asyncio.run(first("/ws/slow")) == ("late", None)
    assert asyncio.run(first("/ws/broken")) == (None, 1011)


def test_an_http_request_answers_while_many_connections_are_open(serve: Serve, write_spec: WriteSpec) -> None:
    server = serve(write_spec(SPEC))

    async def hold() -> tuple[int, str]:
        sockets = [await connect(ws_url(server, "/ws/chat")) for _ in range(200)]
        try:
            for socket in sockets:
                await socket.recv()
            async with httpx.AsyncClient(base_url=server.url) as client:
                answer = await client.get("/plain")
                listed = await client.get("/__mockery/websockets", params={"route": "chat"})
            return listed.json()["open"], answer.text
        finally:
            await asyncio.gather(*(socket.close() for socket in sockets))

    assert asyncio.run(hold()) == (200, "plain")
