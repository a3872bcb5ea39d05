"""Realism, measured: over every document of the corpus, the named strings the generator makes for the
documented responses come from a rule (the schema's example, const, enum, pattern or format, or what the
property's name says), not from the fallback word generator.

"Semantic" is defined by the generator itself (``SchemaGenerator(tally=...)`` is told which rule made each
named string): ``word`` is the fallback for a name that says nothing, and also a name mapped to a random word
(``tag``, ``type``); every other rule is semantic.
"""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pytest

from mockery.openapi.document import OpenAPIDocument, iter_operations, openapi_document
from mockery.openapi.generate import SchemaGenerator
from mockery.source.yaml_loader import load_document
from mockery.templates.fakes import new_generator

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
FOLDERS = (SHARED / "openapi", SHARED / "swagger2")
DOCUMENTS = sorted(
    path
    for folder in FOLDERS
    if folder.is_dir()
    for path in folder.iterdir()
    if path.suffix in (".yaml", ".yml", ".json")
)
GOAL = 0.95
ROUNDS = 3  # each response schema generated this many times, with different seeds


def _document(path: Path) -> OpenAPIDocument:
    loaded, errors = load_document(path)
    assert loaded is not None, errors
    document, errors = openapi_document(loaded)
    assert document is not None, errors
    return document


def _response_schemas(document: OpenAPIDocument) -> list[object]:
    schemas: list[object] = []
    for _, _, _, operation, _ in iter_operations(document):
        for response in (operation.get("responses") or {}).values():
            content = (
                document.resolve(response).get("content") if isinstance(document.resolve(response), dict) else None
            )
            for media_type, media in (content or {}).items():
                if "json" in media_type and isinstance(media, dict) and "schema" in media:
                    schemas.append(media["schema"])
    return schemas


def tally(paths: list[Path]) -> tuple[Counter[str], Counter[str]]:
    """How many named strings each rule made, and the names that fell back to words (with counts)."""
    rules: Counter[str] = Counter()
    fallbacks: Counter[str] = Counter()
    faker = new_generator("en_US")

    def told(name: str, rule: str) -> None:
        rules[rule] += 1
        if rule == "word":
            fallbacks[name] += 1

    for path in paths:
        document = _document(path)
        for index, schema in enumerate(_response_schemas(document)):
            for round_ in range(ROUNDS):
                source = random.Random(index * ROUNDS + round_)
                faker.seed_instance(source.getrandbits(64))
                SchemaGenerator(document, source, faker, tally=told).generate(schema)
    return rules, fallbacks


@pytest.mark.skipif(not DOCUMENTS, reason=f"the corpus is not at {SHARED}")
def test_named_strings_over_the_corpus_are_semantic() -> None:
    rules: Counter[str] = Counter()
    fallbacks: Counter[str] = Counter()
    shares: list[str] = []
    for path in DOCUMENTS:
        found, fell_back = tally([path])
        rules += found
        fallbacks += fell_back
        count = sum(found.values())
        if count:
            shares.append(f"{path.stem[:32]} {1 - found['word'] / count:.0%} of {count}")
    total = sum(rules.values())
    share = 1 - rules["word"] / total if total else 1.0
    figure = (
        f"semantic share of named strings over {len(DOCUMENTS)} documents: {share:.1%} of {total} "
        f"({dict(rules.most_common())}); per document: {'; '.join(shares)}; "
        f"names left to the word generator: {fallbacks.most_common(15)}"
    )
    print(figure)
    assert total > 1000, figure
    assert share >= GOAL, figure
