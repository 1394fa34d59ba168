"""The in-flight ledger the stock push subtracts (R8 with R5): what counts and what does not."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import Engine

from storage import repo
from storage.engine import session
from storage.models import Order
from sync.domain import OrderStatus
from sync.orders import inflight_quantities

T0 = datetime(2026, 3, 6, 3, 0, tzinfo=UTC)


def _order(cid: int, web_id: int, status: str, lines: list[tuple[str, str]]) -> Order:
    return Order(
        connection_id=cid,
        web_order_id=web_id,
        web_order_name=f"#{web_id}",
        web_created_on=T0,
        status=status,
        lines=[
            {"sku": sku, "raw_sku": sku, "title": sku, "quantity": q, "price": 1}
            for sku, q in lines
        ],
        created_at=T0,
        updated_at=T0,
    )


@pytest.mark.parametrize(
    ("status", "counts"),
    [
        (OrderStatus.PENDING, True),
        (OrderStatus.SKIPPED, True),
        (OrderStatus.FAILED, True),
        (OrderStatus.PUSHED, False),
        (OrderStatus.INELIGIBLE, False),
    ],
)
def test_ledger_counts_eligible_orders_not_yet_on_pos(
    engine: Engine, status: str, counts: bool
) -> None:
    """Only eligible web orders not yet on POS hold web stock back (R5, R8, R15)."""
    with session(engine) as s:
        cid = repo.ensure_connection(s, name="shop", pos_url="p", web_url="w", now=T0).id
        assert cid is not None
        assert repo.insert_order(s, order=_order(cid, 1, status, [("ATB-M", "2")])) is not None
        s.commit()
        expected = {"ATB-M": Decimal(2)} if counts else {}
        assert inflight_quantities(s, connection_id=cid) == expected


def test_ledger_sums_decimal_quantities_per_sku_over_orders(engine: Engine) -> None:
    """Quantities add up exactly (three decimals allowed) per SKU across several orders."""
    with session(engine) as s:
        cid = repo.ensure_connection(s, name="shop", pos_url="p", web_url="w", now=T0).id
        assert cid is not None
        repo.insert_order(s, order=_order(cid, 1, "pending", [("A", "1.5"), ("B", "1")]))
        repo.insert_order(s, order=_order(cid, 2, "skipped", [("A", "0.25"), ("", "3")]))
        other = repo.ensure_connection(s, name="other", pos_url="p2", web_url="w2", now=T0).id
        assert other is not None
        repo.insert_order(s, order=_order(other, 1, "pending", [("A", "9")]))
        s.commit()
        assert inflight_quantities(s, connection_id=cid) == {
            "A": Decimal("1.75"),
            "B": Decimal(1),
        }
