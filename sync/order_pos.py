"""What an order push needs from POS: the Web order source, the customer (R20), the order
an earlier attempt made."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sync.context import SyncContext
from sync.domain import NewPosCustomer, PosOrder, WebOrder
from sync.errors import FatalError, RetryableError

WEB_SOURCE_NAME = "Web"
# A POS order cannot predate its web order; a day's margin covers the two clocks.
SEARCH_MARGIN = timedelta(days=1)


@dataclass
class PosLookups:
    """Per-run cache of what every order needs from POS: the ``Web`` order source."""

    ctx: SyncContext
    _source_id: int | None = field(default=None, init=False)

    def web_source_id(self) -> int:
        if self._source_id is None:
            sources = self.ctx.pos.order_sources()
            wanted = [s for s in sources if s.name.casefold() == WEB_SOURCE_NAME.casefold()]
            if not wanted:
                raise FatalError("the POS account has no 'Web' order source")
            self._source_id = wanted[0].id
        return self._source_id


def customer_id(ctx: SyncContext, order: WebOrder) -> int | None:
    """R20: the POS customer found by phone, then email, else created; None without either.

    An order with neither phone nor email goes without a customer: a name alone cannot be
    found again, so creating one would make a new customer on every retry.
    """
    customer = order.customer
    phone = (customer.phone if customer else None) or order.phone
    email = (customer.email if customer else None) or order.email
    if not phone and not email:
        return None
    found = ctx.pos.find_customer(phone=phone, email=email)
    if found is not None:
        return found.id
    name = (customer.full_name if customer else "") or phone or email or order.name
    try:
        return ctx.pos.create_customer(NewPosCustomer(name=name, phone=phone, email=email)).id
    except RetryableError as exc:
        if exc.outcome_unknown:
            again = ctx.pos.find_customer(phone=phone, email=email)
            if again is not None:
                return again.id
        raise


def find_on_pos(ctx: SyncContext, order: WebOrder) -> PosOrder | None:
    """The POS order an earlier attempt made for ``order`` (it cannot predate the web order;
    a day's margin covers the two clocks)."""
    return ctx.pos.find_order_by_reference(
        order.name, created_since=order.created_on - SEARCH_MARGIN
    )
