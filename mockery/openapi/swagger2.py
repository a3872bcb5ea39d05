"""Swagger 2.0 documents, converted on load to the OpenAPI 3.0 model mockery serves.

No maintained Python converter exists (the known ones call a web service or are JavaScript), so this is one,
written for serving: ``body`` and ``formData`` parameters become request bodies (``formData`` as
``application/x-www-form-urlencoded``, or ``multipart/form-data`` where the operation consumes it or a field
is a file), ``consumes``/``produces`` become media types (an operation's own winning over the document's),
``definitions``/``parameters``/``responses`` become components and every reference is rewritten to them,
``collectionFormat`` becomes ``style``/``explode``, ``type: file`` a binary string, ``securityDefinitions``
security schemes (basic, apiKey in header or query, the four oauth2 flows), ``host``/``basePath``/``schemes``
servers, a response's ``examples`` an example per media type. ``x-`` extensions are kept where they were.

The result is a ``ConvertedDocument`` (``mockery.openapi.converted``): its data is the OpenAPI 3.0 document,
and asked where a part of it was written, it answers with the place in the original file, so that every
warning and error about the converted document still points into what the user wrote.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from mockery.errors import SpecError
from mockery.openapi.converted import ConvertedDocument
from mockery.source.document import DocPath, Document, format_path

OPENAPI_VERSION = "3.0.3"
_JSON = "application/json"
_FORM = "application/x-www-form-urlencoded"
_MULTIPART = "multipart/form-data"
# The keywords a non-body parameter, a header or an items object shares with a schema.
_SCHEMA_KEYS = (
    "type",
    "format",
    "items",
    "default",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "enum",
    "multipleOf",
)
# collectionFormat of a query parameter -> (style, explode); csv is the default of Swagger 2.0.
_QUERY_STYLES = {
    "csv": ("form", False),
    "ssv": ("spaceDelimited", False),
    "pipes": ("pipeDelimited", False),
    "multi": ("form", True),
}
_FLOWS = {
    "implicit": ("implicit", ("authorizationUrl",)),
    "password": ("password", ("tokenUrl",)),
    "application": ("clientCredentials", ("tokenUrl",)),
    "accessCode": ("authorizationCode", ("authorizationUrl", "tokenUrl")),
}
_PLACES = ("query", "header", "path", "formData", "body")
_COMPONENTS = {"definitions": "schemas", "parameters": "parameters", "responses": "responses"}


def is_swagger2(data: Any) -> bool:
    return isinstance(data, dict) and "swagger" in data


def convert(document: Document) -> tuple[ConvertedDocument | None, list[SpecError], list[SpecError]]:
    """The OpenAPI 3.0 form of a Swagger 2.0 document: ``(converted, errors, warnings)``, all located in the
    original file. ``None`` when the document cannot be converted (not 2.0, or no mapping of paths)."""
    converter = _Converter(document)
    data = converter.run()
    if data is None:
        return None, converter.errors, converter.warnings
    converted = ConvertedDocument(
        file=document.file,
        display_name=document.display_name,
        data=data,
        positions=document.positions,
        key_positions=document.key_positions,
        original=document,
        origins=converter.origins,
    )
    return converted, converter.errors, converter.warnings


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _extensions(node: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in node.items() if isinstance(key, str) and key.startswith("x-")}


class _Converter:
    def __init__(self, document: Document) -> None:
        self.document = document
        self.source: dict[str, Any] = document.data
        self.origins: dict[DocPath, DocPath] = {(): ()}
        self.errors: list[SpecError] = []
        self.warnings: list[SpecError] = []

    def located(self, path: DocPath, message: str, suggestion: str | None = None) -> SpecError:
        position = self.document.position(path)
        return SpecError(
            self.document.display_name, position.line, position.column, format_path(path), message, suggestion
        )

    def warn(self, path: DocPath, message: str, suggestion: str | None = None) -> None:
        self.warnings.append(self.located(path, message, suggestion))

    def mark(self, new: DocPath, original: DocPath) -> None:
        self.origins[new] = original

    # -- the document --------------------------------------------------------------------------------

    def run(self) -> dict[str, Any] | None:
        data = self.source
        version = data.get("swagger")
        if str(version) != "2.0":
            self.errors.append(
                self.located(("swagger",), f"Swagger version {version!r} is not supported", "use 2.0, 3.0.x or 3.1.x")
            )
            return None
        if "paths" in data and not isinstance(data["paths"], dict):
            self.errors.append(self.located(("paths",), "'paths' must be a mapping of paths to operations"))
            return None
        out: dict[str, Any] = {"openapi": OPENAPI_VERSION}
        self.mark(("openapi",), ("swagger",))
        for key in ("info", "tags", "externalDocs", "security"):
            if key in data:
                out[key] = data[key]
        servers = self.servers()
        if servers:
            out["servers"] = servers
        out.update(_extensions(data))
        self.produces: list[Any] = _list(data.get("produces"))
        self.consumes: list[Any] = _list(data.get("consumes"))
        out["paths"] = self.paths()
        components = self.components()
        if components:
            out["components"] = components
        return out

    def servers(self) -> list[dict[str, Any]]:
        host = self.source.get("host")
        base = self.source.get("basePath")
        base = base if isinstance(base, str) else ""
        if isinstance(host, str) and host:
            schemes = [s for s in _list(self.source.get("schemes")) if isinstance(s, str)] or ["https"]
            for index in range(len(schemes)):
                self.mark(("servers", index), ("host",))
            return [{"url": f"{scheme}://{host}{base}"} for scheme in schemes]
        if base:
            self.mark(("servers", 0), ("basePath",))
            return [{"url": base}]
        return []

    def components(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        definitions = _dict(self.source.get("definitions"))
        if definitions:
            out["schemas"] = {
                name: self.schema(schema, ("definitions", name), ("components", "schemas", name))
                for name, schema in definitions.items()
            }
        parameters: dict[str, Any] = {}
        for name, parameter in _dict(self.source.get("parameters")).items():
            if isinstance(parameter, dict) and parameter.get("in") not in ("body", "formData"):
                new = ("components", "parameters", name)
                parameters[name] = self.parameter(parameter, ("parameters", name), new)
        if parameters:
            out["parameters"] = parameters
        responses: dict[str, Any] = {}
        for name, response in _dict(self.source.get("responses")).items():
            new = ("components", "responses", name)
            responses[name] = self.response(response, ("responses", name), new, self.produces)
        if responses:
            out["responses"] = responses
        schemes = {
            name: self.security_scheme(scheme, ("securityDefinitions", name))
            for name, scheme in _dict(self.source.get("securityDefinitions")).items()
        }
        if schemes:
            out["securitySchemes"] = schemes
            for name in schemes:
                self.mark(("components", "securitySchemes", name), ("securityDefinitions", name))
        for key in ("schemas", "parameters", "responses"):
            if key in out:
                self.mark(("components", key), ({"schemas": "definitions"}.get(key, key),))
        return out

    def security_scheme(self, scheme: Any, path: DocPath) -> dict[str, Any]:
        scheme = _dict(scheme)
        kind = scheme.get("type")
        out: dict[str, Any] = {}
        if kind == "basic":
            out = {"type": "http", "scheme": "basic"}
        elif kind == "apiKey":
            out = {"type": "apiKey", "name": scheme.get("name"), "in": scheme.get("in")}
        elif kind == "oauth2":
            flow, urls = _FLOWS.get(str(scheme.get("flow")), ("implicit", ("authorizationUrl",)))
            if str(scheme.get("flow")) not in _FLOWS:
                self.warn(
                    (*path, "flow"), f"unknown oauth2 flow {scheme.get('flow')!r}", "use one of: " + ", ".join(_FLOWS)
                )
            details: dict[str, Any] = {url: scheme.get(url, "") for url in urls}
            details["scopes"] = _dict(scheme.get("scopes"))
            out = {"type": "oauth2", "flows": {flow: details}}
        else:
            self.warn((*path, "type"), f"unknown security scheme type {kind!r}", "use basic, apiKey or oauth2")
            out = {"type": str(kind)}
        if "description" in scheme:
            out["description"] = scheme["description"]
        out.update(_extensions(scheme))
        return out

    # -- paths and operations ------------------------------------------------------------------------

    def paths(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for template, item in _dict(self.source.get("paths")).items():
            path = ("paths", template)
            if not isinstance(item, dict):
                out[template] = item
                continue
            if isinstance(template, str) and template.startswith("x-"):
                out[template] = item
                continue
            new_item: dict[str, Any] = {}
            shared_body: list[tuple[dict[str, Any], DocPath]] = []
            shared: list[Any] = []
            for index, raw in self.parameters_of(item, path):
                parameter, where = self.resolve_parameter(raw, (*path, "parameters", index))
                if parameter.get("in") in ("body", "formData"):
                    shared_body.append((parameter, where))
                else:
                    self.mark((*path, "parameters", len(shared)), (*path, "parameters", index))
                    shared.append(
                        self.parameter_or_ref(raw, (*path, "parameters", index), (*path, "parameters", len(shared)))
                    )
            if shared:
                new_item["parameters"] = shared
            for key, value in item.items():
                if key == "parameters":
                    continue
                if key == "$ref" and isinstance(value, str):
                    new_item[key] = self.ref(value)
                elif key in ("get", "put", "post", "delete", "options", "head", "patch") and isinstance(value, dict):
                    new_item[key] = self.operation(value, (*path, key), shared_body)
                else:
                    new_item[key] = value
            out[template] = new_item
        return out

    def parameters_of(self, node: dict[str, Any], path: DocPath) -> list[tuple[int, Any]]:
        """The parameters listed at ``node`` with their indexes; what is no parameter is a warning, left out."""
        listed = node.get("parameters")
        if listed is None:
            return []
        if not isinstance(listed, list):
            self.warn((*path, "parameters"), "'parameters' must be a list", "mockery leaves them out")
            return []
        found = []
        for index, raw in enumerate(listed):
            where = (*path, "parameters", index)
            if isinstance(raw, dict) and isinstance(raw.get("$ref"), str):
                found.append((index, raw))
            elif not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
                self.warn(where, "a parameter needs a 'name'", "mockery leaves this one out")
            elif raw.get("in") not in _PLACES:
                places = ", ".join(_PLACES)
                self.warn((*where, "in"), f"'in' is {raw.get('in')!r}, not one of: {places}", "mockery leaves it out")
            else:
                found.append((index, raw))
        return found

    def resolve_parameter(self, raw: Any, path: DocPath) -> tuple[dict[str, Any], DocPath]:
        """The parameter ``raw`` names (following a ``#/parameters/`` reference) and where it is written."""
        if isinstance(raw, dict) and isinstance(raw.get("$ref"), str):
            ref = raw["$ref"]
            if ref.startswith("#/parameters/"):
                name = ref[len("#/parameters/") :].replace("~1", "/").replace("~0", "~")
                found = _dict(self.source.get("parameters")).get(name)
                if isinstance(found, dict):
                    return found, ("parameters", name)
            return {}, path
        return _dict(raw), path

    def parameter_or_ref(self, raw: Any, original: DocPath, new: DocPath) -> Any:
        if isinstance(raw, dict) and isinstance(raw.get("$ref"), str):
            return {"$ref": self.ref(raw["$ref"])}
        return self.parameter(_dict(raw), original, new)

    def operation(
        self, operation: dict[str, Any], path: DocPath, shared_body: list[tuple[dict[str, Any], DocPath]]
    ) -> dict[str, Any]:
        self.mark(path, path)
        out: dict[str, Any] = {}
        consumes = _list(operation.get("consumes")) if "consumes" in operation else self.consumes
        produces = _list(operation.get("produces")) if "produces" in operation else self.produces
        parameters: list[Any] = []
        body: list[tuple[dict[str, Any], DocPath]] = []
        own_body: set[tuple[Any, Any]] = set()
        for index, raw in self.parameters_of(operation, path):
            parameter, where = self.resolve_parameter(raw, (*path, "parameters", index))
            if parameter.get("in") in ("body", "formData"):
                body.append((parameter, where))
                own_body.add((parameter.get("in"), parameter.get("name")))
            else:
                new = (*path, "parameters", len(parameters))
                self.mark(new, (*path, "parameters", index))
                parameters.append(self.parameter_or_ref(raw, (*path, "parameters", index), new))
        body = [(p, w) for p, w in shared_body if (p.get("in"), p.get("name")) not in own_body] + body
        for key, value in operation.items():
            if key in ("consumes", "produces", "parameters", "schemes"):
                continue
            if key == "responses":
                if not isinstance(value, dict):
                    self.warn((*path, key), "'responses' must be a mapping of statuses to responses")
                out[key] = {
                    str(code): self.response(response, (*path, key, code), (*path, key, str(code)), produces)
                    for code, response in _dict(value).items()
                }
                self.mark((*path, key), (*path, key))
            else:
                out[key] = value
        if parameters:
            out["parameters"] = parameters
        if body:
            out["requestBody"] = self.request_body(body, consumes, (*path, "requestBody"))
        return out

    def parameter(self, parameter: dict[str, Any], original: DocPath, new: DocPath) -> dict[str, Any]:
        self.mark(new, original)
        where = parameter.get("in")
        out: dict[str, Any] = {"name": parameter.get("name"), "in": where}
        for key in ("description", "required", "allowEmptyValue"):
            if key in parameter:
                out[key] = parameter[key]
        out["schema"] = self.simple_schema(parameter, original)
        self.mark((*new, "schema"), original)
        if "x-example" in parameter:
            out["example"] = parameter["x-example"]
        if parameter.get("type") == "array":
            form = parameter.get("collectionFormat", "csv")
            if where == "query":
                style = _QUERY_STYLES.get(str(form))
                if style is None:
                    self.warn(
                        (*original, "collectionFormat"),
                        f"collectionFormat {form!r} has no OpenAPI 3 equivalent",
                        "mockery reads the values separated by commas",
                    )
                    style = ("form", False)
                out["style"], out["explode"] = style
            elif form != "csv":
                self.warn(
                    (*original, "collectionFormat"),
                    f"collectionFormat {form!r} is not possible for a {where} parameter",
                    "mockery reads the values separated by commas (csv)",
                )
        out.update(_extensions(parameter))
        return out

    def simple_schema(self, node: dict[str, Any], path: DocPath) -> dict[str, Any]:
        """The schema of a non-body parameter, a header or an items object (``type: file`` as binary)."""
        schema: dict[str, Any] = {}
        for key in _SCHEMA_KEYS:
            if key not in node:
                continue
            value = node[key]
            if key == "items" and isinstance(value, dict):
                value = self.simple_schema(value, (*path, "items"))
            schema[key] = value
        if schema.get("type") == "file":
            schema["type"] = "string"
            schema["format"] = "binary"
        if node.get("x-nullable") is True:
            schema["nullable"] = True
        return schema

    def request_body(
        self, parameters: list[tuple[dict[str, Any], DocPath]], consumes: list[Any], path: DocPath
    ) -> dict[str, Any]:
        bodies = [(p, w) for p, w in parameters if p.get("in") == "body"]
        fields = [(p, w) for p, w in parameters if p.get("in") == "formData"]
        if bodies:
            parameter, where = bodies[-1]
            if fields:
                self.warn(
                    (*fields[0][1], "in"),
                    "an operation cannot take both a body and formData parameters",
                    "mockery keeps the body parameter",
                )
            self.mark(path, where)
            media_types = [m for m in consumes if isinstance(m, str)] or [_JSON]
            schema = self.schema(parameter.get("schema", {}), (*where, "schema"), None)
            content = {}
            examples = _dict(parameter.get("x-examples"))  # a common extension: an example per media type
            for media_type in media_types:
                content[media_type] = {"schema": copy.deepcopy(schema)}
                self.mark((*path, "content", media_type, "schema"), (*where, "schema"))
                if media_type in examples:
                    content[media_type]["example"] = _example(media_type, examples[media_type])
            out: dict[str, Any] = {"content": content}
            if "schema" not in parameter:
                self.warn(where, "a body parameter without a schema", "mockery accepts any body")
            for key in ("description", "required"):
                if key in parameter:
                    out[key] = parameter[key]
            out.update(_extensions(parameter))
            return out
        self.mark(path, fields[0][1])
        has_file = any(p.get("type") == "file" for p, _ in fields)
        media_types = [m for m in consumes if isinstance(m, str) and m.split(";")[0].strip() in (_FORM, _MULTIPART)]
        if not media_types:
            media_types = [_MULTIPART if has_file else _FORM]
        properties: dict[str, Any] = {}
        required: list[str] = []
        for parameter, where in fields:
            name = str(parameter.get("name"))
            schema = self.simple_schema(parameter, where)
            if "description" in parameter:
                schema["description"] = parameter["description"]
            properties[name] = schema
            if parameter.get("required") is True:
                required.append(name)
            for media_type in media_types:
                self.mark((*path, "content", media_type, "schema", "properties", name), where)
        form_schema: dict[str, Any] = {"type": "object", "properties": properties}
        if required:
            form_schema["required"] = required
        # How an array field is written in an urlencoded form: repeated (multi) or joined (csv and the others).
        encoding = {
            str(p.get("name")): {"style": "form", "explode": p.get("collectionFormat") == "multi"}
            for p, _ in fields
            if p.get("type") == "array"
        }
        form_content: dict[str, Any] = {}
        for media_type in media_types:
            form_content[media_type] = {"schema": copy.deepcopy(form_schema)}
            if encoding and media_type == _FORM:
                form_content[media_type]["encoding"] = encoding
        return {"content": form_content, **({"required": True} if required else {})}

    # -- responses -----------------------------------------------------------------------------------

    def response(self, response: Any, original: DocPath, new: DocPath, produces: list[Any]) -> Any:
        self.mark(new, original)
        if response is None:
            return {"description": ""}
        if not isinstance(response, dict):
            return response
        if isinstance(response.get("$ref"), str):
            return {"$ref": self.ref(response["$ref"])}
        out: dict[str, Any] = {"description": response.get("description", "")}
        headers = _dict(response.get("headers"))
        if headers:
            out["headers"] = {}
            for name, header in headers.items():
                header = _dict(header)
                converted: dict[str, Any] = {"schema": self.simple_schema(header, (*original, "headers", name))}
                if "description" in header:
                    converted["description"] = header["description"]
                converted.update(_extensions(header))
                out["headers"][name] = converted
        media_types = [m for m in produces if isinstance(m, str)] or [_JSON]
        content: dict[str, Any] = {}
        if "schema" in response:
            schema = self.schema(response["schema"], (*original, "schema"), None)
            for media_type in media_types:
                content[media_type] = {"schema": copy.deepcopy(schema)}
                self.mark((*new, "content", media_type, "schema"), (*original, "schema"))
        for media_type, example in _dict(response.get("examples")).items():
            entry = content.setdefault(str(media_type), {})
            if "schema" not in entry and "schema" in content.get(media_types[0], {}):
                entry["schema"] = copy.deepcopy(content[media_types[0]]["schema"])
            entry["example"] = _example(str(media_type), example)
            self.mark((*new, "content", str(media_type), "example"), (*original, "examples", media_type))
        if content:
            out["content"] = content
        out.update(_extensions(response))
        return out

    # -- schemas and references ----------------------------------------------------------------------

    def ref(self, ref: str) -> str:
        """A local reference rewritten to components; one to nothing is left as written (reported later)."""
        for section, component in _COMPONENTS.items():
            prefix = f"#/{section}/"
            if ref.startswith(prefix):
                name = ref[len(prefix) :].split("/", 1)[0].replace("~1", "/").replace("~0", "~")
                if name in _dict(self.source.get(section)):
                    return f"#/components/{component}/" + ref[len(prefix) :]
        return ref

    def schema(self, schema: Any, original: DocPath, new: DocPath | None) -> Any:
        """A Swagger 2.0 schema in OpenAPI 3.0 terms (its structure kept, so paths below it map as written)."""
        if new is not None:
            self.mark(new, original)
        return self._schema(schema)

    def _schema(self, node: Any) -> Any:
        if isinstance(node, list):
            return [self._schema(item) for item in node]
        if not isinstance(node, dict):
            return node
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                out[key] = self.ref(value)
            elif key in ("example", "enum", "default", "const") or (isinstance(key, str) and key.startswith("x-")):
                out[key] = value
            elif key == "discriminator" and isinstance(value, str):
                out[key] = {"propertyName": value}
            elif key in ("properties", "patternProperties", "definitions"):
                out[key] = (
                    {name: self._schema(sub) for name, sub in _dict(value).items()}
                    if isinstance(value, dict)
                    else value
                )
            else:
                out[key] = self._schema(value)
        if out.get("type") == "file":
            out["type"] = "string"
            out["format"] = "binary"
        if node.get("x-nullable") is True:
            out["nullable"] = True
        return out


def _example(media_type: str, example: Any) -> Any:
    """A response example; a JSON example written as JSON text (a common slip) is read as the JSON it holds."""
    base = media_type.split(";", 1)[0].strip().lower()
    is_json = base == _JSON or base.endswith("+json")
    if is_json and isinstance(example, str) and example.strip()[:1] in ("{", "["):
        try:
            return json.loads(example)
        except ValueError:
            return example
    return example
