"""The Sapo Web admin API client (fact sheet §2): typed reads, paged lists, sync's writes."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any

from sync.clients import parse_web
from sync.clients.base import ClientBase
from sync.clients.paging import web_pages, web_pages_since
from sync.clients.parse_common import (
    PayloadError,
    items,
    json_quantity,
    one,
    req_id,
    sapo_time,
    tolerant,
    webhook,
)
from sync.domain import (
    Location,
    Money,
    NewWebProduct,
    NewWebVariant,
    Unreadable,
    Webhook,
    WebInventoryItem,
    WebInventoryLevel,
    WebOrder,
    WebProduct,
    WebVariant,
)
from sync.errors import RetryableError

# `status=any` answers an empty list on live stores, so every status is read on its own.
ORDER_STATUSES = ("open", "closed", "cancelled")
# Without it Sapo returns only authorized/pending/paid orders (sheet §2.8).
ALL_FINANCIAL = "any"
ID_CHUNK = 100  # ids per `ids=` query, to keep URLs short


def _chunks(values: Iterable[int], size: int = ID_CHUNK) -> Iterator[str]:
    ordered = list(dict.fromkeys(values))
    for start in range(0, len(ordered), size):
        yield ",".join(str(v) for v in ordered[start : start + size])


def _variant_body(new: NewWebVariant) -> dict[str, Any]:
    body: dict[str, Any] = {
        "sku": new.sku,
        "price": new.price,
        "inventory_management": new.inventory_management,
        "inventory_policy": new.inventory_policy,
    }
    for index, value in enumerate(new.options, start=1):
        if value is not None:
            body[f"option{index}"] = value
    if new.barcode is not None:
        body["barcode"] = new.barcode
    if new.initial_stock is not None:
        # Sapo seeds the primary location from it, saving an inventory_levels/set per variant
        body["inventory_quantity"] = json_quantity(new.initial_stock)
    return body


def product_body(new: NewWebProduct) -> dict[str, Any]:
    """The POST body of a new web product: hidden unless asked (R12), never images (R9)."""
    body: dict[str, Any] = {
        "name": new.name,
        "variants": [_variant_body(v) for v in new.variants],
    }
    if new.option_names:
        body["options"] = [{"name": name} for name in new.option_names]
    if new.content is not None:
        body["content"] = new.content
    if not new.published:
        # An omitted published_on means "publish now"; null keeps the product hidden.
        body["published_on"] = None
    return {"product": body}


class WebClient(ClientBase):
    """Implements ``sync.ports.WebApi`` over HTTP."""

    # ------------------------------------------------------------------ reads

    def locations(self) -> list[Location]:
        pages = web_pages(lambda q: self._http.get("/admin/locations.json", q), "locations", {})
        return [parse_web.location(obj) for page in pages for obj in page]

    def product_pages(
        self, *, modified_since: datetime | None = None, since_id: int | None = None
    ) -> Iterator[list[WebProduct]]:
        """Products page by page (250 each), the unit a caller stores before reading on."""
        params: dict[str, str | int] = {}
        if modified_since is not None:
            params["modified_on_min"] = sapo_time(modified_since)
        fetch = lambda q: self._http.get("/admin/products.json", q)  # noqa: E731 - a one-line fetcher
        if since_id is not None:
            pages = web_pages_since(fetch, "products", params, since_id=since_id)
        else:
            pages = web_pages(fetch, "products", params)
        for page in pages:
            yield [parse_web.product(obj) for obj in page]

    def products(
        self, *, modified_since: datetime | None = None, since_id: int | None = None
    ) -> Iterator[WebProduct]:
        """Every product, or those modified at or after ``modified_since``; streamed."""
        for page in self.product_pages(modified_since=modified_since, since_id=since_id):
            yield from page

    def product(self, product_id: int) -> WebProduct | None:
        payload = self._http.get(f"/admin/products/{product_id}.json", missing_ok=True)
        return None if payload is None else parse_web.product(one(payload, "product"))

    def products_by_ids(self, product_ids: Iterable[int]) -> list[WebProduct]:
        """The products that still exist among ``product_ids`` (missing ones are left out)."""
        found: list[WebProduct] = []
        for ids in _chunks(product_ids):
            pages = web_pages(
                lambda q: self._http.get("/admin/products.json", q), "products", {"ids": ids}
            )
            found.extend(parse_web.product(obj) for page in pages for obj in page)
        return found

    def count_products(self, *, modified_since: datetime | None = None) -> int:
        params = {"modified_on_min": sapo_time(modified_since)} if modified_since else None
        return _count(self._http.get("/admin/products/count.json", params))

    def inventory_items(
        self, *, variant_ids: Iterable[int] = (), ids: Iterable[int] = ()
    ) -> list[WebInventoryItem]:
        result: list[WebInventoryItem] = []
        for name, values in (("variant_ids", variant_ids), ("ids", ids)):
            for chunk in _chunks(values):
                pages = web_pages(
                    lambda q: self._http.get("/admin/inventory_items.json", q),
                    "inventory_items",
                    {name: chunk},
                )
                result.extend(parse_web.inventory_item(obj) for page in pages for obj in page)
        return result

    def inventory_levels(
        self, *, inventory_item_ids: list[int] | None = None, location_ids: list[int] | None = None
    ) -> list[WebInventoryLevel]:
        """Stock per item and location; the list has no paging, so ids go in chunks."""
        base: dict[str, str | int] = {}
        if location_ids:
            base["location_ids"] = ",".join(str(i) for i in location_ids)
        queries = (
            [{**base, "inventory_item_ids": chunk} for chunk in _chunks(inventory_item_ids)]
            if inventory_item_ids
            else [base]
        )
        levels: list[WebInventoryLevel] = []
        for query in queries:
            payload = self._http.get("/admin/inventory_levels.json", query)
            levels.extend(
                parse_web.inventory_level(obj) for obj in items(payload, "inventory_levels")
            )
        return levels

    def order_records(
        self,
        *,
        created_since: datetime | None = None,
        modified_since: datetime | None = None,
        statuses: tuple[str, ...] = ORDER_STATUSES,
    ) -> Iterator[WebOrder | Unreadable]:
        """Every order, one status after the other and each once; an order Sapo sends in a
        form we cannot parse comes as ``Unreadable`` instead of ending the read, so the
        orders behind it on its page and on later pages still arrive (issue 10)."""
        params: dict[str, str | int] = {"financial_status": ALL_FINANCIAL}
        if created_since is not None:
            params["created_on_min"] = sapo_time(created_since)
        if modified_since is not None:
            params["modified_on_min"] = sapo_time(modified_since)
        seen: set[int | str] = set()
        for status in statuses:
            pages = web_pages(
                lambda q: self._http.get("/admin/orders.json", q),
                "orders",
                {**params, "status": status},
            )
            for page in pages:
                for record in tolerant(page, self._complete_order, parse_web.unreadable_order):
                    # An order that changed status between two reads shows up in both.
                    key = _identity(record)
                    if key not in seen:
                        seen.add(key)
                        yield record

    def _complete_order(self, obj: dict[str, Any]) -> WebOrder:
        if parse_web.has_line_items(obj):
            return parse_web.order(obj)
        again = self.order(req_id(obj, "id", "web order"))
        if again is None:
            raise RetryableError(f"Sapo Web order {obj.get('id')} vanished while being read")
        return again

    def orders(
        self, *, created_since: datetime | None = None, modified_since: datetime | None = None
    ) -> Iterator[WebOrder]:
        """Open, closed and cancelled orders (three reads: ``status=any`` is empty on Sapo);
        strict: an order that cannot be parsed raises ``PayloadError``."""
        records = self.order_records(created_since=created_since, modified_since=modified_since)
        for record in records:
            if isinstance(record, Unreadable):
                raise PayloadError(record.reason)
            yield record

    def order(self, order_id: int) -> WebOrder | None:
        """One order; when Sapo leaves out ``line_items`` it is read again through the list."""
        payload = self._http.get(f"/admin/orders/{order_id}.json", missing_ok=True)
        if payload is None:
            return None
        obj = one(payload, "order")
        if not parse_web.has_line_items(obj):
            query = {"ids": str(order_id), "status": str(obj.get("status") or "open")}
            query["financial_status"] = ALL_FINANCIAL
            listed = items(self._http.get("/admin/orders.json", query), "orders")
            full = [o for o in listed if o.get("id") == order_id and parse_web.has_line_items(o)]
            if not full:
                # Never an order without lines: "every product is linked" would hold vacuously.
                # A record fault, not a network one: it must not stop the orders behind it.
                raise PayloadError(f"Sapo Web sent order {order_id} without line_items twice")
            obj = full[0]
        return parse_web.order(obj)

    def count_orders(self, *, status: str = "open", created_since: datetime | None = None) -> int:
        params: dict[str, str | int] = {"status": status, "financial_status": ALL_FINANCIAL}
        if created_since is not None:
            params["created_on_min"] = sapo_time(created_since)
        return _count(self._http.get("/admin/orders/count.json", params))

    def webhooks(self) -> list[Webhook]:
        pages = web_pages(lambda q: self._http.get("/admin/webhooks.json", q), "webhooks", {})
        return [webhook(obj) for page in pages for obj in page]

    # ------------------------------------------------------------------ writes

    def create_product(self, new: NewWebProduct) -> WebProduct:
        """POST; hidden unless ``new.published`` (R12); no images are sent (R9)."""
        payload = self._http.post("/admin/products.json", product_body(new))
        return parse_web.product(one(payload, "product"))

    def create_variant(self, product_id: int, new: NewWebVariant) -> WebVariant:
        payload = self._http.post(
            f"/admin/products/{product_id}/variants.json", {"variant": _variant_body(new)}
        )
        return parse_web.variant(one(payload, "variant"), product_id=product_id)

    def set_stock(self, *, inventory_item_id: int, location_id: int, available: Decimal) -> None:
        """PUT /admin/inventory_levels/set.json (POST answers 405); idempotent, so retried."""
        level = {
            "location_id": location_id,
            "inventory_item_id": inventory_item_id,
            "available": json_quantity(available),
        }
        self._http.put("/admin/inventory_levels/set.json", {"inventory_level": level})

    def update_variant_price(self, variant_id: int, price: Money) -> None:
        self._http.put(
            f"/admin/variants/{variant_id}.json", {"variant": {"id": variant_id, "price": price}}
        )

    def register_webhook(self, topic: str, address: str) -> Webhook:
        """Subscribe ``address`` to ``topic``; an existing identical subscription is reused."""
        for hook in self.webhooks():
            if hook.topic == topic and hook.address == address:
                return hook
        body = {"webhook": {"topic": topic, "address": address, "format": "json"}}
        return webhook(one(self._http.post("/admin/webhooks.json", body), "webhook"))

    def delete_webhook(self, webhook_id: int) -> None:
        self._http.request("DELETE", f"/admin/webhooks/{webhook_id}.json", missing_ok=True)


def _identity(record: WebOrder | Unreadable) -> int | str:
    if isinstance(record, WebOrder):
        return record.id
    return record.key if record.id is None else record.id


def _count(payload: Any) -> int:
    if isinstance(payload, dict) and isinstance(payload.get("count"), int):
        return int(payload["count"])
    raise PayloadError("Sapo's count answer has no 'count' number")
