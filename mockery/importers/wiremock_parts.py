"""The pieces of a WireMock mapping, each as its mockery equivalent: request patterns as ``match`` tests, delay
distributions, decimal literals, and the Handlebars helpers that have a Jinja twin."""

from __future__ import annotations

import base64
import json
import re  # re-ok: fixed patterns and re.escape of literal text, none run on a request
from collections.abc import Callable
from typing import Any

from mockery.http.regexes import compile_regex
from mockery.importers.common import pointer
from mockery.importers.stubs import Helper, json_path_expression
from mockery.templates.helpers import parse_xml, xpath_select
from mockery.templates.limits import RenderLimitError

Warn = Callable[[str, str], None]
"""(JSON pointer below the mapping, message)."""

_FILTER = re.compile(r"^\$\[\?\(@\.(?:\['([^']+)'\]|([A-Za-z_][A-Za-z0-9_]*))\s*(==|=~)\s*(.+?)\s*\)\]$", re.DOTALL)
_PLACEHOLDERS = {
    "any-string": {"type": "string"},
    "any-number": {"type": "number"},
    "any-boolean": {"type": "boolean"},
    "ignore": {},
}
_JAVA_DATE = [
    ("yyyy", "%Y"),
    ("EEE", "%a"),
    ("MMM", "%b"),
    ("MM", "%m"),
    ("dd", "%d"),
    ("HH", "%H"),
    ("mm", "%M"),
    ("ss", "%S"),
    ("z", "GMT"),
    ("'T'", "T"),
    ("'Z'", "Z"),
]


class Literal(float):
    """A JSON number read with its written text, so that ``550.00`` can be sent as ``550.00``."""

    text: str

    def __new__(cls, text: str) -> Literal:
        number = super().__new__(cls, text)
        number.text = text
        return number


def plain(value: Any) -> Any:
    """``value`` with every ``Literal`` a plain float again (for the YAML writer)."""
    if isinstance(value, Literal):
        return float(value)
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def _changes(value: Any) -> bool:
    if isinstance(value, Literal):
        return json.dumps(float(value)) != value.text
    if isinstance(value, dict):
        return any(_changes(item) for item in value.values())
    if isinstance(value, list):
        return any(_changes(item) for item in value)
    return False


def _dump(value: Any) -> str:
    if isinstance(value, Literal):
        return value.text
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(key)}:{_dump(item)}" for key, item in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_dump(item) for item in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def literal_json(body: Any) -> str | None:
    """The JSON text of ``body`` with its numbers as written, when one of them would change once parsed
    (``550.00``); ``None`` when the parsed body says the same."""
    return _dump(body) if _changes(body) else None


def map_strings(value: Any, change: Callable[[str, str], Any], where: str) -> Any:
    """``value`` with every string (not the keys) replaced by ``change(text, its JSON pointer)``."""
    if isinstance(value, str):
        return change(value, where)
    if isinstance(value, dict):
        return {key: map_strings(item, change, where + pointer(key)) for key, item in value.items()}
    if isinstance(value, list):
        return [map_strings(item, change, where + pointer(index)) for index, item in enumerate(value)]
    return value


def _exact(text: str) -> str:
    return f"^(?:{text})$"


def pattern_test(pattern: Any, warn: Warn, at: str) -> Any:
    """A WireMock string pattern (``equalTo``, ``matches``...) as a mockery test, or ``None`` with a warning."""
    if not isinstance(pattern, dict):
        warn(at, f"{pattern!r} is not a WireMock pattern: not translated")
        return None
    if "equalTo" in pattern:
        value = pattern["equalTo"]
        if pattern.get("caseInsensitive") is True:
            return {"matches": "(?i)^" + re.escape(str(value)) + "$"}
        return {"equals": value}
    if "contains" in pattern:
        return {"contains": pattern["contains"]}
    if "doesNotContain" in pattern:
        return {"not": {"contains": pattern["doesNotContain"]}}
    for key, negated in (("matches", False), ("doesNotMatch", True)):
        if key in pattern:
            regex = _exact(str(pattern[key]))
            if compile_regex(regex)[0] is None:
                warn(at + pointer(key), f"the pattern {pattern[key]!r} cannot run on RE2: condition dropped")
                return None
            return {"not": {"matches": regex}} if negated else {"matches": regex}
    if "absent" in pattern:
        return {"absent": True} if pattern["absent"] is True else {"present": True}
    warn(at, f"the pattern {sorted(pattern)} is not translated: condition dropped")
    return None


