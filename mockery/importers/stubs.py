"""What the WireMock and Mockoon importers share: located warnings, Handlebars to Jinja, and writing the spec.

Both tools template with Handlebars. Each ``{{ ... }}`` of theirs is either translated to a Jinja expression
that means the same (``translate_handlebars``) or written as literal text with a located warning; every other
character is escaped (``mockery.load.literal``), so nothing a peer's file holds is ever evaluated by mockery
unless it was a template of the peer and has a known equivalent.
"""

from __future__ import annotations

import json
import re  # re-ok: fixed patterns, none supplied by a client or a spec
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from mockery.errors import SpecError, SpecErrors, display_path
from mockery.load.literal import escape_template, spec_text_data

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
FRAMING_HEADERS = frozenset({"content-length", "transfer-encoding", "content-encoding", "connection", "keep-alive"})
_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
_MUSTACHE = re.compile(r"\{\{\{?(.*?)\}?\}\}", re.DOTALL)
_NAME = re.compile(r"[^a-z0-9]+")
_JSON_PATH = re.compile(r"^\$((?:\.[A-Za-z_][A-Za-z0-9_-]*|\[\d+\]|\['[^']+'\])*)$")
_PATH_PART = re.compile(r"\.([A-Za-z_][A-Za-z0-9_-]*)|\[(\d+)\]|\['([^']+)'\]")


@dataclass(frozen=True, slots=True)
class ImportWarning:
    """A construct of the source the spec does not carry (or carries differently): file, JSON pointer, why."""

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
    return bool(_HEADER_NAME.match(name))


def read_json(path: Path) -> Any:
    """The JSON document at ``path``; one that is not JSON is a located ``SpecErrors``."""
    shown = display_path(path)
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise SpecErrors([SpecError(shown, 1, 1, "", f"not UTF-8 text: {exc.reason}", "give a JSON file")]) from None
    except json.JSONDecodeError as exc:
        raise SpecErrors([SpecError(shown, exc.lineno, exc.colno, "", f"not JSON: {exc.msg}")]) from None
    except OSError as exc:
        raise SpecErrors([SpecError(shown, 1, 1, "", f"cannot read the file: {exc.strerror or exc}")]) from None


def looks_like_xml(text: str) -> bool:
    """Whether a body is XML text (then it is sent as ``application/xml``, not ``text/plain``)."""
    stripped = text.lstrip()
    return stripped.startswith("<") and stripped.rstrip().endswith(">") and not stripped.lower().startswith("<html")


def looks_like_json(text: str) -> bool:
    stripped = text.strip()
    if stripped[:1] not in ("{", "["):
        return False
    try:
        json.loads(stripped)
    except ValueError:
        return False
    return True


def exact_decimals(text: str) -> bool:
    """Whether JSON ``text`` holds a number that would not keep its written form once parsed (``550.00``)."""
    changed = False

    def check(literal: str) -> float:
        nonlocal changed
        changed = changed or json.dumps(float(literal)) != literal
        return float(literal)

    try:
        json.loads(text, parse_float=check)
    except ValueError:
        return False
    return changed


def json_path_expression(path: str, root: str) -> str | None:
    """A simple JSON path (``$.a.b[0]['c d']``) as a Jinja expression on ``root``; ``None`` for anything else."""
    match = _JSON_PATH.match(path.strip())
    if match is None:
        return None
    expression = root
    for name, index, quoted in _PATH_PART.findall(match.group(1)):
        expression += f"[{index}]" if index else f"[{json.dumps(name or quoted)}]"
    return expression


Helper = Callable[[list[str], dict[str, str]], str | None]


def _words(source: str) -> tuple[list[str], dict[str, str]] | None:
    try:
        parts = shlex.split(source.replace("=", " = "), posix=True)
    except ValueError:
        return None
    words: list[str] = []
    options: dict[str, str] = {}
    index = 0
    while index < len(parts):
        if index + 2 < len(parts) and parts[index + 1] == "=":
            options[parts[index]] = parts[index + 2]
            index += 3
        else:
            words.append(parts[index])
            index += 1
    return words, options


def translate_handlebars(text: str, helpers: dict[str, Helper], warn: Callable[[str], None]) -> str:
    """``text`` with each ``{{ ... }}`` of a peer translated by ``helpers`` (a helper's name, or ``""`` for a bare
    variable, to a Jinja expression), and everything else escaped so that it renders as written. A mustache
    with no translation stays as literal text, and ``warn`` says which."""
    out: list[str] = []
    last = 0
    for match in _MUSTACHE.finditer(text):
        out.append(escape_template(text[last : match.start()]))
        last = match.end()
        source = match.group(1).strip()
        parsed = _words(source) if source and source[0] not in "#/^!>" else None
        expression = None
        if parsed is not None and parsed[0]:
            words, options = parsed
            helper = helpers.get(words[0])
            if helper is not None:
                expression = helper(words[1:], options)
            elif len(words) == 1 and not options:
                expression = helpers[""]([words[0]], options) if "" in helpers else None
        if expression is None:
            warn(f"the template {match.group(0)!r} has no mockery equivalent: it is sent as written")
            out.append(escape_template(match.group(0)))
        else:
            out.append("{{ " + expression + " }}")
    out.append(escape_template(text[last:]))
    return "".join(out)


class _Dumper(yaml.SafeDumper):
    """Multi-line strings as literal blocks, so imported bodies stay readable."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value and not value.endswith((" ", "\t")) and "\r" not in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def write_spec_file(spec: dict[str, Any], target: Path, comment: str) -> Path:
    """Write ``spec`` as YAML at ``target`` with ``${`` escaped so the file loads as ``spec``; ``comment`` on top."""
    target.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.dump(spec_text_data(spec), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=120)
    head = "".join(f"# {line}\n" for line in comment.splitlines())
    target.write_text(head + text, encoding="utf-8")
    return target
