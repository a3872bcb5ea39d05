"""mockery.templates.dates: one date/time rule (RFC 3339 with a zone; dates YYYY-MM-DD; times HH:MM:SS) in every
position a response carries one: a JSON body, a string around it, a header, a resource field."""

from __future__ import annotations

import contextvars
import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockery import MockServer
from mockery.templates.dates import rfc3339
from mockery.templates.environment import compile_template
from mockery.templates.fakes import Clock, json_default, new_generator, provider_names, service_randomness

WriteSpec = Callable[..., Path]
Serve = Callable[..., MockServer]

INSTANT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?([+-]\d\d:\d\d|Z)")
DATE = re.compile(r"\d{4}-\d\d-\d\d")
TIME = re.compile(r"\d\d:\d\d:\d\d(\.\d{1,6})?")


def _kind(value: Any) -> str | None:
    if isinstance(value, dt.datetime):
        return "instant"
    if isinstance(value, dt.date):
        return "date"
    if isinstance(value, dt.time):
        return "time"
    return None


def date_providers() -> dict[str, str]:
    """Every provider of the default locale that gives a date, a time or a datetime, with which it gives."""
    generator = new_generator("en_US")
    found = {}
    for name in sorted(provider_names("en_US")):
        try:
            kind = _kind(getattr(generator, name)())
        except Exception:  # a provider that needs arguments gives no date when called bare
            continue
        if kind is not None:
            found[name] = kind
    return found


PROVIDERS = date_providers()
PATTERNS = {"instant": INSTANT, "date": DATE, "time": TIME}


def test_the_default_locale_has_providers_of_each_kind() -> None:
    assert {"date_time", "date_time_this_year", "past_datetime", "date_of_birth", "time_object"} <= set(PROVIDERS)
    assert set(PROVIDERS.values()) == {"instant", "date", "time"}


def spec_of_every_date_provider() -> str:
    lines = ["service: dates", "routes:", "  - path: /body", "    response:", "      body:"]
    lines += [f'        {name}: "{{{{ faker.{name}() }}}}"' for name in PROVIDERS]
    lines += ["  - path: /text", "    response:", "      body:"]
    lines += [f'        {name}: "at {{{{ faker.{name}() }}}} and"' for name in PROVIDERS]
    lines += ["  - path: /headers", "    response:", "      headers:"]
    lines += [f'        x-{name.replace("_", "-")}: "{{{{ faker.{name}() }}}}"' for name in PROVIDERS]
    lines += ["      body: ok", "resources:", "  events:", "    count: 3", "    fields:"]
    lines += [f"      {name}: {name}" for name in PROVIDERS]
    lines += [f'      {name}_template: "{{{{ faker.{name}() }}}}"' for name in PROVIDERS]
    return "\n".join(lines) + "\n"


def test_every_date_provider_is_rfc_3339_in_every_position(write_spec: WriteSpec, serve: Serve) -> None:
    server = serve(write_spec(spec_of_every_date_provider()))
    url = server.url_for("dates")
    body = httpx.get(f"{url}/body").json()
    text = httpx.get(f"{url}/text").json()
    headers = httpx.get(f"{url}/headers").headers
    records = httpx.get(f"{url}/events").json()
    assert len(records) == 3
    for name, kind in PROVIDERS.items():
        pattern = PATTERNS[kind]
        assert pattern.fullmatch(body[name]), (name, body[name])
        written = text[name]
        assert written.startswith("at "), (name, written)
        assert written.endswith(" and"), (name, written)
        assert pattern.fullmatch(written[3:-4]), (name, written)
        header = headers[f"x-{name.replace('_', '-')}"]
        assert pattern.fullmatch(header), (name, header)
        for record in records:
            for field in (name, f"{name}_template"):
                assert pattern.fullmatch(record[field]), (name, field, record[field])
        if kind == "instant":
            assert body[name].endswith("+00:00"), "a Faker datetime without a zone is taken as UTC"


def test_the_same_seed_gives_the_same_bytes(write_spec: WriteSpec, serve: Serve) -> None:
    path = write_spec(spec_of_every_date_provider())
    first, second = serve(path), serve(path)
    for route in ("/body", "/text", "/events"):
        answers = [httpx.get(f"{server.url_for('dates')}{route}") for server in (first, second)]
        assert answers[0].content == answers[1].content, route


def test_now_reads_the_same_alone_in_a_string_in_a_header_and_in_a_resource(
    write_spec: WriteSpec, serve: Serve
) -> None:
    spec = """\
        service: clock
        routes:
          - path: /now
            response:
              headers: {x-now: "{{ now() }}", x-at: "at {{ now() }}"}
              body:
                alone: "{{ now() }}"
                text: "at {{ now() }}"
                joined: "{{ 'at ' ~ now() }}"
                string: "{{ now() | string }}"
                list: "{{ [now()] }}"
                formatted: "{{ now().strftime('%d/%m/%Y %H:%M') }}"
        resources:
          ticks:
            count: 1
            fields:
              at: "{{ now() }}"
        """
    server = serve(write_spec(spec))
    answer = httpx.get(f"{server.url_for('clock')}/now")
    instant = "2026-01-01T00:00:00+00:00"
    assert answer.json() == {
        "alone": instant,
        "text": f"at {instant}",
        "joined": f"at {instant}",
        "string": instant,
        "list": [instant],
        "formatted": "01/01/2026 00:00",
    }
    assert (answer.headers["x-now"], answer.headers["x-at"]) == (instant, f"at {instant}")
    assert httpx.get(f"{server.url_for('clock')}/ticks").json()[0]["at"] == instant


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (dt.datetime(2025, 10, 30, 14, 10, 51, 528707), "2025-10-30T14:10:51.528707+00:00"),
        (dt.datetime(2025, 10, 30, 14, 10, 51, tzinfo=dt.UTC), "2025-10-30T14:10:51+00:00"),
        (
            dt.datetime(2025, 10, 30, 14, 10, tzinfo=dt.timezone(dt.timedelta(hours=2))),
            "2025-10-30T14:10:00+02:00",
        ),
        (dt.date(2025, 10, 30), "2025-10-30"),
        (dt.time(14, 10, 51), "14:10:51"),
    ],
    ids=["naive-is-utc", "utc", "offset-kept", "date", "time"],
)
def test_rfc3339(value: dt.date | dt.time, text: str) -> None:
    assert rfc3339(value) == text
    assert json_default(value) == text


def test_a_faker_datetime_in_a_template_is_an_instant_in_utc_and_the_clock_pins_it() -> None:
    # A render pins Faker's clock for the rest of its context (a request's task, on a server): run it in a copy,
    # so the clock of this test does not stay pinned for the tests after it in this process.
    contextvars.copy_context().run(_a_render_with_a_pinned_clock)


def _a_render_with_a_pinned_clock() -> None:
    randomness = service_randomness(7, new_generator("en_US"), "en_US", Clock.parse("2030-05-01T12:00:00Z"))
    randomness.reseed(1)
    variables = dict(randomness.globals)
    value = compile_template("{{ faker.date_time_this_month() }}").render(variables)
    assert INSTANT.fullmatch(value), value
    assert value.endswith("+00:00"), value
    assert "2030-05-01T00:00:00+00:00" <= value <= "2030-05-01T12:00:00+00:00"
    assert compile_template("{{ faker.iso8601() }}").render(variables).endswith("+00:00")
    assert compile_template("{{ faker.date_time().tzinfo is none }}").render(variables) is False
