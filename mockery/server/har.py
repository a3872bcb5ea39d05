"""The request journal as a HAR 1.2 log (``GET /__mockery/requests.har``, the dashboard's "Export HAR"): what
browsers' developer tools, proxies and API clients import.

Each journaled call is one entry: the request as received (method, URL on the listener that received it,
headers, query, body) and the answer as sent (status, headers, body up to the journal's 1 MiB, kept as text or,
when not UTF-8, base64). Times are the journal's: the whole duration is ``wait``, as mockery measures no
network phases.
"""

from __future__ import annotations

import base64
import datetime
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl

from mockery.http.journal import Call

HAR_VERSION = "1.2"
MEDIA_TYPE = "application/json"


def har_log(calls: Iterable[Call], base_urls: dict[str, str], version: str = "") -> dict[str, Any]:
    """The HAR document of ``calls``; ``base_urls`` maps a service to the origin it is served at."""
    return {
        "log": {
            "version": HAR_VERSION,
            "creator": {"name": "mockery", "version": version},
            "pages": [],
            "entries": [har_entry(call, base_urls.get(call.service, "http://localhost")) for call in calls],
        }
    }


def har_entry(call: Call, base_url: str) -> dict[str, Any]:
    """One call as a HAR entry (``base_url``: the origin the call reached, without a trailing slash)."""
    milliseconds = round(call.duration * 1000, 3)
    started = datetime.datetime.fromtimestamp(call.time, tz=datetime.UTC).isoformat(timespec="milliseconds")
    request: dict[str, Any] = {
        "method": call.method,
        "url": base_url.rstrip("/") + call.url,
        "httpVersion": "HTTP/1.1",
        "cookies": [],
        "headers": _pairs(call.headers.items()),
        "queryString": _pairs(parse_qsl(call.query_string, keep_blank_values=True)),
        "headersSize": -1,
        "bodySize": len(call.raw_body),
    }
    if call.raw_body:
        request["postData"] = {"mimeType": call.headers.get("content-type", ""), "text": call.text}
    content: dict[str, Any] = {
        "size": len(call.response_body),
        "mimeType": call.response_headers.get("content-type", ""),
    }
    if call.response_body:
        try:
            content["text"] = call.response_body.decode("utf-8")
        except UnicodeDecodeError:
            content["text"] = base64.b64encode(call.response_body).decode("ascii")
            content["encoding"] = "base64"
    return {
        "startedDateTime": started,
        "time": milliseconds,
        "request": request,
        "response": {
            "status": call.status,
            "statusText": "",
            "httpVersion": "HTTP/1.1",
            "cookies": [],
            "headers": _pairs(call.response_headers.items()),
            "content": content,
            "redirectURL": call.response_headers.get("location", ""),
            "headersSize": -1,
            "bodySize": len(call.response_body),
        },
        "cache": {},
        "timings": {"send": 0, "wait": milliseconds, "receive": 0},
        "comment": f"{call.service}: {call.route}",
    }


def _pairs(items: Iterable[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"name": name, "value": value} for name, value in items]
