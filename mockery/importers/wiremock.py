"""``mockery import wiremock``: WireMock 2/3 stub mappings (a root with ``mappings/`` and ``__files/``, a folder
of mappings, or one file) as one mockery spec.

Each mapping becomes a route, in the order WireMock tries them: by ``priority`` (1 first; none is 5), then the
most recently added first (a later file, a later item of ``mappings``). What a route cannot say the same way
is a warning located by file and JSON pointer; the spec written always validates. Handlebars in the bodies
and headers of templated stubs (the ``response-template`` transformer, or every stub with
``global_templating``) is translated where a Jinja equivalent exists; everything else the files hold is
written as literal text (``mockery.load.literal``).
"""

from __future__ import annotations

import base64
import binascii
import json
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from mockery.errors import SpecError, SpecErrors, display_path
from mockery.http.paths import path_problems, shape
from mockery.http.regexes import compile_regex
from mockery.importers import wiremock_parts as parts
from mockery.importers.common import (
    FRAMING_HEADERS,
    ImportWarning,
    header_name_ok,
    pointer,
    service_name,
    write_spec_file,
)
from mockery.importers.stubs import METHODS, looks_like_json, looks_like_xml, translate_handlebars
from mockery.load.literal import literal_template

DEFAULT_PRIORITY = 5
_REGEX_META = set(".[]()*+?{}|^$\\")
_FAULTS = {
    "CONNECTION_RESET_BY_PEER": "reset",
    "EMPTY_RESPONSE": "empty",
    "MALFORMED_RESPONSE_CHUNK": "malformed",
    "RANDOM_DATA_THEN_CLOSE": "malformed",
}


def mapping_files(source: Path) -> tuple[list[Path], Path | None]:
    """The mapping files of ``source`` in WireMock's load order, and the ``__files`` folder beside them."""
    if source.is_file():
        for candidate in (source.parent / "__files", source.parent.parent / "__files"):
            if candidate.is_dir():
                return [source], candidate
        return [source], None
    root = source / "mappings" if (source / "mappings").is_dir() else source
    files = sorted(path for path in root.rglob("*.json") if path.is_file() and "__files" not in path.parts)
    for candidate in (source / "__files", source.parent / "__files"):
        if candidate.is_dir():
            return files, candidate
    return files, None


