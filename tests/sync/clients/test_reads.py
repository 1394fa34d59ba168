"""Every read of both clients against the sandbox over real HTTP: catalog, paging, increments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx

from sandbox import Sandbox
from sandbox.seeds import (
    DEMO_HIDDEN_WEB_SKUS,
    DEMO_NEGATIVE_QUANTITY,
    DEMO_NEGATIVE_SKU,
    DEMO_POS_DEFAULT_LOCATION_ID,
    DEMO_POS_INACTIVE_SKUS,
    DEMO_POS_LOCATION_IDS,
    DEMO_PRESETUP_ORDER_IDS,
    DEMO_PRICE_LIST_IDS,
    DEMO_UNTRACKED_SKU,
    DEMO_WEB_LOCATION_ID,
)
from sync.domain import NewPosOrder, NewPosOrderLine
from tests.support.sapo import SapoPair, clients_for, place_web_order


def _now_floor() -> datetime:
    # Sapo timestamps have whole seconds; a filter with microseconds would skip this second.
    return datetime.now(UTC).replace(microsecond=0)


def edit_web_order_note(sb: Sandbox, order_id: int, note: str) -> None:
    """Staff edit an order's note in the web admin: its modified_on moves, created_on stays."""
    with httpx.Client(
        base_url=sb.web_url, auth=(sb.api_key, sb.api_secret), trust_env=False, timeout=10.0
    ) as http:
        body = {"order": {"id": order_id, "note": note}}
        http.put(f"/admin/orders/{order_id}.json", json=body).raise_for_status()


def test_pos_reference_data(sapo: SapoPair) -> None:
    """Branches, price lists and order sources read as typed records (R4, R18)."""
    assert [loc.id for loc in sapo.pos.locations()] == list(DEMO_POS_LOCATION_IDS)
    codes = {p.code: p.id for p in sapo.pos.price_lists()}
    assert codes == DEMO_PRICE_LIST_IDS
    assert sapo.pos.web_order_source().name == "Web"


def test_pos_catalog_full_read_matches_count(sapo: SapoPair) -> None:
    """A full POS read returns every product with prices per list and stock per branch (R8)."""
    products = list(sapo.pos.products())
    assert len(products) == sapo.pos.count_products() == 35
    variants = [v for p in products for v in p.variants]
    assert all(DEMO_PRICE_LIST_IDS["BANLE"] in v.prices for v in variants)
    assert all(
        {i.location_id for i in v.inventories} == set(DEMO_POS_LOCATION_IDS) for v in variants
    )
    stopped = {v.sku for p in products for v in p.variants if p.status == "inactive"}
    assert set(DEMO_POS_INACTIVE_SKUS) <= stopped
    with sapo.sb.state.lock:
        truth = {v.sku: v.stock for v in sapo.sb.state.pos.variants.values()}
    some = variants[0]
    assert some.available_at(frozenset({DEMO_POS_DEFAULT_LOCATION_ID})) == Decimal(
        str(truth[some.sku][DEMO_POS_DEFAULT_LOCATION_ID].available)
    )


def test_web_catalog_full_read_matches_count(sapo: SapoPair) -> None:
    """A full web read shows the planted problems: untracked, negative, hidden (R1, R12)."""
    products = list(sapo.web.products())
    assert len(products) == sapo.web.count_products() == 36
    by_sku = {v.sku: (p, v) for p in products for v in p.variants if v.sku}
    assert not by_sku[DEMO_UNTRACKED_SKU][1].tracked
    assert by_sku[DEMO_NEGATIVE_SKU][1].inventory_quantity == Decimal(DEMO_NEGATIVE_QUANTITY)
    assert all(not by_sku[sku][0].published for sku in DEMO_HIDDEN_WEB_SKUS)
    assert [loc.id for loc in sapo.web.locations()] == [DEMO_WEB_LOCATION_ID]


def test_web_orders_are_read_per_status(sapo: SapoPair) -> None:
    """Open, closed and cancelled orders are read with one request per status (R5, R17)."""
    sapo.sb.reset_stats()
    orders = list(sapo.web.orders())
    assert sorted(o.id for o in orders) == sorted(DEMO_PRESETUP_ORDER_IDS)
    assert {o.status for o in orders} == {"open", "closed", "cancelled"}
    assert sapo.sb.stats()["requests"]["web GET /admin/orders.json"] == 3
    assert sapo.web.count_orders(status="open") == sum(o.status == "open" for o in orders)


