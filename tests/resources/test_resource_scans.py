"""Scans of big collections (filters, sorts, nested lists, ``_embed``) run off the event loop, with the same
answers as on it (issue 13, "what to build" point 3)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockery import MockServer
from mockery.resources.collection import Collection

Serve = Callable[..., MockServer]

COUNT = 1500  # just big enough to scan in the worker thread (DEFAULT_LOOP_SCAN is 1000)

BIG = f"""
service: big
resources:
  users:
    count: {COUNT}
    fields:
      name: name
      age: {{faker: pyint, min_value: 18, max_value: 90}}
      role: {{choice: [admin, member, guest], weights: [1, 8, 1]}}
      team_id: {{ref: teams}}
      motto: "{{{{ faker.word() }}}} {{{{ random.randint(1, 9) }}}}"
  teams:
    count: 5
    fields: {{name: company}}
"""

FILTER = "/users?role=admin&_sort=-age,name&_limit=50"


@pytest.fixture
def big(write_spec: Callable[..., Path]) -> Path:
    return write_spec(BIG, name="big.yaml")


def users_of(server: MockServer) -> Collection:
    collection: Collection = server.app.listener.runtime.resources.collections["big.users"]
    return collection


def is_scanning(collection: Collection) -> bool:
    return collection.scanning


def everyone(http: httpx.Client) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    for start in range(0, COUNT, 1000):
        records.extend(http.get(f"/users?_start={start}&_limit=1000").json())
    assert len(records) == COUNT
    return records


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[Collection], tuple[threading.Event, threading.Event]]]:
    """Hold a collection's worker-thread scan at its first record until the test releases it."""
    releases: list[threading.Event] = []

    def hold(collection: Collection) -> tuple[threading.Event, threading.Event]:
        started, release = threading.Event(), threading.Event()
        releases.append(release)
        generate = collection._thread_record

        def gated(number: int) -> dict[str, Any]:
            started.set()
            assert release.wait(60)
            return generate(number)

        # A query answered from columns asks for the thread's factory first; any other scan, for records.
        make_factory = collection._thread_factory

        def gated_factory() -> Any:
            started.set()
            assert release.wait(60)
            return make_factory()

        monkeypatch.setattr(collection, "_thread_record", gated)
        monkeypatch.setattr(collection, "_thread_factory", gated_factory)
        return started, release

    yield hold
    for release in releases:
        release.set()


@pytest.mark.slow
def test_a_big_scan_answers_as_the_loop_would(big: Path, serve: Serve) -> None:
    server = serve(big)
    users = users_of(server)
    assert users.scans_off_loop
    with httpx.Client(base_url=server.url, timeout=60) as http:
        records = everyone(http)
        answers = {
            FILTER: http.get(FILTER),
            "/teams/2/users?_sort=name": http.get("/teams/2/users?_sort=name"),
            "/users?q=a&_start=10&_end=20": http.get("/users?q=a&_start=10&_end=20"),
        }
        embedded = http.get("/teams?_embed=users").json()
        on_loop = users.factory.generated
        assert on_loop == COUNT  # the pages above; the scans generated in the worker thread
        assert users._twin is not None
        assert users._twin.generated >= COUNT
        admins = sorted((r for r in records if r["role"] == "admin"), key=lambda r: (-r["age"], r["name"]))
        assert answers[FILTER].json() == admins[:50]
        assert answers[FILTER].headers["x-total-count"] == str(len(admins))
        team = sorted((r for r in records if r["team_id"] == 2), key=lambda r: r["name"])
        assert answers["/teams/2/users?_sort=name"].json() == team
        matching = [r for r in records if any("a" in str(v).lower() for v in r.values())]
        assert answers["/users?q=a&_start=10&_end=20"].json() == matching[10:20]
        assert [len(t["users"]) for t in embedded] == [sum(r["team_id"] == t["id"] for r in records) for t in embedded]
        assert embedded[1]["users"] == [r for r in records if r["team_id"] == 2]
    # The same answers from a server that scans on the loop: generation in the thread changes nothing.
    loop_server = serve(big)
    users_of(loop_server).loop_scan = COUNT
    with httpx.Client(base_url=loop_server.url, timeout=60) as http:
        for path, answer in answers.items():
            assert http.get(path).content == answer.content, path
        assert users_of(loop_server)._twin is None


def test_the_loop_answers_other_requests_while_a_big_scan_runs(
    big: Path, serve: Serve, gate: Callable[[Collection], tuple[threading.Event, threading.Event]]
) -> None:
    server = serve(big)
    users = users_of(server)
    started, release = gate(users)
    answers: list[httpx.Response] = []

    def scan() -> None:
        with httpx.Client(base_url=server.url, timeout=60) as http:
            answers.append(http.get(FILTER))

    scanning = threading.Thread(target=scan)
    scanning.start()
    try:
        assert started.wait(60)
        with httpx.Client(base_url=server.url, timeout=60) as http:
            # The scan is held in the worker thread: these are answered by the event loop meanwhile.
            assert http.get("/users/7").status_code == 200
            assert len(http.get("/users?_page=3&_limit=5").json()) == 5
            assert http.post("/teams", json={"name": "New"}).status_code == 201
        assert is_scanning(users)
        assert scanning.is_alive()
        assert not answers
    finally:
        release.set()
        scanning.join(60)
    assert answers[0].status_code == 200
    assert not is_scanning(users)
    with httpx.Client(base_url=server.url, timeout=60) as http:
        assert http.get(FILTER).content == answers[0].content  # kept for the next client


@pytest.mark.slow
def test_a_write_during_a_big_scan_does_not_send_the_scan_back_to_the_loop(
    big: Path, serve: Serve, gate: Callable[[Collection], tuple[threading.Event, threading.Event]]
) -> None:
    server = serve(big)
    users = users_of(server)
    started, release = gate(users)
    answers: list[httpx.Response] = []

    def scan() -> None:
        with httpx.Client(base_url=server.url, timeout=60) as http:
            answers.append(http.get(FILTER))

    scanning = threading.Thread(target=scan)
    scanning.start()
    try:
        assert started.wait(60)
        with httpx.Client(base_url=server.url, timeout=60) as http:
            assert http.patch("/users/1", json={"role": "admin", "age": 200}).status_code == 200
    finally:
        release.set()
        scanning.join(60)
    assert answers[0].status_code == 200
    assert users.factory.generated < 100  # the answer came from the thread's scan, not from one on the loop
    with httpx.Client(base_url=server.url, timeout=60) as http:
        after = http.get(FILTER).json()  # a new request sees the write
    assert after[0]["id"] == 1
    assert after[0]["age"] == 200
