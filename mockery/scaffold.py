"""`mockery init`: a first spec to edit, and the schema file an editor completes it with.

The starter spec shows the three things a first hour needs (a template route, a resource, a scenario), with
comments that say what each does; it validates and serves as written (a test holds it to that). Its first line
points the YAML language server (VS Code's YAML extension, JetBrains IDEs) at the schema written beside it.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from mockery.errors import MockeryError
from mockery.load.schema import spec_schema

SCHEMA_FILE = "mockery.schema.json"
SPEC_FOLDER = "specs"
MODELINE_PREFIX = "# yaml-language-server: $schema="
_NAME_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")

STARTER = """\
{modeline}
# A starter spec written by `mockery init`. Edit it, then:
#   mockery validate {folder}/    every mistake, located (file:line:column)
#   mockery serve {folder}/       serve it on http://127.0.0.1:8000 (the routes are listed at start-up)
# Your editor completes every key and shows what it means, from {schema} (see the first line).

# The service's name, as logs, errors and the admin API show it.
service: {service}
description: A starter service to edit

routes:
  # A template route: what is between {{{{ and }}}} is rendered for each request. The same request gets the
  # same values on every run (change them with `mockery serve --seed N`).
  - name: greet
    path: /hello/{{name}}
    response:
      body:
        greeting: "Hello, {{{{ request.path_params.name }}}}!"
        lucky_number: "{{{{ faker.pyint(min_value=1, max_value=99) }}}}"
        at: "{{{{ now() }}}}"

  # A scenario, a small state machine: GET /order answers "pending" until POST /order/pay moves the
  # scenario "checkout" from its first state, started, to paid. POST /__mockery/reset starts it again.
  - path: /order
    scenario: {{name: checkout, state: started}}
    response:
      body: {{status: pending}}
  - method: POST
    path: /order/pay
    scenario: {{name: checkout, state: started, next: paid}}
    response:
      status: 202
  - path: /order
    scenario: {{name: checkout, state: paid}}
    response:
      body: {{status: paid}}

# A resource: a fake database of 20 users served as REST (GET and POST /users; GET, PUT, PATCH and DELETE
# /users/{{id}}), with filters, sorting and paging on the list: GET /users?role=admin&_sort=name.
resources:
  users:
    count: 20
    fields:
      name: name  # a Faker provider: realistic names
      email: email
      role: {{choice: [admin, member], weights: [1, 4]}}
"""


class ScaffoldError(MockeryError):
    """``mockery init`` would overwrite a file (and ``--force`` was not given)."""


def modeline(schema: str) -> str:
    """The first line that points YAML editors at the spec language's schema (a path or a URL)."""
    return MODELINE_PREFIX + schema


def schema_text() -> str:
    """The JSON Schema of the spec language, as ``mockery schema`` prints it and ``--output`` writes it."""
    return json.dumps(spec_schema(), indent=2) + "\n"


def write_schema(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(schema_text(), encoding="utf-8")
    return path


def starter_spec(service: str = "hello", schema: str = f"../{SCHEMA_FILE}") -> str:
    """The text of the starter spec of service ``service``, its modeline pointing at ``schema``."""
    return STARTER.format(modeline=modeline(schema), service=service, folder=SPEC_FOLDER, schema=SCHEMA_FILE)


def _refuse_overwrite(files: dict[Path, str], force: bool) -> None:
    """Refuse to replace a file that holds something else (a file holding what would be written is no loss)."""
    existing = [path for path, text in files.items() if path.exists() and path.read_text(encoding="utf-8") != text]
    if existing and not force:
        names = ", ".join(str(path) for path in existing)
        raise ScaffoldError(f"not overwriting {names}: edit it, or run `mockery init --force` to write it again")


def init(folder: Path, *, service: str = "hello", force: bool = False) -> list[Path]:
    """Write ``folder/specs/<service>.yaml`` (the starter spec) and ``folder/mockery.schema.json``; returns the
    paths written. ``ScaffoldError`` if either exists, unless ``force``."""
    if not (service[:1].isascii() and service[:1].isalpha() and all(c in _NAME_CHARACTERS for c in service)):
        raise ScaffoldError(
            f"--service {service!r}: a service name is lower-case letters, digits and -, first a letter"
        )
    spec = folder / SPEC_FOLDER / f"{service}.yaml"
    schema = folder / SCHEMA_FILE
    text = starter_spec(service)
    _refuse_overwrite({spec: text, schema: schema_text()}, force)
    spec.parent.mkdir(parents=True, exist_ok=True)
    spec.write_text(text, encoding="utf-8")
    return [spec, write_schema(schema)]


def init_from_openapi(folder: Path, document: Path, *, force: bool = False) -> list[Path]:
    """Import the OpenAPI ``document`` into ``folder/specs/`` (``mockery import openapi``), its first line
    pointing at ``folder/mockery.schema.json``, written too; returns the paths written."""
    from mockery.importers.openapi import write_spec

    specs = folder / SPEC_FOLDER
    with tempfile.TemporaryDirectory() as scratch:
        # Imported beside copies of the specs already there: the importer picks the name it would pick there.
        trial = Path(scratch) / SPEC_FOLDER
        if specs.is_dir():
            shutil.copytree(specs, trial)
            for copy in trial.glob("*.yaml"):  # the importer knows its own files by their first line
                text = copy.read_text(encoding="utf-8", errors="replace")
                if text.startswith(MODELINE_PREFIX):
                    copy.write_text(text.split("\n", 1)[-1], encoding="utf-8")
        written = write_spec(document, trial)
        text = written.read_text(encoding="utf-8")
    if not text.startswith(MODELINE_PREFIX):
        text = modeline(f"../{SCHEMA_FILE}") + "\n" + text
    spec, schema = specs / written.name, folder / SCHEMA_FILE
    _refuse_overwrite({spec: text, schema: schema_text()}, force)
    specs.mkdir(parents=True, exist_ok=True)
    spec.write_text(text, encoding="utf-8")
    return [spec, write_schema(schema)]
