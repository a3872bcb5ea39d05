"""OpenAPI 3.0/3.1 documents: reading them, generating from their schemas, validating requests against them.

document.py    load-time normalisation: version check, 3.0 -> JSON Schema 2020-12, absolute $refs
formats.py     the one `format` checker of documents
generate.py    realistic values from schemas (names.py: Faker by property name; patterns.py: regexes)
satisfiable.py schemas no value can satisfy: warned at load time, kept out of generated data
validation.py  requests against operations: parameters, bodies, credentials
operation.py   one operation answering a request (Prefer, examples, generation)
media.py       Accept negotiated across documented media types; values written as JSON, XML, text, bytes
errors.py      errors in the shape the operation documents (status, 4XX, default), credential challenges
state.py       path pairs (/pets + /pets/{petId}) found as resource collections
stateful.py    an operation answered from its collection, in the document's terms
export.py      a service as an OpenAPI 3.1 document

A document becomes a service in mockery.load.openapi (one route per operation, answered by
mockery.answers.openapi); `mockery import openapi` is mockery.importers.openapi.
"""
