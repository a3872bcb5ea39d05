"""Which path pairs of a document become collections, and how ``x-mockery-*`` tunes them."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from mockery import SpecErrors, load_specs
from mockery.model.services import Service
from tests.openapi.support import PETSTORE


def service(tmp_path: Path, text: str) -> Service:
    path = tmp_path / "pets.yaml"
    path.write_text(text)
    return load_specs([path]).services[0]


def test_id_pairs_become_collections_and_lookups_by_another_field_do_not(tmp_path: Path) -> None:
    data = yaml.safe_load(PETSTORE)
    data["paths"]["/users/{username}"] = {"get": data["paths"]["/owners/{id}"]["get"]}
    data["paths"]["/users"] = data["paths"]["/owners"]
    loaded = service(tmp_path, yaml.safe_dump(data))
    resources = {r.name: r for r in loaded.resources}
    assert sorted(resources) == ["owners", "pets"]
    assert (resources["pets"].count, resources["pets"].id_kind) == (4, "integer")
    assert (resources["owners"].count, resources["owners"].id_kind) == (10, "uuid")
    assert resources["pets"].maker is not None
    assert {"name", "species"} <= resources["pets"].maker.paths


def test_x_mockery_resource_names_or_disables_a_collection(tmp_path: Path) -> None:
    data = yaml.safe_load(PETSTORE)
    data["paths"]["/pets"]["x-mockery-resource"] = "animals"
    data["paths"]["/owners"]["x-mockery-resource"] = False
    loaded = service(tmp_path, yaml.safe_dump(data))
    assert [r.name for r in loaded.resources] == ["animals"]


def test_a_bad_count_is_a_located_error(tmp_path: Path) -> None:
    text = PETSTORE.replace("x-mockery-count: 4", "x-mockery-count: many")
    with pytest.raises(SpecErrors) as caught:
        service(tmp_path, text)
    (error,) = caught.value.errors
    assert error.path == "paths./pets.x-mockery-count"
    assert error.line == text.splitlines().index("    x-mockery-count: many") + 1