def _merge(match: dict[str, Any], fragment: dict[str, Any]) -> None:
    """Add ``fragment`` (conditions written like ``match``) to ``match``, or to its ``all_of`` when a test of
    the same field is there already."""

    def collides(into: dict[str, Any], more: dict[str, Any]) -> bool:
        for key, value in more.items():
            if key in into:
                if not (isinstance(into[key], dict) and isinstance(value, dict)) or collides(into[key], value):
                    return True
                if key not in ("query", "headers", "cookies", "body", "json_path", "form", "xpath", "namespaces"):
                    return True
        return False

    def merge(into: dict[str, Any], more: dict[str, Any]) -> None:
        for key, value in more.items():
            if key in into:
                merge(into[key], value)
            else:
                into[key] = value

    if collides(match, fragment):
        match.setdefault("all_of", []).append(fragment)
    else:
        merge(match, fragment)


def _field_fragment(part: str, name: str, pattern: Any, warn: Warn, at: str) -> dict[str, Any] | None:
    if isinstance(pattern, dict) and isinstance(pattern.get("or"), list):
        options = [
            _field_fragment(part, name, item, warn, at + pointer("or", n)) for n, item in enumerate(pattern["or"])
        ]
        kept = [option for option in options if option is not None]
        return {"any_of": kept} if kept else None
    if isinstance(pattern, dict) and isinstance(pattern.get("and"), list):
        members = [
            _field_fragment(part, name, item, warn, at + pointer("and", n)) for n, item in enumerate(pattern["and"])
        ]
        kept = [member for member in members if member is not None]
        return {"all_of": kept} if kept else None
    test = pattern_test(pattern, warn, at)
    return None if test is None else {part: {name: test}}


def request_conditions(request: dict[str, Any], match: dict[str, Any], warn: Warn) -> None:
    """The patterns of a mapping's ``request`` added to ``match``."""
    for key, part in (("queryParameters", "query"), ("headers", "headers"), ("cookies", "cookies")):
        fields = request.get(key)
        if not isinstance(fields, dict):
            continue
        for name, pattern in fields.items():
            fragment = _field_fragment(part, name, pattern, warn, pointer("request", key, name))
            if fragment is not None:
                _merge(match, fragment)
    credentials = request.get("basicAuthCredentials")
    if isinstance(credentials, dict):
        token = f"{credentials.get('username', '')}:{credentials.get('password', '')}"
        encoded = base64.b64encode(token.encode()).decode()
        _merge(match, {"headers": {"Authorization": {"equals": f"Basic {encoded}"}}})
    patterns = request.get("bodyPatterns")
    if isinstance(patterns, list):
        for index, pattern in enumerate(patterns):
            fragment = body_fragment(pattern, warn, pointer("request", "bodyPatterns", index))
            if fragment is not None:
                _merge(match, fragment)


def json_schema(expected: Any, ignore_order: bool, ignore_extra: bool) -> Any:
    """A JSON Schema that holds for exactly the bodies ``equalToJson`` accepts (json-unit placeholders too)."""
    if isinstance(expected, str) and expected.startswith("${json-unit.") and expected.endswith("}"):
        return dict(_PLACEHOLDERS.get(expected[12:-1], {}))
    if isinstance(expected, dict):
        schema: dict[str, Any] = {
            "type": "object",
            "properties": {key: json_schema(value, ignore_order, ignore_extra) for key, value in expected.items()},
            "required": list(expected),
        }
        if not ignore_extra:
            schema["additionalProperties"] = False
        return schema
    if isinstance(expected, list):
        items = [json_schema(item, ignore_order, ignore_extra) for item in expected]
        array: dict[str, Any] = {"type": "array"}
        if ignore_order:
            if items:
                array["allOf"] = [{"contains": item} for item in items]
            if not ignore_extra:
                array["maxItems"] = len(items)
        else:
            if items:
                array["prefixItems"] = items
            array["minItems"] = len(items)
            if not ignore_extra:
                array["items"] = False
        return array
    return {"const": expected}


