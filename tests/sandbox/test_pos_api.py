"""The fake Sapo core POS API: metadata lists, products, variants, customers, orders."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from sandbox.seeds import DEMO_POS_DEFAULT_LOCATION_ID, DEMO_POS_LOCATION_IDS, DEMO_PRICE_LIST_IDS

BANLE, BANBUON, GIANHAP = (DEMO_PRICE_LIST_IDS[c] for c in ("BANLE", "BANBUON", "GIANHAP"))


def _stock(variant: dict[str, Any], location_id: int) -> dict[str, Any]:
    inventories = variant["inventories"]
    assert isinstance(inventories, list)
    found: dict[str, Any] = next(i for i in inventories if i["location_id"] == location_id)
    return found


@pytest.mark.parametrize("path", ["/admin/products", "/admin/products.json"])
def test_lists_answer_with_metadata_with_or_without_json(pos: httpx.Client, path: str) -> None:
    """Both path forms route; the list carries `metadata {total, page, limit}`, limit 20."""
    answer = pos.get(path)
    assert answer.status_code == 200
    body = answer.json()
    assert body["metadata"] == {"total": 35, "page": 1, "limit": 20}
    assert len(body["products"]) == 20
    last = pos.get(path, params={"page": 2, "limit": 20}).json()
    assert len(last["products"]) == 15
    assert last["metadata"]["page"] == 2


def test_locations_price_lists_sources_and_tenant(pos: httpx.Client) -> None:
    """Three branches, the three built-in price lists, the built-in Web source, the tenant."""
    locations = pos.get("/admin/locations.json").json()["locations"]
    assert [loc["id"] for loc in locations] == list(DEMO_POS_LOCATION_IDS)
    lists = pos.get("/admin/price_lists").json()["price_lists"]
    assert {p["code"]: p["is_cost"] for p in lists} == {
        "BANLE": False,
        "BANBUON": False,
        "GIANHAP": True,
    }
    sources = pos.get("/admin/order_sources.json").json()["order_sources"]
    assert any(s["name"] == "Web" and s["init"] for s in sources)
    assert pos.get("/admin/tenant.json").json()["tenant"]["id"] > 0


def test_variants_carry_prices_per_list_and_stock_per_branch(pos: httpx.Client) -> None:
    """Each variant has variant_prices for the three lists and inventories for each branch."""
    variant = pos.get("/admin/variants.json", params={"limit": 1}).json()["variants"][0]
    prices = {p["price_list_id"]: p["value"] for p in variant["variant_prices"]}
    assert set(prices) == {BANLE, BANBUON, GIANHAP}
    assert prices[BANLE] > prices[BANBUON] > prices[GIANHAP]
    assert variant["variant_retail_price"] == prices[BANLE]
    assert [i["location_id"] for i in variant["inventories"]] == list(DEMO_POS_LOCATION_IDS)
    for stock in variant["inventories"]:
        assert stock["available"] == stock["on_hand"] - stock["committed"]


def test_create_product_with_initial_stock_and_prices(pos: httpx.Client) -> None:
    """init_stock lands at the X-Sapo-LocationId branch; inventories and price fields apply."""
    branch = DEMO_POS_LOCATION_IDS[1]
    body = {
        "product": {
            "name": "Áo gió trẻ em",
            "options": [{"name": "Kích thước"}],
            "variants": [
                {
                    "sku": "AGTE-S",
                    "opt1": "S",
                    "init_stock": 7,
                    "variant_retail_price": 150000,
                    "variant_import_price": 80000,
                },
                {
                    "sku": "AGTE-M",
                    "opt1": "M",
                    "inventories": [{"location_id": DEMO_POS_DEFAULT_LOCATION_ID, "on_hand": 3}],
                    "variant_prices": [{"price_list_id": BANBUON, "value": 120000}],
                },
            ],
        }
    }
    answer = pos.post("/admin/products", json=body, headers={"X-Sapo-LocationId": str(branch)})
    assert answer.status_code == 201
    product = answer.json()["product"]
    small, medium = product["variants"]
    assert product["opt1"] == "Kích thước"
    assert small["name"] == "Áo gió trẻ em - S"
    assert _stock(small, branch)["on_hand"] == 7
    assert _stock(small, DEMO_POS_DEFAULT_LOCATION_ID)["on_hand"] == 0
    assert small["variant_import_price"] == 80000
    assert _stock(medium, DEMO_POS_DEFAULT_LOCATION_ID)["available"] == 3
    assert medium["variant_whole_price"] == 120000


def test_duplicate_sku_and_missing_name_give_data_error(pos: httpx.Client) -> None:
    """Validation errors use `{"data_error": {"status": 422, "errors": {...}}}`."""
    taken = pos.get("/admin/variants.json", params={"limit": 1}).json()["variants"][0]["sku"]
    answer = pos.post("/admin/products.json", json={"product": {"name": "Trùng", "sku": taken}})
    assert answer.status_code == 422
    assert answer.json()["data_error"]["status"] == 422
    assert "sku" in answer.json()["data_error"]["errors"]
    nameless = pos.post("/admin/products", json={"product": {"sku": "MOI-01"}})
    assert isinstance(nameless.json()["data_error"]["errors"]["name"], str)
    missing = pos.get("/admin/products/1")
    assert missing.status_code == 404
    assert missing.json() == {"error": {"message": "Không tìm thấy đối tượng"}}


def test_update_product_variant_and_modified_filter(pos: httpx.Client) -> None:
    """PUT changes names, status and prices and bumps modified_on for incremental reads."""
    product = pos.get("/admin/products", params={"limit": 1, "page": 3}).json()["products"][0]
    variant = product["variants"][0]
    put = pos.put(
        f"/admin/products/{product['id']}",
        json={"product": {"name": "Tên mới", "status": "inactive"}},
    )
    assert put.json()["product"]["status"] == "inactive"
    changed = pos.put(
        f"/admin/products/{product['id']}/variants/{variant['id']}.json",
        json={"variant": {"variant_prices": [{"price_list_id": BANLE, "value": 111000}]}},
    ).json()["variant"]
    assert changed["variant_retail_price"] == 111000
    since = changed["modified_on"]
    assert since > variant["modified_on"]
    recent = pos.get("/admin/products", params={"modified_on_min": since}).json()
    assert [p["id"] for p in recent["products"]] == [product["id"]]
    recent_variants = pos.get("/admin/variants", params={"modified_on_min": since}).json()
    assert variant["id"] in [v["id"] for v in recent_variants["variants"]]


def test_add_and_delete_variants_and_products(pos: httpx.Client) -> None:
    """Variants are added and removed under a product; deleting the product removes all."""
    product = pos.get("/admin/products", params={"limit": 1}).json()["products"][0]
    base = f"/admin/products/{product['id']}/variants"
    made = pos.post(base, json={"variant": {"sku": "APP-XANH-M", "opt1": "Xanh", "opt2": "M"}})
    assert made.status_code == 201
    vid = made.json()["variant"]["id"]
    assert pos.get(base).json()["metadata"]["total"] == 5
    assert pos.delete(f"{base}/{vid}").status_code == 200
    assert pos.delete(f"/admin/products/{product['id']}.json").status_code == 200
    assert pos.get(f"/admin/variants/{vid}").status_code == 404
    assert pos.get("/admin/products").json()["metadata"]["total"] == 34


def test_customers_query_by_phone_email_and_name(pos: httpx.Client) -> None:
    """`query` matches a customer's phone, email or name; new customers can be created."""
    by_phone = pos.get("/admin/customers.json", params={"query": "0901234567"}).json()
    assert [c["name"] for c in by_phone["customers"]] == ["Nguyễn Thị Lan"]
    by_email = pos.get("/admin/customers", params={"query": "minh.tran@example.com"}).json()
    assert by_email["metadata"]["total"] == 1
    made = pos.post(
        "/admin/customers", json={"customer": {"name": "Đỗ Hoa", "phone_number": "0909000111"}}
    )
    assert made.status_code == 201
    cid = made.json()["customer"]["id"]
    assert pos.get(f"/admin/customers/{cid}").json()["customer"]["name"] == "Đỗ Hoa"
    assert pos.get("/admin/customers", params={"query": "đỗ"}).json()["metadata"]["total"] == 1


