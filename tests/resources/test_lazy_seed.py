"""A big JSONL data file is read through an index of line offsets: its records are not held in memory."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockery.errors import SpecErrors
from mockery.load.loader import load_specs
from mockery.resources import seed
from mockery.resources.lazy import LazyRecords
from tests.conftest import WriteSpec


def _write(path: Path, count: int, make: Any) -> int:
    with path.open("w", encoding="utf-8") as handle:
        for number in range(1, count + 1):
            handle.write(json.dumps(make(number)) + "\n")
    return path.stat().st_size


def _event(number: int) -> dict[str, Any]:
    return {"id": number, "kind": ["click", "view"][number % 2], "payload": "x" * 120, "n": number}


def test_a_big_jsonl_file_costs_its_index_not_its_records(tmp_path: Path, write_spec: WriteSpec) -> None:
    size = _write(tmp_path / "events.jsonl", 120_000, _event)
    assert size > seed.LAZY_BYTES
    spec = write_spec("service: stats\nresources:\n  events: {data: events.jsonl}\n")
    tracemalloc.start()
    try:
        specs = load_specs([spec])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    [resource] = specs.services[0].resources
    assert isinstance(resource.seed, LazyRecords)
    assert isinstance(resource.seed.ids, range)
    assert resource.count == 120_000
    # The file is ~20 MB; loaded as records it would take several times that. The index is 16 bytes a record.
    assert peak < size / 4, (peak, size)
    assert resource.seed[119_999] == _event(120_000)


def test_lazy_records_answer_like_loaded_ones(
    tmp_path: Path, write_spec: WriteSpec, serve: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(seed, "LAZY_BYTES", 100)
    _write(tmp_path / "tags.jsonl", 30, lambda n: {"id": f"t{n}", "label": f"tag {n}"})
    _write(tmp_path / "events.jsonl", 40, _event)
    spec = write_spec(
        """
        service: stats
        resources:
          tags: {id: string, data: tags.jsonl}
          events: {data: events.jsonl, count: 45, fields: {kind: {choice: [click, view]}, n: pyint}}
        """
    )
    server = serve(spec)
    with httpx.Client(base_url=server.url) as http:
        assert http.get("/tags/t7").json() == {"id": "t7", "label": "tag 7"}
        assert http.get("/tags?label_like=^tag 1.$").headers["x-total-count"] == "10"
        assert http.get("/events/40").json() == _event(40)
        assert http.get("/events/44").json()["id"] == 44  # generated after the seed
        views = [e for e in http.get("/events").json() if e["kind"] == "view"]
        assert len(views) >= 20  # the 20 odd seed records, and any generated ones
        assert http.get("/events?kind=view&_limit=100").json() == views
        assert http.post("/events", json={"kind": "view", "n": 1}).json()["id"] == 46


def test_mistakes_in_a_big_jsonl_file_are_located(
    tmp_path: Path, write_spec: WriteSpec, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(seed, "LAZY_BYTES", 100)
    lines = ['{"id": 1, "n": 1}', '{"id": 2, "n": "two"}', "", '{"id": 2, "n": 3}', '{"id": ', '{"id": 5, "n": 5}']
    (tmp_path / "events.jsonl").write_text("\n".join(lines) + "\n")
    spec = write_spec(
        "service: s\nresources:\n  events: {data: events.jsonl, fields: {n: {faker: pyint, type: integer}}}\n"
    )
    with pytest.raises(SpecErrors) as caught:
        load_specs([spec])
    shown = [(e.line, e.path, e.message) for e in caught.value.errors]
    assert (2, "/n", "'two' is not of type 'integer'") in shown
    assert (4, "/id", "the id 2 is taken by an earlier record (line 2)") in shown
    assert any(line == 5 and message.startswith("not JSON") for line, _, message in shown)
    assert len(shown) == 3


def test_a_json_file_too_big_to_load_whole_points_at_jsonl(
    tmp_path: Path, write_spec: WriteSpec, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(seed, "MAX_LOADED_BYTES", 1000)
    (tmp_path / "events.json").write_text(json.dumps([_event(n) for n in range(1, 50)]))
    spec = write_spec("service: s\nresources:\n  events: {data: events.json}\n")
    with pytest.raises(SpecErrors) as caught:
        load_specs([spec])
    [error] = caught.value.errors
    assert error.path == "resources.events.data"
    assert "larger than 0 MB (it is loaded whole: a .jsonl file is read as needed)" in error.message
