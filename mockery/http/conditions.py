"""Request conditions: a route's ``match:`` and a response's ``when:``, compiled once when the spec loads.

Every regex is compiled with RE2 (``mockery.http.regexes``; a ``body.schema``'s patterns through
``mockery.http.schema_patterns``), whose running time is linear in the input: a request cannot drive a pattern
into catastrophic backtracking, and a pattern RE2 cannot run (a look-behind, a back-reference) is a spec
error at its line. JSON paths are parsed and JSON Schemas checked and compiled at load time too, so a
request only evaluates.

An evaluation names what failed (``query.status: expected 'active', got 'banned'``): the 404 explanation
shows that for the closest routes.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson
from jsonschema.exceptions import best_match

from mockery.http.compare import MISSING, ORDERINGS, found_in, ordered, same, text_of
from mockery.http.multipart import is_multipart
from mockery.http.regexes import compile_regex
from mockery.http.requests import BadBody, RawRequest, cookie_map, form_parts, query_map
from mockery.http.schema_patterns import RE2Validator, schema_problems
from mockery.source.document import DocPath
from mockery.templates.helpers import parse_xml, xpath_select
from mockery.templates.limits import RenderLimitError

Problems = list[tuple[DocPath, str]]


class RequestView:
    """The parts of a request that conditions read, each parsed at most once and only when asked for."""

    __slots__ = ("_cookies", "_files", "_form", "_json", "_query", "_text", "_xml", "raw")

    def __init__(self, raw: RawRequest) -> None:
        self.raw = raw
        self._query: dict[str, Any] | None = None
        self._cookies: dict[str, str] | None = None
        self._text: str | None = None
        self._json: Any = None
        self._form: dict[str, Any] | None = None
        self._files: dict[str, Any] | None = None
        self._xml: Any = None

    @property
    def headers(self) -> Mapping[str, str]:
        return self.raw.headers

    @property
    def query(self) -> dict[str, Any]:
        if self._query is None:
            self._query = query_map(self.raw.query_string)
        return self._query

    @property
    def cookies(self) -> dict[str, str]:
        if self._cookies is None:
            self._cookies = cookie_map(self.raw.headers.get("cookie"))
        return self._cookies

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = self.raw.body.decode("utf-8", errors="replace")
        return self._text

    @property
    def form(self) -> dict[str, Any]:
        if self._form is None:
            content_type = self.raw.headers.get("content-type", "")
            if is_multipart(content_type):
                try:
                    self._form, self._files = form_parts(self.raw.body, content_type)
                except BadBody:
                    self._form, self._files = {}, {}
            else:
                self._form = query_map(self.raw.body.decode("latin-1"))
        return self._form

    @property
    def files(self) -> dict[str, Any]:
        """The file parts of a multipart body by field name (a part, or a list of parts)."""
        if self._files is None:
            self._files = {}
            _ = self.form
        return self._files

    @property
    def xml(self) -> Any:
        """The XML body's root element (no DTD allowed), or ``MISSING``."""
        if self._xml is None:
            try:
                self._xml = parse_xml(self.raw.body.decode("utf-8", "replace")) if self.raw.body else MISSING
            except RenderLimitError:
                self._xml = MISSING
        return self._xml

    @property
    def json(self) -> Any:
        """The JSON body, or ``MISSING`` when the body is empty or not JSON."""
        if self._json is None:
            try:
                self._json = orjson.loads(self.raw.body) if self.raw.body else MISSING
            except orjson.JSONDecodeError:
                self._json = MISSING
        return self._json


# Operators. Each one answers ``None`` when it holds, else what it expected and what it got; the comparisons
# themselves are mockery.http.compare's, which resource queries share.


def _show(value: Any) -> str:
    return "nothing" if value is MISSING else repr(value)


@dataclass(frozen=True, slots=True)
class Operator:
    """One operator with its argument; ``test`` is the function that evaluates it."""

    name: str
    argument: Any
    test: Callable[[Any], bool] = field(repr=False, compare=False)

    def failure(self, value: Any) -> str | None:
        if self.test(value):
            return None
        if self.name == "equals":
            return f"expected {self.argument!r}, got {_show(value)}"
        if self.name in ("present", "absent"):
            wanted = (self.name == "present") == bool(self.argument)
            return f"expected it to be {'present' if wanted else 'absent'}, got {_show(value)}"
        if self.name == "not":
            return f"expected not ({self.argument}), got {_show(value)}"
        shown = self.argument.pattern if self.name == "matches" else self.argument
        return f"expected {self.name.replace('_', ' ')} {shown!r}, got {_show(value)}"


