"""Sapo Web endpoints for orders, customers, webhooks, locations and the store."""

from __future__ import annotations

from sandbox import hooks_api
from sandbox.common import ApiError, Json, TimeWindow, not_found, obj, text
from sandbox.routing import Call, Reply, Router
from sandbox.web_api import page, select
from sandbox.web_customers import CUSTOMER_KEYS, new_customer
from sandbox.web_orders import (
    new_order,
    order_by_id,
    set_status,
    update_order,
)

DEFAULT_FINANCIAL = ("authorized", "pending", "paid")  # when omitted (sheet §2.8)


def _orders(call: Call) -> list[Json]:
    q = call.query
    rows = select(
        q, call.state.web.orders.values(), lambda o: (o["id"], o["created_on"], o["modified_on"])
    )
    status = q.get("status") or "open"
    if status == "any":
        return []  # live Sapo answers status=any with an empty list (sheet §2.8)
    financial = q.get("financial_status") or ""
    fulfilment = q.get("fulfillment_status") or "any"
    processed = TimeWindow.from_query(q, "processed_on")
    needle = q.get("query", "").strip().lower()

    def keep(order: Json) -> bool:
        if order["status"] != status or not processed.admits(order["processed_on"]):
            return False
        if financial != "any" and order["financial_status"] not in (
            (financial,) if financial else DEFAULT_FINANCIAL
        ):
            return False
        state = order["fulfillment_status"]
        if fulfilment == "unfulfilled" and state == "fulfilled":
            return False
        if fulfilment in ("fulfilled", "partial") and state != fulfilment:
            return False
        if q.get("customer_id") and str((order["customer"] or {}).get("id")) != q["customer_id"]:
            return False
        if q.get("tag") and q["tag"] not in [t.strip() for t in order["tags"].split(",")]:
            return False
        words = (order["name"], order["email"], order["phone"])
        return not needle or any(needle in str(w or "").lower() for w in words)

    return [o for o in rows if keep(o)]


def _customers(call: Call) -> list[Json]:
    q = call.query
    rows = select(
        q, call.state.web.customers.values(), lambda c: (c["id"], c["created_on"], c["modified_on"])
    )
    needle = q.get("query", "").strip().lower()
    if not needle:
        return rows
    keys = ("first_name", "last_name", "email", "phone")
    return [c for c in rows if any(needle in str(c.get(k) or "").lower() for k in keys)]


def register(router: Router) -> None:
    """Add the sales endpoints to the Web router."""
    r = router.route

    @r("GET", "/admin/orders.json")
    def list_orders(call: Call) -> Reply:
        return Reply({"orders": page(call.query, _orders(call))})

    @r("GET", "/admin/orders/count.json")
    def count_orders(call: Call) -> Reply:
        return Reply({"count": len(_orders(call))})

    @r("GET", "/admin/orders/{id}.json")
    def get_order(call: Call) -> Reply:
        return Reply({"order": order_by_id(call.state.web, call.params["id"])})

    @r("POST", "/admin/orders.json")
    def post_order(call: Call) -> Reply:
        state = call.state
        order = new_order(state.web, state.ids, obj(call.body, "order"), state.now())
        state.fire("web", "orders/create", lambda: order)
        return Reply({"order": order}, 201)

    @r("PUT", "/admin/orders/{id}.json")
    def put_order(call: Call) -> Reply:
        state = call.state
        order = order_by_id(state.web, call.params["id"])
        update_order(state.web, order, obj(call.body, "order"), state.now())
        state.fire("web", "orders/updated", lambda: order)
        return Reply({"order": order})

    @r("DELETE", "/admin/orders/{id}.json")
    def del_order(call: Call) -> Reply:
        state = call.state
        order = order_by_id(state.web, call.params["id"])
        del state.web.orders[order["id"]]
        state.web.commits.pop(order["id"], None)  # deleting does not restock (sheet §2.8)
        state.fire("web", "orders/delete", lambda: {"id": order["id"]})
        return Reply({})

    def transition(action: str, topics: tuple[str, ...]) -> None:
        @r("POST", f"/admin/orders/{{id}}/{action}.json")
        def handler(call: Call) -> Reply:
            state = call.state
            order = order_by_id(state.web, call.params["id"])
            body = call.body if isinstance(call.body, dict) else {}
            set_status(state.web, order, action, state.now(), text(body.get("reason"), "reason"))
            for topic in topics:
                state.fire("web", topic, lambda: order)
            return Reply({"order": order})

    transition("close", ("orders/updated",))
    transition("open", ("orders/updated",))
    transition("cancel", ("orders/cancelled", "orders/updated"))
    _register_customers(router)
    _register_store(router)


def _register_customers(router: Router) -> None:
    r = router.route

    def one(call: Call) -> Json:
        customer = call.state.web.customers.get(call.params["id"])
        if customer is None:
            raise not_found()
        return customer

    @r("GET", "/admin/customers.json")
    def list_customers(call: Call) -> Reply:
        return Reply({"customers": page(call.query, _customers(call))})

    @r("GET", "/admin/customers/count.json")
    def count_customers(call: Call) -> Reply:
        return Reply({"count": len(_customers(call))})

    @r("GET", "/admin/customers/search.json")
    def search_customers(call: Call) -> Reply:
        raise ApiError(403, "Forbidden")  # private apps get 403; use ?query= (sheet §1.1)

    @r("GET", "/admin/customers/{id}.json")
    def get_customer(call: Call) -> Reply:
        return Reply({"customer": one(call)})

    @r("POST", "/admin/customers.json")
    def post_customer(call: Call) -> Reply:
        state = call.state
        customer = new_customer(state.web, state.ids, obj(call.body, "customer"), state.now())
        state.fire("web", "customers/create", lambda: customer)
        return Reply({"customer": customer}, 201)

    @r("PUT", "/admin/customers/{id}.json")
    def put_customer(call: Call) -> Reply:
        customer = one(call)
        fields = obj(call.body, "customer")
        for key in CUSTOMER_KEYS:
            if key in fields:
                customer[key] = text(fields[key], key)
        customer["modified_on"] = call.state.now()
        call.state.fire("web", "customers/update", lambda: customer)
        return Reply({"customer": customer})


def _register_store(router: Router) -> None:
    r = router.route

    def wrap(items: list[Json], total: int, page: int, limit: int) -> Json:
        return {"webhooks": items}

    hooks_api.register(router, "web", wrap)

    @r("GET", "/admin/locations.json")
    def list_locations(call: Call) -> Reply:
        return Reply({"locations": page(call.query, list(call.state.web.locations.values()))})

    @r("GET", "/admin/locations/count.json")
    def count_locations(call: Call) -> Reply:
        return Reply({"count": len(call.state.web.locations)})

    @r("GET", "/admin/locations/{id}.json")
    def get_location(call: Call) -> Reply:
        location = call.state.web.locations.get(call.params["id"])
        if location is None:
            raise not_found()
        return Reply({"location": location})

    @r("GET", "/admin/store.json")
    def get_store(call: Call) -> Reply:
        return Reply({"shop": call.state.web.store})  # key `shop` (sheet §2.11)

    @r("GET", "/admin/shop.json")
    def get_shop(call: Call) -> Reply:
        raise ApiError(403, "Forbidden")  # one live store refused it (sheet §2.11)
