"""The conformance loop: every document of the corpus (OpenAPI 3.x and Swagger 2.0), served over real HTTP,
answers every operation called with valid inputs as the document says it answers.

Inputs are generated from the document's own parameter and body schemas (request direction: no ``readOnly``
properties), with every credential its security schemes ask for; an item path of a collection is called with
an id its list handed out. Each answer must have a documented status (exact, ``2XX``-style range or
``default``), a documented media type, a body valid against the documented schema (``writeOnly`` properties
are not required in an answer), one ``Content-Length`` and no wildcard ``Content-Type``. The failures are
reported per document (the test ids are the documents).

Then every collection mockery found in a document round-trips: create -> list -> get -> update -> delete,
with every id handed out satisfying the document's id schema and finding its record.
"""

from __future__ import annotations

import base64
import random
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import httpx
import orjson
import pytest
from jsonschema import validators

from mockery import MockServer, load_specs
from mockery.http.schema_patterns import RE2Validator
from mockery.model.services import Service
from mockery.openapi.document import OpenAPIDocument
from mockery.openapi.formats import FORMAT_CHECKER
from mockery.openapi.generate import SchemaGenerator
from mockery.openapi.operation import Operation
from mockery.openapi.state import SchemaRecords
from mockery.openapi.validation import Parameter
from mockery.templates.fakes import new_generator

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
FOLDERS = (SHARED / "openapi", SHARED / "swagger2")
SUFFIXES = (".yaml", ".yml", ".json")
DOCUMENTS = sorted(p for folder in FOLDERS if folder.is_dir() for p in folder.iterdir() if p.suffix in SUFFIXES)
ORDER = {"GET": 0, "HEAD": 1, "OPTIONS": 1, "POST": 2, "PUT": 3, "PATCH": 4, "DELETE": 5}
FAKER = new_generator("en_US")

