"""The demo seed holds every problem the product must catch, where sandbox.seeds says."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

import httpx

from sandbox import seeds


def _web_variants(web: httpx.Client) -> list[dict[str, Any]]:
    products = web.get("/admin/products.json", params={"limit": 250}).json()["products"]
    return [v for p in products for v in p["variants"]]


def _pos_variants(pos: httpx.Client) -> list[dict[str, Any]]:
    variants: list[dict[str, Any]] = pos.get("/admin/variants", params={"limit": 250}).json()[
        "variants"
    ]
    return variants


def test_branches_price_lists_and_size(pos: httpx.Client, web: httpx.Client) -> None:
    """Three branches (lowest id = default), three price lists, about 40 products per side."""
    locations = pos.get("/admin/locations").json()["locations"]
    assert min(loc["id"] for loc in locations) == seeds.DEMO_POS_DEFAULT_LOCATION_ID
    lists = {p["code"]: p["id"] for p in pos.get("/admin/price_lists").json()["price_lists"]}
    assert lists == seeds.DEMO_PRICE_LIST_IDS
    assert 30 <= pos.get("/admin/products").json()["metadata"]["total"] <= 50
    assert 30 <= web.get("/admin/products/count.json").json()["count"] <= 50


def test_web_catalogue_overlaps_pos_by_sku(pos: httpx.Client, web: httpx.Client) -> None:
    """Most SKUs exist on both sides; the one-sided SKUs are exactly the documented ones."""
    pos_skus = {v["sku"] for v in _pos_variants(pos)}
    web_skus = {v["sku"] for v in _web_variants(web) if v["sku"]}
    assert len(pos_skus & web_skus) >= 80
    assert web_skus - pos_skus == set(seeds.DEMO_WEB_ONLY_SKUS)
    assert pos_skus - web_skus == set(seeds.DEMO_POS_ONLY_SKUS)


def test_r1_problems_are_planted_on_the_web(web: httpx.Client) -> None:
    """Duplicate SKU, blank SKU, untracked variant and negative stock are all there (R1)."""
    variants = _web_variants(web)
    counts = Counter(v["sku"] for v in variants)
    assert [sku for sku, n in counts.items() if n > 1] == [seeds.DEMO_DUPLICATE_SKU]
    holders = {v["product_id"] for v in variants if v["sku"] == seeds.DEMO_DUPLICATE_SKU}
    assert seeds.DEMO_DUPLICATE_PRODUCT_ID in holders
    blank = [v for v in variants if not v["sku"]]
    assert [(v["id"], v["product_id"]) for v in blank] == [
        (seeds.DEMO_BLANK_SKU_VARIANT_ID, seeds.DEMO_BLANK_SKU_PRODUCT_ID)
    ]
    untracked = [v["sku"] for v in variants if v["inventory_management"] != "bizweb"]
    assert untracked == [seeds.DEMO_UNTRACKED_SKU]
    negative = [
        (v["sku"], v["inventory_quantity"]) for v in variants if v["inventory_quantity"] < 0
    ]
    assert negative == [(seeds.DEMO_NEGATIVE_SKU, seeds.DEMO_NEGATIVE_QUANTITY)]


def test_option_mismatch_twin_is_planted(pos: httpx.Client, web: httpx.Client) -> None:
    """The R10 pair shares SKUs but not option structure."""
    pos_product = pos.get(f"/admin/products/{seeds.DEMO_OPTION_MISMATCH_POS_PRODUCT_ID}").json()
    web_product = web.get(
        f"/admin/products/{seeds.DEMO_OPTION_MISMATCH_WEB_PRODUCT_ID}.json"
    ).json()
    pos_skus = [v["sku"] for v in pos_product["product"]["variants"]]
    web_skus = [v["sku"] for v in web_product["product"]["variants"]]
    assert pos_skus == web_skus == list(seeds.DEMO_OPTION_MISMATCH_SKUS)
    pos_options = [o["name"] for o in pos_product["product"]["options"]]
    web_options = [o["name"] for o in web_product["product"]["options"]]
    assert pos_options == ["Màu sắc", "Kích thước"]
    assert web_options == ["Phân loại"]


def test_extras_hidden_inactive_and_price_drift(pos: httpx.Client, web: httpx.Client) -> None:
    """A hidden web product, a stopped POS product, web prices that differ from BANLE."""
    web_variants = {v["sku"]: v for v in _web_variants(web) if v["sku"]}
    hidden = web.get("/admin/products.json", params={"published": "false"}).json()["products"]
    assert [v["sku"] for v in hidden[0]["variants"]] == list(seeds.DEMO_HIDDEN_WEB_SKUS)
    pos_variants = {v["sku"]: v for v in _pos_variants(pos)}
    assert {pos_variants[s]["status"] for s in seeds.DEMO_POS_INACTIVE_SKUS} == {"inactive"}
    for sku in seeds.DEMO_WEB_PRICE_DIFFERS_SKUS:
        assert web_variants[sku]["price"] != pos_variants[sku]["variant_retail_price"]
    assert (
        web_variants["ATCB-TRANG-S"]["price"]
        == pos_variants["ATCB-TRANG-S"]["variant_retail_price"]
    )


def test_presetup_orders_and_customers(pos: httpx.Client, web: httpx.Client) -> None:
    """Four web orders placed before start-up, by three customers, one found on POS each way."""
    now = datetime.now(UTC)
    for order_id in seeds.DEMO_PRESETUP_ORDER_IDS:
        order = web.get(f"/admin/orders/{order_id}.json").json()["order"]
        placed = datetime.fromisoformat(order["created_on"])
        assert (now - placed).days >= 1
        assert order["customer"]["id"] in seeds.DEMO_PRESETUP_CUSTOMER_IDS
        assert order["source_name"] == "web"
    by_phone = pos.get("/admin/customers", params={"query": seeds.DEMO_CUSTOMER_PHONE_MATCH}).json()
    by_email = pos.get("/admin/customers", params={"query": seeds.DEMO_CUSTOMER_EMAIL_MATCH}).json()
    assert by_phone["metadata"]["total"] == by_email["metadata"]["total"] == 1
    web_phone = web.get("/admin/customers.json", params={"query": seeds.DEMO_CUSTOMER_PHONE_MATCH})
    assert len(web_phone.json()["customers"]) == 1
    assert by_email["customers"][0]["phone_number"] != "0912345678"
