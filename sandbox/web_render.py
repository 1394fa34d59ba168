"""JSON shapes of the fake Sapo Web API (sheet §2 and §8.1-8.2)."""

from __future__ import annotations

from sandbox.common import Json, money, num
from sandbox.models import WebData, WebLevel, WebProduct, WebVariant


def variant_title(variant: WebVariant) -> str:
    """`Đỏ / S` style title, `Default Title` without options (sheet §2.2)."""
    values = [v for v in (variant.option1, variant.option2, variant.option3) if v]
    return " / ".join(values) if values else "Default Title"


def inventory_quantity(web: WebData, variant: WebVariant) -> float:
    """Sellable quantity summed over the store's locations (sheet §2.2)."""
    return sum(level.available for lid, level in variant.levels.items() if lid in web.locations)


def render_variant(web: WebData, variant: WebVariant, position: int = 1) -> Json:
    """One variant as GET /admin/variants/{id}.json shows it."""
    return {
        "id": variant.id,
        "product_id": variant.product_id,
        "inventory_item_id": variant.inventory_item_id,
        "title": variant_title(variant),
        "option1": variant.option1,
        "option2": variant.option2,
        "option3": variant.option3,
        "sku": variant.sku,
        "barcode": variant.barcode,
        "price": money(variant.price),
        "compare_at_price": money(variant.compare_at_price),
        "inventory_management": variant.inventory_management,
        "inventory_policy": variant.inventory_policy,
        "inventory_quantity": num(inventory_quantity(web, variant)),
        "lot_management": False,
        "taxable": variant.taxable,
        "requires_shipping": variant.requires_shipping,
        "weight": float(variant.grams),
        "weight_unit": "g",
        "grams": variant.grams,
        "unit": variant.unit,
        "image_id": variant.image_id,
        "position": position,
        "type": "normal",
        "requires_components": False,
        "created_on": variant.created_on,
        "modified_on": variant.modified_on,
    }


def option_values(web: WebData, product: WebProduct, index: int) -> list[str]:
    """Distinct values of option `index` (0-based) over the product's variants, in order."""
    seen: dict[str, None] = {}
    for vid in product.variant_ids:
        variant = web.variants[vid]
        value = (variant.option1, variant.option2, variant.option3)[index]
        if value:
            seen[value] = None
    return list(seen)


def render_product(web: WebData, product: WebProduct) -> Json:
    """One product with its variants, options and images (sheet §2.1, §8.1)."""
    variants = [
        render_variant(web, web.variants[vid], pos)
        for pos, vid in enumerate(product.variant_ids, start=1)
    ]
    options = [
        {
            "id": option.id,
            "product_id": product.id,
            "name": option.name,
            "position": pos,
            "values": option_values(web, product, pos - 1) or ["Default Title"],
            "created_on": option.created_on,
            "modified_on": option.modified_on,
        }
        for pos, option in enumerate(product.options, start=1)
    ]
    return {
        "id": product.id,
        "name": product.name,
        "alias": product.alias,
        "vendor": product.vendor,
        "product_type": product.product_type,
        "meta_title": None,
        "meta_description": None,
        "summary": product.summary,
        "published_on": product.published_on,
        "template_layout": None,
        "created_on": product.created_on,
        "modified_on": product.modified_on,
        "content": product.content,
        "tags": product.tags,
        "status": product.status,
        "type": "normal",
        "images": list(product.images),
        "image": product.images[0] if product.images else None,
        "variants": variants,
        "options": options,
        "vat_pit_category_code": None,
    }


def render_level(web: WebData, variant: WebVariant, location_id: int, level: WebLevel) -> Json:
    """One inventory level; this resource says `created_at`/`updated_at` (sheet §2.6)."""
    return {
        "id": level.id,
        "variant_id": variant.id,
        "store_id": web.store["id"],
        "inventory_item_id": variant.inventory_item_id,
        "location_id": location_id,
        "on_hand": float(level.on_hand),
        "available": float(level.available),
        "committed": float(level.committed),
        "incoming": 0.0,
        "incoming_owned": 0.0,
        "incoming_not_owned": 0.0,
        "packed": 0.0,
        "reserved": 0.0,
        "unavailable": 0.0,
        "created_at": level.created_at,
        "updated_at": level.updated_at,
    }


def render_item(variant: WebVariant) -> Json:
    """An inventory item: the sheet's labelled default fields (§2.5, §9 SHOPIFY-ASSUMPTION)."""
    return {
        "id": variant.inventory_item_id,
        "sku": variant.sku,
        "tracked": variant.inventory_management == "bizweb",
        "cost": None,
        "created_on": variant.created_on,
        "modified_on": variant.modified_on,
    }