def test_order_commits_stock_and_is_found_by_reference(pos: httpx.Client) -> None:
    """A POS order lowers `available` (raises `committed`) at its branch; filters find it."""
    variant = pos.get("/admin/variants", params={"sku": "GTT-40"}).json()["variants"][0]
    branch = DEMO_POS_LOCATION_IDS[2]
    before = _stock(variant, branch)
    source = pos.get("/admin/order_sources").json()["order_sources"][0]["id"]
    customer = pos.get("/admin/customers").json()["customers"][0]["id"]
    body = {
        "order": {
            "location_id": branch,
            "customer_id": customer,
            "price_list_id": BANLE,
            "source_id": source,
            "reference_number": "#1005",
            "order_line_items": [{"variant_id": variant["id"], "quantity": 2}],
        }
    }
    answer = pos.post("/admin/orders.json", json=body)
    assert answer.status_code == 201
    order = answer.json()["order"]
    assert order["total"] == 2 * 690000
    assert order["code"].startswith("SON")
    after = _stock(pos.get(f"/admin/variants/{variant['id']}").json()["variant"], branch)
    assert after["committed"] == before["committed"] + 2
    assert after["available"] == before["available"] - 2
    assert after["on_hand"] == before["on_hand"]
    found = pos.get("/admin/orders", params={"reference_number": "#1005"}).json()
    assert [o["id"] for o in found["orders"]] == [order["id"]]
    assert pos.get("/admin/orders", params={"query": "#1005"}).json()["metadata"]["total"] == 1
    assert pos.get(f"/admin/orders/{order['id']}.json").json()["order"]["source_id"] == source
    bad = pos.post("/admin/orders", json={"order": {"order_line_items": [{"variant_id": 1}]}})
    assert bad.status_code == 422


