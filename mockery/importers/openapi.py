"""``mockery import openapi``: an OpenAPI document rewritten as a mockery spec a person can read and edit.

Collections found in the document (:mod:`mockery.openapi.state`) become ``resources:`` whose fields are Faker
providers chosen from the property names and schemas (``email``, ``first_name``, ``{choice: [...]}``,
``{faker: pyint, min_value: 0, max_value: 30}``); every other operation becomes a route answering its
documented status with the document's example, or else with one value generated from its schema. What a
spec cannot say is left behind, and the header comment says so: request validation, ``Prefer``, and the
variety of a schema-generated body (a route's body is the one sample).

The document is loaded exactly as ``mockery serve`` and ``mockery validate`` load it (the same loader, the same
verdict and warnings: YAML 1.2, nothing substituted, Swagger 2.0 converted), and its text is written to be
served as it is: never run as a template, never substituted as a ``${VAR}`` (mockery.load.literal).
What the spec says keeps what the document says: a collection endpoint whose documented status is not the one
a resource answers (``201`` for a create, ``204`` for a delete) becomes a route answering the documented
status, and a response's media type (``text/plain``, ``image/png``) is its ``Content-Type``.
"""

from __future__ import annotations

import logging
import random
import re  # re-ok: fixed patterns, none supplied by a client or a spec
from pathlib import Path
from typing import Any

import yaml

from mockery.errors import SpecError, SpecErrors, display_path
from mockery.load.literal import literal_body, literal_template, spec_text_data
from mockery.load.loader import build_spec_set
from mockery.load.openapi import base_path, service_name
from mockery.openapi.document import OpenAPIDocument, iter_operations, openapi_document
from mockery.openapi.generate import SchemaGenerator
from mockery.openapi.names import FORMAT_PROVIDERS, faker_provider, number_range
from mockery.openapi.operation import Operation, json_media, media_example
from mockery.openapi.state import CollectionPlan, find_collections
from mockery.openapi.validation import media_is_json
from mockery.source.yaml_loader import is_openapi, load_document
from mockery.templates.fakes import new_generator
from mockery.words import singular

_TEMPLATE = re.compile(r"\{([^{}]*)\}")
_INSTANT = "{{ faker.date_time_between(start_date='-2y').strftime('%Y-%m-%dT%H:%M:%SZ') }}"
_SAMPLES = 5
_MAX_DEPTH = 4


def load_openapi(path: Path) -> OpenAPIDocument:
    """The document at ``path``, loaded as ``mockery serve`` and ``mockery validate`` load it: the same
    errors (``SpecErrors``) refuse it, the same warnings are logged."""
    document, errors = load_document(path.resolve())  # named as the loader of spec folders names files
    if document is None or errors:
        raise SpecErrors(errors)
    if not is_openapi(document.data):
        message = "the file is not an OpenAPI document: it has no top-level 'openapi' key (or it has 'service')"
        raise SpecErrors(
            [SpecError(document.display_name, 1, 1, "", message, "name an OpenAPI 3.0, 3.1 or Swagger 2.0 file")]
        )
    (service,) = build_spec_set([document]).services
    for route in service.routes:
        if isinstance(route.handler, Operation):
            return route.handler.document
    # No operation to take it from (a document of webhooks only): loaded again, quietly.
    logger = logging.getLogger("mockery.openapi")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        doc, _ = openapi_document(document)
    finally:
        logger.setLevel(level)
    assert doc is not None
    return doc


def import_openapi(path: Path, name: str | None = None) -> tuple[str, str]:
    """``(service name, spec YAML)`` for the document at ``path`` (OpenAPI 3.0/3.1 or Swagger 2.0), the
    service named ``name`` if given; ``SpecErrors`` when it cannot load."""
    doc = load_openapi(path)
    return _Importer(doc, name or _service_name(doc)).run()


