"""Every write the engine needs, against the sandbox over real HTTP, checked in its ground truth."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sandbox.seeds import (
    DEMO_CUSTOMER_EMAIL_MATCH,
    DEMO_CUSTOMER_PHONE_MATCH,
    DEMO_POS_DEFAULT_LOCATION_ID,
    DEMO_PRICE_LIST_IDS,
    DEMO_WEB_LOCATION_ID,
)
from sync.domain import (
    NewPosCustomer,
    NewPosOrder,
    NewPosOrderLine,
    NewPosProduct,
    NewPosVariant,
    NewWebProduct,
    NewWebVariant,
)
from sync.errors import RecordError
from tests.support.sapo import SapoPair

BANLE = DEMO_PRICE_LIST_IDS["BANLE"]
BANBUON = DEMO_PRICE_LIST_IDS["BANBUON"]
GIANHAP = DEMO_PRICE_LIST_IDS["GIANHAP"]
BRANCH_2 = 58001


def new_pos_product() -> NewPosProduct:
    return NewPosProduct(
        name="Áo len cổ lọ",
        option_names=("Kích thước",),
        location_id=BRANCH_2,
        variants=(
            NewPosVariant(
                sku="ALCL-M",
                name="Áo len cổ lọ - M",
                options=("M", None, None),
                prices={BANLE: 350000, GIANHAP: 350000},
                initial_stock=Decimal(4),
            ),
            NewPosVariant(
                sku="ALCL-L",
                name="Áo len cổ lọ - L",
                options=("L", None, None),
                prices={BANLE: 360000},
                initial_stock=Decimal("1.5"),
            ),
        ),
    )


def test_create_pos_product_with_prices_and_initial_stock_at_a_branch(sapo: SapoPair) -> None:
    """A POS product gets variants, prices per list and stock at the chosen branch (R6, R7)."""
    created = sapo.pos.create_product(new_pos_product())
    again = sapo.pos.product(created.id)
    assert again is not None and again.option_names == ("Kích thước",)
    m, size_l = again.variants
    assert (m.sku, m.options, m.prices[BANLE], m.prices[GIANHAP]) == (
        "ALCL-M",
        ("M", None, None),
        350000,
        350000,
    )
    assert m.available_at(frozenset({BRANCH_2})) == Decimal(4)
    assert m.available_at(frozenset({DEMO_POS_DEFAULT_LOCATION_ID})) == 0
    assert size_l.available_at(frozenset({BRANCH_2})) == Decimal("1.5")
    stats = sapo.sb.stats()["requests"]
    assert stats["pos POST /admin/products.json"] == 1


def test_add_pos_variant_to_an_existing_product(sapo: SapoPair) -> None:
    """A new size on a linked product becomes a POS variant with prices and branch stock (R7)."""
    product = sapo.pos.create_product(new_pos_product())
    new = NewPosVariant(
        sku="ALCL-XL",
        name="Áo len cổ lọ - XL",
        options=("XL", None, None),
        prices={BANLE: 370000},
        initial_stock=Decimal(3),
    )
    variant = sapo.pos.create_variant(product.id, new, location_id=BRANCH_2)
    assert (variant.product_id, variant.sku, variant.prices[BANLE]) == (
        product.id,
        "ALCL-XL",
        370000,
    )
    assert variant.available_at(frozenset({BRANCH_2})) == Decimal(3)
    again = sapo.pos.product(product.id)
    assert again is not None and [v.sku for v in again.variants] == ["ALCL-M", "ALCL-L", "ALCL-XL"]


def test_create_web_product_hidden_without_images(sapo: SapoPair) -> None:
    """A product created on the web arrives hidden (R12), with its options, without image (R9)."""
    new = NewWebProduct(
        name="Áo len cổ lọ",
        option_names=("Kích thước",),
        variants=(
            NewWebVariant(sku="ALCL-M", price=350000, options=("M", None, None)),
            NewWebVariant(sku="ALCL-L", price=360000, options=("L", None, None), barcode="893"),
        ),
    )
    created = sapo.web.create_product(new)
    assert not created.published and created.option_names == ("Kích thước",)
    assert [(v.sku, v.price, v.tracked) for v in created.variants] == [
        ("ALCL-M", 350000, True),
        ("ALCL-L", 360000, True),
    ]
    with sapo.sb.state.lock:
        truth = sapo.sb.state.web.products[created.id]
        assert truth.published_on is None and truth.images == []
    extra = sapo.web.create_variant(
        created.id, NewWebVariant(sku="ALCL-XL", price=370000, options=("XL", None, None))
    )
    product = sapo.web.product(created.id)
    assert product is not None and [v.sku for v in product.variants][-1] == "ALCL-XL"
    assert extra.product_id == created.id and extra.inventory_item_id != extra.id


def test_published_web_product_when_asked(sapo: SapoPair) -> None:
    """Only an explicit published=True creates a visible product."""
    new = NewWebProduct(
        name="Tất cổ ngắn", variants=(NewWebVariant(sku="TCN-X", price=25000),), published=True
    )
    created = sapo.web.create_product(new)
    assert created.published and created.option_names == ()


def test_set_web_stock_and_price(sapo: SapoPair) -> None:
    """PUT set.json sets available stock with decimals (R8); a price update sticks (R18)."""
    variant = next(v for p in sapo.web.products() for v in p.variants if v.tracked)
    sapo.web.set_stock(
        inventory_item_id=variant.inventory_item_id,
        location_id=DEMO_WEB_LOCATION_ID,
        available=Decimal("9.5"),
    )
    (level,) = sapo.web.inventory_levels(
        inventory_item_ids=[variant.inventory_item_id], location_ids=[DEMO_WEB_LOCATION_ID]
    )
    assert level.available == Decimal("9.5")
    sapo.web.update_variant_price(variant.id, 123000)
    product = sapo.web.product(variant.product_id)
    assert product is not None
    assert next(v for v in product.variants if v.id == variant.id).price == 123000
    items = sapo.web.inventory_items(variant_ids=[variant.id])
    assert [(i.id, i.sku) for i in items] == [(variant.inventory_item_id, variant.sku)]


def test_set_stock_on_untracked_item_is_a_record_error(sapo: SapoPair) -> None:
    """A stock write Sapo refuses for one item (422) is that item's RecordError (R19)."""
    untracked = next(v for p in sapo.web.products() for v in p.variants if not v.tracked)
    with pytest.raises(RecordError, match="inventory_item_id"):
        sapo.web.set_stock(
            inventory_item_id=untracked.inventory_item_id,
            location_id=DEMO_WEB_LOCATION_ID,
            available=Decimal(1),
        )


