"""Shared helpers: write specs to a temporary folder and serve them on real uvicorn listeners."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from mockery import MockServer

WriteSpec = Callable[..., Path]


@pytest.fixture
def write_spec(tmp_path: Path) -> WriteSpec:
    """Write a spec (dedented YAML text) into the test's folder; returns its path."""

    def write(text: str, name: str = "spec.yaml") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write


@pytest.fixture
def serve() -> Iterator[Callable[..., MockServer]]:
    """Start a MockServer for some spec paths; every server started is stopped after the test."""
    servers: list[MockServer] = []

    def start(*paths: str | Path, **options: object) -> MockServer:
        server = MockServer(*paths, **options).start()  # type: ignore[arg-type]
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()
