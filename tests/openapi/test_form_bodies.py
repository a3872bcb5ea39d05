"""Urlencoded request bodies read as the document's schema reads them: an array field keeps every repeat."""

from __future__ import annotations

from pathlib import Path

import httpx

from mockery import MockServer

DOCUMENT = """\
openapi: 3.0.3
info: {title: Forms, version: "1"}
x-mockery-service: forms
paths:
  /labels:
    post:
      requestBody:
        content:
          application/x-www-form-urlencoded:
            schema:
              type: object
              required: [labels]
              properties:
                labels: {type: array, items: {type: integer, maximum: 9}}
                note: {type: string}
      responses:
        "204": {description: ok}
"""

FORM = {"content-type": "application/x-www-form-urlencoded"}


def test_an_array_field_keeps_every_repeat_and_checks_each_item(tmp_path: Path) -> None:
    document = tmp_path / "forms.yaml"
    document.write_text(DOCUMENT)
    with MockServer(document) as server, httpx.Client(base_url=server.url) as client:
        assert client.post("/labels", content="labels=1&labels=2&note=a", headers=FORM).status_code == 204
        assert client.post("/labels", content="labels=3", headers=FORM).status_code == 204
        refused = client.post("/labels", content="labels=1&labels=12", headers=FORM)
        assert refused.status_code in (400, 422)
        assert "12" in refused.text
        assert "labels" in refused.text
        missing = client.post("/labels", content="note=only", headers=FORM)
        assert missing.status_code in (400, 422)
        assert "labels" in missing.text


SIZES = """\
openapi: 3.0.3
info: {title: Sizes, version: "1"}
x-mockery-service: sizes
paths:
  /items/{id}:
    get:
      parameters:
        - {name: id, in: path, required: true, schema: {type: integer, format: int32}}
        - {name: big, in: query, schema: {type: integer, format: int64}}
      responses:
        "200":
          description: an item
          content:
            application/json:
              schema: {type: object, properties: {id: {type: integer, format: int32}}}
"""


def test_integers_outside_their_documented_size_are_refused(tmp_path: Path) -> None:
    document = tmp_path / "sizes.yaml"
    document.write_text(SIZES)
    with MockServer(document) as server, httpx.Client(base_url=server.url) as client:
        assert client.get(f"/items/{2**31 - 1}").status_code == 200
        assert client.get("/items/7", params={"big": str(2**63 - 1)}).status_code == 200
        too_big = client.get(f"/items/{2**31}")
        assert too_big.status_code in (400, 422)
        assert "int32" in too_big.text
        assert client.get("/items/7", params={"big": str(2**63)}).status_code in (400, 422)
        answer = client.get("/items/7").json()
        assert -(2**31) <= answer["id"] < 2**31
