"""A small pet store document used by the OpenAPI tests: every feature the tests need, nothing more."""

from __future__ import annotations

PETSTORE = """\
openapi: 3.0.3
info: {title: Pets, version: "1"}
x-mockery-service: pets
x-mockery-seed: 3
servers: [{url: "http://localhost/v1"}]
components:
  securitySchemes:
    bearer: {type: http, scheme: bearer}
  schemas:
    NewPet:
      type: object
      required: [name, species]
      properties:
        name: {type: string}
        species: {type: string, enum: [cat, dog]}
        email: {type: string, format: email}
        chip: {type: string, pattern: "^[A-F0-9]{6}$"}
        age: {type: integer, minimum: 0, maximum: 30}
        secret: {type: string, writeOnly: true}
    Pet:
      allOf:
        - $ref: '#/components/schemas/NewPet'
        - type: object
          required: [id, created_at]
          properties:
            id: {type: integer, format: int64, readOnly: true}
            created_at: {type: string, format: date-time, readOnly: true}
    Owner:
      type: object
      required: [id, firstName, phone]
      properties:
        id: {type: string, format: uuid, readOnly: true}
        firstName: {type: string}
        phone: {type: string}
        city: {type: string}
    Error:
      type: object
      required: [code, message]
      properties:
        code: {type: integer}
        message: {type: string}
paths:
  /pets:
    x-mockery-count: 4
    get:
      parameters:
        - {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 100}}
      responses:
        "200":
          description: pets
          content:
            application/json:
              schema: {type: array, items: {$ref: '#/components/schemas/Pet'}}
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/NewPet'}
      responses:
        "201":
          description: created
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Pet'}
  /pets/{petId}:
    parameters:
      - {name: petId, in: path, required: true, schema: {type: integer, minimum: 1}}
    get:
      responses:
        "200":
          description: a pet
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Pet'}
              examples:
                garfield: {value: {id: 1, name: Garfield, species: cat, created_at: "2020-01-01T00:00:00Z"}}
        "404":
          description: no such pet
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Error'}
              example: {code: 404, message: no such pet}
    delete:
      responses:
        "204": {description: gone}
        "404":
          description: no such pet
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Error'}
  /owners:
    get:
      responses:
        "200":
          description: a page of owners
          content:
            application/json:
              schema:
                type: object
                required: [items, total]
                properties:
                  items:
                    type: array
                    items: {$ref: '#/components/schemas/Owner'}
                  total: {type: integer}
    post:
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Owner'}
      responses:
        "201":
          description: created
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Owner'}
  /owners/{id}:
    get:
      parameters:
        - {name: id, in: path, required: true, schema: {type: string, format: uuid}}
      responses:
        "200":
          description: an owner
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Owner'}
  /search:
    get:
      parameters:
        - {name: q, in: query, required: true, schema: {type: string, minLength: 2}}
        - {name: X-Trace, in: header, required: true, schema: {type: string, pattern: "^[a-z]+$"}}
        - {name: session, in: cookie, required: true, schema: {type: integer}}
      responses:
        "200":
          description: results
          content:
            application/json:
              schema: {type: array, items: {type: string}}
  /forms:
    post:
      requestBody:
        content:
          application/x-www-form-urlencoded:
            schema:
              type: object
              required: [count]
              properties:
                count: {type: integer, maximum: 5}
      responses:
        "204": {description: ok}
  /me:
    get:
      security: [{bearer: []}]
      responses:
        "200":
          description: me
          content:
            application/json:
              schema:
                type: object
                required: [first_name, city]
                properties:
                  first_name: {type: string}
                  city: {type: string}
"""


# A third party's text, as third-party documents hold it: unquoted timestamps and yes/no, `${...}` and braces.
LITERAL = """\
openapi: 3.0.3
info: {title: Literal, version: "1"}
x-mockery-service: literal
paths:
  /things:
    get:
      responses:
        "200":
          description: one thing
          content:
            application/json:
              schema:
                type: object
                properties:
                  startDate: {type: string}
                  flag: {type: string}
              example:
                home: "${HOME}"
                token: ${SECRET_TOKEN}
                escaped: $${X}
                template: "{{ 7*7 }}"
                block: "{% if true %}x{% endif %}"
                startDate: 2020-04-13T00:00:00
                stamp: 2020-04-13T21:54:01.8865016
                flag: yes
"""
LITERAL_BODY = {
    "home": "${HOME}",
    "token": "${SECRET_TOKEN}",
    "escaped": "$${X}",
    "template": "{{ 7*7 }}",
    "block": "{% if true %}x{% endif %}",
    "startDate": "2020-04-13T00:00:00",
    "stamp": "2020-04-13T21:54:01.8865016",
    "flag": "yes",
}
ENVIRON = {"HOME": "/root", "SECRET_TOKEN": "s3cr3t", "X": "x"}
