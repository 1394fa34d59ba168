"""A web order's POS customer (R20): by phone, then by e-mail, from the run's customer book
exactly as from Sapo's search; none without either."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sandbox import Sandbox
from sandbox.seeds import DEMO_CUSTOMER_EMAIL_MATCH, DEMO_CUSTOMER_PHONE_MATCH
from storage.engine import Database
from sync.clock import FakeClock
from sync.context import SyncContext
from sync.domain import NewPosCustomer, PosCustomer, WebCustomer, WebOrder
from sync.order_pos import CustomerBook, PosLookups, customer_id
from tests.support.sapo import SapoPair

LAN = PosCustomer(1, "Lan", phone="0901234567", email="lan@example.com")
MINH = PosCustomer(2, "Minh", phone="0977000111", email="minh@example.com")
BAO = PosCustomer(3, "Bảo", phone="0933222111")
LAN_AGAIN = PosCustomer(4, "Lan (2)", phone="0901234567", email="lan2@example.com")
UNKNOWN_PHONE = "0999888777"


@pytest.mark.parametrize(
    ("phone", "email", "wanted"),
    [
        # phone and e-mail name two different customers: the phone's wins (R20)
        (LAN.phone, MINH.email, LAN),
        ("+84 90-123 4567", " MINH@Example.com ", LAN),
        # a phone no customer has: the e-mail decides
        (UNKNOWN_PHONE, MINH.email, MINH),
        (None, " Minh@Example.COM", MINH),
        ("", MINH.email, MINH),
        # neither matches, or neither is given
        (UNKNOWN_PHONE, "nobody@example.com", None),
        (BAO.phone, None, BAO),
        (None, None, None),
        ("", "  ", None),
        ("không có", None, None),  # no digits is no phone
    ],
)
def test_the_book_finds_by_phone_before_email(
    phone: str | None, email: str | None, wanted: PosCustomer | None
) -> None:
    """A run with several orders finds customers in its book as Sapo's search would: an
    exact phone match first, the e-mail only when no customer has the phone."""
    book = CustomerBook(complete=True)
    book.add(LAN, MINH, BAO, LAN_AGAIN)
    assert book.find(phone=phone, email=email) == wanted


def test_the_oldest_customer_with_a_phone_wins() -> None:
    """Two POS customers with one phone: the book, read in ascending ids, keeps the older as a
    search does, even when the newer one also has the order's e-mail."""
    book = CustomerBook(complete=True)
    book.add(LAN, LAN_AGAIN)
    assert book.find(phone=LAN.phone, email=LAN_AGAIN.email) == LAN


# ---------------------------------------------------------------- against the sandbox


@pytest.fixture
def ctx(sapo: SapoPair, tmp_path: Path) -> Iterator[SyncContext]:
    db = Database(f"sqlite:///{tmp_path}/customers.db")
    yield SyncContext(db, 1, sapo.pos, sapo.web, FakeClock(datetime(2026, 3, 6, tzinfo=UTC)))
    db.dispose()


def customer_calls(sb: Sandbox, method: str = "") -> int:
    """POS customer calls (reads and writes, or only ``method``) since the stats were reset."""
    requests: dict[str, int] = sb.stats()["requests"]
    prefix = f"pos {method}".rstrip()
    return sum(
        n for call, n in requests.items() if call.startswith(prefix) and "/customers" in call
    )


def pos_customer_count(sb: Sandbox) -> int:
    with sb.state.lock:
        return len(sb.state.pos.customers)


def test_a_run_of_several_orders_finds_what_a_search_finds(
    sapo: SapoPair, ctx: SyncContext
) -> None:
    """With three orders ahead the run reads the customer list once and answers every
    look-up from it, phone before e-mail, the same customers Sapo's search gives."""
    pos = sapo.pos
    # the e-mail of one customer and the phone of another, on one order
    other = pos.create_customer(
        NewPosCustomer(name="Khác", phone="0966555444", email="khac@example.com")
    )
    asks = [
        (DEMO_CUSTOMER_PHONE_MATCH, other.email),  # the phone's customer, not the e-mail's
        (UNKNOWN_PHONE, DEMO_CUSTOMER_EMAIL_MATCH),  # no one has the phone: the e-mail's
        (UNKNOWN_PHONE, "nobody@example.com"),  # no one
    ]
    searched = [pos.find_customer(phone=p, email=e) for p, e in asks]
    assert searched[0] is not None and searched[0].phone == DEMO_CUSTOMER_PHONE_MATCH
    assert searched[1] is not None and searched[1].email == DEMO_CUSTOMER_EMAIL_MATCH
    assert searched[2] is None
    sapo.sb.reset_stats()
    lookups = PosLookups(ctx, pending=len(asks))
    assert [lookups.find_customer(phone=p, email=e) for p, e in asks] == searched
    assert customer_calls(sapo.sb, "GET") == 1  # one page of the list, no search per order


def test_an_order_without_phone_or_email_goes_without_a_customer(
    sapo: SapoPair, ctx: SyncContext
) -> None:
    """A name alone cannot be found again: no customer is looked up or created, so a retry
    does not make another one (R20)."""
    order = WebOrder(
        id=1,
        name="#1001",
        order_number=1001,
        created_on=datetime(2026, 3, 6, tzinfo=UTC),
        line_items=(),
        total_price=0,
        customer=WebCustomer(id=None, first_name="Lan", last_name="Nguyễn"),
    )
    before = pos_customer_count(sapo.sb)
    sapo.sb.reset_stats()
    lookups = PosLookups(ctx, pending=2)
    assert [customer_id(ctx, order, lookups) for _ in range(2)] == [None, None]
    assert pos_customer_count(sapo.sb) == before
    assert customer_calls(sapo.sb) == 0
