"""OpenAPI answers that are correct HTTP, over a real server: content negotiation (q-values, wildcards, XML,
text, 406), documented media ranges sent as concrete types, documented error shapes (a status, a 4XX range,
``default``), credentials challenged per scheme, and headers the server manages never taken from a document."""

from __future__ import annotations

import re
import socket
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import httpx
import pytest

from mockery import MockServer, load_specs

SHAPES = """\
openapi: 3.0.3
info: {title: Shapes, version: "1"}
x-mockery-service: shapes
x-mockery-seed: 7
components:
  securitySchemes:
    bearer: {type: http, scheme: bearer}
    basic: {type: http, scheme: basic}
    headerKey: {type: apiKey, in: header, name: X-API-Key}
    queryKey: {type: apiKey, in: query, name: api_key}
    cookieKey: {type: apiKey, in: cookie, name: session}
    oauth:
      type: oauth2
      flows: {clientCredentials: {tokenUrl: "https://example.com/token", scopes: {}}}
  schemas:
    Book:
      type: object
      xml: {name: book}
      required: [id, title]
      properties:
        id: {type: integer, minimum: 1, xml: {attribute: true}}
        title: {type: string, minLength: 1}
        tags:
          type: array
          xml: {wrapped: true}
          items: {type: string, xml: {name: tag}}
    ApiError:
      type: object
      required: [error]
      properties:
        error:
          type: object
          required: [code, message]
          properties:
            code: {type: string}
            message: {type: string}
            details:
              type: array
              items:
                type: object
                required: [field, issue]
                properties:
                  field: {type: string}
                  issue: {type: string}
  responses:
    Problem:
      description: any client error
      headers:
        X-Request-Id: {required: true, schema: {type: string, format: uuid}}
        X-Debug: {schema: {type: string}}
        Content-Length: {required: true, schema: {type: integer}, example: 1}
      content:
        application/json:
          schema: {$ref: '#/components/schemas/ApiError'}
paths:
  /books:
    x-mockery-count: 3
    get:
      responses:
        "200":
          description: the books
          content:
            application/json:
              schema: {type: array, items: {$ref: '#/components/schemas/Book'}}
            application/xml:
              schema: {type: array, xml: {name: books}, items: {$ref: '#/components/schemas/Book'}}
        "4XX": {$ref: '#/components/responses/Problem'}
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Book'}
      responses:
        "201":
          description: created
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Book'}
        "4XX": {$ref: '#/components/responses/Problem'}
  /books/{bookId}:
    parameters:
      - {name: bookId, in: path, required: true, schema: {type: integer}}
    get:
      responses:
        "200":
          description: a book
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Book'}
            application/xml:
              schema: {$ref: '#/components/schemas/Book'}
        "4XX": {$ref: '#/components/responses/Problem'}
  /notes:
    get:
      responses:
        "200":
          description: a note
          content:
            text/plain:
              schema: {type: string}
              example: remember the milk
  /anything:
    get:
      responses:
        "200":
          description: anything at all
          content:
            "*/*":
              schema:
                type: object
                required: [name]
                properties:
                  name: {type: string}
  /avatar:
    get:
      responses:
        "200":
          description: an image
          content:
            "image/*":
              schema: {type: string, format: binary}
  /blob:
    get:
      responses:
        "200":
          description: bytes
          content:
            "application/*":
              schema: {type: string, format: binary}
  /strict:
    get:
      responses:
        "200":
          description: JSON only
          content:
            application/json:
              schema: {type: object, properties: {ok: {type: boolean}}}
        "406":
          description: not acceptable
          content:
            application/json:
              schema:
                type: object
                required: [reason]
                properties:
                  reason: {type: string}
  /plain:
    get:
      responses:
        "200":
          description: JSON only, no error documented
          content:
            application/json:
              schema: {type: object, properties: {ok: {type: boolean}}}
  /length:
    get:
      responses:
        "200":
          description: headers a server manages, documented anyway
          headers:
            Content-Length: {schema: {type: integer}, example: 3}
            Transfer-Encoding: {schema: {type: string}, example: chunked}
            Date: {schema: {type: string}, example: "Mon, 01 Jan 2001 00:00:00 GMT"}
            Server: {schema: {type: string}, example: documented}
            Connection: {schema: {type: string}, example: keep-alive}
            X-Rate: {schema: {type: integer}, example: 5}
          content:
            application/json:
              schema: {type: object, properties: {words: {type: string}}}
              example: {words: "a body much longer than three bytes"}
  /search:
    get:
      parameters:
        - {name: q, in: query, required: true, schema: {type: string, minLength: 3}}
        - {name: limit, in: query, schema: {type: integer, maximum: 50}}
      responses:
        "200":
          description: results
          content:
            application/json:
              schema: {type: array, items: {type: string}}
        "400":
          description: a bad query, in words
          content:
            text/plain:
              schema: {type: string}
  /secure/bearer:
    get: {security: [{bearer: []}], responses: {"200": {description: ok}}}
  /secure/basic:
    get: {security: [{basic: []}], responses: {"200": {description: ok}}}
  /secure/header:
    get: {security: [{headerKey: []}], responses: {"200": {description: ok}}}
  /secure/query:
    get: {security: [{queryKey: []}], responses: {"200": {description: ok}}}
  /secure/cookie:
    get: {security: [{cookieKey: []}], responses: {"200": {description: ok}}}
  /secure/oauth:
    get: {security: [{oauth: []}], responses: {"200": {description: ok}}}
  /secure/either:
    get:
      security: [{bearer: []}, {headerKey: []}]
      responses:
        "200": {description: ok}
        "401":
          description: who are you
          content:
            application/json:
              schema:
                type: object
                required: [message]
                properties:
                  message: {type: string}
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MockServer]:
    path = tmp_path_factory.mktemp("shapes") / "shapes.yaml"
    path.write_text(SHAPES)
    with MockServer(path) as running:
        yield running


@pytest.fixture(scope="module")
def client(server: MockServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url_for("shapes"), timeout=10) as http:
        yield http


# -- negotiation ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        (None, "application/json"),
        ("*/*", "application/json"),
        ("application/xml", "application/xml"),
        ("application/json;q=0.2, application/xml", "application/xml"),
        ("application/xml;q=0.5, application/json;q=0.9", "application/json"),
        ("text/html, application/*;q=0.8", "application/json"),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "application/xml"),
        ("application/json;q=0, */*;q=0.1", "application/xml"),
        ("application/json;q=nonsense, application/xml;q=0.3", "application/xml"),
        ("garbage", "application/json"),
    ],
    ids=["none", "any", "xml", "q-prefers-xml", "q-prefers-json", "range", "browser", "json-refused", "bad-q", "junk"],
)
def test_accept_chooses_among_the_documented_media_types(
    client: httpx.Client, accept: str | None, media_type: str
) -> None:
    answer = client.get("/books/1", headers={"accept": accept} if accept is not None else {})
    assert answer.status_code == 200
    assert answer.headers["content-type"] == media_type
    if media_type == "application/json":
        assert answer.json()["id"] == 1
    else:
        book = ElementTree.fromstring(answer.content)
        assert book.tag == "book"
        assert book.get("id") == "1"  # xml.attribute
        assert book.findtext("title")


def test_xml_is_written_from_the_schema_for_a_collection_list(client: httpx.Client) -> None:
    as_json = client.get("/books").json()
    answer = client.get("/books", headers={"accept": "application/xml"})
    assert answer.status_code == 200
    assert answer.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    books = ElementTree.fromstring(answer.content)
    assert books.tag == "books"
    assert [book.get("id") for book in books.findall("book")] == [str(book["id"]) for book in as_json]
    assert [book.findtext("title") for book in books.findall("book")] == [book["title"] for book in as_json]
    for book, element in zip(as_json, books.findall("book"), strict=True):
        if "tags" in book:  # xml.wrapped: <tags><tag>..</tag></tags>
            assert [tag.text or "" for tag in element.findall("tags/tag")] == book["tags"]


def test_text_plain_is_sent_as_text_and_406_when_nothing_acceptable_is_documented(client: httpx.Client) -> None:
    note = client.get("/notes", headers={"accept": "text/*"})
    assert (note.status_code, note.headers["content-type"], note.text) == (200, "text/plain", "remember the milk")
    refused = client.get("/notes", headers={"accept": "application/json"})
    assert refused.status_code == 406
    assert refused.headers["content-type"] == "application/problem+json"  # the operation documents no error
    assert refused.json()["available"] == ["text/plain"]
    assert "application/json" in refused.json()["detail"]


def test_406_uses_the_documented_406_shape(client: httpx.Client) -> None:
    answer = client.get("/strict", headers={"accept": "text/html"})
    assert answer.status_code == 406
    assert answer.headers["content-type"] == "application/json"
    body = answer.json()
    assert set(body) == {"reason"}
    assert "text/html" in body["reason"]
    assert "application/json" in body["reason"]
    plain = client.get("/plain", headers={"accept": "image/png, text/*;q=0.5"})
    assert (plain.status_code, plain.headers["content-type"]) == (406, "application/problem+json")
    assert client.get("/plain", headers={"accept": "application/json"}).status_code == 200


def test_a_long_hostile_accept_header_is_read_within_bounds(client: httpx.Client) -> None:
    # Thousands of ranges: only the first ones count, so the JSON offered far down the list is never seen.
    accept = ", ".join(f"text/x-{n}" for n in range(2000)) + ", application/json"
    assert client.get("/plain", headers={"accept": accept}).status_code == 406
    assert client.get("/plain", headers={"accept": "text/x-1, application/json"}).status_code == 200


# -- documented media ranges ----------------------------------------------------------------------------


def _png_size(data: bytes) -> tuple[int, int]:
    """The width and height of a PNG, after checking its signature and its header chunk's CRC."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR"
    assert struct.unpack(">I", data[16 + length : 20 + length])[0] == zlib.crc32(data[12 : 16 + length])
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.mark.parametrize(
    ("path", "accept", "media_type"),
    [
        ("/anything", None, "application/json"),
        ("/anything", "*/*", "application/json"),
        ("/anything", "application/xml", "application/xml"),
        ("/anything", "text/csv;q=0.5, application/json", "application/json"),
        ("/avatar", None, "image/png"),
        ("/avatar", "image/*", "image/png"),
        ("/avatar", "image/webp", "image/webp"),
        ("/blob", None, "application/octet-stream"),
        ("/blob", "application/pdf", "application/pdf"),
    ],
    ids=[
        "any",
        "any-accepted",
        "accept-concrete",
        "accept-best",
        "image",
        "image-range",
        "image-asked",
        "bytes",
        "asked",
    ],
)
def test_a_documented_range_is_sent_as_a_concrete_type(
    client: httpx.Client, path: str, accept: str | None, media_type: str
) -> None:
    answer = client.get(path, headers={"accept": accept} if accept is not None else {})
    assert answer.status_code == 200
    assert answer.headers["content-type"] == media_type
    assert "*" not in answer.headers["content-type"]
    if media_type == "application/json":
        assert isinstance(answer.json()["name"], str)
    elif media_type == "application/xml":
        assert ElementTree.fromstring(answer.content).findtext("name")
    elif media_type == "image/png":
        assert _png_size(answer.content) == (1, 1)
    else:
        assert answer.content