def _stamps(value: object) -> Iterator[tuple[str, str]]:
    """Every non-null `*_on` field anywhere in a JSON value."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key.endswith("_on") and item is not None:
                yield key, item
            else:
                yield from _stamps(item)
    elif isinstance(value, list):
        for item in value:
            yield from _stamps(item)


def test_timestamps_are_utc_iso_8601(pos: httpx.Client) -> None:
    """Every created_on/modified_on on the POS API is ISO 8601 in UTC with a trailing Z."""
    variant = pos.get("/admin/variants", params={"limit": 1}).json()["variants"][0]
    order = {
        "location_id": DEMO_POS_DEFAULT_LOCATION_ID,
        "order_line_items": [{"variant_id": variant["id"], "quantity": 1}],
    }
    made = pos.post("/admin/orders.json", json={"order": order})
    assert made.status_code == 201
    seen: set[str] = set()
    paths = ["products", "variants", "customers", "orders", "locations", "price_lists"]
    for path in paths:
        for key, stamp in _stamps(pos.get(f"/admin/{path}").json()):
            seen.add(key)
            assert isinstance(stamp, str), (path, key, stamp)
            assert stamp.endswith("Z"), (path, key, stamp)
            assert datetime.fromisoformat(stamp).utcoffset() == timedelta(0), (path, key)
    assert {"created_on", "modified_on"} <= seen
    created = datetime.fromisoformat(made.json()["order"]["created_on"])
    assert abs(datetime.now(UTC) - created) < timedelta(minutes=5)
