"""counter('name') in templates: counts per service in the state store, survives a restart with a persistent
store, starts again after a reset, and refuses names and steps past its bounds."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockery.store import MemoryStore
from mockery.templates.counters import Counters
from mockery.templates.limits import RenderLimitError

SPEC = """\
service: {name}
routes:
  - path: /next
    response:
      body: {{id: "{{{{ counter('orders') }}}}", peek: "{{{{ counter('orders', 0) }}}}", other: "{{{{ counter() }}}}"}}
"""


def test_counters_count_per_service_and_start_again_after_a_reset(
    tmp_path: Path, write_spec: Callable[..., Path], serve: Any
) -> None:
    shop = write_spec(SPEC.format(name="shop"), "shop.yaml")
    server = serve(shop)
    assert [httpx.get(server.url + "/next").json()["id"] for _ in range(3)] == [1, 2, 3]
    assert httpx.get(server.url + "/next").json() == {"id": 4, "peek": 4, "other": 4}
    server.reset()
    assert httpx.get(server.url + "/next").json()["id"] == 1


def test_counters_persist_in_a_persistent_store(tmp_path: Path, write_spec: Callable[..., Path], serve: Any) -> None:
    spec = write_spec(SPEC.format(name="shop"))
    state = f"sqlite:///{tmp_path / 'state.db'}"
    first = serve(spec, store=state)
    assert httpx.get(first.url + "/next").json()["id"] == 1
    assert httpx.get(first.url + "/next").json()["id"] == 2
    first.stop()
    second = serve(spec, store=state)
    assert httpx.get(second.url + "/next").json()["id"] == 3


def test_services_have_their_own_counters() -> None:
    store = MemoryStore()
    shop, billing = Counters(store, "shop"), Counters(store, "billing")
    assert (shop("n"), shop("n"), billing("n"), shop("n", -5)) == (1, 2, 1, -3)


@pytest.mark.parametrize(
    ("name", "step", "message"),
    [
        pytest.param("", 1, "the name must be text", id="empty name"),
        pytest.param("x" * 201, 1, "the name must be text", id="long name"),
        pytest.param("n", 10**7, "the step must be a whole number", id="huge step"),
        pytest.param("n", 1.5, "the step must be a whole number", id="fraction"),
    ],
)
def test_bad_names_and_steps_are_refused(name: str, step: Any, message: str) -> None:
    with pytest.raises(RenderLimitError, match=message):
        Counters(MemoryStore(), "shop")(name, step)
