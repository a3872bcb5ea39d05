"""The third-party OpenAPI corpus, served over real HTTP: every GET without required inputs answers its
documented status with a body that validates against the documented schema."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from mockery import MockServer, load_specs
from mockery.openapi.document import openapi_document
from mockery.openapi.operation import Operation
from mockery.source.yaml_loader import load_document

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "openapi"
DOCUMENTS = sorted(p for p in CORPUS.glob("*") if p.suffix in (".yaml", ".yml", ".json")) if CORPUS.is_dir() else []

pytestmark = pytest.mark.skipif(not DOCUMENTS, reason=f"the OpenAPI corpus is not at {CORPUS}")


def _plain_gets(operation: Operation) -> bool:
    required = [p for p in operation.parameters if p.required]
    return operation.method == "GET" and not required and "{" not in operation.template


@pytest.fixture(scope="module", params=DOCUMENTS, ids=lambda path: path.stem[:40])
def served(request: pytest.FixtureRequest) -> Iterator[tuple[MockServer, Path]]:
    with MockServer(request.param) as server:
        yield server, request.param


def _credentials(operation: Operation) -> dict[str, str]:
    """Headers that satisfy any credential the operation asks for (every kind at once)."""
    headers = {"authorization": "Bearer token"}
    schemes = operation.document.data.get("components", {}).get("securitySchemes", {})
    for requirement in operation.security:
        for name in requirement:
            scheme = schemes.get(name, {})
            if scheme.get("type") == "apiKey" and scheme.get("in") == "header":
                headers[scheme["name"]] = "key"
            if scheme.get("type") == "http" and scheme.get("scheme", "").lower() == "basic":
                headers["authorization"] = "Basic dTpw"
    return headers


METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


@pytest.mark.slow
def test_every_document_loads_with_a_route_per_operation(served: tuple[MockServer, Path]) -> None:
    _, path = served
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    items = [item for item in (data.get("paths") or {}).values() if "$ref" not in item]
    # A path item may be a local reference (the mockoon fixture points one at components.paths).
    items += [data["components"]["paths"] for item in (data.get("paths") or {}).values() if "$ref" in item]
    operations = sum(len(METHODS & set(item)) for item in items)
    assert len(load_specs([path]).services[0].routes) == operations


@pytest.mark.slow
def test_every_plain_get_answers_its_documented_status_and_schema(served: tuple[MockServer, Path]) -> None:
    _, path = served
    service = load_specs([path]).services[0]
    server = served[0]
    base = server.url_for(service.name)
    checked = 0
    failures: list[str] = []
    with httpx.Client(base_url=base, timeout=30) as client:
        for route in service.routes:
            operation = route.handler
            assert isinstance(operation, Operation)
            if not _plain_gets(operation):
                continue
            code = operation._success()
            assert code is not None
            answer = client.get(route.path[len(service.base_path) :], headers=_credentials(operation))
            checked += 1
            if code.isdigit() and answer.status_code != int(code):
                failures.append(f"{route.name}: {answer.status_code} != {code}: {answer.text[:200]}")
                continue
            response = operation.document.resolve(operation.responses[code])
            content = response.get("content") or {}
            media = next((m for t, m in content.items() if "json" in t), None)
            if media is None or "schema" not in media:
                continue
            if operation.document.impossible(media["schema"]):
                continue  # the document contradicts itself: see the next test
            body = answer.json()
            errors = list(operation.document.validator(media["schema"]).iter_errors(body))
            if errors:
                failures.append(f"{route.name}: {errors[0].message[:200]} at {list(errors[0].absolute_path)}")
    assert not failures, "\n".join(failures)
    assert checked or not any(route.methods == ("GET",) for route in service.routes) or path.stat().st_size > 0


def _documented_schema(operation: Operation) -> Any:
    code = operation._success()
    response = operation.document.resolve(operation.responses.get(code or ""))
    content = response.get("content") or {} if isinstance(response, dict) else {}
    media = next((m for t, m in content.items() if "json" in t), None)
    return media.get("schema") if isinstance(media, dict) else None


@pytest.mark.slow
def test_contradictory_schemas_are_warned_where_written_and_their_bodies_not_validated(
    served: tuple[MockServer, Path],
) -> None:
    """A GET whose documented schema no value satisfies is skipped above: here it must have been found at
    load time, with a located warning, and the skip says which operations and why."""
    _, path = served
    service = load_specs([path]).services[0]
    skipped = []
    for route in service.routes:
        operation = route.handler
        assert isinstance(operation, Operation)
        schema = _documented_schema(operation)
        reason = operation.document.impossible(schema) if _plain_gets(operation) and schema is not None else None
        if reason:
            skipped.append(f"{route.name}: {reason}")
    loaded, _ = load_document(path)
    assert loaded is not None
    document, _ = openapi_document(loaded)
    assert document is not None
    warned = {w.path for w in document.warnings if "no value can satisfy this schema" in w.message and w.line > 1}
    assert warned == {".".join(map(str, where)) for where in document.impossible_at}
    if skipped:
        pytest.skip(f"bodies not validated, their documented schema cannot be satisfied: {'; '.join(skipped)}")


# The contradictions of the corpus, found by reading it: each must be found, and warned where it is written.
CONTRADICTIONS = [
    ("mockoon", "components.schemas.SchemaObject.properties.allOfArray.items", "type object and of type string"),
    ("big-openapi", "components.schemas.Product.properties.taxCategoryId", "type string but the allowed values"),
    ("big-openapi", "components.schemas.TaxCategory.properties.id", "type string but the allowed values"),
    ("redoc_demo__openapi-3-1", "components.schemas.Cat", "required property 'huntingSkill'"),
]


@pytest.mark.parametrize(("document", "where", "why"), CONTRADICTIONS, ids=[c[1] for c in CONTRADICTIONS])
@pytest.mark.slow
def test_known_contradictions_are_found_at_load_time(document: str, where: str, why: str) -> None:
    path = next((p for p in DOCUMENTS if document in p.name), None)
    if path is None:
        pytest.skip(f"no {document} document in the corpus")
    operation = next(r.handler for r in load_specs([path]).services[0].routes if isinstance(r.handler, Operation))
    found = {w.path: w for w in operation.document.warnings}
    assert where in found, sorted(found)
    assert why in found[where].message
    assert found[where].line > 1


PETSTORES = [p for p in DOCUMENTS if "petstore" in p.name.lower() or "openapi-3-1" in p.name]


@pytest.mark.skipif(not PETSTORES, reason="no petstore document in the corpus")
def test_petstore_names_and_formats_look_real() -> None:
    path = next(p for p in PETSTORES if "redoc_demo__openapi-3-1" in p.name)
    with MockServer(path) as server:
        service = load_specs([path]).services[0]
        base = server.url_for(service.name)
        auth = {"authorization": "Bearer token", "api_key": "key"}
        # email and phone are optional: across a few users each is there, and always believable.
        users = [httpx.get(f"{base}/user/someone{n}", headers=auth).json() for n in range(8)]
        emails = [user["email"] for user in users if "email" in user]
        phones = [user["phone"] for user in users if "phone" in user]
        assert emails, users
        assert phones, users
        assert all(re.fullmatch(r"[^@\s]+@[^@\s]+\.[a-z]+", email) for email in emails), emails
        assert all(re.fullmatch(r"^\+(?:[0-9]-?){6,14}[0-9]$", phone) for phone in phones), phones
        pets = httpx.get(base + "/pet/findByStatus", params={"status": "available"}, headers=auth).json()
        assert all(pet.get("status") in (None, "available", "pending", "sold") for pet in pets)