def test_a_range_the_client_refuses_is_406(client: httpx.Client) -> None:
    answer = client.get("/avatar", headers={"accept": "application/json"})
    assert answer.status_code == 406
    assert answer.json()["available"] == ["image/*"]


# -- headers the server manages -------------------------------------------------------------------------


def _raw_get(url: str, path: str) -> tuple[list[bytes], bytes]:
    """Header lines (lower-cased) and body of a response, read off the socket so repeats can be counted."""
    host, port = url.removeprefix("http://").split("/")[0].split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    return [line.lower() for line in head.split(b"\r\n")[1:]], body


def test_documented_headers_the_server_manages_are_never_copied(server: MockServer) -> None:
    lines, body = _raw_get(server.url, "/length")
    assert [line for line in lines if line.startswith(b"content-length:")] == [f"content-length: {len(body)}".encode()]
    assert body == b'{"words":"a body much longer than three bytes"}'
    assert not any(line.startswith((b"transfer-encoding:", b"date:", b"server:")) for line in lines)
    assert b"connection: keep-alive" not in lines
    assert b"x-rate: 5" in lines


# -- documented error shapes ----------------------------------------------------------------------------


def test_validation_errors_fill_the_documented_4xx_shape(client: httpx.Client) -> None:
    answer = client.post("/books", json={"id": 0, "tags": "x"})
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/json"
    error = answer.json()["error"]
    assert error["code"] == "422"
    assert "body.id" in error["message"]
    fields = {detail["field"]: detail["issue"] for detail in error["details"]}
    assert set(fields) == {"body.id", "body.title", "body.tags"}
    assert fields["body.title"] == "'title' is a required property"
    assert set(answer.json()) == {"error"}  # nothing generated that is not required


