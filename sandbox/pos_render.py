"""JSON shapes of the fake Sapo core POS API (sheet §3 and §8.6)."""

from __future__ import annotations

from sandbox.common import Json, num
from sandbox.models import PosData, PosProduct, PosStock, PosVariant

_EMPTY = PosStock()


def _price_of(pos: PosData, variant: PosVariant, code: str) -> int | float:
    return num(variant.prices.get(pos.price_list_id(code), 0.0))


def render_inventory(pos: PosData, variant: PosVariant, location_id: int) -> Json:
    """Stock of a variant at one branch (sheet §3.2)."""
    stock = variant.stock.get(location_id, _EMPTY)
    return {
        "location_id": location_id,
        "variant_id": variant.id,
        "on_hand": num(stock.on_hand),
        "available": num(stock.available),
        "committed": num(stock.committed),
        "incoming": num(stock.incoming),
        "onway": 0,
        "mac": _price_of(pos, variant, "GIANHAP"),
        "amount": num(stock.on_hand),
        "reorder_point": 0,
        "min_value": 0,
        "max_value": 0,
        "bin_location": None,
        "name": pos.locations[location_id]["name"],
    }


def render_variant(pos: PosData, variant: PosVariant) -> Json:
    """One variant with `variant_prices[]` per price list and `inventories[]` per branch."""
    product = pos.products.get(variant.product_id)
    prices = [
        {
            "id": variant.id * 10 + index,
            "value": num(variant.prices.get(list_id, 0.0)),
            "included_tax_price": num(variant.prices.get(list_id, 0.0)),
            "name": plist["name"],
            "price_list_id": list_id,
            "price_list": plist,
        }
        for index, (list_id, plist) in enumerate(pos.price_lists.items())
    ]
    inventories = [render_inventory(pos, variant, lid) for lid in pos.locations]
    stocks = [variant.stock.get(lid, _EMPTY) for lid in pos.locations]
    return {
        "id": variant.id,
        "tenant_id": pos.tenant["id"],
        "location_id": None,
        "product_id": variant.product_id,
        "category_id": None,
        "brand_id": None,
        "name": variant.name,
        "product_name": product.name if product else None,
        "sku": variant.sku,
        "barcode": variant.barcode,
        "opt1": variant.opt1,
        "opt2": variant.opt2,
        "opt3": variant.opt3,
        "status": variant.status,
        "product_status": product.status if product else None,
        "sellable": variant.status == "active",
        "keep_selling": False,
        "online_ordering": False,
        "composite": False,
        "packsize": False,
        "packsize_quantity": None,
        "packsize_root_id": None,
        "unit": variant.unit,
        "taxable": False,
        "weight_value": num(variant.weight_value),
        "weight_unit": variant.weight_unit,
        "variant_retail_price": _price_of(pos, variant, "BANLE"),
        "variant_whole_price": _price_of(pos, variant, "BANBUON"),
        "variant_import_price": _price_of(pos, variant, "GIANHAP"),
        "init_price": 0,
        "init_stock": 0,
        # Totals over all branches; per-branch figures are in `inventories`.
        "stock_on_hand": num(sum(s.on_hand for s in stocks)),
        "available": num(sum(s.available for s in stocks)),
        "committed_stock": num(sum(s.committed for s in stocks)),
        "incoming_stock": num(sum(s.incoming for s in stocks)),
        "image_id": None,
        "image_ids": [],
        "images": [],
        "variant_prices": prices,
        "inventories": inventories,
        "created_on": variant.created_on,
        "modified_on": variant.modified_on,
    }


def render_product(pos: PosData, product: PosProduct) -> Json:
    """One product with its variants; `opt1..3` carry the option names (sheet §3.1)."""
    names = [*product.option_names, None, None, None]
    variants = [render_variant(pos, pos.variants[vid]) for vid in product.variant_ids]
    return {
        "id": product.id,
        "tenant_id": pos.tenant["id"],
        "name": product.name,
        "brand": product.brand,
        "brand_id": None,
        "category": product.category,
        "category_id": None,
        "category_code": None,
        "description": product.description,
        "tags": product.tags,
        "status": product.status,
        "product_type": "normal",
        "opt1": names[0],
        "opt2": names[1],
        "opt3": names[2],
        "options": [
            {"id": oid, "name": name, "position": pos_}
            for pos_, (oid, name) in enumerate(
                zip(product.option_ids, product.option_names, strict=True), start=1
            )
        ],
        "image_path": None,
        "image_name": None,
        "images": [],
        "supplier_ids": [],
        "supplier_id": None,
        "quantity": sum(v["stock_on_hand"] for v in variants),
        "available": sum(v["available"] for v in variants),
        "variant_ids": list(product.variant_ids),
        "variants": variants,
        "created_on": product.created_on,
        "modified_on": product.modified_on,
    }
