"""The fake Sapo Web API: lists, filters, counts, catalogue writes and errors."""

from __future__ import annotations

from typing import Any

import httpx

from sandbox import Sandbox
from sandbox.seeds import DEMO_WEB_LOCATION_ID


def _product_body(name: str = "Áo khoác dạ", **extra: object) -> dict[str, Any]:
    variants = [
        {"sku": f"AKD-{size}", "price": 890000, "option1": size, "inventory_quantity": 4}
        for size in ("M", "L")
    ]
    product = {"name": name, "options": [{"name": "Kích thước"}], "variants": variants}
    return {"product": product | extra}


def test_products_page_with_page_and_limit_and_count(web: httpx.Client) -> None:
    """Pages partition the list in id order; count.json agrees; limit defaults to 50, max 250."""
    total = web.get("/admin/products/count.json").json()["count"]
    pages = [web.get("/admin/products.json", params={"limit": 10, "page": n}) for n in (1, 2, 3, 4)]
    ids = [p["id"] for page in pages for p in page.json()["products"]]
    assert len(ids) == total == 36
    assert ids == sorted(ids)
    assert len(web.get("/admin/products.json").json()["products"]) == 36
    assert len(web.get("/admin/products.json", params={"limit": 999}).json()["products"]) == 36


def test_default_limit_is_50_and_max_250(sb: Sandbox, web: httpx.Client) -> None:
    """On a big catalogue a page holds 50 by default and never more than 250."""
    sb.reset("bench:2400")
    assert len(web.get("/admin/products.json").json()["products"]) == 50
    assert len(web.get("/admin/products.json", params={"limit": 999}).json()["products"]) == 250


def test_since_id_and_ids_filters(web: httpx.Client) -> None:
    """`since_id` returns only larger ids, ascending; `ids` picks exact products."""
    every = [p["id"] for p in web.get("/admin/products.json").json()["products"]]
    later = web.get("/admin/products.json", params={"since_id": every[30]}).json()["products"]
    assert [p["id"] for p in later] == every[31:]
    chosen = web.get("/admin/products.json", params={"ids": f"{every[2]},{every[5]}"}).json()
    assert [p["id"] for p in chosen["products"]] == [every[2], every[5]]


def test_published_filter_and_hidden_products(web: httpx.Client) -> None:
    """`published_on: null` hides a product; `published=false` finds it, `true` does not."""
    hidden = web.get("/admin/products.json", params={"published": "false"}).json()["products"]
    shown = web.get("/admin/products/count.json", params={"published": "true"}).json()["count"]
    assert [p["published_on"] for p in hidden] == [None]
    assert shown == 35
    made = web.post("/admin/products.json", json=_product_body(published_on=None))
    assert made.json()["product"]["published_on"] is None
    visible = web.post("/admin/products.json", json=_product_body("Hiện")).json()["product"]
    assert visible["published_on"] is not None
    assert web.get("/admin/products/count.json", params={"published": "false"}).json() == {
        "count": 2
    }


def test_created_and_modified_filters(web: httpx.Client) -> None:
    """`created_on_min` / `modified_on_min` find only what was made or changed after a moment."""
    made = web.post("/admin/products.json", json=_product_body()).json()["product"]
    since = made["created_on"]
    created = web.get("/admin/products.json", params={"created_on_min": since}).json()
    assert [p["id"] for p in created["products"]] == [made["id"]]
    old = web.get("/admin/products.json").json()["products"][0]
    web.put(f"/admin/products/{old['id']}.json", json={"product": {"name": "Đổi tên"}})
    changed = web.get("/admin/products.json", params={"modified_on_min": since}).json()
    assert {p["id"] for p in changed["products"]} == {made["id"], old["id"]}
    bad = web.get("/admin/products.json", params={"modified_on_min": "hôm qua"})
    assert bad.status_code == 422


def test_create_product_with_options_and_variants(web: httpx.Client) -> None:
    """A created product carries options, variants with own inventory items, and stock."""
    answer = web.post("/admin/products.json", json=_product_body())
    product = answer.json()["product"]
    assert answer.status_code == 201
    assert product["alias"] == "ao-khoac-da"
    assert product["options"][0]["name"] == "Kích thước"
    assert product["options"][0]["values"] == ["M", "L"]
    variant = product["variants"][0]
    assert variant["title"] == "M"
    assert variant["inventory_item_id"] != variant["id"]
    assert variant["price"] == 890000.0
    assert isinstance(variant["price"], float)
    assert variant["inventory_quantity"] == 4
    assert variant["created_on"].endswith("Z")
    assert 10_000_000 <= product["id"] < 1_000_000_000


