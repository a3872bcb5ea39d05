"""Check a request against its OpenAPI operation: parameters (path, query, header, cookie), body, credentials.

Parameters arrive as text; each is turned into the type its schema names before it is validated, as a
server framework would. Every violation is collected (not only the first) with where it is (``query.limit``,
``body.tags[0]``) and jsonschema's message, so that one 422 tells a client everything it got wrong.
"""

from __future__ import annotations

import re  # re-ok: fixed patterns, none supplied by a client or a spec
from collections.abc import Iterable
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie
from typing import Any
from urllib.parse import parse_qsl

import orjson

from mockery.openapi.document import OpenAPIDocument

_REQUIRED = re.compile(r"^'(.+)' is a required property$")


@dataclass(frozen=True, slots=True)
class Violation:
    """One thing wrong with a request: where (``path.petId``, ``body.name``) and what."""

    location: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"location": self.location, "message": self.message}


@dataclass(frozen=True, slots=True)
class Parameter:
    """A resolved parameter of an operation; ``key`` is its name in the matched path (made safe)."""

    name: str
    where: str  # path, query, header, cookie
    required: bool
    schema: Any
    explode: bool
    style: str
    key: str


def media_is_json(media_type: str) -> bool:
    base = media_type.split(";", 1)[0].strip().lower()
    return base == "application/json" or base.endswith("+json") or base == "*/*"


def coerce(text: str, schema: Any, document: OpenAPIDocument) -> Any:
    """``text`` as the type ``schema`` names (left as text when it does not parse: validation says why)."""
    schema = document.resolve(schema)
    kinds = schema.get("type") if isinstance(schema, dict) else None
    kinds = [kinds] if isinstance(kinds, str) else kinds if isinstance(kinds, list) else ["string"]
    for kind in kinds:
        try:
            if kind == "integer":
                return int(text)
            if kind == "number":
                return float(text) if any(c in text for c in ".eE") else int(text)
        except ValueError:
            continue
        if kind == "boolean" and text in ("true", "false"):
            return text == "true"
        if kind == "null" and text in ("", "null"):
            return None
    return text


def _array_values(values: list[str], parameter: Parameter, document: OpenAPIDocument) -> list[Any]:
    if not parameter.explode or parameter.style != "form":
        separator = {"spaceDelimited": " ", "pipeDelimited": "|"}.get(parameter.style, ",")
        values = [part for value in values for part in value.split(separator)]
    schema = document.resolve(parameter.schema)
    items = schema.get("items", {}) if isinstance(schema, dict) else {}
    return [coerce(value, items, document) for value in values]


def _is_array(schema: Any, document: OpenAPIDocument) -> bool:
    schema = document.resolve(schema)
    kind = schema.get("type") if isinstance(schema, dict) else None
    return kind == "array" or (isinstance(kind, list) and "array" in kind)


def parameter_violations(
    parameters: Iterable[Parameter],
    document: OpenAPIDocument,
    path_params: dict[str, Any],
    query_string: str,
    headers: dict[str, str],
) -> list[Violation]:
    """Every parameter that is missing or does not fit its schema."""
    query: dict[str, list[str]] = {}
    for key, value in parse_qsl(query_string, keep_blank_values=True):
        query.setdefault(key, []).append(value)
    cookies: dict[str, str] = {}
    if "cookie" in headers:
        try:
            jar = SimpleCookie(headers["cookie"])
            cookies = {key: morsel.value for key, morsel in jar.items()}
        except CookieError:
            cookies = {}
    violations: list[Violation] = []
    for parameter in parameters:
        location = f"{parameter.where}.{parameter.name}"
        raw: list[str] | None
        if parameter.where == "path":
            raw = [str(path_params[parameter.key])] if parameter.key in path_params else None
        elif parameter.where == "query":
            raw = query.get(parameter.name)
        elif parameter.where == "header":
            found = headers.get(parameter.name.lower())
            raw = None if found is None else [found]
        else:
            found = cookies.get(parameter.name)
            raw = None if found is None else [found]
        if raw is None:
            if parameter.required:
                violations.append(
                    Violation(location, f"the {parameter.where} parameter {parameter.name!r} is required")
                )
            continue
        if parameter.schema is None:
            continue
        typed: Any = (
            _array_values(raw, parameter, document)
            if _is_array(parameter.schema, document)
            else coerce(raw[-1], parameter.schema, document)
        )
        for error in document.validator(parameter.schema).iter_errors(typed):
            violations.append(Violation(location + _suffix(error.absolute_path), error.message))
    return violations


