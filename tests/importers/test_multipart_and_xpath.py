"""Multipart requests (fields and file parts in templates and in `match:`) and XPath matching on XML bodies,
over real HTTP; broken bodies and bad expressions are refused with their reasons."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockery.errors import SpecErrors
from mockery.http.multipart import BadMultipart, parse_multipart
from mockery.load.loader import load_specs

UPLOADS = """\
service: uploads
routes:
  - path: /avatars
    method: POST
    match:
      body:
        form: {user: ada}
        files:
          avatar: {filename: {matches: '\\.png$'}, content_type: image/png}
    response:
      status: 201
      body:
        user: "{{ request.form.user }}"
        tags: "{{ request.form.tag }}"
        file: "{{ request.files.avatar.filename }}"
        type: "{{ request.files.avatar.content_type }}"
        size: "{{ request.files.avatar.size }}"
  - path: /avatars
    method: POST
    response:
      status: 415
      body: "not a PNG of ada's"
  - path: /notes
    method: POST
    match:
      body:
        files:
          note: {content: {contains: 'hello'}}
    response:
      body: "{{ request.files.note.content | upper }}"
  - path: /echo
    method: POST
    response:
      body: "{{ request.form.a }}"
"""

ORDERS = """\
service: orders
routes:
  - path: /orders
    method: POST
    match:
      body:
        namespaces: {o: 'urn:orders'}
        xpath:
          /o:order/o:status/text(): paid
          /o:order/@id: {matches: '^[0-9]+$'}
    response:
      body: "{{ request.body | xpath('/o:order/o:total', {'o': 'urn:orders'}) }}"
  - path: /orders
    method: POST
    response:
      status: 422
"""


def test_multipart_fields_and_files_are_matched_and_templated(write_spec: Callable[..., Path], serve: Any) -> None:
    server = serve(write_spec(UPLOADS))
    png = ("me.png", b"\x89PNG\r\n\x00\x01", "image/png")
    answer = httpx.post(server.url + "/avatars", data={"user": "ada", "tag": ["a", "b"]}, files={"avatar": png})
    assert answer.status_code == 201, answer.text
    assert answer.json() == {"user": "ada", "tags": ["a", "b"], "file": "me.png", "type": "image/png", "size": 8}
    gif = ("me.gif", b"GIF89a", "image/gif")
    assert httpx.post(server.url + "/avatars", data={"user": "ada"}, files={"avatar": gif}).status_code == 415
    assert httpx.post(server.url + "/avatars", data={"user": "bob"}, files={"avatar": png}).status_code == 415
    note = httpx.post(server.url + "/notes", files={"note": ("n.txt", b"say hello {{ 7 * 7 }}", "text/plain")})
    assert note.text == "SAY HELLO {{ 7 * 7 }}"  # a part's content is data, never a template


def test_a_broken_multipart_body_matches_no_file_and_is_a_400_to_a_template(
    write_spec: Callable[..., Path], serve: Any
) -> None:
    server = serve(write_spec(UPLOADS))
    broken = b"--xyz\r\nContent-Disposition: form-data; name=note\r\n\r\nunterminated"
    headers = {"content-type": "multipart/form-data; boundary=xyz"}
    missed = httpx.post(server.url + "/notes", content=broken, headers=headers)
    assert missed.status_code == 404  # no file part: the condition does not hold, and the miss says why
    assert "body.files.note" in missed.text
    refused = httpx.post(server.url + "/echo", content=broken, headers=headers)
    assert refused.status_code == 400
    assert "the multipart body is broken: the body does not end with its closing boundary" in refused.text
    fine = httpx.post(server.url + "/echo", files={"a": (None, "field")})
    assert fine.text == "field"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        pytest.param(b"--b\r\nContent-Disposition: form-data; name=a\r\n\r\nx\r\n", "closing boundary", id="unclosed"),
        pytest.param(b"--b\r\nX-Other: 1\r\n\r\nx\r\n--b--", "no Content-Disposition name", id="nameless"),
        pytest.param(b"--b\r\nno colon here\r\n\r\nx\r\n--b--", "has no colon", id="bad header"),
        pytest.param(b"--b\r\n" + b"X: y\r\n" * 30 + b"\r\nx\r\n--b--", "headers are too long", id="long headers"),
        pytest.param(b"--b\r\nContent-Disposition: form-data; name=a\r\n\r\nx\r\n--b--" * 1, "", id="fine"),
    ],
)
def test_the_parser_refuses_what_is_not_multipart(body: bytes, reason: str) -> None:
    if not reason:
        assert parse_multipart(body, "multipart/form-data; boundary=b").fields == {"a": "x"}
        return
    with pytest.raises(BadMultipart, match=reason):
        parse_multipart(body, "multipart/form-data; boundary=b")


def test_the_number_of_parts_is_bounded() -> None:
    body = b"".join(b"--b\r\nContent-Disposition: form-data; name=f\r\n\r\nx\r\n" for _ in range(1001)) + b"--b--"
    with pytest.raises(BadMultipart, match="more than 1000 parts"):
        parse_multipart(body, "multipart/form-data; boundary=b")
    with pytest.raises(BadMultipart, match="no usable boundary"):
        parse_multipart(body, "multipart/form-data")


def test_xpath_conditions_with_namespaces_match_xml_bodies(write_spec: Callable[..., Path], serve: Any) -> None:
    server = serve(write_spec(ORDERS))
    order = '<order xmlns="urn:orders" id="{id}"><status>{status}</status><total>550.00</total></order>'
    paid = httpx.post(server.url + "/orders", content=order.format(id=42, status="paid"))
    assert (paid.status_code, paid.text) == (200, "550.00")
    assert httpx.post(server.url + "/orders", content=order.format(id=42, status="open")).status_code == 422
    assert httpx.post(server.url + "/orders", content=order.format(id="x", status="paid")).status_code == 422
    assert httpx.post(server.url + "/orders", content=b"not xml").status_code == 422
    bomb = '<!DOCTYPE order [<!ENTITY s "paid">]>' + order.format(id=1, status="&s;")
    assert httpx.post(server.url + "/orders", content=bomb).status_code == 422  # a DTD is never parsed


def test_a_bad_xpath_is_a_located_spec_error(write_spec: Callable[..., Path]) -> None:
    spec = write_spec(
        """\
        service: orders
        routes:
          - path: /orders
            method: POST
            match:
              body:
                xpath:
                  //order[: paid
            response: {status: 200}
        """
    )
    with pytest.raises(SpecErrors) as caught:
        load_specs([spec])
    message = str(caught.value)
    assert "routes[0].match.body.xpath" in message
    assert "not in the supported subset" in message
