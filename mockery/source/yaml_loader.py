"""Safe YAML loading that keeps the position of every value.

PyYAML composes the file into a node graph (no object is ever constructed from a tag); this module turns the
nodes into plain JSON-like data itself. Doing the conversion by hand is what lets it report, each at its
line and column: duplicate keys, tabs used for indentation, custom tags, values JSON cannot carry, alias
bombs and missing environment variables; and all of them at once.

Two sets of rules, chosen by what the document is:

- a mockery spec, written by the user: YAML 1.1 scalars as PyYAML reads them (``yes`` is true, an unquoted
  date is refused: JSON cannot carry it) and ``${VAR}`` substitution (``$$`` is a literal ``$``);
- an OpenAPI or Swagger document (``openapi:`` or ``swagger:`` at the top, no ``service:``), written by a third
  party: YAML 1.2's core schema, as those formats define (an unquoted ``2020-04-13T00:00:00`` or ``yes`` is
  the string written), and nothing substituted: its text is served as written.

Which scalars are plain (unquoted, untagged) is kept from the composer (``_PLAIN``), so that each set of
rules resolves them itself and an explicit tag is never second-guessed.
"""

from __future__ import annotations

import math
import os
import re  # re-ok: fixed patterns, none supplied by a client or a spec
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from mockery.errors import SpecError, display_path
from mockery.source.document import DocPath, Document, Position, ScalarSource, format_path

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_VALUES = 100_000
MAX_DEPTH = 64

# libyaml's composer where PyYAML was built with it (several times faster); the pure-Python one otherwise.
# Both only compose nodes: nothing is ever constructed from a tag.
_COMPOSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_TAG = "tag:yaml.org,2002:"
_PLAIN_TAGS = {_TAG + "str", _TAG + "int", _TAG + "float", _TAG + "bool", _TAG + "null"}
# The tag the composers give a plain scalar that has no tag of its own: the converter resolves it.
_PLAIN = "tag:mockery:plain"
_ENV_PATTERN = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
# A `$` that substitution would read as the start of `$$` or `${`: written `$$` to stay a `$`.
_SUBSTITUTION_START = re.compile(r"\$(?=[${])")

