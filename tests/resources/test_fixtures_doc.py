"""docs/fixtures.md: every file it shows is written, every spec loads and serves, and the errors it shows are
what ``mockery validate`` prints."""

from __future__ import annotations

import re  # re-ok: a fixed pattern of Markdown fences
import shutil
from pathlib import Path
from typing import Any

import httpx
from click.testing import CliRunner

from mockery.cli import cli
from mockery.load.loader import load_specs

DOC = Path(__file__).resolve().parents[2] / "docs" / "fixtures.md"
_FENCE = re.compile(r"^```(?P<language>\w+)(?: (?P<name>\S+))?\n(?P<body>.*?)^```$", re.S | re.M)


def _blocks() -> list[tuple[str, str | None, str]]:
    text = DOC.read_text(encoding="utf-8")
    return [(m.group("language"), m.group("name"), m.group("body")) for m in _FENCE.finditer(text)]


def _write_files(folder: Path) -> list[Path]:
    specs = []
    for language, name, body in _blocks():
        if name is None:
            continue
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(body, encoding="utf-8")
        if language == "yaml":
            specs.append(target)
    return specs


def test_every_spec_of_the_page_loads_and_serves(tmp_path: Path, serve: Any) -> None:
    specs = [spec for spec in _write_files(tmp_path) if spec.parent == tmp_path]
    assert {spec.name for spec in specs} >= {"blog.yaml", "org.yaml", "stats.yaml", "shop.yaml", "blog-more.yaml"}
    for spec in specs:
        assert load_specs([spec]).services
    server = serve(tmp_path / "blog.yaml")
    with httpx.Client(base_url=server.url) as http:
        assert http.get("/posts/1").json() == {"id": "1", "title": "a title"}
        assert http.post("/posts", json={"title": "new"}).json()["id"] == "3"
        deleted = http.delete("/posts/1")
        assert (deleted.status_code, deleted.json()) == (200, {})  # as json-server answers
        missing = http.get("/posts/1")
        assert (missing.status_code, missing.json()) == (404, {})
        assert http.get("/db").json()["comments"] == []
    org = serve(tmp_path / "org.yaml")
    users = httpx.get(org.url + "/users").json()
    assert users[0] == {"id": 1, "name": "Ada Lovelace", "age": 36, "team_id": 2}
    assert users[1]["team_id"] is None
    assert len(users) == 10
    shop = serve(tmp_path / "shop.yaml")
    refused = httpx.delete(shop.url + "/customers/1")
    assert refused.status_code == 409
    assert list(refused.json()["referrers"]) == ["orders"]


def test_the_errors_shown_are_what_validate_prints(tmp_path: Path, monkeypatch: Any) -> None:
    _write_files(tmp_path)
    shutil.copy(tmp_path / "org.yaml", tmp_path / "broken" / "org.yaml")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["validate", "broken/org.yaml"])
    shown = next(body for language, name, body in _blocks() if language == "text" and "errors found" in body)
    assert result.exit_code != 0
    assert result.output.strip().splitlines() == shown.strip().splitlines()
