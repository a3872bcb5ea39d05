"""The Callbacks section of docs/streams.md: its example spec loads and sends what the page says."""

from __future__ import annotations

import re  # re-ok: a fixed pattern
from pathlib import Path

import httpx
import pytest

from mockery import MockServer
from mockery.load.loader import load_specs
from tests.callbacks.receiver import Receiver

STREAMS = Path(__file__).resolve().parents[2] / "docs" / "streams.md"
_YAML = re.compile(r"^```yaml\n(.*?)^```", re.DOTALL | re.MULTILINE)


def _callbacks_section() -> str:
    text = STREAMS.read_text(encoding="utf-8")
    return text.split("## Callbacks", 1)[1].split("\n## ", 1)[0]


def test_the_callbacks_example_loads_and_sends_a_signed_webhook(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    example, *_ = _YAML.findall(_callbacks_section())
    monkeypatch.setenv("WEBHOOK_SECRET", "whsec")
    spec = tmp_path / "payments.yaml"
    spec.write_text(example, encoding="utf-8")
    [service] = load_specs([spec]).services
    [callback] = service.routes[0].callbacks
    assert callback.name == "charge-succeeded"
    assert callback.retry.attempts == 5
    with Receiver() as receiver, MockServer(spec) as mock:
        answer = httpx.post(f"{mock.url}/charges", json={"amount": 1999, "webhook_url": receiver.url})
        assert answer.status_code == 201
        [delivery] = mock.wait_for_callbacks(1, timeout=10)
        mock.assert_delivered(receiver.url, json={"type": "charge.succeeded", "amount": 1999})
    assert delivery.json["charge"] == answer.json()["id"]
    assert delivery.headers["stripe-signature"].startswith("t=")


def test_every_documented_key_is_a_schema_key() -> None:
    from mockery.load.schema import spec_schema

    keys = set(spec_schema()["$defs"]["callback"]["properties"])
    table = {row.split("`")[1] for row in _callbacks_section().splitlines() if row.startswith("| `")}
    assert table == keys


def test_every_example_of_the_callbacks_section_loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEBHOOK_SECRET", "whsec")
    examples = _YAML.findall(_callbacks_section())
    assert len(examples) >= 2
    for number, example in enumerate(examples):
        spec = tmp_path / f"example{number}.yaml"
        spec.write_text(example, encoding="utf-8")
        [service] = load_specs([spec]).services
        assert any(route.callbacks for route in service.routes)
