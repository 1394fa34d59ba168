"""What a cycle read from both sides, as the planner takes it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sync.domain import PosProduct, WebProduct


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What one cycle read. ``full`` means a complete read: absence is deletion."""

    pos_products: Sequence[PosProduct]
    web_products: Sequence[WebProduct]
    web_levels: Mapping[int, Decimal]  # inventory item id -> available at the web location
    web_location_id: int
    full: bool
    pos_count: int | None = None  # what count.json said before a full read
    web_count: int | None = None


@dataclass(frozen=True, slots=True)
class PriceListIds:
    """Where a product created on POS from the web gets its prices (R6)."""

    cost: int | None
    retail: int | None
