"""The pure order decisions: eligibility (R5), link checks (R15), lines and totals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from sync.domain import WebCustomer, WebLineItem, WebOrder
from sync.order_plan import (
    BEFORE_CUTOVER,
    CANCELLED,
    DISCONNECTED,
    LINK_DELETED,
    LINK_ERROR,
    NO_LINES,
    POS_DELETED,
    SKU_BLANK,
    SKU_NOT_LINKED,
    LinkView,
    Verdict,
    build_pos_order,
    decide,
    line_discounts,
    pos_total,
    total_problem,
)

CUTOVER = datetime(2026, 3, 6, 3, 0, tzinfo=UTC)
EARLY = CUTOVER - timedelta(seconds=1)
LINKS = {
    "A": LinkView("A", "linked", 501),
    "B": LinkView("B", "linked", 502),
    "OFF": LinkView("OFF", "disconnected", 503),
    "GONE": LinkView("GONE", "deleted", 504),
    "POSDEL": LinkView("POSDEL", "pos_deleted", 505),
    "ERR": LinkView("ERR", "error", 506),
}


def line(sku: str | None, qty: int = 1, price: int = 100_000, discount: int = 0) -> WebLineItem:
    return WebLineItem(
        id=hash(sku) % 1000,
        variant_id=1,
        product_id=1,
        sku=sku,
        title=f"item {sku}",
        quantity=Decimal(qty),
        price=price,
        total_discount=discount,
    )


def order(
    *lines: WebLineItem,
    created: datetime = CUTOVER + timedelta(minutes=1),
    status: str = "open",
    discounts: int = 0,
    shipping: int = 0,
    total: int | None = None,
) -> WebOrder:
    gross = sum(int(ln.price * ln.quantity) for ln in lines)
    return WebOrder(
        id=1,
        name="#1001",
        order_number=1001,
        created_on=created,
        line_items=lines,
        total_price=gross - discounts + shipping if total is None else total,
        status=status,
        total_discounts=discounts,
        total_shipping_price=shipping,
        customer=WebCustomer(id=9, first_name="An", last_name="Nguyễn", phone="0900000001"),
    )


@pytest.mark.parametrize(
    ("web_order", "verdict", "code", "names"),
    [
        (order(line("A"), line("B")), Verdict.PUSH, None, ""),
        (order(line(" A "), line("B")), Verdict.PUSH, None, ""),
        (order(line("A"), created=EARLY), Verdict.INELIGIBLE, BEFORE_CUTOVER, "before setup"),
        (order(line("A"), created=CUTOVER), Verdict.PUSH, None, ""),
        (order(line("A"), status="cancelled"), Verdict.INELIGIBLE, CANCELLED, "cancelled"),
        (order(line("OFF"), status="cancelled", created=EARLY), Verdict.INELIGIBLE, BEFORE_CUTOVER,
         "UTC"),
        (order(line("A"), line("OFF")), Verdict.SKIP, DISCONNECTED, "SKU OFF"),
        (order(line("A"), line("GONE")), Verdict.FAIL, LINK_DELETED, "SKU GONE"),
        (order(line("A"), line("NEW")), Verdict.FAIL, SKU_NOT_LINKED, "SKU NEW"),
        (order(line("A"), line("  ")), Verdict.FAIL, SKU_BLANK, "item"),
        (order(line("A"), line(None)), Verdict.FAIL, SKU_BLANK, "item None"),
        (order(line("POSDEL")), Verdict.FAIL, POS_DELETED, "SKU POSDEL"),
        (order(line("ERR")), Verdict.FAIL, LINK_ERROR, "SKU ERR"),
        (order(line("OFF"), line("GONE")), Verdict.FAIL, LINK_DELETED, "SKU GONE"),
        (order(), Verdict.FAIL, NO_LINES, "no lines"),
    ],
)  # fmt: skip
def test_decide_names_the_reason_and_the_sku(
    web_order: WebOrder, verdict: Verdict, code: str | None, names: str
) -> None:
    """Pre-cut-over and cancelled orders are ineligible (R5); a disconnected product skips
    (R15); a missing, tombstoned or blank SKU fails; every reason names the SKU."""
    decision = decide(web_order, cutover=CUTOVER, links=LINKS)
    assert (decision.verdict, decision.code) == (verdict, code)
    assert names in decision.reason


def test_skip_lists_every_disconnected_sku() -> None:
    """A skipped order says which products must be reconnected before a resync (R15, R17)."""
    decision = decide(order(line("OFF"), line("A"), line("OFF")), cutover=CUTOVER, links=LINKS)
    assert [p.sku for p in decision.problems] == ["OFF", "OFF"]


@pytest.mark.parametrize(
    ("amounts", "discount", "expected"),
    [
        ([(1, 100_000), (1, 100_000)], 0, [0, 0]),
        ([(1, 100_000), (1, 100_000)], 10_000, [5_000, 5_000]),
        ([(1, 100_000), (2, 100_000)], 10_000, [3_333, 6_667]),
        ([(1, 1), (1, 1), (1, 1)], 2, [1, 1, 0]),
        ([(3, 199_000)], 7, [7]),
    ],
)
def test_order_discount_is_spread_over_lines_to_the_dong(
    amounts: list[tuple[int, int]], discount: int, expected: list[int]
) -> None:
    """An order-level web discount becomes line discounts that add up exactly."""
    web = order(*(line(f"S{i}", q, p) for i, (q, p) in enumerate(amounts)), discounts=discount)
    shares = line_discounts(web)
    assert shares == expected and sum(shares) == discount


def test_pos_order_carries_reference_branch_price_list_source_and_web_prices() -> None:
    """The POS order has the web order's number, the given branch, price list and source,
    the web prices and shipping, and its total equals the web total (R5, R18, R20)."""
    web = order(line("A", 2, 199_000), line("B", 1, 149_000), discounts=20_000, shipping=30_000)
    new = build_pos_order(
        web, links=LINKS, location_id=58001, price_list_id=167000, source_id=81000, customer_id=7
    )
    assert (new.reference_number, new.location_id, new.price_list_id, new.source_id) == (
        "#1001",
        58001,
        167000,
        81000,
    )
    assert [(ln.variant_id, ln.quantity, ln.price) for ln in new.lines] == [
        (501, Decimal(2), 199_000),
        (502, Decimal(1), 149_000),
    ]
    assert new.customer_id == 7 and new.delivery_fee == 30_000
    assert pos_total(new) == web.total_price == 557_000
    assert total_problem(web, new) is None


def test_total_mismatch_is_reported_not_ignored() -> None:
    """A web total the lines cannot explain (a tax or fee we do not carry) is an error."""
    web = order(line("A", 1, 100_000), total=110_000)
    new = build_pos_order(
        web, links=LINKS, location_id=1, price_list_id=1, source_id=1, customer_id=None
    )
    problem = total_problem(web, new)
    assert problem is not None and "110000" in problem.text
    assert problem.part == {
        "key": "part.web_total_off",
        "total": 110_000,
        "lines": "100000",
        "discounts": 0,
        "shipping": 0,
    }