def body_violations(
    request_body: dict[str, Any] | None, document: OpenAPIDocument, body: bytes, content_type: str
) -> list[Violation]:
    """What is wrong with the body: missing when required, unreadable, or not matching the schema."""
    if not request_body:
        return []
    if not body:
        if request_body.get("required") is True:
            return [Violation("body", "a request body is required")]
        return []
    content = request_body.get("content")
    if not isinstance(content, dict) or not content:
        return []
    media = content_type.split(";", 1)[0].strip().lower()
    declared = {key.split(";", 1)[0].strip().lower(): value for key, value in content.items()}
    chosen = declared.get(media)
    if chosen is None:
        wildcard = [value for key, value in declared.items() if key in ("*/*", media.split("/")[0] + "/*")]
        if not wildcard:
            accepted = ", ".join(declared)
            return [
                Violation("header.content-type", f"{content_type or 'no content type'!r} is not one of: {accepted}")
            ]
        chosen = wildcard[0]
    schema = chosen.get("schema") if isinstance(chosen, dict) else None
    if schema is None:
        return []
    if media_is_json(media):
        try:
            value = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            return [Violation("body", f"the body is not valid JSON: {exc}")]
    elif media == "application/x-www-form-urlencoded":
        resolved = document.resolve(schema)
        properties = resolved.get("properties", {}) if isinstance(resolved, dict) else {}
        value = _form_fields(body, properties, document)
    else:
        return []
    violations = []
    for error in document.validator(schema).iter_errors(value):
        location = "body" + _suffix(error.absolute_path)
        missing = _REQUIRED.match(error.message) if error.validator == "required" else None
        if missing is not None:
            if _read_only(error.schema, missing.group(1), document):
                continue  # readOnly properties are the server's to fill in
            location = f"{location}.{missing.group(1)}"
        violations.append(Violation(location, error.message))
    return violations


def _form_fields(body: bytes, properties: Any, document: OpenAPIDocument) -> dict[str, Any]:
    """A urlencoded body as the schema reads it: a field whose schema is an array keeps every repeat
    (``labels=a&labels=b``), each item coerced by the array's ``items``; any other field keeps its last value."""
    repeated: dict[str, list[str]] = {}
    for key, text in parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True):
        repeated.setdefault(key, []).append(text)
    value: dict[str, Any] = {}
    for key, texts in repeated.items():
        schema = properties.get(key, {}) if isinstance(properties, dict) else {}
        if _is_array(schema, document):
            items = document.resolve(schema).get("items", {})
            value[key] = [coerce(text, items, document) for text in texts]
        else:
            value[key] = coerce(texts[-1], schema, document)
    return value


def _read_only(schema: Any, name: str, document: OpenAPIDocument) -> bool:
    if not isinstance(schema, dict):
        return False
    properties = schema.get("properties")
    sub = properties.get(name) if isinstance(properties, dict) else None
    return isinstance(sub, dict) and (sub.get("readOnly") is True or document.resolve(sub).get("readOnly") is True)


def _suffix(path: Iterable[Any]) -> str:
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in path)


def missing_credentials(
    requirements: list[Any], schemes: dict[str, Any], headers: dict[str, str], query_string: str
) -> list[str]:
    """The schemes a client could have used when none of ``requirements`` is met; ``[]`` when one is."""
    if not requirements:
        return []
    query = dict(parse_qsl(query_string, keep_blank_values=True))
    cookie_text = headers.get("cookie", "")
    tried: list[str] = []
    for requirement in requirements:
        if not isinstance(requirement, dict):
            continue
        if all(_present(schemes.get(name), headers, query, cookie_text) for name in requirement):
            return []
        tried.extend(name for name in requirement if name not in tried)
    return tried


def _present(scheme: Any, headers: dict[str, str], query: dict[str, str], cookie_text: str) -> bool:
    if not isinstance(scheme, dict):
        return True  # an unknown scheme cannot be checked: do not lock clients out over it
    kind = scheme.get("type")
    name = str(scheme.get("name", ""))
    if kind == "apiKey":
        where = scheme.get("in")
        if where == "header":
            return bool(headers.get(name.lower()))
        if where == "query":
            return bool(query.get(name))
        return f"{name}=" in cookie_text
    authorization = headers.get("authorization", "")
    if kind == "http":
        wanted = str(scheme.get("scheme", "")).lower()
        return authorization.lower().startswith(wanted + " ") if wanted else bool(authorization)
    if kind in ("oauth2", "openIdConnect"):
        return authorization.lower().startswith("bearer ")
    return True
