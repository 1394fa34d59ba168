"""The `bench:N` seed: N variants split over both sides, built directly for speed."""

from __future__ import annotations

from datetime import datetime

from sandbox.models import (
    IdGen,
    PosData,
    PosProduct,
    PosStock,
    PosVariant,
    WebData,
    WebLevel,
    WebOption,
    WebProduct,
    WebVariant,
)
from sandbox.seed_base import stamp

SIZES = ("S", "M", "L", "XL")  # every bench product has up to four sizes
SHARED_SHARE = 0.7  # share of web SKUs that also exist on POS


def bench_skus(total: int) -> tuple[list[str], list[str]]:
    """POS SKUs and web SKUs of `bench:total`: half each, 70% of web SKUs also on POS."""
    web_count = total // 2
    pos_count = total - web_count
    shared = int(web_count * SHARED_SHARE)
    pos_skus = [f"BP{i:07d}" for i in range(pos_count)]
    web_skus = pos_skus[:shared] + [f"BW{j:07d}" for j in range(shared, web_count)]
    return pos_skus, web_skus


def build_bench(pos: PosData, web: WebData, ids: IdGen, now: datetime, total: int) -> None:
    """Fill both accounts with `total` variants, four per product."""
    pos_skus, web_skus = bench_skus(total)
    made = stamp(now, 30)
    _build_pos(pos, ids, pos_skus, made)
    _build_web(web, ids, web_skus, made)


def _build_pos(pos: PosData, ids: IdGen, skus: list[str], made: str) -> None:
    banle, banbuon, gianhap = (pos.price_list_id(c) for c in ("BANLE", "BANBUON", "GIANHAP"))
    branches = list(pos.locations)
    first_variant = ids.reserve("pos_variant", len(skus))
    product: PosProduct | None = None
    for i, sku in enumerate(skus):
        if i % len(SIZES) == 0:
            product = PosProduct(
                id=ids.next("pos_product"),
                name=f"Sản phẩm thử {i // len(SIZES):06d}",
                option_names=["Kích thước"],
                option_ids=[ids.next("pos_option")],
                variant_ids=[],
                created_on=made,
                modified_on=made,
            )
            pos.products[product.id] = product
        assert product is not None
        size = SIZES[i % len(SIZES)]
        retail = 50000.0 + (i % 200) * 1000
        stock = {branches[0]: PosStock(on_hand=float(i % 40))}
        if i % 3 == 0:
            stock[branches[-1]] = PosStock(on_hand=float(i % 7))
        variant = PosVariant(
            id=first_variant + i,
            product_id=product.id,
            sku=sku,
            barcode=None,
            name=f"{product.name} - {size}",
            opt1=size,
            opt2=None,
            opt3=None,
            prices={banle: retail, banbuon: retail * 0.9, gianhap: retail * 0.5},
            stock=stock,
            created_on=made,
            modified_on=made,
        )
        pos.variants[variant.id] = variant
        product.variant_ids.append(variant.id)


def _build_web(web: WebData, ids: IdGen, skus: list[str], made: str) -> None:
    location = web.first_location_id()
    first_variant = ids.reserve("web_variant", len(skus))
    first_item = ids.reserve("web_item", len(skus))
    first_level = ids.reserve("web_level", len(skus))
    product: WebProduct | None = None
    for j, sku in enumerate(skus):
        if j % len(SIZES) == 0:
            pid = ids.next("web_product")
            product = WebProduct(
                id=pid,
                name=f"Sản phẩm web {j // len(SIZES):06d}",
                alias=f"san-pham-web-{pid}",
                options=[WebOption(ids.next("web_option"), "Kích thước", made, made)],
                variant_ids=[],
                created_on=made,
                modified_on=made,
                published_on=made,
            )
            web.products[pid] = product
        assert product is not None
        variant = WebVariant(
            id=first_variant + j,
            product_id=product.id,
            inventory_item_id=first_item + j,
            sku=sku,
            barcode=None,
            price=50000.0 + (j % 200) * 1000,
            compare_at_price=None,
            option1=SIZES[j % len(SIZES)],
            option2=None,
            option3=None,
            inventory_management="bizweb",
            inventory_policy="deny",
            levels={location: WebLevel(first_level + j, float((j * 7) % 30), 0.0, made, made)},
            created_on=made,
            modified_on=made,
        )
        web.add_variant(variant)
        product.variant_ids.append(variant.id)