def write_spec(path: Path, output: Path) -> Path:
    """Import ``path`` into ``output/<service>.yaml`` and return where it was written. A spec imported there
    from another document keeps its file: this one gets a name of its own (``<service>-2``)."""
    doc = load_openapi(path)
    name = base = _service_name(doc)
    number = 2
    while (output / f"{name}.yaml").exists() and not _imported_from(output / f"{name}.yaml", path):
        suffix = f"-{number}"
        name, number = base[: 63 - len(suffix)].rstrip("-") + suffix, number + 1
    _, text = _Importer(doc, name).run()
    output.mkdir(parents=True, exist_ok=True)
    target = output / f"{name}.yaml"
    target.write_text(text, encoding="utf-8")
    return target


def _service_name(doc: OpenAPIDocument) -> str:
    wanted = doc.data.get("x-mockery-service")
    if isinstance(wanted, str) and re.fullmatch(r"[a-z][a-z0-9-]{0,62}", wanted):
        return wanted
    return service_name(doc.source)


def _header_source(path: Path) -> str:
    return " ".join(display_path(path.resolve()).splitlines())  # one comment line, whatever the name holds


def _imported_from(spec: Path, document: Path) -> bool:
    try:
        with spec.open(encoding="utf-8") as handle:
            first = handle.readline()
    except (OSError, UnicodeDecodeError):
        return False
    return first.startswith(f"# Imported from {_header_source(document)} by ")


