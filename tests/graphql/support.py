"""Shared by the GraphQL tests: the corpus of real schemas, and a spec serving one of them."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import httpx

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "graphql"
SWAPI = "graphql-swapi-graphql__schema.graphql"
ANIMALS = "apollographql-apollo-ios-dev_AnimalKingdomAPI__AnimalSchema.graphqls"
GITHUB = "relayjs-relay-examples_issue-tracker__schema.graphql"
SKIP_REASON = f"the GraphQL corpus is not at {CORPUS}"


def corpus_spec(folder: Path, schema: str, service: str = "gql", extra: str = "") -> Path:
    """A spec in ``folder`` serving the corpus schema ``schema`` (copied beside it, as a spec's files live)."""
    shutil.copyfile(CORPUS / schema, folder / schema)
    spec = folder / f"{service}.yaml"
    spec.write_text(f"service: {service}\ngraphql:\n  schema: {schema}\n{extra}", encoding="utf-8")
    return spec


def ask(url: str, query: str, variables: dict[str, Any] | None = None, name: str | None = None) -> dict[str, Any]:
    """POST a GraphQL request; the decoded standard response (the status must be 200)."""
    body: dict[str, Any] = {"query": query}
    if variables is not None:
        body["variables"] = variables
    if name is not None:
        body["operationName"] = name
    response = httpx.post(url, json=body)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    result: dict[str, Any] = response.json()
    return result
