"""How one OpenAPI operation answers a request: credentials, validation, ``Prefer``, then a response.

The response is the operation's first 2xx (else ``default``, else the first documented one) unless the client
asks otherwise with ``Prefer: code=404``, ``example=name`` or ``dynamic=true|false``. An explicit example wins
over generation unless ``dynamic=true``; an example that does not validate against its schema is not used.
"""

from __future__ import annotations

import re  # re-ok: fixed patterns, none supplied by a client or a spec
from dataclasses import dataclass, field
from typing import Any

import orjson

from mockery.http.answer import Answer, problem
from mockery.http.requests import RawRequest
from mockery.openapi.document import OpenAPIDocument
from mockery.openapi.generate import SchemaGenerator
from mockery.openapi.stateful import Binding
from mockery.openapi.stateful import answer as stateful_answer
from mockery.openapi.validation import (
    Parameter,
    body_violations,
    media_is_json,
    missing_credentials,
    parameter_violations,
)
from mockery.resources.registry import Resources
from mockery.templates.fakes import derive_seed, json_default, new_generator

_PREFER = re.compile(r'([A-Za-z-]+)\s*=\s*("[^"]*"|[^,;\s]+)')


def parse_prefer(header: str) -> dict[str, str]:
    """``code=404, example="a b"`` -> ``{"code": "404", "example": "a b"}``."""
    return {key.lower(): value.strip('"') for key, value in _PREFER.findall(header)}


@dataclass(slots=True)
class Fakers:
    """The Faker generator of one OpenAPI service, built on first use (it costs ~20 ms)."""

    locale: str
    _generator: Any = None

    def seeded(self, seed: int) -> Any:
        if self._generator is None:
            self._generator = new_generator(self.locale)
        self._generator.seed_instance(seed)
        return self._generator


@dataclass(frozen=True, slots=True, eq=False)
class Operation:
    """One operation of a document, compiled for answering (held by an ``OperationAnswer``)."""

    document: OpenAPIDocument
    index: int
    method: str
    template: str
    parameters: tuple[Parameter, ...]
    request_body: dict[str, Any] | None
    responses: dict[str, Any]
    security: list[Any]
    fakers: Fakers = field(repr=False)
    # Set when the operation is an endpoint of a collection found in the document (mockery.openapi.state).
    binding: Binding | None = None

    def __repr__(self) -> str:
        return f"Operation({self.method} {self.template})"

    def respond(self, raw: RawRequest, path_params: dict[str, Any], state: Any) -> Answer:
        """The answer to ``raw``; ``state`` is the service's runtime state (its seeded randomness)."""
        seed = derive_seed(state.randomness.seed, self.index, raw.method, raw.path, raw.query_string)
        state.randomness.reseed(seed)
        source = state.randomness.source
        faker = self.fakers.seeded(source.getrandbits(64))
        try:
            return self._respond(raw, path_params, source, faker, getattr(state, "resources", None))
        except Exception as exc:  # a document may hold anything; the server must keep serving
            return problem(500, "Generation error", f"{self.method} {self.template}: {type(exc).__name__}: {exc}")

    def _respond(
        self, raw: RawRequest, path_params: dict[str, Any], source: Any, faker: Any, resources: Resources | None
    ) -> Answer:
        prefer = parse_prefer(raw.headers.get("prefer", ""))
        schemes = self.document.data.get("components", {}).get("securitySchemes", {})
        missing = missing_credentials(
            self.security, schemes if isinstance(schemes, dict) else {}, raw.headers, raw.query_string
        )
        if missing:
            return problem(
                401, "Unauthorized", f"credentials are required: {' or '.join(missing)}", schemes=missing
            ).with_headers((b"www-authenticate", _challenge(missing, schemes).encode("latin-1")))
        violations = parameter_violations(self.parameters, self.document, path_params, raw.query_string, raw.headers)
        violations += body_violations(self.request_body, self.document, raw.body, raw.headers.get("content-type", ""))
        if violations:
            return self._invalid([violation.as_dict() for violation in violations], source, faker, prefer)
        if self.binding is not None and resources is not None and not prefer.keys() & {"code", "example", "dynamic"}:
            return self._stateful(raw, path_params, source, faker, resources)
        applied: list[str] = []
        code = self._documented(prefer.get("code"))
        if code is not None:
            applied.append(f"code={prefer['code']}")
        else:
            code = self._success()
        if code is None:
            return Answer(204)
        return self._answer(code, prefer, applied, source, faker)

    def _stateful(
        self, raw: RawRequest, path_params: dict[str, Any], source: Any, faker: Any, resources: Resources
    ) -> Answer:
        """The collection's answer, with the documented status (and documented error bodies, when given)."""
        assert self.binding is not None
        generator = SchemaGenerator(self.document, source, faker)
        answer = stateful_answer(self.binding, resources, raw, path_params, generator)
        status = answer.status
        if status >= 400:
            response = self.document.resolve(self.responses.get(str(status)))
            if isinstance(response, dict) and json_media(response) is not None:
                return self._answer(str(status), {}, [], source, faker)
            return answer
        code = self._success()
        if code is None or not code.isdigit():
            return answer
        response = self.document.resolve(self.responses.get(code))
        if not isinstance(response, dict) or not response.get("content") or int(code) in (204, 304):
            return Answer(int(code), tuple(header for header in answer.headers if header[0] != b"content-type"))
        return Answer(int(code), answer.headers, answer.body)

    def _invalid(self, errors: list[dict[str, str]], source: Any, faker: Any, prefer: dict[str, str]) -> Answer:
        for code in ("422", "400"):
            response = self.document.resolve(self.responses.get(code))
            if isinstance(response, dict) and json_media(response) is not None:
                return self._answer(code, prefer, [], source, faker)
        status = 400 if "400" in self.responses and "422" not in self.responses else 422
        detail = "; ".join(f"{error['location']}: {error['message']}" for error in errors)
        return problem(status, "Invalid request", detail, errors=errors)

    def _documented(self, wanted: str | None) -> str | None:
        if wanted is None or not wanted.isdigit():
            return None
        if wanted in self.responses:
            return wanted
        if f"{wanted[0]}XX" in self.responses:
            return f"{wanted[0]}XX"
        return "default" if "default" in self.responses else None

    def _success(self) -> str | None:
        codes = sorted(code for code in self.responses if code.startswith("2"))
        if codes:
            return codes[0]
        if "default" in self.responses:
            return "default"
        return next(iter(self.responses), None)

    def _answer(self, code: str, prefer: dict[str, str], applied: list[str], source: Any, faker: Any) -> Answer:
        status = _status(code, prefer.get("code"))
        response = self.document.resolve(self.responses.get(code))
        response = response if isinstance(response, dict) else {}
        generator = SchemaGenerator(self.document, source, faker, use_examples=prefer.get("dynamic") != "true")
        headers: list[tuple[bytes, bytes]] = []
        for name, raw_header in (response.get("headers") or {}).items():
            header = self.document.resolve(raw_header)
            if name.lower() == "content-type" or not isinstance(header, dict):
                continue
            value = _example_of(header, self.document) if prefer.get("dynamic") != "true" else None
            if value is None and "schema" in header:
                value = generator.generate(header["schema"], name)
            if value is not None:
                headers.append((name.lower().encode("latin-1"), _header_text(value)))
        content = response.get("content")
        if not isinstance(content, dict) or not content or status in (204, 304):
            return Answer(status, tuple(headers))
        media_type, media = json_media(response) or next(iter(content.items()))
        media = media if isinstance(media, dict) else {}
        schema = media.get("schema")
        body: Any = None
        found = False
        if prefer.get("dynamic") != "true":
            found, body = media_example(media, schema, prefer.get("example"), self.document)
            if found and "example" in prefer:
                applied.append(f"example={prefer['example']}")
        if not found:
            body = generator.generate(schema) if schema is not None else None
        if prefer.get("dynamic") in ("true", "false"):
            applied.append(f"dynamic={prefer['dynamic']}")
        headers.append((b"content-type", media_type.encode("latin-1")))
        if applied:
            headers.append((b"preference-applied", ", ".join(applied).encode("latin-1")))
        if media_is_json(media_type):
            return Answer(status, tuple(headers), orjson.dumps(body, default=json_default))
        return Answer(status, tuple(headers), b"" if body is None else str(body).encode())


