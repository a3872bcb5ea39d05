"""Relations that can be pinned (``per_parent``, explicit seed values) and deleting a parent (``on_delete``)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from mockery import load_specs
from mockery.errors import SpecErrors
from tests.conftest import WriteSpec

PINNED = """
service: blog
resources:
  posts: {count: 20, fields: {title: sentence}}
  comments:
    count: 150
    fields:
      post_id: {ref: posts, per_parent: 3..7}
      text: sentence
"""


def test_per_parent_hands_out_records_in_order_and_embed_agrees(write_spec: WriteSpec, serve: Any) -> None:
    server = serve(write_spec(PINNED))
    with httpx.Client(base_url=server.url) as http:
        comments = http.get("/comments").json()
        owners = [c["post_id"] for c in comments]
        # Contiguous runs, in parent order: post 1's comments first, then post 2's...
        assert owners == sorted(owners, key=lambda o: (o is None, o or 0))
        shares = [owners.count(post) for post in range(1, 21)]
        assert all(3 <= share <= 7 for share in shares), shares
        assert len(set(shares)) > 1  # drawn per parent, not one number for all
        assert owners[sum(shares) :] == [None] * (150 - sum(shares))  # past the last parent's share
        embedded = http.get("/posts?_embed=comments&_limit=20").json()
        for post in embedded:
            nested = http.get(f"/posts/{post['id']}/comments").json()
            assert post["comments"] == nested == [c for c in comments if c["post_id"] == post["id"]]
        first = [c["id"] for c in http.get("/posts/1/comments").json()]
        assert first == list(range(1, shares[0] + 1))
    # The same seed, the same distribution, in another server.
    again = serve(write_spec(PINNED))
    assert httpx.get(again.url + "/comments").json() == comments


def test_seed_values_pin_relations_exactly(write_spec: WriteSpec, serve: Any) -> None:
    spec = write_spec(
        """
        service: blog
        resources:
          posts: {data: [{id: 1, title: a}, {id: 2, title: b}]}
          comments:
            fields: {post_id: {ref: posts}}
            data: [{id: 1, post_id: 2}, {id: 2, post_id: 2}, {id: 3, post_id: 1}]
        """
    )
    server = serve(spec)
    with httpx.Client(base_url=server.url) as http:
        assert [c["id"] for c in http.get("/posts/2/comments").json()] == [1, 2]
        assert [len(p["comments"]) for p in http.get("/posts?_embed=comments").json()] == [1, 2]
        assert http.get("/comments/3?_expand=post").json()["post"] == {"id": 1, "title": "a"}


@pytest.mark.parametrize(
    ("value", "message"),
    [("7..3", "per_parent '7..3' runs backwards"), ("lots", "does not match"), ("-2", "does not match")],
    ids=["backwards", "word", "negative"],
)
def test_a_bad_per_parent_is_located_once(value: str, message: str, write_spec: WriteSpec) -> None:
    spec = write_spec(
        f"service: s\nresources:\n  a: {{count: 1}}\n  b:\n    fields:\n      a_id: {{ref: a, per_parent: '{value}'}}\n"
    )
    with pytest.raises(SpecErrors) as caught:
        load_specs([spec])
    errors = caught.value.errors
    assert [(e.line, e.path) for e in errors] == [(6, "resources.b.fields.a_id.per_parent")]
    assert message in errors[0].message


INTEGRITY = """
service: shop
resources:
  customers: {count: 3, fields: {name: name}}
  orders:
    count: 12
    fields:
      customer_id: {ref: customers, per_parent: 4, on_delete: cascade}
  lines:
    count: 24
    fields:
      order_id: {ref: orders, per_parent: 2, on_delete: cascade}
  notes:
    count: 6
    fields:
      customer_id: {ref: customers, per_parent: 2, on_delete: set_null}
  invoices:
    count: 3
    fields:
      customer_id: {ref: customers, per_parent: 1, on_delete: restrict}
"""


def test_on_delete_cascades_sets_null_and_restricts(write_spec: WriteSpec, serve: Any) -> None:
    server = serve(write_spec(INTEGRITY))
    with httpx.Client(base_url=server.url) as http:
        refused = http.delete("/customers/1")
        assert refused.status_code == 409
        assert refused.headers["content-type"] == "application/problem+json"
        problem = refused.json()
        assert problem["referrers"] == {"invoices": [1]}
        assert "invoices 1 refer to it through 'customer_id'" in problem["detail"]
        assert http.get("/customers/1").status_code == 200
        assert len(http.get("/orders?customer_id=1").json()) == 4  # nothing changed
        assert http.delete("/invoices/1").status_code == 204
        assert http.delete("/customers/1").status_code == 204
        # cascade: customer 1's orders 1-4 and their lines 1-8 are gone; set_null: notes 1-2 keep going, unowned
        assert [o["id"] for o in http.get("/orders").json()] == list(range(5, 13))
        assert [line["id"] for line in http.get("/lines").json()] == list(range(9, 25))
        notes = http.get("/notes").json()
        assert [n["customer_id"] for n in notes] == [None, None, 2, 2, 3, 3]
        assert http.get("/orders/2").status_code == 404