class _Importer:
    def __init__(self, doc: OpenAPIDocument, name: str) -> None:
        self.doc = doc
        self.name = name
        self.source = random.Random(0)
        self.faker = new_generator("en_US")
        self.faker.seed_instance(0)
        self.generator = SchemaGenerator(doc, self.source, self.faker)

    def run(self) -> tuple[str, str]:
        data = self.doc.data
        name = self.name
        operations = list(iter_operations(self.doc))
        plans, _ = find_collections(self.doc, name, [(t, m, o, i) for t, m, _, o, i in operations])
        by_key = {(template, method): operation for template, method, _, operation, _ in operations}
        for plan in plans:
            # An endpoint whose documented statuses lack the one a resource answers is left to a route.
            for where, endpoint in list(plan.endpoints.items()):
                if not _documents(by_key[where], _RESOURCE_STATUS.get(endpoint.action, "200")):
                    del plan.endpoints[where]
        plans = [plan for plan in plans if plan.endpoints]
        served = {key for plan in plans for key in plan.endpoints}
        spec: dict[str, Any] = {"service": name}
        info = data.get("info") if isinstance(data.get("info"), dict) else {}
        if isinstance(info, dict) and info.get("title"):
            spec["description"] = str(info["title"])
        prefix = base_path(data)
        if prefix:
            spec["base_path"] = prefix
        for extension, spec_key in (
            ("x-mockery-seed", "seed"),
            ("x-mockery-port", "port"),
            ("x-mockery-locale", "locale"),
        ):
            if extension in data:
                spec[spec_key] = data[extension]
        if plans:
            spec["resources"] = {plan.resource.name: self.resource(plan) for plan in plans}
        routes = [
            self.route(template, method, operation)
            for template, method, _, operation, _ in operations
            if (template, method) not in served
        ]
        if routes:
            spec["routes"] = routes
        source = _header_source(self.doc.source.file)
        header = (
            f"# Imported from {source} by `mockery import openapi`.\n"
            "# Not carried over: request validation, Prefer headers, and the variety of schema-generated bodies\n"
            "# (each route answers one sample), binary bodies (such routes answer their media type with no body).\n"
            "# Serve the document itself for those.\n"
        )
        text = yaml.dump(spec_text_data(spec), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=110)
        return name, header + text

    # -- resources ------------------------------------------------------------------------------------

    def resource(self, plan: CollectionPlan) -> dict[str, Any]:
        resource = plan.resource
        merged = self.generator.merge([plan.schema])
        properties = merged.get("properties") if isinstance(merged.get("properties"), dict) else {}
        assert isinstance(properties, dict)
        refs = _refs(plan.schema)
        made = {str(key): self.field(sub, str(key), 0, refs) for key, sub in properties.items() if key != "id"}
        fields = {key: value for key, value in made.items() if value is not None}
        out: dict[str, Any] = {"count": resource.count, "id": resource.id_kind, "path": resource.path}
        actions = sorted({endpoint.action for endpoint in plan.endpoints.values()})
        if set(actions) != {"list", "create", "get", "replace", "update", "delete"}:
            out["endpoints"] = actions
        out["fields"] = fields
        return out

    def field(self, schema: Any, name: str, depth: int, refs: tuple[str, ...]) -> Any:
        """The mockery field that generates values like ``schema`` (for a property called ``name``); ``None``
        for a property to leave out: one no value satisfies, or one that leads back into a cycle."""
        if self.doc.impossible(schema) or (set(_refs(schema)) & set(refs)):
            return None
        refs = (*refs, *_refs(schema))
        merged = self.generator.merge([schema]) if isinstance(schema, dict) else {}
        for keyword in ("oneOf", "anyOf"):
            branches = merged.get(keyword)
            if isinstance(branches, list) and branches:
                possible = [b for b in branches if not self.doc.impossible(b)] or branches
                rest = {key: value for key, value in merged.items() if key not in (keyword, "discriminator")}
                merged = self.generator.merge([rest, possible[0]])
        if "const" in merged:
            return {"const": merged["const"]}
        if isinstance(merged.get("enum"), list) and merged["enum"]:
            return {"choice": list(merged["enum"])}
        kind = merged.get("type")
        kind = next((k for k in kind if k != "null"), "string") if isinstance(kind, list) else kind
        if kind is None:
            kind = "object" if "properties" in merged else "array" if "items" in merged else "string"
        if kind == "object":
            properties = merged.get("properties") if isinstance(merged.get("properties"), dict) else {}
            assert isinstance(properties, dict)
            if not properties or depth >= _MAX_DEPTH:
                return {"const": {}}
            made = {str(key): self.field(sub, str(key), depth + 1, refs) for key, sub in properties.items()}
            return {"fields": {key: value for key, value in made.items() if value is not None}}
        if kind == "array":
            low = merged.get("minItems", 0) if isinstance(merged.get("minItems"), int) else 0
            high = merged.get("maxItems", max(low, 3)) if isinstance(merged.get("maxItems"), int) else max(low, 3)
            item = None if depth >= _MAX_DEPTH else self.field(merged.get("items", {}), singular(name), depth + 1, refs)
            return {"const": []} if item is None else {"array": item, "min": low, "max": high}
        if kind == "boolean":
            return {"faker": "pybool"}
        if kind in ("integer", "number"):
            return self.number(merged, name, kind == "integer")
        return self.string(merged, name)

    def string(self, schema: dict[str, Any], name: str) -> Any:
        if isinstance(schema.get("pattern"), str) or isinstance(schema.get("maxLength"), int):
            # No Faker provider draws from a regex: a choice of strings that really match it.
            samples = [self.generator.generate(schema, name) for _ in range(_SAMPLES)]
            return {"choice": list(dict.fromkeys(samples))}
        fmt = schema.get("format")
        if fmt == "date-time":
            return _INSTANT
        if isinstance(fmt, str) and fmt in FORMAT_PROVIDERS:
            return FORMAT_PROVIDERS[fmt]
        if fmt == "byte":
            return {"const": "bW9ja2VyeQ=="}
        provider = faker_provider(name)
        if provider is not None:
            return provider
        if name.lower().endswith(("at", "date", "time")):
            return _INSTANT
        return "word"

    @staticmethod
    def number(schema: dict[str, Any], name: str, integer: bool) -> dict[str, Any]:
        hint = number_range(name) or (1, 1000, 0 if integer else 2)
        low = schema.get("minimum", schema.get("exclusiveMinimum", hint[0]))
        high = schema.get("maximum", schema.get("exclusiveMaximum", hint[1]))
        if "exclusiveMinimum" in schema and "minimum" not in schema:
            low = low + 1 if integer else low + 0.01
        if "exclusiveMaximum" in schema and "maximum" not in schema:
            high = high - 1 if integer else high - 0.01
        if integer:
            return {"faker": "pyint", "min_value": int(low), "max_value": int(max(low, high))}
        return {"faker": "pyfloat", "min_value": low, "max_value": max(low, high), "right_digits": hint[2] or 2}

    # -- routes ---------------------------------------------------------------------------------------

    def route(self, template: str, method: str, operation: dict[str, Any]) -> dict[str, Any]:
        path = _TEMPLATE.sub(lambda m: "{" + (re.sub(r"\W", "_", m.group(1)) or "p") + "}", template)
        route: dict[str, Any] = {}
        if isinstance(operation.get("operationId"), str):
            route["name"] = operation["operationId"]
        if method != "GET":
            route["method"] = method
        route["path"] = path
        responses = operation.get("responses") if isinstance(operation.get("responses"), dict) else {}
        assert isinstance(responses, dict)
        codes = sorted(str(code) for code in responses if str(code).startswith("2"))
        code = codes[0] if codes else "default" if "default" in responses else next(iter(responses), "200")
        status = int(code) if str(code).isdigit() else 200
        response: dict[str, Any] = {"status": status} if status != 200 else {}
        documented = self.doc.resolve(responses.get(code, responses.get(int(code)) if str(code).isdigit() else None))
        media = _media(documented) if isinstance(documented, dict) else None
        if media is not None and status not in (204, 304):
            media_type, body = media
            body = body if isinstance(body, dict) else {}
            schema = body.get("schema")
            if media_type != "application/json":
                response["headers"] = {"content-type": literal_template(media_type)}
            if media_is_json(media_type) or _is_text(media_type):
                found, example = media_example(body, schema, None, self.doc)
                value = example if found else self.generator.generate(schema) if schema is not None else None
                if not media_is_json(media_type) and not isinstance(value, str):
                    value = "" if value is None else str(value)
                response["body"] = literal_body(value)
        route["response"] = response or {"status": 200}
        return route


