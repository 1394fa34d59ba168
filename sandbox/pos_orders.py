"""POS customers and orders; an order commits stock at its branch (sheet §3.5, §3.7)."""

from __future__ import annotations

from sandbox.common import ApiError, Json, invalid, num, number, text
from sandbox.models import IdGen, PosData, PosStock, PosVariant


def new_customer(pos: PosData, ids: IdGen, fields: Json, stamp: str) -> Json:
    """POST /admin/customers: a customer needs a name."""
    name = text(fields.get("name"), "name", required=True)
    customer_id = ids.next("pos_customer")
    tags = fields.get("tags") or []
    customer = {
        "id": customer_id,
        "tenant_id": pos.tenant["id"],
        "code": f"CUZN{len(pos.customers) + 1:05d}",
        "name": name,
        "dob": text(fields.get("dob"), "dob"),
        "sex": text(fields.get("sex"), "sex") or "other",
        "description": text(fields.get("description"), "description"),
        "email": text(fields.get("email"), "email"),
        "phone_number": text(fields.get("phone_number"), "phone_number"),
        "tax_number": None,
        "website": None,
        "customer_group_id": None,
        "group_name": "Bán lẻ",
        "default_location_id": None,
        "default_price_list_id": pos.price_list_id("BANLE"),
        "status": "active",
        "tags": tags if isinstance(tags, list) else [str(tags)],
        "addresses": [a for a in fields.get("addresses") or [] if isinstance(a, dict)],
        "contacts": [],
        "notes": [],
        "created_on": stamp,
        "modified_on": stamp,
    }
    pos.customers[customer_id] = customer
    return customer


def customer_matches(customer: Json, query: str) -> bool:
    """The `query` search: a substring of the phone, email, name or code."""
    needle = query.strip().lower()
    fields = ("phone_number", "email", "name", "code")
    return any(needle in str(customer.get(f) or "").lower() for f in fields)


def _lines(pos: PosData, ids: IdGen, raw: object, price_list_id: int, stamp: str) -> list[Json]:
    if not isinstance(raw, list) or not raw:
        raise invalid("order_line_items", "Đơn hàng phải có ít nhất một sản phẩm")
    lines = []
    for item in raw:
        variant_id = item.get("variant_id") if isinstance(item, dict) else None
        variant = pos.variants.get(variant_id) if isinstance(variant_id, int) else None
        if variant is None or not isinstance(item, dict):
            raise invalid("order_line_items", "Phiên bản sản phẩm không tồn tại")
        quantity = number(item.get("quantity", 1), "quantity")
        if quantity <= 0:
            raise invalid("quantity", "Số lượng phải lớn hơn 0")
        price = item.get("price")
        unit_price = (
            number(price, "price") if price is not None else variant.prices.get(price_list_id, 0.0)
        )
        discount = number(item.get("discount_amount", 0) or 0, "discount_amount")
        lines.append(_line(pos, ids, variant, quantity, unit_price, discount, item, stamp))
    return lines


def _line(
    pos: PosData,
    ids: IdGen,
    variant: PosVariant,
    quantity: float,
    price: float,
    discount: float,
    item: Json,
    stamp: str,
) -> Json:
    product = pos.products[variant.product_id]
    return {
        "id": ids.next("pos_line"),
        "created_on": stamp,
        "modified_on": stamp,
        "variant_id": variant.id,
        "product_id": product.id,
        "product_name": product.name,
        "variant_name": variant.name,
        "sku": variant.sku,
        "barcode": variant.barcode,
        "unit": variant.unit,
        "variant_options": " - ".join(v for v in (variant.opt1, variant.opt2, variant.opt3) if v),
        "price": num(price),
        "quantity": num(quantity),
        "line_amount": num(price * quantity - discount),
        "discount_rate": 0,
        "discount_value": num(discount),
        "discount_amount": num(discount),
        "discount_reason": None,
        "discount_items": [],
        "tax_type_id": None,
        "tax_included": False,
        "tax_rate": 0,
        "tax_rate_override": False,
        "tax_amount": 0,
        "is_freeform": False,
        "is_composite": False,
        "note": text(item.get("note"), "note"),
    }


