"""Parsing of recorded Sapo POS payloads (fact sheet §3, §8.6) into domain records."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from sync.clients import parse_pos
from sync.clients.parse_common import PayloadError

PAYLOADS = Path(__file__).parent / "payloads"


def load(name: str) -> Any:
    return json.loads((PAYLOADS / name).read_text(encoding="utf-8"))


def test_variant_prices_by_price_list_and_stock_by_branch() -> None:
    """A §8.6 variant keeps a price per price list and a stock row per branch (R4, R8, R18)."""
    page = load("pos_products_page.json")
    product = parse_pos.product(page["products"][0])
    assert product.option_names == ("Kích thước",)
    m, _ = product.variants
    assert m.prices == {167000: 199000, 167001: 170000, 167002: 110000}
    assert m.options == ("M", None, None) and m.sku == "ATB-M"
    first, second = m.inventories
    assert (first.location_id, first.on_hand, first.available, first.committed) == (
        58000,
        Decimal(15),
        Decimal(12),
        Decimal(3),
    )
    # `available` null: derived as on_hand - committed, with decimals kept.
    assert second.available == Decimal("4.25")
    assert m.available_at(frozenset({58000, 58001})) == Decimal("16.25")
    assert m.available_at(frozenset({58000})) == Decimal(12)


def test_odd_forms_string_price_nested_price_list_inactive_variant() -> None:
    """A string price, a price list given only as an object and a stopped variant parse."""
    product = parse_pos.product(load("pos_products_page.json")["products"][0])
    size_l = product.variants[1]
    assert size_l.prices == {167000: 189000}
    assert size_l.sku is None and size_l.status == "inactive"
    assert size_l.inventories == ()


def test_product_without_options_and_without_variant_product_id() -> None:
    """A simple product has no option names; its variants take the product's id (R10)."""
    product = parse_pos.product(load("pos_products_page.json")["products"][1])
    assert product.option_names == ()
    (variant,) = product.variants
    assert variant.product_id == 3939101 and variant.prices == {}


def test_metadata_block() -> None:
    """The list's metadata gives total, page and limit for paging."""
    assert parse_pos.metadata(load("pos_products_page.json")) == (7, 1, 20)
    assert parse_pos.metadata({"products": []}) is None


def test_order_lines_reference_and_branch() -> None:
    """A POS order keeps its reference number, branch, price list, source and lines (R17, R18)."""
    order = parse_pos.order(load("pos_order.json")["order"])
    assert (order.code, order.reference_number, order.location_id) == ("SON00001", "#1042", 58000)
    assert (order.price_list_id, order.source_id, order.customer_id) == (167000, 81000, 2100000)
    assert order.total == 577000
    assert [(li.variant_id, li.quantity, li.price, li.discount_amount) for li in order.lines] == [
        (5702400, Decimal(2), 199000, 0),
        (5702402, Decimal(1), 149000, 10000),
    ]


def test_order_without_branch_is_an_error() -> None:
    """An order whose branch is missing cannot be trusted (R18): PayloadError, not branch 0."""
    raw = load("pos_order.json")["order"]
    raw["location_id"] = None
    with pytest.raises(PayloadError, match="location_id"):
        parse_pos.order(raw)


@pytest.mark.parametrize(
    ("raw", "active"),
    [
        ({"id": 1, "name": "A", "status": "active"}, True),
        ({"id": 2, "name": "B", "status": "expried"}, False),
        ({"id": 3, "label": "C"}, True),
        ({"id": 4, "name": "D", "status": "inactive"}, False),
    ],
)
def test_location_status(raw: dict[str, Any], active: bool) -> None:
    """A branch Sapo marks "expried" (sic) or inactive is not active (R4, R18)."""
    assert parse_pos.location(raw).active is active


def test_customer_phone_number_field() -> None:
    """A POS customer's phone comes from phone_number (R20)."""
    customer = parse_pos.customer(
        {"id": 5, "name": "Nguyễn An", "phone_number": "0900000001", "email": None}
    )
    assert (customer.id, customer.phone, customer.email) == (5, "0900000001", None)


def _branch_stock(change: Any) -> dict[str, Any]:
    """The §8.6 variant with its first stock row (branch 58000) changed by ``change``."""
    raw: dict[str, Any] = load("pos_products_page.json")["products"][0]["variants"][0]
    change(raw["inventories"][0])
    return raw


@pytest.mark.parametrize(
    ("change", "missing"),
    [
        (lambda row: row.update(on_hand=None), "on_hand"),
        (lambda row: row.pop("on_hand"), "on_hand"),
        (lambda row: row.update(on_hand=" "), "on_hand"),
        (lambda row: (row.pop("available"), row.pop("committed")), "committed"),
        (lambda row: row.update(available=None, committed=None), "committed"),
    ],
)
def test_branch_stock_that_is_missing_is_an_error_not_zero(change: Any, missing: str) -> None:
    """A branch stock row without on_hand, or without available and the committed to derive
    it from, is a PayloadError naming variant, branch and field: read as 0 it would be pushed
    to the web as "sold out" (R8)."""
    raw = _branch_stock(change)
    with pytest.raises(PayloadError, match=f"POS variant 5702400: .*58000 without {missing}"):
        parse_pos.variant(raw, product_id=3939100)


def test_branch_stock_without_available_is_derived_not_zero() -> None:
    """With available left out, on_hand - committed is the stock (sheet §2.6), never 0."""
    (first, _) = parse_pos.variant(
        _branch_stock(lambda row: row.pop("available")), product_id=3939100
    ).inventories
    assert (first.on_hand, first.available) == (Decimal(15), Decimal(12))


def test_branch_stock_with_available_reads_a_null_committed_as_none() -> None:
    """committed is only shown, never pushed: null beside a real available reads as 0."""
    (first, _) = parse_pos.variant(
        _branch_stock(lambda row: row.update(committed=None)), product_id=3939100
    ).inventories
    assert (first.available, first.committed) == (Decimal(12), Decimal(0))
