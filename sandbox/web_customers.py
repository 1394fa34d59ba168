"""Web customers: creation and the look-up an order does (sheet §2.9)."""

from __future__ import annotations

from sandbox.common import Json, invalid, text
from sandbox.models import IdGen, WebData

CUSTOMER_KEYS = ("first_name", "last_name", "email", "phone", "note", "tags", "gender", "dob")


def new_customer(web: WebData, ids: IdGen, fields: Json, stamp: str) -> Json:
    """Create a customer; needs a name, email or phone; email must be unused (Shopify rule)."""
    values = {key: text(fields.get(key), key) for key in CUSTOMER_KEYS}
    if not any(values[k] for k in ("first_name", "last_name", "email", "phone")):
        raise invalid("base", "A name, email or phone is required")
    email = values["email"]
    if email and any(c["email"] == email for c in web.customers.values()):
        raise invalid("email", "has already been taken")
    addresses = [a for a in fields.get("addresses") or [] if isinstance(a, dict)]
    customer_id = ids.next("web_customer")
    customer = {
        "id": customer_id,
        "email": email,
        "phone": values["phone"],
        "first_name": values["first_name"],
        "last_name": values["last_name"],
        "gender": values["gender"],
        "dob": values["dob"],
        "accepts_marketing": bool(fields.get("accepts_marketing", False)),
        "verified_email": False,
        "state": "enabled",
        "tags": values["tags"] or "",
        "note": values["note"],
        "orders_count": 0,
        "total_spent": 0.0,
        "last_order_id": None,
        "last_order_name": None,
        "addresses": addresses,
        "default_address": addresses[0] if addresses else None,
        "created_on": stamp,
        "modified_on": stamp,
    }
    web.customers[customer_id] = customer
    return customer


def customer_for(web: WebData, ids: IdGen, body: Json, stamp: str) -> Json | None:
    """The order's customer: by id, else found by email or phone, else created."""
    raw = body.get("customer")
    if isinstance(raw, dict) and raw.get("id") is not None:
        found = web.customers.get(raw["id"])
        if found is None:
            raise invalid("customer", "not found")
        return found
    fields: Json = dict(raw) if isinstance(raw, dict) else {}
    fields.setdefault("email", body.get("email"))
    fields.setdefault("phone", body.get("phone"))
    if not any(fields.get(k) for k in ("first_name", "last_name", "email", "phone")):
        return None
    for customer in web.customers.values():
        if (fields.get("email") and customer["email"] == fields["email"]) or (
            fields.get("phone") and customer["phone"] == fields["phone"]
        ):
            return customer
    return new_customer(web, ids, fields, stamp)
