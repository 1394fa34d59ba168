"""Sapo Web catalogue endpoints: products and variants, plus the shared Web list filters."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from sandbox.common import Json, TimeWindow, id_list, int_param, not_found, obj
from sandbox.models import WebData, WebProduct, WebVariant
from sandbox.routing import Call, Reply, Router
from sandbox.web_catalog import (
    create_product,
    delete_product,
    new_variant,
    update_product,
    update_variant,
)
from sandbox.web_render import render_product, render_variant

T = TypeVar("T")
MAX_ID = 2**63


def select(query: Mapping[str, str], records: Iterable[T], stamps: Callable[[T], Any]) -> list[T]:
    """The common Web list filters: ids, since_id, created_on_*, modified_on_* (sheet §4.1).

    `stamps(record)` gives (id, created_on, modified_on). Results come in ascending id order
    (§9 SHOPIFY-ASSUMPTION for since_id).
    """
    ids = id_list(query, "ids")
    since = int_param(query, "since_id", 0, 0, MAX_ID)
    created = TimeWindow.from_query(query, "created_on")
    modified = TimeWindow.from_query(query, "modified_on")
    out = []
    for record in records:
        rid, made, changed = stamps(record)
        if ids is not None and rid not in ids:
            continue
        if rid > since and created.admits(made) and modified.admits(changed):
            out.append(record)
    return out


def page(query: Mapping[str, str], items: list[T]) -> list[T]:
    """`page` (from 1) and `limit` (default 50, max 250) as on every Web list (sheet §4.1)."""
    number_ = int_param(query, "page", 1, 1, MAX_ID)
    limit = int_param(query, "limit", 50, 1, 250)
    return items[(number_ - 1) * limit : number_ * limit]


def only_fields(query: Mapping[str, str], item: Json) -> Json:
    """Apply `fields=a,b` to one object."""
    wanted = [f.strip() for f in query.get("fields", "").split(",") if f.strip()]
    return {k: v for k, v in item.items() if k in wanted} if wanted else item


def product_or_404(web: WebData, pid: int) -> WebProduct:
    product = web.products.get(pid)
    if product is None:
        raise not_found()
    return product


def _variant(web: WebData, vid: int, pid: int | None = None) -> WebVariant:
    variant = web.variants.get(vid)
    if variant is None or (pid is not None and variant.product_id != pid):
        raise not_found()
    return variant


def _products(call: Call) -> list[WebProduct]:
    q = call.query
    web = call.state.web
    found = select(q, web.products.values(), lambda p: (p.id, p.created_on, p.modified_on))
    published_window = TimeWindow.from_query(q, "published_on")
    published = q.get("published")
    needle = q.get("query", "").strip().lower()

    def keep(p: WebProduct) -> bool:
        if published == "true" and p.published_on is None:
            return False
        if published == "false" and p.published_on is not None:
            return False
        for key in ("vendor", "alias", "product_type"):
            if q.get(key) and getattr(p, key) != q[key]:
                return False
        return published_window.admits(p.published_on) and needle in p.name.lower()

    return [p for p in found if keep(p)]


def _fire_product(call: Call, topic: str, product: WebProduct) -> None:
    web = call.state.web
    call.state.fire("web", topic, lambda: render_product(web, product))


def register(router: Router) -> None:
    """Add the catalogue endpoints to the Web router."""
    r = router.route

    @r("GET", "/admin/products.json")
    def list_products(call: Call) -> Reply:
        web = call.state.web
        chosen = page(call.query, _products(call))
        items = [only_fields(call.query, render_product(web, p)) for p in chosen]
        return Reply({"products": items})

    @r("GET", "/admin/products/count.json")
    def count_products(call: Call) -> Reply:
        return Reply({"count": len(_products(call))})

    @r("GET", "/admin/products/{id}.json")
    def get_product(call: Call) -> Reply:
        product = product_or_404(call.state.web, call.params["id"])
        return Reply({"product": only_fields(call.query, render_product(call.state.web, product))})

    @r("POST", "/admin/products.json")
    def post_product(call: Call) -> Reply:
        state = call.state
        product = create_product(state.web, state.ids, obj(call.body, "product"), state.now())
        _fire_product(call, "products/create", product)
        return Reply({"product": render_product(state.web, product)}, 201)

    @r("PUT", "/admin/products/{id}.json")
    def put_product(call: Call) -> Reply:
        state = call.state
        product = product_or_404(state.web, call.params["id"])
        update_product(state.web, state.ids, product, obj(call.body, "product"), state.now())
        _fire_product(call, "products/update", product)
        return Reply({"product": render_product(state.web, product)})

    @r("DELETE", "/admin/products/{id}.json")
    def del_product(call: Call) -> Reply:
        product = product_or_404(call.state.web, call.params["id"])
        delete_product(call.state.web, product)
        call.state.fire("web", "products/delete", lambda: {"id": product.id})
        return Reply({})

    def variants_of(call: Call) -> list[WebVariant]:
        web = call.state.web
        product = product_or_404(web, call.params["pid"])
        rows = [web.variants[vid] for vid in product.variant_ids]
        return select(call.query, rows, lambda v: (v.id, v.created_on, v.modified_on))

    @r("GET", "/admin/products/{pid}/variants.json")
    def list_variants(call: Call) -> Reply:
        web = call.state.web
        product = product_or_404(web, call.params["pid"])
        positions = {vid: n for n, vid in enumerate(product.variant_ids, start=1)}
        chosen = page(call.query, variants_of(call))
        return Reply({"variants": [render_variant(web, v, positions[v.id]) for v in chosen]})

    @r("GET", "/admin/products/{pid}/variants/count.json")
    def count_variants(call: Call) -> Reply:
        return Reply({"count": len(variants_of(call))})

    def show_variant(web: WebData, variant: WebVariant) -> Json:
        position = web.products[variant.product_id].variant_ids.index(variant.id) + 1
        return {"variant": render_variant(web, variant, position)}

    @r("GET", "/admin/variants/{id}.json")
    def get_variant(call: Call) -> Reply:
        return Reply(show_variant(call.state.web, _variant(call.state.web, call.params["id"])))

    @r("GET", "/admin/products/{pid}/variants/{id}.json")
    def get_product_variant(call: Call) -> Reply:
        web = call.state.web
        return Reply(show_variant(web, _variant(web, call.params["id"], call.params["pid"])))

    @r("POST", "/admin/products/{pid}/variants.json")
    def post_variant(call: Call) -> Reply:
        state = call.state
        product = product_or_404(state.web, call.params["pid"])
        variant = new_variant(state.web, state.ids, product, obj(call.body, "variant"), state.now())
        product.modified_on = variant.created_on
        _fire_product(call, "products/update", product)
        return Reply(show_variant(state.web, variant), 201)

    @r("PUT", "/admin/variants/{id}.json")
    def put_variant(call: Call) -> Reply:
        state = call.state
        variant = _variant(state.web, call.params["id"])
        product = state.web.products[variant.product_id]
        update_variant(state.web, product, variant, obj(call.body, "variant"), state.now())
        _fire_product(call, "products/update", product)
        return Reply(show_variant(state.web, variant))

    @r("DELETE", "/admin/products/{pid}/variants/{id}.json")
    def del_variant(call: Call) -> Reply:
        state = call.state
        variant = _variant(state.web, call.params["id"], call.params["pid"])
        product = state.web.products[variant.product_id]
        product.variant_ids.remove(variant.id)
        state.web.drop_variant(variant.id)
        product.modified_on = state.now()
        _fire_product(call, "products/update", product)
        return Reply({})