# YAML 1.2 core schema (https://yaml.org/spec/1.2.2/#1032-tag-resolution): everything else is a string.
_CORE_NULL = frozenset({"", "~", "null", "Null", "NULL"})
_CORE_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_CORE_INT = re.compile(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+")
_CORE_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_CORE_NOT_FINITE = re.compile(r"[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)")


def _resolve(loader: Any, kind: Any, value: Any, implicit: tuple[bool, bool]) -> Any:
    if kind is ScalarNode and implicit[0]:
        return _PLAIN
    return yaml.SafeLoader.resolve(loader, kind, value, implicit)  # type: ignore[no-untyped-call]


# The composers (fast and pure-Python), marking plain untagged scalars instead of resolving them.
_FAST = type("_FastComposer", (_COMPOSER,), {"resolve": _resolve})
_WORDY = type("_WordyComposer", (yaml.SafeLoader,), {"resolve": _resolve})


def is_openapi(data: Any) -> bool:
    """Whether loaded data is an OpenAPI (or Swagger) document rather than a mockery spec."""
    return isinstance(data, dict) and ("openapi" in data or "swagger" in data) and "service" not in data


def _declares_openapi(root: Node) -> bool:
    """``is_openapi`` read from the top-level keys of the composed document, before it is converted."""
    if not isinstance(root, MappingNode):
        return False
    keys = {key.value for key, _ in root.value if isinstance(key, ScalarNode)}
    return bool(keys & {"openapi", "swagger"}) and "service" not in keys


def escape_variables(text: str) -> str:
    """``text`` written so that a spec loads it as exactly ``text``: each ``$`` that would start a
    ``${VAR}`` or a ``$$`` is doubled (``${HOME}`` -> ``$${HOME}``, ``$${X}`` -> ``$$$${X}``, ``$5`` stays)."""
    return _SUBSTITUTION_START.sub("$$", text)


def _tag_name(tag: str) -> str:
    return "!!" + tag[len(_TAG) :] if tag.startswith(_TAG) else tag


class _Abort(Exception):
    """Stops the conversion of a document that cannot be converted any further (an alias bomb)."""

    def __init__(self, error: SpecError) -> None:
        self.error = error


class _Converter:
    def __init__(self, file: str, environ: Mapping[str, str], *, third_party: bool, text: str = "") -> None:
        self.file = file
        self.text = text  # the file's text: a hint quotes what was written
        self.environ = environ
        self.third_party = third_party  # an OpenAPI document: YAML 1.2 scalars, nothing substituted
        self.errors: list[SpecError] = []
        self.positions: dict[DocPath, Position] = {}
        self.key_positions: dict[DocPath, Position] = {}
        self.scalars: dict[DocPath, ScalarSource] = {}
        self.values = 0
        self._resolver = yaml.SafeLoader("")
        self._constructor = yaml.SafeLoader("")

    def error(self, node: Node, path: DocPath, message: str, suggestion: str | None = None) -> None:
        mark = node.start_mark
        self.errors.append(SpecError(self.file, mark.line + 1, mark.column + 1, format_path(path), message, suggestion))

    def convert(self, node: Node, path: DocPath, depth: int = 0) -> Any:
        self.values += 1
        if self.values > MAX_VALUES:
            mark = node.start_mark
            raise _Abort(
                SpecError(
                    self.file,
                    mark.line + 1,
                    mark.column + 1,
                    format_path(path),
                    f"the document expands to more than {MAX_VALUES} values (an alias bomb?)",
                    "use fewer or smaller aliases",
                )
            )
        if depth > MAX_DEPTH:
            self.error(node, path, f"nested more than {MAX_DEPTH} levels deep")
            return None
        self.positions.setdefault(path, Position(node.start_mark.line + 1, node.start_mark.column + 1))
        if isinstance(node, MappingNode):
            if not self.third_party and _is_unquoted_template(node):
                self._unquoted_template(node, path)
                return None
            return self._mapping(node, path, depth)
        if isinstance(node, SequenceNode):
            if node.tag != _TAG + "seq":
                self._reject_tag(node, path, node.tag)
                return None
            return [self.convert(item, (*path, index), depth + 1) for index, item in enumerate(node.value)]
        assert isinstance(node, ScalarNode)
        return self._scalar(node, path)

    def _unquoted_template(self, node: MappingNode, path: DocPath) -> None:
        """``seller: {{ faker.company() }}`` is YAML for a mapping in a mapping: say what was meant."""
        written = self.text[node.start_mark.index : node.end_mark.index] or "{{ ... }}"
        key = f"{path[-1]}: " if path and isinstance(path[-1], str) else "- "
        self.error(node, path, f"a value that starts with {{{{ must be quoted: {key}{_quoted(written)}")

    def _reject_tag(self, node: Node, path: DocPath, tag: str) -> None:
        """A tag would ask for a Python object or a type JSON lacks: report it, construct nothing."""
        self.error(node, path, f"tag {_tag_name(tag)!r} is not allowed", "specs use plain YAML: remove the tag")

    def _mapping(self, node: MappingNode, path: DocPath, depth: int) -> dict[str, Any] | None:
        if node.tag != _TAG + "map":
            self._reject_tag(node, path, node.tag)
            return None
        result: dict[str, Any] = {}
        explicit: dict[str, Node] = {}
        merged: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _TAG + "merge" or (key_node.tag == _PLAIN and key_node.value == "<<"):
                merged_value = self.convert(value_node, path, depth + 1)
                sources = merged_value if isinstance(merged_value, list) else [merged_value]
                for source in reversed(sources):
                    if isinstance(source, dict):
                        merged.update(source)
                    else:
                        self.error(value_node, path, "'<<' merges mappings only")
                continue
            if not isinstance(key_node, ScalarNode):
                self.error(key_node, path, "mapping keys must be plain strings")
                continue
            key = str(key_node.value)
            if key in explicit:
                first = explicit[key].start_mark
                self.error(
                    key_node,
                    (*path, key),
                    f"duplicate key {key!r} (first defined at line {first.line + 1})",
                    "remove one of them",
                )
                continue
            explicit[key] = key_node
            child = (*path, key)
            self.key_positions[child] = Position(key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            result[key] = self.convert(value_node, child, depth + 1)
        for key, value in merged.items():
            result.setdefault(key, value)
        return result

    def _scalar(self, node: ScalarNode, path: DocPath) -> Any:
        tag = node.tag
        value: str = node.value
        if self.third_party:
            if tag == _PLAIN:
                return self._core(node, path, value)
        elif "$" in value:
            value = self._substitute(node, path, value)
        if tag == _PLAIN:
            tag = self._resolver.resolve(ScalarNode, value, (True, False))  # type: ignore[no-untyped-call]
        if tag == _TAG + "str":
            self._string(node, path)
            return value
        if tag == _TAG + "timestamp":
            self.error(
                node,
                path,
                f"{value!r} is read as a date, which JSON cannot carry",
                f'quote it: "{value}"',
            )
            return value
        if tag not in _PLAIN_TAGS:
            self._reject_tag(node, path, tag)
            return None
        try:
            result = self._constructor.construct_object(ScalarNode(tag, value, node.start_mark, node.end_mark))
        except ValueError:
            return self._too_long(node, path, value)
        if isinstance(result, float) and not math.isfinite(result):
            self.error(node, path, f"{value!r} is not a number JSON can carry", f'quote it: "{value}"')
            return None
        return result

    def _string(self, node: ScalarNode, path: DocPath) -> None:
        self.scalars[path] = ScalarSource(
            Position(node.start_mark.line + 1, node.start_mark.column + 1), node.style in ("|", ">")
        )

    def _core(self, node: ScalarNode, path: DocPath, value: str) -> Any:
        """A plain scalar of an OpenAPI document, by YAML 1.2's core schema."""
        if value in _CORE_NULL:
            return None
        if value in _CORE_BOOL:
            return _CORE_BOOL[value]
        try:
            if _CORE_INT.fullmatch(value):
                base = {"0o": 8, "0x": 16}.get(value[:2], 10)
                return int(value[2:] if base != 10 else value, base)
            if _CORE_FLOAT.fullmatch(value):
                number = float(value)
                if math.isfinite(number):
                    return number
        except ValueError:
            return self._too_long(node, path, value)
        if _CORE_FLOAT.fullmatch(value) or _CORE_NOT_FINITE.fullmatch(value):
            self.error(node, path, f"{value!r} is not a number JSON can carry", f'quote it: "{value}"')
            return None
        self._string(node, path)
        return value

    def _too_long(self, node: ScalarNode, path: DocPath, value: str) -> None:
        shown = value if len(value) <= 20 else value[:20] + "..."
        self.error(node, path, f"the number {shown!r} has too many digits", f'quote it to keep it as text: "{shown}"')

    def _substitute(self, node: ScalarNode, path: DocPath, value: str) -> str:
        def replace(match: re.Match[str]) -> str:
            if match.group(0) == "$$":
                return "$"
            name, default = match.group(1), match.group(2)
            if name in self.environ:
                return self.environ[name]
            if default is not None:
                return default
            self.error(
                node,
                path,
                f"environment variable {name!r} is not set",
                f"set it, or give a default: ${{{name}:-value}}",
            )
            return ""

        return _ENV_PATTERN.sub(replace, value)


def _is_unquoted_template(node: MappingNode) -> bool:
    """Whether ``node`` is how YAML reads an unquoted ``{{ ... }}``: a flow mapping whose one key is another."""
    if not node.flow_style or len(node.value) != 1:
        return False
    key, value = node.value[0]
    return isinstance(key, MappingNode) and key.flow_style and isinstance(value, ScalarNode) and value.value == ""


def _quoted(text: str) -> str:
    """``text`` as a quoted YAML scalar."""
    if '"' not in text and "\\" not in text:
        return f'"{text}"'
    if "'" not in text:
        return f"'{text}'"
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _template_line(written: str) -> str | None:
    """The line rewritten with its value quoted, when it holds an unquoted value that starts with ``{{``."""
    start = written.find("{{")
    if start < 0:
        return None
    before = written[:start].rstrip()
    if before and not before.endswith((":", "-")):
        return None
    value = written[start:].rstrip()
    return f"{before.strip()} {_quoted(value)}".strip()


def _explain(exc: yaml.MarkedYAMLError, lines: list[str], line: int) -> tuple[str, str | None]:
    """A YAML syntax error in mockery's words (a plain sentence quoting the line) and what to do about it."""
    problem, context = exc.problem or "", exc.context or ""
    written = lines[line - 1] if 0 < line <= len(lines) else ""
    shown = f"`{written.strip()}`"
    around = [line]
    if exc.context_mark is not None:
        around.append(exc.context_mark.line + 1)
    for number in around:
        fixed = _template_line(lines[number - 1]) if 0 < number <= len(lines) else None
        if fixed is not None:
            return f"a value that starts with {{{{ must be quoted: {fixed}", None
    if "mapping values are not allowed" in problem:
        mark = exc.problem_mark
        before = written[: mark.column] if mark is not None else ""
        if ": " in before.strip():
            key, _, value = written.strip().partition(": ")
            return f"the value in {shown} holds ': ', which YAML reads as a key", f"quote it: {key}: {_quoted(value)}"
        previous = next((text for text in reversed(lines[: line - 1]) if text.strip()), "")
        if previous and ":" not in previous:
            return (
                f"{shown} follows a line that is not `key: value`",
                f"add the ':' after the key in `{previous.strip()}`, or indent {shown} as the keys beside it",
            )
        return f"{shown} is indented deeper than the keys above it allow", "indent it as the keys beside it"
    if "expected <block end>" in problem and "<scalar>" in problem:
        return f"text follows a complete value in {shown}", "quote the whole value"
    if any(part in problem for part in ("expected <block end>", "did not find expected key", "expected '-' indicator")):
        return (
            f"{shown} is indented to match none of the lines above it",
            "indent it exactly as the keys or `-` items it belongs with",
        )
    if "could not find expected ':'" in problem:
        return f"{shown} is neither `key: value` nor a `-` item", "add the ':' after the key, or quote the text"
    if "quoted scalar" in context and "end of stream" in problem:
        start = exc.context_mark.line + 1 if exc.context_mark is not None else line
        return f"the quoted text that starts on line {start} is never closed", "close it with the quote it opens with"
    opened = exc.context_mark.line + 1 if exc.context_mark is not None else line
    if "flow sequence" in context:
        return f"the `[` list opened on line {opened} is not closed", "close it with `]`, or quote the value"
    if "flow mapping" in context:
        return f"the `{{` mapping opened on line {opened} is not closed", "close it with `}`, or quote the value"
    if "undefined alias" in problem:
        return f"an alias names no anchor defined before it, in {shown}", "define `&name` before using `*name`"
    if "cannot start any token" in problem:
        character = problem.partition("character ")[2].partition(" that")[0]
        return f"a value cannot start with {character} unquoted, in {shown}", "quote the value"
    message = " ".join(part for part in (context, problem) if part)
    return f"{message}, in {shown}" if written.strip() else message, None


def _tab_errors(file: str, text: str) -> list[SpecError]:
    errors = []
    for number, line in enumerate(text.splitlines(), start=1):
        indent = len(line) - len(line.lstrip(" \t"))
        column = line.find("\t", 0, indent)
        if column >= 0:
            errors.append(
                SpecError(file, number, column + 1, "", "a tab is used for indentation", "indent with spaces")
            )
    return errors


def _caused_by_tab(exc: yaml.YAMLError) -> bool:
    """Whether PyYAML stopped at a tab, the one character YAML forbids in indentation."""
    return isinstance(exc, yaml.MarkedYAMLError) and "'\\t'" in (exc.problem or "")


def _syntax_error(file: str, exc: yaml.YAMLError, text: str) -> SpecError:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message, suggestion = _explain(exc, text.splitlines(), line)
        return SpecError(file, line, column, "", f"invalid YAML: {message}", suggestion)
    if isinstance(exc, yaml.reader.ReaderError):
        # The reader knows only the offset in the whole text: turn it into the line and column users look for.
        before = text[: exc.position]
        line = before.count("\n") + 1
        column = exc.position - (before.rfind("\n") + 1) + 1
        return SpecError(file, line, column, "", f"invalid YAML: {exc.reason}")
    return SpecError(file, 1, 1, "", f"invalid YAML: {exc}")


def load_document(
    path: Path, text: str | None = None, environ: Mapping[str, str] | None = None
) -> tuple[Document | None, list[SpecError]]:
    """Load one spec file, or an OpenAPI document (read by its own rules: see the module's docstring).
    Returns the document (``None`` if it could not be read at all) and every error."""
    file = display_path(path)
    if text is None:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            return None, [SpecError(file, 1, 1, "", f"cannot read the file: {exc.strerror or exc}")]
        if len(raw) > MAX_FILE_BYTES:
            return None, [SpecError(file, 1, 1, "", f"the file is larger than {MAX_FILE_BYTES} bytes")]
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            return None, [SpecError(file, 1, 1, "", f"the file is not UTF-8 text (byte {exc.start})")]
    return parse_document(text, path=path, display_name=file, environ=environ)


def parse_document(
    text: str, *, path: Path, display_name: str, environ: Mapping[str, str] | None = None
) -> tuple[Document | None, list[SpecError]]:
    """Load a spec from YAML ``text`` with every check of a file, its errors naming ``display_name``.

    ``path`` is the document's file (it need not exist): files a route sends are looked for in its folder.
    ``environ`` (default ``os.environ``) fills the ``${VAR}`` of a mockery spec; an OpenAPI document is
    read as written, with YAML 1.2 scalars.
    """
    file = display_name
    try:
        try:
            nodes = list(yaml.compose_all(text, Loader=_FAST))
        except yaml.YAMLError:
            # The pure-Python composer words its errors best (and finds tabs): let it say what is wrong.
            nodes = list(yaml.compose_all(text, Loader=_WORDY))
    except yaml.YAMLError as exc:
        # Tabs are only looked for once the file fails to parse: inside a block scalar or a quoted string a tab
        # after the indentation is text (a TSV body), and reporting it would reject a valid spec.
        tabs = _tab_errors(file, text) if _caused_by_tab(exc) else []
        return None, tabs or [_syntax_error(file, exc, text)]
    except RecursionError:
        return None, [SpecError(file, 1, 1, "", "the document is nested too deeply")]
    if not nodes:
        return None, [SpecError(file, 1, 1, "", "the file is empty", "a spec needs at least `service:`")]
    errors: list[SpecError] = []
    for extra in nodes[1:]:
        mark = extra.start_mark
        errors.append(
            SpecError(
                file,
                mark.line + 1,
                mark.column + 1,
                "",
                "a spec file holds one document, found another",
                "put each service in its own file",
            )
        )
    environ = os.environ if environ is None else environ
    third_party = _declares_openapi(nodes[0])
    converter = _Converter(file, environ, third_party=third_party, text=text)
    try:
        data = converter.convert(nodes[0], ())
        if is_openapi(data) != third_party:
            # Only a '<<' merge at the top can hide what the document is: convert it by the rules of what it is.
            converter = _Converter(file, environ, third_party=not third_party, text=text)
            data = converter.convert(nodes[0], ())
    except _Abort as abort:
        return None, [*converter.errors, abort.error, *errors]
    document = Document(
        file=path,
        display_name=file,
        data=data,
        positions=converter.positions,
        key_positions=converter.key_positions,
        scalars=converter.scalars,
    )
    return document, [*converter.errors, *errors]
