"""Pure parsing of Sapo Web answers into domain records (fact sheet §2, §8.1-8.4)."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import replace
from typing import Any

from sync.clients.parse_common import (
    Json,
    PayloadError,
    money,
    opt_id,
    opt_money,
    quantity,
    req_id,
    stock,
    text_or_none,
    timestamp,
)
from sync.domain import (
    Location,
    Unreadable,
    WebCustomer,
    WebInventoryItem,
    WebInventoryLevel,
    WebLineItem,
    WebOrder,
    WebProduct,
    WebVariant,
)

# What an order keeps for life, for the digest that keys an order whose id, name and token
# are all unreadable: a note, a payment, a fulfilment or its customer's next order leave it.
_LASTING = (
    "created_on",
    "email",
    "phone",
    "currency",
    "total_price",
    "total_discounts",
    "total_shipping_price",
    "shipping_address",
    "billing_address",
)
_LASTING_LINE = ("id", "variant_id", "product_id", "sku", "quantity", "price")
_TOKENS = ("token", "checkout_token", "cart_token")

# A product without real options still carries the option "Title" whose only value is
# "Default Title" (sheet §2.3); records say "no options" instead, like POS does.
PLACEHOLDER_OPTION = "Title"
PLACEHOLDER_VALUE = "Default Title"


def location(obj: Json) -> Location:
    status = str(obj.get("status") or "active").lower()
    active = obj.get("active") is not False and status not in ("expried", "expired", "inactive")
    return Location(
        id=req_id(obj, "id", "web location"),
        name=text_or_none(obj.get("name")) or "",
        active=active,
    )


def _option_values(obj: Json) -> tuple[str | None, str | None, str | None]:
    return (
        text_or_none(obj.get("option1")),
        text_or_none(obj.get("option2")),
        text_or_none(obj.get("option3")),
    )


def variant(obj: Json, *, product_id: int | None = None) -> WebVariant:
    variant_id = req_id(obj, "id", "web variant")
    owner = opt_id(obj, "product_id") or product_id
    if owner is None:
        raise PayloadError(f"Sapo sent web variant {variant_id} without product_id")
    tracking = obj.get("inventory_management")
    return WebVariant(
        id=variant_id,
        product_id=owner,
        inventory_item_id=req_id(obj, "inventory_item_id", f"web variant {variant_id}"),
        sku=text_or_none(obj.get("sku")),
        title=text_or_none(obj.get("title")) or PLACEHOLDER_VALUE,
        price=money(obj.get("price"), kind=f"web variant {variant_id}"),
        options=_option_values(obj),
        barcode=text_or_none(obj.get("barcode")),
        compare_at_price=opt_money(obj.get("compare_at_price")),
        # "bizweb" tracks stock, "" (or null) does not (sheet §0.2).
        inventory_management=str(tracking) if tracking else "",
        inventory_policy=str(obj.get("inventory_policy") or "deny"),
        # Tolerant on purpose: it is only compared against, never pushed (the pushed stock
        # comes from POS branch stock, read strictly), so a null costs at most one redundant
        # set.json, never a "sold out".
        inventory_quantity=quantity(obj.get("inventory_quantity")),
    )


def _drop_placeholder(
    names: tuple[str, ...], variants: tuple[WebVariant, ...]
) -> tuple[tuple[str, ...], tuple[WebVariant, ...]]:
    if names not in ((), (PLACEHOLDER_OPTION,)):
        return names, variants
    plain_values = ((PLACEHOLDER_VALUE, None, None), (None, None, None))
    if not all(v.options in plain_values for v in variants):
        return names, variants
    plain = tuple(replace(v, options=(None, None, None)) for v in variants)
    return (), plain


def product(obj: Json) -> WebProduct:
    product_id = req_id(obj, "id", "web product")
    variants = tuple(
        variant(v, product_id=product_id) for v in obj.get("variants") or [] if isinstance(v, dict)
    )
    options = [o for o in obj.get("options") or [] if isinstance(o, dict) and o.get("name")]
    options.sort(key=lambda o: int(o.get("position") or 0))
    names, variants = _drop_placeholder(tuple(str(o["name"]) for o in options), variants)
    return WebProduct(
        id=product_id,
        name=text_or_none(obj.get("name")) or "",
        variants=variants,
        option_names=names,
        alias=text_or_none(obj.get("alias")),
        published_on=timestamp(obj.get("published_on")),
        created_on=timestamp(obj.get("created_on")),
        modified_on=timestamp(obj.get("modified_on")),
    )


def inventory_level(obj: Json) -> WebInventoryLevel:
    return WebInventoryLevel(
        inventory_item_id=req_id(obj, "inventory_item_id", "inventory level"),
        location_id=req_id(obj, "location_id", "inventory level"),
        available=stock(obj, "available", "inventory level"),
        on_hand=stock(obj, "on_hand", "inventory level"),
    )


def inventory_item(obj: Json) -> WebInventoryItem:
    return WebInventoryItem(
        id=req_id(obj, "id", "inventory item"),
        sku=text_or_none(obj.get("sku")),
        tracked=obj.get("tracked") is not False,
    )


def customer(obj: Json) -> WebCustomer:
    return WebCustomer(
        id=opt_id(obj, "id"),
        first_name=text_or_none(obj.get("first_name")),
        last_name=text_or_none(obj.get("last_name")),
        email=text_or_none(obj.get("email")),
        phone=text_or_none(obj.get("phone")),
        created_on=timestamp(obj.get("created_on")),
    )


def line_item(obj: Json) -> WebLineItem:
    line_id = req_id(obj, "id", "order line")
    return WebLineItem(
        id=line_id,
        variant_id=opt_id(obj, "variant_id"),
        product_id=opt_id(obj, "product_id"),
        sku=text_or_none(obj.get("sku")),
        # `name` is "Product - Variant"; `title` is the product's name alone.
        title=text_or_none(obj.get("name")) or text_or_none(obj.get("title")) or "",
        quantity=quantity(obj.get("quantity")),
        price=money(obj.get("price"), kind=f"order line {line_id}"),
        total_discount=opt_money(obj.get("total_discount")) or 0,
    )


def has_line_items(obj: Json) -> bool:
    """False when a single-order read came without ``line_items`` (seen live, sheet §2.8)."""
    return isinstance(obj.get("line_items"), list)


def _order_number(obj: Json, order_id: int) -> int:
    raw = obj.get("order_number")
    if raw is not None and str(raw).strip().isdigit():
        return int(raw)
    digits = re.sub(r"\D", "", str(obj.get("name") or ""))
    if digits:
        return int(digits)
    raise PayloadError(f"Sapo sent web order {order_id} without order_number or name")


def order(obj: Json) -> WebOrder:
    order_id = req_id(obj, "id", "web order")
    created_on = timestamp(obj.get("created_on"))
    if created_on is None:
        raise PayloadError(f"Sapo sent web order {order_id} without created_on")
    number = _order_number(obj, order_id)
    raw_customer = obj.get("customer")
    return WebOrder(
        id=order_id,
        name=text_or_none(obj.get("name")) or f"#{number}",
        order_number=number,
        created_on=created_on,
        line_items=tuple(
            line_item(li) for li in obj.get("line_items") or [] if isinstance(li, dict)
        ),
        total_price=money(obj.get("total_price"), field="total_price", kind=f"order {order_id}"),
        status=str(obj.get("status") or "open"),
        financial_status=text_or_none(obj.get("financial_status")),
        cancelled_on=timestamp(obj.get("cancelled_on")),
        email=text_or_none(obj.get("email")),
        phone=text_or_none(obj.get("phone")),
        customer=customer(raw_customer) if isinstance(raw_customer, dict) else None,
        total_discounts=opt_money(obj.get("total_discounts")) or 0,
        total_shipping_price=opt_money(obj.get("total_shipping_price")) or 0,
        modified_on=timestamp(obj.get("modified_on")),
    )


def _readable_name(obj: Json) -> str | None:
    name = text_or_none(obj.get("name"))
    if name is not None and name.strip():
        return name.strip()[:60]
    number = obj.get("order_number")
    return f"#{number}" if number is not None and str(number).strip().isdigit() else None


def _digest(obj: Json) -> str:
    lasting: dict[str, Any] = {k: obj.get(k) for k in _LASTING}
    lines = obj.get("line_items")
    if isinstance(lines, list):
        lasting["line_items"] = [
            {k: li.get(k) for k in _LASTING_LINE} for li in lines if isinstance(li, dict)
        ]
    customer = obj.get("customer")
    lasting["customer"] = customer.get("id") if isinstance(customer, dict) else None
    text = json.dumps(lasting, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def unreadable_order(obj: Json, reason: str) -> Unreadable:
    """What can still be told about an order that cannot be parsed, under a stable key."""
    order_id = opt_id(obj, "id")
    order_id = order_id if order_id is not None and order_id > 0 else None
    name = _readable_name(obj)
    token = next((t for k in _TOKENS if (t := text_or_none(obj.get(k)))), None)
    if order_id is not None:
        key = f"id {order_id}"
    elif name is not None:
        key = f"name {name}"
    elif token is not None:
        key = f"token {token[:40]}"
    else:
        key = f"digest {_digest(obj)}"
    return Unreadable(
        what="web order",
        key=key,
        reason=reason,
        id=order_id,
        name=name,
        created_on=timestamp(obj.get("created_on")),
        modified_on=timestamp(obj.get("modified_on")),
    )
