"""Call patterns: which calls a verification counts, said in the spec's own condition language.

A ``CallPattern`` is a method, a path (a literal, a route pattern such as ``/orders/{id:int}``, or a URL whose
query becomes conditions) and the conditions of a route's ``match:`` (``query``, ``headers``, ``cookies``,
``body`` with ``json``, ``json_path``, ``schema``, ``text``, ``form``; ``json=`` is ``body.json``). The
conditions are checked against the spec language's schema and compiled by ``mockery.http.conditions``, the
code that matches routes, so a test can say anything a route can match and a mistake in a condition is a
``SpecErrors`` naming the field, never a verification that silently holds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from starlette.routing import compile_path

from mockery.errors import ArgumentError, SpecError, SpecErrors
from mockery.http.conditions import Conditions, RequestView, compile_conditions
from mockery.http.journal import Call
from mockery.http.regexes import compile_regex
from mockery.http.requests import RawRequest, query_map
from mockery.load.schema import route_schema_errors
from mockery.source.document import Document, format_path


class CallPattern:
    """Which calls to count: ``CallPattern("POST", "/orders", json={"amount": 1999})``.

    ``method`` and ``path`` may be ``None`` (any). ``path`` is the whole request path (a service's
    ``base_path`` included); ``{name}`` segments match any value, as in a route (``{id:int}``, ``{rest:path}``);
    ``"/orders?status=paid"`` (or a full URL) means the path ``/orders`` with the condition
    ``query={"status": "paid"}``. The other arguments are the conditions of a route's ``match:``: ``query``,
    ``headers`` (names in any case), ``cookies``, ``body`` (its ``json``, ``json_path``, ``schema``, ``text``
    and ``form`` conditions; a plain string means ``{"text": ...}``), ``json`` (``body.json``: a subset of the
    JSON body). Each value is a value to equal or a mapping of operators: ``{"matches": "^Bearer "}``,
    ``{"present": True}``, ``{"gt": 10}``, ``{"one_of": [...]}``, ``{"not": ...}``. ``service`` counts only
    the calls answered for that service.

    A mistake in a condition raises ``SpecErrors`` naming the field (``query.status.matchs: unknown key
    'matchs'; did you mean 'matches'?``).
    """

    __slots__ = ("_path_regex", "conditions", "method", "path", "service", "shown")

    def __init__(
        self,
        method: str | None = None,
        path: str | None = None,
        *,
        query: Mapping[str, Any] | None = None,
        headers: Mapping[str, Any] | None = None,
        cookies: Mapping[str, Any] | None = None,
        json: Any = None,
        body: Mapping[str, Any] | str | None = None,
        service: str | None = None,
        caller: str = "CallPattern",
    ) -> None:
        if method is not None and (not isinstance(method, str) or not method.strip().isalpha()):
            raise ArgumentError(f"a method is a name such as 'GET', not {method!r}")
        if service is not None and not isinstance(service, str):
            raise ArgumentError(f"a service is named by a string, not {type(service).__name__}")
        self.method = method.strip().upper() if method is not None else None
        self.service = service
        self.path, url_query = _split_url(path)
        match, shown = _match_of(query, url_query, headers, cookies, json, body)
        self.conditions = _compiled(match, caller, json_given=json is not None)
        self._path_regex = _path_regex(self.path)
        target = f"{self.method or 'any method'} {path if path is not None else 'any path'}"
        self.shown = " with ".join((target, ", ".join(shown))) if shown else target
        if service is not None:
            self.shown += f" of service {service!r}"

    @classmethod
    def of(cls, item: CallPattern | Sequence[Any] | str, caller: str = "CallPattern") -> CallPattern:
        """A pattern from ``item``: a pattern itself, ``"POST /orders"``, ``("POST", "/orders")`` or
        ``("POST", "/orders", {"json": {...}})`` (the mapping holds the keyword arguments)."""
        if isinstance(item, CallPattern):
            return item
        if isinstance(item, str):
            method, _, path = item.strip().partition(" ")
            return cls(method, path.strip() or None, caller=caller)
        if isinstance(item, Sequence) and len(item) in (2, 3):
            options = item[2] if len(item) == 3 else {}
            if not isinstance(options, Mapping):
                raise ArgumentError(f"the third item of {item!r} is a mapping of conditions, e.g. {{'json': ...}}")
            return cls(item[0], item[1], caller=caller, **options)
        raise ArgumentError(
            f"a call to expect is a CallPattern, 'METHOD /path', (method, path) or (method, path, {{conditions}}), "
            f"not {item!r}"
        )

    def matches(self, call: Call) -> bool:
        """Whether ``call`` is one of the calls this pattern counts."""
        return not self.differences(call, first_only=True)

    def differences(self, call: Call, *, first_only: bool = False) -> list[str]:
        """Every field where ``call`` differs from the pattern, e.g. ``query.status: expected 'paid', got 'new'``:
        the service, the method, the path, then each condition in the order of ``match:``."""
        found: list[str] = []
        if self.service is not None and call.service != self.service:
            found.append(f"service: expected {self.service!r}, got {call.service!r}")
        if self.method is not None and call.method != self.method:
            found.append(f"method: expected {self.method}, got {call.method}")
        if self.path is not None and not self._path_fits(call.path):
            found.append(f"path: expected {self.path!r}, got {call.path!r}")
        if found and first_only:
            return found
        if self.conditions:
            view = RequestView(RawRequest(call.method, call.path, call.query_string, call.headers, call.raw_body))
            if first_only:
                return [] if self.conditions.holds(view) else self.conditions.failures(view)[:1]
            found.extend(self.conditions.failures(view))
        return found

    def _path_fits(self, path: str) -> bool:
        if self._path_regex is None:
            return path == self.path
        return self._path_regex.search(path) is not None

    def __str__(self) -> str:
        return self.shown

    def __repr__(self) -> str:
        return f"CallPattern({self.shown})"


def _split_url(path: str | None) -> tuple[str | None, str]:
    """The path and the query of ``path``, which may be a path, a path with a query, or a full URL."""
    if path is None:
        return None, ""
    if not isinstance(path, str):
        raise ArgumentError(f"a path is a string such as '/orders', not {type(path).__name__}")
    if path.startswith(("http://", "https://")):
        parts = urlsplit(path)
        return parts.path or "/", parts.query
    if not path.startswith("/"):
        raise ArgumentError(f"a path starts with '/': {path!r}; did you mean {'/' + path!r}?")
    bare, _, query = path.partition("?")
    return bare, query


def _path_regex(path: str | None) -> Any:
    """RE2 for a path with ``{name}`` segments (starlette's route pattern, as the route table compiles it)."""
    if path is None or "{" not in path:
        return None
    try:
        regex, _, _ = compile_path(path)
    except (AssertionError, ValueError, KeyError) as exc:  # an unknown parameter type
        raise ArgumentError(f"the path {path!r} is not a route pattern: {exc}") from None
    compiled, reason = compile_regex(regex.pattern)
    if compiled is None:
        raise ArgumentError(f"the path {path!r} is not a route pattern: {reason}")
    return compiled


def _match_of(
    query: Mapping[str, Any] | None,
    url_query: str,
    headers: Mapping[str, Any] | None,
    cookies: Mapping[str, Any] | None,
    json: Any,
    body: Mapping[str, Any] | str | None,
) -> tuple[dict[str, Any], list[str]]:
    """The ``match:`` mapping the arguments describe, and the arguments as a failure shows them."""
    match: dict[str, Any] = {}
    shown: list[str] = []
    fields: dict[str, Any] = {}
    for name, value in query_map(url_query).items():
        fields[name] = {"equals": value} if isinstance(value, list) else value
    if query is not None:
        _mapping("query", query)
        for name, value in query.items():
            if name in fields:
                raise ArgumentError(f"the query field {name!r} is given both in the path and in query=")
            fields[name] = {"equals": list(value)} if isinstance(value, list | tuple) else value
        shown.append(f"query={dict(query)!r}")
    if fields:
        match["query"] = fields
    for name, part in (("headers", headers), ("cookies", cookies)):
        if part is not None:
            match[name] = dict(_mapping(name, part))
            shown.append(f"{name}={match[name]!r}")
    if body is not None:
        if isinstance(body, str):
            match["body"] = {"text": body}
        else:
            match["body"] = dict(_mapping("body", body))
        shown.append(f"body={body!r}")
    if json is not None:
        if "json" in match.get("body", {}):
            raise ArgumentError("the JSON body is given twice: as json= and as body={'json': ...}")
        match.setdefault("body", {})["json"] = json
        shown.append(f"json={json!r}")
    return match, shown


def _mapping(name: str, value: Any) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ArgumentError(f"{name}= is a mapping of field name -> value or operators, not {value!r}")
    return value


def _compiled(match: dict[str, Any], caller: str, *, json_given: bool) -> Conditions:
    """The conditions of ``match``, checked against the spec language's schema first: all mistakes at once."""
    name = f"<{caller} arguments>"
    document = Document(file=Path(name), display_name=name, data={"route": {"path": "/", "match": match}})
    errors = [replace(error, path=_argument_path(error.path, json_given)) for error in route_schema_errors(document)]
    if errors:
        raise SpecErrors(errors)
    problems: list[tuple[Any, str]] = []
    conditions = compile_conditions(match, (), problems)
    if problems:
        raise SpecErrors(
            SpecError(name, 1, 1, _argument_path(format_path(path), json_given), message) for path, message in problems
        )
    return conditions


def _argument_path(path: str, json_given: bool) -> str:
    """A field of the wrapped route as the caller wrote it: ``route.match.query.page`` -> ``query.page``."""
    path = path.removeprefix("route.match").lstrip(".")
    if json_given and (path == "body.json" or path.startswith("body.json.")):
        return path.removeprefix("body.")
    return path
