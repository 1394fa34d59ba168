"""Pure parsing of Sapo core POS answers into domain records (fact sheet §3, §8.6)."""

from __future__ import annotations

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
    Money,
    OrderSource,
    PosCustomer,
    PosInventory,
    PosOrder,
    PosOrderLine,
    PosProduct,
    PosVariant,
    PriceList,
)

# Location states that mean the branch no longer trades (Sapo spells one of them "expried").
_CLOSED_STATES = frozenset({"inactive", "expried", "expired", "deleted", "closed"})


def metadata(payload: Any) -> tuple[int, int, int] | None:
    """``(total, page, limit)`` from a list answer's ``metadata`` block, when there is one."""
    block = payload.get("metadata") if isinstance(payload, dict) else None
    if not isinstance(block, dict):
        return None
    try:
        return int(block["total"]), int(block.get("page") or 1), int(block.get("limit") or 0)
    except (KeyError, TypeError, ValueError):
        return None


def location(obj: Json) -> Location:
    status = str(obj.get("status") or "active").lower()
    active = obj.get("active") is not False and status not in _CLOSED_STATES
    name = text_or_none(obj.get("name")) or text_or_none(obj.get("label")) or ""
    return Location(id=req_id(obj, "id", "location"), name=name, active=active)


def price_list(obj: Json) -> PriceList:
    return PriceList(
        id=req_id(obj, "id", "price list"),
        code=text_or_none(obj.get("code")) or "",
        name=text_or_none(obj.get("name")) or "",
        is_cost=bool(obj.get("is_cost", False)),
    )


def _prices(obj: Json) -> dict[int, Money]:
    prices: dict[int, Money] = {}
    for entry in obj.get("variant_prices") or []:
        if not isinstance(entry, dict):
            continue
        list_id = opt_id(entry, "price_list_id")
        if list_id is None and isinstance(entry.get("price_list"), dict):
            list_id = opt_id(entry["price_list"], "id")
        value = opt_money(entry.get("value"))
        if list_id is not None and value is not None:
            prices[list_id] = value
    return prices


def _inventory(obj: Json) -> PosInventory:
    kind = f"stock row of branch {obj.get('location_id')}"
    on_hand = stock(obj, "on_hand", kind)
    if obj.get("available") is None:
        # Derived as the sheet's live example fits it (§2.6: available = on_hand - committed);
        # without committed it would overstate the stock, so both must be there.
        committed = stock(obj, "committed", kind)
        available = on_hand - committed
    else:
        available = stock(obj, "available", kind)
        # Only shown, never pushed: a null committed beside a real available reads as none.
        committed = quantity(obj.get("committed"))
    return PosInventory(
        location_id=req_id(obj, "location_id", "inventory"),
        on_hand=on_hand,
        available=available,
        committed=committed,
    )


def variant(obj: Json, *, product_id: int | None = None) -> PosVariant:
    variant_id = req_id(obj, "id", "POS variant")
    owner = opt_id(obj, "product_id") or product_id
    if owner is None:
        raise PayloadError(f"Sapo sent POS variant {variant_id} without product_id")
    raw = obj.get("inventories") or []
    if not isinstance(raw, list) or not all(isinstance(i, dict) for i in raw):
        # Skipping what cannot be read would count its stock as 0 and push "sold out".
        raise PayloadError(f"Sapo sent POS variant {variant_id} whose inventories are not a list")
    try:
        inventories = tuple(_inventory(i) for i in raw)
    except PayloadError as exc:
        raise PayloadError(f"POS variant {variant_id}: {exc}") from None
    return PosVariant(
        id=variant_id,
        product_id=owner,
        sku=text_or_none(obj.get("sku")),
        name=text_or_none(obj.get("name")) or text_or_none(obj.get("product_name")) or "",
        barcode=text_or_none(obj.get("barcode")),
        options=(
            text_or_none(obj.get("opt1")),
            text_or_none(obj.get("opt2")),
            text_or_none(obj.get("opt3")),
        ),
        prices=_prices(obj),
        inventories=inventories,
        status=str(obj.get("status") or "active"),
    )


def _option_names(obj: Json) -> tuple[str, ...]:
    options = [o for o in obj.get("options") or [] if isinstance(o, dict) and o.get("name")]
    if options:
        options.sort(key=lambda o: int(o.get("position") or 0))
        return tuple(str(o["name"]) for o in options)
    return tuple(str(obj[k]) for k in ("opt1", "opt2", "opt3") if text_or_none(obj.get(k)))


def product(obj: Json) -> PosProduct:
    product_id = req_id(obj, "id", "POS product")
    variants = tuple(
        variant(v, product_id=product_id) for v in obj.get("variants") or [] if isinstance(v, dict)
    )
    return PosProduct(
        id=product_id,
        name=text_or_none(obj.get("name")) or "",
        variants=variants,
        option_names=_option_names(obj),
        status=str(obj.get("status") or "active"),
        created_on=timestamp(obj.get("created_on")),
        modified_on=timestamp(obj.get("modified_on")),
    )


def customer(obj: Json) -> PosCustomer:
    return PosCustomer(
        id=req_id(obj, "id", "POS customer"),
        name=text_or_none(obj.get("name")) or "",
        phone=text_or_none(obj.get("phone_number")) or text_or_none(obj.get("phone")),
        email=text_or_none(obj.get("email")),
    )


def _line(obj: Json) -> PosOrderLine:
    return PosOrderLine(
        variant_id=req_id(obj, "variant_id", "POS order line"),
        quantity=quantity(obj.get("quantity")),
        price=money(obj.get("price"), kind="POS order line"),
        sku=text_or_none(obj.get("sku")),
        discount_amount=opt_money(obj.get("discount_amount")) or 0,
    )


def order(obj: Json) -> PosOrder:
    order_id = req_id(obj, "id", "POS order")
    return PosOrder(
        id=order_id,
        code=text_or_none(obj.get("code")) or "",
        reference_number=text_or_none(obj.get("reference_number")),
        location_id=req_id(obj, "location_id", f"POS order {order_id}"),
        total=opt_money(obj.get("total")) or 0,
        lines=tuple(
            _line(line) for line in obj.get("order_line_items") or [] if isinstance(line, dict)
        ),
        price_list_id=opt_id(obj, "price_list_id"),
        source_id=opt_id(obj, "source_id"),
        customer_id=opt_id(obj, "customer_id"),
        status=str(obj.get("status") or "draft"),
        created_on=timestamp(obj.get("created_on")),
    )


def order_source(obj: Json) -> OrderSource:
    return OrderSource(id=req_id(obj, "id", "order source"), name=str(obj.get("name") or ""))
