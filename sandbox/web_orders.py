"""Web orders: creation, stock commitment, close/open/cancel (sheet §2.8)."""

from __future__ import annotations

import hashlib
from typing import Any

from sandbox.common import ApiError, Json, invalid, money, number, text
from sandbox.models import IdGen, WebData
from sandbox.web_customers import customer_for

BEHAVIOURS = ("bypass", "decrement_ignoring_policy", "decrement_obeying_policy")
# A private app cannot claim a protected channel as source_name (sheet §2.8, LIVE S11).
PROTECTED_SOURCES = ("web", "pos", "iphone", "android", "api", "facebook")
APP_SOURCE_NAME = "7654321"  # Sapo stores the app's own id as source_name (sheet §2.8)


def _line_items(web: WebData, ids: IdGen, raw: Any) -> list[Json]:
    if not isinstance(raw, list) or not raw:
        raise invalid("line_items", "can't be blank")
    lines = []
    for item in raw:
        if not isinstance(item, dict):
            raise invalid("line_items", "must be objects")
        quantity = int(number(item.get("quantity", 1), "quantity"))
        if quantity < 1:
            raise invalid("quantity", "must be greater than 0")
        line: Json = {"id": ids.next("web_line"), "quantity": quantity, "variant_id": None}
        if item.get("variant_id") is not None:
            variant = web.variants.get(item["variant_id"])
            if variant is None:
                raise invalid("line_items", f"variant {item['variant_id']} does not exist")
            product = web.products[variant.product_id]
            values = [v for v in (variant.option1, variant.option2, variant.option3) if v]
            variant_title = " / ".join(values) if values else "Default Title"
            price = (
                number(item["price"], "price") if item.get("price") is not None else variant.price
            )
            line |= {
                "product_id": product.id,
                "variant_id": variant.id,
                "inventory_item_id": variant.inventory_item_id,
                "sku": variant.sku,
                "title": product.name,
                "variant_title": variant_title,
                "name": product.name
                if variant_title == "Default Title"
                else f"{product.name} - {variant_title}",
                "price": price,
                "grams": variant.grams,
                "variant_inventory_management": variant.inventory_management,
                "product_exists": True,
            }
        else:
            title = text(item.get("title"), "title", required=True)
            line |= {
                "product_id": None,
                "inventory_item_id": None,
                "sku": text(item.get("sku"), "sku"),
                "title": title,
                "variant_title": None,
                "name": title,
                "price": number(item.get("price", 0), "price"),
                "grams": 0,
                "variant_inventory_management": None,
                "product_exists": False,
            }
        line |= {
            "vendor": None,
            "total_discount": 0.0,
            "fulfillment_status": None,
            "fulfillable_quantity": quantity,
            "requires_shipping": True,
            "taxable": False,
            "properties": [],
            "tax_lines": [],
        }
        lines.append(line)
    return lines


def _commit_stock(
    web: WebData, lines: list[Json], location_id: int, obey: bool
) -> list[tuple[int, int, float]]:
    wanted: dict[int, float] = {}
    for line in lines:
        if line["variant_id"] is not None:
            wanted[line["variant_id"]] = wanted.get(line["variant_id"], 0.0) + line["quantity"]
    commits = []
    for variant_id, quantity in wanted.items():
        variant = web.variants[variant_id]
        level = variant.levels.get(location_id)
        if variant.inventory_management != "bizweb" or level is None:
            continue
        if obey and variant.inventory_policy == "deny" and level.available < quantity:
            raise invalid("line_items", f"{variant.sku or variant.id} is out of stock")
        commits.append((variant_id, location_id, quantity))
    return commits