def _status(code: str, preferred: str | None) -> int:
    if code.isdigit():
        return int(code)
    if preferred is not None and preferred.isdigit():
        return int(preferred)
    return 200 if code == "default" else int(code[0]) * 100


def json_media(response: dict[str, Any]) -> tuple[str, Any] | None:
    """The JSON media type of a documented response and its media object (the importer uses it too)."""
    content = response.get("content")
    if not isinstance(content, dict):
        return None
    for media_type, media in content.items():
        if media_is_json(media_type) and media_type != "*/*":
            return media_type, media
    return None


def media_example(media: dict[str, Any], schema: Any, name: str | None, document: OpenAPIDocument) -> tuple[bool, Any]:
    """The example to answer with: the named one, else ``example``, else the first of ``examples``; valid only."""
    candidates: list[Any] = []
    examples = media.get("examples") if isinstance(media.get("examples"), dict) else {}
    assert isinstance(examples, dict)
    if name is not None and name in examples:
        candidates.append(document.resolve(examples[name]))
    elif "example" in media:
        candidates.append({"value": media["example"]})
    else:
        candidates.extend(document.resolve(example) for example in examples.values())
    for candidate in candidates:
        if not isinstance(candidate, dict) or "value" not in candidate:
            continue
        value = candidate["value"]
        if schema is None or document.validator(schema).is_valid(value):
            return True, value
    return False, None


def _example_of(header: dict[str, Any], document: OpenAPIDocument) -> Any:
    if "example" in header:
        return header["example"]
    examples = header.get("examples")
    if isinstance(examples, dict):
        for example in examples.values():
            resolved = document.resolve(example)
            if isinstance(resolved, dict) and "value" in resolved:
                return resolved["value"]
    return None


def _header_text(value: Any) -> bytes:
    text = value if isinstance(value, str) else orjson.dumps(value, default=json_default).decode()
    return text.replace("\r", " ").replace("\n", " ").encode("latin-1", errors="replace")


def _challenge(missing: list[str], schemes: Any) -> str:
    for name in missing:
        scheme = schemes.get(name) if isinstance(schemes, dict) else None
        if isinstance(scheme, dict) and scheme.get("type") == "http":
            return f'{str(scheme.get("scheme", "Basic")).capitalize()} realm="mockery"'
    return 'Bearer realm="mockery"'
