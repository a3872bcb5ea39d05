"""The dispatcher's bounds: a stalled receiver holds no request, a full queue drops (counted), shutdown drains
then cancels."""

from __future__ import annotations

import asyncio

import httpx

from mockery import MockServer
from mockery.callbacks.dispatcher import Dispatcher
from mockery.model.callbacks import Callback, Retry
from mockery.templates.values import ConstantValue
from tests.callbacks.receiver import Receiver
from tests.conftest import WriteSpec


def _callback(url: str) -> Callback:
    return Callback(name="hook", method="POST", url=ConstantValue(url), retry=Retry(attempts=1))


def test_a_stalled_receiver_never_delays_other_requests(write_spec: WriteSpec) -> None:
    receiver = Receiver(stall=True).__enter__()
    spec = write_spec(f"""
        service: shop
        routes:
          - path: /orders
            method: POST
            response: {{status: 201}}
            callbacks:
              - url: {receiver.url}/hooks
          - path: /health
            response: {{body: {{ok: true}}}}
        """)
    mock = MockServer(spec).start()
    try:
        assert httpx.post(f"{mock.url}/orders", timeout=5).status_code == 201
        receiver.wait_for(1)  # the callback is in flight, held by the receiver
        ordinary = httpx.get(f"{mock.url}/health", timeout=5)
        second = httpx.post(f"{mock.url}/orders", timeout=5)
        [first, *_] = mock.callbacks
        pending = first.state
    finally:
        receiver.__exit__(None, None, None)  # releases the held request: the server's drain is then quick
        mock.stop()
    assert ordinary.status_code == 200
    assert ordinary.json() == {"ok": True}
    assert second.status_code == 201
    assert pending == "pending"


def test_shutdown_cancels_what_does_not_finish_in_time_and_a_full_queue_drops() -> None:
    async def scenario(url: str) -> tuple[list[str], int, list[str]]:
        dispatcher = Dispatcher(max_pending=2)
        made = [dispatcher.schedule(_callback(url), {}, "shop", "POST /orders", {}, n) for n in range(3)]
        dropped = dispatcher.journal.dropped
        await dispatcher.close(timeout=0.2)
        states = [delivery.state for delivery in dispatcher.journal.deliveries()]
        return [("dropped" if delivery is None else "scheduled") for delivery in made], dropped, states

    with Receiver(stall=True) as receiver:
        made, dropped, states = asyncio.run(scenario(f"{receiver.url}/hooks"))
    assert made == ["scheduled", "scheduled", "dropped"]
    assert dropped == 1
    assert states == ["cancelled", "cancelled"]


def test_shutdown_lets_a_delivery_in_flight_finish() -> None:
    async def scenario(url: str) -> list[str]:
        dispatcher = Dispatcher()
        dispatcher.schedule(_callback(url), {}, "shop", "POST /orders", {}, 0)
        await dispatcher.close(timeout=10)
        return [delivery.state for delivery in dispatcher.journal.deliveries()]

    with Receiver() as receiver:
        assert asyncio.run(scenario(f"{receiver.url}/hooks")) == ["delivered"]
        assert len(receiver.received) == 1


def test_a_static_callback_to_the_mock_itself_is_found_with_its_place(write_spec: WriteSpec) -> None:
    from mockery.callbacks.dispatcher import static_loops
    from mockery.load.loader import load_specs

    spec = write_spec("""
        service: shop
        routes:
          - path: /orders
            method: POST
            response: {status: 201}
            callbacks:
              - url: http://localhost:8123/hooks
              - url: http://127.0.0.1:8123/allowed
                allow_self: true
              - url: http://127.0.0.1:9999/elsewhere
    """)
    services = load_specs([spec]).services
    [problem] = static_loops(services, [("127.0.0.1", 8123)])
    assert problem.startswith(f"{spec}:8:")
    assert "http://localhost:8123/hooks" in problem
    assert "allow_self" in problem
    assert len(static_loops(services, [("0.0.0.0", 8123)])) == 1
    assert static_loops(services, [("127.0.0.1", 8124)]) == []


def test_the_route_table_shows_a_routes_callbacks(write_spec: WriteSpec) -> None:
    from mockery.load.loader import load_specs
    from mockery.server.route_table import route_rows

    spec = write_spec("""
        service: shop
        routes:
          - path: /orders
            method: POST
            response: {status: 201}
            callbacks:
              - url: http://localhost:9000/a
              - url: http://localhost:9000/b
          - path: /orders
            response: {body: []}
    """)
    [service] = load_specs([spec]).services
    kinds = {row.method: row.kind for row in route_rows([("shared", [service])])}
    assert kinds == {"POST": "template +2 callbacks", "GET": "template"}