def test_a_missing_record_and_a_wrong_media_type_fill_the_documented_4xx_shape(client: httpx.Client) -> None:
    missing = client.get("/books/999")
    assert missing.status_code == 404
    assert re.fullmatch(r"[0-9a-f-]{36}", missing.headers["x-request-id"])  # documented as required
    assert "x-debug" not in missing.headers  # documented, not required: nothing to say
    assert missing.headers["content-length"] == str(len(missing.content))
    assert missing.json()["error"]["code"] == "404"
    assert re.fullmatch(r"books has no record with the id '?999'?", missing.json()["error"]["message"])
    assert set(missing.json()["error"]) == {"code", "message"}  # no details array: there are no violations
    wrong = client.post("/books", content=b"<book/>", headers={"content-type": "application/xml"})
    assert wrong.status_code == 415
    error = wrong.json()["error"]
    assert error["code"] == "415"
    assert [detail["field"] for detail in error["details"]] == ["header.content-type"]


def test_create_then_read_keeps_the_documented_shapes(client: httpx.Client) -> None:
    taken = client.post("/books", json={"id": 1, "title": "Dune"})
    assert taken.status_code == 409
    assert taken.json()["error"]["code"] == "409"
    assert "1" in taken.json()["error"]["message"]
    created = client.post("/books", json={"id": 50, "title": "Dune", "tags": ["sf"]})
    assert created.status_code == 201
    assert created.headers["content-type"] == "application/json"
    book = created.json()
    assert (book["title"], book["tags"]) == ("Dune", ["sf"])
    as_xml = client.get(f"/books/{book['id']}", headers={"accept": "application/xml"})
    element = ElementTree.fromstring(as_xml.content)
    assert (element.get("id"), element.findtext("title")) == (str(book["id"]), "Dune")
    assert [tag.text for tag in element.findall("tags/tag")] == ["sf"]