def body_fragment(pattern: Any, warn: Warn, at: str) -> dict[str, Any] | None:
    """One of ``bodyPatterns`` as conditions written like ``match``, or ``None`` with a warning."""
    if not isinstance(pattern, dict):
        warn(at, "not a body pattern: condition dropped")
        return None
    if "equalToJson" in pattern:
        expected = pattern["equalToJson"]
        if isinstance(expected, str):
            try:
                expected = json.loads(expected, parse_float=Literal)
            except ValueError:
                warn(at + pointer("equalToJson"), "not JSON: condition dropped")
                return None
        schema = json_schema(
            expected, pattern.get("ignoreArrayOrder") is True, pattern.get("ignoreExtraElements") is True
        )
        return {"body": {"schema": schema}}
    if "matchesJsonPath" in pattern:
        return _json_path(pattern["matchesJsonPath"], warn, at + pointer("matchesJsonPath"))
    if "matchesXPath" in pattern:
        return _xpath(pattern["matchesXPath"], pattern.get("xPathNamespaces"), warn, at + pointer("matchesXPath"))
    for key in ("equalToXml", "binaryEqualTo", "equalToDateTime", "before", "after"):
        if key in pattern:
            warn(at + pointer(key), f"`{key}` has no mockery equivalent: condition dropped (the route answers more)")
            return None
    test = pattern_test(pattern, warn, at)
    return None if test is None else {"body": {"text": test}}


def _xpath(expression: Any, namespaces: Any, warn: Warn, at: str) -> dict[str, Any] | None:
    """``matchesXPath`` (an expression: a node is there; or ``{expression, <pattern>}``: its text passes) as
    ``body.xpath``, when the expression is in the XPath subset mockery reads."""
    test: Any = {"present": True}
    if isinstance(expression, dict) and isinstance(expression.get("expression"), str):
        rest = {key: value for key, value in expression.items() if key not in ("expression", "xPathNamespaces")}
        namespaces = expression.get("xPathNamespaces", namespaces)
        test = pattern_test(rest, warn, at) if rest else test
        expression = expression["expression"]
    if not isinstance(expression, str) or test is None:
        if test is not None:
            warn(at, "not an XPath expression: condition dropped")
        return None
    mapping = {str(k): str(v) for k, v in namespaces.items()} if isinstance(namespaces, dict) else {}
    try:
        xpath_select(parse_xml("<mockery/>"), expression, mapping)
    except RenderLimitError:
        warn(at, f"the XPath {expression!r} is beyond the subset mockery reads: condition dropped")
        return None
    body: dict[str, Any] = {"xpath": {expression: test}}
    if mapping:
        body["namespaces"] = mapping
    return {"body": body}


