"""docs/testing.md's "Verifying calls" section is run: its example passes, and its failure sample is what
mockery prints."""

from __future__ import annotations

import re  # re-ok: fixed patterns over our own docs
from pathlib import Path

import httpx
import pytest

from mockery import MockServer

DOC = Path(__file__).resolve().parents[2] / "docs" / "testing.md"


def _section() -> str:
    text = DOC.read_text(encoding="utf-8")
    start = text.index("## Verifying calls\n")
    end = text.index("\n## ", start + 1)
    return text[start:end]


def _blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```$", _section(), re.S | re.M)


def test_the_verification_example_runs() -> None:
    (example,) = _blocks("python")
    exec(compile(example, f"{DOC}:Verifying calls", "exec"), {"__name__": "docs_example"})


def test_the_failure_sample_is_what_assert_called_says() -> None:
    (sample,) = _blocks("text")
    shown = "\n".join(line.removeprefix("E   ").removeprefix("E ") for line in sample.splitlines())
    spec = {
        "service": "shop",
        "routes": [
            {"method": "POST", "path": "/orders", "response": {"status": 201}},
            {"path": "/orders", "response": {"body": []}},
        ],
    }
    with MockServer(inline=spec) as mock:
        httpx.post(mock.url + "/orders", json={"amount": 2000})
        httpx.get(mock.url + "/orders?status=paid")
        with pytest.raises(AssertionError) as failure:
            mock.assert_called("POST", "/orders", json={"amount": 1999}, times=1)
    assert f"AssertionError: {failure.value}" == shown