BEARER = {"authorization": "Bearer t"}


# -- credentials ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "challenge", "asks_for", "credentials"),
    [
        (
            "/secure/bearer",
            'Bearer realm="mockery"',
            "Authorization: Bearer",
            {"headers": {"authorization": "Bearer t"}},
        ),
        (
            "/secure/basic",
            'Basic realm="mockery"',
            "Authorization: Basic",
            {"headers": {"authorization": "Basic dTpw"}},
        ),
        (
            "/secure/header",
            'APIKey realm="mockery", in="header", name="X-API-Key"',
            "the X-API-Key header",
            {"headers": {"x-api-key": "k"}},
        ),
        (
            "/secure/query",
            'APIKey realm="mockery", in="query", name="api_key"',
            "the api_key query parameter",
            {"params": {"api_key": "k"}},
        ),
        (
            "/secure/cookie",
            'APIKey realm="mockery", in="cookie", name="session"',
            "the session cookie",
            {"headers": {"cookie": "session=k"}},
        ),
        (
            "/secure/oauth",
            'Bearer realm="mockery"',
            "Authorization: Bearer",
            {"headers": {"authorization": "Bearer t"}},
        ),
    ],
    ids=["bearer", "basic", "api-key-header", "api-key-query", "api-key-cookie", "oauth2"],
)
def test_the_challenge_matches_the_scheme_and_the_detail_says_what_to_send(
    client: httpx.Client, path: str, challenge: str, asks_for: str, credentials: dict[str, dict[str, str]]
) -> None:
    refused = client.get(path)
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"] == challenge
    assert refused.headers["content-type"] == "application/problem+json"
    assert asks_for in refused.json()["detail"]
    assert client.get(path, **credentials).status_code == 200  # type: ignore[arg-type]
    wrong = client.get(path, headers={"authorization": "Digest x"} if "Bearer" not in challenge else {"x-other": "1"})
    assert wrong.status_code == 401


def test_several_schemes_are_each_challenged_in_the_documented_401_shape(client: httpx.Client) -> None:
    answer = client.get("/secure/either")
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"] == (
        'Bearer realm="mockery", APIKey realm="mockery", in="header", name="X-API-Key"'
    )
    assert answer.headers["content-type"] == "application/json"
    message = answer.json()["message"]
    assert "Authorization: Bearer <token> header (bearer)" in message
    assert "the X-API-Key header (headerKey)" in message
    assert client.get("/secure/either", headers={"x-api-key": "k"}).status_code == 200


