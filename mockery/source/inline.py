"""Specs given inline from Python, as a mapping or as YAML text, loaded with the same checks as a file.

YAML text goes through the safe loader of files (tags, dates, alias bombs, environment variables, located
errors naming the spec's ``name`` instead of a file; an OpenAPI document's text is read by its own rules,
as a file of it would be). A mapping is already data: it is copied into plain
JSON-like data (environment variables are *not* substituted in it) and, having no positions, its errors are
reported at line 1, column 1 with the path of the value in the document.

An inline spec has no file: its document's ``file`` is a made-up file named after the spec inside ``folder``
(the current directory by default), so that the files its routes send are looked for in ``folder``, never
outside it, as for a spec file in that folder.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeAlias

from mockery.errors import ArgumentError, SpecError, SpecErrors
from mockery.source.document import DocPath, Document, format_path
from mockery.source.yaml_loader import MAX_DEPTH, MAX_FILE_BYTES, MAX_VALUES, parse_document

INLINE_NAME = "<inline>"

InlineSpec: TypeAlias = Mapping[str, Any] | str
"""A spec given inline: the mapping a YAML file would load as, or YAML text."""


class _TooLarge(Exception):
    """Stops the copy of data with more values than a spec file may expand to (or a cycle)."""


class _PlainData:
    """Copies Python data into the JSON-like data of a loaded document, collecting what cannot be carried."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.errors: list[SpecError] = []
        self.values = 0

    def error(self, path: DocPath, message: str, suggestion: str | None = None) -> None:
        self.errors.append(SpecError(self.name, 1, 1, format_path(path), message, suggestion))

    def copy(self, value: Any, path: DocPath, depth: int = 0) -> Any:
        self.values += 1
        if self.values > MAX_VALUES:
            raise _TooLarge
        if depth > MAX_DEPTH:
            self.error(path, f"nested more than {MAX_DEPTH} levels deep")
            return None
        if value is None or isinstance(value, str | bool | int):
            return value
        if isinstance(value, float):
            if not math.isfinite(value):
                self.error(path, f"{value!r} is not a number JSON can carry", f'make it a string: "{value}"')
                return None
            return value
        if isinstance(value, Mapping):
            result: dict[str, Any] = {}
            for key, item in value.items():
                if not isinstance(key, str):
                    self.error(path, f"mapping keys must be strings, got {key!r}", f'make it a string: "{key}"')
                    continue
                result[key] = self.copy(item, (*path, key), depth + 1)
            return result
        if isinstance(value, list | tuple):
            return [self.copy(item, (*path, index), depth + 1) for index, item in enumerate(value)]
        self.error(
            path,
            f"a {type(value).__name__} is not JSON-like data",
            "use strings, numbers, booleans, None, lists and mappings",
        )
        return None


def plain_data(value: Any, *, name: str, path: DocPath = ()) -> tuple[Any, list[SpecError]]:
    """``value`` copied into plain JSON-like data (dicts, lists, str, int, float, bool, None), and every value
    that could not be copied, as errors of spec ``name`` at line 1, column 1 naming their path below ``path``."""
    copier = _PlainData(name)
    try:
        data = copier.copy(value, path)
    except _TooLarge:
        message = f"the spec holds more than {MAX_VALUES} values (or a mapping or list that holds itself)"
        return None, [*copier.errors, SpecError(name, 1, 1, format_path(path), message)]
    return data, copier.errors


def inline_file(name: str, folder: str | Path | None = None) -> Path:
    """The made-up file of an inline spec ``name``: directly inside ``folder`` (default: the current directory)."""
    base = Path.cwd() if folder is None else Path(folder)
    safe = name.replace("/", "_").replace("\\", "_").strip(".") or "_"
    return base.resolve() / safe


def inline_document(
    spec: InlineSpec,
    *,
    name: str = INLINE_NAME,
    folder: str | Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> tuple[Document | None, list[SpecError]]:
    """Load an inline spec without raising: the document (``None`` if it could not be read) and every error
    found while reading it. The schema and the semantic checks run when it is built (``build_spec_set``)."""
    file = inline_file(name, folder)
    if isinstance(spec, str):
        if len(spec.encode("utf-8", "surrogatepass")) > MAX_FILE_BYTES:
            return None, [SpecError(name, 1, 1, "", f"the spec is larger than {MAX_FILE_BYTES} bytes")]
        return parse_document(spec, path=file, display_name=name, environ=environ)
    if isinstance(spec, Mapping):
        data, errors = plain_data(spec, name=name)
        if data is None:
            return None, errors
        return Document(file=file, display_name=name, data=data), errors
    raise ArgumentError(f"an inline spec is a mapping or YAML text, not a {type(spec).__name__}")


def load_inline(
    spec: InlineSpec,
    *,
    name: str = INLINE_NAME,
    folder: str | Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> Document:
    """Load an inline spec (a mapping, or YAML text) into a document, raising ``SpecErrors`` for any mistake
    found while reading it (YAML syntax, tags, dates, environment variables, values JSON cannot carry).

    The schema, the semantic checks and the checks across specs run when the document is built: pass it to
    ``load_specs(..., inline=[document])`` or ``build_spec_set``. ``environ`` defaults to ``os.environ``.
    """
    document, errors = inline_document(spec, name=name, folder=folder, environ=environ)
    if errors or document is None:
        raise SpecErrors(errors or [SpecError(name, 1, 1, "", "the spec could not be loaded")])
    return document
