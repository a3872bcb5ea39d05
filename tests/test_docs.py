"""The documentation tells the truth: every YAML example is checked, served and requested, and the spec
reference names every key of the schema.

A ```yaml block must be a complete valid spec; a ```yaml invalid block must fail validation. When a
```yaml invalid block is followed by a ```console block running `mockery validate NAME`, the errors printed
there must be exactly what mockery reports for that block saved as NAME.
"""

from __future__ import annotations

import itertools
import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from mockery import MockServer
from mockery.errors import SpecErrors
from mockery.load.loader import load_specs
from mockery.load.schema import spec_schema

ROOT = Path(__file__).resolve().parent.parent
SPEC_DOC = ROOT / "docs" / "spec.md"
README = ROOT / "README.md"
DOCUMENTS = (SPEC_DOC, README)

_FENCE = re.compile(r"^```(?P<info>[^\n`]*)\n(?P<body>.*?)^```[ \t]*$", re.DOTALL | re.MULTILINE)


@dataclass(frozen=True)
class Block:
    document: str
    line: int
    info: str
    text: str

    @property
    def id(self) -> str:
        return f"{self.document}:{self.line}"


def blocks(path: Path) -> list[Block]:
    """Every fenced block of a Markdown file, with the line of its opening fence."""
    text = path.read_text(encoding="utf-8")
    return [
        Block(path.name, text.count("\n", 0, match.start()) + 1, match.group("info").strip(), match.group("body"))
        for match in _FENCE.finditer(text)
    ]


def yaml_blocks(kind: str) -> list[Block]:
    return [block for path in DOCUMENTS for block in blocks(path) if block.info == kind]


VALID = yaml_blocks("yaml")
INVALID = yaml_blocks("yaml invalid")


def test_the_documents_hold_examples_of_both_kinds() -> None:
    assert len(VALID) >= 20, [block.id for block in VALID]
    assert len(INVALID) >= 4, [block.id for block in INVALID]
    # A fence such as ```yml or ```yaml valid would escape the checks below.
    for path in DOCUMENTS:
        for block in blocks(path):
            if "yaml" in block.info or "yml" in block.info:
                assert block.info in ("yaml", "yaml invalid"), block.id


def _create_named_files(spec: Path) -> None:
    """Create the files a valid example serves with `file:` (examples cannot ship their own)."""
    data = yaml.safe_load(spec.read_text(encoding="utf-8"))
    for route in data.get("routes") or []:
        name = (route.get("response") or {}).get("file")
        if isinstance(name, str):
            target = spec.parent / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text('{"example": true}\n', encoding="utf-8")


def _listener_url(server: MockServer, service_name: str, base_path: str) -> str:
    url = server.url_for(service_name)
    return url[: len(url) - len(base_path)] if base_path else url


@pytest.mark.parametrize("block", VALID, ids=lambda block: block.id)
def test_valid_example_loads_and_serves(block: Block, write_spec: Callable[..., Path], serve: Any) -> None:
    spec = write_spec(block.text, name="example/spec.yaml")
    _create_named_files(spec)
    specs = load_specs([spec], environ={})
    assert len(specs.services) == 1
    service = specs.services[0]
    if not service.routes:
        return
    server = serve(spec, environ={})
    base = _listener_url(server, service.name, service.base_path)
    with httpx.Client(base_url=base, timeout=10) as client:
        for route in service.routes:
            if "GET" not in route.methods or "{" in route.path:
                continue
            response = client.get(route.path)
            assert response.status_code < 500, (route.name, response.text)
            assert response.status_code == route.response.status, (route.name, response.text)


@pytest.mark.parametrize("block", INVALID, ids=lambda block: block.id)
def test_invalid_example_fails_validation(block: Block, write_spec: Callable[..., Path]) -> None:
    spec = write_spec(block.text, name="example/spec.yaml")
    with pytest.raises(SpecErrors) as caught:
        load_specs([spec], environ={})
    assert caught.value.errors, block.id


def _validate_transcripts() -> list[tuple[Block, str, list[str]]]:
    """(invalid example, file name, printed lines) for each ```console block right after a yaml invalid one."""
    found = []
    for path in DOCUMENTS:
        document = blocks(path)
        for previous, block in itertools.pairwise(document):
            if previous.info != "yaml invalid" or block.info != "console":
                continue
            command, *output = block.text.splitlines()
            words = shlex.split(command.removeprefix("$ "))
            assert words[:2] == ["mockery", "validate"], block.id
            assert len(words) == 3, block.id
            found.append((previous, words[2], output))
    return found


TRANSCRIPTS = _validate_transcripts()


def _transcript_id(value: object) -> str | None:
    return value.id if isinstance(value, Block) else None


def test_the_error_samples_are_checked() -> None:
    assert {block.document for block, _, _ in TRANSCRIPTS} == {"README.md", "spec.md"}


@pytest.mark.parametrize(("block", "name", "output"), TRANSCRIPTS, ids=_transcript_id)
def test_error_sample_is_what_validate_prints(
    block: Block, name: str, output: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / name).write_text(block.text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SpecErrors) as caught:
        load_specs([name], environ={})
    assert str(caught.value).splitlines() == output


def _inline_mentions(text: str) -> set[str]:
    return set(re.findall(r"`([^`\n]+)`", text))


def test_spec_reference_names_every_schema_key() -> None:
    schema = spec_schema()
    definitions = schema["$defs"]
    keys = {
        *schema["properties"],
        *definitions["route"]["properties"],
        *definitions["response"]["properties"],
    }
    mentioned = _inline_mentions(SPEC_DOC.read_text(encoding="utf-8"))
    missing = sorted(key for key in keys if key not in mentioned)
    assert not missing, f"docs/spec.md does not mention these schema keys as `key`: {missing}"


def test_spec_reference_names_every_enum_value_and_the_extension_prefix() -> None:
    schema = spec_schema()
    definitions = schema["$defs"]
    values = {*definitions["method"]["enum"], *definitions["route"]["properties"]["random"]["enum"]}
    text = SPEC_DOC.read_text(encoding="utf-8")
    mentioned = _inline_mentions(text)
    assert not sorted(value for value in values if value not in mentioned)
    assert "`x-`" in text


def test_readme_opens_with_the_two_setup_commands() -> None:
    first_block = blocks(README)[0]
    commands = [line.split("#", 1)[0].strip() for line in first_block.text.splitlines()]
    assert commands == ["python3 -m pip install -e . && mockery serve specs/", "./scripts/test"]


def test_links_to_docs_resolve() -> None:
    for path in (README, SPEC_DOC, ROOT / "docs" / "cli.md"):
        for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", path.read_text(encoding="utf-8")):
            if target.startswith(("http://", "https://")):
                continue
            assert (path.parent / target).exists(), f"{path.name} links to missing {target}"
