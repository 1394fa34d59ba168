"""Web orders and customers: stock behaviour, status filters, counts and search."""

from __future__ import annotations

from typing import Any

import httpx

from sandbox.seeds import DEMO_PRESETUP_ORDER_IDS


def _variant(web: httpx.Client, sku: str) -> dict[str, Any]:
    item = web.get("/admin/inventory_items.json", params={"query": sku}).json()["inventory_items"]
    level = web.get(
        "/admin/inventory_levels.json", params={"inventory_item_ids": item[0]["id"]}
    ).json()["inventory_levels"][0]
    variant: dict[str, Any] = web.get(f"/admin/variants/{level['variant_id']}.json").json()[
        "variant"
    ]
    return variant


def _order(variant_id: object, quantity: int, behaviour: str | None = None) -> dict[str, Any]:
    order: dict[str, Any] = {
        "line_items": [{"variant_id": variant_id, "quantity": quantity}],
        "customer": {"first_name": "Hoa", "last_name": "Đỗ", "phone": "0909000111"},
    }
    if behaviour:
        order["inventory_behaviour"] = behaviour
    return {"order": order}


def test_decrementing_order_lowers_web_stock(web: httpx.Client) -> None:
    """An order with `decrement_ignoring_policy` lowers inventory_quantity; bypass does not."""
    variant = _variant(web, "ASML-M")
    before = variant["inventory_quantity"]
    assert isinstance(before, int)
    made = web.post(
        "/admin/orders.json", json=_order(variant["id"], 2, "decrement_ignoring_policy")
    )
    assert made.status_code == 201
    order = made.json()["order"]
    assert order["line_items"][0]["sku"] == "ASML-M"
    assert order["total_price"] == 2 * 329000.0
    assert _variant(web, "ASML-M")["inventory_quantity"] == before - 2
    web.post("/admin/orders.json", json=_order(variant["id"], 1))
    assert _variant(web, "ASML-M")["inventory_quantity"] == before - 2
    level = web.get(
        "/admin/inventory_levels.json", params={"inventory_item_ids": variant["inventory_item_id"]}
    ).json()["inventory_levels"][0]
    assert level["committed"] == 2.0


def test_obeying_policy_refuses_overselling_and_cancel_restocks(web: httpx.Client) -> None:
    """`decrement_obeying_policy` gives 422 beyond stock; cancelling releases committed stock."""
    variant = _variant(web, "ASMK-L")
    stock = variant["inventory_quantity"]
    assert isinstance(stock, int)
    too_many = web.post(
        "/admin/orders.json", json=_order(variant["id"], stock + 1, "decrement_obeying_policy")
    )
    assert too_many.status_code == 422
    assert "line_items" in too_many.json()["errors"]
    ok = web.post("/admin/orders.json", json=_order(variant["id"], 1, "decrement_obeying_policy"))
    oid = ok.json()["order"]["id"]
    assert _variant(web, "ASMK-L")["inventory_quantity"] == stock - 1
    cancelled = web.post(f"/admin/orders/{oid}/cancel.json", json={"reason": "customer"})
    assert cancelled.json()["order"]["status"] == "cancelled"
    assert _variant(web, "ASMK-L")["inventory_quantity"] == stock


def test_status_filters_and_any(web: httpx.Client) -> None:
    """Default lists open orders; closed/cancelled filter; `status=any` is an empty list."""
    open_ids = [o["id"] for o in web.get("/admin/orders.json").json()["orders"]]
    closed = web.get("/admin/orders.json", params={"status": "closed"}).json()["orders"]
    cancelled = web.get("/admin/orders/count.json", params={"status": "cancelled"}).json()
    assert open_ids == [DEMO_PRESETUP_ORDER_IDS[0], DEMO_PRESETUP_ORDER_IDS[3]]
    assert [o["id"] for o in closed] == [DEMO_PRESETUP_ORDER_IDS[1]]
    assert cancelled == {"count": 1}
    assert web.get("/admin/orders.json", params={"status": "any"}).json() == {"orders": []}
    web.post(f"/admin/orders/{open_ids[0]}/close.json")
    assert web.get("/admin/orders/count.json").json() == {"count": 1}
    web.post(f"/admin/orders/{open_ids[0]}/open.json")
    assert web.get("/admin/orders/count.json").json() == {"count": 2}


def test_order_filters_created_since_and_paging(web: httpx.Client) -> None:
    """New orders are found by created_on_min and since_id and paged with limit."""
    variant = _variant(web, "QSG-M")
    made = [
        web.post("/admin/orders.json", json=_order(variant["id"], 1)).json()["order"]
        for _ in range(3)
    ]
    newer = web.get("/admin/orders.json", params={"created_on_min": made[0]["created_on"]})
    assert [o["id"] for o in newer.json()["orders"]] == [o["id"] for o in made]
    since = web.get("/admin/orders.json", params={"since_id": made[0]["id"], "limit": 1})
    assert [o["id"] for o in since.json()["orders"]] == [made[1]["id"]]
    assert made[1]["name"] == f"#{made[0]['order_number'] + 1}"
    one = web.get(f"/admin/orders/{made[2]['id']}.json").json()["order"]
    assert one["line_items"][0]["variant_id"] == variant["id"]
    assert web.get("/admin/orders/1.json").status_code == 404


def test_protected_source_name_is_refused(web: httpx.Client) -> None:
    """A private app may not claim `source_name: web` (422 keyed by source_name)."""
    body = _order(_variant(web, "QSG-M")["id"], 1)
    body["order"]["source_name"] = "web"
    answer = web.post("/admin/orders.json", json=body)
    assert answer.status_code == 422
    assert "source_name" in answer.json()["errors"]


def test_customers_search_count_and_create(web: httpx.Client) -> None:
    """Customers are found with `query` on phone, email or name; search.json is forbidden."""
    found = web.get("/admin/customers.json", params={"query": "0912345678"}).json()["customers"]
    assert [c["email"] for c in found] == ["minh.tran@example.com"]
    assert web.get("/admin/customers/count.json").json() == {"count": 3}
    made = web.post(
        "/admin/customers.json", json={"customer": {"first_name": "Tú", "email": "tu@example.com"}}
    )
    assert made.status_code == 201
    again = web.post("/admin/customers.json", json={"customer": {"email": "tu@example.com"}})
    assert again.status_code == 422
    by_name = web.get("/admin/customers.json", params={"query": "tú"}).json()["customers"]
    assert [c["id"] for c in by_name] == [made.json()["customer"]["id"]]
    assert web.get("/admin/customers/search.json").status_code == 403
