"""``mockery import mockoon``: a Mockoon environment (its JSON file) as one mockery spec.

A route's responses become a response set: those with rules answer when their rules hold (``when``, with
``any_of``/``all_of``/``not`` for the rules operator and ``invert``), tried in order, and the default response
answers otherwise; ``RANDOM`` and ``SEQUENTIAL`` modes become ``random`` and ``cycle``. Latency, CORS, global
headers and the proxy become the service's. Handlebars in bodies and headers is translated where a Jinja twin
exists; everything else is literal text, each construct left out a warning naming the file and JSON pointer.
"""

from __future__ import annotations

import json
import re  # re-ok: fixed patterns, and re.escape of literal text
import shutil
from pathlib import Path
from typing import Any

from mockery.errors import SpecError, SpecErrors, display_path
from mockery.http.paths import path_problems, shape
from mockery.http.regexes import compile_regex
from mockery.importers.common import (
    FRAMING_HEADERS,
    ImportWarning,
    header_name_ok,
    pointer,
    read_json,
    service_name,
    write_spec_file,
)
from mockery.importers.stubs import METHODS, Helper, json_path_expression, translate_handlebars
from mockery.load.literal import literal_template

_PARAM = re.compile(r":([A-Za-z_][A-Za-z0-9_]*)")
_FAKER = {
    "string.uuid": "uuid()",
    "datatype.uuid": "uuid()",
    "person.firstName": "faker.first_name()",
    "name.firstName": "faker.first_name()",
    "person.lastName": "faker.last_name()",
    "name.lastName": "faker.last_name()",
    "person.fullName": "faker.name()",
    "internet.email": "faker.email()",
    "internet.url": "faker.url()",
    "company.name": "faker.company()",
    "company.companyName": "faker.company()",
    "address.city": "faker.city()",
    "location.city": "faker.city()",
    "address.country": "faker.country()",
    "location.country": "faker.country()",
    "address.latitude": "faker.latitude()",
    "location.latitude": "faker.latitude()",
    "address.longitude": "faker.longitude()",
    "location.longitude": "faker.longitude()",
    "lorem.sentence": "faker.sentence()",
    "lorem.paragraph": "faker.paragraph()",
    "lorem.word": "faker.word()",
    "phone.number": "faker.phone_number()",
    "phone.phoneNumber": "faker.phone_number()",
    "datatype.boolean": "faker.boolean()",
    "date.past": "faker.past_datetime().isoformat()",
    "date.recent": "faker.past_datetime().isoformat()",
    "date.future": "faker.future_datetime().isoformat()",
}


def _faker(words: list[str], options: dict[str, str]) -> str | None:
    if not words:
        return None
    name, arguments = words[0], words[1:]
    if name in _FAKER and not arguments:
        return _FAKER[name]
    if name in ("number.int", "random.number", "datatype.number"):
        try:
            low = int(options.get("min", arguments[0] if arguments else "0"))
            high = int(options.get("max", arguments[1] if len(arguments) > 1 else "99999"))
        except ValueError:
            return None
        return f"faker.random_int(min={low}, max={high})"
    if name in ("random.alphaNumeric", "string.alphanumeric") and arguments and arguments[0].isdigit():
        length = min(int(arguments[0]), 1000)
        text = f"faker.bothify('{('?#' * length)[:length]}')"
        return f"({text} | upper)" if "upper" in arguments[1:] else text
    return None


def _one_of(words: list[str], options: dict[str, str]) -> str | None:
    """``oneOf (array 'a' 'b')``: one of the items, drawn by Faker (so seeded as every generated value)."""
    if len(words) < 2 or words[0] != "(array" or not words[-1].endswith(")"):
        return None
    items = [*words[1:-1], words[-1][:-1]]
    return f"faker.random_element({json.dumps([item for item in items if item])})"


def _lookup(root: str, words: list[str]) -> str | None:
    if not words:
        return None
    key = json.dumps(words[0])
    default = json.dumps(words[1]) if len(words) > 1 else "''"
    return f"{root}.get({key}, {default})"


def _body(words: list[str], options: dict[str, str]) -> str | None:
    if not words:
        return "request.body"
    path = words[0]
    expression = json_path_expression("$." + path if path else "$", "request.body")
    if expression is None or len(words) > 1:
        return None
    return expression


