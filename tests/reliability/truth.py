"""The sandbox's ground truth as plain records, copied under its lock for the oracles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sandbox import Sandbox
from sync.domain import normalize_sku


def dec(value: float) -> Decimal:
    return Decimal(str(value))


def stamp(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


@dataclass(frozen=True, slots=True)
class PosItem:
    id: int
    product_id: int
    sku: str  # normalized
    option_names: tuple[str, ...]
    options: tuple[str | None, ...]
    prices: dict[int, float]
    on_hand: dict[int, float]
    committed: dict[int, float]

    def available(self, branches: frozenset[int]) -> Decimal:
        return sum(
            (dec(self.on_hand.get(b, 0.0) - self.committed.get(b, 0.0)) for b in branches),
            start=Decimal(0),
        )


@dataclass(frozen=True, slots=True)
class WebItem:
    id: int
    product_id: int
    item_id: int
    sku: str  # normalized
    option_names: tuple[str, ...]
    options: tuple[str | None, ...]
    price: float
    tracked: bool
    available: Decimal | None  # at the store's location


@dataclass(frozen=True, slots=True)
class Truth:
    pos: dict[int, PosItem]
    web: dict[int, WebItem]
    web_orders: list[dict[str, Any]]
    pos_orders: list[dict[str, Any]]
    pos_customers: list[dict[str, Any]]

    def pos_by_sku(self, sku: str) -> list[PosItem]:
        return [v for v in self.pos.values() if v.sku == sku]

    def web_by_sku(self, sku: str) -> list[WebItem]:
        return [v for v in self.web.values() if v.sku == sku]

    def pos_orders_for(self, name: str) -> list[dict[str, Any]]:
        return [o for o in self.pos_orders if o.get("reference_number") == name]


def read_truth(sb: Sandbox) -> Truth:
    state = sb.state
    with state.lock:
        location = state.web.first_location_id()
        pos = {}
        for v in state.pos.variants.values():
            product = state.pos.products[v.product_id]
            pos[v.id] = PosItem(
                v.id,
                v.product_id,
                normalize_sku(v.sku),
                tuple(product.option_names),
                (v.opt1, v.opt2, v.opt3),
                dict(v.prices),
                {b: s.on_hand for b, s in v.stock.items()},
                {b: s.committed for b, s in v.stock.items()},
            )
        web = {}
        for w in state.web.variants.values():
            wp = state.web.products[w.product_id]
            level = w.levels.get(location)
            web[w.id] = WebItem(
                w.id,
                w.product_id,
                w.inventory_item_id,
                normalize_sku(w.sku),
                tuple(o.name for o in wp.options),
                (w.option1, w.option2, w.option3),
                w.price,
                w.inventory_management == "bizweb",
                None if level is None else dec(level.available),
            )
        web_orders = [_copy(o) for o in state.web.orders.values()]
        pos_orders = [_copy(o) for o in state.pos.orders.values()]
        customers = [_copy(c) for c in state.pos.customers.values()]
    return Truth(pos, web, web_orders, pos_orders, customers)


def _copy(record: dict[str, Any]) -> dict[str, Any]:
    out = dict(record)
    for key in ("line_items", "order_line_items"):
        if key in out:
            out[key] = [dict(line) for line in out[key]]
    return out