@dataclass(frozen=True, slots=True)
class Test:
    """What one value must satisfy: every operator of a mapping (a scalar in the spec is ``equals``)."""

    operators: tuple[Operator, ...]

    def failure(self, value: Any) -> str | None:
        for operator in self.operators:
            reason = operator.failure(value)
            if reason is not None:
                return reason
        return None

    def __str__(self) -> str:
        return ", ".join(
            f"{op.name} {op.argument.pattern if op.name == 'matches' else op.argument!r}" for op in self.operators
        )


def _contains_item(item: Any, value: Any) -> bool:
    if isinstance(value, str):
        text = text_of(item)
        return text is not None and text in value
    if isinstance(value, list):
        return any(same(element, item) for element in value)
    if isinstance(value, dict):
        return isinstance(item, str) and item in value
    return False


def _ordered(name: str, bound: float, value: Any) -> bool:
    return ordered(value, name, bound)


def _equals(expected: Any, value: Any) -> bool:
    return value is not MISSING and same(value, expected)


def _matches(regex: Any, value: Any) -> bool:
    return found_in(regex, value)


def _one_of(options: tuple[Any, ...], value: Any) -> bool:
    return any(same(value, option) for option in options)


def _present(wanted: bool, value: Any) -> bool:
    return (value is not MISSING) == wanted


def _negated(test: Test, value: Any) -> bool:
    return test.failure(value) is not None


def compile_test(raw: Any, path: DocPath, problems: Problems) -> Test:
    """The test written at ``path``: a scalar (equals) or a mapping of operators."""
    if not isinstance(raw, dict):
        return Test((Operator("equals", raw, functools.partial(_equals, raw)),))
    operators = []
    for name, argument in raw.items():
        where = (*path, name)
        if name == "equals":
            operators.append(Operator(name, argument, functools.partial(_equals, argument)))
        elif name == "matches" and isinstance(argument, str):
            regex, reason = compile_regex(argument)
            if regex is None:
                problems.append((where, reason or "bad regex"))
                continue
            operators.append(Operator(name, regex, functools.partial(_matches, regex)))
        elif name == "contains":
            operators.append(Operator(name, argument, functools.partial(_contains_item, argument)))
        elif name == "one_of":
            options = tuple(argument) if isinstance(argument, list) else (argument,)
            operators.append(Operator(name, list(options), functools.partial(_one_of, options)))
        elif name in ("present", "absent"):
            wanted = bool(argument) == (name == "present")
            operators.append(Operator(name, argument, functools.partial(_present, wanted)))
        elif name in ORDERINGS:
            if isinstance(argument, int | float) and not isinstance(argument, bool):
                operators.append(Operator(name, argument, functools.partial(_ordered, name, float(argument))))
        elif name == "not":
            inner = compile_test(argument, where, problems)
            operators.append(Operator(name, inner, functools.partial(_negated, inner)))
    return Test(tuple(operators))


# Clauses: one test applied to one part of the request.


@dataclass(frozen=True, slots=True)
class Clause:
    """One condition on one part of a request, e.g. ``query.status`` or ``body.schema``."""

    label: str
    evaluate: Callable[[RequestView], str | None] = field(repr=False, compare=False)

    def failure(self, view: RequestView) -> str | None:
        reason = self.evaluate(view)
        return None if reason is None else f"{self.label}: {reason}"


@dataclass(frozen=True, slots=True)
class Conditions:
    """All the clauses of a ``match:`` (or ``when:``); all must hold. Their number is the route's specificity."""

    clauses: tuple[Clause, ...] = ()

    def __len__(self) -> int:
        return len(self.clauses)

    def holds(self, view: RequestView) -> bool:
        return all(clause.evaluate(view) is None for clause in self.clauses)

    def failures(self, view: RequestView) -> list[str]:
        """Every clause that does not hold, each as ``label: expected ..., got ...``."""
        return [reason for clause in self.clauses if (reason := clause.failure(view)) is not None]


NO_CONDITIONS = Conditions()


def _field_clause(label: str, part: Callable[[RequestView], Mapping[str, Any]], name: str, test: Test) -> Clause:
    return Clause(label, lambda view: test.failure(part(view).get(name, MISSING)))