def test_variant_endpoints(web: httpx.Client) -> None:
    """Variants list, count, create, update and delete under their product."""
    product = web.post("/admin/products.json", json=_product_body()).json()["product"]
    base = f"/admin/products/{product['id']}/variants"
    extra = web.post(f"{base}.json", json={"variant": {"sku": "AKD-XL", "option1": "XL"}})
    assert extra.status_code == 201
    vid = extra.json()["variant"]["id"]
    assert web.get(f"{base}/count.json").json() == {"count": 3}
    put = web.put(f"/admin/variants/{vid}.json", json={"variant": {"price": 990000}})
    assert put.json()["variant"]["price"] == 990000.0
    assert web.get(f"/admin/variants/{vid}.json").json()["variant"]["position"] == 3
    assert web.delete(f"{base}/{vid}.json").status_code == 200
    assert [v["sku"] for v in web.get(f"{base}.json").json()["variants"]] == ["AKD-M", "AKD-L"]
    dup = web.post(f"{base}.json", json={"variant": {"sku": "X", "option1": "M"}})
    assert dup.status_code == 422
    assert "errors" in dup.json()


def test_put_product_replaces_variants_and_delete(web: httpx.Client) -> None:
    """A PUT with `variants` keeps the listed ones, adds new ones, drops the rest."""
    product = web.post("/admin/products.json", json=_product_body()).json()["product"]
    keep = product["variants"][1]["id"]
    wanted = [{"id": keep}, {"sku": "AKD-S", "option1": "S"}]
    put = web.put(f"/admin/products/{product['id']}.json", json={"product": {"variants": wanted}})
    assert [v["sku"] for v in put.json()["product"]["variants"]] == ["AKD-L", "AKD-S"]
    assert web.delete(f"/admin/products/{product['id']}.json").json() == {}
    gone = web.get(f"/admin/products/{product['id']}.json")
    assert gone.status_code == 404
    assert gone.json() == {"errors": "Not Found"}


def test_images(web: httpx.Client) -> None:
    """Images can be attached, listed, counted and removed."""
    pid = web.get("/admin/products.json").json()["products"][3]["id"]
    made = web.post(
        f"/admin/products/{pid}/images.json", json={"image": {"src": "https://x.test/a.jpg"}}
    )
    assert made.status_code == 201
    image = made.json()["image"]
    assert web.get(f"/admin/products/{pid}/images/count.json").json() == {"count": 1}
    assert web.get(f"/admin/products/{pid}.json").json()["product"]["image"]["id"] == image["id"]
    assert web.delete(f"/admin/products/{pid}/images/{image['id']}.json").status_code == 200
    assert web.get(f"/admin/products/{pid}/images.json").json() == {"images": []}


def test_validation_error_shape(web: httpx.Client) -> None:
    """422 bodies are `{"errors": {field: [message]}}`; bad JSON is a 400."""
    answer = web.post("/admin/products.json", json={"product": {"vendor": "x"}})
    assert answer.status_code == 422
    assert answer.json() == {"errors": {"name": ["can't be blank"]}}
    broken = web.post(
        "/admin/products.json", content=b"{", headers={"Content-Type": "application/json"}
    )
    assert broken.status_code == 400


def test_inventory_items_and_levels(web: httpx.Client) -> None:
    """Items filter by ids, variant ids and SKU query; levels by item and location ids."""
    variant = web.get("/admin/products.json").json()["products"][5]["variants"][0]
    by_variant = web.get("/admin/inventory_items.json", params={"variant_ids": variant["id"]})
    item = by_variant.json()["inventory_items"][0]
    assert item["id"] == variant["inventory_item_id"]
    assert item["tracked"] is True
    by_query = web.get("/admin/inventory_items.json", params={"query": variant["sku"]}).json()
    assert item["id"] in [i["id"] for i in by_query["inventory_items"]]
    levels = web.get(
        "/admin/inventory_levels.json",
        params={"inventory_item_ids": item["id"], "location_ids": DEMO_WEB_LOCATION_ID},
    ).json()["inventory_levels"]
    assert len(levels) == 1
    assert levels[0]["available"] == variant["inventory_quantity"]
    assert levels[0]["available"] == levels[0]["on_hand"] - levels[0]["committed"]


