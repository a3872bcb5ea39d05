"""``mockery import har``: a HAR recording (a browser's or a proxy's) as the specs ``mockery record`` would write.

A HAR file is a recording made by another tool, so it goes through the recorder's own rules
(mockery.record.recorder ``build_spec``): one route per method and path template, personal data replaced by
Faker templates (mockery.record.anonymise), every other recorded text served as recorded, only the
``Content-Type`` header kept. Repeated identical requests collapse into one route. Where one path was asked
with several queries that were answered differently, each query gets a route of its own matched on it.
Each host is a service and gets a spec. A body the HAR holds base64-encoded is decoded first; one that is not
text (an image, a font) is written to a file beside the spec (``<service>-files/``) and served with ``file:``.
"""

from __future__ import annotations

import base64
import binascii
import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from mockery.errors import display_path
from mockery.importers.common import ImportWarning, read_json, refuse, service_name, write_spec_file
from mockery.load.literal import literal_template
from mockery.proxy.forward import Exchange
from mockery.record.generalise import template
from mockery.record.recorder import build_spec


def is_har(data: Any) -> bool:
    """Whether parsed JSON is a HAR document."""
    return isinstance(data, dict) and isinstance(data.get("log"), dict) and isinstance(data["log"].get("entries"), list)


def write_specs(har: Path, output: Path, *, anonymise: bool = True) -> tuple[list[Path], list[ImportWarning]]:
    """Write ``output/<host>.yaml`` for each host of the recording; return their paths and the warnings."""
    data = read_json(har)
    if not is_har(data):
        raise refuse(har, "log.entries", "not a HAR document: no log.entries list", "export the recording as HAR")
    shown = display_path(har)
    warnings: list[ImportWarning] = []
    by_host: dict[str, list[Exchange]] = {}
    binary_by_host: dict[str, list[Exchange]] = {}
    for index, entry in enumerate(data["log"]["entries"]):
        where = f"/log/entries/{index}"
        found = _exchange(entry, where, shown, warnings)
        if found is not None:
            host, exchange, binary = found
            (binary_by_host if binary else by_host).setdefault(host, []).append(exchange)
            by_host.setdefault(host, [])
    written: list[Path] = []
    for host, exchanges in by_host.items():
        name = service_name(host.split(":")[0], "har")
        spec, summary = build_spec(exchanges, name, host, anonymise=anonymise)
        spec["description"] = f"Imported from the HAR recording {har.name} ({host})"
        files = _file_routes(binary_by_host.get(host, []), exchanges, output, name)
        spec["routes"] = files + _query_routes(exchanges, name, host, anonymise) + spec["routes"]
        if not spec["routes"]:
            spec.pop("routes")
        warnings.extend(ImportWarning(shown, "/log/entries", reason) for reason in summary.skipped)
        comment = f"Imported from {shown} by `mockery import har`: edit freely.\n" + "\n".join(summary.lines())
        written.append(write_spec_file(spec, output / f"{name}.yaml", comment))
    if not written:
        warnings.append(ImportWarning(shown, "/log/entries", "no entry could be imported: no spec written"))
    return written, warnings


def _exchange(entry: Any, where: str, shown: str, warnings: list[ImportWarning]) -> tuple[str, Exchange, bool] | None:
    """The host, the exchange, and whether its body is binary (served from a file beside the spec)."""
    request = entry.get("request") if isinstance(entry, dict) else None
    response = entry.get("response") if isinstance(entry, dict) else None
    if not isinstance(request, dict) or not isinstance(response, dict) or not request.get("url"):
        warnings.append(ImportWarning(shown, where, "an entry without a request URL or a response: skipped"))
        return None
    parts = urlsplit(str(request["url"]))
    status = response.get("status")
    if not isinstance(status, int) or not 100 <= status <= 599:
        # 0: the browser got no answer (blocked, cancelled).
        warnings.append(
            ImportWarning(shown, f"{where}/response/status", f"status {status!r} was not an answer: skipped")
        )
        return None
    headers = tuple(
        (str(header.get("name", "")).lower(), str(header.get("value", "")))
        for header in response.get("headers") or []
        if isinstance(header, dict)
    )
    content = response.get("content") or {}
    mime = str(content.get("mimeType") or "")
    if mime and not any(name == "content-type" for name, _ in headers):
        headers = (*headers, ("content-type", mime))
    body = b""
    text = content.get("text")
    if isinstance(text, str) and text:
        if content.get("encoding") == "base64":
            try:
                body = base64.b64decode(text, validate=True)
            except (binascii.Error, ValueError):
                warnings.append(
                    ImportWarning(shown, f"{where}/response/content/text", "not valid base64: body skipped")
                )
        else:
            body = text.encode("utf-8")
    binary = False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        binary = True
    path = unquote(parts.path) or "/"
    exchange = Exchange(str(request.get("method") or "GET").upper(), path, parts.query, status, headers, body)
    return parts.netloc or "recorded", exchange, binary


def _file_routes(binary: list[Exchange], text: list[Exchange], output: Path, name: str) -> list[dict[str, Any]]:
    """A literal route per method and path that answered a binary body (an image, a font), sending the bytes
    from a file in ``<service>-files/`` beside the spec; a path that also answered text keeps the text."""
    taken = {(exchange.method, exchange.path) for exchange in text}
    routes: list[dict[str, Any]] = []
    for exchange in binary:
        key = (exchange.method, exchange.path)
        if key in taken or "{" in exchange.path or "}" in exchange.path:
            continue
        taken.add(key)
        media = next((value for header, value in exchange.headers if header == "content-type"), "")
        suffix = mimetypes.guess_extension(media.split(";")[0].strip()) or ".bin"
        relative = f"{name}-files/{len(routes) + 1}{suffix}"
        (output / relative).parent.mkdir(parents=True, exist_ok=True)
        (output / relative).write_bytes(exchange.body)
        response: dict[str, Any] = {"status": exchange.status, "file": relative}
        if media:
            response["headers"] = {"Content-Type": literal_template(media)}
        place = f"{exchange.method} {exchange.path}"
        routes.append({"name": place, "method": exchange.method, "path": exchange.path, "response": response})
    return routes


def _query_routes(exchanges: list[Exchange], name: str, host: str, anonymise: bool) -> list[dict[str, Any]]:
    """Routes matched on the query, for paths whose answers depended on it."""
    seen: dict[tuple[str, str], dict[str, Exchange]] = {}
    for exchange in exchanges:
        seen.setdefault((exchange.method, template(exchange.path)), {}).setdefault(exchange.query, exchange)
    routes: list[dict[str, Any]] = []
    for by_query in seen.values():
        if len({(exchange.status, exchange.body) for exchange in by_query.values()}) < 2:
            continue
        for query, exchange in by_query.items():
            pairs = parse_qsl(query, keep_blank_values=True)
            values: dict[str, list[str]] = {}
            for key, value in pairs:
                values.setdefault(key, []).append(value)
            conditions: dict[str, Any] = {
                key: found[0] if len(found) == 1 else {"equals": found} for key, found in values.items()
            }
            if not conditions:
                continue
            [route] = build_spec([exchange], name, host, anonymise=anonymise)[0]["routes"][-1:]
            route["name"] = f"{route['name']}?{query}"
            route["match"] = {"query": conditions}
            route["priority"] = len(conditions)
            routes.append(route)
    return routes
