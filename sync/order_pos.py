"""What an order push needs from POS: the Web order source, the customer (R20), the order
an earlier attempt made."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import timedelta

from sync.context import SyncContext
from sync.domain import NewPosCustomer, PosCustomer, PosOrder, WebOrder, email_key, phone_key
from sync.errors import FatalError, RetryableError
from sync.ports import PosApi

WEB_SOURCE_NAME = "Web"
# A POS order cannot predate its web order; a day's margin covers the two clocks.
SEARCH_MARGIN = timedelta(days=1)


@dataclass
class CustomerBook:
    """POS customers by phone and by e-mail, read as whole pages of the customer list.

    A burst of orders would otherwise cost one or two searches per order; the book costs
    one call per 250 customers. ``complete`` means every customer was read, so a miss is
    a customer POS does not have (one made on POS while the run goes is made twice: the
    window a per-order search leaves is merely shorter).
    """

    complete: bool = False
    by_phone: dict[str, PosCustomer] = field(default_factory=dict)
    by_email: dict[str, PosCustomer] = field(default_factory=dict)

    @classmethod
    def read(cls, pos: PosApi, searches_ahead: int) -> CustomerBook:
        """The first page, then the rest only when it costs fewer calls than the searches."""
        first, total = pos.customer_page(1)
        book = cls()
        book.add(*first)
        if total is not None and total <= len(first):
            book.complete = True
            return book
        if total is None or not first:
            return book  # a partial book: a miss is searched for
        left = math.ceil(total / len(first)) - 1
        if left >= searches_ahead:
            return book
        for page in range(2, left + 2):
            found, _ = pos.customer_page(page)
            book.add(*found)
        book.complete = True
        return book

    def add(self, *customers: PosCustomer) -> None:
        for customer in customers:  # ascending id: the oldest wins, as in a search
            phone, email = phone_key(customer.phone), email_key(customer.email)
            if phone:
                self.by_phone.setdefault(phone, customer)
            if email:
                self.by_email.setdefault(email, customer)

    def find(self, *, phone: str | None, email: str | None) -> PosCustomer | None:
        """By phone first, then by e-mail (R20), exact like ``PosApi.find_customer``."""
        wanted = phone_key(phone)
        found = self.by_phone.get(wanted) if wanted else None
        if found is None and email_key(email):
            found = self.by_email.get(email_key(email))
        return found


@dataclass
class PosLookups:
    """Per-run cache of what every order needs: the ``Web`` order source, the web orders the
    run read moments ago, and POS customers (R20)."""

    ctx: SyncContext
    read: dict[int, WebOrder] = field(default_factory=dict)  # web orders this run has read
    pending: int = 1  # orders this run will try to push: customer look-ups ahead
    _source_id: int | None = field(default=None, init=False)
    _book: CustomerBook | None = field(default=None, init=False)
    _looked: int = field(default=0, init=False)

    def web_order(self, order_id: int) -> WebOrder | None:
        """The order as this run just read it (no second GET per order), else from the web."""
        known = self.read.pop(order_id, None)
        return known if known is not None else self.ctx.web.order(order_id)

    def find_customer(self, *, phone: str | None, email: str | None) -> PosCustomer | None:
        """From the whole customer list when several orders need customers, else a search."""
        ahead = self.pending - self._looked
        self._looked += 1
        if self._book is None and ahead >= 2:
            self._book = CustomerBook.read(self.ctx.pos, ahead)
        if self._book is not None:
            found = self._book.find(phone=phone, email=email)
            if found is not None or self._book.complete:
                return found
        return self.ctx.pos.find_customer(phone=phone, email=email)

    def remember(self, customer: PosCustomer) -> None:
        """A customer this run created: the next order of the same person finds it."""
        if self._book is not None:
            self._book.add(customer)

    def web_source_id(self) -> int:
        if self._source_id is None:
            sources = self.ctx.pos.order_sources()
            wanted = [s for s in sources if s.name.casefold() == WEB_SOURCE_NAME.casefold()]
            if not wanted:
                raise FatalError("the POS account has no 'Web' order source")
            self._source_id = wanted[0].id
        return self._source_id


def customer_id(ctx: SyncContext, order: WebOrder, lookups: PosLookups) -> int | None:
    """R20: the POS customer found by phone, then email, else created; None without either.

    An order with neither phone nor email goes without a customer: a name alone cannot be
    found again, so creating one would make a new customer on every retry.
    """
    customer = order.customer
    phone = (customer.phone if customer else None) or order.phone
    email = (customer.email if customer else None) or order.email
    if not phone and not email:
        return None
    found = lookups.find_customer(phone=phone, email=email)
    if found is not None:
        return found.id
    name = (customer.full_name if customer else "") or phone or email or order.name
    try:
        made = ctx.pos.create_customer(NewPosCustomer(name=name, phone=phone, email=email))
    except RetryableError as exc:
        if exc.outcome_unknown:
            again = ctx.pos.find_customer(phone=phone, email=email)
            if again is not None:
                lookups.remember(again)
                return again.id
        raise
    lookups.remember(made)
    return made.id


def find_on_pos(ctx: SyncContext, order: WebOrder) -> PosOrder | None:
    """The POS order an earlier attempt made for ``order`` (it cannot predate the web order;
    a day's margin covers the two clocks)."""
    return ctx.pos.find_order_by_reference(
        order.name, created_since=order.created_on - SEARCH_MARGIN
    )
