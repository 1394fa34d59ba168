"""The two stocks are separate: only POS operations move POS stock, only web ones web stock."""

from __future__ import annotations

from typing import Any

import httpx

from sandbox import Sandbox
from sandbox.seeds import DEMO_POS_LOCATION_IDS, DEMO_PRICE_LIST_IDS

SKU = "ATCB-TRANG-M"  # on both sides of the demo seed, tracked on web


def _pos_inventories(pos: httpx.Client) -> list[dict[str, Any]]:
    variants = pos.get("/admin/variants", params={"sku": SKU}).json()["variants"]
    assert [v["sku"] for v in variants] == [SKU]
    inventories: list[dict[str, Any]] = variants[0]["inventories"]
    assert len(inventories) == len(DEMO_POS_LOCATION_IDS)
    return inventories


def _web_variant(web: httpx.Client) -> dict[str, Any]:
    items = web.get("/admin/inventory_items.json", params={"query": SKU}).json()
    [item] = items["inventory_items"]
    levels = web.get("/admin/inventory_levels.json", params={"inventory_item_ids": item["id"]})
    variant_id = levels.json()["inventory_levels"][0]["variant_id"]
    variant: dict[str, Any] = web.get(f"/admin/variants/{variant_id}.json").json()["variant"]
    assert variant["sku"] == SKU
    return variant


def test_web_order_and_set_leave_pos_stock_alone(pos: httpx.Client, web: httpx.Client) -> None:
    """A decrementing web order and a web `set.json` change web stock, never a POS branch."""
    pos_before = _pos_inventories(pos)
    variant = _web_variant(web)
    order = {
        "line_items": [{"variant_id": variant["id"], "quantity": 2}],
        "inventory_behaviour": "decrement_ignoring_policy",
    }
    assert web.post("/admin/orders.json", json={"order": order}).status_code == 201
    assert _web_variant(web)["inventory_quantity"] == variant["inventory_quantity"] - 2
    location = web.get("/admin/locations.json").json()["locations"][0]["id"]
    level = {"location_id": location, "inventory_item_id": variant["inventory_item_id"]}
    put = web.put("/admin/inventory_levels/set.json", json={**level, "available": 42})
    assert put.status_code == 200
    assert _web_variant(web)["inventory_quantity"] == 42
    assert _pos_inventories(pos) == pos_before


def test_pos_order_and_count_leave_web_stock_alone(
    sb: Sandbox, pos: httpx.Client, web: httpx.Client
) -> None:
    """A POS order and a stock count in a store move POS stock; web inventory stays as it was."""
    web_before = _web_variant(web)["inventory_quantity"]
    branch = DEMO_POS_LOCATION_IDS[1]
    variant = pos.get("/admin/variants", params={"sku": SKU}).json()["variants"][0]
    order = {
        "location_id": branch,
        "customer_id": pos.get("/admin/customers").json()["customers"][0]["id"],
        "price_list_id": DEMO_PRICE_LIST_IDS["BANLE"],
        "source_id": pos.get("/admin/order_sources").json()["order_sources"][0]["id"],
        "order_line_items": [{"variant_id": variant["id"], "quantity": 1}],
    }
    assert pos.post("/admin/orders.json", json={"order": order}).status_code == 201
    sb.set_pos_inventory(SKU, branch, 99)
    after = next(i for i in _pos_inventories(pos) if i["location_id"] == branch)
    assert (after["on_hand"], after["committed"]) == (99, 1)
    assert _web_variant(web)["inventory_quantity"] == web_before