# -- the corpus's own petstore --------------------------------------------------------------------------

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
PETSTORE = CORPUS / "openapi" / "OAI-OpenAPI-Specification_v3.0__petstore.yaml"


@pytest.mark.skipif(not PETSTORE.is_file(), reason=f"the corpus is not at {CORPUS}")
def test_petstore_errors_answer_its_documented_default_code_and_message() -> None:
    service = load_specs([PETSTORE]).services[0]
    with MockServer(PETSTORE) as running, httpx.Client(base_url=running.url_for(service.name), timeout=10) as http:
        pets = http.get("/pets").json()
        missing = http.get("/pets/99999")
        assert missing.status_code == 404
        assert missing.headers["content-type"] == "application/json"  # `default`, not problem+json
        assert set(missing.json()) == {"code", "message"}
        assert missing.json()["code"] == 404
        assert re.fullmatch(r"pets has no record with the id '?99999'?", missing.json()["message"])
        invalid = http.post("/pets", json={"tag": 5})
        assert invalid.status_code == 422
        body = invalid.json()
        assert set(body) == {"code", "message"}
        assert body["code"] == 422
        assert "body.id" in body["message"]
        assert "body.name" in body["message"]
        assert "body.tag" in body["message"]
        assert http.get("/pets").json() == pets  # nothing was written


# -- the whole corpus -----------------------------------------------------------------------------------

CORPUS_DOCUMENTS = sorted(
    path
    for folder in ("openapi", "swagger2")
    if (CORPUS / folder).is_dir()
    for path in (CORPUS / folder).iterdir()
    if path.suffix in (".yaml", ".yml", ".json")
)
ACCEPTS = (None, "*/*", "application/xml", "text/html", "image/*")


