"""What the WireMock and Mockoon importers share beyond ``importers.common``: Handlebars to Jinja, body sniffing.

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

from mockery.load.literal import escape_template

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
_MUSTACHE = re.compile(r"\{\{\{?(.*?)\}?\}\}", re.DOTALL)
_JSON_PATH = re.compile(r"^\$((?:\.[A-Za-z_][A-Za-z0-9_-]*|\[\d+\]|\['[^']+'\])*)$")
_PATH_PART = re.compile(r"\.([A-Za-z_][A-Za-z0-9_-]*)|\[(\d+)\]|\['([^']+)'\]")


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
