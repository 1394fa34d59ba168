"""Parsing of recorded Sapo Web payloads (fact sheet §8) into domain records, odd forms included."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from sync.clients import parse_web
from sync.clients.parse_common import PayloadError, money, quantity, timestamp

PAYLOADS = Path(__file__).parent / "payloads"


def load(name: str) -> Any:
    return json.loads((PAYLOADS / name).read_text(encoding="utf-8"))


def test_product_with_two_variants_reads_every_field_the_sync_uses() -> None:
    """A §8.1 product gives SKUs, int prices, option names and inventory item ids (R2, R8)."""
    product = parse_web.product(load("web_product_two_variants.json")["product"])
    assert product.id == 51230011
    assert product.name == "Áo thun cotton basic"
    assert product.option_names == ("Kích thước",)
    assert product.published and product.published_on == datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
    m, size_l = product.variants
    assert (m.id, m.inventory_item_id, m.sku, m.price) == (160000101, 160000099, "ATB-M", 199000)
    assert m.options == ("M", None, None)
    assert m.compare_at_price == 249000
    assert m.tracked and m.inventory_quantity == Decimal(12)
    assert size_l.inventory_quantity == 0 and size_l.product_id == product.id


def test_odd_forms_string_money_untracked_decimal_stock_and_default_title() -> None:
    """String money, "" tracking, decimal stock and the Default Title placeholder parse (R1)."""
    product = parse_web.product(load("web_product_odd_forms.json")["product"])
    (variant,) = product.variants
    assert variant.price == 185000 and isinstance(variant.price, int)
    assert variant.compare_at_price == 0
    assert variant.inventory_management == "" and not variant.tracked
    assert variant.inventory_quantity == Decimal("12.5")
    assert variant.sku == "  TOL-500G "  # kept as sent: normalize_sku decides the match key
    assert variant.barcode is None
    # "Title"/"Default Title" is Sapo's way of saying "no options"; POS has none either (R10).
    assert product.option_names == () and variant.options == (None, None, None)
    assert not product.published
    assert product.created_on == datetime(2026, 3, 2, 8, 30, tzinfo=UTC)
    assert product.modified_on == datetime(2026, 3, 6, 3, 0, tzinfo=UTC)


def test_inventory_levels_keep_three_decimals() -> None:
    """Inventory levels read as Decimal with at most three decimals, on_hand and available (R8)."""
    levels = [
        parse_web.inventory_level(o) for o in load("web_inventory_levels.json")["inventory_levels"]
    ]
    assert [(lv.inventory_item_id, lv.location_id) for lv in levels] == [
        (160000099, 830001),
        (160000199, 830001),
    ]
    assert levels[0].available == Decimal(12) and levels[0].on_hand == Decimal(15)
    assert levels[1].available == Decimal("2.125") and levels[1].on_hand == Decimal("2.251")


@pytest.mark.parametrize("field", ["available", "on_hand"])
@pytest.mark.parametrize("absent", [None, "", "drop"])
def test_inventory_level_without_stock_is_an_error_not_zero(field: str, absent: Any) -> None:
    """A level whose available or on_hand is null, blank or missing is a PayloadError naming
    the level and field: read as 0 it would look sold out (R8)."""
    raw = load("web_inventory_levels.json")["inventory_levels"][0]
    if absent == "drop":
        raw.pop(field)
    else:
        raw[field] = absent
    with pytest.raises(PayloadError, match=f"inventory level 88000123 without {field}"):
        parse_web.inventory_level(raw)


def test_location() -> None:
    """A web location keeps id, name and its active flag (R4)."""
    location = parse_web.location(load("web_location.json")["location"])
    assert (location.id, location.name, location.active) == (830001, "Chi nhánh Cầu Giấy", True)


def test_order_with_two_lines_and_customer() -> None:
    """A §8.4 order gives its lines (variant, SKU, quantity, dong) and customer (R17, R20)."""
    order = parse_web.order(load("web_order_two_lines.json")["order"])
    assert (order.id, order.name, order.order_number) == (175000001, "#1042", 1042)
    assert order.total_price == 577000 and order.total_shipping_price == 30000
    assert order.created_on == datetime(2026, 3, 6, 3, 0, tzinfo=UTC)
    assert [(li.variant_id, li.sku, li.quantity, li.price) for li in order.line_items] == [
        (160000101, "ATB-M", Decimal(2), 199000),
        (160000555, "MU-01", Decimal(1), 149000),
    ]
    assert order.line_items[0].title == "Áo thun cotton basic - M"
    assert order.customer is not None and order.customer.phone == "0900000001"
    assert order.customer.full_name == "Nguyễn An"
    assert not order.cancelled


def test_single_order_read_without_line_items_is_detected() -> None:
    """An order read without line_items is flagged for a re-read, not taken as empty (R17)."""
    raw = load("web_order_without_line_items.json")["order"]
    assert not parse_web.has_line_items(raw)
    assert parse_web.has_line_items(load("web_order_two_lines.json")["order"])
    order = parse_web.order(raw)
    assert order.cancelled and order.total_price == 149000 and order.total_shipping_price == 0


@pytest.mark.parametrize(
    ("mutation", "message"),
    [
        (lambda p: p.pop("id"), "without id"),
        (lambda p: p["variants"][0].pop("id"), "without id"),
        (lambda p: p["variants"][0].update(inventory_item_id=None), "without inventory_item_id"),
        (lambda p: p["variants"][0].update(price="n/a"), "price is not a number"),
        (lambda p: p["variants"][0].update(id="abc"), "id='abc'"),
    ],
)
def test_missing_ids_and_prices_are_errors_not_zeros(mutation: Any, message: str) -> None:
    """A record without an id (or a price) raises PayloadError, never becomes 0 (R2, R8)."""
    raw = load("web_product_two_variants.json")["product"]
    mutation(raw)
    with pytest.raises(PayloadError, match=message):
        parse_web.product(raw)


def test_order_without_created_on_is_an_error() -> None:
    """The cut-over (R5) depends on created_on, so an order without it is refused."""
    raw = load("web_order_two_lines.json")["order"]
    raw.pop("created_on")
    with pytest.raises(PayloadError, match="created_on"):
        parse_web.order(raw)


def _drop(*keys: str) -> Any:
    def change(order: dict[str, Any]) -> None:
        for key in keys:
            order.pop(key, None)

    return change


IDENTITY = ("id", "name", "order_number", "token", "checkout_token", "cart_token")


@pytest.mark.parametrize(
    ("change", "key", "order_id", "name"),
    [
        pytest.param(_drop(), "id 175000001", 175000001, "#1042", id="id"),
        pytest.param(_drop("id"), "name #1042", None, "#1042", id="name"),
        pytest.param(_drop("id", "name"), "name #1042", None, "#1042", id="order_number"),
        pytest.param(
            _drop("id", "name", "order_number"),
            "token 0f5c1a9d2b7e4c1f8a6d3e2b1c0a9f87",
            None,
            None,
            id="token",
        ),
        pytest.param(_drop(*IDENTITY), "digest ", None, None, id="digest"),
    ],
)
def test_an_unparseable_order_is_described_under_a_stable_key(
    change: Any, key: str, order_id: int | None, name: str | None
) -> None:
    """An order that cannot be parsed keeps its id, name and times where readable, and a key
    from the id, else the name or number, else the token, else a digest (issue 10)."""
    raw = load("web_order_two_lines.json")["order"]
    raw["line_items"][0]["quantity"] = "hai"
    change(raw)
    with pytest.raises(PayloadError) as caught:
        parse_web.order(raw)
    record = parse_web.unreadable_order(raw, str(caught.value))
    assert record.key.startswith(key) and (record.id, record.name) == (order_id, name)
    assert record.created_on == datetime(2026, 3, 6, 3, 0, tzinfo=UTC)
    assert (record.what, record.reason) == ("web order", str(caught.value))


def test_the_digest_of_an_order_survives_its_life_but_not_another_order() -> None:
    """With nothing to name it, a note, a status, a fulfilment or the customer's next order
    leave the key as it was; another order's content gives another key (R19: one error per
    order, not one per change)."""
    raw = load("web_order_two_lines.json")["order"]
    _drop(*IDENTITY)(raw)
    key = parse_web.unreadable_order(raw, "bad").key
    lived = dict(raw, note="gọi trước", status="closed", modified_on="2026-03-07T01:00:00Z")
    lived["customer"] = dict(raw["customer"], orders_count=2, modified_on="2026-03-07T01:00:00Z")
    lived["line_items"] = [dict(li, fulfillable_quantity=0) for li in raw["line_items"]]
    assert parse_web.unreadable_order(lived, "bad").key == key
    other = dict(raw, email="khac@example.com")
    assert parse_web.unreadable_order(other, "bad").key != key


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(150000.0, 150000), ("10.00", 10), ("199,000", 199000), (99999.5, 100000), (0, 0)],
)
def test_money_accepts_numbers_and_strings(raw: Any, expected: int) -> None:
    """Money arrives as JSON number or string; both become whole dong."""
    assert money(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(12, "12"), (12.0, "12"), ("1.2345", "1.235"), (None, "0"), (100.0, "100")],
)
def test_quantity_keeps_three_decimals(raw: Any, expected: str) -> None:
    """Quantities are Decimal rounded to Sapo's three decimals; null means zero."""
    assert quantity(raw) == Decimal(expected)


@pytest.mark.parametrize(
    "raw",
    [
        "2026-03-06T03:00:00Z",
        "2026-03-06T10:00:00+07:00",
        "2026-03-06 03:00",
        "2026-03-06T03:00:00",
    ],
)
def test_timestamps_become_aware_utc(raw: str) -> None:
    """Every timestamp form Sapo uses becomes the same aware UTC moment."""
    assert timestamp(raw) == datetime(2026, 3, 6, 3, 0, tzinfo=UTC)