HELPERS: dict[str, Helper] = {
    "": lambda words, options: {"method": "request.method"}.get(words[0]),
    "faker": _faker,
    "oneOf": _one_of,
    "urlParam": lambda words, options: _lookup("request.path_params", words),
    "queryParam": lambda words, options: _lookup("request.query", words),
    "header": lambda words, options: _lookup("request.headers", [words[0].lower(), *words[1:]] if words else []),
    "cookie": lambda words, options: _lookup("request.cookies", words),
    "body": _body,
    "method": lambda words, options: "request.method",
}


def write_specs(source: Path, output: Path, name: str | None = None) -> tuple[list[Path], list[ImportWarning]]:
    """Import the Mockoon environment ``source`` as one spec in ``output``: the files written, every warning."""
    data = read_json(source)
    shown = display_path(source)
    if not isinstance(data, dict) or not isinstance(data.get("routes"), list):
        raise SpecErrors([SpecError(shown, 1, 1, "", "not a Mockoon environment (no `routes` list)")])
    service = name or service_name(str(data.get("name") or source.stem), "mockoon")
    importer = _Importer(data, shown, source.parent, output, service)
    spec = importer.spec()
    target = write_spec_file(spec, output / f"{service}.yaml", f"Imported from the Mockoon environment {shown}")
    return [target, *importer.copied], importer.warnings


