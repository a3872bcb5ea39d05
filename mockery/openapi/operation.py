"""How one OpenAPI operation answers a request: credentials, validation, ``Prefer``, then a response.

The response is the operation's first 2xx (else ``default``, else the first documented one) unless the client
asks otherwise with ``Prefer: code=404``, ``example=name`` or ``dynamic=true|false``. An explicit example wins
over generation unless ``dynamic=true``; an example that does not validate against its schema is not used.
Its media type is negotiated with ``Accept`` (:mod:`.media`: 406 when the client accepts none documented);
the errors mockery answers (401, 406, 415, 400/422, a collection's 404/409) take the documented shape for
their status (:mod:`.errors`).
"""

from __future__ import annotations

import random
import re  # re-ok: fixed patterns, none supplied by a client or a spec
from dataclasses import dataclass, field
from typing import Any

import orjson

from mockery.http.answer import Answer, problem
from mockery.http.requests import RawRequest
from mockery.openapi.document import OpenAPIDocument
from mockery.openapi.errors import Failure, challenge, error_answer
from mockery.openapi.generate import SchemaGenerator
from mockery.openapi.media import Offer, Ranges, documented_headers, negotiate, offers_of, parse_accept, render
from mockery.openapi.stateful import Binding
from mockery.openapi.stateful import answer as stateful_answer
from mockery.openapi.validation import (
    Parameter,
    Violation,
    body_violations,
    media_is_json,
    missing_credentials,
    parameter_violations,
)
from mockery.resources.registry import Resources
from mockery.templates.fakes import derive_seed, new_generator

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
    # Decided once, at load time: the media types each response offers, and the shape a collection's record
    # takes in this operation's documented answer (``None``: as it is; ``""``: in an array; else a property).
    offers: dict[str, tuple[Offer, ...]] = field(init=False, repr=False)
    wrap: str | None = field(init=False, repr=False)

    def __post_init__(self) -> None:
        offers = {
            code: offers_of(self.document.resolve(response), self.document) for code, response in self.responses.items()
        }
        object.__setattr__(self, "offers", offers)
        object.__setattr__(self, "wrap", self._record_wrapping())

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
        ranges = parse_accept(raw.headers.get("accept"))
        schemes = self.document.data.get("components", {}).get("securitySchemes", {})
        schemes = schemes if isinstance(schemes, dict) else {}
        missing = missing_credentials(self.security, schemes, raw.headers, raw.query_string)
        if missing:
            value, wanted = challenge(missing, schemes)
            failure = Failure(
                401,
                "Unauthorized",
                f"credentials are required: send {wanted}",
                headers=((b"www-authenticate", value.encode("latin-1")),),
                extra={"schemes": missing},
                instance=raw.path,
            )
            return self._error(failure, ranges, source, faker)
        violations = parameter_violations(self.parameters, self.document, path_params, raw.query_string, raw.headers)
        violations += body_violations(self.request_body, self.document, raw.body, raw.headers.get("content-type", ""))
        if violations:
            return self._invalid(violations, raw, ranges, source, faker)
        applied: list[str] = []
        code = self._documented(prefer.get("code"))
        if code is not None:
            applied.append(f"code={prefer['code']}")
        else:
            code = self._success()
        if code is None:
            return Answer(204)
        offers = self.offers.get(code, ())
        chosen = negotiate(offers, ranges) if offers else None
        if offers and chosen is None:
            if not code.startswith("2") and code != "default":
                chosen = (offers[0], offers[0].fallback)  # an error asked for by Prefer: sent in any case
            else:
                return self._not_acceptable(offers, raw, ranges, source, faker)
        if self.binding is not None and resources is not None and not prefer.keys() & {"code", "example", "dynamic"}:
            return self._stateful(raw, path_params, source, faker, resources, ranges, chosen)
        return self._answer(code, prefer, applied, source, faker, chosen)

    def _error(self, failure: Failure, ranges: Ranges, source: Any, faker: Any) -> Answer:
        generator = SchemaGenerator(self.document, source, faker, use_examples=False)
        return error_answer(failure, self.responses, self.offers, self.document, ranges, generator)

    def _not_acceptable(
        self, offers: tuple[Offer, ...], raw: RawRequest, ranges: Ranges, source: Any, faker: Any
    ) -> Answer:
        available = [offer.documented for offer in offers]
        accept = raw.headers.get("accept", "")[:200]
        detail = f"{accept!r} accepts none of the documented media types: {', '.join(available)}"
        failure = Failure(406, "Not acceptable", detail, extra={"available": available}, instance=raw.path)
        return self._error(failure, ranges, source, faker)

    def _stateful(
        self,
        raw: RawRequest,
        path_params: dict[str, Any],
        source: Any,
        faker: Any,
        resources: Resources,
        ranges: Ranges,
        chosen: tuple[Offer, str] | None,
    ) -> Answer:
        """The collection's answer, with the documented status, media type and shape (and error shapes)."""
        assert self.binding is not None
        generator = SchemaGenerator(self.document, source, faker)
        answer = stateful_answer(self.binding, resources, raw, path_params, generator)
        if answer.status >= 400:
            failure = Failure.of(answer, raw.path)
            return answer if failure is None else self._error(failure, ranges, source, faker)
        code = self._success()
        if code is None or not code.isdigit():
            return answer
        others = tuple(header for header in answer.headers if header[0] != b"content-type")
        if chosen is None or int(code) in (204, 304):
            return Answer(int(code), others)
        offer, media_type = chosen
        content_type = (b"content-type", media_type.encode("latin-1"))
        if self.wrap is None and media_is_json(media_type):
            return Answer(int(code), (*others, content_type), answer.body)
        body = orjson.loads(answer.body) if answer.body else None
        if self.wrap == "" and isinstance(body, dict):
            body = [body]
        elif self.wrap and isinstance(body, dict):
            wrapper = generator.generate(offer.schema)
            body = {**wrapper, self.wrap: body} if isinstance(wrapper, dict) else {self.wrap: body}
        return Answer(int(code), (*others, content_type), render(body, media_type, offer.schema, self.document))

    def _record_wrapping(self) -> str | None:
        """How a record is put in this operation's documented answer: as it is (``None``), in an array
        (``""``) or under a property of a wrapper object (its name). Lists are shaped by the collection."""
        if self.binding is None or self.binding.endpoint.action == "list":
            return None
        code = self._success()
        offers = self.offers.get(code or "", ())
        schema = offers[0].schema if offers else None
        if not isinstance(schema, dict):
            return None
        helper = SchemaGenerator(self.document, random.Random(0), None)
        merged = helper.merge([schema])
        if merged.get("type") == "array":
            return ""
        properties = merged.get("properties")
        if not isinstance(properties, dict) or "id" in properties:
            return None
        for key, sub in properties.items():
            inner = helper.merge([sub]) if isinstance(sub, dict) else {}
            if isinstance(inner.get("properties"), dict) and "id" in inner["properties"]:
                return str(key)
        return None

    def _invalid(self, violations: list[Violation], raw: RawRequest, ranges: Ranges, source: Any, faker: Any) -> Answer:
        errors = tuple(violation.as_dict() for violation in violations)
        detail = "; ".join(f"{error['location']}: {error['message']}" for error in errors)
        if any(error["location"] == "header.content-type" for error in errors):
            failure = Failure(415, "Unsupported media type", detail, errors, instance=raw.path)
            return self._error(failure, ranges, source, faker)
        status = 400 if "400" in self.responses and "422" not in self.responses else 422
        return self._error(Failure(status, "Invalid request", detail, errors, instance=raw.path), ranges, source, faker)

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

    def _answer(
        self,
        code: str,
        prefer: dict[str, str],
        applied: list[str],
        source: Any,
        faker: Any,
        chosen: tuple[Offer, str] | None,
    ) -> Answer:
        status = _status(code, prefer.get("code"))
        response = self.document.resolve(self.responses.get(code))
        response = response if isinstance(response, dict) else {}
        generator = SchemaGenerator(self.document, source, faker, use_examples=prefer.get("dynamic") != "true")
        headers = documented_headers(response, generator, use_examples=prefer.get("dynamic") != "true")
        if chosen is None or status in (204, 304):
            return Answer(status, tuple(headers))
        offer, media_type = chosen
        media = dict(offer.media)
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
        return Answer(status, tuple(headers), render(body, media_type, schema, self.document))


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
