"""What the people in a story did, kept beside the shop so the oracles know what to expect."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sync.domain import normalize_sku
from tests.reliability.truth import Truth, stamp


@dataclass(frozen=True, slots=True)
class PlacedOrder:
    """A web order placed in the story, and which of its SKUs a person had switched off."""

    web_id: int
    name: str
    skus: frozenset[str]
    created_on: datetime
    blocked: tuple[tuple[str, int], ...]  # (SKU, its reconnect count) for SKUs off at placement


@dataclass
class Model:
    """The people's side of a story: stock they counted, link states they set, orders placed."""

    on_hand: dict[tuple[int, int], float] = field(default_factory=dict)
    person: dict[str, str] = field(default_factory=dict)  # SKU -> disconnected | deleted
    reconnects: Counter[str] = field(default_factory=Counter)
    orders: dict[int, PlacedOrder] = field(default_factory=dict)
    before_setup: set[str] = field(default_factory=set)
    # (saved at, order branch) of every configuration a person saved; the first is the default
    order_branch: list[tuple[datetime, int]] = field(default_factory=list)
    story: list[str] = field(default_factory=list)

    def note(self, line: str) -> None:
        self.story.append(line)

    def observe_stock(self, truth: Truth) -> list[str]:
        """POS on-hand per variant and branch moves only when a person counts it (R8).

        Variants the sync created are adopted as first seen (their opening stock is R3's).
        """
        problems = []
        for item in truth.pos.values():
            for branch, on_hand in item.on_hand.items():
                key = (item.id, branch)
                known = self.on_hand.setdefault(key, on_hand)
                if known != on_hand:
                    problems.append(
                        f"POS on-hand of {item.sku} at branch {branch} changed from {known} "
                        f"to {on_hand} without a count at the store (R8)"
                    )
        return problems

    def counted(self, pos_variant_id: int, branch: int, on_hand: float) -> None:
        self.on_hand[(pos_variant_id, branch)] = on_hand

    def placed(self, order: dict[str, object], created_on: str) -> PlacedOrder:
        lines = order.get("line_items")
        assert isinstance(lines, list)
        skus = frozenset(normalize_sku(str(line.get("sku") or "")) for line in lines)
        blocked = tuple((s, self.reconnects[s]) for s in sorted(skus) if s in self.person)
        placed = PlacedOrder(
            int(str(order["id"])), str(order["name"]), skus, stamp(created_on), blocked
        )
        self.orders[placed.web_id] = placed
        return placed

    def continuously_blocked(self, order: PlacedOrder) -> bool:
        """A SKU of the order was off when it was placed and has not been reconnected since."""
        return any(
            sku in self.person and self.reconnects[sku] == count for sku, count in order.blocked
        )

    def order_branches(self, created_on: datetime) -> set[int]:
        """The branch(es) an order created then may go to (R18): the configuration saved
        before it; within the same whole second Sapo's stamp cannot tell, so either."""
        allowed: set[int] = set()
        current = self.order_branch[0][1]
        for saved_at, branch in self.order_branch:
            if saved_at <= created_on:
                current = branch
            elif saved_at - created_on < timedelta(seconds=1):
                allowed.add(branch)
        allowed.add(current)
        return allowed
