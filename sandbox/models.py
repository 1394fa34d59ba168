"""In-memory records of both fake Sapo accounts; compact so that a bench seed stays small."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sandbox.common import Json

# Where each kind of id starts. Web ids have 8-9 digits like live data (sheet §2); POS ids
# follow the magnitudes of the sheet's core examples (§8.6).
ID_BASES: dict[str, int] = {
    "pos_tenant": 56000,
    "pos_location": 58000,
    "pos_price_list": 167000,
    "pos_product": 3939100,
    "pos_option": 4400000,
    "pos_variant": 5702400,
    "pos_customer": 2100000,
    "pos_order": 6100000,
    "pos_line": 6900000,
    "pos_source": 81000,
    "pos_webhook": 710000,
    "web_store": 600001,
    "web_location": 830001,
    "web_product": 51230001,
    "web_option": 90010001,
    "web_variant": 160000001,
    "web_item": 170000001,
    "web_level": 88000001,
    "web_image": 98100001,
    "web_customer": 43000001,
    "web_order": 175000001,
    "web_line": 291000001,
    "web_webhook": 72000001,
}


class IdGen:
    """Hands out increasing integer ids per kind, so insertion order is id order."""

    def __init__(self) -> None:
        self._next = dict(ID_BASES)

    def next(self, kind: str) -> int:
        """The next id of a kind."""
        value = self._next[kind]
        self._next[kind] = value + 1
        return value

    def reserve(self, kind: str, count: int) -> int:
        """Reserve `count` consecutive ids and return the first (fast path for bulk seeds)."""
        first = self._next[kind]
        self._next[kind] = first + count
        return first


@dataclass(slots=True)
class PosStock:
    """Stock of one POS variant at one branch; available = on_hand - committed (sheet §2.6)."""

    on_hand: float = 0.0
    committed: float = 0.0
    incoming: float = 0.0

    @property
    def available(self) -> float:
        """Sellable quantity."""
        # Sapo's formula is [UNKNOWN] (sheet §2.6); the sheet's default is on_hand - committed
        # - packed - unavailable, and the sandbox keeps no packed/unavailable stock (both 0).
        return self.on_hand - self.committed


@dataclass(slots=True)
class PosVariant:
    """A POS variant with prices per price list and stock per branch (sheet §3.1-3.3)."""

    id: int
    product_id: int
    sku: str | None
    barcode: str | None
    name: str
    opt1: str | None
    opt2: str | None
    opt3: str | None
    prices: dict[int, float]
    stock: dict[int, PosStock]
    created_on: str
    modified_on: str
    status: str = "active"
    unit: str | None = None
    weight_value: float = 0.0
    weight_unit: str = "g"


@dataclass(slots=True)
class PosProduct:
    """A POS product; its option names are `opt1..3`, the values live on variants."""

    id: int
    name: str
    option_names: list[str]
    option_ids: list[int]
    variant_ids: list[int]
    created_on: str
    modified_on: str
    status: str = "active"
    brand: str | None = None
    category: str | None = None
    description: str | None = None
    tags: str = ""


@dataclass(slots=True)
class WebLevel:
    """Stock of one web variant at one web location."""

    id: int
    on_hand: float
    committed: float
    created_at: str
    updated_at: str

    @property
    def available(self) -> float:
        """Sellable quantity, the figure `inventory_quantity` sums (sheet §2.2)."""
        # [UNKNOWN] formula (sheet §2.6): the labelled default with packed = unavailable = 0,
        # which is what render_level reports for those two fields.
        return self.on_hand - self.committed


@dataclass(slots=True)
class WebOption:
    """One product option (name only; the values are derived from the variants)."""

    id: int
    name: str
    created_on: str
    modified_on: str


@dataclass(slots=True)
class WebVariant:
    """A web variant; `inventory_item_id` differs from `id` (sheet §2.2)."""

    id: int
    product_id: int
    inventory_item_id: int
    sku: str | None
    barcode: str | None
    price: float
    compare_at_price: float | None
    option1: str | None
    option2: str | None
    option3: str | None
    inventory_management: str
    inventory_policy: str
    levels: dict[int, WebLevel]
    created_on: str
    modified_on: str
    grams: int = 0
    taxable: bool = False
    requires_shipping: bool = True
    unit: str | None = None
    image_id: int | None = None


@dataclass(slots=True)
class WebProduct:
    """A web product; `published_on` None means hidden (sheet §6.1)."""

    id: int
    name: str
    alias: str
    options: list[WebOption]
    variant_ids: list[int]
    created_on: str
    modified_on: str
    published_on: str | None
    vendor: str | None = None
    product_type: str | None = None
    tags: str = ""
    content: str | None = None
    summary: str | None = None
    status: str = "active"
    images: list[Json] = field(default_factory=list)


@dataclass
class PosData:
    """Everything the fake POS tenant holds."""

    tenant: Json
    locations: dict[int, Json] = field(default_factory=dict)
    price_lists: dict[int, Json] = field(default_factory=dict)
    products: dict[int, PosProduct] = field(default_factory=dict)
    variants: dict[int, PosVariant] = field(default_factory=dict)
    customers: dict[int, Json] = field(default_factory=dict)
    orders: dict[int, Json] = field(default_factory=dict)
    order_sources: dict[int, Json] = field(default_factory=dict)
    webhooks: dict[int, Json] = field(default_factory=dict)
    _codes: dict[str, int] = field(default_factory=dict, repr=False)

    def default_location_id(self) -> int:
        """The default branch: the location with the lowest id (SPEC R18)."""
        # The core API's default-branch flag is [UNKNOWN] (sheet §3.4), so no location carries
        # one; every seed and every write without X-Sapo-LocationId uses the lowest id.
        return min(self.locations)

    def price_list_id(self, code: str) -> int:
        """The id of a price list by its code (BANLE, BANBUON, GIANHAP)."""
        found = self._codes.get(code)
        if found is None or found not in self.price_lists:
            self._codes = {plist["code"]: pid for pid, plist in self.price_lists.items()}
            found = self._codes[code]
        return found


@dataclass
class WebData:
    """Everything the fake web store holds."""

    store: Json
    locations: dict[int, Json] = field(default_factory=dict)
    products: dict[int, WebProduct] = field(default_factory=dict)
    variants: dict[int, WebVariant] = field(default_factory=dict)
    items: dict[int, int] = field(default_factory=dict)
    customers: dict[int, Json] = field(default_factory=dict)
    orders: dict[int, Json] = field(default_factory=dict)
    webhooks: dict[int, Json] = field(default_factory=dict)
    commits: dict[int, list[tuple[int, int, float]]] = field(default_factory=dict)

    def first_location_id(self) -> int:
        """The store's primary location."""
        return min(self.locations)

    def add_variant(self, variant: WebVariant) -> None:
        """Index a variant by id and inventory item id."""
        self.variants[variant.id] = variant
        self.items[variant.inventory_item_id] = variant.id

    def drop_variant(self, variant_id: int) -> None:
        """Remove a variant and its inventory item."""
        variant = self.variants.pop(variant_id)
        self.items.pop(variant.inventory_item_id, None)


def sku_key(sku: Any) -> str:
    """A SKU normalised for look-ups (strip only; Sapo SKUs are case sensitive [INFERRED])."""
    return str(sku).strip() if sku is not None else ""
