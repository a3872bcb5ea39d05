"""``multipart/form-data`` bodies: their fields and file parts, parsed with bounds.

The body is already bounded in size (mockery.http.requests ``read_body``); here the number of parts is
bounded (``MAX_FIELDS``, as for query and form fields), and so are each part's header block and its number
of header lines. A part with a ``filename`` is a file: templates and conditions see its ``name``,
``filename``, ``content_type``, ``size`` and ``content`` (UTF-8 text, undecodable bytes replaced); the other
parts are fields, a string each, or a list of strings when a name repeats, like a query.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from email.message import Message
from typing import Any

MAX_PARTS = 1000
MAX_PART_HEADER_BYTES = 8 * 1024
MAX_PART_HEADER_LINES = 20


class BadMultipart(Exception):
    """The body is not the multipart/form-data its content type says."""


@dataclass(slots=True)
class Multipart:
    """The fields (name -> text, or a list when repeated) and files (name -> part, or a list) of a body."""

    fields: dict[str, Any] = field(default_factory=dict)
    files: dict[str, Any] = field(default_factory=dict)


def is_multipart(content_type: str) -> bool:
    return content_type.split(";", 1)[0].strip().lower() == "multipart/form-data"


def _parameters(header: str) -> tuple[str, dict[str, str]]:
    message = Message()
    message["content-type"] = header
    params = message.get_params() or []
    value = params[0][0] if params else ""
    return value.lower(), {str(key).lower(): str(message.get_param(key) or "") for key, _ in params[1:]}


def _disposition(header: str) -> dict[str, str]:
    message = Message()
    message["content-disposition"] = header
    params = message.get_params(header="content-disposition") or []
    found: dict[str, str] = {}
    for key, _ in params[1:]:
        value = message.get_param(key, header="content-disposition")
        if isinstance(value, tuple):  # RFC 2231 (filename*=UTF-8''...)
            value = value[2]
        found[str(key).lower()] = str(value or "")
    return found


def _add(target: dict[str, Any], name: str, value: Any) -> None:
    existing = target.get(name)
    if existing is None:
        target[name] = value
    elif isinstance(existing, list):
        existing.append(value)
    else:
        target[name] = [existing, value]


def parse_multipart(body: bytes, content_type: str) -> Multipart:
    """The parts of a ``multipart/form-data`` body; ``BadMultipart`` says what is wrong with it."""
    _, params = _parameters(content_type)
    boundary = params.get("boundary", "")
    if not boundary or len(boundary) > 200:
        raise BadMultipart("the content type has no usable boundary")
    delimiter = b"--" + boundary.encode("latin-1")
    pieces = body.split(delimiter)
    if len(pieces) < 3 or not pieces[-1].startswith(b"--"):
        raise BadMultipart("the body does not end with its closing boundary")
    if len(pieces) - 2 > MAX_PARTS:
        raise BadMultipart(f"the body has more than {MAX_PARTS} parts")
    result = Multipart()
    for piece in pieces[1:-1]:
        if not piece.startswith(b"\r\n") or not piece.endswith(b"\r\n"):
            raise BadMultipart("a part is not framed by CRLF")
        head, separator, content = piece[2:-2].partition(b"\r\n\r\n")
        if not separator:
            if not piece[2:-2].startswith(b"\r\n"):
                raise BadMultipart("a part has no blank line after its headers")
            head, content = b"", piece[4:-2]
        if len(head) > MAX_PART_HEADER_BYTES or head.count(b"\r\n") >= MAX_PART_HEADER_LINES:
            raise BadMultipart("a part's headers are too long")
        headers: dict[str, str] = {}
        for line in head.decode("utf-8", "replace").split("\r\n") if head else []:
            key, colon, value = line.partition(":")
            if not colon:
                raise BadMultipart(f"a part's header line {line[:60]!r} has no colon")
            headers[key.strip().lower()] = value.strip()
        disposition = _disposition(headers.get("content-disposition", ""))
        name = disposition.get("name")
        if name is None:
            raise BadMultipart("a part has no Content-Disposition name")
        if "filename" in disposition:
            part = {
                "name": name,
                "filename": disposition["filename"],
                "content_type": headers.get("content-type", "application/octet-stream"),
                "size": len(content),
                "content": content.decode("utf-8", "replace"),
            }
            _add(result.files, name, part)
        else:
            _add(result.fields, name, content.decode("utf-8", "replace"))
    return result
