"""Seeded values stay the same across Faker releases, or this test says loudly which release changed them.

mockery's promise is that a seed gives the same names, e-mails, records and documents' examples on every run;
those values come from Faker, whose releases change its data and algorithms now and then. This test generates a
fixed set of values four ways (Faker's providers as mockery calls them, a templated route's per-request values,
a collection's generated records, an OpenAPI operation's generated answer) and compares them with
tests/faker_snapshot.json, taken with the Faker release it names. pyproject.toml declares the Faker releases
whose values were checked this way.

After a deliberate Faker upgrade that changes values: ``PYTHONPATH=. python3 tests/test_faker_snapshot.py`` rewrites the
snapshot with the installed release, then widen or move the range in pyproject.toml and say so in the changelog.
"""

from __future__ import annotations

import contextvars
import json
import sys
import tomllib
from pathlib import Path
from typing import Any

import faker
import httpx
from packaging.requirements import Requirement
from packaging.version import Version

from mockery import MockServer
from mockery.templates.fakes import Clock, derive_seed, new_generator, use_clock

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT = Path(__file__).with_name("faker_snapshot.json")

# (locale, provider, keyword arguments): what specs' `faker.X()` and resource fields call most.
PROVIDERS: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("en_US", "name", {}),
    ("en_US", "first_name", {}),
    ("en_US", "last_name", {}),
    ("en_US", "email", {}),
    ("en_US", "user_name", {}),
    ("en_US", "address", {}),
    ("en_US", "street_address", {}),
    ("en_US", "city", {}),
    ("en_US", "state", {}),
    ("en_US", "postcode", {}),
    ("en_US", "country", {}),
    ("en_US", "phone_number", {}),
    ("en_US", "company", {}),
    ("en_US", "job", {}),
    ("en_US", "word", {}),
    ("en_US", "sentence", {}),
    ("en_US", "text", {"max_nb_chars": 120}),
    ("en_US", "url", {}),
    ("en_US", "ipv4", {}),
    ("en_US", "uuid4", {}),
    ("en_US", "iban", {}),
    ("en_US", "credit_card_number", {}),
    ("en_US", "currency_code", {}),
    ("en_US", "color_name", {}),
    ("en_US", "pyint", {"min_value": 5, "max_value": 500}),
    ("en_US", "pyfloat", {"left_digits": 3, "right_digits": 2, "positive": True}),
    ("en_US", "pybool", {}),
    ("en_US", "date_of_birth", {}),
    ("en_US", "date_between", {"start_date": "-1y"}),
    ("en_US", "iso8601", {}),
    ("de_DE", "name", {}),
    ("fr_FR", "city", {}),
    ("ja_JP", "name", {}),
)

TEMPLATED = """\
service: people
routes:
  - path: /people/{id:int}
    response:
      body:
        id: "{{ request.path_params.id }}"
        name: "{{ faker.name() }}"
        email: "{{ faker.email() }}"
        address: "{{ faker.address() }}"
        born: "{{ faker.date_of_birth() }}"
        ref: "{{ uuid() }}"
        tier: "{{ random.choice(['basic', 'gold', 'platinum']) }}"
"""

RESOURCES = """\
service: shop
resources:
  customers:
    count: 5
    fields:
      name: name
      email: email
      city: city
      tier: {choice: [basic, gold], weights: [4, 1]}
      joined: {faker: date_between, start_date: -2y}
      spend: {faker: pyint, min_value: 5, max_value: 500}
"""

OPENAPI = """\
openapi: 3.0.3
info: {title: Accounts, version: "1"}
x-mockery-service: accounts
paths:
  /accounts/{id}:
    get:
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses:
        "200":
          description: an account
          content:
            application/json:
              schema:
                type: object
                required: [id, name, email, website, created, balance, country, phone, tags]
                properties:
                  id: {type: string, format: uuid}
                  name: {type: string}
                  email: {type: string, format: email}
                  website: {type: string, format: uri}
                  created: {type: string, format: date-time}
                  balance: {type: number, minimum: 0, maximum: 10000}
                  country: {type: string}
                  phone: {type: string}
                  tags: {type: array, minItems: 2, maxItems: 2, items: {type: string}}
"""


