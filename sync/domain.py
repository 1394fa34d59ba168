"""Domain records shared by the clients, the planner, the engine and the bot.

Money is an integer number of dong (VND has no minor unit). Quantities are ``Decimal``
because Sapo allows up to three decimals. Timestamps are timezone-aware UTC.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

Money = int
ZERO = Decimal(0)


def normalize_sku(raw: str | None) -> str:
    """The matching key of a SKU (R2): trimmed, Unicode NFC; empty when blank.

    Also empty when a control or invisible character is left inside (NUL, a tab, a zero-width
    or no-break space from a spreadsheet): such a SKU cannot be typed, matched or stored
    reliably (PostgreSQL refuses NUL), so it is treated as no SKU and reported for a person.
    """
    if raw is None:
        return ""
    key = unicodedata.normalize("NFC", raw).strip()
    return key if key.isprintable() else ""


def phone_key(raw: str | None) -> str:
    """A Vietnamese phone in national digits (R20): ``+84 90-000 0001`` -> ``0900000001``."""
    digits = re.sub(r"\D", "", raw or "")
    if digits.startswith("84") and len(digits) >= 11:
        digits = "0" + digits[2:]
    return digits


def email_key(raw: str | None) -> str:
    """An e-mail address as customers are matched by it (R20): trimmed, lower case."""
    return (raw or "").strip().lower()


# ---------------------------------------------------------------- Sapo POS (core API)


@dataclass(frozen=True, slots=True)
class PriceList:
    id: int
    code: str
    name: str
    is_cost: bool = False


@dataclass(frozen=True, slots=True)
class Location:
    """A POS branch (or a web store location)."""

    id: int
    name: str
    active: bool = True


@dataclass(frozen=True, slots=True)
class PosInventory:
    location_id: int
    on_hand: Decimal
    available: Decimal
    committed: Decimal = ZERO


@dataclass(frozen=True, slots=True)
class PosVariant:
    id: int
    product_id: int
    sku: str | None
    name: str
    barcode: str | None = None
    options: tuple[str | None, str | None, str | None] = (None, None, None)
    # price_list_id -> price in dong
    prices: Mapping[int, Money] = field(default_factory=dict)
    inventories: tuple[PosInventory, ...] = ()
    status: str = "active"

    def available_at(self, location_ids: frozenset[int]) -> Decimal:
        """Sum of ``available`` over the given branches (R4, R8)."""
        return sum(
            (inv.available for inv in self.inventories if inv.location_id in location_ids),
            start=ZERO,
        )


@dataclass(frozen=True, slots=True)
class PosProduct:
    id: int
    name: str
    variants: tuple[PosVariant, ...]
    option_names: tuple[str, ...] = ()
    status: str = "active"
    created_on: datetime | None = None
    modified_on: datetime | None = None


@dataclass(frozen=True, slots=True)
class PosCustomer:
    id: int
    name: str
    phone: str | None = None
    email: str | None = None


@dataclass(frozen=True, slots=True)
class PosOrderLine:
    variant_id: int
    quantity: Decimal
    price: Money
    sku: str | None = None
    discount_amount: Money = 0


@dataclass(frozen=True, slots=True)
class PosOrder:
    id: int
    code: str
    reference_number: str | None
    location_id: int
    total: Money
    lines: tuple[PosOrderLine, ...] = ()
    price_list_id: int | None = None
    source_id: int | None = None
    customer_id: int | None = None
    status: str = "draft"
    created_on: datetime | None = None


@dataclass(frozen=True, slots=True)
class OrderSource:
    id: int
    name: str


# ---------------------------------------------------------------- Sapo Web


@dataclass(frozen=True, slots=True)
class WebVariant:
    id: int
    product_id: int
    inventory_item_id: int
    sku: str | None
    title: str
    price: Money
    options: tuple[str | None, str | None, str | None] = (None, None, None)
    barcode: str | None = None
    compare_at_price: Money | None = None
    inventory_management: str = "bizweb"
    inventory_policy: str = "deny"
    inventory_quantity: Decimal = ZERO

    @property
    def tracked(self) -> bool:
        return bool(self.inventory_management)


@dataclass(frozen=True, slots=True)
class WebProduct:
    id: int
    name: str
    variants: tuple[WebVariant, ...]
    option_names: tuple[str, ...] = ()
    alias: str | None = None
    published_on: datetime | None = None
    created_on: datetime | None = None
    modified_on: datetime | None = None

    @property
    def published(self) -> bool:
        return self.published_on is not None


@dataclass(frozen=True, slots=True)
class WebInventoryLevel:
    inventory_item_id: int
    location_id: int
    available: Decimal
    on_hand: Decimal = ZERO


@dataclass(frozen=True, slots=True)
class WebInventoryItem:
    """One per web variant; its id is what inventory levels call ``inventory_item_id``."""

    id: int
    sku: str | None
    tracked: bool = True


@dataclass(frozen=True, slots=True)
class Webhook:
    """A webhook subscription on either API."""

    id: int
    topic: str
    address: str
    format: str = "json"
    created_on: datetime | None = None


@dataclass(frozen=True, slots=True)
class WebCustomer:
    id: int | None
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None
    created_on: datetime | None = None

    @property
    def full_name(self) -> str:
        parts = [p for p in (self.last_name, self.first_name) if p]
        return " ".join(parts)


@dataclass(frozen=True, slots=True)
class WebLineItem:
    id: int
    variant_id: int | None
    product_id: int | None
    sku: str | None
    title: str
    quantity: Decimal
    price: Money
    total_discount: Money = 0


@dataclass(frozen=True, slots=True)
class WebOrder:
    id: int
    name: str  # "#1042"
    order_number: int
    created_on: datetime
    line_items: tuple[WebLineItem, ...]
    total_price: Money
    status: str = "open"
    financial_status: str | None = None
    cancelled_on: datetime | None = None
    email: str | None = None
    phone: str | None = None
    customer: WebCustomer | None = None
    total_discounts: Money = 0
    total_shipping_price: Money = 0
    modified_on: datetime | None = None

    @property
    def cancelled(self) -> bool:
        return self.status == "cancelled" or self.cancelled_on is not None


@dataclass(frozen=True, slots=True)
class Unreadable:
    """A record of a list answer that cannot be parsed: skipped, so the records behind it
    are still read, and described, so it is reported and read again (issue 10).

    ``key`` is the same from one read to the next: the id, else the name, else Sapo's
    token, else a digest of the record; never its page or position, which shift.
    """

    what: str  # "web order"
    key: str
    reason: str
    id: int | None = None
    name: str | None = None
    created_on: datetime | None = None
    modified_on: datetime | None = None


# ---------------------------------------------------------------- writes


@dataclass(frozen=True, slots=True)
class NewPosVariant:
    sku: str
    name: str
    options: tuple[str | None, str | None, str | None] = (None, None, None)
    barcode: str | None = None
    # price_list_id -> price in dong
    prices: Mapping[int, Money] = field(default_factory=dict)
    initial_stock: Decimal = ZERO


@dataclass(frozen=True, slots=True)
class NewPosProduct:
    name: str
    variants: tuple[NewPosVariant, ...]
    option_names: tuple[str, ...] = ()
    # the branch that receives the initial stock (sent as X-Sapo-LocationId)
    location_id: int | None = None
    description: str | None = None


@dataclass(frozen=True, slots=True)
class NewWebVariant:
    sku: str
    price: Money
    options: tuple[str | None, str | None, str | None] = (None, None, None)
    barcode: str | None = None
    inventory_management: str = "bizweb"
    inventory_policy: str = "deny"
    # stock at the store's primary location, set by the create itself (one call, not two)
    initial_stock: Decimal | None = None


@dataclass(frozen=True, slots=True)
class NewWebProduct:
    """A product created on the web; hidden (``published_on: null``) by default (R12)."""

    name: str
    variants: tuple[NewWebVariant, ...]
    option_names: tuple[str, ...] = ()
    published: bool = False
    content: str | None = None


@dataclass(frozen=True, slots=True)
class NewPosCustomer:
    name: str
    phone: str | None = None
    email: str | None = None


@dataclass(frozen=True, slots=True)
class NewPosOrderLine:
    variant_id: int
    quantity: Decimal
    price: Money
    discount_amount: Money = 0


@dataclass(frozen=True, slots=True)
class NewPosOrder:
    reference_number: str
    location_id: int
    price_list_id: int
    source_id: int
    lines: tuple[NewPosOrderLine, ...]
    customer_id: int | None = None
    delivery_fee: Money = 0
    order_discount_value: Money = 0
    note: str | None = None


# ---------------------------------------------------------------- our own state


class LinkStatus(StrEnum):
    LINKED = "linked"
    DISCONNECTED = "disconnected"
    ERROR = "error"
    POS_DELETED = "pos_deleted"
    DELETED = "deleted"  # permanent tombstone (R16)


class OrderStatus(StrEnum):
    PENDING = "pending"
    PUSHED = "pushed"
    FAILED = "failed"
    SKIPPED = "skipped"
    INELIGIBLE = "ineligible"


class ErrorKind(StrEnum):
    PRODUCT = "product"
    ORDER = "order"


@dataclass(frozen=True, slots=True)
class ConfigSnapshot:
    """The configuration version in force (R18, R4)."""

    price_list_id: int
    order_location_id: int
    stock_location_ids: frozenset[int]
    effective_from: datetime
    version: int = 0
    order_interval_s: int = 60
    stock_interval_s: int = 120
    catalog_interval_s: int = 600
    full_interval_s: int = 3600
