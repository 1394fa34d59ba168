"""Sapo Web endpoints for product images, inventory items and inventory levels."""

from __future__ import annotations

from collections.abc import Iterable

from sandbox.common import ApiError, Json, id_list, int_param, invalid, not_found, number, obj
from sandbox.models import WebVariant
from sandbox.routing import Call, Reply, Router
from sandbox.web_api import MAX_ID, page, product_or_404
from sandbox.web_catalog import add_image, set_available
from sandbox.web_render import render_item, render_level


def register(router: Router) -> None:
    """Add image and stock endpoints to the Web router."""
    _register_images(router)
    _register_inventory(router)


def _register_images(router: Router) -> None:
    r = router.route

    def images(call: Call) -> list[Json]:
        product = product_or_404(call.state.web, call.params["pid"])
        since = int_param(call.query, "since_id", 0, 0, MAX_ID)
        return [i for i in product.images if i["id"] > since]

    @r("GET", "/admin/products/{pid}/images.json")
    def list_images(call: Call) -> Reply:
        return Reply({"images": images(call)})

    @r("GET", "/admin/products/{pid}/images/count.json")
    def count_images(call: Call) -> Reply:
        return Reply({"count": len(images(call))})

    @r("GET", "/admin/products/{pid}/images/{id}.json")
    def get_image(call: Call) -> Reply:
        for image in images(call):
            if image["id"] == call.params["id"]:
                return Reply({"image": image})
        raise not_found()

    @r("POST", "/admin/products/{pid}/images.json")
    def post_image(call: Call) -> Reply:
        state = call.state
        product = product_or_404(state.web, call.params["pid"])
        image = add_image(state.ids, product, obj(call.body, "image"), state.now())
        product.modified_on = image["created_on"]
        return Reply({"image": image}, 201)

    @r("DELETE", "/admin/products/{pid}/images/{id}.json")
    def del_image(call: Call) -> Reply:
        product = product_or_404(call.state.web, call.params["pid"])
        kept = [i for i in product.images if i["id"] != call.params["id"]]
        if len(kept) == len(product.images):
            raise not_found()
        product.images = [i | {"position": n} for n, i in enumerate(kept, start=1)]
        product.modified_on = call.state.now()
        return Reply({})


def _register_inventory(router: Router) -> None:
    r = router.route

    def items(call: Call) -> list[WebVariant]:
        web, q = call.state.web, call.query
        ids = id_list(q, "ids")
        variant_ids = id_list(q, "variant_ids")
        product_ids = id_list(q, "product_ids")
        needle = q.get("query", "").strip().lower()
        rows: Iterable[WebVariant] = web.variants.values()
        if ids is not None:
            rows = [web.variants[web.items[i]] for i in sorted(ids) if i in web.items]
        return [
            v
            for v in rows
            if (variant_ids is None or v.id in variant_ids)
            and (product_ids is None or v.product_id in product_ids)
            and (
                not needle or needle in (v.sku or "").lower() or needle in (v.barcode or "").lower()
            )
        ]

    @r("GET", "/admin/inventory_items.json")
    def list_items(call: Call) -> Reply:
        return Reply({"inventory_items": [render_item(v) for v in page(call.query, items(call))]})

    @r("GET", "/admin/inventory_items/count.json")
    def count_items(call: Call) -> Reply:
        return Reply({"count": len(items(call))})  # same filters as the list (sheet §4.1)

    # No inventory_levels/count.json: the sheet documents neither a count nor paging for
    # levels (§2.6, §4.1: narrow with ids), and Shopify has none to assume.

    @r("GET", "/admin/inventory_items/{id}.json")
    def get_item(call: Call) -> Reply:
        web = call.state.web
        if call.params["id"] not in web.items:
            raise not_found()
        return Reply({"inventory_item": render_item(web.variants[web.items[call.params["id"]]])})

    @r("GET", "/admin/inventory_levels.json")
    def list_levels(call: Call) -> Reply:
        web, q = call.state.web, call.query
        locations = id_list(q, "location_ids")
        item_ids = id_list(q, "inventory_item_ids")
        low = number(q["available_min"], "available_min") if q.get("available_min") else None
        high = number(q["available_max"], "available_max") if q.get("available_max") else None
        rows: Iterable[WebVariant] = web.variants.values()
        if item_ids is not None:
            rows = [web.variants[web.items[i]] for i in sorted(item_ids) if i in web.items]
        levels = [
            render_level(web, v, lid, level)
            for v in rows
            for lid, level in v.levels.items()
            if (locations is None or lid in locations)
            and (low is None or level.available >= low)
            and (high is None or level.available <= high)
        ]
        # No paging is documented (sheet §2.6): everything unless `limit` is given.
        return Reply({"inventory_levels": page(q, levels) if q.get("limit") else levels})

    def set_level(call: Call, delta: bool) -> Reply:
        body = call.body.get("inventory_level", call.body) if isinstance(call.body, dict) else None
        if not isinstance(body, dict):
            raise invalid("inventory_level", "is required")
        web, state = call.state.web, call.state
        for key in ("location_id", "inventory_item_id"):
            if body.get(key) is None:
                raise invalid(key, "can't be blank")
        item_id, location_id = body["inventory_item_id"], body["location_id"]
        if item_id not in web.items:
            raise ApiError(404, "Not Found")
        variant = web.variants[web.items[item_id]]
        if delta:
            change = number(body.get("available_adjustment"), "available_adjustment")
            current = variant.levels.get(location_id)
            wanted = (current.available if current else 0.0) + change
        else:
            wanted = number(body.get("available"), "available")
        level = set_available(web, variant, location_id, wanted, state.now())
        return Reply({"inventory_level": render_level(web, variant, location_id, level)})

    @r("PUT", "/admin/inventory_levels/set.json")
    def put_set(call: Call) -> Reply:
        return set_level(call, delta=False)

    @r("POST", "/admin/inventory_levels/adjust.json")
    def post_adjust(call: Call) -> Reply:
        return set_level(call, delta=True)  # §9 SHOPIFY-ASSUMPTION body and method

    @r("PUT", "/admin/inventory_levels/{id}.json")
    def put_level(call: Call) -> Reply:
        raise ApiError(403, "Forbidden")  # live Sapo refuses this (sheet §2.6, LIVE S16)
