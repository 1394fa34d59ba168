"""Changes to the POS catalogue: products, variants, prices per price list, stock per branch."""

from __future__ import annotations

from typing import Any

from sandbox.common import ApiError, Json, invalid, number, text
from sandbox.models import IdGen, PosData, PosProduct, PosStock, PosVariant, sku_key

MAX_VARIANTS = 100  # sheet §3.1
STATUSES = ("active", "inactive")  # "inactive" = Ngừng giao dịch [INFERRED] (sheet §6.2)
# Convenience price fields mirroring the three built-in lists (sheet §3.3); the simple-product
# shortcut names of the 2018 doc (§3.1) map onto the same lists.
PRICE_FIELDS = {
    "variant_retail_price": "BANLE",
    "variant_whole_price": "BANBUON",
    "variant_import_price": "GIANHAP",
    "retail_price": "BANLE",
    "whole_sale_price": "BANBUON",
    "import_price": "GIANHAP",
    "initial_cost_price": "GIANHAP",
}


def _check_sku(pos: PosData, sku: str | None, own_id: int | None) -> None:
    key = sku_key(sku)
    if not key:
        return
    for variant in pos.variants.values():
        if variant.id != own_id and sku_key(variant.sku) == key:
            raise invalid("sku", f"Mã SKU {key} đã tồn tại")


def _apply_prices(pos: PosData, variant: PosVariant, fields: Json) -> None:
    for name, code in PRICE_FIELDS.items():
        if fields.get(name) is not None:
            variant.prices[pos.price_list_id(code)] = number(fields[name], name)
    raw = fields.get("variant_prices")
    if raw is None:
        return
    if not isinstance(raw, list):
        raise invalid("variant_prices", "must be a list")
    for entry in raw:
        list_id = entry.get("price_list_id") if isinstance(entry, dict) else None
        if list_id not in pos.price_lists:
            raise invalid("variant_prices", "price_list_id does not exist")
        variant.prices[list_id] = number(entry.get("value"), "variant_prices.value")


def _apply_variant_fields(pos: PosData, variant: PosVariant, fields: Json) -> None:
    if "sku" in fields:
        variant.sku = text(fields["sku"], "sku")
        _check_sku(pos, variant.sku, variant.id)
    if "barcode" in fields:
        variant.barcode = text(fields["barcode"], "barcode")
    for index, key in enumerate(("opt1", "opt2", "opt3"), start=1):
        for name in (key, f"option{index}"):  # web-style names are accepted too
            if name in fields:
                setattr(variant, key, text(fields[name], name))
    if "name" in fields:
        variant.name = text(fields["name"], "name", required=True) or variant.name
    if "status" in fields:
        if fields["status"] not in STATUSES:
            raise invalid("status", "must be active or inactive")
        variant.status = fields["status"]
    if "unit" in fields:
        variant.unit = text(fields["unit"], "unit")
    if fields.get("weight_value") is not None:
        variant.weight_value = number(fields["weight_value"], "weight_value")
    _apply_prices(pos, variant, fields)


def _initial_stock(pos: PosData, variant: PosVariant, fields: Json, location_id: int) -> None:
    if fields.get("init_stock") is not None:
        variant.stock[location_id] = PosStock(on_hand=number(fields["init_stock"], "init_stock"))
    for entry in fields.get("inventories") or []:
        lid = entry.get("location_id") if isinstance(entry, dict) else None
        if lid not in pos.locations:
            raise invalid("inventories", "location_id does not exist")
        variant.stock[lid] = PosStock(on_hand=number(entry.get("on_hand", 0), "on_hand"))


def default_name(product: PosProduct, variant: PosVariant) -> str:
    """`Áo thun - Đỏ - M` style variant name."""
    values = [v for v in (variant.opt1, variant.opt2, variant.opt3) if v]
    return " - ".join([product.name, *values])


def new_variant(
    pos: PosData, ids: IdGen, product: PosProduct, fields: Json, stamp: str, location_id: int
) -> PosVariant:
    """Create a variant; `init_stock` lands at `location_id`, `inventories` at their branches."""
    variant = PosVariant(
        id=ids.next("pos_variant"),
        product_id=product.id,
        sku=None,
        barcode=None,
        name=product.name,
        opt1=None,
        opt2=None,
        opt3=None,
        prices={},
        stock={},
        created_on=stamp,
        modified_on=stamp,
    )
    _apply_variant_fields(pos, variant, fields)
    if "name" not in fields:
        variant.name = default_name(product, variant)
    _initial_stock(pos, variant, fields, location_id)
    pos.variants[variant.id] = variant
    product.variant_ids.append(variant.id)
    return variant


def _option_names(product_body: Json) -> list[str] | None:
    raw = product_body.get("options")
    if isinstance(raw, list):
        names = [
            text(o.get("name") if isinstance(o, dict) else o, "options", required=True) for o in raw
        ]
        return [n for n in names if n]
    legacy = [product_body.get(k) for k in ("opt1", "opt2", "opt3")]
    if any(legacy):
        return [str(n) for n in legacy if n]
    return None