def new_order(
    pos: PosData, ids: IdGen, body: Json, stamp: str, location_id: int
) -> tuple[Json, list[int]]:
    """POST /admin/orders: a finalized order whose lines commit stock at its branch.

    Returns the order and the ids of the variants whose stock changed.
    """
    location_id = body.get("location_id") or location_id
    if location_id not in pos.locations:
        raise invalid("location_id", "Chi nhánh không tồn tại")
    price_list_id = body.get("price_list_id") or pos.price_list_id("BANLE")
    if price_list_id not in pos.price_lists:
        raise invalid("price_list_id", "Chính sách giá không tồn tại")
    source_id = body.get("source_id")
    if source_id is not None and source_id not in pos.order_sources:
        raise invalid("source_id", "Nguồn đơn hàng không tồn tại")
    customer = None
    if body.get("customer_id") is not None:
        customer = pos.customers.get(body["customer_id"])
        if customer is None:
            raise invalid("customer_id", "Khách hàng không tồn tại")
    lines = _lines(pos, ids, body.get("order_line_items"), price_list_id, stamp)
    fee = body.get("delivery_fee")
    fee_amount = number(fee.get("fee", 0), "delivery_fee") if isinstance(fee, dict) else 0.0
    total = sum(line["line_amount"] for line in lines) + fee_amount
    order_id = ids.next("pos_order")
    order: Json = {
        "id": order_id,
        "tenant_id": pos.tenant["id"],
        "location_id": location_id,
        "code": f"SON{len(pos.orders) + 1:05d}",
        "created_on": stamp,
        "modified_on": stamp,
        "issued_on": stamp,
        "ship_on": None,
        "account_id": None,
        "assignee_id": body.get("assignee_id"),
        "customer_id": customer["id"] if customer else None,
        "customer_data": customer,
        "billing_address": body.get("billing_address"),
        "shipping_address": body.get("shipping_address"),
        "email": text(body.get("email"), "email"),
        "phone_number": text(body.get("phone_number"), "phone_number"),
        "reference_number": text(body.get("reference_number"), "reference_number"),
        "price_list_id": price_list_id,
        "tax_treatment": "exclusive",
        "status": "finalized",
        "packed_status": "unpacked",
        "fulfillment_status": "unshipped",
        "received_status": "unreceived",
        "payment_status": "unpaid",
        "return_status": "unreturned",
        "source_id": source_id,
        "total": num(total),
        "order_discount_rate": 0,
        "order_discount_value": 0,
        "discount_reason": None,
        "total_discount": num(sum(line["discount_amount"] for line in lines)),
        "total_tax": 0,
        "note": text(body.get("note"), "note"),
        "tags": list(body.get("tags") or []),
        "delivery_fee": fee if isinstance(fee, dict) else None,
        "discount_items": [],
        "order_line_items": lines,
        "prepayments": [],
        "fulfillments": [],
        "order_returns": [],
        "channel": None,
        "finalized_on": stamp,
        "finished_on": None,
        "completed_on": None,
        "cancelled_on": None,
    }
    touched = _commit(pos, order, +1, stamp)
    pos.orders[order_id] = order
    return order, touched


def _commit(pos: PosData, order: Json, sign: int, stamp: str) -> list[int]:
    """Add (or with sign -1 release) the order's quantities to `committed` at its branch."""
    touched: list[int] = []
    for line in order["order_line_items"]:
        variant = pos.variants.get(line["variant_id"])
        if variant is None:
            continue
        stock = variant.stock.setdefault(order["location_id"], PosStock())
        stock.committed += sign * line["quantity"]
        variant.modified_on = stamp
        pos.products[variant.product_id].modified_on = stamp
        if variant.id not in touched:
            touched.append(variant.id)
    return touched


def cancel_order(pos: PosData, order: Json, stamp: str) -> list[int]:
    """POST /admin/orders/{id}/cancel: release the committed stock."""
    if order["status"] == "cancelled":
        raise invalid("status", "Đơn hàng đã bị hủy")
    order["status"] = "cancelled"
    order["cancelled_on"] = stamp
    order["modified_on"] = stamp
    return _commit(pos, order, -1, stamp)


def order_by_id(pos: PosData, order_id: int) -> Json:
    """An order or 404."""
    order = pos.orders.get(order_id)
    if order is None:
        raise ApiError(404, "Không tìm thấy đối tượng")
    return order