def _json_path(expression: Any, warn: Warn, at: str) -> dict[str, Any] | None:
    if isinstance(expression, dict) and isinstance(expression.get("expression"), str):
        rest = {key: value for key, value in expression.items() if key != "expression"}
        test = pattern_test(rest, warn, at)
        return None if test is None else {"body": {"json_path": {expression["expression"]: test}}}
    if not isinstance(expression, str):
        warn(at, "not a JSON path: condition dropped")
        return None
    found = _FILTER.match(expression.strip())
    if found is not None:
        name = found.group(1) or found.group(2)
        operator, operand = found.group(3), found.group(4)
        path = f"$.{name}" if found.group(2) else f"$['{name}']"
        if operator == "=~":
            if operand.startswith("/") and operand.rstrip("i").endswith("/"):
                flags = "(?i)" if operand.endswith("i") else ""
                regex = flags + "^(?:" + operand.strip("/i" if flags else "/") + ")$"
                if compile_regex(regex)[0] is not None:
                    return {"body": {"json_path": {path: {"matches": regex}}}}
        else:
            try:
                value = json.loads(operand.replace("'", '"'))
            except ValueError:
                value = None
            if value is not None or operand == "null":
                return {"body": {"json_path": {path: {"equals": value}}}}
    from jsonpath_ng.ext import parse as parse_json_path  # type: ignore[import-untyped]

    try:
        parse_json_path(expression)
    except Exception:  # ply raises plain Exceptions for some inputs
        warn(at, f"the JSON path {expression!r} is not one mockery reads: condition dropped")
        return None
    return {"body": {"json_path": {expression: {"present": True}}}}


def delay(response: dict[str, Any], warn: Warn) -> Any:
    """``fixedDelayMilliseconds`` or ``delayDistribution`` as a ``delay``."""
    fixed = response.get("fixedDelayMilliseconds")
    distribution = response.get("delayDistribution")
    if isinstance(fixed, int | float) and not isinstance(fixed, bool) and fixed >= 0:
        if isinstance(distribution, dict):
            warn("/delayDistribution", "both a fixed delay and a distribution: only the fixed delay is kept")
        return f"{plain(fixed)}ms"
    if not isinstance(distribution, dict):
        return None
    kind = distribution.get("type")
    if kind == "uniform":
        return {"min": f"{plain(distribution.get('lower', 0))}ms", "max": f"{plain(distribution.get('upper', 0))}ms"}
    if kind == "lognormal" and 0 < float(distribution.get("sigma", 0)) <= 5:
        out: dict[str, Any] = {
            "distribution": "lognormal",
            "median": f"{plain(distribution.get('median', 0))}ms",
            "sigma": plain(distribution["sigma"]),
        }
        if isinstance(distribution.get("maxValue"), int | float):
            out["max"] = f"{plain(distribution['maxValue'])}ms"
        return out
    warn("/delayDistribution", f"the delay distribution {kind!r} is not translated")
    return None


def _variable(name: str) -> str | None:
    words = name.replace(".[", ".").replace("]", "").split(".")
    if words[0] != "request":
        return None
    rest = words[1:]
    if rest in (["url"], ["path"], ["baseUrl"]):
        return "request.path"
    if rest in (["method"], ["body"]):
        return f"request.{rest[0]}"
    if len(rest) == 2 and rest[0] in ("pathSegments", "path") and rest[1].isdigit():
        return f"request.path.split('/')[{int(rest[1]) + 1}]"
    if len(rest) in (2, 3) and rest[0] in ("query", "headers", "cookies") and (len(rest) == 2 or rest[2] == "0"):
        key = rest[1].lower() if rest[0] == "headers" else rest[1]
        return f"request.{rest[0]}.get({json.dumps(key)}, '')"
    return None


_UNITS = {"second": "s", "minute": "m", "hour": "h", "day": "d", "week": "w"}


def _offset(text: str) -> str | None:
    """WireMock's ``offset='-3 days'`` as mockery's duration text (``-3d``); months and years have none."""
    found = re.fullmatch(r"\s*([-+]?[0-9]+)\s+([a-z]+?)s?\s*", text.lower())
    if found is None or found.group(2) not in _UNITS:
        return None
    return f"{int(found.group(1))}{_UNITS[found.group(2)]}"