pytestmark = [
    pytest.mark.skipif(not DOCUMENTS, reason=f"the corpus is not at {SHARED}"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
]


def _ids(path: Path) -> str:
    return f"{path.parent.name}/{path.stem[:48]}"


@pytest.fixture(scope="module", params=DOCUMENTS, ids=_ids)
def served(request: pytest.FixtureRequest) -> Iterator[tuple[MockServer, Service]]:
    path: Path = request.param
    service = load_specs([path]).services[0]
    with MockServer(path) as server:
        yield server, service


# -- what the document says an answer may be ------------------------------------------------------------------


def _required_unless_write_only(validator: Any, required: Any, instance: Any, schema: dict[str, Any]) -> Any:
    """``required``, where a ``writeOnly`` property is never required of an answer (OpenAPI's reading)."""
    if not validator.is_type(instance, "object"):
        return
    found = schema.get("properties")
    properties: dict[str, Any] = found if isinstance(found, dict) else {}
    for name in required:
        if name in instance:
            continue
        sub = properties.get(name)
        if isinstance(sub, dict) and "$ref" in sub:
            sub = validator._resolver.lookup(sub["$ref"]).contents
        if isinstance(sub, dict) and sub.get("writeOnly") is True:
            continue
        yield from validators.Draft202012Validator.VALIDATORS["required"](validator, [name], instance, schema)


AnswerValidator = validators.extend(RE2Validator, {"required": _required_unless_write_only})  # type: ignore[no-untyped-call]


def answer_errors(document: OpenAPIDocument, schema: Any, body: Any) -> list[str]:
    validator = AnswerValidator(schema, registry=document.registry, format_checker=FORMAT_CHECKER)
    return [f"{error.message[:160]} at {list(error.absolute_path)}" for error in validator.iter_errors(body)]


def documented_response(operation: Operation, status: int) -> Any:
    for code in (str(status), f"{str(status)[0]}XX", "default"):
        if code in operation.responses:
            return operation.document.resolve(operation.responses[code])
    return None


def check_answer(operation: Operation, answer: httpx.Response) -> str | None:
    """Why ``answer`` is not one the document allows for ``operation``, or ``None``."""
    where = f"{operation.method} {operation.template} -> {answer.status_code}"
    lengths = answer.headers.get_list("content-length")
    if len(lengths) > 1:
        return f"{where}: {len(lengths)} Content-Length headers"
    media_type = answer.headers.get("content-type", "").split(";")[0].strip().lower()
    if "*" in media_type:
        return f"{where}: a wildcard Content-Type {media_type!r}"
    if not operation.responses:
        return None  # OpenAPI 3.1 allows an operation that documents no response: any answer is one
    response = documented_response(operation, answer.status_code)
    if response is None:
        return f"{where}: the status is not documented ({sorted(operation.responses)}): {answer.text[:200]}"
    content = response.get("content") if isinstance(response, dict) else None
    if not isinstance(content, dict) or not content or operation.method == "HEAD" or not answer.content:
        return None
    documented = {str(key).split(";")[0].strip().lower(): value for key, value in content.items()}
    media = documented.get(media_type)
    if media is None:
        media = next((value for key, value in documented.items() if _covers(key, media_type)), None)
    if media is None:
        return f"{where}: media type {media_type!r} is not documented ({sorted(documented)})"
    schema = media.get("schema") if isinstance(media, dict) else None
    if schema is None or not (media_type == "application/json" or media_type.endswith("+json")):
        return None
    if operation.document.impossible(schema):
        return None  # the document contradicts itself (warned at load time): no answer can validate
    errors = answer_errors(operation.document, schema, answer.json())
    return f"{where}: {errors[0]}" if errors else None


def _covers(documented: str, actual: str) -> bool:
    if documented in ("*/*", ""):
        return True
    kind, _, sub = documented.partition("/")
    return sub == "*" and actual.startswith(kind + "/")


# -- valid inputs from the document -----------------------------------------------------------------------------


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(_text(item) for item in value)
    if isinstance(value, dict):
        return ",".join(f"{key},{_text(item)}" for key, item in value.items())
    return "" if value is None else str(value)


def _credentials(operation: Operation) -> tuple[dict[str, str], list[tuple[str, str]], dict[str, str]]:
    headers: dict[str, str] = {}
    query: list[tuple[str, str]] = []
    cookies: dict[str, str] = {}
    schemes = operation.document.data.get("components", {}).get("securitySchemes", {})
    for requirement in operation.security:
        for name in requirement if isinstance(requirement, dict) else []:
            scheme = operation.document.resolve(schemes.get(name)) if isinstance(schemes, dict) else None
            if not isinstance(scheme, dict):
                continue
            kind, where, key = scheme.get("type"), scheme.get("in"), str(scheme.get("name", ""))
            if kind == "apiKey" and where == "header":
                headers[key] = "key"
            elif kind == "apiKey" and where == "query":
                query.append((key, "key"))
            elif kind == "apiKey" and where == "cookie":
                cookies[key] = "key"
            elif kind == "http" and str(scheme.get("scheme", "")).lower() == "basic":
                headers["authorization"] = "Basic " + base64.b64encode(b"user:pass").decode()
            else:
                headers["authorization"] = "Bearer token"
    return headers, query, cookies


def _value(generator: SchemaGenerator, parameter: Parameter) -> Any:
    return generator.generate(parameter.schema if parameter.schema is not None else {"type": "string"}, parameter.name)


def request_for(operation: Operation, seed: int, ids: dict[str, Any], *, drop_id: bool = False) -> dict[str, Any]:
    """The keyword arguments of ``httpx.Client.request`` for a valid call of ``operation`` (``drop_id``: a body
    without ``id``, as a client that lets the server name the record sends it)."""
    source = random.Random(seed)
    FAKER.seed_instance(seed)
    generator = SchemaGenerator(operation.document, source, FAKER, direction="request")
    headers, query, cookies = _credentials(operation)
    path = operation.template
    for parameter in operation.parameters:
        if parameter.where == "path":
            value = ids.get(parameter.name, _value(generator, parameter))
            path = path.replace("{" + parameter.name + "}", quote(_text(value), safe=""))
        elif not parameter.required:
            continue
        elif parameter.where == "query":
            value = _value(generator, parameter)
            if isinstance(value, list) and parameter.explode:
                query.extend((parameter.name, _text(item)) for item in value)
            elif isinstance(value, dict) and parameter.explode:
                query.extend((key, _text(item)) for key, item in value.items())
            else:
                query.append((parameter.name, _text(value)))
        elif parameter.where == "header":
            headers[parameter.name] = _text(_value(generator, parameter))
        elif parameter.where == "cookie":
            cookies[parameter.name] = _text(_value(generator, parameter))
    arguments: dict[str, Any] = {"method": operation.method, "url": path + ("?" + urlencode(query) if query else "")}
    body = operation.document.resolve(operation.request_body) if operation.request_body else None
    content = body.get("content") if isinstance(body, dict) else None
    if isinstance(content, dict) and content:
        media_type = next((key for key in content if "json" in key), next(iter(content)))
        media = content[media_type] if isinstance(content[media_type], dict) else {}
        value = generator.generate(media.get("schema", {}))
        if drop_id and isinstance(value, dict) and "id" in value:
            kept = value.pop("id")
            if not operation.document.validator(media.get("schema", {})).is_valid(value):
                value["id"] = kept  # the document requires the client to name the record
        if "json" in media_type or media_type == "*/*":
            arguments["content"] = orjson.dumps(value)
            media_type = "application/json" if media_type == "*/*" else media_type
        elif media_type == "application/x-www-form-urlencoded" and isinstance(value, dict):
            arguments["content"] = urlencode({key: _text(item) for key, item in value.items()}).encode()
        else:
            arguments["content"] = value.encode() if isinstance(value, str) else orjson.dumps(value)
        headers["content-type"] = media_type
    if cookies:
        headers["cookie"] = "; ".join(f"{key}={value}" for key, value in cookies.items())
    arguments["headers"] = headers
    return arguments


def _operations(service: Service) -> list[Operation]:
    found = [route.answer.operation for route in service.routes if hasattr(route.answer, "operation")]
    return sorted(found, key=lambda operation: (ORDER.get(operation.method, 1), operation.index))


def _listed_ids(client: httpx.Client, operations: list[Operation], operation: Operation, seed: int) -> dict[str, Any]:
    """For an item path of a collection, its id parameter holding an id the collection hands out: the last one
    its list answers, else the one a create answers."""
    binding = operation.binding
    if binding is None or binding.id_key is None:
        return {}
    resource = binding.endpoint.resource
    name = operation.template.rsplit("{", 1)[1].rstrip("}")
    for other in operations:
        if other.binding is None or other.binding.endpoint.resource is not resource:
            continue
        if other.binding.endpoint.action == "list":
            answer = client.request(**request_for(other, seed, {}))
            records = _records(answer) if answer.status_code == 200 else []
            if records and isinstance(records[-1], dict) and "id" in records[-1]:
                return {name: records[-1]["id"]}
    for other in operations:
        if (
            other.binding is not None
            and other.binding.endpoint.resource is resource
            and other.binding.endpoint.action == "create"
        ):
            answer = client.request(**request_for(other, seed, {}, drop_id=True))
            if answer.status_code < 300 and isinstance(answer.json(), dict) and "id" in answer.json():
                return {name: answer.json()["id"]}
    return {}


@pytest.mark.slow
def test_every_operation_called_with_valid_inputs_answers_as_documented(served: tuple[MockServer, Service]) -> None:
    server, service = served
    failures: list[str] = []
    statuses: Counter[int] = Counter()
    with httpx.Client(base_url=server.url_for(service.name), timeout=30) as client:
        operations = _operations(service)
        for index, operation in enumerate(operations):
            request = request_for(operation, index, _listed_ids(client, operations, operation, index))
            answer = client.request(**request)
            statuses[answer.status_code] += 1
            problem = check_answer(operation, answer)
            if problem is not None:
                failures.append(problem)
    print(f"{service.name}: {len(operations)} operations, statuses {dict(sorted(statuses.items()))}")
    assert operations or not service.routes
    assert sum(statuses.values()) == len(operations)
    assert not failures, f"{len(failures)} of {len(operations)} operations:\n" + "\n".join(failures)


# -- collections round-trip --------------------------------------------------------------------------------------


def _collection_operations(service: Service) -> dict[str, dict[str, Operation]]:
    """Per collection (resource name), its operations by endpoint action: those that document a success."""
    found: dict[str, dict[str, Operation]] = {}
    for operation in _operations(service):
        if operation.binding is not None and any(str(code).startswith("2") for code in operation.responses):
            endpoint = operation.binding.endpoint
            found.setdefault(endpoint.resource.name, {})[endpoint.action] = operation
    return found


def _records(answer: httpx.Response) -> list[Any]:
    data = answer.json()
    if isinstance(data, list):
        return data
    return next((value for value in data.values() if isinstance(value, list)), [])


@pytest.mark.slow
def test_every_collection_round_trips_with_ids_that_satisfy_the_id_schema(
    served: tuple[MockServer, Service],
) -> None:
    server, service = served
    collections = _collection_operations(service)
    if not collections:
        pytest.skip(f"{service.name}: mockery finds no collection in this document")
    failures: list[str] = []
    with httpx.Client(base_url=server.url_for(service.name), timeout=30) as client:
        for name, actions in collections.items():
            resource = next(r for r in service.resources if r.name == name)
            assert isinstance(resource.maker, SchemaRecords)
            rule = resource.maker.ids
            assert rule is not None
            failures.extend(f"{name}: {problem}" for problem in _round_trip(client, actions, rule))
    assert not failures, "\n".join(failures)


def _call(client: httpx.Client, operation: Operation, seed: int, record_id: Any = None) -> httpx.Response:
    name = operation.template.rsplit("{", 1)[1].rstrip("}") if record_id is not None else ""
    return client.request(**request_for(operation, seed, {name: record_id} if name else {}, drop_id=True))


def _round_trip(client: httpx.Client, actions: dict[str, Operation], rule: Any) -> Iterator[str]:
    listed: list[Any] = []
    if "list" in actions:
        answer = _call(client, actions["list"], 1)
        if answer.status_code != 200:
            yield f"list: {answer.status_code} {answer.text[:200]}"
            return
        listed = [record["id"] for record in _records(answer) if isinstance(record, dict) and "id" in record]
        yield from (
            f"listed id {record_id!r} breaks the id schema" for record_id in listed if not rule.valid(record_id)
        )
        if "get" in actions:
            for record_id in listed:
                got = _call(client, actions["get"], 2, record_id)
                if got.status_code != 200 or got.json().get("id") != record_id:
                    yield f"get {record_id!r} (listed): {got.status_code} {got.text[:200]}"
    created_id = None
    if "create" in actions:
        created = _call(client, actions["create"], 3)
        body = created.json() if created.content and "json" in created.headers.get("content-type", "") else None
        if created.status_code >= 300:
            yield f"create: {created.status_code} {created.text[:200]}"
        elif isinstance(body, dict) and "id" in body:
            created_id = body["id"]
        elif "list" in actions:  # a create documented with no body: the new id is the one the list adds
            after = [r.get("id") for r in _records(_call(client, actions["list"], 4)) if isinstance(r, dict)]
            created_id = next((record_id for record_id in after if record_id not in listed), None)
            if created_id is None:
                yield "create: no new record is listed"
        if created_id is not None:
            if not rule.valid(created_id):
                yield f"created id {created_id!r} breaks the id schema"
            if "list" in actions:
                ids = [r.get("id") for r in _records(_call(client, actions["list"], 4)) if isinstance(r, dict)]
                if created_id not in ids:
                    yield f"created id {created_id!r} is not listed"
    targets = list(dict.fromkeys(record_id for record_id in (created_id, *listed[-1:]) if record_id is not None))
    for seed, target in enumerate(targets):
        yield from _change_and_delete(client, actions, target, 5 + seed * 10)


def _change_and_delete(client: httpx.Client, actions: dict[str, Operation], target: Any, seed: int) -> Iterator[str]:
    """Get, replace, patch and delete the record ``target`` names; then it must be gone."""
    if "get" in actions:
        got = _call(client, actions["get"], seed, target)
        if got.status_code != 200:
            yield f"get {target!r}: {got.status_code} {got.text[:200]}"
    for action in ("replace", "update"):
        if action in actions:
            changed = _call(client, actions[action], seed + 1, target)
            if changed.status_code >= 300:
                yield f"{action} {target!r}: {changed.status_code} {changed.text[:200]}"
    if "delete" in actions:
        deleted = _call(client, actions["delete"], seed + 2, target)
        if deleted.status_code >= 300:
            yield f"delete {target!r}: {deleted.status_code} {deleted.text[:200]}"
        elif "get" in actions and _call(client, actions["get"], seed + 3, target).status_code != 404:
            yield f"get {target!r} after its delete is not a 404"
