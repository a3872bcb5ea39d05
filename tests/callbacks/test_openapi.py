"""OpenAPI callbacks (3.0 and 3.1) and 3.1 webhooks become deliveries, from corpus documents and small ones."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from mockery import MockServer
from mockery.callbacks.dispatcher import WebhookError
from mockery.errors import SpecErrors
from mockery.server.admin_guard import ADMIN_MAX_BODY
from tests.callbacks.receiver import Receiver
from tests.conftest import WriteSpec

CORPUS = Path("/work/shared/corpus/openapi")
REDOC_31 = CORPUS / "Redocly-redoc_demo__openapi-3-1.yaml"
WEBHOOK_EXAMPLE = CORPUS / "OAI-OpenAPI-Specification_v3.1__webhook-example.yaml"

OPENAPI_30 = """
openapi: 3.0.3
info: {title: Jobs, version: "1"}
paths:
  /jobs:
    post:
      operationId: createJob
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties:
                callbackUrl: {type: string}
                name: {type: string}
      responses:
        "201":
          description: created
          content:
            application/json:
              schema:
                type: object
                properties:
                  id: {type: integer, example: 17}
      callbacks:
        jobDone:
          "{$request.body#/callbackUrl}/jobs/{$response.body#/id}?by={$request.header.X-User}":
            post:
              requestBody:
                content:
                  application/json:
                    schema:
                      type: object
                      required: [jobId, state]
                      properties:
                        jobId: {type: integer, minimum: 1}
                        state: {type: string, enum: [done]}
              responses:
                "200": {description: ok}