def test_single_order_and_missing_records(sapo: SapoPair) -> None:
    """A single order comes with its lines; unknown ids read as None, not as errors (R17)."""
    order = sapo.web.order(DEMO_PRESETUP_ORDER_IDS[0])
    assert order is not None and order.line_items
    assert sapo.web.order(999) is None
    assert sapo.web.product(999) is None
    assert sapo.pos.product(999) is None
    assert sapo.pos.order(999) is None


def test_incremental_reads_return_only_changes(sapo: SapoPair) -> None:
    """modified_on_min / created_on_min give only what changed since the cursor (R7, R8, R17)."""
    since = _now_floor()
    pos_product = next(iter(sapo.pos.products()))
    sku = pos_product.variants[0].sku
    assert sku is not None
    sapo.sb.set_pos_inventory(sku, DEMO_POS_DEFAULT_LOCATION_ID, 77)
    changed = list(sapo.pos.products(modified_since=since))
    assert [p.id for p in changed] == [pos_product.id]
    assert list(sapo.pos.products(modified_since=since + timedelta(days=1))) == []

    web_variant = next(iter(sapo.web.products())).variants[0]
    placed = place_web_order(sapo.sb, [(web_variant.id, 1)])
    assert [o.id for o in sapo.web.orders(created_since=since)] == [placed["id"]]
    assert [p.id for p in sapo.web.products(modified_since=since)] == []
    assert sapo.web.count_products(modified_since=since) == 0

    # An older order edited after the cursor comes by modified_since, not by created_since.
    edited = DEMO_PRESETUP_ORDER_IDS[0]
    edit_web_order_note(sapo.sb, edited, "Gọi trước khi giao")
    assert sorted(o.id for o in sapo.web.orders(modified_since=since)) == sorted(
        [placed["id"], edited]
    )
    assert [o.id for o in sapo.web.orders(created_since=since)] == [placed["id"]]
    assert list(sapo.web.orders(modified_since=since + timedelta(days=1))) == []

    # Finding a POS order by reference after a crash looks only at orders made since the cursor.
    new = NewPosOrder(
        reference_number="#1098",
        location_id=DEMO_POS_DEFAULT_LOCATION_ID,
        price_list_id=DEMO_PRICE_LIST_IDS["BANLE"],
        source_id=sapo.pos.web_order_source().id,
        lines=(
            NewPosOrderLine(variant_id=pos_product.variants[0].id, quantity=Decimal(1), price=1),
        ),
    )
    created = sapo.pos.create_order(new)
    assert sapo.pos.find_order_by_reference("#1098", created_since=since) == created
    later = since + timedelta(days=1)
    assert sapo.pos.find_order_by_reference("#1098", created_since=later) is None


def test_paging_across_several_pages_on_both_apis() -> None:
    """600 products per side come in 3 pages of 250 on each API, none lost or doubled."""
    with Sandbox("bench:4800") as sb:  # 2400 variants, 600 products per side
        pos, web = clients_for(sb)
        with pos, web:
            sb.reset_stats()
            pos_ids = [p.id for p in pos.products()]
            web_ids = [p.id for p in web.products()]
            requests = sb.stats()["requests"]
            assert len(pos_ids) == len(set(pos_ids)) == pos.count_products() == 600
            assert len(web_ids) == len(set(web_ids)) == web.count_products() == 600
            assert requests["pos GET /admin/products.json"] == 3
            assert requests["web GET /admin/products.json"] == 3
            pages = [len(page) for page in web.product_pages(since_id=0)]
            assert pages == [250, 250, 100]


def test_budget_follows_the_call_limit_header(sapo: SapoPair) -> None:
    """After a few calls the budget shows Sapo's used/limit (the bot shows it)."""
    for _ in range(3):
        sapo.web.locations()
    assert sapo.web.budget.limit == 40
    assert 1 <= sapo.web.budget.used <= 3