def _now(words: list[str], options: dict[str, str]) -> str | None:
    if words or options.get("timezone", "GMT") not in ("GMT", "UTC"):
        return None
    date = "now()"
    if "offset" in options:
        shift = _offset(options["offset"])
        if shift is None:
            return None
        date = f"(now() + {json.dumps(shift)})"
    form = options.get("format")
    if form is None:
        return f"{date} | strftime('%Y-%m-%dT%H:%M:%SZ')"
    if form == "epoch":
        return f"({date}.timestamp() * 1000) | int"
    if form == "unix":
        return f"{date}.timestamp() | int"
    converted = form
    for java, python in _JAVA_DATE:
        converted = converted.replace(java, python)
    if re.search(r"[A-Za-z]", re.sub(r"%[A-Za-z]|GMT|T|Z", "", converted)):
        return None
    return f"{date} | strftime({json.dumps(converted)})"


def _argument(word: str) -> str:
    """A helper's argument: a request variable, else literal text."""
    return _variable(word) or json.dumps(word)


def _filter(name: str, decoded: str | None = None) -> Helper:
    """A helper of one argument that is a filter in mockery (``decode=true`` picking ``decoded``)."""

    def helper(words: list[str], options: dict[str, str]) -> str | None:
        if len(words) != 1 or set(options) - {"decode"}:
            return None
        chosen = decoded if options.get("decode") == "true" and decoded else name
        return f"{_argument(words[0])} | {chosen}"

    return helper


def _regex_extract(words: list[str], options: dict[str, str]) -> str | None:
    if len(words) != 2 or options or compile_regex(words[1])[0] is None:
        return None
    return f"{_argument(words[0])} | regex_extract({json.dumps(words[1])})"


def _random_value(words: list[str], options: dict[str, str]) -> str | None:
    kind = options.get("type", "ALPHANUMERIC").upper()
    if kind == "UUID":
        return "uuid()"
    try:
        length = int(options.get("length", "36"))
    except ValueError:
        return None
    if not 0 < length <= 1000:
        return None
    if "minValue" in options or "maxValue" in options:
        return f"faker.random_int(min={int(options.get('minValue', '0'))}, max={int(options.get('maxValue', '9999'))})"
    masks = {"NUMERIC": "#", "ALPHABETIC": "?", "HEXADECIMAL": "^"}
    if kind in masks:
        function = {"NUMERIC": "numerify", "ALPHABETIC": "lexify", "HEXADECIMAL": "hexify"}[kind]
        text = f"faker.{function}('{masks[kind] * length}')"
    elif kind == "ALPHANUMERIC":
        text = f"faker.bothify('{('?#' * length)[:length]}')"
    else:
        return None
    return f"({text} | upper)" if options.get("uppercase") == "true" else text


def _random_int(words: list[str], options: dict[str, str]) -> str | None:
    try:
        lower, upper = int(options.get("lower", "0")), int(options.get("upper", "2147483647"))
    except ValueError:
        return None
    return f"faker.random_int(min={lower}, max={upper - 1 if 'upper' in options else upper})"


def _json_path_helper(words: list[str], options: dict[str, str]) -> str | None:
    if len(words) != 2 or words[0] != "request.body":
        return None
    return json_path_expression(words[1], "request.body")


def helpers(typed: bool) -> dict[str, Helper]:
    """WireMock's Handlebars helpers with a Jinja twin; ``typed``: in a JSON body's string, where WireMock's
    output is always text (mockery keeps the type of a lone expression), so each is made a string."""
    table: dict[str, Helper] = {
        "": lambda words, options: _variable(words[0]),
        "now": _now,
        "randomValue": _random_value,
        "randomInt": _random_int,
        "jsonPath": _json_path_helper,
        "base64": _filter("b64encode", "b64decode"),
        "urlEncode": _filter("url_encode", "url_decode"),
        "upper": _filter("upper"),
        "lower": _filter("lower"),
        "trim": _filter("trim"),
        "size": _filter("length"),
        "regexExtract": _regex_extract,
    }
    if not typed:
        return table

    def as_text(helper: Helper) -> Helper:
        def wrapped(words: list[str], options: dict[str, str]) -> str | None:
            expression = helper(words, options)
            return None if expression is None else f"({expression}) | string"

        return wrapped

    return {name: as_text(helper) for name, helper in table.items()}
