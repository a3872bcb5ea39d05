"""What only the SQLite store promises: changes survive reopening and kill -9; bad files are refused."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import httpx
import pytest

from mockery.store import SqliteStore, StoreError, open_store


def test_changes_survive_reopening(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/state.db"
    store = open_store(url)
    store.put_record("shop.users", "1", {"id": 1, "name": "Ada"})
    store.delete_record("shop.users", "2")
    store.next_id("shop.users", 100)
    store.set_value("k", "v")
    store.close()
    again = open_store(url)
    assert again.changes("shop.users") == {"1": {"id": 1, "name": "Ada"}, "2": None}
    assert again.next_id("shop.users", 100) == 102
    assert again.get_value("k") == "v"
    again.close()


def test_a_file_that_is_not_sqlite_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    path.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(StoreError, match="is not a mockery state file"):
        open_store(f"sqlite:///{path}")
    assert path.read_bytes() == b"this is not a database at all" * 100


def test_another_programs_database_is_refused(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "app.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE accounts (id INTEGER)")
    db.commit()
    db.close()
    with pytest.raises(StoreError, match="a SQLite database of another program"):
        open_store(f"sqlite:///{path}")


def test_a_damaged_state_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    store = SqliteStore(f"sqlite:///{path}")
    for number in range(300):
        store.put_record("c", str(number), {"text": "x" * 200})
    store.close()
    data = bytearray(path.read_bytes())
    for offset in range(4096, len(data), 4096):  # scribble over the start of every page but the first
        data[offset : offset + 64] = b"\xff" * 64
    path.write_bytes(bytes(data))
    with pytest.raises(StoreError, match=r"damaged|not a mockery state file"):
        open_store(f"sqlite:///{path}")


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///", "sqlite:///missing/folder/x.db"])
def test_a_url_without_a_usable_file_is_refused(url: str) -> None:
    with pytest.raises(StoreError):
        open_store(url)


SPEC = """
service: shop
resources:
  users:
    count: 3
    fields: {name: name}
"""


def _start(spec: Path, url: str) -> tuple[subprocess.Popen[str], str]:
    command = [sys.executable, "-m", "mockery", "serve", str(spec), "--port", "0", "--state", url, "--quiet"]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    assert process.stderr is not None
    for line in process.stderr:
        if "listening" in line:
            return process, line.split("url=", 1)[1].split()[0]
    raise AssertionError(f"the server did not start: exit {process.wait()}")


@pytest.mark.slow
def test_every_acknowledged_write_survives_kill_9(tmp_path: Path) -> None:
    spec = tmp_path / "shop.yaml"
    spec.write_text(textwrap.dedent(SPEC), encoding="utf-8")
    url = f"sqlite:///{tmp_path}/state.db"
    acknowledged: dict[str, dict[str, object]] = {}
    # Names sent in a PATCH that got no answer yet: SQLite may commit a write in flight at SIGKILL that was
    # never acknowledged, so a record may hold one of those instead of its last acknowledged state.
    in_flight: dict[str, set[object]] = {}
    chooser = random.Random(9)
    for round_number in range(20):
        process, base = _start(spec, url)
        enough = threading.Event()
        wanted = chooser.randint(1, 12)

        def write(
            base: str = base, round_number: int = round_number, wanted: int = wanted, enough: threading.Event = enough
        ) -> None:
            done = 0
            with httpx.Client(base_url=base, timeout=5) as http:
                try:
                    while True:
                        body = {"name": f"r{round_number}-{done}"}
                        if done % 3 == 2 and acknowledged:
                            target = next(iter(acknowledged))
                            in_flight.setdefault(target, set()).add(body["name"])
                            response = http.patch(f"/users/{target}", json=body)
                            if response.status_code == 200:
                                acknowledged[target] = response.json()
                                in_flight[target].clear()
                        else:
                            response = http.post("/users", json=body)
                            if response.status_code == 201:
                                acknowledged[str(response.json()["id"])] = response.json()
                        done += 1
                        if done >= wanted:
                            enough.set()
                except httpx.HTTPError:
                    enough.set()  # the server is gone

        writer = threading.Thread(target=write)
        writer.start()
        enough.wait(timeout=30)
        process.send_signal(signal.SIGKILL)
        process.wait()
        writer.join(timeout=30)
        assert process.stderr is not None
        process.stderr.close()
        store = open_store(url)  # opens: the file is intact
        try:
            for key, record in acknowledged.items():
                found, stored = store.get_change("shop.users", key)
                assert found, (round_number, key)
                if stored != record:  # only a write that was in flight may have replaced it
                    assert stored == {**record, "name": stored["name"]}, (round_number, key, stored)
                    assert stored["name"] in in_flight.get(key, ()), (round_number, key, stored)
                    acknowledged[key] = stored
        finally:
            store.close()
    assert len(acknowledged) >= 20
