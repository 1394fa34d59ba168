"""Webhook subscription endpoints, shared by both APIs (sheet §2.10 and §3.6)."""

from __future__ import annotations

from collections.abc import Callable

from sandbox.common import ApiError, Json, TimeWindow, id_list, int_param, not_found, obj, text
from sandbox.routing import Call, Reply, Router

WEB_TOPICS = frozenset(
    {
        "app/uninstalled", "app/charge",
        "collections/create", "collections/update", "collections/delete",
        "customers/create", "customers/update", "customers/delete",
        "customers/enable", "customers/disable",
        "fulfillments/create", "fulfillments/update",
        "orders/create", "orders/delete", "orders/updated", "orders/update", "orders/paid",
        "orders/cancelled", "orders/fulfilled", "orders/partially_fulfilled",
        "order_transactions/create", "refunds/create", "store/update",
        "products/create", "products/update", "products/delete",
        "carts/create", "carts/update",
    }
)  # fmt: skip
POS_TOPICS = frozenset(
    {
        "app/installed", "app/uninstalled",
        "products/create", "products/update", "products/delete",
        "orders/create", "orders/update", "orders/updated", "orders/cancelled",
        "orders/delete", "orders/active", "orders/finalized", "orders/invoiced",
        "orders/partial_invoiced", "orders/fulfilled", "orders/partial_fulfilled",
        "orders/paid", "orders/partial_paid",
        "customers/create", "customers/update", "customers/delete",
        "suppliers/create", "suppliers/update", "suppliers/delete",
        "order_returns/create", "order_returns/update", "order_returns/cancelled",
        "order_returns/returned", "order_returns/partial_refund", "order_returns/refund",
        "inventories/update",
    }
)  # fmt: skip


def _validate(api: str, fields: Json) -> tuple[str, str]:
    topic = text(fields.get("topic"), "topic")
    address = text(fields.get("address"), "address")
    missing = {k: "can't be blank" for k, v in (("topic", topic), ("address", address)) if not v}
    if missing:
        raise ApiError(422, "invalid webhook", missing)
    assert topic is not None and address is not None
    if topic not in (POS_TOPICS if api == "pos" else WEB_TOPICS):
        raise ApiError(422, "invalid topic", {"topic": "Invalid topic specified."})
    if not address.startswith(("http://", "https://")):
        raise ApiError(422, "invalid address", {"address": "is not a valid URL"})
    return topic, address


Wrap = Callable[[list[Json], int, int, int], Json]


def register(router: Router, api: str, wrap: Wrap) -> None:
    """Add webhook CRUD to a router; `wrap(items, total, page, limit)` shapes the list body."""
    r = router.route

    def hooks(call: Call) -> dict[int, Json]:
        return call.state.pos.webhooks if api == "pos" else call.state.web.webhooks

    def chosen(call: Call) -> list[Json]:
        q = call.query
        ids = id_list(q, "ids")
        since = int_param(q, "since_id", 0, 0, 2**63)
        created = TimeWindow.from_query(q, "created_on")
        modified = TimeWindow.from_query(q, "modified_on")
        return [
            h
            for h in hooks(call).values()
            if (ids is None or h["id"] in ids)
            and h["id"] > since
            and q.get("topic", h["topic"]) == h["topic"]
            and q.get("address", h["address"]) == h["address"]
            and created.admits(h["created_on"])
            and modified.admits(h["modified_on"])
        ]

    def one(call: Call) -> Json:
        hook = hooks(call).get(call.params["id"])
        if hook is None:
            raise not_found()
        return hook

    @r("GET", "/admin/webhooks.json")
    def list_hooks(call: Call) -> Reply:
        items = chosen(call)
        number = int_param(call.query, "page", 1, 1, 2**63)
        limit = int_param(call.query, "limit", 50, 1, 250)
        return Reply(wrap(items[(number - 1) * limit : number * limit], len(items), number, limit))

    @r("GET", "/admin/webhooks/count.json")
    def count_hooks(call: Call) -> Reply:
        return Reply({"count": len(chosen(call))})

    @r("GET", "/admin/webhooks/{id}.json")
    def get_hook(call: Call) -> Reply:
        return Reply({"webhook": one(call)})

    @r("POST", "/admin/webhooks.json")
    def post_hook(call: Call) -> Reply:
        topic, address = _validate(api, obj(call.body, "webhook"))
        state = call.state
        hook_id = state.ids.next(f"{api}_webhook")
        stamp = state.now()
        hook = {
            "id": hook_id,
            "address": address,
            "topic": topic,
            "format": "json",
            "fields": [],
            "created_on": stamp,
            "modified_on": stamp,
        }
        hooks(call)[hook_id] = hook
        return Reply({"webhook": hook}, 201)

    @r("PUT", "/admin/webhooks/{id}.json")
    def put_hook(call: Call) -> Reply:
        hook = one(call)
        topic, address = _validate(api, hook | obj(call.body, "webhook"))
        hook.update(topic=topic, address=address, modified_on=call.state.now())
        return Reply({"webhook": hook})

    @r("DELETE", "/admin/webhooks/{id}.json")
    def del_hook(call: Call) -> Reply:
        del hooks(call)[one(call)["id"]]
        return Reply({})
