"""What the demo claims, checked against the sandbox's own state rather than our database."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal

from sandbox import Sandbox
from sandbox.seeds import DEMO_POS_ONLY_SKUS
from sandbox.tour import WEB_ONLY_AFTER_FIXES
from storage import repo
from sync.config import config_at
from sync.context import SyncContext
from sync.domain import normalize_sku
from sync.orders import inflight_quantities

SET_STOCK = "web PUT /admin/inventory_levels/set.json"


@dataclass(frozen=True, slots=True)
class Tally:
    linked: int
    pos_created: int  # links our database says were created on POS from the web (R3, R6)
    web_created: int  # ... and on the web from POS (R3, R12)
    pos_created_seen: int  # web-only SKUs the sandbox's POS now holds
    web_created_seen: int  # POS-only SKUs the sandbox's web store now holds
    stock_writes: int
    orders_pushed: int
    errors_raised: int
    errors_open: int
    stock_mismatches: int
    pos_order_refs: tuple[str, ...]
    web_stock_by_sku: dict[str, float]

    def orders_on_pos_once(self, name: str) -> bool:
        refs = [r for r in self.pos_order_refs if r in (name, name.lstrip("#"))]
        return len(refs) == 1

    def web_stock(self, sku: str) -> float | None:
        return self.web_stock_by_sku.get(sku)

    @property
    def created_agree(self) -> bool:
        """Our database's creation counts are what the stores really hold."""
        return (self.pos_created, self.web_created) == (
            self.pos_created_seen,
            self.web_created_seen,
        )


def tally(
    ctx: SyncContext,
    sb: Sandbox,
    *,
    web_only: Collection[str] = WEB_ONLY_AFTER_FIXES,
    pos_only: Collection[str] = DEMO_POS_ONLY_SKUS,
) -> Tally:
    """Counts from our database, and the same facts read from what the sandbox holds.

    ``web_only`` / ``pos_only`` are the SKUs that had no twin on the other side before the
    first link: each one found there now was created by the sync.
    """
    with ctx.db.session() as session:
        links = repo.all_links(session, connection_id=ctx.connection_id)
        orders = repo.count_orders_by_status(session, connection_id=ctx.connection_id)
        raised = repo.count_errors(session, connection_id=ctx.connection_id)
        still_open = len(repo.open_errors(session, connection_id=ctx.connection_id))
        config = config_at(session, connection_id=ctx.connection_id, moment=ctx.clock())
        inflight = inflight_quantities(session, connection_id=ctx.connection_id)
    state = sb.state
    pos_available: dict[str, float] = {}
    branches = config.stock_location_ids if config else frozenset()
    for pos_variant in state.pos.variants.values():
        pos_available[normalize_sku(pos_variant.sku)] = sum(
            s.available for lid, s in pos_variant.stock.items() if lid in branches
        )
    web_stock: dict[str, float] = {}
    for web_variant in state.web.variants.values():
        web_stock[normalize_sku(web_variant.sku)] = sum(
            lv.available for lv in web_variant.levels.values()
        )
    mismatches = 0
    for link in links:
        if link.status != "linked" or link.sku not in pos_available:
            continue
        expected = max(
            Decimal(0), Decimal(str(pos_available[link.sku])) - inflight.get(link.sku, 0)
        )
        if Decimal(str(web_stock.get(link.sku, 0))) != expected:
            mismatches += 1
    web_only_keys = {normalize_sku(sku) for sku in web_only}
    pos_only_keys = {normalize_sku(sku) for sku in pos_only}
    refs = tuple(str(o.get("reference_number") or "") for o in state.pos.orders.values())
    return Tally(
        linked=sum(1 for link in links if link.status == "linked"),
        pos_created=sum(1 for link in links if link.origin == "pos_created"),
        web_created=sum(1 for link in links if link.origin == "web_created"),
        pos_created_seen=len(web_only_keys & pos_available.keys()),
        web_created_seen=len(pos_only_keys & web_stock.keys()),
        stock_writes=int(sb.stats()["requests"].get(SET_STOCK, 0)),
        orders_pushed=orders.get("pushed", 0),
        errors_raised=raised,
        errors_open=still_open,
        stock_mismatches=mismatches,
        pos_order_refs=refs,
        web_stock_by_sku=web_stock,
    )