def subset_failure(expected: Any, actual: Any, where: str = "") -> str | None:
    """Why ``expected`` is not a subset of ``actual``: mappings may have more keys, lists more items."""
    prefix = f"{where}: " if where else ""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return f"{prefix}expected a mapping, got {_show(actual)}"
        for key, value in expected.items():
            if key not in actual:
                return f"{where}.{key}: expected {value!r}, got nothing".lstrip(".")
            reason = subset_failure(value, actual[key], f"{where}.{key}".lstrip("."))
            if reason is not None:
                return reason
        return None
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return f"{prefix}expected a list, got {_show(actual)}"
        for item in expected:
            if not any(subset_failure(item, candidate) is None for candidate in actual):
                return f"{prefix}expected an item {item!r}, got {actual!r}"
        return None
    if actual is MISSING or not (actual == expected and isinstance(actual, bool) == isinstance(expected, bool)):
        return f"{prefix}expected {expected!r}, got {_show(actual)}"
    return None


def _singular(expression: Any) -> bool:
    """Whether a JSON path names at most one value (then the test sees the value, else the list of matches)."""
    from jsonpath_ng import jsonpath  # type: ignore[import-untyped]

    if isinstance(expression, jsonpath.Child):
        return _singular(expression.left) and _singular(expression.right)
    if isinstance(expression, jsonpath.Root | jsonpath.This):
        return True
    if isinstance(expression, jsonpath.Fields):
        return len(expression.fields) == 1 and expression.fields[0] != "*"
    if isinstance(expression, jsonpath.Index):
        indices = getattr(expression, "indices", None)
        return indices is None or len(indices) == 1
    return False


def _json_path_clause(text: str, where: DocPath, test: Test, problems: Problems) -> Clause | None:
    # jsonpath_ng (and its parser generator) only for a spec that matches on a JSON path: ~30 ms of start-up.
    from jsonpath_ng.exceptions import JsonPathLexerError, JsonPathParserError  # type: ignore[import-untyped]
    from jsonpath_ng.ext import parse as parse_json_path  # type: ignore[import-untyped]

    try:
        expression = parse_json_path(text)
    except (JsonPathParserError, JsonPathLexerError, Exception) as exc:  # ply raises plain Exceptions too
        problems.append((where, f"{text!r} is not a JSON path: {exc}"))
        return None
    singular = _singular(expression)

    def evaluate(view: RequestView) -> str | None:
        document = view.json
        if document is MISSING:
            return test.failure(MISSING)
        found = [match.value for match in expression.find(document)]
        if singular:
            return test.failure(found[0] if found else MISSING)
        return test.failure(found if found else MISSING)

    return Clause(f"body.json_path[{text!r}]", evaluate)


def _schema_clause(schema: Any, where: DocPath, problems: Problems) -> Clause | None:
    found = schema_problems(schema, where)
    if found:
        problems.extend(found)
        return None
    validator = RE2Validator(schema)

    def evaluate(view: RequestView) -> str | None:
        document = view.json
        if document is MISSING:
            return "expected a JSON body, got none"
        error = best_match(validator.iter_errors(document))
        if error is None:
            return None
        at = "".join(f"[{part!r}]" for part in error.absolute_path)
        return f"{at + ': ' if at else ''}{error.message}"

    return Clause("body.schema", evaluate)


def compile_conditions(raw: Any, path: DocPath, problems: Problems) -> Conditions:
    """The conditions of a ``match:`` or ``when:`` mapping; mistakes are added to ``problems`` with their path.

    The schema has checked the shape already; parts of the wrong shape are skipped here.
    """
    if not isinstance(raw, dict):
        return NO_CONDITIONS
    clauses: list[Clause] = []
    parts: dict[str, Callable[[RequestView], Mapping[str, Any]]] = {
        "query": lambda view: view.query,
        "headers": lambda view: view.headers,
        "cookies": lambda view: view.cookies,
    }
    for part, read in parts.items():
        fields = raw.get(part)
        if isinstance(fields, dict):
            for name, test_raw in fields.items():
                key = name.lower() if part == "headers" else name
                test = compile_test(test_raw, (*path, part, name), problems)
                clauses.append(_field_clause(f"{part}.{key}", read, key, test))
    body = raw.get("body")
    if isinstance(body, dict):
        clauses.extend(_body_clauses(body, (*path, "body"), problems))
    if "path" in raw:
        path_test = compile_test(raw["path"], (*path, "path"), problems)
        clauses.append(Clause("path", lambda view: path_test.failure(view.raw.path)))
    clauses.extend(_group_clauses(raw, path, problems))
    return Conditions(tuple(clauses))


def _group_clauses(raw: dict[str, Any], path: DocPath, problems: Problems) -> list[Clause]:
    """``any_of`` and ``all_of`` (lists of conditions written like ``match``) and ``not`` (one such mapping):
    each compiled by ``compile_conditions`` itself, so a group nests and reads every part a ``match`` reads."""
    clauses: list[Clause] = []
    for name in ("any_of", "all_of"):
        members = raw.get(name)
        if not isinstance(members, list):
            continue
        groups = tuple(compile_conditions(member, (*path, name, n), problems) for n, member in enumerate(members))
        clauses.append(Clause(name, functools.partial(_any_of if name == "any_of" else _all_of, groups)))
    if isinstance(raw.get("not"), dict):
        inner = compile_conditions(raw["not"], (*path, "not"), problems)
        clauses.append(Clause("not", functools.partial(_none_of, inner)))
    return clauses