class _Importer:
    def __init__(self, data: dict[str, Any], file: str, folder: Path, output: Path, service: str) -> None:
        self.data = data
        self.file = file
        self.folder = folder
        self.output = output
        self.service = service
        self.warnings: list[ImportWarning] = []
        self.copied: list[Path] = []
        self.buckets = {bucket.get("id"): bucket for bucket in data.get("data") or [] if isinstance(bucket, dict)}

    def warn(self, where: str, message: str) -> None:
        self.warnings.append(ImportWarning(self.file, where or "/", message))

    def template(self, text: str, where: str) -> str:
        helpers = {**HELPERS, "data": self.bucket_value, "dataRaw": self.bucket_value}
        return translate_handlebars(text, helpers, lambda message: self.warn(where, message))

    def bucket_value(self, words: list[str], options: dict[str, str]) -> str | None:
        """``{{data 'bucket' 'a.0.b'}}`` of a bucket whose value is plain JSON: the value, fixed at import
        (a bucket a route changes with ``setData`` has no equivalent)."""
        if not words or options or len(words) > 2:
            return None
        bucket = self.buckets.get(words[0]) or next(
            (item for item in self.buckets.values() if item.get("name") == words[0]), None
        )
        text = bucket.get("value") if isinstance(bucket, dict) else None
        if not isinstance(text, str) or "{{" in text:
            return None
        try:
            value: Any = json.loads(text)
        except ValueError:
            value = text
        for part in words[1].split(".") if len(words) > 1 and words[1] else []:
            if isinstance(value, list) and part.isdigit() and int(part) < len(value):
                value = value[int(part)]
            elif isinstance(value, dict) and part in value:
                value = value[part]
            else:
                return None
        shown = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
        return json.dumps(shown)

    def spec(self) -> dict[str, Any]:
        data = self.data
        spec: dict[str, Any] = {"service": self.service}
        prefix = str(data.get("endpointPrefix") or "").strip("/")
        if prefix:
            spec["base_path"] = "/" + prefix
        if data.get("proxyMode") is True and isinstance(data.get("proxyHost"), str) and data["proxyHost"]:
            spec["proxy"] = {"upstream": data["proxyHost"].rstrip("/")}
            for key in ("proxyReqHeaders", "proxyResHeaders", "proxyRemovePrefix"):
                if data.get(key):
                    self.warn(pointer(key), f"`{key}` is not translated")
        if data.get("cors") is True:
            spec["cors"] = "on"
        elif data.get("cors") is False:
            spec["cors"] = "off"
        headers = self.headers(data.get("headers"), pointer("headers"))
        if headers:
            spec["headers"] = headers
        latency = data.get("latency")
        if isinstance(latency, int) and latency > 0:
            spec["behaviours"] = {"delay": f"{latency}ms"}
        if data.get("tlsOptions", {}).get("enabled"):
            self.warn(pointer("tlsOptions"), "TLS is chosen when serving: `mockery serve --tls auto`")
        if data.get("callbacks"):
            self.warn(pointer("callbacks"), "callbacks are not translated")
        routes: list[dict[str, Any]] = []
        seen: dict[tuple[str, str], int] = {}
        for index in self.route_order():
            route = self.route(data["routes"][index], pointer("routes", index))
            if route is None:
                continue
            methods = route.get("method", "GET")
            keys = [(method, shape(route["path"])) for method in (methods if isinstance(methods, list) else [methods])]
            if "match" not in route and any(key in seen for key in keys):
                first = next(seen[key] for key in keys if key in seen)
                self.warn(pointer("routes", index), f"never answered: the route at /routes/{first} answers first")
                continue
            if "match" not in route:
                seen.update(dict.fromkeys(keys, index))
            routes.append(route)
        spec["routes"] = routes
        return spec

    def route_order(self) -> list[int]:
        """Route indices in the order Mockoon tries them: its folder tree (``rootChildren``), else as listed."""
        by_uuid = {
            route.get("uuid"): index for index, route in enumerate(self.data["routes"]) if isinstance(route, dict)
        }
        folders = {folder.get("uuid"): folder for folder in self.data.get("folders") or [] if isinstance(folder, dict)}
        order: list[int] = []

        def walk(children: Any) -> None:
            for child in children or []:
                if not isinstance(child, dict):
                    continue
                if child.get("type") == "route" and child.get("uuid") in by_uuid:
                    order.append(by_uuid[child["uuid"]])
                elif child.get("type") == "folder" and child.get("uuid") in folders:
                    walk(folders[child["uuid"]].get("children"))

        walk(self.data.get("rootChildren"))
        order.extend(index for index in range(len(self.data["routes"])) if index not in order)
        return list(dict.fromkeys(order))

    def path(self, endpoint: str, route: dict[str, Any], where: str) -> bool:
        text = "/" + endpoint.strip("/")
        if not any(char in text for char in "*?()+"):
            converted = _PARAM.sub(lambda found: "{" + found.group(1) + "}", text)
            if not path_problems(converted):
                route["path"] = converted
                return True
        regex = "^" + "".join(
            "[^/]+" if part.startswith(":") else ".*" if part == "*" else re.escape(part)
            for part in re.split(r"(:[A-Za-z_][A-Za-z0-9_]*|\*)", text)
            if part
        )
        regex += "$"
        if compile_regex(regex)[0] is None:
            self.warn(where, f"the endpoint {endpoint!r} cannot be matched by mockery: route skipped")
            return False
        route["path"] = "/{mockoon_path:path}"
        base = self.data.get("endpointPrefix") or ""
        full = "^" + re.escape("/" + base.strip("/")) + regex[1:] if base.strip("/") else regex
        route["match"] = {"path": {"matches": full}}
        self.warn(where, "the endpoint is a pattern: matched with a path regex, and path parameters are not named")
        return True

    def route(self, raw: Any, where: str) -> dict[str, Any] | None:
        if not isinstance(raw, dict):
            return None
        if raw.get("type") not in (None, "http"):
            self.warn(where, f"a {raw.get('type')!r} route is not translated: skipped")
            return None
        route: dict[str, Any] = {}
        self.endpoint = str(raw.get("endpoint", ""))
        method = str(raw.get("method", "get")).upper()
        if method in METHODS:
            if method != "GET":
                route["method"] = method
        elif method == "ALL":
            route["method"] = list(METHODS)
        else:
            self.warn(pointer_join(where, "method"), f"method {method!r} is not served by mockery: route skipped")
            return None
        if not self.path(str(raw.get("endpoint", "")), route, pointer_join(where, "endpoint")):
            return None
        responses = [(n, r) for n, r in enumerate(raw.get("responses") or []) if isinstance(r, dict)]
        if not responses:
            route["response"] = {"status": 404}
            return route
        mode = raw.get("responseMode")
        built = [(n, r, self.response(r, pointer_join(where, "responses", n))) for n, r in responses]
        if mode in ("RANDOM", "SEQUENTIAL"):
            route["responses"] = [answer for _, _, answer in built]
            route["mode"] = "random" if mode == "RANDOM" else "cycle"
            return self.latency(route, [r for _, r in responses], where)
        if mode == "FALLBACK":
            self.warn(pointer_join(where, "responseMode"), "FALLBACK mode is served as the default mode")
        default = next((item for item in built if item[1].get("default") is True), built[0])
        chosen: list[dict[str, Any]] = []
        if mode != "DISABLE_RULES":
            for n, raw_response, answer in built:
                rules = raw_response.get("rules") or []
                if not rules or (n, raw_response) == default[:2]:
                    continue
                when = self.rules(rules, raw_response.get("rulesOperator"), pointer_join(where, "responses", n))
                if when is not None:
                    chosen.append({**answer, "when": when})
        if not chosen:
            route["response"] = default[2]
        else:
            route["responses"] = [*chosen, default[2]]
        return self.latency(route, [default[1], *(r for n, r in responses if n != default[0])], where)

    def latency(self, route: dict[str, Any], responses: list[dict[str, Any]], where: str) -> dict[str, Any]:
        values = {r.get("latency") or 0 for r in responses}
        if len(values) > 1:
            self.warn(where, "responses with different latencies: the route waits the longest of them")
        longest = max(values)
        if isinstance(longest, int) and longest > 0:
            route["delay"] = f"{longest}ms"
        return route

    def headers(self, raw: Any, where: str) -> dict[str, str]:
        headers: dict[str, str] = {}
        for index, item in enumerate(raw or []):
            if not isinstance(item, dict) or not item.get("key"):
                continue
            name, at = str(item["key"]), pointer_join(where, index)
            if not header_name_ok(name):
                self.warn(at, f"{name!r} is not a valid header name: skipped")
            elif name.lower() in FRAMING_HEADERS:
                self.warn(at, f"{name} is set by mockery from the body it sends: skipped")
            else:
                headers[name] = self.template(str(item.get("value", "")), at)
        return headers

    def response(self, raw: dict[str, Any], where: str) -> dict[str, Any]:
        answer: dict[str, Any] = {}
        status = raw.get("statusCode", 200)
        if isinstance(status, int) and 100 <= status <= 599 and status != 200:
            answer["status"] = status
        headers = self.headers(raw.get("headers"), pointer_join(where, "headers"))
        body_type = raw.get("bodyType") or ("FILE" if raw.get("sendFileAsBody") else "INLINE")
        templated = raw.get("disableTemplating") is not True
        if body_type == "FILE" and raw.get("filePath"):
            self.body_file(str(raw["filePath"]), answer, pointer_join(where, "filePath"))
        elif body_type == "DATABUCKET":
            bucket = self.buckets.get(raw.get("databucketID"))
            value = bucket.get("value") if isinstance(bucket, dict) else None
            if isinstance(value, str) and "{{" not in value:
                answer["body"] = literal_template(value)
            else:
                self.warn(pointer_join(where, "databucketID"), "a data bucket that is missing or templated: no body")
        elif isinstance(raw.get("body"), str) and raw["body"]:
            text = raw["body"]
            at = pointer_join(where, "body")
            if templated:
                answer["body"] = self.template(text, at)
            else:
                answer["body"] = literal_template(text)
        if headers:
            answer["headers"] = headers
        for key in ("callbacks",):
            if raw.get(key):
                self.warn(pointer_join(where, key), f"`{key}` is not translated")
        return answer

    def body_file(self, name: str, answer: dict[str, Any], where: str) -> None:
        root = self.folder.resolve()
        found = (root / name).resolve()
        if "{{" in name or not found.is_relative_to(root) or not found.is_file():
            self.warn(where, f"the file {name!r} is not beside the environment (or is templated): no body")
            return
        target = self.output / f"{self.service}-files" / found.relative_to(root)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(found, target)
        self.copied.append(target)
        answer["file"] = f"{self.service}-files/{found.relative_to(root).as_posix()}"

    def rules(self, rules: list[Any], operator: Any, where: str) -> dict[str, Any] | None:
        conditions = []
        for index, rule in enumerate(rules):
            condition = self.rule(rule, pointer_join(where, "rules", index))
            if condition is None:
                return None
            conditions.append(condition)
        if len(conditions) == 1:
            return conditions[0]
        return {"any_of": conditions} if operator != "AND" else {"all_of": conditions}

    def rule(self, rule: Any, where: str) -> dict[str, Any] | None:
        if not isinstance(rule, dict):
            return None
        target, modifier = rule.get("target"), str(rule.get("modifier") or "")
        value, operator = rule.get("value"), rule.get("operator", "equals")
        if isinstance(value, str) and "{{" in value:
            self.warn(where, "a rule compared with a template: the response with it is not translated")
            return None
        if operator == "equals":
            test: Any = {"equals": value}
        elif operator in ("regex", "regex_i"):
            regex = ("(?i)" if operator == "regex_i" else "") + str(value)
            if compile_regex(regex)[0] is None:
                self.warn(where, f"the regex {value!r} cannot run on RE2: the response with it is not translated")
                return None
            test = {"matches": regex}
        elif operator == "null":
            test = {"absent": True}
        elif operator == "array_includes":
            test = {"contains": value}
        elif operator == "empty_array":
            test = {"equals": []}
        else:
            self.warn(
                where, f"the rule operator {operator!r} is not translated: the response with it is not translated"
            )
            return None
        condition: dict[str, Any]
        if target == "body":
            if modifier:
                path = "$" + "".join(
                    f"[{part}]" if part.isdigit() else f"[{json.dumps(part.replace(chr(0), '.'))}]"
                    for part in modifier.replace("\\.", "\x00").split(".")
                ).replace('"', "'")
                condition = {"body": {"json_path": {path: test}}}
                if "." not in modifier:  # Mockoon reads a form body's fields by the same name
                    condition = {"any_of": [condition, {"body": {"form": {modifier: test}}}]}
            else:
                condition = {"body": {"text": test}}
        elif target in ("query", "header", "cookie") and modifier:
            part = {"query": "query", "header": "headers", "cookie": "cookies"}[target]
            name = modifier if target != "query" else _query_name(modifier)
            condition = {part: {name: test}}
        elif target == "params" and modifier and operator in ("equals", "regex", "regex_i"):
            found = self.param_condition(modifier, operator, str(value))
            if found is None:
                self.warn(where, f"no path parameter {modifier!r} a regex can test: the response is not translated")
                return None
            condition = found
        else:
            self.warn(where, f"a rule on {target!r} is not translated: the response with it is not translated")
            return None
        return {"not": condition} if rule.get("invert") is True else condition

    def param_condition(self, name: str, operator: str, value: str) -> dict[str, Any] | None:
        """A rule on a path parameter as a test of the whole path: the endpoint's regex with the parameter's
        segment holding the value (``equals``) or a match of it (``regex``, searched as Mockoon does)."""
        if operator == "equals":
            segment = re.escape(value)
        else:
            core, lead, trail = value, "[^/]*", "[^/]*"
            if core.startswith("^"):
                core, lead = core[1:], ""
            if core.endswith("$") and not core.endswith("\\$"):
                core, trail = core[:-1], ""
            segment = f"{lead}(?:{core}){trail}"
        parts = re.split(r"(:[A-Za-z_][A-Za-z0-9_]*)", "/" + self.endpoint.strip("/"))
        if f":{name}" not in parts or any(char in self.endpoint for char in "*?()+"):
            return None
        prefix = str(self.data.get("endpointPrefix") or "").strip("/")
        regex = "^" + (re.escape("/" + prefix) if prefix else "")
        for part in parts:
            if part == f":{name}":
                regex += "(?i:" + segment + ")" if operator == "regex_i" else segment
            elif part.startswith(":"):
                regex += "[^/]+"
            else:
                regex += re.escape(part)
        regex += "$"
        if compile_regex(regex)[0] is None:
            return None
        return {"path": {"matches": regex}}


def _query_name(modifier: str) -> str:
    """``obj.prop`` of Mockoon's parsed query is the field ``obj[prop]`` a client sends."""
    head, *rest = modifier.split(".")
    return head + "".join(f"[{part}]" for part in rest)


def pointer_join(base: str, *more: str | int) -> str:
    return base + pointer(*more)
