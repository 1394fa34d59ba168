"""The scripted staff actions the demo uses really change the stores through their APIs."""

from __future__ import annotations

from sandbox import Sandbox
from sandbox.seeds import DEMO_DUPLICATE_SKU, DEMO_NEGATIVE_SKU, DEMO_UNTRACKED_SKU
from sandbox.tour import ShopStaff


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
