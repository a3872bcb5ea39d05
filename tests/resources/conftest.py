"""The issue's example spec, shared by the resource tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

SHOP = """
service: shop
resources:
  users:
    count: 100
    id: integer
    fields:
      name: name
      email: {faker: email}
      age: {faker: pyint, min_value: 18, max_value: 90}
      role: {choice: [admin, member, guest], weights: [1, 8, 1]}
      plan: {const: free}
      company_id: {ref: companies}
      tags: {array: word, min: 0, max: 4}
      address: {fields: {city: city, postcode: postcode}}
      bio: "{{ faker.sentence() }} Lives in {{ record.address.city }}."
  companies:
    count: 10
    fields: {name: company, country: country}
routes:
  - path: /profiles/{id}
    response:
      body:
        user: "{{ resources.users.get(request.path_params.id) }}"
  - path: /admins
    response:
      body:
        admins: "{{ resources.users.list(role='admin', _sort='name') }}"
        count: "{{ resources.users.count(role='admin') }}"
"""


@pytest.fixture
def shop(write_spec: Callable[..., Path]) -> Path:
    return write_spec(SHOP, name="shop.yaml")
