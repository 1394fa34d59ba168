"""Side-by-side view of one SKU on POS and on the web (R14), read live from both APIs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from storage import repo
from sync import reading
from sync.config import config_at, ensure_config
from sync.context import SyncContext
from sync.domain import (
    ConfigSnapshot,
    LinkStatus,
    Money,
    normalize_sku,
)
from sync.errors import no_linked_product
from sync.facts import display_options, effective_values, floor_zero
from sync.texts import Params


@dataclass(frozen=True, slots=True)
class BranchStock:
    location_id: int
    name: str
    available: Decimal


@dataclass(frozen=True, slots=True)
class PosSide:
    product_id: int
    variant_id: int
    name: str  # the variant's own name on POS ("Áo thun - Trắng - S")
    product_name: str  # what the web product's name is compared with
    sku: str | None
    barcode: str | None
    options: str
    price: Money | None
    price_list: str  # the configured list's name, e.g. "Giá bán lẻ"
    stock: tuple[BranchStock, ...]  # the configured branches only (R4)
    stock_sum: Decimal
    active: bool
    admin_url: str


@dataclass(frozen=True, slots=True)
class WebSide:
    product_id: int
    variant_id: int
    name: str
    sku: str | None
    barcode: str | None
    options: str
    price: Money
    stock: Decimal | None  # at the web store's location
    visible: bool
    tracked: bool
    admin_url: str


@dataclass(frozen=True, slots=True)
class Comparison:
    """Both versions of a linked product, what differs, and where to open each (R14)."""

    sku: str
    status: LinkStatus
    reason: str | None  # in English; ``reason_code`` and ``reason_params`` tell it in any
    last_synced_at: datetime | None
    cost_review: bool
    pos: PosSide | None  # None when it no longer exists there
    web: WebSide | None
    expected_web_stock: Decimal | None  # what sync publishes: branch sum - in-flight (R8)
    differences: tuple[str, ...]
    reason_code: str | None = None
    reason_params: Params | None = None


def compare(ctx: SyncContext, sku: str) -> Comparison:
    """Read the linked POS and web products of ``sku`` now and line them up."""
    key = normalize_sku(sku)
    now = ctx.clock()
    with ctx.db.session() as session:
        row = repo.get_link(session, connection_id=ctx.connection_id, sku=key)
        if row is None or row.status == LinkStatus.DELETED.value:
            raise no_linked_product(key)
        config = config_at(session, connection_id=ctx.connection_id, moment=now)
        if config is None:
            lists, branches = ctx.pos.price_lists(), ctx.pos.locations()
            config = ensure_config(
                session,
                connection_id=ctx.connection_id,
                price_lists=lists,
                locations=branches,
                now=now,
            )
            session.commit()
        state = reading.load_state(session, connection_id=ctx.connection_id)
        status, reason = LinkStatus(row.status), row.reason
        reason_code, reason_params = row.reason_code, row.reason_params
        synced, review = row.last_synced_at, row.cost_review
        ids = (row.pos_product_id, row.pos_variant_id, row.web_product_id, row.web_variant_id)
    pos = _pos_side(ctx, config, ids[0], ids[1])
    location = state.web_location_id or reading.web_location_id(ctx.web)
    web = _web_side(ctx, location, ids[2], ids[3])
    expected = None
    if pos is not None:
        expected = floor_zero(pos.stock_sum - _inflight(ctx).get(key, Decimal(0)))
    return Comparison(
        key,
        status,
        reason,
        synced,
        review,
        pos,
        web,
        expected,
        _differences(pos, web, expected),
        reason_code,
        reason_params,
    )


def _pos_side(
    ctx: SyncContext, config: ConfigSnapshot, product_id: int | None, variant_id: int | None
) -> PosSide | None:
    product = ctx.pos.product(product_id) if product_id is not None else None
    variant = (
        None if product is None else next((v for v in product.variants if v.id == variant_id), None)
    )
    if product is None or variant is None:
        return None
    names = {loc.id: loc.name for loc in ctx.pos.locations()}
    lists = {p.id: p.name for p in ctx.pos.price_lists()}
    stock = tuple(
        BranchStock(
            inv.location_id, names.get(inv.location_id, str(inv.location_id)), inv.available
        )
        for inv in variant.inventories
        if inv.location_id in config.stock_location_ids
    )
    return PosSide(
        product_id=product.id,
        variant_id=variant.id,
        name=variant.name or product.name,
        product_name=product.name,
        sku=variant.sku,
        barcode=variant.barcode,
        options=_options(product.option_names, variant.options),
        price=variant.prices.get(config.price_list_id),
        price_list=lists.get(config.price_list_id, str(config.price_list_id)),
        stock=stock,
        stock_sum=sum((b.available for b in stock), Decimal(0)),
        active=product.status == "active" and variant.status == "active",
        admin_url=f"{ctx.pos_admin_url}/admin/products/{product.id}",
    )


def _web_side(
    ctx: SyncContext, location: int, product_id: int | None, variant_id: int | None
) -> WebSide | None:
    product = ctx.web.product(product_id) if product_id is not None else None
    variant = (
        None if product is None else next((v for v in product.variants if v.id == variant_id), None)
    )
    if product is None or variant is None:
        return None
    levels = ctx.web.inventory_levels(
        inventory_item_ids=[variant.inventory_item_id], location_ids=[location]
    )
    stock = next((lv.available for lv in levels if lv.location_id == location), None)
    return WebSide(
        product_id=product.id,
        variant_id=variant.id,
        name=product.name,
        sku=variant.sku,
        barcode=variant.barcode,
        options=_options(product.option_names, variant.options),
        price=variant.price,
        stock=stock,
        visible=product.published,
        tracked=variant.tracked,
        admin_url=f"{ctx.web_admin_url}/admin/products/{product.id}",
    )


def _options(names: tuple[str, ...], values: tuple[str | None, str | None, str | None]) -> str:
    shown = display_options(values)
    return "" if not effective_values(names, values) else shown


def _differences(
    pos: PosSide | None, web: WebSide | None, expected: Decimal | None
) -> tuple[str, ...]:
    if pos is None or web is None:
        return ("missing_on_pos",) if pos is None else ("missing_on_web",)
    found = []
    if pos.product_name.strip().casefold() != web.name.strip().casefold():
        found.append("name")
    if pos.sku != web.sku:
        found.append("sku_spelling")
    if (pos.barcode or "") != (web.barcode or ""):
        found.append("barcode")
    if pos.options.casefold() != web.options.casefold():
        found.append("options")
    if pos.price is not None and pos.price != web.price:
        found.append("price")
    if expected is not None and web.stock != expected:
        found.append("stock")
    if pos.active != web.visible:  # stopped trading but still shown, or on sale but hidden
        found.append("visibility")
    return tuple(found)


def _inflight(ctx: SyncContext) -> dict[str, Decimal]:
    with ctx.db.session() as session:
        return dict(reading.inflight_by_sku(session, connection_id=ctx.connection_id))