def new_order(
    web: WebData, ids: IdGen, body: Json, stamp: str, *, source_name: str | None = None
) -> Json:
    """Create an order; `inventory_behaviour` decrement commits stock at the order's location.

    `source_name` is for seeds; API callers get 422 when they claim a protected channel.
    """
    behaviour = body.get("inventory_behaviour") or "bypass"  # bypass is the default (§2.8)
    if behaviour not in BEHAVIOURS:
        raise invalid("inventory_behaviour", "is not valid")
    claimed = text(body.get("source_name"), "source_name")
    if source_name is None and claimed in PROTECTED_SOURCES:
        raise invalid("source_name", "cannot be set to a protected value")
    location_id = body.get("location_id") or web.first_location_id()
    if location_id not in web.locations:
        raise invalid("location_id", "does not exist")
    lines = _line_items(web, ids, body.get("line_items"))
    commits = []
    if behaviour != "bypass":
        commits = _commit_stock(web, lines, location_id, behaviour == "decrement_obeying_policy")
    customer = customer_for(web, ids, body, stamp)
    shipping = [dict(s) for s in body.get("shipping_lines") or [] if isinstance(s, dict)]
    discounts = [dict(d) for d in body.get("discount_codes") or [] if isinstance(d, dict)]
    items_total = sum(line["price"] * line["quantity"] for line in lines)
    shipping_total = sum(number(s.get("price", 0), "price") for s in shipping)
    discount_total = sum(number(d.get("amount", 0), "amount") for d in discounts)
    total = items_total - discount_total + shipping_total
    paid = sum(
        number(t.get("amount", 0), "amount")
        for t in body.get("transactions") or []
        if isinstance(t, dict)
        and t.get("kind", "sale") == "sale"
        and t.get("status", "success") == "success"
    )
    financial = body.get("financial_status") or ("paid" if paid and paid >= total else "pending")
    number_ = max((o["order_number"] for o in web.orders.values()), default=1000) + 1
    order_id = ids.next("web_order")
    for line in lines:
        line["price"] = money(line["price"])
    order: Json = {
        "id": order_id,
        "name": f"#{number_}",
        "number": number_ - 1000,
        "order_number": number_,
        "token": hashlib.md5(str(order_id).encode(), usedforsecurity=False).hexdigest(),
        "currency": "VND",
        "email": text(body.get("email"), "email") or (customer or {}).get("email"),
        "phone": text(body.get("phone"), "phone") or (customer or {}).get("phone"),
        "status": "open",
        "financial_status": financial,
        "fulfillment_status": None,
        "return_status": "no_return",
        "source_name": source_name or APP_SOURCE_NAME,
        "location_id": location_id,
        "gateway": body.get("gateway"),
        "total_line_items_price": money(items_total),
        "total_discounts": money(discount_total),
        "total_shipping_price": money(shipping_total),
        "total_tax": 0.0,
        "subtotal_price": money(items_total - discount_total),
        "total_price": money(total),
        "tags": text(body.get("tags"), "tags") or "",
        "note": text(body.get("note"), "note"),
        "note_attributes": list(body.get("note_attributes") or []),
        "customer": None,
        "shipping_address": body.get("shipping_address"),
        "billing_address": body.get("billing_address"),
        "line_items": lines,
        "shipping_lines": shipping,
        "fulfillments": [],
        "refunds": [],
        "discount_codes": discounts,
        "created_on": stamp,
        "modified_on": stamp,
        "processed_on": body.get("processed_on") or stamp,
        "closed_on": None,
        "cancelled_on": None,
        "cancel_reason": None,
    }
    for variant_id, location, quantity in commits:
        _move_committed(web, variant_id, location, quantity, stamp)
    if commits:
        web.commits[order_id] = commits
    if customer is not None:
        customer["orders_count"] += 1
        customer["total_spent"] = money(customer["total_spent"] + total)
        customer["last_order_id"] = order_id
        customer["last_order_name"] = order["name"]
        customer["modified_on"] = stamp
        order["customer"] = {k: customer[k] for k in _EMBEDDED}
    web.orders[order_id] = order
    return order


_EMBEDDED = (
    "id", "first_name", "last_name", "email", "phone", "state",
    "orders_count", "total_spent", "created_on", "modified_on",
)  # fmt: skip


def _move_committed(
    web: WebData, variant_id: int, location_id: int, qty: float, stamp: str
) -> None:
    """Commit (or release) stock at a level. Only the level's `updated_at` moves: an order
    does not count as a change of the product ([UNKNOWN] in the sheet; kept stable because
    incremental catalogue reads rely on it)."""
    variant = web.variants.get(variant_id)
    if variant is not None and location_id in variant.levels:
        level = variant.levels[location_id]
        level.committed += qty
        level.updated_at = stamp


def set_status(
    web: WebData, order: Json, action: str, stamp: str, reason: str | None = None
) -> None:
    """POST /admin/orders/{id}/close|open|cancel.json; cancelling releases committed stock."""
    if order["status"] == "cancelled":
        raise invalid("base", "Order is already cancelled")
    if action == "close":
        order["status"], order["closed_on"] = "closed", stamp
    elif action == "open":
        order["status"], order["closed_on"] = "open", None
    else:
        order["status"], order["cancelled_on"] = "cancelled", stamp
        order["cancel_reason"] = reason or "other"
        for variant_id, location_id, quantity in web.commits.pop(order["id"], []):
            _move_committed(web, variant_id, location_id, -quantity, stamp)
    order["modified_on"] = stamp


def update_order(web: WebData, order: Json, body: Json, stamp: str) -> None:
    """PUT /admin/orders/{id}.json: only the editable fields (sheet §2.8)."""
    for key in ("note", "tags", "email"):
        if key in body:
            order[key] = text(body[key], key) or ("" if key == "tags" else None)
    if "note_attributes" in body:
        order["note_attributes"] = list(body["note_attributes"] or [])
    if "customer" in body and body["customer"] is None:
        order["customer"] = None
    order["modified_on"] = stamp


def order_by_id(web: WebData, order_id: int) -> Json:
    """An order or 404."""
    order = web.orders.get(order_id)
    if order is None:
        raise ApiError(404, "Not Found")
    return order