def _read(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"), parse_float=parts.Literal)
    except UnicodeDecodeError as exc:
        raise SpecErrors([SpecError(display_path(path), 1, 1, "", f"not UTF-8 text: {exc.reason}")]) from None
    except json.JSONDecodeError as exc:
        raise SpecErrors([SpecError(display_path(path), exc.lineno, exc.colno, "", f"not JSON: {exc.msg}")]) from None


def write_specs(
    source: Path, output: Path, name: str | None = None, *, global_templating: bool = False
) -> tuple[list[Path], list[ImportWarning]]:
    """Import the mappings of ``source`` (a WireMock root, a folder of mappings, or one file) as one spec in
    ``output``; returns the files written and every warning. Handlebars is translated in the responses of
    stubs with the ``response-template`` transformer, or in all of them with ``global_templating`` (WireMock's
    ``--global-response-templating``); elsewhere it is text, as WireMock sends it."""
    files, files_root = mapping_files(source)
    if not files:
        raise SpecErrors([SpecError(display_path(source), 1, 1, "", "no WireMock mapping (*.json) found here")])
    stem = source.stem if source.is_file() else source.resolve().name
    service = name or service_name(stem, "wiremock")
    importer = _Importer(service, files_root, output, global_templating)
    order = 0
    for file in files:
        data = _read(file)
        shown = display_path(file)
        if isinstance(data, dict) and isinstance(data.get("mappings"), list):
            items = [(pointer("mappings", index), item) for index, item in enumerate(data["mappings"])]
        elif isinstance(data, dict) and "request" in data:
            items = [("", data)]
        else:
            raise SpecErrors([SpecError(shown, 1, 1, "", "not a WireMock mapping", "give a stub mapping file")])
        for where, item in items:
            importer.mapping(item, shown, where, order)
            order += 1
    spec = importer.spec()
    target = write_spec_file(
        spec, output / f"{service}.yaml", f"Imported from WireMock mappings: {display_path(source)}"
    )
    return [target, *importer.copied], importer.warnings


class _Importer:
    def __init__(self, service: str, files_root: Path | None, output: Path, global_templating: bool) -> None:
        self.service = service
        self.global_templating = global_templating
        self.templated = global_templating
        self.files_root = files_root
        self.output = output
        self.folder = f"{service}-files"
        self.routes: list[tuple[int, int, dict[str, Any]]] = []
        self.warnings: list[ImportWarning] = []
        self.copied: list[Path] = []
        self.proxy: str | None = None

    def warn(self, file: str, where: str, message: str) -> None:
        self.warnings.append(ImportWarning(file, where or "/", message))

    def spec(self) -> dict[str, Any]:
        ordered = [route for _, _, route in sorted(self.routes, key=lambda item: (item[0], -item[1]))]
        spec: dict[str, Any] = {"service": self.service}
        if self.proxy is not None:
            spec["proxy"] = {"upstream": self.proxy}
        spec["routes"] = parts.plain(self._unshadowed(ordered))
        return spec

    def _unshadowed(self, routes: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Routes without conditions on one method and path: WireMock serves the first; mockery would refuse both."""
        seen: dict[tuple[str, str], str] = {}
        kept = []
        for route in routes:
            if "match" in route or "scenario" in route:
                kept.append(route)
                continue
            methods = route.get("method", "GET")
            keys = [(method, shape(route["path"])) for method in (methods if isinstance(methods, list) else [methods])]
            first = next((seen[key] for key in keys if key in seen), None)
            if first is not None:
                file, _, where = route.pop("x-source").partition("#")
                self.warn(file, where, f"never answered: the mapping at {first} answers the same requests first")
                continue
            for key in keys:
                seen[key] = route["x-source"]
            kept.append(route)
        for route in kept:
            route.pop("x-source", None)
        return kept

    def mapping(self, item: Any, file: str, where: str, order: int) -> None:
        if not isinstance(item, dict) or not isinstance(item.get("request"), dict):
            self.warn(file, where, "not a stub mapping (no `request`): skipped")
            return
        request, response = item["request"], item.get("response") or {}
        route: dict[str, Any] = {"x-source": f"{file}#{where or '/'}"}
        if isinstance(item.get("name"), str) and item["name"]:
            route["name"] = item["name"]
        match: dict[str, Any] = {}
        self._method(request, route)
        if not self._url(request, route, match, file, where):
            return
        parts.request_conditions(request, match, lambda at, message: self.warn(file, where + at, message))
        for key in ("customMatcher", "multipartPatterns", "clientIp"):
            if key in request:
                self.warn(
                    file,
                    pointer_join(where, "request", key),
                    f"`{key}` is not translated: the route answers without it",
                )
        for key in ("postServeActions", "serveEventListeners", "webhooks"):
            if key in item:
                self.warn(
                    file, pointer_join(where, key), f"`{key}` is not translated: nothing happens after the answer"
                )
        if match:
            route["match"] = match
        self._scenario(item, route)
        if isinstance(response, dict) and isinstance(response.get("proxyBaseUrl"), str):
            self._proxy(response, route, file, where)
            return
        self._response(response if isinstance(response, dict) else {}, route, file, pointer_join(where, "response"))
        priority = item.get("priority", DEFAULT_PRIORITY)
        if not isinstance(priority, int) or isinstance(priority, bool):
            priority = DEFAULT_PRIORITY
        if priority != DEFAULT_PRIORITY:
            route["priority"] = DEFAULT_PRIORITY - priority
        self.routes.append((priority, order, route))

    def _method(self, request: dict[str, Any], route: dict[str, Any]) -> None:
        method = str(request.get("method", "ANY")).upper()
        if method in METHODS:
            if method != "GET":
                route["method"] = method
        else:
            route["method"] = list(METHODS)

    def _url(
        self, request: dict[str, Any], route: dict[str, Any], match: dict[str, Any], file: str, where: str
    ) -> bool:
        for key in ("url", "urlPath", "urlPattern", "urlPathPattern", "urlPathTemplate"):
            if key in request and isinstance(request[key], str):
                value = request[key]
                break
        else:
            route["path"] = "/{wm_path:path}"
            return True
        at = pointer_join(where, "request", key)
        if key in ("urlPattern", "urlPathPattern"):
            if not any(char in _REGEX_META for char in value.replace("\\/", "")) and value.startswith("/"):
                return self._literal_path(value, route, match, file, at)
            regex, reason = compile_regex(f"^(?:{value})$")
            if regex is None:
                self.warn(file, at, f"the pattern {value!r} cannot run on RE2 ({reason}): mapping skipped")
                return False
            if key == "urlPattern" and "?" in value.replace(".*?", "").replace("+?", ""):
                self.warn(file, at, "`urlPattern` is matched against the path only, not the query")
            route["path"] = _prefix(value) + "{wm_path:path}"
            match["path"] = {"matches": f"^(?:{value})$"}
            return True
        if key == "urlPathTemplate":
            route["path"] = value
            if path_problems(value):
                self.warn(file, at, f"the path template {value!r} is not a mockery path: mapping skipped")
                return False
            return True
        if key == "url":
            split = urlsplit(value)
            query = parse_qsl(split.query, keep_blank_values=True)
            if query:
                match["query"] = dict(query)
                self.warn(file, at, "`url` matches these query fields, and also a request with more of them")
            value = split.path
        return self._literal_path(value, route, match, file, at)

    def _literal_path(self, value: str, route: dict[str, Any], match: dict[str, Any], file: str, at: str) -> bool:
        if value.startswith("/") and not path_problems(value):
            route["path"] = value
        else:
            route["path"] = "/{wm_path:path}"
            match["path"] = value
        return True

    def _scenario(self, item: dict[str, Any], route: dict[str, Any]) -> None:
        name = item.get("scenarioName")
        if not isinstance(name, str) or not name:
            return
        scenario = {"name": name}
        for key, target in (("requiredScenarioState", "state"), ("newScenarioState", "next")):
            state = item.get(key)
            if isinstance(state, str) and state:
                scenario[target] = "started" if state == "Started" else state
        route["scenario"] = scenario

    def _proxy(self, response: dict[str, Any], route: dict[str, Any], file: str, where: str) -> None:
        at = pointer_join(where, "response", "proxyBaseUrl")
        upstream = response["proxyBaseUrl"].rstrip("/")
        if route["path"] == "/{wm_path:path}" and not route.get("match", {}).keys() - {"path"} and self.proxy is None:
            pattern = route.get("match", {}).get("path", {})
            if not pattern or pattern.get("matches") in ("^(?:.*)$", "^(?:/.*)$"):
                self.proxy = upstream
                return
        self.warn(file, at, "a proxy is the service's fallback for unmatched requests in mockery: this one is skipped")

    def _response(self, response: dict[str, Any], route: dict[str, Any], file: str, where: str) -> None:
        transformers = response.get("transformers")
        self.templated = self.global_templating or (
            isinstance(transformers, list) and "response-template" in transformers
        )
        answer: dict[str, Any] = {}
        status = response.get("status", 200)
        if isinstance(status, int) and 100 <= status <= 599:
            if status != 200:
                answer["status"] = status
        else:
            self.warn(file, pointer_join(where, "status"), f"status {status!r} cannot be sent: 200 instead")
        if "statusMessage" in response:
            self.warn(file, pointer_join(where, "statusMessage"), "the reason phrase is not translated")
        headers = self._headers(response.get("headers"), file, pointer_join(where, "headers"))
        has_type = any(name.lower() == "content-type" for name in headers)
        if "jsonBody" in response:
            body = response["jsonBody"]
            literal = parts.literal_json(body)
            if literal is not None:
                answer["body"] = self._template(literal, file, pointer_join(where, "jsonBody"))
                if not has_type:
                    headers["Content-Type"] = "application/json"
            else:
                answer["body"] = parts.map_strings(
                    body, lambda text, at: self._template(text, file, at, typed=True), pointer_join(where, "jsonBody")
                )
        elif isinstance(response.get("body"), str):
            text = response["body"]
            answer["body"] = self._template(text, file, pointer_join(where, "body"))
            if not has_type and looks_like_xml(text):
                headers["Content-Type"] = "application/xml"
            elif not has_type and looks_like_json(text):
                headers["Content-Type"] = "application/json"
        elif isinstance(response.get("base64Body"), str):
            self._base64(response["base64Body"], answer, file, pointer_join(where, "base64Body"))
        elif isinstance(response.get("bodyFileName"), str):
            self._body_file(response["bodyFileName"], answer, file, pointer_join(where, "bodyFileName"))
        if headers:
            answer["headers"] = headers
        route["response"] = answer
        delay = parts.delay(response, lambda at, message: self.warn(file, where + at, message))
        if delay is not None:
            route["delay"] = delay
        fault = response.get("fault")
        if isinstance(fault, str):
            if fault in _FAULTS:
                route["fault"] = {"kind": _FAULTS[fault]}
                if fault == "RANDOM_DATA_THEN_CLOSE":
                    self.warn(file, pointer_join(where, "fault"), "sent as a truncated body, not random bytes")
            else:
                self.warn(file, pointer_join(where, "fault"), f"unknown fault {fault!r}: not translated")
        for key in ("chunkedDribbleDelay", "additionalProxyRequestHeaders"):
            if key in response:
                self.warn(file, pointer_join(where, key), f"`{key}` is not translated")

    def _headers(self, raw: Any, file: str, where: str) -> dict[str, str]:
        headers: dict[str, str] = {}
        if not isinstance(raw, dict):
            return headers
        for name, value in raw.items():
            at = pointer_join(where, name)
            if not header_name_ok(name):
                self.warn(file, at, f"{name!r} is not a valid header name: skipped")
                continue
            if name.lower() in FRAMING_HEADERS:
                self.warn(file, at, f"{name} is set by mockery from the body it sends: skipped")
                continue
            text = ", ".join(str(item) for item in value) if isinstance(value, list) else str(value)
            headers[name] = self._template(text, file, at)
        return headers

    def _template(self, text: str, file: str, where: str, *, typed: bool = False) -> str:
        if not self.templated:
            return literal_template(text)
        helpers = parts.helpers(typed)
        return translate_handlebars(text, helpers, lambda message: self.warn(file, where, message))

    def _base64(self, text: str, answer: dict[str, Any], file: str, where: str) -> None:
        try:
            content = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            self.warn(file, where, "not base64: the body is left empty")
            return
        target = self.output / self.folder / f"body-{len(self.copied) + 1}.bin"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        self.copied.append(target)
        answer["file"] = f"{self.folder}/{target.name}"

    def _body_file(self, name: str, answer: dict[str, Any], file: str, where: str) -> None:
        if "{{" in name:
            self.warn(file, where, f"the file name {name!r} is a template: mockery serves one file per route")
            return
        if self.files_root is None:
            self.warn(file, where, f"no __files folder beside the mappings: {name!r} is not served")
            return
        root = self.files_root.resolve()
        found = (root / name).resolve()
        if not found.is_relative_to(root):
            self.warn(file, where, f"{name!r} lies outside __files: not served")
            return
        if not found.is_file():
            self.warn(file, where, f"{name!r} is not in {display_path(self.files_root)}: the body is left empty")
            return
        relative = found.relative_to(root)
        target = self.output / self.folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(found, target)
        self.copied.append(target)
        answer["file"] = f"{self.folder}/{relative.as_posix()}"
        if b"{{" in found.read_bytes():
            self.warn(file, where, "the file holds templates: mockery sends a file as it is")


def pointer_join(base: str, *more: str | int) -> str:
    return base + pointer(*more)


def _prefix(pattern: str) -> str:
    """The literal start of a path pattern up to its last ``/``: the route path before ``{wm_path:path}``."""
    literal = ""
    for char in pattern.removeprefix("^"):
        if char in _REGEX_META:
            break
        literal += char
    if not literal.startswith("/"):
        return "/"
    cut = literal[: literal.rfind("/") + 1]
    return cut if not path_problems(cut + "x") else "/"
