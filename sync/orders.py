"""Web orders into POS exactly once (R5, R15, R17, R18, R20), and the in-flight ledger."""

from __future__ import annotations

from decimal import Decimal

from storage import repo
from storage.engine import Session
from sync.domain import OrderStatus
from sync.order_plan import quantities

# Web orders whose stock the web has already taken but POS has not: the stock push subtracts
# them so web stock is never raised back (prior-art §2.2). Skipped and failed orders count too:
# they are eligible and not on POS, and raising their stock back would sell it twice; they
# leave the ledger when pushed (resync) or when cancelled on the web. Ineligible orders
# (before the cut-over, cancelled) never reach POS, so they never count.
IN_FLIGHT = (OrderStatus.PENDING, OrderStatus.SKIPPED, OrderStatus.FAILED)


def inflight_quantities(session: Session, *, connection_id: int) -> dict[str, Decimal]:
    """Normalized SKU → quantity of eligible web orders not yet on POS.

    Orders are in this ledger from the moment they are read from the web (``push_orders``
    and ``ingest_orders`` store every order they read before pushing any), so a stock push
    that ingests orders first never re-raises web stock an order took.
    """
    rows = repo.orders_with_status(session, connection_id=connection_id, statuses=IN_FLIGHT)
    return quantities(row.lines for row in rows)
