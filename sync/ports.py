"""What the engine needs from each Sapo API; ``sync/clients`` implements these over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from sync.domain import (
    Location,
    Money,
    NewPosCustomer,
    NewPosOrder,
    NewPosProduct,
    NewPosVariant,
    NewWebProduct,
    NewWebVariant,
    OrderSource,
    PosCustomer,
    PosOrder,
    PosProduct,
    PosVariant,
    PriceList,
    Unreadable,
    Webhook,
    WebInventoryLevel,
    WebOrder,
    WebProduct,
    WebVariant,
)


class CallBudget(Protocol):
    """The rate-limit bucket as last reported by Sapo (``X-Sapo-Api-Call-Limit``)."""

    @property
    def used(self) -> int: ...

    @property
    def limit(self) -> int: ...


class PosApi(Protocol):
    """Sapo's core POS API."""

    def locations(self) -> list[Location]: ...

    def price_lists(self) -> list[PriceList]: ...

    def products(self, *, modified_since: datetime | None = None) -> Iterator[PosProduct]:
        """Every product (paged), or those modified at or after ``modified_since``."""
        ...

    def product(self, product_id: int) -> PosProduct | None: ...

    def count_products(self) -> int: ...

    def create_product(self, new: NewPosProduct) -> PosProduct:
        """POST; an unknown outcome raises RetryableError(outcome_unknown=True)."""
        ...

    def create_variant(
        self, product_id: int, new: NewPosVariant, *, location_id: int | None = None
    ) -> PosVariant:
        """POST onto an existing product; initial stock lands at ``location_id``."""
        ...

    def order_sources(self) -> list[OrderSource]: ...

    def find_customer(self, *, phone: str | None, email: str | None) -> PosCustomer | None:
        """By phone first, then by email (R20)."""
        ...

    def customer_page(self, page: int) -> tuple[list[PosCustomer], int | None]:
        """One page of every customer (250, ascending id) and the list's total, if told."""
        ...

    def create_customer(self, new: NewPosCustomer) -> PosCustomer: ...

    def create_order(self, new: NewPosOrder) -> PosOrder: ...

    def find_order_by_reference(
        self, reference_number: str, *, created_since: datetime | None = None
    ) -> PosOrder | None:
        """Exact match on ``reference_number``; ``created_since`` bounds the search."""
        ...

    def webhooks(self) -> list[Webhook]: ...

    def register_webhook(self, topic: str, address: str) -> Webhook:
        """Subscribe (reusing an identical existing subscription)."""
        ...

    @property
    def budget(self) -> CallBudget: ...


class WebApi(Protocol):
    """The Sapo Web admin API."""

    def locations(self) -> list[Location]: ...

    def products(self, *, modified_since: datetime | None = None) -> Iterator[WebProduct]: ...

    def product(self, product_id: int) -> WebProduct | None: ...

    def count_products(self) -> int: ...

    def create_product(self, new: NewWebProduct) -> WebProduct:
        """POST; hidden unless ``new.published``; no images are sent (R9, R12)."""
        ...

    def create_variant(self, product_id: int, new: NewWebVariant) -> WebVariant: ...

    def inventory_levels(
        self, *, inventory_item_ids: list[int] | None = None, location_ids: list[int] | None = None
    ) -> list[WebInventoryLevel]: ...

    def set_stock(self, *, inventory_item_id: int, location_id: int, available: Decimal) -> None:
        """PUT /admin/inventory_levels/set.json (idempotent, so retried safely)."""
        ...

    def update_variant_price(self, variant_id: int, price: Money) -> None: ...

    def order_records(
        self, *, created_since: datetime | None = None, modified_since: datetime | None = None
    ) -> Iterator[WebOrder | Unreadable]:
        """Open, closed and cancelled orders (``status=any`` is empty on Sapo: three reads),
        each once; one Sapo sends unparseable comes as ``Unreadable``, not as an error."""
        ...

    def order(self, order_id: int) -> WebOrder | None: ...

    def webhooks(self) -> list[Webhook]: ...

    def register_webhook(self, topic: str, address: str) -> Webhook:
        """Subscribe (reusing an identical existing subscription)."""
        ...

    @property
    def budget(self) -> CallBudget: ...
