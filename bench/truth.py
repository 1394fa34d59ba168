"""Lower bounds from a scenario's ground truth (the sandbox's data), never from our own plan."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sandbox.models import PosData, PosVariant, WebData, WebVariant

PAGE = 250  # the largest page either API serves (sheet §4)
APIS = ("pos", "web")


def pages(items: int) -> int:
    """Pages needed to read ``items`` records: even an empty list takes one call to see."""
    return max(1, math.ceil(items / PAGE))


@dataclass(frozen=True, slots=True)
class Bound:
    """The calls a scenario cannot do without: reads and writes, each named."""

    reads: Mapping[str, int] = field(default_factory=dict)
    writes: Mapping[str, int] = field(default_factory=dict)

    @property
    def read_calls(self) -> int:
        return sum(self.reads.values())

    @property
    def write_calls(self) -> int:
        return sum(self.writes.values())

    @property
    def calls(self) -> int:
        return self.read_calls + self.write_calls

    def calls_by_api(self) -> dict[str, int]:
        """Calls per API: every name starts with ``pos`` or ``web``, and each API has its own
        bucket (two stores, two call limits)."""
        by_api = dict.fromkeys(APIS, 0)
        for name, n in (*self.reads.items(), *self.writes.items()):
            api = name.split(" ", 1)[0]
            if api not in by_api:
                raise ValueError(f"bound part {name!r} does not name its API")
            by_api[api] += n
        return by_api

    def seconds(self, *, bucket: int, leak_rate: float) -> float:
        """How long the buckets take to serve the bound: the slower of the two APIs."""
        return max(
            seconds_bound(n, bucket=bucket, leak_rate=leak_rate)
            for n in self.calls_by_api().values()
        )


def seconds_bound(calls: int, *, bucket: int, leak_rate: float) -> float:
    """How long one leaky bucket takes to serve ``calls``: a burst of ``bucket``, then the
    leak rate (sheet §4.2). Zero when everything fits in the burst."""
    return max(0, calls - bucket) / leak_rate


def _web_target(pos: PosVariant, branches: Iterable[int]) -> float:
    """What web stock must show for a linked variant: POS available over the branches (R8)."""
    total = sum(pos.stock[b].available for b in branches if b in pos.stock)
    return max(0.0, total)


def _web_available(web: WebVariant, location_id: int) -> float | None:
    level = web.levels.get(location_id)
    return None if level is None else level.available


def _creates(products: Mapping[int, list[str | None]], partner_skus: set[str]) -> int:
    """One call per product made whole on the other side, one per variant added to a product
    that is already linked through a sibling (R3, R7)."""
    calls = 0
    for skus in products.values():
        lonely = [s for s in skus if s and s not in partner_skus]
        if not lonely:
            continue
        linked_sibling = any(s and s in partner_skus for s in skus)
        calls += len(lonely) if linked_sibling else 1
    return calls


def first_link(pos: PosData, web: WebData) -> Bound:
    """The first link of two catalogues: read both, create the one-sided, write what differs.

    Stock of a variant created on the other side travels in the create itself (web
    ``inventory_quantity``, POS ``init_stock``), so it costs no extra write.
    """
    default_branch = pos.default_location_id()
    retail = pos.price_list_id("BANLE")
    location = web.first_location_id()
    pos_by_sku = {v.sku: v for v in pos.variants.values() if v.sku}
    web_by_sku = {v.sku: v for v in web.variants.values() if v.sku}
    stock = prices = 0
    for sku, web_variant in web_by_sku.items():
        pos_variant = pos_by_sku.get(sku)
        if pos_variant is None:
            continue
        target = _web_target(pos_variant, [default_branch])
        if _web_available(web_variant, location) != target:
            stock += 1
        if pos_variant.prices.get(retail) != web_variant.price:
            prices += 1
    pos_products = {
        p.id: [pos.variants[v].sku for v in p.variant_ids] for p in pos.products.values()
    }
    web_products = {
        p.id: [web.variants[v].sku for v in p.variant_ids] for p in web.products.values()
    }
    return Bound(
        reads={
            "pos products": pages(len(pos.products)),
            "web products": pages(len(web.products)),
            "web inventory levels": 1,  # one unpaged list per location (sheet §2.6)
            "pos locations": 1,
            "pos price lists": 1,
            "web locations": 1,
        },
        writes={
            "web creates": _creates(pos_products, set(web_by_sku)),
            "pos creates": _creates(web_products, set(pos_by_sku)),
            "web stock": stock,
            "web prices": prices,
        },
    )


def incremental_reads(*, pos_products: int = 0, web_products: int = 0) -> dict[str, int]:
    """What a cycle must read to learn what changed: each side's changed products since the
    cursor (one page even when none), the web's stock, and the web orders in each of the three
    statuses the API makes us ask for separately (``status=any`` answers nothing, sheet §2.8):
    new orders, closed ones included, hold back web stock until POS has them; see
    ``order_burst`` on the cancelled read."""
    return {
        "pos products changed": pages(pos_products),
        "web products changed": pages(web_products),
        "web inventory levels": 1,
        "web orders (open, closed, cancelled)": 3,
    }


def stock_wave(pos: PosData, web: WebData, changed_skus: Iterable[str]) -> Bound:
    """After POS stock changed for ``changed_skus``: read the changed products, and write the
    web stock of each linked variant whose target now differs from what the web shows."""
    branch = pos.default_location_id()
    location = web.first_location_id()
    wanted = set(changed_skus)
    pos_hits = [v for v in pos.variants.values() if v.sku in wanted]
    web_by_sku = {v.sku: v for v in web.variants.values() if v.sku and v.sku in wanted}
    writes = 0
    for variant in pos_hits:
        partner = web_by_sku.get(variant.sku or "")
        target = _web_target(variant, [branch])
        if partner is not None and _web_available(partner, location) != target:
            writes += 1
    products = {v.product_id for v in pos_hits}
    return Bound(
        reads=incremental_reads(pos_products=len(products)),
        writes={"web stock": writes},
    )


def order_burst(*, orders: int, pos_customers: int, new_customers: int) -> Bound:
    """The shop's first order run, pushing ``orders`` new open web orders: read them, know the
    POS customers (one search per order, or the whole list if that is fewer pages), create
    each missing customer and each order (R5, R20).

    The closed and cancelled reads are there because Sapo Web has no one list of all three
    statuses (``status=any`` answers nothing, sheet §2.8): a new order may already be closed
    (paid and fulfilled) and must still be pushed (R5), and an order an earlier run held back
    (a product not linked yet) may have been cancelled and must then never be pushed. Strictly,
    the cancelled read is only needed while some order is held, and none is in these
    scenarios; the bound keeps it (see README, Performance). A POS order names its channel by
    ``source_id``, the id of the account's own ``Web`` source, which no earlier call of this
    shop returned (sheet §3.5): one read of the order sources. A later run could reuse a
    stored id; the engine re-reads it once per run, which this bound does not cover.
    """
    return Bound(
        reads={
            "web orders (open)": pages(orders),
            "web orders (closed, cancelled)": 2,
            "pos order sources": 1,
            "pos customer list": min(orders, pages(pos_customers)),
        },
        writes={"pos customer creates": new_customers, "pos orders": orders},
    )
