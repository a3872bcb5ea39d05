"""Safe YAML loading that keeps the position of every value.

PyYAML composes the file into a node graph (no object is ever constructed from a tag); this module turns the
nodes into plain JSON-like data itself. Doing the conversion by hand is what lets it report, each at its
line and column: duplicate keys, tabs used for indentation, custom tags, values JSON cannot carry, alias
bombs and missing environment variables; and all of them at once.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from mockery.errors import SpecError, display_path
from mockery.spec.document import DocPath, Document, Position, ScalarSource, format_path

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_VALUES = 100_000
MAX_DEPTH = 64

# libyaml's composer where PyYAML was built with it (several times faster); the pure-Python one otherwise.
# Both only compose nodes: nothing is ever constructed from a tag.
_COMPOSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_TAG = "tag:yaml.org,2002:"
_PLAIN_TAGS = {_TAG + "str", _TAG + "int", _TAG + "float", _TAG + "bool", _TAG + "null"}
_ENV_PATTERN = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


def _tag_name(tag: str) -> str:
    return "!!" + tag[len(_TAG) :] if tag.startswith(_TAG) else tag


class _Abort(Exception):
    """Stops the conversion of a document that cannot be converted any further (an alias bomb)."""

    def __init__(self, error: SpecError) -> None:
        self.error = error


class _Converter:
    def __init__(self, file: str, environ: Mapping[str, str]) -> None:
        self.file = file
        self.environ = environ
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
            return self._mapping(node, path, depth)
        if isinstance(node, SequenceNode):
            if node.tag != _TAG + "seq":
                self._reject_tag(node, path, node.tag)
                return None
            return [self.convert(item, (*path, index), depth + 1) for index, item in enumerate(node.value)]
        assert isinstance(node, ScalarNode)
        return self._scalar(node, path)

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
            if key_node.tag == _TAG + "merge":
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
        plain = not node.style  # None from PyYAML's composer, "" from libyaml's
        if "$" in value:
            value = self._substitute(node, path, value)
            if plain and value != node.value:
                tag = self._resolver.resolve(ScalarNode, value, (True, False))  # type: ignore[no-untyped-call]
        if tag == _TAG + "str":
            self.scalars[path] = ScalarSource(
                Position(node.start_mark.line + 1, node.start_mark.column + 1), node.style in ("|", ">")
            )
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
        result = self._constructor.construct_object(ScalarNode(tag, value, node.start_mark, node.end_mark))
        if isinstance(result, float) and not math.isfinite(result):
            self.error(node, path, f"{value!r} is not a number JSON can carry", f'quote it: "{value}"')
            return None
        return result

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
        message = " ".join(part for part in (exc.context, exc.problem) if part)
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        return SpecError(file, line, column, "", f"invalid YAML: {message}")
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
    """Load one spec file. Returns the document (``None`` if it could not be read at all) and every error."""
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
    """
    file = display_name
    try:
        try:
            nodes = list(yaml.compose_all(text, Loader=_COMPOSER))
        except yaml.YAMLError:
            # The pure-Python composer words its errors best (and finds tabs): let it say what is wrong.
            nodes = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
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
    converter = _Converter(file, os.environ if environ is None else environ)
    try:
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
