"""Changes to the web catalogue: products, variants, images and stock levels."""

from __future__ import annotations

from typing import Any

from sandbox.common import ApiError, Json, invalid, number, parse_time, slugify, text
from sandbox.models import IdGen, WebData, WebLevel, WebOption, WebProduct, WebVariant

MAX_VARIANTS = 100  # sheet §2.1
MAX_OPTIONS = 3
TRACKING_VALUES = ("bizweb", "")  # sheet §0.2: "bizweb" tracks, "" does not
POLICIES = ("deny", "continue")


def _unique_alias(web: WebData, wanted: str, skip: int | None = None) -> str:
    taken = {p.alias for p in web.products.values() if p.id != skip}
    alias, n = wanted, 1
    while alias in taken:
        n += 1
        alias = f"{wanted}-{n}"
    return alias


def _option_names(raw: Any) -> list[str]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise invalid("options", "must be a list")
    names = []
    for item in raw:
        name = item.get("name") if isinstance(item, dict) else item
        names.append(text(name, "options.name", required=True) or "")
    if len(names) > MAX_OPTIONS:
        raise invalid("options", f"can have at most {MAX_OPTIONS} entries")
    return names


def _variant_list(raw: Any) -> list[Json]:
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(v, dict) for v in raw):
        raise invalid("variants", "must be a list of objects")
    if len(raw) > MAX_VARIANTS:
        raise invalid("variants", f"can have at most {MAX_VARIANTS} entries")
    return raw


def _apply_variant_fields(variant: WebVariant, fields: Json) -> None:
    if "sku" in fields:
        variant.sku = text(fields["sku"], "sku")
    if "barcode" in fields:
        variant.barcode = text(fields["barcode"], "barcode")
    if fields.get("price") is not None:
        variant.price = number(fields["price"], "price")
    if "compare_at_price" in fields:
        raw = fields["compare_at_price"]
        variant.compare_at_price = None if raw is None else number(raw, "compare_at_price")
    for key in ("option1", "option2", "option3"):
        if key in fields:
            setattr(variant, key, text(fields[key], key))
    if "inventory_management" in fields:
        tracking = fields["inventory_management"] or ""
        if tracking not in TRACKING_VALUES:
            raise invalid("inventory_management", "must be 'bizweb' or ''")
        variant.inventory_management = tracking
    if "inventory_policy" in fields:
        if fields["inventory_policy"] not in POLICIES:
            raise invalid("inventory_policy", "must be 'deny' or 'continue'")
        variant.inventory_policy = fields["inventory_policy"]
    if fields.get("grams") is not None:
        variant.grams = int(number(fields["grams"], "grams"))
    for key in ("taxable", "requires_shipping"):
        if key in fields:
            setattr(variant, key, bool(fields[key]))


def new_variant(
    web: WebData, ids: IdGen, product: WebProduct, fields: Json, stamp: str
) -> WebVariant:
    """Create a variant with a level at every store location; `inventory_quantity` seeds stock.

    A variant created without `inventory_management` is tracked ("bizweb"): every example in
    the sheet is tracked and the default is [UNKNOWN] (sheet §2.2).
    """
    variant = WebVariant(
        id=ids.next("web_variant"),
        product_id=product.id,
        inventory_item_id=ids.next("web_item"),
        sku=None,
        barcode=None,
        price=0.0,
        compare_at_price=None,
        option1=None,
        option2=None,
        option3=None,
        inventory_management="bizweb",
        inventory_policy="deny",
        levels={},
        created_on=stamp,
        modified_on=stamp,
    )
    _apply_variant_fields(variant, fields)
    if not variant.option1 and [o.name for o in product.options] in ([], ["Title"]):
        variant.option1 = "Default Title"
    first = web.first_location_id()
    for location_id in web.locations:
        on_hand = 0.0
        if location_id == first and fields.get("inventory_quantity") is not None:
            on_hand = number(fields["inventory_quantity"], "inventory_quantity")
        variant.levels[location_id] = WebLevel(ids.next("web_level"), on_hand, 0.0, stamp, stamp)
    _check_unique_options(web, product, variant)
    web.add_variant(variant)
    product.variant_ids.append(variant.id)
    return variant


def _check_unique_options(web: WebData, product: WebProduct, variant: WebVariant) -> None:
    mine = (variant.option1, variant.option2, variant.option3)
    for vid in product.variant_ids:
        other = web.variants[vid]
        if other.id != variant.id and (other.option1, other.option2, other.option3) == mine:
            title = " / ".join(v for v in mine if v)
            raise invalid("base", f"The variant '{title}' already exists.")


def create_product(web: WebData, ids: IdGen, body: Json, stamp: str) -> WebProduct:
    """POST /admin/products.json: product, options and variants; omitted `published_on` = now."""
    name = text(body.get("name"), "name", required=True) or ""
    variants = _variant_list(body.get("variants"))
    names = _option_names(body.get("options"))
    if not names and any(v.get("option1") for v in variants):
        names = ["Title"]
    product = WebProduct(
        id=ids.next("web_product"),
        name=name,
        alias=_unique_alias(web, slugify(text(body.get("alias"), "alias") or name)),
        options=[WebOption(ids.next("web_option"), n, stamp, stamp) for n in names],
        variant_ids=[],
        created_on=stamp,
        modified_on=stamp,
        published_on=stamp,
    )
    _apply_product_fields(product, body)
    if not product.options:
        product.options = [WebOption(ids.next("web_option"), "Title", stamp, stamp)]
    try:
        for fields in variants or [{}]:
            new_variant(web, ids, product, fields, stamp)
        for image in body.get("images") or []:
            add_image(ids, product, image if isinstance(image, dict) else {}, stamp)
    except ApiError:
        for vid in product.variant_ids:
            web.drop_variant(vid)
        raise
    web.products[product.id] = product
    return product


