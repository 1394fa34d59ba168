"""The scripted staff actions the demo uses really change the stores through their APIs."""

from __future__ import annotations

from sandbox import Sandbox
from sandbox.seeds import (
    DEMO_DUPLICATE_SKU,
    DEMO_NEGATIVE_SKU,
    DEMO_POS_LOCATION_IDS,
    DEMO_UNTRACKED_SKU,
)
from sandbox.tour import FIXED_BLANK_SKU, FIXED_DUPLICATE_SKU, WEB_ONLY_AFTER_FIXES, ShopStaff


def test_fixes_clear_every_planted_preflight_problem() -> None:
    """After the fixes no web SKU is blank or doubled, KTV is tracked and no stock is negative."""
    with Sandbox(seed="demo") as sb, ShopStaff(sb.base_url, sb.api_key, sb.api_secret) as staff:
        fixes = staff.fix_demo_preflight_problems()
        assert len(fixes) == 4
        skus = [v.sku for v in sb.state.web.variants.values()]
        assert "" not in skus
        assert None not in skus
        assert skus.count(DEMO_DUPLICATE_SKU) == 1
        assert staff.web_variant_by_sku(DEMO_UNTRACKED_SKU)["inventory_management"] == "bizweb"
        assert staff.web_variant_by_sku(DEMO_NEGATIVE_SKU)["inventory_quantity"] >= 0


def test_a_web_order_takes_web_stock() -> None:
    """An order placed by a shopper lowers the web variant's sellable quantity."""
    with Sandbox(seed="demo") as sb, ShopStaff(sb.base_url, sb.api_key, sb.api_secret) as staff:
        before = staff.web_variant_by_sku("VTB")["inventory_quantity"]
        order = staff.place_web_order(
            "VTB",
            1,
            phone="0909000111",
            email="lan@example.com",
            last_name="Nguyễn",
            first_name="Lan",
        )
        assert order["customer"]["first_name"] == "Lan"
        assert staff.web_variant_by_sku("VTB")["inventory_quantity"] == before - 1


def test_a_counter_sale_is_a_pos_order_that_takes_the_branch_stock() -> None:
    """Selling at a branch creates a finalized POS order and lowers that branch's available."""
    with Sandbox(seed="demo") as sb, ShopStaff(sb.base_url, sb.api_key, sb.api_secret) as staff:
        branch_id, other = DEMO_POS_LOCATION_IDS[1], DEMO_POS_LOCATION_IDS[0]
        before = staff.pos_variant_by_sku("KMR")
        at = {i["location_id"]: i["available"] for i in before["inventories"]}
        sale = staff.sell_at_pos("KMR", 2, branch_id)
        assert sale.branch == sb.state.pos.locations[branch_id]["name"]
        (order,) = sb.state.pos.orders.values()
        assert order["code"] == sale.code
        assert order["status"] == "finalized"
        assert order["location_id"] == branch_id
        after = staff.pos_variant_by_sku("KMR")
        now = {i["location_id"]: i["available"] for i in after["inventories"]}
        assert now[branch_id] == at[branch_id] - 2
        assert now[other] == at[other]


def test_the_fixes_leave_exactly_the_listed_skus_on_the_web_only() -> None:
    """WEB_ONLY_AFTER_FIXES names every web SKU without a POS twin once the fixes are made."""
    with Sandbox(seed="demo") as sb, ShopStaff(sb.base_url, sb.api_key, sb.api_secret) as staff:
        staff.fix_demo_preflight_problems()
        pos = {v.sku for v in sb.state.pos.variants.values()}
        web_only = {v.sku for v in sb.state.web.variants.values() if v.sku not in pos}
        assert web_only == set(WEB_ONLY_AFTER_FIXES)
        assert FIXED_BLANK_SKU in web_only
        assert FIXED_DUPLICATE_SKU in web_only
