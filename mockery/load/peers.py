"""Documents of other mock tools given where a spec was expected: say what they are and which import reads them.

A WireMock mapping, a Mockoon environment, a Postman collection, a HAR recording or a json-server database
handed to ``validate`` or ``serve`` would otherwise fail the spec schema with an unknown key per field, which
says nothing useful. Each format is recognised by the keys its own tool requires, checked before the file is
read as a spec (a peer's ``${...}`` and ``{{...}}`` are its own syntax, never mockery's), and reported as one
located error naming the ``mockery import`` command to run.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mockery.errors import SpecError, display_path

_SNIFF_BYTES = 64 * 1024 * 1024
PEER_SUFFIXES = (".json", ".har")


@dataclass(frozen=True, slots=True)
class Peer:
    """A recognised format: its name, the import command, and the key that gave it away."""

    tool: str
    command: str
    key: str


def _is_request_mapping(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("request"), dict) and "response" in value


def _wiremock(data: Any) -> Peer | None:
    if isinstance(data, dict) and _is_request_mapping(data):
        return Peer("a WireMock stub mapping", "wiremock", "request")
    if (
        isinstance(data, dict)
        and isinstance(data.get("mappings"), list)
        and all(_is_request_mapping(item) for item in data["mappings"])
    ):
        return Peer("a file of WireMock stub mappings", "wiremock", "mappings")
    return None


def _mockoon(data: Any) -> Peer | None:
    if isinstance(data, dict) and isinstance(data.get("routes"), list) and "lastMigration" in data:
        return Peer("a Mockoon environment", "mockoon", "lastMigration")
    return None


def _postman(data: Any) -> Peer | None:
    info = data.get("info") if isinstance(data, dict) else None
    if isinstance(info, dict) and "getpostman.com" in str(info.get("schema", "")) and "item" in data:
        return Peer("a Postman collection", "postman", "info")
    return None


def _har(data: Any) -> Peer | None:
    log = data.get("log") if isinstance(data, dict) else None
    if isinstance(log, dict) and isinstance(log.get("entries"), list):
        return Peer("a HAR recording", "har", "log")
    return None


def _json_server(data: Any) -> Peer | None:
    if not isinstance(data, dict) or not data or "service" in data or {"routes", "resources"} & set(data):
        return None
    values = list(data.values())
    if all(isinstance(value, list | dict) for value in values) and any(isinstance(value, list) for value in values):
        return Peer("a json-server database", "json-server", next(iter(data)))
    return None


DETECTORS: tuple[Callable[[Any], Peer | None], ...] = (_wiremock, _mockoon, _postman, _har, _json_server)
"""In order: the more telling formats first (a WireMock file of mappings is also an object of arrays)."""


def detect(data: Any) -> Peer | None:
    """The peer format ``data`` (a parsed JSON document) is written in, or ``None``."""
    for detector in DETECTORS:
        peer = detector(data)
        if peer is not None:
            return peer
    return None


def _key_position(text: str, key: str) -> tuple[int, int]:
    """Line and column of the first ``"key":`` in ``text`` (1, 1 when it cannot be found)."""
    at = text.find(json.dumps(key))
    if at < 0:
        return 1, 1
    line = text.count("\n", 0, at) + 1
    return line, at - (text.rfind("\n", 0, at) + 1) + 1


def peer_error(path: Path) -> SpecError | None:
    """The error for a file in a peer's format, or ``None`` when ``path`` is not one (or not JSON at all)."""
    if path.suffix.lower() not in PEER_SUFFIXES:
        return None
    try:
        if path.stat().st_size > _SNIFF_BYTES:
            return None
        text = path.read_text(encoding="utf-8-sig")
        data = json.loads(text)
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    peer = detect(data)
    if peer is None:
        return None
    file = display_path(path)
    if peer.command == "json-server":
        return _database_error(data, file, path.name)
    line, column = _key_position(text, peer.key)
    return SpecError(
        file,
        line,
        column,
        "/" + peer.key.replace("~", "~0").replace("/", "~1"),
        f"this looks like {peer.tool}, not a mockery spec",
        f"convert it with: mockery import {peer.command} {file}",
    )


def _database_error(data: dict[str, Any], file: str, name: str) -> SpecError:
    """A json-server database: its collections, the import command, and the `db:` key that serves it as is."""
    collections = [str(key) for key, value in data.items() if isinstance(value, list)]
    singles = [str(key) for key, value in data.items() if isinstance(value, dict)]
    found = f"collections {', '.join(collections)}" + (f"; singular {', '.join(singles)}" if singles else "")
    return SpecError(
        file,
        1,
        1,
        "",
        f"this looks like a json-server database ({found}), not a spec",
        f"convert it with: mockery import json-server {file}; or serve it with a spec beside it holding "
        f"`service: <name>` and `db: {name}` (see docs/fixtures.md)",
    )


def folder_hint(folder: Path) -> str | None:
    """What to run for a folder that holds no spec but a peer's files: a WireMock root (``mappings/``), or
    JSON files one of which is in a peer's format."""
    mappings = folder / "mappings"
    if mappings.is_dir() and any(mappings.glob("*.json")):
        return f"it looks like a WireMock root: convert it with: mockery import wiremock {display_path(folder)}"
    for candidate in sorted(folder.glob("*.json"))[:50]:
        error = peer_error(candidate)
        if error is not None:
            return f"{candidate.name} {error.message.removeprefix('this ')}: {error.suggestion}"
    return None