def test_find_pos_customer_by_phone_then_email(sapo: SapoPair) -> None:
    """A customer is found by phone in any spelling, else by email; strangers are not (R20)."""
    by_phone = sapo.pos.find_customer(phone="+84 " + DEMO_CUSTOMER_PHONE_MATCH[1:], email=None)
    assert by_phone is not None and by_phone.phone == DEMO_CUSTOMER_PHONE_MATCH
    by_email = sapo.pos.find_customer(phone="0999999999", email=DEMO_CUSTOMER_EMAIL_MATCH.upper())
    assert by_email is not None and by_email.email == DEMO_CUSTOMER_EMAIL_MATCH
    assert sapo.pos.find_customer(phone="0999999999", email="nobody@example.com") is None
    # "090" is in many numbers: a fuzzy search hit is not a match.
    assert sapo.pos.find_customer(phone="090", email=None) is None


def test_create_pos_customer(sapo: SapoPair) -> None:
    """A new POS customer is created with name, phone and email, and is then findable (R20)."""
    created = sapo.pos.create_customer(
        NewPosCustomer(name="Phạm Thu Hà", phone="0912000333", email="ha.pham@example.com")
    )
    assert sapo.pos.find_customer(phone="0912000333", email=None) == created


def test_create_pos_order_and_find_it_by_reference(sapo: SapoPair) -> None:
    """A POS order lands at the branch with price list, Web source and reference (R17, R18)."""
    product = next(iter(sapo.pos.products()))
    variant = product.variants[0]
    source = sapo.pos.web_order_source()
    new = NewPosOrder(
        reference_number="#1099",
        location_id=BRANCH_2,
        price_list_id=BANBUON,  # not the account's default (BANLE): it must be sent
        source_id=source.id,
        lines=(
            NewPosOrderLine(
                variant_id=variant.id, quantity=Decimal(2), price=150000, discount_amount=10000
            ),
        ),
        delivery_fee=30000,
        note="Đơn web #1099",
    )
    created = sapo.pos.create_order(new)
    assert (
        created.reference_number,
        created.location_id,
        created.source_id,
        created.price_list_id,
    ) == ("#1099", BRANCH_2, source.id, BANBUON)
    assert created.total == 2 * 150000 - 10000 + 30000
    assert sapo.pos.find_order_by_reference("#1099") == created
    assert sapo.pos.find_order_by_reference("#109") is None
    assert sapo.pos.order(created.id) == created
    with sapo.sb.state.lock:
        assert sapo.sb.state.pos.variants[variant.id].stock[BRANCH_2].committed == 2


def test_webhooks_register_and_list_on_both_apis(sapo: SapoPair) -> None:
    """Webhooks are registered once and listed on both APIs; registering again reuses the row."""
    address = "https://sync.example/hooks/sapo"
    for client, topic in ((sapo.pos, "inventories/update"), (sapo.web, "orders/create")):
        hook = client.register_webhook(topic, address)
        assert client.register_webhook(topic, address) == hook
        assert [(h.topic, h.address) for h in client.webhooks()] == [(topic, address)]
    requests = sapo.sb.stats()["requests"]
    assert (
        requests["pos POST /admin/webhooks.json"] == requests["web POST /admin/webhooks.json"] == 1
    )


def test_webhook_with_bad_topic_is_a_record_error(sapo: SapoPair) -> None:
    """Sapo's 422 field messages come through readable (R19)."""
    with pytest.raises(RecordError) as caught:
        sapo.web.register_webhook("stock/changed", "https://sync.example/hooks/sapo")
    assert caught.value.field_errors == {"topic": ["Invalid topic specified."]}
    assert "topic: Invalid topic specified." in str(caught.value)
