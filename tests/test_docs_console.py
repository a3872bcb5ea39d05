"""Every command shown with its output in README.md and docs/*.md is run, and prints what the docs show.

A ```console block holds `$ command` lines, each followed by what it prints. `mockery` commands run here in a
sandbox holding a copy of the bundled specs (or nothing, for `mockery init`), `mockery serve` as a real process
on free ports, its requests sent for real; other blocks are run by the test named in ``ELSEWHERE``, or need
what a test cannot have (an upstream API, Redis, a certificate of your own): ``ILLUSTRATIVE`` says why. A new
command with output is in one of the three, or this test fails. Outputs are compared with ports, times,
durations, the sandbox's path and column padding normalised.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from mockery.cli import cli

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = (ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")))
_CONSOLE = re.compile(r"^```console\n(?P<body>.*?)^```[ \t]*$", re.S | re.M)
STARTUP_TIMEOUT = 30.0


@dataclass(frozen=True)
class Command:
    document: str
    line: int
    command: str
    output: tuple[str, ...]
    block: int  # commands of one block share a sandbox, in order

    @property
    def id(self) -> str:
        return f"{self.document}:{self.line}"

    @property
    def words(self) -> list[str]:
        return shlex.split(self.command, comments=True)


def commands() -> list[Command]:
    found: list[Command] = []
    for number, path in enumerate(DOCUMENTS):
        text = path.read_text(encoding="utf-8")
        for block_number, match in enumerate(_CONSOLE.finditer(text)):
            first = text.count("\n", 0, match.start()) + 2
            lines = match.group("body").splitlines()
            index = 0
            while index < len(lines):
                if not lines[index].startswith("$ "):
                    index += 1
                    continue
                start, command = index, lines[index][2:]
                while command.endswith("\\") and index + 1 < len(lines):
                    index += 1
                    command = command[:-1] + " " + lines[index].strip()
                index += 1
                output = []
                while index < len(lines) and not lines[index].startswith("$ "):
                    output.append(lines[index])
                    index += 1
                found.append(Command(path.name, first + start, command, tuple(output), number * 1000 + block_number))
    return found


COMMANDS = commands()
SHOWN = [command for command in COMMANDS if command.output]

# Run by another test: (document, how the command starts) -> the test.
ELSEWHERE = {
    ("README.md", "curl "): "tests/test_bundled_specs.py::test_every_tour_request_answers_what_the_readme_shows",
    ("README.md", "mockery validate orders.yaml"): "tests/test_docs.py::test_error_sample_is_what_validate_prints",
    ("spec.md", "mockery validate "): "tests/test_docs.py::test_error_sample_is_what_validate_prints",
}
# Shown, not run: (document, how the command starts) -> why.
ILLUSTRATIVE = {
    ("cli.md", "mockery serve --tls-cert"): "needs a certificate and a key that do not match (tests/tls test it)",
    ("cli.md", "mockery health"): "needs a server on port 8000",
    ("cli.md", "mockery reset"): "needs Redis (tests/scale/test_cli_reset.py runs reset)",
    ("cli.md", "mockery tls ca"): "prints a path of the user's data folder (tests/tls test it)",
    ("cli.md", "mockery import openapi"): "needs the user's api.yaml (tests/openapi/test_import.py)",
    ("cli.md", "mockery import asyncapi"): "needs an AsyncAPI document (tests/importers/test_asyncapi.py)",
    ("streams.md", "mockery import asyncapi"): "needs an AsyncAPI document (tests/importers/test_asyncapi.py)",
    ("cli.md", "mockery record"): "needs a real upstream API (tests/record)",
    ("record.md", "mockery record"): "needs a real upstream API (tests/record)",
    ("sidecar.md", "curl "): "needs a server with an admin token (tests/admin)",
}


def _key(command: Command, table: dict[tuple[str, str], str]) -> tuple[str, str] | None:
    for document, start in table:
        if command.document == document and command.command.startswith(start):
            return document, start
    return None


def _runs_here(command: Command) -> bool:
    words = command.words
    return bool(words) and words[0] == "mockery" and _key(command, {**ELSEWHERE, **ILLUSTRATIVE}) is None


HERE = [command for command in SHOWN if _runs_here(command)]


def test_every_command_with_output_is_run_here_or_elsewhere_or_said_to_be_illustrative() -> None:
    unplaced = [
        command.id + " " + command.command
        for command in SHOWN
        if not _runs_here(command) and _key(command, {**ELSEWHERE, **ILLUSTRATIVE}) is None
    ]
    assert unplaced == []
    used = {_key(command, {**ELSEWHERE, **ILLUSTRATIVE}) for command in SHOWN}
    assert sorted(set(ELSEWHERE) | set(ILLUSTRATIVE)) == sorted(key for key in used if key is not None)
    assert len(HERE) >= 8


def normalise(lines: list[str] | tuple[str, ...], sandbox: Path | None = None) -> list[str]:
    out = []
    for line in lines:
        if sandbox is not None:
            line = line.replace(f"{sandbox}/", "").replace(str(sandbox), ".")
        line = re.sub(r"(127\.0\.0\.1|localhost|\[::1\]):\d+", r"\1:PORT", line)
        line = re.sub(r"^\d\d:\d\d:\d\d\.\d{3} ", "TIME ", line)
        line = re.sub(r"\b\d+(\.\d+)?ms\b", "Nms", line)
        line = re.sub(r" {2,}", "  ", line.rstrip())
        out.append(line)
    while out and out[-1] == "":
        out.pop()
    return out


@pytest.fixture
def sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NO_COLOR", "1")
    return tmp_path


def _prepare(sandbox: Path, block: list[Command]) -> None:
    if not block or block[0].words[:2] != ["mockery", "init"]:
        shutil.copytree(ROOT / "specs", sandbox / "specs")


def _blocks() -> list[list[Command]]:
    """The blocks with a command to run here, every command of each (a step without output sets the scene)."""
    wanted = {command.block for command in HERE}
    grouped: dict[int, list[Command]] = {}
    for command in COMMANDS:
        if command.block in wanted:
            grouped.setdefault(command.block, []).append(command)
    return list(grouped.values())


@pytest.mark.parametrize("block", [b for b in _blocks() if b[0].words[1] != "serve"], ids=lambda b: b[0].id)
def test_command_prints_what_the_docs_show(block: list[Command], sandbox: Path) -> None:
    _prepare(sandbox, block)
    for command in block:
        if command.words[0] == "mockery":
            output = CliRunner().invoke(cli, command.words[1:], catch_exceptions=False).output
        else:  # a shell step of the example, such as editing a file
            output = subprocess.run(command.command, shell=True, cwd=sandbox, capture_output=True, text=True).stdout
        assert normalise(output.splitlines(), sandbox) == normalise(command.output), command.id


class Served:
    """`mockery serve` as the docs run it, on free ports: its stderr read line by line."""

    def __init__(self, words: list[str], cwd: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mockery", *words[1:], "--port", "0"],
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1", "NO_COLOR": "1", "PAYMENTS_PORT": "0", "PYTHONPATH": str(ROOT)},
        )
        assert self.process.stderr is not None
        self.stderr = self.process.stderr
        self.urls: dict[str, str] = {}

    def line(self) -> str:
        line = self.stderr.readline()
        assert line, "mockery serve stopped"
        found = re.search(r"listening  url=(\S+)  services=(.*)$", line)
        if found:
            for name in found.group(2).split(", "):
                self.urls[name] = found.group(1)
        return line.rstrip("\n")

    def stop(self) -> None:
        self.process.terminate()
        self.process.communicate(timeout=STARTUP_TIMEOUT)


_REQUEST = re.compile(r"^\S+ (?P<service>\S+) +(?P<method>[A-Z]+) +(?P<path>\S+) -> ")


@pytest.mark.slow
@pytest.mark.parametrize("block", [b for b in _blocks() if b[0].words[1] == "serve"], ids=lambda b: b[0].id)
def test_serve_prints_what_the_docs_show(block: list[Command], sandbox: Path) -> None:
    _prepare(sandbox, block)
    [command] = block
    served = Served(command.words, sandbox)
    try:
        got = []
        for shown in command.output:
            request = _REQUEST.match(shown)
            if request is not None:
                url = served.urls[request.group("service")] + request.group("path")
                httpx.request(request.group("method"), url, timeout=10)
            got.append(served.line())
    finally:
        served.stop()
    assert normalise(got, sandbox) == normalise(command.output), command.id
