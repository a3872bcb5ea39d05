"""Serve OpenAPI 3.0/3.1 documents as mockery services.

document.py    load-time normalisation: version check, 3.0 -> JSON Schema 2020-12, absolute $refs
generate.py    realistic values from schemas (names.py: Faker by property name; patterns.py: regexes)
validation.py  requests against operations: parameters, bodies, credentials
operation.py   one operation answering a request (Prefer, examples, generation)
service.py     a document as a mockery Service, one route per operation
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
