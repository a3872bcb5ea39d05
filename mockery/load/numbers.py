"""Numbers in response bodies and headers are sent as they are written: ``550.00`` stays ``550.00``.

YAML reads ``550.00`` as the float 550.0, which JSON would print ``550.0``: a client comparing text, or a
decimal type on the other side, sees a different answer than the spec shows. Each float of a response's
``body`` or ``headers`` whose written form differs from how it would be printed is replaced, before the
routes are built, by an ``orjson.Fragment`` of its written text (a JSON number as written), which the
encoder of static and rendered bodies sends byte for byte. The text is read back from the spec file at the
position the YAML loader recorded; a spec with no file (given inline) keeps the parsed numbers.
"""

from __future__ import annotations

import json
import re  # re-ok: one fixed pattern, run on spec text
from typing import Any

import orjson

from mockery.source.document import DocPath, Document

_JSON_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
_RESPONSE_PARTS = ("body", "headers")


def _in_response(path: DocPath) -> bool:
    """Whether ``path`` lies in a route's response body or headers (``routes[i].response`` or ``.responses[j]``)."""
    if len(path) < 4 or path[0] != "routes":
        return False
    if path[2] == "response":
        return path[3] in _RESPONSE_PARTS
    return path[2] == "responses" and len(path) > 4 and path[4] in _RESPONSE_PARTS


def _set(data: Any, path: DocPath, value: Any) -> None:
    for part in path[:-1]:
        data = data[part]
    data[path[-1]] = value


def _get(data: Any, path: DocPath) -> Any:
    for part in path:
        data = data[part]
    return data


def keep_written_numbers(document: Document) -> None:
    """Replace, in place, each float of a response body or header whose written text it would not print as."""
    candidates = [path for path in document.positions if _in_response(path)]
    if not candidates:
        return
    try:
        lines = document.file.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return
    for path in candidates:
        try:
            value = _get(document.data, path)
        except (KeyError, IndexError, TypeError):
            continue
        if not isinstance(value, float) or isinstance(value, bool):
            continue
        position = document.positions[path]
        if not 0 < position.line <= len(lines):
            continue
        found = _JSON_NUMBER.match(lines[position.line - 1], position.column - 1)
        if found is None or float(found.group(0)) != value or json.dumps(value) == found.group(0):
            continue
        _set(document.data, path, orjson.Fragment(found.group(0)))
