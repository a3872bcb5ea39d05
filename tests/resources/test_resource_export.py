"""mockery export (issue 19, point 5): the state of collections, or records generated without serving, as JSON,
JSON Lines, CSV, or SQL that a real SQLite and a real PostgreSQL load with their foreign keys intact."""

from __future__ import annotations

import csv
import io
import os
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from click.testing import CliRunner

from mockery import MockServer
from mockery.cli import cli
from mockery.resources.export import DIALECT_OF, ExportError
from tests.store.postgres_server import Postgres, running_postgres

Serve = Callable[..., MockServer]

NASTY = "'); DROP TABLE users; -- \\' \" ` \\\\ ; é 雪"

SPEC = f"""
service: shop
resources:
  companies:
    count: 4
    fields: {{name: company, country: country}}
  users:
    count: 30
    fields:
      name: name
      age: {{faker: pyint, min_value: 18, max_value: 90}}
      role: {{choice: [admin, member, {orjson.dumps(NASTY).decode()}]}}
      company_id: {{ref: companies}}
      manager_id: {{ref: users}}
      active: {{faker: boolean}}
      score: {{faker: pyfloat, min_value: -10, max_value: 10}}
      tags: {{array: word, min: 0, max: 3}}
      address: {{fields: {{city: city, "select": postcode}}}}
      level: {{choice: [1, "two", null]}}
  order:
    count: 50
    id: uuid
    fields:
      user_id: {{ref: users}}
      "group": {{const: "a \\"quoted\\" group"}}
      total: {{faker: pyint, min_value: 1, max_value: 500}}
"""

COUNTS = {"companies": 4, "users": 30, "order": 50}


@pytest.fixture
def shop(write_spec: Callable[..., Path]) -> Path:
    return write_spec(SPEC, name="shop.yaml")


@pytest.fixture(scope="session")
def postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Postgres]:
    base = tmp_path_factory.getbasetemp()
    with running_postgres(base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) as server:
        yield server


