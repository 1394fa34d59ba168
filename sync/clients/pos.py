"""The Sapo core POS API client (fact sheet §3): catalog, prices, branches, customers, orders."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sync.clients import parse_pos
from sync.clients.base import ClientBase
from sync.clients.paging import PAGE_LIMIT, pos_pages
from sync.clients.parse_common import (
    PayloadError,
    items,
    json_quantity,
    one,
    sapo_time,
    webhook,
)
from sync.domain import (
    Location,
    NewPosCustomer,
    NewPosOrder,
    NewPosProduct,
    NewPosVariant,
    OrderSource,
    PosCustomer,
    PosOrder,
    PosProduct,
    PosVariant,
    PriceList,
    Webhook,
    email_key,
    phone_key,
)

LOCATION_HEADER = "X-Sapo-LocationId"  # the branch a write applies to (sheet §1.2)
WEB_SOURCE_NAME = "Web"  # the built-in order source of web orders (sheet §3.5)


def _variant_body(new: NewPosVariant, *, with_stock: bool) -> dict[str, Any]:
    body: dict[str, Any] = {"sku": new.sku, "name": new.name}
    if new.barcode is not None:
        body["barcode"] = new.barcode
    for index, value in enumerate(new.options, start=1):
        if value is not None:
            body[f"opt{index}"] = value
    if new.prices:
        body["variant_prices"] = [
            {"price_list_id": list_id, "value": value} for list_id, value in new.prices.items()
        ]
    if with_stock and new.initial_stock:
        body["init_stock"] = json_quantity(new.initial_stock)
    return body


def product_body(new: NewPosProduct) -> dict[str, Any]:
    """The POST body of a new POS product; initial stock lands at ``new.location_id``."""
    with_stock = new.location_id is not None
    body: dict[str, Any] = {
        "name": new.name,
        "variants": [_variant_body(v, with_stock=with_stock) for v in new.variants],
    }
    if new.option_names:
        body["options"] = [{"name": name} for name in new.option_names]
    if new.description is not None:
        body["description"] = new.description
    return {"product": body}


def order_body(new: NewPosOrder) -> dict[str, Any]:
    """The POST body of a POS order for a web order (R17): branch, price list, source, ref."""
    body: dict[str, Any] = {
        "location_id": new.location_id,
        "price_list_id": new.price_list_id,
        "source_id": new.source_id,
        "reference_number": new.reference_number,
        "order_line_items": [
            {
                "variant_id": line.variant_id,
                "quantity": json_quantity(line.quantity),
                "price": line.price,
                "discount_amount": line.discount_amount,
            }
            for line in new.lines
        ],
    }
    if new.customer_id is not None:
        body["customer_id"] = new.customer_id
    if new.delivery_fee:
        body["delivery_fee"] = {"fee": new.delivery_fee}
    if new.order_discount_value:
        body["order_discount_value"] = new.order_discount_value
    if new.note is not None:
        body["note"] = new.note
    return {"order": body}


class PosClient(ClientBase):
    """Implements ``sync.ports.PosApi`` over HTTP."""

    def _list(
        self, path: str, key: str, params: dict[str, str | int] | None = None
    ) -> Iterator[Any]:
        pages = pos_pages(lambda q: self._http.get(path, q), key, params or {})
        for page in pages:
            yield from page

    # ------------------------------------------------------------------ reads

    def locations(self) -> list[Location]:
        return [parse_pos.location(o) for o in self._list("/admin/locations.json", "locations")]

    def price_lists(self) -> list[PriceList]:
        return [
            parse_pos.price_list(o) for o in self._list("/admin/price_lists.json", "price_lists")
        ]

    def order_sources(self) -> list[OrderSource]:
        sources = self._list("/admin/order_sources.json", "order_sources")
        return [parse_pos.order_source(o) for o in sources]

    def web_order_source(self) -> OrderSource:
        """The built-in ``Web`` source that web orders carry on POS."""
        for source in self.order_sources():
            if source.name.strip().lower() == WEB_SOURCE_NAME.lower():
                return source
        raise PayloadError("the POS account has no 'Web' order source")

    def product_pages(
        self, *, modified_since: datetime | None = None
    ) -> Iterator[list[PosProduct]]:
        """Products page by page (250 each), the unit a caller stores before reading on."""
        params: dict[str, str | int] = {}
        if modified_since is not None:
            params["modified_on_min"] = sapo_time(modified_since)
        for page in pos_pages(
            lambda q: self._http.get("/admin/products.json", q), "products", params
        ):
            yield [parse_pos.product(obj) for obj in page]

    def products(self, *, modified_since: datetime | None = None) -> Iterator[PosProduct]:
        """Every product (paged), or those modified at or after ``modified_since``."""
        for page in self.product_pages(modified_since=modified_since):
            yield from page

    def product(self, product_id: int) -> PosProduct | None:
        payload = self._http.get(f"/admin/products/{product_id}.json", missing_ok=True)
        return None if payload is None else parse_pos.product(one(payload, "product"))

    def count_products(self) -> int:
        """The total from the list's ``metadata`` (the core API documents no count endpoint)."""
        payload = self._http.get("/admin/products.json", {"limit": 1, "page": 1})
        meta = parse_pos.metadata(payload)
        if meta is not None:
            return meta[0]
        counted = self._http.get("/admin/products/count.json")
        if isinstance(counted, dict) and isinstance(counted.get("count"), int):
            return int(counted["count"])
        raise PayloadError("Sapo POS gave no product total")

    def find_customer(self, *, phone: str | None, email: str | None) -> PosCustomer | None:
        """By phone first, then by email (R20); Sapo's search is fuzzy, the match here is exact."""
        wanted_phone = phone_key(phone)
        if wanted_phone:
            for obj in self._list("/admin/customers.json", "customers", {"query": wanted_phone}):
                found = parse_pos.customer(obj)
                if phone_key(found.phone) == wanted_phone:
                    return found
        wanted_email = email_key(email)
        if wanted_email:
            for obj in self._list("/admin/customers.json", "customers", {"query": wanted_email}):
                found = parse_pos.customer(obj)
                if email_key(found.email) == wanted_email:
                    return found
        return None

    def customer_page(self, page: int) -> tuple[list[PosCustomer], int | None]:
        """One page (250, ascending id) of every customer, and the total the list reports."""
        payload = self._http.get("/admin/customers.json", {"limit": PAGE_LIMIT, "page": page})
        meta = parse_pos.metadata(payload)
        found = [parse_pos.customer(obj) for obj in items(payload, "customers")]
        return found, None if meta is None else meta[0]

    def order(self, order_id: int) -> PosOrder | None:
        payload = self._http.get(f"/admin/orders/{order_id}.json", missing_ok=True)
        return None if payload is None else parse_pos.order(one(payload, "order"))

    def find_order_by_reference(
        self, reference_number: str, *, created_since: datetime | None = None
    ) -> PosOrder | None:
        """The POS order carrying ``reference_number`` (how a web order is found after a crash).

        The match is made here, exactly: should Sapo ignore the ``reference_number`` filter the
        answer is merely slower (every order, bounded by ``created_since``), never wrong.
        """
        wanted = reference_number.strip()
        params: dict[str, str | int] = {"reference_number": wanted}
        if created_since is not None:
            params["created_on_min"] = sapo_time(created_since)
        for obj in self._list("/admin/orders.json", "orders", params):
            if str(obj.get("reference_number") or "").strip() == wanted:
                return parse_pos.order(obj)
        return None

    def webhooks(self) -> list[Webhook]:
        return [webhook(o) for o in self._list("/admin/webhooks.json", "webhooks")]

    # ------------------------------------------------------------------ writes

    def create_product(self, new: NewPosProduct) -> PosProduct:
        """POST with the stock branch in ``X-Sapo-LocationId``; an unknown outcome raises
        ``RetryableError(outcome_unknown=True)`` and is never sent twice."""
        headers = {LOCATION_HEADER: str(new.location_id)} if new.location_id is not None else None
        payload = self._http.post("/admin/products.json", product_body(new), headers=headers)
        return parse_pos.product(one(payload, "product"))

    def create_variant(
        self, product_id: int, new: NewPosVariant, *, location_id: int | None = None
    ) -> PosVariant:
        """POST a variant onto an existing product; its initial stock lands at ``location_id``."""
        headers = {LOCATION_HEADER: str(location_id)} if location_id is not None else None
        body = {"variant": _variant_body(new, with_stock=location_id is not None)}
        payload = self._http.post(
            f"/admin/products/{product_id}/variants.json", body, headers=headers
        )
        return parse_pos.variant(one(payload, "variant"), product_id=product_id)

    def create_customer(self, new: NewPosCustomer) -> PosCustomer:
        body: dict[str, Any] = {"name": new.name}
        if new.phone:
            body["phone_number"] = new.phone
        if new.email:
            body["email"] = new.email
        payload = self._http.post("/admin/customers.json", {"customer": body})
        return parse_pos.customer(one(payload, "customer"))

    def create_order(self, new: NewPosOrder) -> PosOrder:
        """POST at the order's branch; on an unknown outcome look it up by reference first."""
        headers = {LOCATION_HEADER: str(new.location_id)}
        payload = self._http.post("/admin/orders.json", order_body(new), headers=headers)
        return parse_pos.order(one(payload, "order"))

    def register_webhook(self, topic: str, address: str) -> Webhook:
        """Subscribe ``address`` to ``topic``; an existing identical subscription is reused."""
        for hook in self.webhooks():
            if hook.topic == topic and hook.address == address:
                return hook
        body = {"webhook": {"topic": topic, "address": address, "format": "json"}}
        return webhook(one(self._http.post("/admin/webhooks.json", body), "webhook"))

    def delete_webhook(self, webhook_id: int) -> None:
        self._http.request("DELETE", f"/admin/webhooks/{webhook_id}.json", missing_ok=True)
