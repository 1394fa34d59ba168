"""The planner's vocabulary: facts about each side of a link, the actions of a plan, problems."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Any, NamedTuple

from sync.domain import (
    LinkStatus,
    Money,
    NewPosProduct,
    NewPosVariant,
    NewWebProduct,
    NewWebVariant,
)
from sync.texts import Params

Options = tuple[str | None, str | None, str | None]
NOTHING: Mapping[int, Any] = MappingProxyType({})

# The records made once per variant (facts, links, stock and price writes) are NamedTuples:
# immutable like the frozen dataclasses elsewhere, but five times cheaper to build, which
# keeps a 100 000-variant plan within its CPU budget.


class PosFacts(NamedTuple):
    """What the engine last saw of a POS variant; enough to plan without re-reading it."""

    product_id: int
    variant_id: int
    sku: str | None
    name: str
    options: Options = (None, None, None)
    option_names: tuple[str, ...] = ()
    prices: Mapping[int, Money] = NOTHING  # price list id -> dong
    available: Mapping[int, Decimal] = NOTHING  # branch id -> available
    barcode: str | None = None

    def available_at(self, location_ids: frozenset[int]) -> Decimal:
        """Sum of ``available`` over the configured branches (R4, R8)."""
        total = Decimal(0)
        available = self.available
        for loc in location_ids:  # usually one branch: look it up, do not scan every branch
            quantity = available.get(loc)
            if quantity is not None:
                total += quantity
        return total


class WebFacts(NamedTuple):
    """What the engine last saw of a web variant."""

    product_id: int
    variant_id: int
    inventory_item_id: int
    sku: str | None
    name: str
    price: Money
    options: Options = (None, None, None)
    option_names: tuple[str, ...] = ()
    tracked: bool = True
    published: bool = False
    barcode: str | None = None


class LinkState(NamedTuple):
    """A stored link as the planner sees it: its key, status and the last facts of each side."""

    sku: str
    status: LinkStatus
    pos: PosFacts | None
    web: WebFacts | None
    reason_code: str | None = None
    reason: str | None = None
    last_stock_written: Decimal | None = None
    reason_params: Params | None = None  # what the reason's sentence is built from


@dataclass(frozen=True, slots=True)
class Problem:
    """One sync problem (R19); its fingerprint is kind + subject + code.

    ``message`` is the English sentence; ``params`` are what it is built from, so the bot
    can tell it in the reader's language (``sync.texts`` lists every code's parameters).
    """

    code: str
    subject: str
    message: str
    kind: str = "product"
    params: Params = field(default_factory=dict, hash=False)


# ---------------------------------------------------------------- actions


class LinkPair(NamedTuple):
    """Store a new link for a POS and a web variant with the same SKU (R2)."""

    sku: str
    pos: PosFacts
    web: WebFacts
    reason: str
    status: LinkStatus = LinkStatus.LINKED
    reason_code: str | None = None
    reason_params: Params | None = None
    said: Params | None = None  # ``reason`` as a ``msg.*`` sentence of sync.texts


@dataclass(frozen=True, slots=True)
class SetLinkStatus:
    """Move an existing link to another status, e.g. ``error`` on structure drift (R10, R11)."""

    sku: str
    before: LinkStatus
    status: LinkStatus
    reason_code: str | None
    reason: str
    params: Params = field(default_factory=dict, hash=False)
    # ``reason`` as a ``msg.*`` sentence when it is not the problem ``reason_code`` names
    said: Params | None = field(default=None, hash=False)


@dataclass(frozen=True, slots=True)
class Rebind:
    """Point an existing link at the variants that now carry its SKU (a side came back)."""

    sku: str
    pos: PosFacts
    web: WebFacts
    reason: str


@dataclass(frozen=True, slots=True)
class CreateWebProduct:
    """Create a POS-only product on the web, hidden and without images (R3, R7, R9, R12)."""

    pos_product_id: int
    new: NewWebProduct
    sources: tuple[PosFacts, ...]  # one per new variant, same order
    stock: tuple[Decimal, ...]  # web quantity to publish per new variant (R8)
    location_id: int  # the web location that gets the stock
    reason: str
    said: Params | None = field(default=None, hash=False)  # ``reason`` in sync.texts


@dataclass(frozen=True, slots=True)
class CreateWebVariant:
    """Add a variant to a linked web product when a POS product gained one (R7)."""

    web_product_id: int
    new: NewWebVariant
    source: PosFacts
    partner: WebFacts  # a linked sibling on the web product (its options, name, visibility)
    stock: Decimal
    location_id: int
    reason: str
    said: Params | None = field(default=None, hash=False)  # ``reason`` in sync.texts


@dataclass(frozen=True, slots=True)
class CreatePosProduct:
    """Create a web-only product on POS with the web price as its cost (R3, R6, R7)."""

    web_product_id: int
    new: NewPosProduct
    sources: tuple[WebFacts, ...]
    reason: str
    said: Params | None = field(default=None, hash=False)  # ``reason`` in sync.texts


@dataclass(frozen=True, slots=True)
class CreatePosVariant:
    """Add a variant to a linked POS product when the web product gained one (R7)."""

    pos_product_id: int
    new: NewPosVariant
    location_id: int
    source: WebFacts
    partner: PosFacts  # a linked sibling on the POS product
    reason: str
    said: Params | None = field(default=None, hash=False)  # ``reason`` in sync.texts


class PushStock(NamedTuple):
    """Set the web quantity of a linked variant from POS (R4, R8)."""

    sku: str
    inventory_item_id: int
    location_id: int
    before: Decimal | None
    after: Decimal
    cause: str  # "POS stock changed", "newly linked", ...
    pos_available: Decimal  # sum of available over the configured branches
    inflight: Decimal = Decimal(0)  # web orders not yet in POS

    @property
    def reason(self) -> str:
        """Built on demand: a 100 000-variant plan should not format 100 000 sentences."""
        text = f"{self.cause}: POS available {self.pos_available} over branches"
        if self.inflight:
            text += f" - {self.inflight} in web orders not yet in POS"
        shown = "nothing" if self.before is None else self.before
        return f"{text} = {self.after}; web shows {shown}"


class PushPrice(NamedTuple):
    """Set the web price of a linked variant from the configured POS price list (R18)."""

    sku: str
    web_variant_id: int
    before: Money
    after: Money
    price_list_id: int

    @property
    def reason(self) -> str:
        return f"price list {self.price_list_id} says {self.after}, web shows {self.before}"


class RefreshFacts(NamedTuple):
    """Store what was read for a link (no API write); lets later cycles plan incrementally."""

    sku: str
    pos: PosFacts | None
    web: WebFacts | None


Creation = CreateWebProduct | CreateWebVariant | CreatePosProduct | CreatePosVariant


@dataclass(frozen=True, slots=True)
class Plan:
    """Everything one cycle would do, each action with its reason; ``halt`` stops all writes."""

    links: tuple[LinkPair, ...] = ()
    statuses: tuple[SetLinkStatus, ...] = ()
    rebinds: tuple[Rebind, ...] = ()
    creations: tuple[Creation, ...] = ()
    stock: tuple[PushStock, ...] = ()
    prices: tuple[PushPrice, ...] = ()
    refresh: tuple[RefreshFacts, ...] = ()
    problems: tuple[Problem, ...] = ()
    # subjects whose problems were evaluated this cycle (absent ones get resolved)
    evaluated: frozenset[str] = frozenset()
    halt: Problem | None = None
    live_links: int = 0
    full: bool = False  # planned from a complete read of both sides
    planned_at: datetime | None = None

    @property
    def writes(self) -> int:
        """How many API writes applying this plan makes at least (creations count once)."""
        if self.halt is not None:
            return 0
        return len(self.creations) + len(self.stock) + len(self.prices)

    def counts(self) -> dict[str, int]:
        """Action counts by kind, for summaries and logs."""
        created_web = sum(
            isinstance(c, CreateWebProduct | CreateWebVariant) for c in self.creations
        )
        return {
            "link": len(self.links),
            "status": len(self.statuses),
            "rebind": len(self.rebinds),
            "create_web": created_web,
            "create_pos": len(self.creations) - created_web,
            "stock": len(self.stock),
            "price": len(self.prices),
            "problems": len(self.problems),
        }