def _apply_product_fields(product: WebProduct, body: Json) -> None:
    for key in ("vendor", "product_type", "content", "summary"):
        if key in body:
            setattr(product, key, text(body[key], key))
    if "tags" in body:
        product.tags = text(body["tags"], "tags") or ""
    if "status" in body:
        product.status = text(body["status"], "status") or "active"
    if "published_on" in body:
        raw = body["published_on"]
        product.published_on = parse_time(str(raw), "published_on") if raw else None
    if body.get("published") is False:
        product.published_on = None


def update_product(web: WebData, ids: IdGen, product: WebProduct, body: Json, stamp: str) -> None:
    """PUT /admin/products/{id}.json: partial; `variants`/`options`/`images` arrays replace."""
    if "name" in body:
        product.name = text(body["name"], "name", required=True) or product.name
    if body.get("alias"):
        product.alias = _unique_alias(web, slugify(str(body["alias"])), skip=product.id)
    _apply_product_fields(product, body)
    if "options" in body:
        names = _option_names(body["options"]) or ["Title"]
        old = product.options
        product.options = [
            old[i]
            if i < len(old) and old[i].name == n
            else WebOption(ids.next("web_option"), n, stamp, stamp)
            for i, n in enumerate(names)
        ]
    if "variants" in body:
        _replace_variants(web, ids, product, _variant_list(body["variants"]), stamp)
    if "images" in body:
        product.images = []
        for image in body["images"] or []:
            add_image(ids, product, image if isinstance(image, dict) else {}, stamp)
    product.modified_on = stamp


def _replace_variants(
    web: WebData, ids: IdGen, product: WebProduct, wanted: list[Json], stamp: str
) -> None:
    keep = {f.get("id") for f in wanted if f.get("id") in product.variant_ids}
    for old in product.variant_ids:
        if old not in keep:
            web.drop_variant(old)
    product.variant_ids = [old for old in product.variant_ids if old in keep]
    order: list[int] = []
    for fields in wanted:
        vid = fields.get("id")
        if isinstance(vid, int) and vid in keep:
            update_variant(web, product, web.variants[vid], fields, stamp)
            order.append(vid)
        else:
            order.append(new_variant(web, ids, product, fields, stamp).id)
    product.variant_ids = order


def update_variant(
    web: WebData, product: WebProduct, variant: WebVariant, fields: Json, stamp: str
) -> None:
    """PUT /admin/variants/{id}.json; `inventory_quantity[_adjustment]` set first-location stock."""
    _apply_variant_fields(variant, fields)
    _check_unique_options(web, product, variant)
    level = variant.levels.get(web.first_location_id())
    if level is not None and fields.get("inventory_quantity_adjustment") is not None:
        level.on_hand += number(
            fields["inventory_quantity_adjustment"], "inventory_quantity_adjustment"
        )
        level.updated_at = stamp
    elif level is not None and fields.get("inventory_quantity") is not None:
        level.on_hand = number(fields["inventory_quantity"], "inventory_quantity") + level.committed
        level.updated_at = stamp
    variant.modified_on = stamp
    product.modified_on = stamp


def delete_product(web: WebData, product: WebProduct) -> None:
    """Remove a product with its variants."""
    for vid in product.variant_ids:
        web.drop_variant(vid)
    del web.products[product.id]


def add_image(ids: IdGen, product: WebProduct, fields: Json, stamp: str) -> Json:
    """Attach an image by `src` or `attachment`+`filename` (sheet §2.4); no bytes are kept."""
    filename = text(fields.get("filename"), "filename")
    src = text(fields.get("src"), "src")
    if not src and not fields.get("attachment"):
        raise invalid("src", "or attachment is required")
    if not filename:
        filename = (src or "image.jpg").rsplit("/", 1)[-1] or "image.jpg"
    image_id = ids.next("web_image")
    image = {
        "id": image_id,
        "product_id": product.id,
        "position": len(product.images) + 1,
        "variant_ids": [int(v) for v in fields.get("variant_ids") or []],
        "src": src or f"https://bizweb.dktcdn.net/100/000/001/products/{filename}",
        "alt": text(fields.get("alt"), "alt") or "",
        "filename": filename,
        "size": 0,
        "width": 800,
        "height": 800,
        "created_on": stamp,
        "modified_on": stamp,
    }
    product.images.append(image)
    return image


def set_available(
    web: WebData, variant: WebVariant, location_id: int, available: float, stamp: str
) -> WebLevel:
    """Set a level's available quantity; on-hand follows (available = on_hand - committed)."""
    if location_id not in web.locations:
        raise ApiError(404, "Not Found")
    if variant.inventory_management != "bizweb":
        # §9 SHOPIFY-ASSUMPTION: an untracked item's level cannot be set.
        raise invalid("inventory_item_id", "does not have inventory tracking enabled")
    level = variant.levels.get(location_id)
    if level is None:
        raise ApiError(404, "Not Found")
    level.on_hand = available + level.committed
    level.updated_at = stamp
    variant.modified_on = stamp
    product = web.products.get(variant.product_id)
    if product is not None:
        product.modified_on = stamp
    return level
