"""The catalog engine against the sandbox's demo shop over HTTP: preflight, first link, cycles."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from sandbox.seeds import (
    DEMO_BLANK_SKU_VARIANT_ID,
    DEMO_DUPLICATE_SKU,
    DEMO_NEGATIVE_SKU,
    DEMO_OPTION_MISMATCH_SKUS,
    DEMO_POS_DEFAULT_LOCATION_ID,
    DEMO_POS_LOCATION_IDS,
    DEMO_POS_ONLY_SKUS,
    DEMO_PRICE_LIST_IDS,
    DEMO_UNTRACKED_SKU,
    DEMO_WEB_ONLY_SKUS,
    DEMO_WEB_PRICE_DIFFERS_SKUS,
)
from storage import repo
from sync import reading
from sync.clock import FakeClock
from sync.config import ConfigChange, config_at, save_config
from sync.domain import LinkStatus
from sync.engine import CycleResult, first_link, run_cycle
from sync.errors import UserError
from sync.preflight import run_preflight
from sync.scheduler_jobs import JOB_CATALOG, JOB_FULL, default_jobs
from tests.e2e.catalog_shop import FIXED_BLANK_SKU, Shop, linked, sandbox, shop

__all__ = ["linked", "sandbox", "shop"]  # fixtures
DEFAULT = (DEMO_POS_DEFAULT_LOCATION_ID,)
BANLE, BANBUON = DEMO_PRICE_LIST_IDS["BANLE"], DEMO_PRICE_LIST_IDS["BANBUON"]


def test_preflight_finds_every_planted_problem_and_the_first_link_refuses(shop: Shop) -> None:
    """R1: blank, duplicate, untracked and negative web variants block; nothing is written."""
    report = run_preflight(shop.ctx)
    found = {
        (f.code, i.variant_id if f.code == "web_blank_sku" else i.sku)
        for f in report.blocking
        for i in f.items
    }
    assert ("web_blank_sku", DEMO_BLANK_SKU_VARIANT_ID) in found
    assert ("web_duplicate_sku", DEMO_DUPLICATE_SKU) in found
    assert ("web_untracked", DEMO_UNTRACKED_SKU) in found
    assert ("web_negative_stock", DEMO_NEGATIVE_SKU) in found
    assert len(report.blocking) == 4 and not report.ok
    mismatched = {i.sku for f in report.warnings for i in f.items if f.code.startswith("pair_")}
    assert mismatched == set(DEMO_OPTION_MISMATCH_SKUS)
    with pytest.raises(UserError, match="4 blocking"):
        first_link(shop.ctx, actor="U1")
    assert shop.writes() == {} and shop.links() == []
    with shop.db.session() as session:
        (waiting,) = repo.open_errors(session, connection_id=shop.ctx.connection_id)
        assert (waiting.code, waiting.subject) == ("first_link_blocked", "catalog")


def test_first_link_links_creates_and_publishes_branch_stock(shop: Shop) -> None:
    """R2, R3, R4, R6, R8, R12: after the fixes, pairs link, each side gets the other's
    one-sided products (hidden on web, cost flagged on POS) and web stock = branch sum."""
    with pytest.raises(UserError):
        first_link(shop.ctx, actor="U-setup")  # refused first: its error row must resolve
    shop.fix_planted_problems()
    assert run_preflight(shop.ctx).ok
    result = first_link(shop.ctx, actor="U-setup")
    assert result.applied and result.ok and result.first_link
    links = {row.sku: row for row in shop.links()}
    for sku in DEMO_POS_ONLY_SKUS:  # R3, R12: created on the web, hidden, no images
        product_id, variant_id, _ = shop.web_variant(sku)
        made = shop.web.product(product_id)
        assert made is not None and not made.published, sku
        with shop.sb.state.lock:
            assert shop.sb.state.web.products[product_id].images == []
            source = shop.sb.state.pos_variant_by_sku(sku)
            assert source is not None  # R18: priced from the configured list, BANLE by default
            assert shop.sb.state.web.variants[variant_id].price == source.prices[BANLE], sku
        assert links[sku].origin == "web_created" and links[sku].status == "linked"
    for sku in (*DEMO_WEB_ONLY_SKUS, FIXED_BLANK_SKU):  # R3, R6: created on POS, cost flagged
        row = links[sku]
        assert row.origin == "pos_created" and row.cost_review, sku
        pos = shop.pos.product(row.pos_product_id or 0)
        assert pos is not None
        variant = next(v for v in pos.variants if v.id == row.pos_variant_id)
        web_price = row.last_web_values["price"] if row.last_web_values else None
        assert variant.prices[DEMO_PRICE_LIST_IDS["GIANHAP"]] == web_price
        assert variant.prices[BANLE] == web_price
    for sku in DEMO_OPTION_MISMATCH_SKUS:  # R10: linked, in error, with the reason
        assert links[sku].status == "error" and "option" in (links[sku].reason or "")
    live = [row for row in links.values() if row.status == "linked"]
    assert len(live) > 80
    for row in live:  # R4, R8: web available = sum over the configured (default) branch
        assert shop.web_stock(row.sku) == shop.pos_available(row.sku, DEFAULT), row.sku
    for sku in DEMO_WEB_PRICE_DIFFERS_SKUS:  # R18: BANLE wins over the old web price
        _, vid, _ = shop.web_variant(sku)
        with shop.sb.state.lock:
            pos_variant = shop.sb.state.pos_variant_by_sku(sku)
            assert pos_variant is not None
            assert shop.sb.state.web.variants[vid].price == pos_variant.prices[BANLE]
    with shop.db.session() as session:
        setup = repo.get_setup(session, connection_id=shop.ctx.connection_id)
        assert setup is not None and setup.completed_by == "U-setup"  # R5 cut-over
        still_open = repo.open_errors(session, connection_id=shop.ctx.connection_id)
        assert {e.code for e in still_open} == {"structure_options"}  # only the APP pairs
    with pytest.raises(UserError, match="done already"):
        first_link(shop.ctx, actor="U-setup")


def test_second_cycle_with_no_change_makes_zero_writes(linked: Shop) -> None:
    """Echo/loop: our own writes read back equal, so the next cycles (incremental and full)
    make no write at all, counted by the sandbox."""
    again = linked.cycle()
    assert again.applied and again.writes == 0 and again.plan.writes == 0
    full = linked.cycle(full=True)
    assert full.full and full.writes == 0
    assert linked.writes() == {}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_full_pass_runs_once_full_interval_s_has_passed(linked: Shop) -> None:
    """Issue 5: cycles read incrementally until ``full_interval_s`` has passed since the last
    full read, then one reads both catalogues in full (counted first); the scheduler's full
    job always does."""
    cid = linked.ctx.connection_id
    with linked.db.session() as session:
        stamp = repo.get_cursor(session, connection_id=cid, resource=reading.FULL_AT)
        config = config_at(session, connection_id=cid, moment=linked.ctx.clock())
    assert stamp is not None and config is not None
    clock = FakeClock(datetime.fromisoformat(stamp) + timedelta(seconds=config.full_interval_s - 1))
    ctx = replace(linked.ctx, clock=clock)
    counted = "web GET /admin/products/count.json"
    early = run_cycle(ctx, actor="test")
    assert not early.full and not early.plan.full
    assert linked.sb.stats()["requests"].get(counted, 0) == 0
    clock.advance(1)
    due = run_cycle(ctx, actor="test")
    assert due.full and due.plan.full and due.ok and due.writes == 0
    assert linked.sb.stats()["requests"][counted] == 1
    assert not run_cycle(ctx, actor="test").full  # the full pass restarts the interval
    jobs = default_jobs()
    by_job = {name: jobs[name](ctx) for name in (JOB_CATALOG, JOB_FULL)}
    assert all(isinstance(r, CycleResult) for r in by_job.values())
    assert [getattr(by_job[n], "full", None) for n in (JOB_CATALOG, JOB_FULL)] == [False, True]


def test_pos_stock_change_reaches_the_web_in_the_next_cycle(linked: Shop) -> None:
    """R4, R8: a sale at the default branch changes web stock; other branches do not count."""
    sku = "ATCB-TRANG-M"
    linked.sb.set_pos_inventory(sku, DEMO_POS_DEFAULT_LOCATION_ID, 17)
    linked.sb.set_pos_inventory("ATCB-DEN-M", DEMO_POS_LOCATION_IDS[2], 40)  # not configured
    linked.sb.reset_stats()
    result = linked.cycle()
    assert not result.full and result.done.get("stock") == 1
    assert linked.web_stock(sku) == Decimal(17)
    assert linked.writes() == {"web PUT /admin/inventory_levels/set.json": 1}


def test_web_stock_edit_never_reaches_pos_and_is_overwritten(linked: Shop) -> None:
    """R8: someone types 99 on the web; the next cycle writes the POS figure back, POS untouched."""
    sku = "QKK-BE-31"
    expected = linked.pos_available(sku, DEFAULT)
    linked.set_web_stock(sku, 99)
    linked.sb.reset_stats()
    linked.cycle()
    assert linked.web_stock(sku) == expected
    assert linked.pos_available(sku, DEFAULT) == expected
    assert linked.writes() == {"web PUT /admin/inventory_levels/set.json": 1}


def test_price_list_change_applies_from_then_on(linked: Shop) -> None:
    """R18: switching the config to BANBUON rewrites web prices from that list, once."""
    with linked.db.session() as session:
        save_config(
            session,
            connection_id=linked.ctx.connection_id,
            change=ConfigChange(price_list_id=BANBUON),
            price_lists=linked.pos.price_lists(),
            locations=linked.pos.locations(),
            saved_by="U-admin",
            now=linked.ctx.clock(),
        )
        session.commit()
    with linked.sb.state.lock:
        wanted = {}
        for row in linked.links():
            variant = linked.sb.state.pos_variant_by_sku(row.sku)
            if row.status == "linked" and variant is not None and variant.prices.get(BANBUON):
                wanted[row.sku] = variant.prices[BANBUON]  # products made from web have none
    linked.sb.reset_stats()
    result = linked.cycle()
    assert result.ok and result.done.get("price") == len(wanted) > 60
    for sku, price in wanted.items():
        _, vid, _ = linked.web_variant(sku)
        with linked.sb.state.lock:
            assert linked.sb.state.web.variants[vid].price == price, sku
    unpriced = {p.subject for p in result.plan.problems if p.code == "no_price"}
    assert unpriced == {r.sku for r in linked.links() if r.status == "linked"} - wanted.keys()
    assert linked.cycle().writes == 0


def test_option_deleted_on_the_web_puts_links_in_error_and_writes_nothing(linked: Shop) -> None:
    """R10: the shop deletes the size option of a linked web product; its links go to error
    with the reason, and no stock or price is written for them, even after a POS sale."""
    product_id, _, _ = linked.web_variant("ATCB-TRANG-S")
    product = linked.web.product(product_id)
    assert product is not None
    keep = [v for v in product.variants if v.sku in ("ATCB-TRANG-S", "ATCB-DEN-S")]
    body = {
        "product": {
            "options": [{"name": "Màu sắc"}],
            "variants": [{"id": v.id, "option1": v.options[0], "option2": None} for v in keep],
        }
    }
    linked.admin.put(f"/admin/products/{product_id}.json", json=body).raise_for_status()
    linked.sb.set_pos_inventory("ATCB-TRANG-S", DEMO_POS_DEFAULT_LOCATION_ID, 3)
    xanh = {"sku": "ATCB-XANH-S", "opt1": "Xanh", "opt2": "S", "variant_retail_price": 99000}
    added = {"variant": xanh}
    path = f"/admin/products/{linked.link('ATCB-TRANG-S').pos_product_id}/variants.json"
    linked.pos_admin.post(path, json=added).raise_for_status()  # R7: not created, options differ
    linked.sb.reset_stats()
    result = linked.cycle()
    rows = {row.sku: row for row in linked.links() if row.sku.startswith("ATCB-")}
    assert {r.sku: r.reason_code for r in rows.values()} == {
        "ATCB-TRANG-S": "structure_options",
        "ATCB-DEN-S": "structure_options",
        **{s: "web_variant_deleted" for s in rows if s[-2:] != "-S"},
    }
    assert all(r.status == "error" for r in rows.values())
    assert linked.writes() == {}
    with linked.db.session() as session:
        open_codes = {
            (e.subject, e.code)
            for e in repo.open_errors(session, connection_id=linked.ctx.connection_id)
        }
    assert ("ATCB-TRANG-S", "structure_options") in open_codes
    assert ("ATCB-XANH-S", "new_variant_options") in open_codes
    assert not any(c.new.sku == "ATCB-XANH-S" for c in result.plan.creations if hasattr(c, "new"))


def test_pos_deletion_marks_pos_deleted_and_leaves_the_web_product(linked: Shop) -> None:
    """R11: a product deleted on POS breaks its links; the web product stays as it was."""
    row = linked.link("VDN")
    web_before = linked.web.product(row.web_product_id or 0)
    with linked.sb.state.lock:
        pos_product_id = linked.sb.state.pos.variants[row.pos_variant_id or 0].product_id
    linked.pos_admin.delete(f"/admin/products/{pos_product_id}.json").raise_for_status()
    linked.sb.reset_stats()
    linked.cycle(full=True)
    assert linked.link("VDN").status == LinkStatus.POS_DELETED.value
    assert linked.web.product(row.web_product_id or 0) == web_before
    assert linked.writes() == {}


def test_web_product_deleted_is_reported_not_recreated(linked: Shop) -> None:
    """A linked web product deleted by the shop becomes an error row and is not recreated."""
    product_id, _, _ = linked.web_variant("BLV")
    linked.admin.delete(f"/admin/products/{product_id}.json").raise_for_status()
    linked.sb.reset_stats()
    linked.cycle(full=True)
    assert linked.link("BLV").reason_code == "web_deleted"
    assert linked.writes() == {}
    with linked.db.session() as session:
        errors = repo.open_errors(session, connection_id=linked.ctx.connection_id)
        assert any((e.subject, e.code) == ("BLV", "web_deleted") for e in errors)


def test_blast_radius_guard_trips_on_an_empty_pos_read(linked: Shop) -> None:
    """Guard: when the POS catalogue reads back empty, the cycle records an error and writes
    nothing: no link is broken and no web stock goes to zero."""
    for product in list(linked.pos.products()):
        linked.pos_admin.delete(f"/admin/products/{product.id}.json").raise_for_status()
    linked.sb.reset_stats()
    result = linked.cycle(full=True)
    assert result.halted is not None and result.halted.code == "empty_read"
    assert linked.writes() == {}
    assert all(row.status != "pos_deleted" for row in linked.links())
    with linked.db.session() as session:
        errors = repo.open_errors(session, connection_id=linked.ctx.connection_id)
        assert any(e.code == "empty_read" and e.subject == "catalog" for e in errors)


def test_new_products_on_either_side_are_created_on_the_other(linked: Shop) -> None:
    """R7: after setup, a new POS product reaches the web hidden; a new web product reaches
    POS; a new variant of a linked POS product is added to its web product."""
    new = {"sku": "KL-1", "init_stock": 6, "variant_retail_price": 120000}
    pos_body = {"product": {"name": "Khăn len", "variants": [new]}}
    linked.pos_admin.post("/admin/products.json", json=pos_body).raise_for_status()
    web_body = {"product": {"name": "Nơ cài tóc", "variants": [{"sku": "NCT", "price": 45000}]}}
    linked.admin.post("/admin/products.json", json=web_body).raise_for_status()
    row = linked.link("ASMK-M")
    variant = {"variant": {"sku": "ASMK-XL", "opt1": "XL", "variant_retail_price": 289000}}
    path = f"/admin/products/{row.pos_product_id}/variants.json"
    linked.pos_admin.post(path, json=variant).raise_for_status()
    result = linked.cycle()
    assert result.ok, result.failures
    assert linked.link("KL-1").origin == "web_created"
    new_web, _, _ = linked.web_variant("KL-1")
    made = linked.web.product(new_web)
    assert made is not None and not made.published and made.variants[0].price == 120000
    assert linked.web_stock("KL-1") == 6
    assert linked.link("NCT").origin == "pos_created" and linked.link("NCT").cost_review
    added_to, _, _ = linked.web_variant("ASMK-XL")
    assert added_to == row.web_product_id
    assert linked.cycle().writes == 0


def test_a_variant_added_on_the_web_is_added_to_the_linked_pos_product(linked: Shop) -> None:
    """R7: a new web variant of a linked product is created on its POS twin and linked."""
    row = linked.link("ASMK-M")
    body = {"variant": {"sku": "ASMK-XXL", "option1": "XXL", "price": 289000}}
    path = f"/admin/products/{row.web_product_id}/variants.json"
    linked.admin.post(path, json=body).raise_for_status()
    result = linked.cycle()
    assert result.ok, result.failures
    added = linked.link("ASMK-XXL")
    assert added.status == "linked"
    assert added.pos_product_id == row.pos_product_id
    assert linked.cycle().writes == 0
