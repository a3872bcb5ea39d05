"""An OpenAPI document made ready to serve: version checked, schemas normalised, references made absolute.

A Swagger 2.0 document is first converted to OpenAPI 3.0 (``mockery.openapi.swagger2``); what is said about
the converted document is located in the original file.

Every schema of the document is rewritten once, at load time, into plain JSON Schema 2020-12: OpenAPI 3.0's
``nullable`` and boolean ``exclusiveMinimum``/``exclusiveMaximum`` become their 2020-12 forms, and each local
``$ref`` is made absolute (``urn:mockery:openapi#/components/...``). That lets one ``referencing`` registry
holding the whole document resolve every reference for jsonschema, wherever a schema is validated from, and
lets the generator follow the same references. Remote references are never fetched: each becomes an
unconstrained schema and a located warning.

The document itself is read by ``mockery.source.yaml_loader``, which knows it by ``is_openapi`` and reads it
as its format defines: YAML 1.2 scalars, and no ``${VAR}`` substitution (its text is a third party's).
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from mockery.errors import SpecError
from mockery.http.schema_patterns import RE2Validator, pattern_problems
from mockery.openapi.converted import written_path
from mockery.openapi.formats import FORMAT_CHECKER
from mockery.openapi.patterns import python_pattern
from mockery.openapi.satisfiable import Satisfiability, impossible_schemas
from mockery.openapi.structure import structure_problems
from mockery.openapi.swagger2 import convert, is_swagger2
from mockery.source.document import DocPath, Document, format_path
from mockery.source.yaml_loader import is_openapi as is_openapi  # re-exported: the one test of what a document is

BASE_URI = "urn:mockery:openapi"
SUPPORTED = ("3.0", "3.1")
logger = logging.getLogger("mockery.openapi")

# Keywords whose value is one schema, a list of schemas, or a mapping of names to schemas.
_ONE: tuple[str, ...] = ("items", "additionalProperties", "not", "if", "then", "else", "contains", "propertyNames")
_ONE += ("unevaluatedProperties", "unevaluatedItems", "additionalItems")
_MANY = ("allOf", "anyOf", "oneOf", "prefixItems")
_NAMED = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")


def pointer(path: DocPath) -> str:
    """The JSON pointer of ``path`` (``~`` and ``/`` escaped)."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


def parse_pointer(fragment: str) -> DocPath:
    """``/paths/~1pets/get`` -> ``('paths', '/pets', 'get')``; percent-escapes are decoded first."""
    text = unquote(fragment)
    if not text:
        return ()
    if not text.startswith("/"):
        raise ValueError(f"{fragment!r} is not a JSON pointer")
    return tuple(part.replace("~1", "/").replace("~0", "~") for part in text[1:].split("/"))