_RESOURCE_STATUS = {"create": "201", "delete": "204"}


def _documents(operation: dict[str, Any], status: str) -> bool:
    """Whether ``operation`` documents ``status``, or documents no success status that contradicts it."""
    responses = operation.get("responses") if isinstance(operation.get("responses"), dict) else {}
    assert isinstance(responses, dict)
    codes = {str(code).upper() for code in responses}
    successes = {code for code in codes if code.startswith("2")}
    return not successes or status in codes or f"{status[0]}XX" in codes


def _is_text(media_type: str) -> bool:
    base = media_type.split(";", 1)[0].strip().lower()
    return base.startswith("text/") or base.endswith(("/xml", "+xml", "/csv", "/yaml", "/javascript"))


def _media(response: dict[str, Any]) -> tuple[str, Any] | None:
    """The media type to answer a documented response with: JSON where documented, else the first concrete one."""
    found = json_media(response)
    if found is not None:
        return found
    content = response.get("content")
    if not isinstance(content, dict):
        return None
    for media_type, media in content.items():
        if isinstance(media_type, str) and "*" not in media_type:
            return media_type, media
    return None


def _refs(schema: Any) -> tuple[str, ...]:
    return (schema["$ref"],) if isinstance(schema, dict) and isinstance(schema.get("$ref"), str) else ()


class _Dumper(yaml.SafeDumper):
    """Block style for the structure, flow style for small leaves: ``{faker: pyint, min_value: 1}``."""

    def represent_mapping(self, tag: str, mapping: Any, flow_style: bool | None = None) -> yaml.MappingNode:
        items = mapping.values() if isinstance(mapping, dict) else []
        small = isinstance(mapping, dict) and 0 < len(mapping) <= 4 and all(_scalar(v) for v in items)
        return super().represent_mapping(tag, mapping, flow_style=True if small else flow_style)

    def represent_sequence(self, tag: str, sequence: Any, flow_style: bool | None = None) -> yaml.SequenceNode:
        small = all(_scalar(item) for item in sequence) and len(str(sequence)) < 90
        return super().represent_sequence(tag, sequence, flow_style=True if small else flow_style)


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool) or value == [] or value == {}
