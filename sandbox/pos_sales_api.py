"""Sapo core POS endpoints for customers, orders, order sources and webhooks."""

from __future__ import annotations

from collections.abc import Callable

from sandbox import hooks_api
from sandbox.common import ApiError, Json, obj, text
from sandbox.models import PosVariant
from sandbox.pos_api import branch, paged, select
from sandbox.pos_orders import cancel_order, customer_matches, new_customer, new_order, order_by_id
from sandbox.pos_render import render_variant
from sandbox.routing import Call, Reply, Router


def fire_stock(call: Call, variant_ids: list[int]) -> None:
    """`inventories/update` for each variant whose stock changed.

    The payload shape is [UNKNOWN] (sheet §3.6); the sandbox sends the bare variant with its
    `inventories[]`, so `id` is the variant id.
    """
    pos = call.state.pos
    for vid in variant_ids:
        variant = pos.variants.get(vid)
        if variant is not None:
            call.state.fire("pos", "inventories/update", _variant_payload(call, variant))


def _variant_payload(call: Call, variant: PosVariant) -> Callable[[], Json]:
    pos = call.state.pos
    return lambda: render_variant(pos, variant)


def _customers(call: Call) -> list[Json]:
    rows = select(
        call.query,
        call.state.pos.customers.values(),
        lambda c: (c["id"], c["created_on"], c["modified_on"]),
    )
    needle = call.query.get("query", "")
    return [c for c in rows if not needle.strip() or customer_matches(c, needle)]


def _orders(call: Call) -> list[Json]:
    q = call.query
    rows = select(
        q, call.state.pos.orders.values(), lambda o: (o["id"], o["created_on"], o["modified_on"])
    )
    needle = q.get("query", "").strip().lower()

    def keep(order: Json) -> bool:
        for key in ("reference_number", "status", "customer_id", "location_id", "source_id"):
            if q.get(key) and str(order[key]) != q[key]:
                return False
        customer = order["customer_data"] or {}
        words = (
            order["code"],
            order["reference_number"],
            order["phone_number"],
            customer.get("name"),
            customer.get("phone_number"),
        )
        return not needle or any(needle in str(w or "").lower() for w in words)

    return [o for o in rows if keep(o)]


def register(router: Router) -> None:
    """Add the sales endpoints to the POS router."""
    r = router.route

    @r("GET", "/admin/customers.json")
    def list_customers(call: Call) -> Reply:
        return Reply(paged(call.query, "customers", _customers(call)))

    @r("GET", "/admin/customers/{id}.json")
    def get_customer(call: Call) -> Reply:
        customer = call.state.pos.customers.get(call.params["id"])
        if customer is None:
            raise ApiError(404, "Không tìm thấy đối tượng")
        return Reply({"customer": customer})

    @r("POST", "/admin/customers.json")
    def post_customer(call: Call) -> Reply:
        state = call.state
        customer = new_customer(state.pos, state.ids, obj(call.body, "customer"), state.now())
        state.fire("pos", "customers/create", lambda: customer)
        return Reply({"customer": customer}, 201)

    @r("GET", "/admin/orders.json")
    def list_orders(call: Call) -> Reply:
        return Reply(paged(call.query, "orders", _orders(call)))

    @r("GET", "/admin/orders/{id}.json")
    def get_order(call: Call) -> Reply:
        return Reply({"order": order_by_id(call.state.pos, call.params["id"])})

    @r("POST", "/admin/orders.json")
    def post_order(call: Call) -> Reply:
        state = call.state
        body = obj(call.body, "order")
        order, touched = new_order(state.pos, state.ids, body, state.now(), branch(call))
        state.fire("pos", "orders/create", lambda: order)
        fire_stock(call, touched)
        return Reply({"order": order}, 201)

    @r("POST", "/admin/orders/{id}/cancel.json")
    def post_cancel(call: Call) -> Reply:
        state = call.state
        order = order_by_id(state.pos, call.params["id"])
        touched = cancel_order(state.pos, order, state.now())
        state.fire("pos", "orders/cancelled", lambda: order)
        fire_stock(call, touched)
        return Reply({"order": order})

    @r("GET", "/admin/order_sources.json")
    def list_sources(call: Call) -> Reply:
        return Reply(
            paged(call.query, "order_sources", list(call.state.pos.order_sources.values()))
        )

    @r("POST", "/admin/order_sources.json")
    def post_source(call: Call) -> Reply:
        state = call.state
        name = text(obj(call.body, "order_source").get("name"), "name", required=True)
        source_id = state.ids.next("pos_source")
        stamp = state.now()
        source = {
            "id": source_id,
            "tenant_id": state.pos.tenant["id"],
            "name": name,
            "status": "active",
            "init": False,
            "created_on": stamp,
            "modified_on": stamp,
        }
        state.pos.order_sources[source_id] = source
        return Reply({"order_source": source}, 201)

    def wrap(items: list[Json], total: int, page: int, limit: int) -> Json:
        return {"metadata": {"total": total, "page": page, "limit": limit}, "webhooks": items}

    hooks_api.register(router, "pos", wrap)
