"""What the importers of peer formats (Postman, HAR, json-server) share: located warnings, service names, and
writing a spec whose every string is served and loaded exactly as the source had it.

A warning names the source file and the JSON pointer of the construct that was not translated, so a user can
find it in the file they gave (``collection.json#/item/0/request/auth: ...``).
"""

from __future__ import annotations

import json
import re  # re-ok: fixed patterns, none supplied by a client or a spec
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from mockery.errors import SpecError, SpecErrors, display_path
from mockery.load.literal import spec_text_data

_NAME = re.compile(r"[^a-z0-9]+")
_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
# Headers a spec never sets: the server writes them from the body it sends.
FRAMING_HEADERS = frozenset({"content-length", "transfer-encoding", "content-encoding", "connection", "keep-alive"})


@dataclass(frozen=True, slots=True)
class ImportWarning:
    """A construct of the source that the spec does not carry: where it is (file, JSON pointer) and why."""

    file: str
    pointer: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}#{self.pointer}: {self.message}"


def pointer(*parts: str | int) -> str:
    """A JSON pointer (RFC 6901) from its parts."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts)


def service_name(text: str, fallback: str = "imported") -> str:
    """A valid service name from any text: lower-case words joined by dashes, starting with a letter."""
    name = _NAME.sub("-", text.lower()).strip("-")
    if not name[:1].isalpha():
        name = f"{fallback}-{name}".rstrip("-")
    return name[:63].rstrip("-")


def header_name_ok(name: str) -> bool:
    """Whether ``name`` can be a response header's name in a spec."""
    return bool(_HEADER_NAME.match(name))


def read_json(path: Path) -> Any:
    """The JSON document at ``path``; a file that is not JSON is a located ``SpecErrors``."""
    shown = display_path(path)
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise SpecErrors([SpecError(shown, 1, 1, "", f"not UTF-8 text: {exc.reason}", "give a JSON file")]) from None
    except json.JSONDecodeError as exc:
        message = f"not JSON: {exc.msg}"
        raise SpecErrors([SpecError(shown, exc.lineno, exc.colno, "", message, "give a JSON file")]) from None
    except OSError as exc:
        raise SpecErrors([SpecError(shown, 1, 1, "", f"cannot read the file: {exc.strerror or exc}")]) from None


def refuse(path: Path, where: str, message: str, suggestion: str) -> SpecErrors:
    """A ``SpecErrors`` for a document that is not what its importer reads."""
    return SpecErrors([SpecError(display_path(path), 1, 1, where, message, suggestion)])


class _Dumper(yaml.SafeDumper):
    """Multi-line strings as literal blocks, so imported bodies stay readable."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value and not value.endswith((" ", "\t")) and "\r" not in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def write_spec_file(spec: dict[str, Any], target: Path, comment: str) -> Path:
    """Write ``spec`` as YAML at ``target`` (its folder made as needed), ``${`` escaped so the file loads as
    ``spec``; the first lines are ``comment``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.dump(spec_text_data(spec), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=120)
    head = "".join(f"# {line}\n" for line in comment.splitlines())
    target.write_text(head + text, encoding="utf-8")
    return target