def _any_of(groups: tuple[Conditions, ...], view: RequestView) -> str | None:
    reasons: list[str] = []
    for group in groups:
        failures = group.failures(view)
        if not failures:
            return None
        reasons.append(" and ".join(failures))
    return "none held: " + "; or ".join(f"({reason})" for reason in reasons)


def _all_of(groups: tuple[Conditions, ...], view: RequestView) -> str | None:
    for number, group in enumerate(groups):
        failures = group.failures(view)
        if failures:
            return f"[{number}] " + " and ".join(failures)
    return None


def _none_of(inner: Conditions, view: RequestView) -> str | None:
    return None if not inner.holds(view) else "expected these not to hold, and they all did"


def _body_clauses(body: dict[str, Any], path: DocPath, problems: Problems) -> list[Clause]:
    clauses: list[Clause] = []
    if "json" in body:
        expected = body["json"]

        def subset(view: RequestView) -> str | None:
            document = view.json
            if document is MISSING:
                return "expected a JSON body, got none"
            return subset_failure(expected, document)

        clauses.append(Clause("body.json", subset))
    json_paths = body.get("json_path")
    if isinstance(json_paths, dict):
        for text, test_raw in json_paths.items():
            where = (*path, "json_path", text)
            clause = _json_path_clause(text, where, compile_test(test_raw, where, problems), problems)
            if clause is not None:
                clauses.append(clause)
    if "schema" in body:
        clause = _schema_clause(body["schema"], (*path, "schema"), problems)
        if clause is not None:
            clauses.append(clause)
    if "text" in body:
        text_test = compile_test(body["text"], (*path, "text"), problems)
        clauses.append(Clause("body.text", lambda view: text_test.failure(view.text)))
    form = body.get("form")
    if isinstance(form, dict):
        for name, test_raw in form.items():
            test = compile_test(test_raw, (*path, "form", name), problems)
            clauses.append(_field_clause(f"body.form.{name}", lambda view: view.form, name, test))
    files = body.get("files")
    if isinstance(files, dict):
        for name, checks in files.items():
            clauses.append(_file_clause(name, checks, (*path, "files", name), problems))
    xpaths = body.get("xpath")
    if isinstance(xpaths, dict):
        given = body.get("namespaces")
        namespaces: dict[str, Any] = given if isinstance(given, dict) else {}
        for text, test_raw in xpaths.items():
            where = (*path, "xpath", text)
            clause = _xpath_clause(text, namespaces, compile_test(test_raw, where, problems), where, problems)
            if clause is not None:
                clauses.append(clause)
    return clauses


def _file_clause(name: str, checks: Any, where: DocPath, problems: Problems) -> Clause:
    """``body.files.<name>``: a file part of that name, whose ``filename``, ``content_type``, ``content``
    and ``size`` pass their tests (``{}``: the part is there)."""
    tests = {
        key: compile_test(value, (*where, key), problems)
        for key, value in (checks.items() if isinstance(checks, dict) else ())
    }

    def evaluate(view: RequestView) -> str | None:
        found = view.files.get(name)
        if found is None:
            return "expected a file part, got none"
        parts = found if isinstance(found, list) else [found]
        reasons = []
        for part in parts:
            failures = [f"{key}: {reason}" for key, test in tests.items() if (reason := test.failure(part[key]))]
            if not failures:
                return None
            reasons.append(", ".join(failures))
        return "; ".join(reasons)

    return Clause(f"body.files.{name}", evaluate)


def _xpath_clause(
    text: str, namespaces: dict[str, Any], test: Test, where: DocPath, problems: Problems
) -> Clause | None:
    mapping = {str(prefix): str(uri) for prefix, uri in namespaces.items()}
    try:
        xpath_select(parse_xml("<mockery/>"), text, mapping)
    except RenderLimitError as exc:
        problems.append((where, str(exc)))
        return None

    def evaluate(view: RequestView) -> str | None:
        root = view.xml
        if root is MISSING:
            return test.failure(MISSING)
        found = xpath_select(root, text, mapping)
        if not found:
            return test.failure(MISSING)
        first = found[0]
        return test.failure(first if isinstance(first, str) else "".join(first.itertext()))

    return Clause(f"body.xpath[{text!r}]", evaluate)
