"""Errors mockery answers for an OpenAPI operation, in the shape the document gives them.

A ``Failure`` says what went wrong (status, title, detail, each violation with where it is). ``error_answer``
sends it as the operation documents that status: its own response, else its range (``4XX``), else ``default``,
in a documented media type the client accepts (else the first). The body follows the documented schema, with
the failure's real details in the places the schema has for them (``message``, ``detail``, ``title``,
``code``, ``status``, an ``errors`` array with field paths, one level of ``error`` wrapper); anything else
appears only when required, generated. A value that would break its property's schema is not put there.
Only an operation that documents nothing for the status gets mockery's own ``application/problem+json``.

Answers built elsewhere as ``problem(...)`` (the collections of :mod:`mockery.openapi.stateful`) are shaped
the same way: ``Failure.of`` reads them back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from mockery.http.answer import PROBLEM_MEDIA, PROBLEM_TYPE, Answer, Headers, problem
from mockery.openapi.document import OpenAPIDocument
from mockery.openapi.generate import SchemaGenerator
from mockery.openapi.media import Offer, Ranges, documented_headers, kind_of, negotiate, render

_MESSAGE = frozenset(
    {"message", "msg", "detail", "details", "description", "reason", "errormessage", "errordescription", "text"}
)
_MESSAGE |= {"errordetail", "errordetails", "developermessage", "usermessage", "errormsg", "cause", "issue"}
_TITLE = frozenset({"title", "error", "summary", "errortitle", "errortype", "errorname"})
_STATUS = frozenset({"status", "code", "statuscode", "httpstatus", "httpcode", "httpstatuscode", "errorcode"})
_ERRORS = frozenset({"errors", "details", "violations", "fielderrors", "validationerrors", "issues", "problems"})
_ERRORS |= {"invalidparams", "invalidfields", "errordetails", "causes", "subErrors".lower()}
_LOCATION = frozenset({"field", "path", "location", "pointer", "name", "param", "parameter", "property", "loc"})
_LOCATION |= {"fieldname", "propertypath", "jsonpath", "source", "key", "target", "attribute"}
_INSTANCE = frozenset({"instance", "path", "uri", "url", "requestpath", "endpoint"})
# A property of the error itself naming where the (first) violation is: ``{"code", "message", "field"}``.
_FIELD = frozenset({"field", "fieldname", "location", "pointer", "param", "parameter", "property", "jsonpath"})


@dataclass(frozen=True, slots=True)
class Failure:
    """What went wrong with one request: its status, a title, a detail, each violation (``location``,
    ``message``), headers the answer must carry (a challenge, ``Allow``) and fields for a problem document."""

    status: int
    title: str
    detail: str
    errors: tuple[Mapping[str, str], ...] = ()
    headers: Headers = ()
    extra: Mapping[str, Any] = field(default_factory=dict)
    instance: str = ""

    @classmethod
    def of(cls, answer: Answer, instance: str = "") -> Failure | None:
        """The failure a ``problem(...)`` answer reports; ``None`` for any other answer."""
        media = next((value for name, value in answer.headers if name == b"content-type"), None)
        if answer.status < 400 or media != PROBLEM_MEDIA:
            return None
        try:
            body = orjson.loads(answer.body)
        except orjson.JSONDecodeError:
            return None
        if not isinstance(body, dict):
            return None
        errors = body.get("errors")
        extra = {key: value for key, value in body.items() if key not in ("type", "title", "status", "detail")}
        return cls(
            answer.status,
            str(body.get("title", "")),
            str(body.get("detail", "")),
            tuple(_violation(error) for error in errors) if isinstance(errors, list) else (),
            tuple(header for header in answer.headers if header[0] != b"content-type"),
            extra,
            instance,
        )

    def as_problem(self) -> Answer:
        errors = {"errors": [dict(error) for error in self.errors]} if self.errors else {}
        return problem(self.status, self.title, self.detail, **{**self.extra, **errors}).with_headers(*self.headers)


def _violation(error: Any) -> Mapping[str, str]:
    if isinstance(error, dict):
        location = error.get("location", error.get("field", error.get("path", "")))
        return {"location": str(location), "message": str(error.get("message", error))}
    return {"location": "", "message": str(error)}


def documented_key(responses: Mapping[str, Any], status: int) -> str | None:
    """The documented response for ``status``: its own, else its range (``4XX``), else ``default``."""
    for key in (str(status), f"{str(status)[0]}XX", f"{str(status)[0]}xx", "default"):
        if key in responses:
            return key
    return None


def error_answer(
    failure: Failure,
    responses: Mapping[str, Any],
    offers: Mapping[str, tuple[Offer, ...]],
    document: OpenAPIDocument,
    ranges: Ranges,
    generator: SchemaGenerator,
) -> Answer:
    """``failure`` in the shape the operation documents for its status (see the module's docstring)."""
    key = documented_key(responses, failure.status)
    if key is None:
        return failure.as_problem()
    response = document.resolve(responses.get(key))
    choices = offers.get(key, ())
    if not isinstance(response, dict) or not choices:
        # Documented without a body: the status as documented, mockery's details kept for people to read.
        return failure.as_problem()
    chosen = negotiate(choices, ranges) or (choices[0], choices[0].fallback)
    offer, media_type = chosen
    schema = offer.schema
    body = fill(schema, failure, document, generator) if schema is not None else _example(offer, failure)
    documented = documented_headers(response, generator, only_required=True)
    headers = (*failure.headers, *documented, (b"content-type", media_type.encode("latin-1")))
    root = "error" if kind_of(media_type) == "xml" else "response"
    return Answer(failure.status, headers, render(body, media_type, schema, document, root))


def _example(offer: Offer, failure: Failure) -> Any:
    if "example" in offer.media:
        return offer.media["example"]
    return {"status": failure.status, "title": failure.title, "detail": failure.detail}


def fill(schema: Any, failure: Failure, document: OpenAPIDocument, generator: SchemaGenerator, depth: int = 0) -> Any:
    """A value of ``schema`` carrying the failure's details where the schema has a place for them."""
    merged = generator.merge([schema]) if isinstance(schema, dict) else {}
    kind = merged.get("type")
    if kind == "string" or (isinstance(kind, list) and "string" in kind and "object" not in kind):
        return failure.detail if _valid(document, schema, failure.detail) else generator.generate(schema)
    properties = merged.get("properties")
    if not isinstance(properties, dict) or depth > 2:
        return generator.generate(schema)
    required = [key for key in merged.get("required", []) if isinstance(key, str)]
    result: dict[str, Any] = {}
    for key, sub in properties.items():
        found, value = _place(str(key), sub, failure, document, generator, depth)
        if found and _valid(document, sub, value):
            result[key] = value
    base: Any = None
    if any(key not in result for key in required):
        base = generator.generate(schema)
        base = base if isinstance(base, dict) else {}
        for key in required:
            if key not in result and key in base:
                result[key] = base[key]
    if _valid(document, schema, result):
        return result
    # The document asks for more (minProperties, a dependency): the generated value with the details on it.
    base = base if isinstance(base, dict) else generator.generate(schema)
    if isinstance(base, dict):
        merged_value = {**base, **result}
        return merged_value if _valid(document, schema, merged_value) else base
    return base


def _place(
    key: str, schema: Any, failure: Failure, document: OpenAPIDocument, generator: SchemaGenerator, depth: int
) -> tuple[bool, Any]:
    """What of the failure belongs in the property ``key`` (whose schema is ``schema``), if anything."""
    name = key.lower().replace("_", "").replace("-", "")
    merged = generator.merge([schema]) if isinstance(schema, dict) else {}
    kinds = merged.get("type")
    kinds = [kinds] if isinstance(kinds, str) else kinds if isinstance(kinds, list) else []
    if "array" in kinds and name in _ERRORS:
        if not failure.errors:
            return False, None
        return True, [_item(error, merged.get("items"), document, generator) for error in failure.errors]
    if "object" in kinds and name in ("error", "err", "problem", "fault") and depth < 2:
        return True, fill(schema, failure, document, generator, depth + 1)
    if name in _STATUS and ("integer" in kinds or "number" in kinds):
        return True, failure.status
    if "string" not in kinds:
        return False, None
    if name in _MESSAGE:
        return True, failure.detail
    if name in _TITLE:
        return True, failure.title
    if name in _STATUS:
        return True, str(failure.status)
    if name in _FIELD and failure.errors:
        return True, failure.errors[0].get("location", "")
    if name in _INSTANCE and failure.instance:
        return True, failure.instance
    if name == "type":
        return True, PROBLEM_TYPE
    return False, None


def _item(error: Mapping[str, str], schema: Any, document: OpenAPIDocument, generator: SchemaGenerator) -> Any:
    """One violation as an item of the documented errors array."""
    merged = generator.merge([schema]) if isinstance(schema, dict) else {}
    text = f"{error['location']}: {error['message']}" if error.get("location") else error["message"]
    properties = merged.get("properties")
    if not isinstance(properties, dict):
        return text if merged.get("type") in ("string", None) else generator.generate(schema)
    item: dict[str, Any] = {}
    for key in properties:
        name = str(key).lower().replace("_", "").replace("-", "")
        if name in _LOCATION:
            item[key] = error.get("location", "")
        elif name in _MESSAGE or name in _TITLE:
            item[key] = error.get("message", "")
    required = [key for key in merged.get("required", []) if isinstance(key, str) and key not in item]
    if required:
        made = generator.generate(schema)
        if isinstance(made, dict):
            item.update({key: made[key] for key in required if key in made})
    return item


def _valid(document: OpenAPIDocument, schema: Any, value: Any) -> bool:
    if schema is None or schema is True or schema == {}:
        return True
    if not isinstance(schema, dict):
        return False
    return bool(document.validator(schema).is_valid(value))


def challenge(names: list[str], schemes: Mapping[str, Any]) -> tuple[str, str]:
    """The ``WWW-Authenticate`` value for the schemes a client could have used (one challenge each), and
    what it should send, in words: ``Bearer realm="mockery"``, ``Basic ...``, or for an API key
    ``APIKey realm="mockery", in="header", name="X-API-Key"``."""
    challenges: list[str] = []
    wanted: list[str] = []
    for name in names:
        scheme = schemes.get(name)
        scheme = scheme if isinstance(scheme, dict) else {}
        kind = scheme.get("type")
        if kind == "apiKey":
            where, key = str(scheme.get("in", "header")), _quoted(str(scheme.get("name", name)))
            value = f'APIKey realm="mockery", in="{_quoted(where)}", name="{key}"'
            place = {"header": f"the {key} header", "query": f"the {key} query parameter"}.get(where)
            what = place or f"the {key} cookie"
        elif kind == "http" and str(scheme.get("scheme", "")).lower() not in ("", "bearer"):
            word = str(scheme.get("scheme")).capitalize()
            value, what = f'{_token(word)} realm="mockery"', f"an Authorization: {_token(word)} <credentials> header"
        else:  # bearer, OAuth 2.0, OpenID Connect, and what cannot be told
            value, what = 'Bearer realm="mockery"', "an Authorization: Bearer <token> header"
        if value not in challenges:
            challenges.append(value)
            wanted.append(f"{what} ({name})")
    return ", ".join(challenges), " or ".join(wanted)


def _quoted(text: str) -> str:
    """``text`` fit for a quoted-string of a header (no quotes, backslashes or control characters)."""
    return "".join(char for char in text if " " <= char <= "~" and char not in '"\\')[:100]


def _token(text: str) -> str:
    return "".join(char for char in text if char.isalnum() or char in "-._~+") or "Bearer"
