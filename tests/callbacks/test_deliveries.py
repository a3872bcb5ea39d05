"""Callbacks of spec routes, delivered to real receivers on loopback."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

import httpx
import pytest

from mockery import MockServer
from mockery.errors import SpecErrors
from tests.callbacks.receiver import Receiver
from tests.conftest import WriteSpec

SECRET = "whsec-test-secret"

SPEC = """
service: shop
routes:
  - path: /orders
    method: POST
    response:
      status: 201
      body: {id: 42, status: paid, amount: "{{ request.body.amount }}"}
    callbacks:
      - name: order-paid
        url: "{{ request.body.callback_url }}/hooks/orders"
        headers: {x-event: order.paid}
        body:
          event: order.paid
          order: "{{ response.body.id }}"
          amount: "{{ request.body.amount }}"
          customer: "{{ faker.name() }}"
        signature: {secret_env: SHOP_SECRET, header: X-Shop-Signature, timestamped: true}
        retry: {attempts: 3, backoff: 10ms}
"""


def _verify_stripe_style(header: str, body: bytes) -> bool:
    parts = dict(item.split("=", 1) for item in header.split(","))
    expected = hmac.new(SECRET.encode(), f"{parts['t']}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts["v1"])


def test_a_post_sends_a_templated_signed_webhook(
    write_spec: WriteSpec, serve: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHOP_SECRET", SECRET)
    with Receiver() as receiver:
        server = MockServer(write_spec(SPEC)).start()
        try:
            answer = httpx.post(
                f"{server.url}/orders",
                json={"amount": 1999, "callback_url": receiver.url},
                headers={"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"},
            )
            assert answer.status_code == 201
            [delivery] = server.wait_for_callbacks(1)
            [got] = receiver.wait_for(1)
        finally:
            server.stop()
    assert got.method == "POST"
    assert got.path == "/hooks/orders"
    body = got.json()
    assert isinstance(body, dict)
    assert body["event"] == "order.paid"
    assert body["order"] == 42
    assert body["amount"] == 1999
    assert isinstance(body["customer"], str)
    assert body["customer"]
    assert got.headers["x-event"] == "order.paid"
    assert got.headers["content-type"] == "application/json"
    assert _verify_stripe_style(got.headers["x-shop-signature"], got.body)
    assert not _verify_stripe_style(got.headers["x-shop-signature"], got.body + b" ")
    assert got.headers["traceparent"] == "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    assert delivery.state == "delivered"
    assert delivery.status == 200
    assert len(delivery.attempts) == 1


def test_a_github_style_signature_signs_the_body(
    write_spec: WriteSpec, serve: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOOK_SECRET", SECRET)
    with Receiver() as receiver:
        spec = write_spec(f"""
            service: hub
            routes:
              - path: /push
                method: POST
                response: {{status: 202}}
                callbacks:
                  - url: {receiver.url}/github
                    body: {{ref: main}}
                    signature: {{secret_env: HOOK_SECRET, header: X-Hub-Signature-256}}
            """)
        server = MockServer(spec).start()
        try:
            assert httpx.post(f"{server.url}/push").status_code == 202
            [got] = receiver.wait_for(1)
            server.assert_delivered(f"{receiver.url}/github", json={"ref": "main"})
        finally:
            server.stop()
    expected = "sha256=" + hmac.new(SECRET.encode(), got.body, hashlib.sha256).hexdigest()
    assert got.headers["x-hub-signature-256"] == expected


def test_a_failing_receiver_is_retried_and_the_admin_api_shows_the_attempts(write_spec: WriteSpec) -> None:
    with Receiver(statuses=(500, 503, 200)) as receiver:
        spec = write_spec(f"""
            service: jobs
            routes:
              - path: /jobs
                method: POST
                response: {{status: 202, body: {{id: 7}}}}
                callbacks:
                  - url: {receiver.url}/done
                    body: {{job: "{{{{ response.body.id }}}}"}}
                    retry: {{attempts: 4, backoff: 5ms, factor: 2}}
            """)
        with MockServer(spec) as server:
            assert httpx.post(f"{server.url}/jobs").status_code == 202
            [delivery] = server.wait_for_callbacks(1)
            report = httpx.get(f"{server.url}/__mockery/callbacks").json()
            delivered = server.assert_delivered(f"{receiver.url}/done", method="POST", json={"job": 7}, times=1)
    assert [attempt.status for attempt in delivery.attempts] == [500, 503, 200], delivery.attempts
    assert len(receiver.received) == 3
    [shown] = report["deliveries"]
    assert shown["state"] == "delivered"
    assert shown["route"] == "POST /jobs"
    assert [attempt["status"] for attempt in shown["attempts"]] == [500, 503, 200]
    assert all(attempt["latency_ms"] >= 0 for attempt in shown["attempts"])
    assert report["dropped"] == 0
    assert report["pending"] == 0
    assert delivered[0] is delivery or delivered[0].id == delivery.id


def test_a_receiver_that_keeps_failing_ends_failed_after_the_bounded_attempts(write_spec: WriteSpec) -> None:
    with Receiver(statuses=(500,)) as receiver:
        spec = write_spec(f"""
            service: jobs
            routes:
              - path: /jobs
                method: POST
                response: {{status: 202}}
                callbacks:
                  - url: {receiver.url}/done
                    retry: {{attempts: 2, backoff: 1ms}}
            """)
        with MockServer(spec) as server:
            httpx.post(f"{server.url}/jobs")
            [delivery] = server.wait_for_callbacks(1)
            with pytest.raises(AssertionError, match="failed"):
                server.assert_delivered(timeout=0.1)
    assert delivery.state == "failed"
    assert [a.status for a in delivery.attempts] == [500, 500]
    assert "500" in delivery.error


def test_an_error_answer_sends_no_callback(write_spec: WriteSpec) -> None:
    with Receiver() as receiver:
        spec = write_spec(f"""
            service: shop
            routes:
              - path: /orders
                method: POST
                response: {{status: 402}}
                callbacks:
                  - url: {receiver.url}/hooks
            """)
        with MockServer(spec) as server:
            assert httpx.post(f"{server.url}/orders").status_code == 402
            assert httpx.get(f"{server.url}/__mockery/callbacks").json()["deliveries"] == []
    assert receiver.received == []


def test_a_templated_target_to_a_metadata_address_or_the_mock_itself_is_refused_and_journaled(
    write_spec: WriteSpec,
) -> None:
    spec = write_spec("""
        service: shop
        routes:
          - path: /orders
            method: POST
            response: {status: 201}
            callbacks:
              - url: "{{ request.body.callback_url }}"
    """)
    with MockServer(spec) as server:
        targets = [
            "http://169.254.169.254/latest/meta-data/",
            "http://[::ffff:169.254.169.254]/",
            "http://metadata.google.internal/computeMetadata/v1/",
            f"{server.url}/orders",
            "ftp://example.com/",
        ]
        for target in targets:
            assert httpx.post(f"{server.url}/orders", json={"callback_url": target}).status_code == 201
        deliveries = server.wait_for_callbacks(len(targets))
        report = httpx.get(f"{server.url}/__mockery/callbacks").json()
    assert [delivery.state for delivery in deliveries] == ["refused"] * len(targets)
    assert all(delivery.attempts == [] for delivery in deliveries)
    assert "metadata" in deliveries[0].error
    assert "metadata" in deliveries[1].error
    assert "cloud metadata service" in deliveries[2].error
    assert "this mockery itself" in deliveries[3].error
    assert "not an http" in deliveries[4].error
    assert [shown["state"] for shown in report["deliveries"]] == ["refused"] * len(targets)
    # The loop was refused: the mock received the five POSTs and nothing else.
    assert len(server.calls) == len(targets)


def test_a_static_metadata_target_is_a_located_error_at_load(write_spec: WriteSpec) -> None:
    spec = write_spec("""
        service: shop
        routes:
          - path: /orders
            method: POST
            response: {status: 201}
            callbacks:
              - url: http://169.254.169.254/latest/meta-data/
              - url: not a url
                delay: 5 parsecs
                signature: {secret_env: MOCKERY_TEST_UNSET_SECRET}
    """)
    with pytest.raises(SpecErrors) as caught:
        MockServer(spec)
    text = str(caught.value)
    assert "spec.yaml:8:" in text
    assert "169.254.169.254" in text
    assert "link-local" in text
    assert "routes[0].callbacks[1].url" in text
    assert "not an http" in text
    assert "5 parsecs" in text
    assert "MOCKERY_TEST_UNSET_SECRET" in text
    assert "is not set" in text


def test_the_schema_locates_an_unknown_callback_key(write_spec: WriteSpec, tmp_path: Path) -> None:
    spec = write_spec("""
        service: shop
        routes:
          - path: /orders
            method: POST
            response: {status: 201}
            callbacks:
              - url: http://localhost:9/hooks
                retries: 3
    """)
    with pytest.raises(SpecErrors) as caught:
        MockServer(spec)
    assert "retries" in str(caught.value)
    assert "spec.yaml:9:" in str(caught.value)


def test_the_openapi_export_documents_a_routes_callbacks(write_spec: WriteSpec) -> None:
    from openapi_spec_validator import validate

    spec = write_spec("""
        service: shop
        routes:
          - path: /orders
            method: POST
            response: {status: 201, body: {id: 1}}
            callbacks:
              - name: order-created
                url: "{{ request.body.callback_url }}"
                body: {id: "{{ response.body.id }}"}
                retry: {attempts: 4}
    """)
    with MockServer(spec) as mock:
        document = httpx.get(f"{mock.url}/__mockery/openapi/shop.json").json()
    validate(document)
    callbacks = document["paths"]["/orders"]["post"]["callbacks"]
    sent = callbacks["order-created"]["{{ request.body.callback_url }}"]["post"]
    assert sent["requestBody"] == {"content": {"application/json": {}}}
    assert "4 times" in sent["description"]


def test_a_resource_create_sends_the_created_record(write_spec: WriteSpec) -> None:
    with Receiver() as receiver:
        spec = write_spec(f"""
            service: shop
            resources:
              orders:
                count: 2
                fields:
                  item: {{faker: word}}
                callbacks:
                  create:
                    - url: {receiver.url}/orders-created
                      body: {{order: "{{{{ response.body.id }}}}", item: "{{{{ response.body.item }}}}"}}
                  delete:
                    - url: {receiver.url}/orders-deleted/{{{{ request.path_params.id }}}}
            """)
        with MockServer(spec) as mock:
            created = httpx.post(f"{mock.url}/orders", json={"item": "lamp"})
            assert created.status_code == 201
            [delivery] = mock.wait_for_callbacks(1)
            assert httpx.get(f"{mock.url}/orders").status_code == 200
            assert httpx.delete(f"{mock.url}/orders/1").status_code in (200, 204)
            deliveries = mock.wait_for_callbacks(2)
    assert delivery.json == {"order": created.json()["id"], "item": "lamp"}
    assert [d.url for d in deliveries] == [f"{receiver.url}/orders-created", f"{receiver.url}/orders-deleted/1"]
    assert all(d.state == "delivered" for d in deliveries)


def test_a_resource_callback_for_an_unknown_action_is_located(write_spec: WriteSpec) -> None:
    spec = write_spec("""
        service: shop
        resources:
          orders:
            fields: {item: {faker: word}}
            callbacks:
              created:
                - url: http://localhost:9/hooks
    """)
    with pytest.raises(SpecErrors) as caught:
        MockServer(spec)
    assert "spec.yaml:7:" in str(caught.value)
    assert "created" in str(caught.value)


def test_the_same_request_sends_the_same_callback_after_a_restart_and_reset_clears_the_journal(
    write_spec: WriteSpec,
) -> None:
    with Receiver() as receiver:
        spec = write_spec(f"""
            service: shop
            routes:
              - path: /orders
                method: POST
                response: {{status: 201}}
                callbacks:
                  - url: {receiver.url}/hooks
                    body: {{customer: "{{{{ faker.name() }}}}", code: "{{{{ random.randint(1, 1000000) }}}}"}}
            """)
        bodies = []
        for _ in range(2):
            with MockServer(spec) as mock:
                httpx.post(f"{mock.url}/orders", json={"n": 1})
                [delivery] = mock.wait_for_callbacks(1)
                bodies.append(delivery.body)
                httpx.post(f"{mock.url}/__mockery/reset")
                after_reset = httpx.get(f"{mock.url}/__mockery/callbacks").json()
        other = None
        with MockServer(spec) as mock:
            httpx.post(f"{mock.url}/orders", json={"n": 2})
            [delivery] = mock.wait_for_callbacks(1)
            other = delivery.body
    assert bodies[0] == bodies[1]
    assert other != bodies[0]
    assert after_reset["deliveries"] == []