def export(*arguments: str) -> str:
    result = CliRunner().invoke(cli, ["export", *arguments], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def records_of(server: MockServer, name: str) -> list[dict[str, Any]]:
    answer = httpx.get(f"{server.url}/{name}?_limit=1000")
    assert answer.status_code == 200
    found: list[dict[str, Any]] = answer.json()
    return found


def in_sqlite(script: str) -> sqlite3.Connection:
    connection = sqlite3.connect(":memory:")
    connection.executescript(script)
    connection.execute("PRAGMA foreign_keys = ON")
    return connection


def test_sql_loads_into_sqlite_with_its_foreign_keys(shop: Path, serve: Serve) -> None:
    script = export(str(shop), "--format", "sql", "--dialect", "sqlite")
    db = in_sqlite(script)
    for table, count in COUNTS.items():
        assert db.execute(f'SELECT count(*) FROM "{table}"').fetchone() == (count,)
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    foreign = {(row[2], row[3]) for table in COUNTS for row in db.execute(f"PRAGMA foreign_key_list('{table}')")}
    assert foreign == {("companies", "company_id"), ("users", "manager_id"), ("users", "user_id")}
    # The values are the served ones, the nasty text included, typed by the field kinds.
    users = records_of(serve(shop), "users")
    rows = db.execute('SELECT id, name, age, role, company_id, active, score, tags, address, level FROM "users"')
    for row, user in zip(rows.fetchall(), users, strict=True):
        assert row[:5] == (user["id"], user["name"], user["age"], user["role"], user["company_id"])
        assert bool(row[5]) is user["active"]
        assert row[6] == pytest.approx(user["score"])
        assert orjson.loads(row[7]) == user["tags"]
        assert orjson.loads(row[8]) == user["address"]
        assert row[9] == (None if user["level"] is None else str(user["level"]))
    assert NASTY in {user["role"] for user in users}


def test_sql_loads_into_postgres_with_its_foreign_keys(shop: Path, postgres: Postgres, serve: Serve) -> None:
    script = export(str(shop), "--format", "sql", "--dialect", "postgres")
    database = postgres.new_database()
    done = postgres.run_sql(script, database)
    assert done.returncode == 0, done.stderr
    for table, count in COUNTS.items():
        assert postgres.query(f'SELECT count(*) FROM "{table}"', database) == [[str(count)]]
    keys = postgres.query(
        "SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint"
        " WHERE contype = 'f' ORDER BY 1, 2",
        database,
    )
    assert keys == [['"order"', "users"], ["users", "companies"], ["users", "users"]]
    orphans = postgres.query(
        'SELECT count(*) FROM "order" o LEFT JOIN users u ON u.id = o.user_id WHERE u.id IS NULL', database
    )
    assert orphans == [["0"]]
    users = records_of(serve(shop), "users")
    roles = [row[0] for row in postgres.query("SELECT role FROM users ORDER BY id", database)]
    assert roles == [user["role"] for user in users]
    assert postgres.query("SELECT data_type FROM information_schema.columns WHERE column_name = 'tags'", database) == [
        ["jsonb"]
    ]
    # A foreign key the export declared is enforced: a row pointing nowhere is refused.
    refused = postgres.run_sql("INSERT INTO users (id, company_id) VALUES (999, 999);", database)
    assert refused.returncode != 0
    assert "foreign key" in refused.stderr


def test_the_state_a_server_kept_is_exported_and_loads(
    write_spec: Callable[..., Path], tmp_path: Path, serve: Serve, postgres: Postgres
) -> None:
    shop = write_spec(SPEC, name="shop.yaml")
    state = f"sqlite:///{tmp_path / 'state.db'}"
    server = serve(shop, store=state)
    with httpx.Client(base_url=server.url) as http:
        assert http.post("/users", json={"name": "New O'Neil", "role": "admin", "company_id": 2}).status_code == 201
        assert http.patch("/users/3", json={"name": "Changed", "age": 40}).status_code == 200
        assert http.delete("/users/4").status_code in (200, 204)
        assert http.delete("/companies/1").status_code in (200, 204)
        served = {name: records_of(server, name) for name in COUNTS}
    server.stop()
    exported = orjson.loads(export(str(shop), "--state", state))
    assert exported == served
    users = {user["id"]: user for user in exported["users"]}
    assert users[31]["name"] == "New O'Neil"
    assert users[3]["name"] == "Changed"
    assert 4 not in users
    database = postgres.new_database()
    done = postgres.run_sql(export(str(shop), "--state", state, "--format", "sql"), database)
    assert done.returncode == 0, done.stderr
    assert postgres.query("SELECT count(*) FROM users", database) == [["30"]]
    # Refs to the deleted company and user are written as NULL: the foreign keys hold.
    gone = sum(1 for user in exported["users"] if user.get("company_id") == 1 or user.get("manager_id") == 4)
    assert gone > 0
    assert postgres.query("SELECT count(*) FROM users WHERE company_id = 1 OR manager_id = 4", database) == [["0"]]
    db = in_sqlite(export(str(shop), "--state", state, "--format", "sql", "--dialect", "sqlite"))
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert db.execute("SELECT name FROM users WHERE id = 31").fetchone() == ("New O'Neil",)


def test_count_exports_that_many_generated_records_the_server_would_serve(shop: Path, serve: Serve) -> None:
    exported = [
        orjson.loads(line)
        for line in export(str(shop), "--resource", "users", "--format", "jsonl", "--count", "500").splitlines()
    ]
    assert len(exported) == 500
    assert [user["id"] for user in exported] == list(range(1, 501))
    served = records_of(serve(shop), "users")
    # The records a server serves, but for refs to exported collections, drawn among the exported records.
    assert [{**user, "manager_id": 0} for user in exported[:30]] == [{**user, "manager_id": 0} for user in served]
    assert {user["manager_id"] for user in exported} <= set(range(1, 501))
    assert max(user["manager_id"] for user in exported) > 30
    db = in_sqlite(export(str(shop), "--format", "sql", "--dialect", "sqlite", "--count", "300"))
    assert db.execute("SELECT count(*) FROM users").fetchone() == (300,)
    assert db.execute('SELECT count(*) FROM "order"').fetchone() == (300,)
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []


def test_jsonl_and_csv_read_back_to_the_records(shop: Path, serve: Serve) -> None:
    users = records_of(serve(shop), "users")
    lines = export(str(shop), "--resource", "shop.users", "--format", "jsonl").splitlines()
    assert [orjson.loads(line) for line in lines] == users
    text = export(str(shop), "--resource", "users", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == [
        "id",
        "name",
        "age",
        "role",
        "company_id",
        "manager_id",
        "active",
        "score",
        "tags",
        "address",
        "level",
    ]

    def cell(name: str, value: str) -> Any:
        if name in ("tags", "address", "id", "age", "company_id", "manager_id", "score"):
            return orjson.loads(value)
        if name == "active":
            return value == "true"
        if name == "level":
            return None if value == "" else orjson.loads(value) if value.isdigit() else value
        return value

    assert [{name: cell(name, value) for name, value in row.items()} for row in rows] == users


def test_out_writes_a_file(shop: Path, tmp_path: Path) -> None:
    target = tmp_path / "seed.sql"
    result = CliRunner().invoke(cli, ["export", str(shop), "--format", "sql", "--out", str(target)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert f"wrote {target}" in result.stderr
    assert target.read_text().count("CREATE TABLE") == 3


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--resource", "user"], "no collection 'user' in"),
        (["--resource", "user"], "did you mean 'users'?"),
        (["--format", "csv"], "--format csv writes one collection; name one with --resource"),
        (["--format", "xml"], "'xml' is not one of 'json', 'jsonl', 'csv', 'sql'"),
        (["--dialect", "oracle"], "'oracle' is not one of 'postgres', 'sqlite', 'mysql'"),
        (["--count", "-1"], "-1 is not in the range x>=0"),
        (["--state", "ftp://x"], "ftp"),
    ],
    ids=["unknown-resource", "suggestion", "csv-of-several", "format", "dialect", "count", "store"],
)
def test_bad_arguments_say_what_is_wrong(shop: Path, arguments: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, ["export", str(shop), *arguments])
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output


def test_a_broken_spec_is_reported_with_its_place(write_spec: Callable[..., Path]) -> None:
    broken = write_spec("service: x\nresources:\n  users:\n    count: many\n", name="x.yaml")
    result = CliRunner().invoke(cli, ["export", str(broken)])
    assert result.exit_code == 1
    assert "x.yaml:4:" in result.output


def test_a_spec_without_resources_has_nothing_to_export(write_spec: Callable[..., Path]) -> None:
    plain = write_spec("service: x\nroutes:\n  - path: /a\n    response: {body: a}\n", name="x.yaml")
    result = CliRunner().invoke(cli, ["export", str(plain)])
    assert result.exit_code == 2
    assert "nothing to export" in result.output


@pytest.mark.parametrize(
    ("dialect", "value", "literal"),
    [
        ("postgres", "a'b\\c", "'a''b\\c'"),
        ("sqlite", "a'b\\c", "'a''b\\c'"),
        ("mysql", "a'b\\c", "'a''b\\\\c'"),
        ("mysql", "\\'; DROP TABLE t; --", "'\\\\''; DROP TABLE t; --'"),
        ("mysql", "nul\x00", "'nul\\0'"),
        ("sqlite", True, "1"),
        ("postgres", False, "FALSE"),
        ("postgres", None, "NULL"),
        ("postgres", [1, "x'"], "'[1,\"x''\"]'"),
    ],
)
def test_literals_are_escaped_for_their_dialect(dialect: str, value: Any, literal: str) -> None:
    column = "boolean" if isinstance(value, bool) else "string"
    assert DIALECT_OF[dialect].literal(value, column) == literal


@pytest.mark.parametrize(
    ("dialect", "name", "quoted"),
    [("postgres", 'we"ird', '"we""ird"'), ("sqlite", "order", '"order"'), ("mysql", "a`b", "`a``b`")],
)
def test_names_are_quoted_for_their_dialect(dialect: str, name: str, quoted: str) -> None:
    assert DIALECT_OF[dialect].name_of(name) == quoted


def test_what_a_database_cannot_store_is_refused_with_the_reason() -> None:
    with pytest.raises(ExportError, match="NUL character, which PostgreSQL cannot store"):
        DIALECT_OF["postgres"].literal("a\x00b", "string")
    with pytest.raises(ExportError, match="NUL character, which no database takes in a name"):
        DIALECT_OF["sqlite"].name_of("a\x00b")


ROUND_TRIP = """
service: shop
resources:
  companies:
    count: 4
    fields: {name: company}
  users:
    count: 25
    DATA
    fields:
      name: name
      age: {faker: pyint, min_value: 18, max_value: 90, type: integer}
      score: {faker: pyfloat, min_value: -5, max_value: 5, type: number}
      role: {choice: [admin, "o'brien, \\"the\\" member"]}
      company_id: {ref: companies}
      active: {faker: boolean, type: boolean}
      motto: "{{ faker.sentence() }}"
"""


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_an_export_seeds_a_collection_that_serves_the_same_records(
    write_spec: Callable[..., Path], tmp_path: Path, serve: Serve, fmt: str
) -> None:
    original = write_spec(ROUND_TRIP.replace("    DATA\n", ""), name="original/shop.yaml")
    served = records_of(serve(original), "users")
    exported = export(str(original), "--resource", "users", "--format", fmt)
    (tmp_path / "seeded").mkdir()
    (tmp_path / "seeded" / f"users.{fmt}").write_text(exported, encoding="utf-8")
    seeded = write_spec(ROUND_TRIP.replace("DATA", f"data: users.{fmt}"), name="seeded/shop.yaml")
    assert records_of(serve(seeded), "users") == served


def test_the_state_kept_in_redis_is_exported(write_spec: Callable[..., Path], serve: Serve) -> None:
    from tests.store.redis_server import running_redis

    shop = write_spec(SPEC, name="shop.yaml")
    with running_redis() as redis:
        server = serve(shop, store=redis.url)
        with httpx.Client(base_url=server.url) as http:
            assert http.patch("/companies/2", json={"name": "Renamed; 'quoted'"}).status_code == 200
            assert http.delete("/companies/3").status_code in (200, 204)
            served = records_of(server, "companies")
        server.stop()
        exported = orjson.loads(export(str(shop), "--resource", "companies", "--state", redis.url))
        assert exported == served
        assert [company["id"] for company in exported] == [1, 2, 4]
        db = in_sqlite(export(str(shop), "--state", redis.url, "--format", "sql", "--dialect", "sqlite"))
        assert db.execute("SELECT name FROM companies WHERE id = 2").fetchone() == ("Renamed; 'quoted'",)
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        assert db.execute("SELECT count(*) FROM users WHERE company_id = 3").fetchone() == (0,)


def test_seed_data_and_string_ids_export_with_their_relations(write_spec: Callable[..., Path]) -> None:
    write_spec("id,name,team_id\nada,Ada Lovelace,t1\ngrace,Grace Hopper,t2\n", name="users.csv")
    write_spec('[{"id": "t1", "name": "Core"}, {"id": "t2", "name": "Edge"}]', name="teams.json")
    org = write_spec(
        """\
        service: org
        resources:
          teams: {id: string, data: teams.json, fields: {name: word}}
          users:
            id: string
            data: users.csv
            count: 4
            fields: {name: name, team_id: {ref: teams}}
        """,
        name="org.yaml",
    )
    db = in_sqlite(export(str(org), "--format", "sql", "--dialect", "sqlite"))
    assert db.execute("SELECT id, name, team_id FROM users ORDER BY rowid").fetchall()[:2] == [
        ("ada", "Ada Lovelace", "t1"),
        ("grace", "Grace Hopper", "t2"),
    ]
    assert db.execute("SELECT count(*) FROM users").fetchone() == (4,)
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert db.execute("SELECT type FROM pragma_table_info('users') WHERE name = 'id'").fetchone() == ("TEXT",)


PINNED = """
service: shop
resources:
  profile:
    singleton: true
    fields: {name: name, theme: {choice: [dark, light]}}
  customers: {count: 10, fields: {name: name}}
  orders:
    count: 40
    fields:
      customer_id: {ref: customers, per_parent: 2..6}
      total: {faker: pyint, min_value: 1, max_value: 99}
"""


def test_a_singleton_is_one_object_and_one_row(write_spec: Callable[..., Path], serve: Serve) -> None:
    shop = write_spec(PINNED, name="shop.yaml")
    profile = httpx.get(serve(shop).url + "/profile").json()
    assert orjson.loads(export(str(shop), "--resource", "profile")) == profile
    assert orjson.loads(export(str(shop)))["profile"] == profile
    db = in_sqlite(export(str(shop), "--format", "sql", "--dialect", "sqlite"))
    assert db.execute("SELECT name, theme FROM profile").fetchall() == [(profile["name"], profile["theme"])]


def test_count_keeps_refs_pinned_to_their_parents(write_spec: Callable[..., Path], serve: Serve) -> None:
    shop = write_spec(PINNED, name="shop.yaml")
    served = records_of(serve(shop), "orders")
    orders = orjson.loads(export(str(shop), "--resource", "orders"))
    assert orders == served
    assert {order["customer_id"] for order in orders[:2]} == {1}  # handed out in order: customer 1 first
    db = in_sqlite(export(str(shop), "--format", "sql", "--dialect", "sqlite", "--count", "25"))
    assert db.execute("SELECT count(*) FROM orders WHERE customer_id IS NULL").fetchone() == (0,)
    assert db.execute("SELECT max(customer_id) FROM orders").fetchone()[0] <= 25
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []


def test_two_collections_of_one_name_are_not_one_table(write_spec: Callable[..., Path]) -> None:
    write_spec("service: a\nresources:\n  users: {count: 2}\n", name="a.yaml")
    both = write_spec("service: b\nbase_path: /b\nresources:\n  users: {count: 2}\n", name="b.yaml")
    result = CliRunner().invoke(cli, ["export", str(both.parent), "--format", "sql"])
    assert result.exit_code == 2
    assert "the collections a.users, b.users would all be the table 'users'" in result.output
    one = CliRunner().invoke(cli, ["export", str(both.parent), "--format", "sql", "--resource", "b.users"])
    assert one.exit_code == 0, one.output
    assert one.stdout.count("CREATE TABLE") == 1


def test_a_name_two_services_share_must_be_given_with_its_service(write_spec: Callable[..., Path]) -> None:
    write_spec("service: a\nresources:\n  users: {count: 2}\n", name="a.yaml")
    both = write_spec("service: b\nbase_path: /b\nresources:\n  users: {count: 2}\n", name="b.yaml")
    result = CliRunner().invoke(cli, ["export", str(both.parent), "--resource", "users"])
    assert result.exit_code == 2
    assert "'users' is any of a.users, b.users: name one as SERVICE.NAME" in result.output
