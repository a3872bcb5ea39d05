"""docs/matching.md tells the truth: every Python example in it runs, against real servers, as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "matching.md"
_FENCE = re.compile(r"^```(?P<info>[^\n`]*)\n(?P<body>.*?)^```[ \t]*$", re.DOTALL | re.MULTILINE)


def _examples() -> list[tuple[int, str]]:
    text = DOC.read_text(encoding="utf-8")
    return [
        (text.count("\n", 0, match.start()) + 1, match.group("body"))
        for match in _FENCE.finditer(text)
        if match.group("info").strip() == "python"
    ]


EXAMPLES = _examples()


def test_the_page_has_an_example_per_section() -> None:
    assert len(EXAMPLES) >= 6


@pytest.mark.parametrize("example", [body for _, body in EXAMPLES], ids=[f"matching.md:{n}" for n, _ in EXAMPLES])
@pytest.mark.slow
def test_example_runs(example: str) -> None:
    exec(compile(example, str(DOC), "exec"), {"__name__": "__doc_example__"})
