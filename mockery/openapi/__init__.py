"""Serve OpenAPI 3.0/3.1 documents as mockery services.

document.py    load-time normalisation: version check, 3.0 -> JSON Schema 2020-12, absolute $refs
generate.py    realistic values from schemas (names.py: Faker by property name; patterns.py: regexes)
satisfiable.py schemas no value can satisfy: warned at load time, kept out of generated data
validation.py  requests against operations: parameters, bodies, credentials
operation.py   one operation answering a request (Prefer, examples, generation)
state.py       path pairs (/pets + /pets/{petId}) found as resource collections
stateful.py    an operation answered from its collection, in the document's terms
service.py     a document as a mockery Service, one route per operation
importer.py    `mockery import openapi`: the document as an editable mockery spec
"""

from mockery.openapi.document import OpenAPIDocument, is_openapi, openapi_document
from mockery.openapi.generate import SchemaGenerator
from mockery.openapi.service import build_openapi_service, is_openapi_json

__all__ = [
    "OpenAPIDocument",
    "SchemaGenerator",
    "build_openapi_service",
    "is_openapi",
    "is_openapi_json",
    "openapi_document",
]
