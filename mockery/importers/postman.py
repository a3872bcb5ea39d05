"""``mockery import postman``: a Postman collection (v2.1) as a spec answering its saved examples.

Each saved example (``item[].response[]``) becomes a route on its request's method, path and query, as
Postman's mock servers answer them. The example's ``originalRequest`` is the request it answers (the item's
own request when it has none). ``{{name}}`` variables are resolved from the collection's ``variable`` list
only (never from an environment, which the collection does not hold); a variable the collection does not
define stands for any value: a path parameter, or a query parameter that must be present. ``:name`` path
segments are path parameters.

Examples of one request that no query or body tells apart answer in turn by name: the first success answers
by default, the others when the client sends ``x-mock-response-name: <example name>``, or
``x-mock-response-code: <status>`` for the first example of a status (Postman's headers).
Examples whose requests differ only by their body (GraphQL operations on one URL) are told apart by it.
Authentication and scripts are not run: each is a located warning. Every text of the collection is written
to be served as it is (never run as a template, never substituted).
"""

from __future__ import annotations

import re  # re-ok: fixed patterns, none supplied by a client or a spec
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import orjson

from mockery.errors import display_path
from mockery.importers.common import (
    FRAMING_HEADERS,
    ImportWarning,
    header_name_ok,
    pointer,
    read_json,
    refuse,
    service_name,
    write_spec_file,
)
from mockery.load.literal import literal_template

SCHEMA_MARK = "schema.getpostman.com/json/collection/v2"
_VARIABLE = re.compile(r"\{\{([^{}]+)\}\}")
_PARAM_NAME = re.compile(r"[^A-Za-z0-9_]+")
_OPERATION = re.compile(r"^\s*(query|mutation|subscription)\s+([A-Za-z_][A-Za-z0-9_]*)")
_PREVIEW_TYPES = {
    "json": "application/json",
    "xml": "application/xml",
    "html": "text/html; charset=utf-8",
    "text": "text/plain; charset=utf-8",
}
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"})
NAME_HEADER = "x-mock-response-name"
CODE_HEADER = "x-mock-response-code"


def is_collection(data: Any) -> bool:
    """Whether parsed JSON is a Postman collection (v2.0 or v2.1)."""
    if not isinstance(data, dict) or not isinstance(data.get("info"), dict):
        return False
    return SCHEMA_MARK in str(data["info"].get("schema", "")) and isinstance(data.get("item"), list)


def write_spec(collection: Path, output: Path) -> tuple[Path, list[ImportWarning]]:
    """Write ``output/<service>.yaml`` answering the collection's saved examples; return its path and the
    warnings (constructs not translated, each located by a JSON pointer)."""
    data = read_json(collection)
    if not is_collection(data):
        raise refuse(
            collection,
            "info.schema",
            "not a Postman collection: no info.schema naming collection v2.x and no item list",
            "export the collection from Postman as Collection v2.1",
        )
    importer = _Importer(data, display_path(collection))
    spec = importer.run()
    target = output / f"{spec['service']}.yaml"
    comment = f"Imported from {display_path(collection)} by `mockery import postman`: edit freely."
    return write_spec_file(spec, target, comment), importer.warnings