"""


@pytest.mark.skipif(not REDOC_31.exists(), reason=f"the corpus is not at {CORPUS}")
def test_the_callbacks_of_a_corpus_document_are_sent_to_the_url_the_request_gave(tmp_path: Path) -> None:
    spec = tmp_path / REDOC_31.name
    with Receiver() as receiver:
        # One callback of the document goes to a host on the internet: the copy sends it to the receiver.
        text = REDOC_31.read_text(encoding="utf-8")
        assert "http://notificationServer.com?url=" in text
        spec.write_text(text.replace("http://notificationServer.com?url=", f"{receiver.url}/notify?url="))
        with MockServer(spec) as mock:
            answer = httpx.post(
                f"{mock.url}/v2/store/subscribe",
                json={"callbackUrl": f"{receiver.url}/store-events", "eventName": "orderShipped"},
            )
            assert answer.status_code < 400, answer.text
            deliveries = mock.wait_for_callbacks(4, timeout=10)
            received = receiver.wait_for(4)
    assert {(d.name, d.method) for d in deliveries} == {
        ("orderInProgress", "PUT"),
        ("orderInProgress", "POST"),
        ("orderShipped", "POST"),
        ("orderDelivered", "POST"),
    }
    assert all(d.state == "delivered" for d in deliveries)
    by_name = {(d.name, d.method): d.url for d in deliveries}
    assert by_name[("orderShipped", "POST")] == f"{receiver.url}/store-events?event=orderShipped"
    assert by_name[("orderInProgress", "PUT")] == f"{receiver.url}/store-events?event=orderShipped"
    assert by_name[("orderDelivered", "POST")] == (
        f"{receiver.url}/notify?url={receiver.url}/store-events&event=orderShipped"
    )
    assert sorted(r.path for r in received) == ["/notify", "/store-events", "/store-events", "/store-events"]
    assert all(isinstance(r.json(), dict) for r in received)


def test_an_openapi_30_callback_expression_reads_the_request_and_the_answer(write_spec: WriteSpec) -> None:
    spec = write_spec(OPENAPI_30, name="jobs.yaml")
    with Receiver() as receiver, MockServer(spec) as mock:
        answer = httpx.post(
            f"{mock.url}/jobs", json={"callbackUrl": receiver.url, "name": "x"}, headers={"x-user": "ada"}
        )
        assert answer.status_code == 201
        [delivery] = mock.wait_for_callbacks(1)
        [got] = receiver.wait_for(1)
    assert delivery.state == "delivered"
    assert delivery.url == f"{receiver.url}/jobs/{answer.json()['id']}?by=ada"
    body = got.json()
    assert isinstance(body, dict)
    assert body["state"] == "done"
    assert isinstance(body["jobId"], int)
    assert body["jobId"] >= 1


def test_an_expression_that_finds_nothing_fails_the_delivery_and_says_why(write_spec: WriteSpec) -> None:
    spec = write_spec(OPENAPI_30, name="jobs.yaml")
    with MockServer(spec) as mock:
        assert httpx.post(f"{mock.url}/jobs", json={"name": "no callback url"}).status_code == 201
        [delivery] = mock.wait_for_callbacks(1)
    assert delivery.state == "failed"
    assert "$request.body#/callbackUrl" in delivery.error
    assert "found nothing" in delivery.error


@pytest.mark.skipif(not WEBHOOK_EXAMPLE.exists(), reason=f"the corpus is not at {CORPUS}")
def test_a_corpus_webhook_is_sent_when_triggered() -> None:
    with Receiver() as receiver, MockServer(WEBHOOK_EXAMPLE) as mock:
        [pending] = mock.trigger_webhook("newPet", url=f"{receiver.url}/pets")
        by_admin = httpx.post(f"{mock.url}/__mockery/webhooks/newPet", json={"url": f"{receiver.url}/admin"})
        unknown = httpx.post(f"{mock.url}/__mockery/webhooks/oldPet", json={"url": receiver.url})
        no_target = httpx.post(f"{mock.url}/__mockery/webhooks/newPet")
        too_large = httpx.post(f"{mock.url}/__mockery/webhooks/newPet", content=b" " * (ADMIN_MAX_BODY + 1))
        not_json = httpx.post(f"{mock.url}/__mockery/webhooks/newPet", content=b"{url")
        with pytest.raises(WebhookError, match="newPet"):
            mock.trigger_webhook("oldPet", url=receiver.url)
        deliveries = mock.wait_for_callbacks(2)
        received = receiver.wait_for(2)
    assert pending.method == "POST"
    assert by_admin.status_code == 202
    assert by_admin.json()["deliveries"][0]["url"] == f"{receiver.url}/admin"
    assert unknown.status_code == 404
    assert "newPet" in unknown.json()["detail"]
    assert no_target.status_code == 400
    assert too_large.status_code == 413
    assert not_json.status_code == 400
    assert not_json.headers["content-type"] == "application/problem+json"
    assert "x-mockery-webhook-url" in no_target.json()["detail"]
    assert [d.state for d in deliveries] == ["delivered", "delivered"]
    assert sorted(r.path for r in received) == ["/admin", "/pets"]
    for got in received:
        pet = got.json()
        assert isinstance(pet, dict)
        assert isinstance(pet["id"], int)
        assert isinstance(pet["name"], str)


def test_a_webhook_named_by_an_operation_is_sent_after_it_to_the_document_target(write_spec: WriteSpec) -> None:
    with Receiver() as receiver:
        spec = write_spec(
            f"""
            openapi: 3.1.0
            info: {{title: Pets, version: "1"}}
            x-mockery-webhook-url: {receiver.url}/hooks
            paths:
              /pets:
                post:
                  x-mockery-webhooks: [newPet]
                  responses:
                    "201": {{description: created}}
            webhooks:
              newPet:
                post:
                  requestBody:
                    content:
                      application/json:
                        schema: {{type: object, required: [name], properties: {{name: {{type: string}}}}}}
                  responses:
                    "200": {{description: ok}}
            """,
            name="pets.yaml",
        )
        with MockServer(spec) as mock:
            assert httpx.post(f"{mock.url}/pets").status_code == 201
            mock.assert_delivered(f"{receiver.url}/hooks", method="POST")
        [got] = receiver.wait_for(1)
    body = got.json()
    assert isinstance(body, dict)
    assert isinstance(body["name"], str)


def test_webhook_mistakes_are_located(write_spec: WriteSpec) -> None:
    spec = write_spec(
        """
        openapi: 3.1.0
        info: {title: Pets, version: "1"}
        x-mockery-webhook-url: http://169.254.169.254/latest
        paths:
          /pets:
            post:
              x-mockery-webhooks: [newPets]
              responses:
                "201": {description: created}
        webhooks:
          newPet:
            post:
              responses:
                "200": {description: ok}
        """,
        name="pets.yaml",
    )
    with pytest.raises(SpecErrors) as caught:
        MockServer(spec)
    text = str(caught.value)
    assert "pets.yaml:4:" in text
    assert "link-local" in text
    assert "pets.yaml:8:" in text
    assert "no webhook named 'newPets'" in text
