"""Plain-data builders for catalogue tests: products of both sides, configs, links."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal

from sync.domain import (
    ConfigSnapshot,
    LinkStatus,
    PosInventory,
    PosProduct,
    PosVariant,
    WebProduct,
    WebVariant,
)
from sync.facts import pos_facts, web_facts
from sync.plan import LinkState
from sync.planner import PriceListIds, Snapshot

T0 = datetime(2026, 3, 6, 3, 0, tzinfo=UTC)
BANLE, BANBUON, GIANHAP = 1, 2, 3
BRANCH_A, BRANCH_B, BRANCH_C = 10, 11, 12
WEB_LOCATION = 900
LISTS = PriceListIds(cost=GIANHAP, retail=BANLE)
Opts = tuple[str | None, str | None, str | None]
NONE3: Opts = (None, None, None)


def config(
    *, price_list: int = BANLE, branches: Sequence[int] = (BRANCH_A,), order: int = BRANCH_A
) -> ConfigSnapshot:
    return ConfigSnapshot(
        price_list_id=price_list,
        order_location_id=order,
        stock_location_ids=frozenset(branches),
        effective_from=T0,
    )


def pv(
    vid: int,
    sku: str | None,
    *,
    pid: int = 0,
    opts: Opts = NONE3,
    price: int = 100_000,
    stock: Mapping[int, int | str] | None = None,
    prices: Mapping[int, int] | None = None,
) -> PosVariant:
    """A POS variant; ``stock`` is available per branch (default 5 at branch A)."""
    stock = {BRANCH_A: 5} if stock is None else stock
    return PosVariant(
        id=vid,
        product_id=pid,
        sku=sku,
        name=f"pos {sku}",
        options=opts,
        prices=dict(prices) if prices is not None else {BANLE: price, BANBUON: price - 10_000},
        inventories=tuple(PosInventory(loc, Decimal(q), Decimal(q)) for loc, q in stock.items()),
    )


def pos_product(
    pid: int, variants: Sequence[PosVariant], *, names: Sequence[str] = (), name: str = ""
) -> PosProduct:
    fixed = tuple(
        PosVariant(
            v.id, pid, v.sku, v.name, v.barcode, v.options, v.prices, v.inventories, v.status
        )
        for v in variants
    )
    return PosProduct(pid, name or f"POS product {pid}", fixed, tuple(names))


def wv(
    vid: int,
    sku: str | None,
    *,
    opts: Opts = ("Default Title", None, None),
    price: int = 100_000,
    qty: int = 5,
    tracked: bool = True,
) -> WebVariant:
    return WebVariant(
        id=vid,
        product_id=0,
        inventory_item_id=vid + 1000,
        sku=sku,
        title=" / ".join(o for o in opts if o),
        price=price,
        options=opts,
        inventory_management="bizweb" if tracked else "",
        inventory_quantity=Decimal(qty),
    )


def web_product(
    pid: int,
    variants: Sequence[WebVariant],
    *,
    names: Sequence[str] = ("Title",),
    name: str = "",
) -> WebProduct:
    fixed = tuple(
        WebVariant(
            v.id,
            pid,
            v.inventory_item_id,
            v.sku,
            v.title,
            v.price,
            v.options,
            v.barcode,
            v.compare_at_price,
            v.inventory_management,
            v.inventory_policy,
            v.inventory_quantity,
        )
        for v in variants
    )
    return WebProduct(pid, name or f"web product {pid}", fixed, tuple(names))


def snapshot(
    pos: Sequence[PosProduct],
    web: Sequence[WebProduct],
    *,
    full: bool = True,
    levels: Mapping[int, int] | None = None,
    pos_count: int | None = None,
    web_count: int | None = None,
) -> Snapshot:
    """Levels default to each web variant's ``inventory_quantity``."""
    if levels is None:
        found = {v.inventory_item_id: v.inventory_quantity for p in web for v in p.variants}
    else:
        found = {k: Decimal(q) for k, q in levels.items()}
    return Snapshot(pos, web, found, WEB_LOCATION, full, pos_count, web_count)


def link(
    pos: PosProduct,
    web: WebProduct,
    sku: str,
    *,
    status: LinkStatus = LinkStatus.LINKED,
    reason_code: str | None = None,
) -> LinkState:
    """A stored link whose facts are what ``pos`` and ``web`` hold for ``sku``."""
    pvar = next(v for v in pos.variants if v.sku == sku)
    wvar = next(v for v in web.variants if v.sku == sku)
    return LinkState(
        sku, status, pos_facts(pos, pvar), web_facts(web, wvar), reason_code=reason_code
    )