def test_setting_a_level_updates_inventory_quantity(web: httpx.Client) -> None:
    """PUT set.json changes `available` and the variant's `inventory_quantity` and modified_on."""
    variant = web.get("/admin/products.json").json()["products"][5]["variants"][0]
    body = {
        "inventory_level": {
            "location_id": DEMO_WEB_LOCATION_ID,
            "inventory_item_id": variant["inventory_item_id"],
            "available": 17,
        }
    }
    answer = web.put("/admin/inventory_levels/set.json", json=body)
    assert answer.status_code == 200
    assert answer.json()["inventory_level"]["available"] == 17.0
    after = web.get(f"/admin/variants/{variant['id']}.json").json()["variant"]
    assert after["inventory_quantity"] == 17
    assert after["modified_on"] > variant["modified_on"]


def test_inventory_level_wrong_methods(web: httpx.Client) -> None:
    """POST set.json answers 405 and PUT inventory_levels/{id}.json 403, as on live Sapo."""
    level = web.get("/admin/inventory_levels.json").json()["inventory_levels"][0]
    body = {"inventory_level": {**level, "available": 1}}
    refused = web.post("/admin/inventory_levels/set.json", json=body)
    assert refused.status_code == 405
    assert "errors" in refused.json()
    assert web.put(f"/admin/inventory_levels/{level['id']}.json", json=body).status_code == 403
    again = web.get("/admin/inventory_levels.json").json()["inventory_levels"][0]
    assert again["available"] == level["available"]


def test_locations_and_store(web: httpx.Client) -> None:
    """One web location; store.json answers under the key `shop`."""
    locations = web.get("/admin/locations.json").json()["locations"]
    assert [loc["id"] for loc in locations] == [DEMO_WEB_LOCATION_ID]
    one = web.get(f"/admin/locations/{DEMO_WEB_LOCATION_ID}.json").json()["location"]
    assert one["name"] == locations[0]["name"]
    assert web.get("/admin/store.json").json()["shop"]["domain"].endswith(".mysapo.net")


def test_every_list_has_a_count_that_agrees(web: httpx.Client) -> None:
    """Each Web list has `/count.json` giving `{"count": n}` for the same filters (sheet §4.1)."""
    products = web.get("/admin/products.json", params={"limit": 250}).json()["products"]
    pid = products[0]["id"]
    web.post(f"/admin/products/{pid}/images.json", json={"image": {"src": "https://x.vn/a.jpg"}})
    hook = {"topic": "orders/create", "address": "http://127.0.0.1:9/hooks"}
    web.post("/admin/webhooks.json", json={"webhook": hook})
    lists: list[tuple[str, dict[str, str], str]] = [
        ("/admin/products", {}, "products"),
        ("/admin/products", {"published": "false"}, "products"),
        (f"/admin/products/{pid}/variants", {}, "variants"),
        (f"/admin/products/{pid}/images", {}, "images"),
        ("/admin/inventory_items", {}, "inventory_items"),
        ("/admin/orders", {"status": "closed"}, "orders"),
        ("/admin/customers", {}, "customers"),
        ("/admin/locations", {}, "locations"),
        ("/admin/webhooks", {}, "webhooks"),
    ]
    for path, filters, key in lists:
        listed = web.get(f"{path}.json", params={**filters, "limit": 250}).json()[key]
        counted = web.get(f"{path}/count.json", params=filters)
        assert counted.status_code == 200, path
        assert counted.json() == {"count": len(listed)}, path
        assert listed, f"{path} should not be empty in the demo seed"
    assert web.get("/admin/locations/count.json").json() == {"count": 1}
    by_product = {"product_ids": pid}
    items = web.get("/admin/inventory_items/count.json", params=by_product).json()
    assert items == {"count": len(products[0]["variants"])}
    assert web.get("/admin/inventory_items/count.json").json()["count"] > items["count"]
