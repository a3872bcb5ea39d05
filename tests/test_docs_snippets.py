"""Every configuration snippet of the docs parses as what it says it is, and docs/testing.md's pytest ini works
verbatim in a project of its own."""

from __future__ import annotations

import configparser
import json
import os
import re
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = (ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")))
_FENCE = re.compile(r"^(?P<indent>[ \t]*)```(?P<info>[^\n`]*)\n(?P<body>.*?)^[ \t]*```[ \t]*$", re.S | re.M)


@dataclass(frozen=True)
class Snippet:
    document: str
    line: int
    language: str
    text: str

    @property
    def id(self) -> str:
        return f"{self.document}:{self.line}"


def snippets(*languages: str) -> list[Snippet]:
    """Fenced blocks of these languages (```yaml invalid is a yaml block that must not validate: YAML still)."""
    found = []
    for path in DOCUMENTS:
        text = path.read_text(encoding="utf-8")
        for match in _FENCE.finditer(text):
            language = match.group("info").split()[0] if match.group("info").strip() else ""
            if language in languages:
                indent = len(match.group("indent"))
                body = "".join(line[indent:] for line in match.group("body").splitlines(keepends=True))
                found.append(Snippet(path.name, text.count("\n", 0, match.start()) + 1, language, body))
    return found


CONFIGS = snippets("yaml", "yml", "ini", "toml", "json", "jsonc")


def test_the_docs_hold_snippets_of_every_kind() -> None:
    assert {snippet.language for snippet in CONFIGS} >= {"yaml", "ini", "json"}


def _parse_ini(text: str) -> configparser.ConfigParser:
    # As pytest reads an ini file: no inline comments, so a value runs to the end of its line.
    parser = configparser.ConfigParser(interpolation=None, inline_comment_prefixes=None)
    parser.read_string(text)
    return parser


@pytest.mark.parametrize("snippet", CONFIGS, ids=lambda snippet: snippet.id)
def test_snippet_parses(snippet: Snippet) -> None:
    if snippet.language in ("yaml", "yml"):
        assert list(yaml.safe_load_all(snippet.text)) is not None
    elif snippet.language == "ini":
        for section in (parser := _parse_ini(snippet.text)).sections():
            for key, value in parser[section].items():
                assert "#" not in value, f"{key}: a comment in the value: {value!r}"
                assert ";" not in value, f"{key}: a comment in the value: {value!r}"
    elif snippet.language == "toml":
        tomllib.loads(snippet.text)
    else:
        json.loads(snippet.text)


TESTING_INI = next(snippet for snippet in CONFIGS if snippet.document == "testing.md" and snippet.language == "ini")

PROJECT_TEST = """\
import httpx


def test_the_fixture_serves_the_specs_the_ini_names(mockery, request):
    assert request.config.getini("mockery_specs") == ["specs/"]
    assert request.config.getini("mockery_strict") is True
    assert httpx.get(mockery.url + "/hello").text == "hi"
"""


@pytest.mark.slow
def test_the_testing_ini_works_verbatim(tmp_path: Path) -> None:
    (tmp_path / "pytest.ini").write_text(TESTING_INI.text, encoding="utf-8")
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "hello.yaml").write_text(
        "service: hello\nroutes:\n  - path: /hello\n    response: {body: hi}\n", encoding="utf-8"
    )
    (tmp_path / "test_project.py").write_text(PROJECT_TEST, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "error"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        # A user's own run: not an xdist worker of this suite (pytest-benchmark, where installed, warns then).
        env={**{k: v for k, v in os.environ.items() if not k.startswith("PYTEST_XDIST")}, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout
