"""GraphQL over HTTP: what a GET or a POST carries, and the media type and status of the answer.

GET carries ``query``, ``variables`` (JSON) and ``operationName`` in the query string and may only run a
query; POST carries them in an ``application/json`` body (or the query alone as ``application/graphql``).
A request that is not a GraphQL request at all (no query, a body that is not JSON) is a problem document
(400, 415); a GraphQL request answers in the standard format: with ``application/json`` always 200, with
``application/graphql-response+json`` (when the client asks for it) 400 when there is no ``data``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

import orjson

from mockery.http.answer import Answer, problem
from mockery.http.requests import RawRequest

JSON = "application/json"
GRAPHQL_RESPONSE = "application/graphql-response+json"


@dataclass(frozen=True, slots=True)
class GraphQLRequest:
    query: str
    variables: dict[str, Any] | None
    operation_name: str | None
    allowed: frozenset[str]


def read_request(raw: RawRequest) -> GraphQLRequest | Answer:
    """The GraphQL request ``raw`` carries, or the problem answer that says why it carries none."""
    if raw.method in ("GET", "HEAD"):
        fields = parse_qs(raw.query_string, keep_blank_values=True)
        values = {key: items[0] for key, items in fields.items() if items}
        return _request(values, frozenset({"query"}), "the query string")
    media_type = raw.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type == "application/graphql":
        try:
            return GraphQLRequest(raw.body.decode(), None, None, frozenset({"query", "mutation"}))
        except UnicodeDecodeError:
            return problem(400, "Bad GraphQL request", "the body is not UTF-8 text")
    if media_type != JSON:
        detail = f"a GraphQL POST has an application/json body, not {media_type or 'no content type'}"
        return problem(415, "Unsupported media type", detail, expected=[JSON, "application/graphql"])
    try:
        body = orjson.loads(raw.body)
    except orjson.JSONDecodeError as exc:
        return problem(400, "Bad GraphQL request", f"the body is not JSON: {exc}")
    if not isinstance(body, dict):
        return problem(400, "Bad GraphQL request", "the body is a JSON object with a `query`")
    return _request(body, frozenset({"query", "mutation"}), "the body")


def _request(values: dict[str, Any], allowed: frozenset[str], where: str) -> GraphQLRequest | Answer:
    query = values.get("query")
    if not isinstance(query, str) or not query.strip():
        return problem(400, "Bad GraphQL request", f"{where} has no `query` (the GraphQL document, as text)")
    variables = values.get("variables")
    if isinstance(variables, str):
        try:
            variables = orjson.loads(variables) if variables.strip() else None
        except orjson.JSONDecodeError as exc:
            return problem(400, "Bad GraphQL request", f"`variables` is not JSON: {exc}")
    if variables is not None and not isinstance(variables, dict):
        return problem(400, "Bad GraphQL request", "`variables` is a JSON object of the operation's variables")
    name = values.get("operationName")
    if name is not None and not isinstance(name, str):
        return problem(400, "Bad GraphQL request", "`operationName` is a string")
    return GraphQLRequest(query, variables, name or None, allowed)


def encode_response(raw: RawRequest, response: dict[str, Any]) -> Answer:
    """The HTTP answer carrying ``response``, in the media type the client accepts."""
    accept = raw.headers.get("accept", "")
    modern = GRAPHQL_RESPONSE in accept and (JSON not in accept or accept.find(GRAPHQL_RESPONSE) < accept.find(JSON))
    media = GRAPHQL_RESPONSE if modern else JSON
    status = 400 if modern and "data" not in response else 200
    body = orjson.dumps(response)
    return Answer(status, ((b"content-type", f"{media}; charset=utf-8".encode()),), body)