def _providers() -> dict[str, Any]:
    values: dict[str, Any] = {}
    generators: dict[str, Any] = {}
    use_clock(Clock())  # relative dates (-1y, a date of birth) follow the pinned clock, as in a render
    for locale, provider, arguments in PROVIDERS:
        generator = generators.get(locale) or generators.setdefault(locale, new_generator(locale))
        key = f"{locale} {provider}"
        generator.random.seed(derive_seed("snapshot", key))
        values[key] = str(getattr(generator, provider)(**arguments))
    return values


def _served(folder: Path) -> dict[str, Any]:
    (folder / "people.yaml").write_text(TEMPLATED, encoding="utf-8")
    (folder / "shop.yaml").write_text(RESOURCES, encoding="utf-8")
    (folder / "accounts.yaml").write_text(OPENAPI, encoding="utf-8")
    with MockServer(folder, seed=7) as mock, httpx.Client(base_url=mock.url) as client:

        def get(path: str) -> Any:
            answer = client.get(path)
            assert answer.status_code == 200, (path, answer.text)
            return answer.json()

        return {
            "templated /people/1": get("/people/1"),
            "templated /people/2": get("/people/2"),
            "templated /people/1 again": get("/people/1"),
            "resources /customers": get("/customers"),
            "openapi /accounts/a1": get("/accounts/a1"),
            "openapi /accounts/b2": get("/accounts/b2"),
        }


def generate(folder: Path) -> dict[str, Any]:
    """Every value of the snapshot, generated with the installed Faker."""
    # In a context of its own: the pinned clock set for the providers stays out of the tests that follow.
    return {"providers": contextvars.copy_context().run(_providers), "served": _served(folder)}


def _differences(expected: Any, actual: Any, where: str = "") -> list[str]:
    if isinstance(expected, dict) and isinstance(actual, dict):
        found = []
        for key in sorted(expected.keys() | actual.keys()):
            found += _differences(expected.get(key), actual.get(key), f"{where}/{key}")
        return found
    if isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        return [
            line
            for n, pair in enumerate(zip(expected, actual, strict=True))
            for line in _differences(*pair, f"{where}/{n}")
        ]
    return [] if expected == actual else [f"{where}: {expected!r} -> {actual!r}"]


def test_seeded_values_are_those_of_the_snapshot(tmp_path: Path) -> None:
    snapshot = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    differences = _differences(snapshot["values"], generate(tmp_path))
    if differences:
        shown = "\n  ".join(differences[:15])
        more = f"\n  ... and {len(differences) - 15} more" if len(differences) > 15 else ""
        raise AssertionError(
            f"Faker {faker.VERSION} generates other values than Faker {snapshot['faker']} did for the snapshot "
            f"(tests/faker_snapshot.json): {len(differences)} differ, so the same seed now serves other data:\n  "
            f"{shown}{more}\nInstall a Faker in the range pyproject.toml declares, or, to accept Faker "
            f"{faker.VERSION}'s values, run `PYTHONPATH=. python3 tests/test_faker_snapshot.py` and update that range."
        )


def test_the_second_request_for_the_same_path_gets_the_same_values() -> None:
    served = json.loads(SNAPSHOT.read_text(encoding="utf-8"))["values"]["served"]
    assert served["templated /people/1"] == served["templated /people/1 again"]
    assert served["templated /people/1"] != served["templated /people/2"]
    assert len(served["resources /customers"]) == 5
    assert served["openapi /accounts/a1"] != served["openapi /accounts/b2"]


def _declared_faker() -> Requirement:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    found = [Requirement(line) for line in project["dependencies"] if Requirement(line).name == "faker"]
    assert len(found) == 1, project["dependencies"]
    return found[0]


def test_pyproject_declares_a_bounded_faker_range_that_holds_the_snapshot_release() -> None:
    specifier = _declared_faker().specifier
    operators = {clause.operator for clause in specifier}
    assert operators & {">=", ">", "~=", "=="}, f"faker{specifier} has no lower bound"
    assert operators & {"<", "<=", "~=", "=="}, f"faker{specifier} has no upper bound"
    snapshot_release = json.loads(SNAPSHOT.read_text(encoding="utf-8"))["faker"]
    assert Version(snapshot_release) in specifier, f"the snapshot's Faker {snapshot_release} is not in faker{specifier}"
    assert Version(faker.VERSION) in specifier, f"the installed Faker {faker.VERSION} is not in faker{specifier}"


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        values = generate(Path(folder))
    SNAPSHOT.write_text(
        json.dumps({"faker": faker.VERSION, "values": values}, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    sys.stdout.write(f"wrote {SNAPSHOT} with Faker {faker.VERSION}\n")