def _variant_list(raw: Any) -> list[Json]:
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(v, dict) for v in raw):
        raise invalid("variants", "must be a list of objects")
    if len(raw) > MAX_VARIANTS:
        raise invalid("variants", f"at most {MAX_VARIANTS} variants")
    return raw


def create_product(
    pos: PosData, ids: IdGen, body: Json, stamp: str, location_id: int
) -> PosProduct:
    """POST /admin/products: a product with variants, or a simple product from shortcut fields."""
    name = text(body.get("name"), "name", required=True) or ""
    variants = _variant_list(body.get("variants"))
    names = _option_names(body) or []
    if len(names) > 3:
        raise invalid("options", "at most 3 options")
    seen: set[str] = set()
    for fields in variants or [body]:
        key = sku_key(fields.get("sku"))
        if key and key in seen:
            raise invalid("sku", f"Mã SKU {key} bị trùng")
        seen.add(key)
        _check_sku(pos, key, None)
    product = PosProduct(
        id=ids.next("pos_product"),
        name=name,
        option_names=names,
        option_ids=[ids.next("pos_option") for _ in names],
        variant_ids=[],
        created_on=stamp,
        modified_on=stamp,
    )
    _apply_product_fields(product, body)
    keys = ("sku", "barcode", "init_stock", "unit", "inventories", *PRICE_FIELDS)
    try:
        for fields in variants or [{k: body[k] for k in keys if k in body}]:
            new_variant(pos, ids, product, fields, stamp, location_id)
    except ApiError:
        for vid in product.variant_ids:
            pos.variants.pop(vid, None)
        raise
    pos.products[product.id] = product
    return product


def _apply_product_fields(product: PosProduct, body: Json) -> None:
    for key in ("brand", "category", "description"):
        if key in body:
            setattr(product, key, text(body[key], key))
    if "tags" in body:
        raw = body["tags"]
        product.tags = ",".join(raw) if isinstance(raw, list) else (text(raw, "tags") or "")
    if "status" in body:
        if body["status"] not in STATUSES:
            raise invalid("status", "must be active or inactive")
        product.status = body["status"]


def update_product(
    pos: PosData, ids: IdGen, product: PosProduct, body: Json, stamp: str, location_id: int
) -> None:
    """PUT /admin/products/{id}: fields, option names, and variants by id (new ones created)."""
    if "name" in body:
        product.name = text(body["name"], "name", required=True) or product.name
    _apply_product_fields(product, body)
    names = _option_names(body)
    if names is not None:
        old = dict(zip(product.option_names, product.option_ids, strict=True))
        product.option_names = names[:3]
        product.option_ids = [old.get(n) or ids.next("pos_option") for n in product.option_names]
    for fields in _variant_list(body.get("variants")):
        vid = fields.get("id")
        if vid is None:
            new_variant(pos, ids, product, fields, stamp, location_id)
        elif vid in product.variant_ids:
            update_variant(pos, pos.variants[vid], fields, stamp)
        else:
            raise invalid("variants", f"variant {vid} does not belong to this product")
    product.modified_on = stamp
    for vid in product.variant_ids:
        pos.variants[vid].modified_on = stamp


def update_variant(pos: PosData, variant: PosVariant, fields: Json, stamp: str) -> None:
    """PUT /admin/products/{pid}/variants/{vid}: names, options, prices; stock is not writable."""
    _apply_variant_fields(pos, variant, fields)
    variant.modified_on = stamp
    product = pos.products.get(variant.product_id)
    if product is not None:
        product.modified_on = stamp


def delete_variant(pos: PosData, product: PosProduct, variant: PosVariant, stamp: str) -> None:
    """Remove a variant from its product."""
    product.variant_ids.remove(variant.id)
    del pos.variants[variant.id]
    product.modified_on = stamp


def delete_product(pos: PosData, product: PosProduct) -> None:
    """Remove a product with its variants and options (sheet §3.1)."""
    for vid in product.variant_ids:
        pos.variants.pop(vid, None)
    del pos.products[product.id]


def find_variant(pos: PosData, product: PosProduct, variant_id: int) -> PosVariant:
    """A variant of a product or 404."""
    if variant_id not in product.variant_ids:
        raise ApiError(404, "Không tìm thấy đối tượng")
    return pos.variants[variant_id]


def set_on_hand(variant: PosVariant, location_id: int, on_hand: float, stamp: str) -> PosStock:
    """A counted or sold quantity at a branch; available follows as on_hand - committed."""
    stock = variant.stock.get(location_id)
    if stock is None:
        stock = variant.stock[location_id] = PosStock()
    stock.on_hand = on_hand
    variant.modified_on = stamp
    return stock