def _raw(url: str, method: str, target: str, headers: dict[str, str], body: bytes) -> tuple[int, list[bytes], bytes]:
    host, port = url.removeprefix("http://").split("/")[0].split(":")
    lines = [f"{method} {target} HTTP/1.1", "Host: x", "Connection: close", f"Content-Length: {len(body)}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    head, _, rest = b"".join(chunks).partition(b"\r\n\r\n")
    status_line, *fields = head.split(b"\r\n")
    return int(status_line.split()[1]), [field.lower() for field in fields], rest


def _credentials(operation: Any) -> tuple[dict[str, str], str]:
    """Headers and a query that satisfy whatever credential the operation asks for."""
    headers, query = {"authorization": "Bearer token"}, []
    schemes = operation.document.data.get("components", {}).get("securitySchemes", {})
    for requirement in operation.security:
        for name in requirement if isinstance(requirement, dict) else ():
            scheme = schemes.get(name, {})
            where, key = scheme.get("in"), scheme.get("name", "")
            if scheme.get("type") == "apiKey" and where == "header":
                headers[key] = "key"
            elif scheme.get("type") == "apiKey" and where == "query":
                query.append(f"{key}=key")
            elif scheme.get("type") == "apiKey":
                headers["cookie"] = f"{key}=key"
            elif scheme.get("type") == "http" and str(scheme.get("scheme", "")).lower() == "basic":
                headers["authorization"] = "Basic dTpw"
    return headers, "&".join(query)


@pytest.mark.slow
@pytest.mark.parametrize("document", CORPUS_DOCUMENTS, ids=lambda path: path.stem[:48])
def test_no_corpus_answer_has_two_lengths_or_a_wildcard_media_type(document: Path) -> None:
    """Every operation of every corpus document, called with and without credentials and with several
    Accept headers: each answer has exactly one Content-Length, the body's, and a concrete Content-Type."""
    try:
        service = load_specs([document]).services[0]
    except Exception as exc:  # loading is tested on its own (test_loading, test_swagger2)
        pytest.skip(f"{document.name} does not load: {exc}")
    failures: list[str] = []
    calls = 0
    with MockServer(document) as running:
        for route in service.routes:
            operation = route.handler
            if operation is None:
                continue
            path = re.sub(r"\{[^{}]+\}", "1", route.path)
            headers, query = _credentials(operation)
            target = f"{path}?{query}" if query else path
            method = route.methods[0]
            body = b"{}" if method in ("POST", "PUT", "PATCH") else b""
            for accept in ACCEPTS:
                for credentials in (True, False):
                    sent = {**headers, "content-type": "application/json"} if credentials else {}
                    if accept is not None:
                        sent["accept"] = accept
                    status, lines, content = _raw(running.url, method, target if credentials else path, sent, body)
                    calls += 1
                    where = f"{method} {path} (accept {accept}, {'with' if credentials else 'without'} credentials)"
                    lengths = [line for line in lines if line.startswith(b"content-length:")]
                    if len(lengths) != 1:
                        failures.append(f"{where}: {status} with {len(lengths)} Content-Length headers")
                    elif method != "HEAD" and int(lengths[0].split(b":")[1]) != len(content):
                        failures.append(f"{where}: Content-Length {lengths[0]!r} for {len(content)} bytes")
                    types = [line for line in lines if line.startswith(b"content-type:")]
                    if len(types) > 1 or any(b"*" in line for line in types):
                        failures.append(f"{where}: {status} with {types!r}")
                    if content and not types:
                        failures.append(f"{where}: {status}, a body without a Content-Type")
    print(f"{document.name}: {calls} answers checked")
    if not calls:
        pytest.skip(f"{document.name} has no operations (only webhooks)")
    assert not failures, "\n".join(failures[:40])


WRAPPED = """\
openapi: 3.0.3
info: {title: Wrapped, version: "1"}
x-mockery-service: wrapped
components:
  schemas:
    Item:
      type: object
      required: [id, name]
      properties:
        id: {type: integer, readOnly: true}
        name: {type: string}
paths:
  /items:
    x-mockery-count: 2
    get:
      responses:
        "200":
          description: items
          content:
            application/json:
              schema: {type: array, items: {$ref: '#/components/schemas/Item'}}
    post:
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Item'}
      responses:
        "201":
          description: the created items, as an array
          content:
            application/json:
              schema: {type: array, items: {$ref: '#/components/schemas/Item'}}
  /items/{id}:
    parameters:
      - {name: id, in: path, required: true, schema: {type: integer}}
    get:
      responses:
        "200":
          description: an item, wrapped
          content:
            application/json:
              schema:
                type: object
                required: [data, meta]
                properties:
                  data: {$ref: '#/components/schemas/Item'}
                  meta:
                    type: object
                    required: [version]
                    properties:
                      version: {type: integer, minimum: 1}
    put:
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Item'}
      responses:
        "200":
          description: the item, as it is
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Item'}
"""


def test_create_and_read_answer_in_the_documented_array_or_wrapper(tmp_path: Path) -> None:
    path = tmp_path / "wrapped.yaml"
    path.write_text(WRAPPED)
    with MockServer(path) as running, httpx.Client(base_url=running.url_for("wrapped"), timeout=10) as http:
        created = http.post("/items", json={"name": "lamp"})
        assert created.status_code == 201
        (item,) = created.json()  # the documented array, holding the created record
        assert item == {"id": 3, "name": "lamp"}
        fetched = http.get("/items/3").json()
        assert fetched["data"] == item  # the documented wrapper, the record under its record-typed property
        assert isinstance(fetched["meta"]["version"], int)
        assert http.put("/items/3", json={"name": "desk"}).json() == {"id": 3, "name": "desk"}
        assert http.get("/items/3").json()["data"] == {"id": 3, "name": "desk"}
        assert [record["id"] for record in http.get("/items").json()] == [1, 2, 3]


def test_a_documented_400_answers_validation_errors_in_its_media_type(client: httpx.Client) -> None:
    answer = client.get("/search", params={"q": "ab", "limit": "99"})
    assert answer.status_code == 400  # the operation documents a 400 and no 422
    assert answer.headers["content-type"] == "text/plain"
    assert answer.text == ("query.q: 'ab' is too short; query.limit: 99 is greater than the maximum of 50")
    assert client.get("/search", params={"q": "abc"}).status_code == 200


def test_a_write_the_client_cannot_accept_the_answer_of_is_refused_before_it_is_made(client: httpx.Client) -> None:
    before = [book["id"] for book in client.get("/books").json()]
    refused = client.post("/books", json={"id": 77, "title": "Emma"}, headers={"accept": "text/html"})
    assert refused.status_code == 406
    assert refused.json()["error"]["code"] == "406"  # the documented 4XX shape
    assert [book["id"] for book in client.get("/books").json()] == before
    assert client.get("/books/77").status_code == 404
