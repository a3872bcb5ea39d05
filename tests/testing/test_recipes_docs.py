"""docs/testing.md's recipes are the example project's tests: each quoted block is in the file it names, and
every recipe file of examples/pytest/ has its recipe."""

from __future__ import annotations

import re  # re-ok: fixed patterns over our own docs
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "testing.md"
EXAMPLES = ROOT / "examples" / "pytest"


def _recipes() -> list[tuple[str, str, list[str]]]:
    """(title, example file, quoted blocks) of every recipe."""
    text = DOC.read_text(encoding="utf-8")
    start = text.index("## Recipes\n")
    section = text[start : text.index("\n## ", start + 1)]
    found = []
    for part in re.split(r"^### ", section, flags=re.M)[1:]:
        title = part.splitlines()[0]
        named = re.search(r"^From `examples/pytest/(?P<file>[\w.]+)`", part, re.M)
        assert named is not None, f"recipe {title!r} names no example file"
        found.append((title, named.group("file"), re.findall(r"^```python\n(.*?)^```$", part, re.S | re.M)))
    return found


RECIPES = _recipes()


def test_there_are_the_six_recipes() -> None:
    titles = [title for title, _, _ in RECIPES]
    assert titles == [
        "Verify a JSON body",
        "Simulate an outage",
        "Drive a scenario",
        "In-process transport",
        "A Python handler",
        "Async tests",
    ]


@pytest.mark.parametrize(("title", "file", "quoted"), RECIPES, ids=[title for title, _, _ in RECIPES])
def test_each_quoted_block_is_in_its_example_file(title: str, file: str, quoted: list[str]) -> None:
    source = (EXAMPLES / file).read_text(encoding="utf-8")
    assert quoted, f"recipe {title!r} quotes no code"
    for block in quoted:
        assert block in source, f"recipe {title!r}: a block is not (or no longer) in examples/pytest/{file}"


def test_every_recipe_file_has_its_recipe_and_row() -> None:
    files = sorted(path.name for path in EXAMPLES.glob("test_recipe_*.py"))
    assert files == sorted(file for _, file, _ in RECIPES)
    text = DOC.read_text(encoding="utf-8")
    for file in files:
        assert f"| `{file}` |" in text, f"the recipes table has no row for {file}"
