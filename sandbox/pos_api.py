"""Sapo core POS catalogue endpoints: tenant, locations, price lists, products, variants."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from sandbox.common import ApiError, Json, TimeWindow, id_list, int_param, invalid, obj
from sandbox.models import PosProduct, PosVariant
from sandbox.pos_catalog import (
    create_product,
    delete_product,
    delete_variant,
    find_variant,
    new_variant,
    update_product,
    update_variant,
)
from sandbox.pos_render import render_product, render_variant
from sandbox.routing import Call, Reply, Router

T = TypeVar("T")
MAX_PAGE = 2**63


def paged(query: Mapping[str, str], key: str, items: list[Any]) -> Json:
    """A core-API list: `{"metadata": {total, page, limit}, key: [...]}`; limit 20 by default."""
    page = int_param(query, "page", 1, 1, MAX_PAGE)
    limit = int_param(query, "limit", 20, 1, 250)  # default 20 (sheet §3.1, §4.3)
    chosen = items[(page - 1) * limit : page * limit]
    return {"metadata": {"total": len(items), "page": page, "limit": limit}, key: chosen}


def select(query: Mapping[str, str], records: Iterable[T], stamps: Callable[[T], Any]) -> list[T]:
    """Filters every core list shares: ids, created_on_*, modified_on_*; ascending id order.

    The order of core lists is [UNKNOWN] (sheet §4.3); ascending id keeps paging stable.
    """
    ids = id_list(query, "ids")
    created = TimeWindow.from_query(query, "created_on")
    modified = TimeWindow.from_query(query, "modified_on")
    out = []
    for record in records:
        rid, made, changed = stamps(record)
        if (ids is None or rid in ids) and created.admits(made) and modified.admits(changed):
            out.append(record)
    return out


def branch(call: Call) -> int:
    """The branch a write applies to: `X-Sapo-LocationId`, else the default branch (§1.2)."""
    pos = call.state.pos
    raw = call.headers.get("x-sapo-locationid")
    if raw is None:
        return pos.default_location_id()
    if not raw.strip().isdigit() or int(raw) not in pos.locations:
        raise invalid("X-Sapo-LocationId", "Chi nhánh không tồn tại")
    return int(raw)


def product_or_404(call: Call, key: str = "id") -> PosProduct:
    """The product named in the path."""
    product = call.state.pos.products.get(call.params[key])
    if product is None:
        raise ApiError(404, "Không tìm thấy đối tượng")
    return product


def _matches(variant: PosVariant, needle: str) -> bool:
    return any(needle in (f or "").lower() for f in (variant.sku, variant.barcode, variant.name))


def _products(call: Call) -> list[PosProduct]:
    q, pos = call.query, call.state.pos
    rows = select(q, pos.products.values(), lambda p: (p.id, p.created_on, p.modified_on))
    needle = q.get("query", "").strip().lower()
    status = q.get("status")

    def keep(p: PosProduct) -> bool:
        if status and p.status != status:
            return False
        if not needle or needle in p.name.lower():
            return True
        return any(_matches(pos.variants[vid], needle) for vid in p.variant_ids)

    return [p for p in rows if keep(p)]


def _variants(call: Call, within: PosProduct | None = None) -> list[PosVariant]:
    q, pos = call.query, call.state.pos
    source = [pos.variants[v] for v in within.variant_ids] if within else pos.variants.values()
    rows = select(q, source, lambda v: (v.id, v.created_on, v.modified_on))
    product_ids = id_list(q, "product_ids")
    needle = q.get("query", "").strip().lower()
    sku, status = q.get("sku"), q.get("status")
    return [
        v
        for v in rows
        if (product_ids is None or v.product_id in product_ids)
        and (not sku or v.sku == sku)
        and (not status or v.status == status)
        and (not needle or _matches(v, needle))
    ]


def _fire_product(call: Call, topic: str, product: PosProduct) -> None:
    pos = call.state.pos
    call.state.fire("pos", topic, lambda: render_product(pos, product))


def register(router: Router) -> None:
    """Add the catalogue endpoints to the POS router."""
    r = router.route

    @r("GET", "/admin/tenant.json")
    def get_tenant(call: Call) -> Reply:
        return Reply({"tenant": call.state.pos.tenant})  # shape [UNKNOWN] (sheet §1.2)

    @r("GET", "/admin/locations.json")
    def list_locations(call: Call) -> Reply:
        return Reply(paged(call.query, "locations", list(call.state.pos.locations.values())))

    @r("GET", "/admin/price_lists.json")
    def list_price_lists(call: Call) -> Reply:
        return Reply(paged(call.query, "price_lists", list(call.state.pos.price_lists.values())))

    @r("GET", "/admin/products.json")
    def list_products(call: Call) -> Reply:
        pos = call.state.pos
        body = paged(call.query, "products", _products(call))
        body["products"] = [render_product(pos, p) for p in body["products"]]
        return Reply(body)

    @r("GET", "/admin/products/{id}.json")
    def get_product(call: Call) -> Reply:
        return Reply({"product": render_product(call.state.pos, product_or_404(call))})

    @r("POST", "/admin/products.json")
    def post_product(call: Call) -> Reply:
        state = call.state
        body = obj(call.body, "product")
        product = create_product(state.pos, state.ids, body, state.now(), branch(call))
        _fire_product(call, "products/create", product)
        return Reply({"product": render_product(state.pos, product)}, 201)

    @r("PUT", "/admin/products/{id}.json")
    def put_product(call: Call) -> Reply:
        state = call.state
        product = product_or_404(call)
        body = obj(call.body, "product")
        update_product(state.pos, state.ids, product, body, state.now(), branch(call))
        _fire_product(call, "products/update", product)
        return Reply({"product": render_product(state.pos, product)})

    @r("DELETE", "/admin/products/{id}.json")
    def del_product(call: Call) -> Reply:
        product = product_or_404(call)
        delete_product(call.state.pos, product)
        call.state.fire("pos", "products/delete", lambda: {"id": product.id})
        return Reply({})

    @r("GET", "/admin/variants.json")
    def list_variants(call: Call) -> Reply:
        pos = call.state.pos
        body = paged(call.query, "variants", _variants(call))
        body["variants"] = [render_variant(pos, v) for v in body["variants"]]
        return Reply(body)

    @r("GET", "/admin/variants/{id}.json")
    def get_variant(call: Call) -> Reply:
        variant = call.state.pos.variants.get(call.params["id"])
        if variant is None:
            raise ApiError(404, "Không tìm thấy đối tượng")
        return Reply({"variant": render_variant(call.state.pos, variant)})

    @r("GET", "/admin/products/{pid}/variants.json")
    def list_product_variants(call: Call) -> Reply:
        pos = call.state.pos
        body = paged(call.query, "variants", _variants(call, product_or_404(call, "pid")))
        body["variants"] = [render_variant(pos, v) for v in body["variants"]]
        return Reply(body)

    @r("GET", "/admin/products/{pid}/variants/{id}.json")
    def get_product_variant(call: Call) -> Reply:
        pos = call.state.pos
        variant = find_variant(pos, product_or_404(call, "pid"), call.params["id"])
        return Reply({"variant": render_variant(pos, variant)})

    @r("POST", "/admin/products/{pid}/variants.json")
    def post_variant(call: Call) -> Reply:
        state = call.state
        product = product_or_404(call, "pid")
        fields = obj(call.body, "variant")
        variant = new_variant(state.pos, state.ids, product, fields, state.now(), branch(call))
        product.modified_on = variant.created_on
        _fire_product(call, "products/update", product)
        return Reply({"variant": render_variant(state.pos, variant)}, 201)

    @r("PUT", "/admin/products/{pid}/variants/{id}.json")
    def put_variant(call: Call) -> Reply:
        state = call.state
        product = product_or_404(call, "pid")
        variant = find_variant(state.pos, product, call.params["id"])
        update_variant(state.pos, variant, obj(call.body, "variant"), state.now())
        _fire_product(call, "products/update", product)
        return Reply({"variant": render_variant(state.pos, variant)})

    @r("DELETE", "/admin/products/{pid}/variants/{id}.json")
    def del_variant(call: Call) -> Reply:
        state = call.state
        product = product_or_404(call, "pid")
        delete_variant(
            state.pos, product, find_variant(state.pos, product, call.params["id"]), state.now()
        )
        _fire_product(call, "products/update", product)
        return Reply({})