class _Importer:
    def __init__(self, data: dict[str, Any], shown: str) -> None:
        self.data = data
        self.shown = shown
        self.warnings: list[ImportWarning] = []
        self.variables = {
            str(item["key"]): str(item.get("value") if item.get("value") is not None else "")
            for item in data.get("variable") or []
            if isinstance(item, dict) and "key" in item and not item.get("disabled")
        }
        # (method, path, query conditions, body conditions) -> examples, in the collection's order.
        self.groups: dict[str, list[tuple[dict[str, Any], dict[str, Any], str, bool]]] = {}
        self.shapes: dict[tuple[str, str], str] = {}

    def warn(self, where: str, message: str) -> None:
        self.warnings.append(ImportWarning(self.shown, where, message))

    def run(self) -> dict[str, Any]:
        info = self.data["info"]
        name = service_name(str(info.get("name") or "postman"), "postman")
        self._checks(self.data, "")
        self._items(self.data["item"], pointer("item"), [])
        routes = self._routes()
        spec: dict[str, Any] = {"service": name}
        description = f"Imported from the Postman collection {info.get('name', '')!r}".strip()
        spec["description"] = description
        spec["routes"] = routes
        if not routes:
            self.warn("/item", "no request has a saved example: the spec has no routes")
            spec.pop("routes")
        return spec

    def _checks(self, node: dict[str, Any], where: str) -> None:
        auth = node.get("auth")
        if isinstance(auth, dict) and auth.get("type") not in (None, "noauth"):
            self.warn(f"{where}/auth", f"{auth.get('type')} authentication is ignored: every request is answered")
        for index, event in enumerate(node.get("event") or []):
            script = (event or {}).get("script") or {}
            lines = script.get("exec") or []
            if any(str(line).strip() for line in (lines if isinstance(lines, list) else [lines])):
                listen = event.get("listen", "script")
                self.warn(f"{where}/event/{index}", f"the {listen} script is not run")

    def _items(self, items: list[Any], where: str, folders: list[str]) -> None:
        for index, item in enumerate(items):
            here = f"{where}/{index}"
            if not isinstance(item, dict):
                self.warn(here, "not an item object: skipped")
                continue
            if isinstance(item.get("item"), list):
                self._checks(item, here)
                self._items(item["item"], f"{here}/item", [*folders, str(item.get("name", index))])
                continue
            request = item.get("request")
            if isinstance(request, str):
                request = {"method": "GET", "url": request}
            if not isinstance(request, dict):
                self.warn(here, "an item with no request: skipped")
                continue
            self._checks(request, f"{here}/request")
            self._checks(item, here)
            label = " / ".join([*folders, str(item.get("name", index))])
            examples = item.get("response") or []
            if not examples:
                self.warn(f"{here}/response", f"{label!r} has no saved example: nothing to answer with")
            for number, example in enumerate(examples):
                self._example(example, request, f"{here}/response/{number}", label)

    def _example(self, example: Any, request: dict[str, Any], where: str, label: str) -> None:
        if not isinstance(example, dict):
            self.warn(where, "not an example object: skipped")
            return
        original = example.get("originalRequest")
        if isinstance(original, str):
            original = {"method": request.get("method", "GET"), "url": original}
        sent = original if isinstance(original, dict) and original.get("url") is not None else request
        method = str(sent.get("method") or request.get("method") or "GET").upper()
        if method not in _METHODS:
            self.warn(f"{where}/originalRequest/method", f"method {method!r} cannot be served: skipped")
            return
        located = self._path_and_query(sent.get("url"), f"{where}/originalRequest/url")
        if located is None:
            return
        path, query = located
        # One route per path shape: ``/users/{id}`` and ``/users/{invalid_id}`` are the same route.
        path = self.shapes.setdefault((method, re.sub(r"\{[^{}]*\}", "{}", path)), path)
        body = self._body_conditions(sent.get("body"))
        response = self._response(example, where)
        name = str(example.get("name") or f"{label} {example.get('code', '')}").strip()
        key = orjson.dumps([method, path, query, body], option=orjson.OPT_SORT_KEYS).decode()
        self.groups.setdefault(key, []).append((response, {"name": name, "label": label}, where, bool(body)))

    def _routes(self) -> list[dict[str, Any]]:
        routes: list[dict[str, Any]] = []
        by_path: dict[tuple[str, str], set[str]] = {}
        for key in self.groups:
            method, path, _, body = orjson.loads(key)
            by_path.setdefault((method, path), set()).add(orjson.dumps(body).decode())
        for key, examples in self.groups.items():
            method, path, query, body = orjson.loads(key)
            # A body condition only where bodies are what tells the examples of a URL apart.
            telling = len(by_path[(method, path)]) > 1
            match: dict[str, Any] = {}
            if query:
                match["query"] = query
            if body and telling:
                match["body"] = body
            default = next((n for n, (r, *_) in enumerate(examples) if 200 <= r.get("status", 200) < 300), 0)
            first_of_status: dict[int, int] = {}
            for number, (response, *_) in enumerate(examples):
                first_of_status.setdefault(response["status"], number)
            for number, (response, names, _, _) in enumerate(examples):
                route: dict[str, Any] = {"name": f"{names['label']}: {names['name']}"}
                route.update({"method": method, "path": path})
                route_match = dict(match)
                by_name = {"headers": {NAME_HEADER: names["name"]}}
                status = response["status"]
                if number != default and first_of_status[status] == number and status != examples[default][0]["status"]:
                    route_match["any_of"] = [by_name, {"headers": {CODE_HEADER: str(status)}}]
                elif number != default:
                    route_match.update(by_name)
                conditions = len(route_match.get("query", {})) + len(route_match.get("headers", {}))
                conditions += (1 if "body" in route_match else 0) + (1 if "any_of" in route_match else 0)
                if route_match:
                    route["match"] = route_match
                if conditions:
                    route["priority"] = conditions
                route["response"] = response
                routes.append(route)
        return routes

    def _resolve(self, text: str, depth: int = 0) -> str:
        def value(found: re.Match[str]) -> str:
            name = found.group(1).strip()
            return self.variables[name] if name in self.variables else found.group(0)

        resolved = _VARIABLE.sub(value, text)
        return self._resolve(resolved, depth + 1) if resolved != text and depth < 5 else resolved

    def _path_and_query(self, url: Any, where: str) -> tuple[str, dict[str, Any]] | None:
        if isinstance(url, dict) and not url.get("host") and not url.get("path") and isinstance(url.get("raw"), str):
            url = url["raw"]
        if isinstance(url, str):
            raw = self._resolve(url)
            # A raw URL starts with its host, with or without a scheme (``{{baseUrl}}/users``).
            host, _, rest = raw.split("://", 1)[-1].partition("/") if not raw.startswith("/") else ("", "", raw)
            path_part, _, query_text = rest.partition("?")
            segments = path_part.split("/")
            pairs: list[tuple[str, str | None]] = [(k, v) for k, v in parse_qsl(query_text, keep_blank_values=True)]
        elif isinstance(url, dict):
            hosts = url.get("host") or []
            host = self._resolve(".".join(hosts) if isinstance(hosts, list) else str(hosts))
            raw_path = url.get("path") or []
            segments = [str(part) for part in raw_path] if isinstance(raw_path, list) else str(raw_path).split("/")
            pairs = [
                (str(entry.get("key", "")), None if entry.get("value") is None else str(entry["value"]))
                for entry in url.get("query") or []
                if isinstance(entry, dict) and not entry.get("disabled") and entry.get("key")
            ]
        else:
            self.warn(where, "no URL: skipped")
            return None
        # A variable holding a base URL (``https://api.example.com/v1``) brings path segments with it.
        host_path = urlsplit(host if "://" in host else f"//{host}").path if host else ""
        parts = [seg for seg in host_path.split("/") if seg]
        for segment in segments:
            parts.extend(seg for seg in self._resolve(segment).split("/") if seg)
        path_parts: list[str] = []
        taken: set[str] = set()
        for segment in parts:
            converted = self._segment(unquote(segment), taken)
            if converted is None:
                self.warn(where, f"path segment {segment!r} cannot be a route path segment: skipped")
                return None
            path_parts.append(converted)
        path = "/" + "/".join(path_parts)
        query: dict[str, Any] = {}
        for key, value in pairs:
            resolved = None if value is None else self._resolve(value)
            if resolved is None or _VARIABLE.search(resolved) or "{{" in key:
                query[key] = {"present": True}
            else:
                query[key] = resolved
        return path, query

    @staticmethod
    def _segment(segment: str, taken: set[str]) -> str | None:
        def param(name: str) -> str:
            base = _PARAM_NAME.sub("_", name).strip("_") or "param"
            base = base if base[0].isalpha() else f"p_{base}"
            chosen, number = base, 2
            while chosen in taken:
                chosen, number = f"{base}_{number}", number + 1
            taken.add(chosen)
            return "{" + chosen + "}"

        if segment.startswith(":") and len(segment) > 1:
            return param(segment[1:])
        converted = _VARIABLE.sub(lambda found: param(found.group(1)), segment)
        literal = re.sub(r"\{[A-Za-z0-9_]+\}", "", converted)
        if "{" in literal or "}" in literal or "?" in literal or "#" in literal:
            return None
        return converted

    def _body_conditions(self, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict) or body.get("disabled"):
            return {}
        mode = body.get("mode")
        if mode == "graphql" and isinstance(body.get("graphql"), dict):
            graphql = body["graphql"]
            conditions: dict[str, Any] = {}
            operation = _OPERATION.match(str(graphql.get("query") or ""))
            if operation is not None:
                pattern = rf"^\s*{operation.group(1)}\s+{operation.group(2)}\b"
                conditions["json_path"] = {"$.query": {"matches": pattern}}
            variables = graphql.get("variables")
            if isinstance(variables, str) and variables.strip():
                try:
                    variables = orjson.loads(self._resolve(variables))
                except orjson.JSONDecodeError:
                    variables = None
            if isinstance(variables, dict) and variables:
                conditions["json"] = {"variables": variables}
            return conditions
        if mode == "raw" and isinstance(body.get("raw"), str) and body["raw"].strip():
            raw = self._resolve(body["raw"])
            try:
                parsed = orjson.loads(raw)
            except orjson.JSONDecodeError:
                return {} if _VARIABLE.search(raw) else {"text": raw}
            return {"json": parsed} if isinstance(parsed, dict | list) and parsed else {}
        if mode == "urlencoded" and isinstance(body.get("urlencoded"), list):
            form = {
                str(field["key"]): self._resolve(str(field.get("value") or ""))
                for field in body["urlencoded"]
                if isinstance(field, dict) and field.get("key") and not field.get("disabled")
            }
            return {"form": form} if form else {}
        return {}

    def _response(self, example: dict[str, Any], where: str) -> dict[str, Any]:
        code = example.get("code")
        status = code if isinstance(code, int) and 100 <= code <= 599 else 200
        if status != code:
            self.warn(f"{where}/code", f"status {code!r} is not an HTTP status: 200 is answered")
        response: dict[str, Any] = {"status": status}
        headers: dict[str, str] = {}
        for number, header in enumerate(example.get("header") or []):
            if not isinstance(header, dict) or header.get("disabled") or not header.get("key"):
                continue
            key = str(header["key"])
            if key.lower() in FRAMING_HEADERS:
                continue
            if not header_name_ok(key):
                self.warn(f"{where}/header/{number}", f"{key!r} cannot be a header name: dropped")
                continue
            headers[key] = literal_template(str(header.get("value") or ""))
        body = example.get("body")
        if isinstance(body, str) and body:
            if not any(key.lower() == "content-type" for key in headers):
                content_type = _PREVIEW_TYPES.get(str(example.get("_postman_previewlanguage") or ""))
                if content_type is None and _is_json(body):
                    content_type = "application/json"
                if content_type is not None:
                    headers["Content-Type"] = content_type
            # The body's text as saved: numbers keep their literal digits, key order and spacing stay.
            response["body"] = literal_template(body)
        if headers:
            response["headers"] = headers
        return response


def _is_json(text: str) -> bool:
    try:
        orjson.loads(text)
    except orjson.JSONDecodeError:
        return False
    return True