@dataclass(slots=True)
class OpenAPIDocument:
    """A loaded OpenAPI 3.0/3.1 document: normalised data, where each part was written, and the warnings."""

    source: Document
    data: dict[str, Any]
    version: str
    warnings: list[SpecError] = field(default_factory=list)
    _registry: Registry[Any] | None = None
    _validators: dict[int, Draft202012Validator] = field(default_factory=dict)
    _satisfiability: Satisfiability | None = None
    # Where the schemas no value can satisfy are written, and why (see mockery.openapi.satisfiable).
    impossible_at: dict[DocPath, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.source.display_name

    def located(self, path: DocPath, message: str, suggestion: str | None = None) -> SpecError:
        return locate(self.source, path, message, suggestion)

    def lookup(self, path: DocPath) -> Any:
        """The value at ``path`` of the normalised data (``KeyError`` where there is none)."""
        value: Any = self.data
        for part in path:
            if isinstance(value, list):
                value = value[int(part)]
            elif isinstance(value, dict):
                value = value[part]
            else:
                raise KeyError(part)
        return value

    def resolve(self, value: Any, limit: int = 32) -> Any:
        """``value`` with ``$ref`` objects (of parameters, responses, path items, schemas) followed."""
        while isinstance(value, dict) and isinstance(value.get("$ref"), str) and limit > 0:
            target = ref_path(value["$ref"])
            if target is None:
                return {}
            try:
                value = self.lookup(target)
            except (KeyError, IndexError, ValueError):
                return {}
            limit -= 1
        return value

    def impossible(self, schema: Any) -> str | None:
        """Why no value can satisfy ``schema`` (a schema of this document), or ``None`` when one may."""
        if self._satisfiability is None:
            self._satisfiability = Satisfiability(lambda ref: self.resolve({"$ref": ref}))
        return self._satisfiability.reason(schema)

    @property
    def registry(self) -> Registry[Any]:
        if self._registry is None:
            resource = Resource.from_contents(self.data, default_specification=DRAFT202012)
            self._registry = Registry().with_resource(BASE_URI, resource)
        return self._registry

    def validator(self, schema: Any) -> Draft202012Validator:
        """A validator of ``schema`` (a schema of this document), built once per schema object."""
        key = id(schema)
        found = self._validators.get(key)
        if found is None or found.schema is not schema:
            found = RE2Validator(schema, registry=self.registry, format_checker=FORMAT_CHECKER)
            self._validators[key] = found
        return found


def locate(document: Document, path: DocPath, message: str, suggestion: str | None = None) -> SpecError:
    """An error about ``path`` of ``document``, placed where the user wrote it (in the original file of a
    converted Swagger 2.0 document)."""
    position = document.position(path)
    shown = format_path(written_path(document, path))
    return SpecError(document.display_name, position.line, position.column, shown, message, suggestion)


def ref_path(ref: str) -> DocPath | None:
    """The document path a (normalised or local) ``$ref`` points to; ``None`` for any other document."""
    if ref.startswith(BASE_URI + "#"):
        fragment = ref[len(BASE_URI) + 1 :]
    elif ref.startswith("#"):
        fragment = ref[1:]
    else:
        return None
    try:
        return parse_pointer(fragment)
    except ValueError:
        return None


def openapi_document(document: Document) -> tuple[OpenAPIDocument | None, list[SpecError]]:
    """Check the version of a loaded document and normalise it; errors are located in its file."""
    data = document.data
    assert isinstance(data, dict)

    def error(path: DocPath, message: str, suggestion: str | None = None) -> SpecError:
        return locate(document, path, message, suggestion)

    warnings: list[SpecError] = []
    errors_of_conversion: list[SpecError] = []
    if is_swagger2(data):
        converted, errors_of_conversion, warnings = convert(document)
        if converted is None:
            return None, errors_of_conversion
        document, data = converted, converted.data
    raw_version = str(data.get("openapi", ""))
    version = ".".join(raw_version.split(".")[:2])
    if version not in SUPPORTED:
        return None, [error(("openapi",), f"OpenAPI version {raw_version!r} is not supported", "use 3.0.x or 3.1.x")]
    broken = [error(path, message, suggestion) for path, message, suggestion in structure_problems(data)]
    if broken:
        return None, [*errors_of_conversion, *broken]
    normalised = _Normaliser(document, version)
    result = OpenAPIDocument(document, normalised.run(), version)
    check = Satisfiability(lambda ref: result.resolve({"$ref": ref}))
    result._satisfiability = check
    for path, reason in impossible_schemas(check, normalised.roots):
        result.impossible_at[path] = reason
        normalised.warnings.append(
            normalised.located(
                path,
                f"no value can satisfy this schema: {reason}",
                "fix the document; meanwhile mockery leaves it out where it is optional, and where it is "
                "required the answer cannot validate",
            )
        )
    for root, schema in normalised.roots:
        for where, why in pattern_problems(schema, root):
            normalised.warnings.append(
                normalised.located(
                    where,
                    f"{why}; mockery does not enforce this pattern when it validates requests",
                    "write it in RE2 syntax (no look-arounds or back-references) to have it checked",
                )
            )
    # Once each: a converted Swagger 2.0 schema served under several media types is one place in the file.
    result.warnings.extend(dict.fromkeys([*warnings, *normalised.warnings]))
    for warning in result.warnings:
        logger.warning("%s", warning)
    return result, [*errors_of_conversion, *normalised.errors]


class _Normaliser:
    """Rewrites every schema of a document in place (on a copy) and collects what it could not resolve."""

    def __init__(self, document: Document, version: str) -> None:
        self.document = document
        self.version = version
        self.data: Any = copy.deepcopy(document.data)
        self.warnings: list[SpecError] = []
        self.errors: list[SpecError] = []
        self.roots: list[tuple[DocPath, Any]] = []  # every schema written in the document, where it is

    def located(self, path: DocPath, message: str, suggestion: str | None = None) -> SpecError:
        return locate(self.document, path, message, suggestion)

    def run(self) -> dict[str, Any]:
        schemas = self.data.get("components", {}).get("schemas") if isinstance(self.data, dict) else None
        if isinstance(schemas, dict):
            for name in schemas:
                schemas[name] = self.schema(schemas[name], ("components", "schemas", name))
                self.roots.append((("components", "schemas", name), schemas[name]))
        self.walk(self.data, ())
        return dict(self.data)

    def walk(self, node: Any, path: DocPath) -> None:
        """Find the schemas of the OpenAPI structure (``schema`` keys) and the references outside schemas."""
        if isinstance(node, list):
            for index, item in enumerate(node):
                self.walk(item, (*path, index))
            return
        if not isinstance(node, dict):
            return
        if isinstance(node.get("$ref"), str):
            node["$ref"] = self.reference(node["$ref"], (*path, "$ref"), schema=False)
        for key, value in node.items():
            if key in ("example", "examples") or key.startswith("x-") or path[:2] == ("components", "schemas"):
                continue
            if key == "schema" and isinstance(value, dict | bool):
                node[key] = self.schema(value, (*path, key))
                self.roots.append(((*path, key), node[key]))
            else:
                self.walk(value, (*path, key))

    def reference(self, ref: str, path: DocPath, *, schema: bool) -> str | None:
        """The absolute form of a local reference; ``None`` (with a warning) for a remote one."""
        target = ref_path(ref)
        if target is None:
            self.warnings.append(
                self.located(
                    path,
                    f"remote reference {ref!r} is not fetched",
                    "mockery never reaches out to the network: the schema is left unconstrained"
                    if schema
                    else "mockery never reaches out to the network: the part it points to is ignored",
                )
            )
            return None
        probe: Any = self.document.data
        for part in target:
            if isinstance(probe, dict) and part in probe:
                probe = probe[part]
            elif isinstance(probe, list) and str(part).isdigit() and int(part) < len(probe):
                probe = probe[int(part)]
            else:
                self.errors.append(
                    self.located(path, f"reference {ref!r} points to nothing", "check the name after '#/'")
                )
                return None
        return BASE_URI + "#" + pointer(target)

    def schema(self, schema: Any, path: DocPath) -> Any:
        if not isinstance(schema, dict):
            return schema
        if isinstance(schema.get("$ref"), str):
            ref = self.reference(schema["$ref"], (*path, "$ref"), schema=True)
            if self.version == "3.0":
                # 3.0 ignores the siblings of a $ref; `nullable` beside one is common and kept as meant.
                result: dict[str, Any] = {"$ref": ref} if ref else {}
                if schema.get("nullable") is True and ref:
                    return {"anyOf": [result, {"type": "null"}]}
                return result
            if ref is None:
                del schema["$ref"]
            else:
                schema["$ref"] = ref
        for key in _ONE:
            if isinstance(schema.get(key), dict):
                schema[key] = self.schema(schema[key], (*path, key))
        for key in _MANY:
            if isinstance(schema.get(key), list):
                schema[key] = [self.schema(item, (*path, key, i)) for i, item in enumerate(schema[key])]
        for key in _NAMED:
            if isinstance(schema.get(key), dict):
                named = schema[key]
                for name in named:
                    named[name] = self.schema(named[name], (*path, key, name))
        discriminator = schema.get("discriminator")
        if isinstance(discriminator, dict) and isinstance(discriminator.get("mapping"), dict):
            mapping = discriminator["mapping"]
            for value, target in list(mapping.items()):
                if isinstance(target, str):
                    if not target.startswith("#") and "/" not in target and ":" not in target:
                        target = "#/components/schemas/" + target
                    mapping[value] = self.reference(target, (*path, "discriminator", "mapping", value), schema=True)
        if isinstance(schema.get("pattern"), str):
            # /^a+$/ is how some documents write an ECMA-262 pattern; tools read it without the slashes.
            schema["pattern"] = python_pattern(schema["pattern"])
        if self.version == "3.0":
            self.openapi30(schema)
        return schema

    @staticmethod
    def openapi30(schema: dict[str, Any]) -> None:
        """OpenAPI 3.0's schema dialect in JSON Schema 2020-12 terms."""
        for bound, exclusive in (("minimum", "exclusiveMinimum"), ("maximum", "exclusiveMaximum")):
            flag = schema.get(exclusive)
            if isinstance(flag, bool):
                del schema[exclusive]
                if flag and bound in schema:
                    schema[exclusive] = schema.pop(bound)
        if schema.pop("nullable", False) is True:
            kind = schema.get("type")
            if isinstance(kind, str):
                schema["type"] = [kind, "null"]
                if isinstance(schema.get("enum"), list) and None not in schema["enum"]:
                    schema["enum"] = [*schema["enum"], None]
            elif any(key in schema for key in ("allOf", "anyOf", "oneOf", "$ref")):
                inner = {key: schema.pop(key) for key in ("allOf", "anyOf", "oneOf", "$ref") if key in schema}
                schema["anyOf"] = [inner, {"type": "null"}]


def iter_operations(doc: OpenAPIDocument) -> Iterator[tuple[str, str, DocPath, dict[str, Any], dict[str, Any]]]:
    """Every HTTP operation under ``paths``: (path, method, document path, operation, its path item)."""
    paths = doc.data.get("paths")
    if not isinstance(paths, dict):
        return
    for template, raw_item in paths.items():
        item = doc.resolve(raw_item)
        if not isinstance(item, dict) or not isinstance(template, str):
            continue
        for method in ("get", "put", "post", "delete", "options", "head", "patch", "trace"):
            operation = item.get(method)
            if isinstance(operation, dict):
                yield template, method.upper(), ("paths", template, method), operation, item
