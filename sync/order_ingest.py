"""Reading the web orders into the order rows (the in-flight ledger), and the order cursor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from storage import repo
from sync import order_store as store
from sync import order_unreadable as unreadable
from sync.context import SyncContext
from sync.domain import Unreadable, WebOrder

CURSOR = "web_orders.modified_on"
# Re-read this much before the cursor: Sapo's timestamps have whole seconds and its clock is
# not ours; the unique web order id makes the overlap harmless.
OVERLAP = timedelta(minutes=2)
CURSOR_FORMAT = "%Y-%m-%dT%H:%M:%S.%f+00:00"


@dataclass(frozen=True, slots=True)
class OrderRead:
    """What one read of the web orders found; no cut-over (before setup) means no read."""

    cutover: datetime | None
    started: datetime
    since: datetime
    orders: list[WebOrder]
    unreadable: list[Unreadable]


def read_new(ctx: SyncContext) -> OrderRead:
    """The web orders modified since the cursor, and those Sapo sent unreadable."""
    started = ctx.clock()
    with ctx.db.session() as s:
        setup = repo.get_setup(s, connection_id=ctx.connection_id)
        cursor = repo.get_cursor(s, connection_id=ctx.connection_id, resource=CURSOR)
    if setup is None:
        return OrderRead(None, started, started, [], [])
    since = datetime.fromisoformat(cursor) if cursor else setup.cutover_at
    read = OrderRead(setup.cutover_at, started, since, [], [])
    for record in ctx.web.order_records(modified_since=since - OVERLAP):
        if not isinstance(record, Unreadable):
            read.orders.append(record)
        elif unreadable.ineligible(record, cutover=setup.cutover_at) is None:
            read.unreadable.append(record)
        # else placed before setup (R5): never pushed, so neither reported nor waited for
    return read


def ingest_orders(ctx: SyncContext) -> int:
    """Store every web order modified since the cursor (no POS call); the number read.

    The cursor moves only after the batch is stored and never past the run's start, nor
    past an order without a readable id (issue 10).
    """
    return len(ingest(ctx).orders)


def ingest(ctx: SyncContext) -> OrderRead:
    """``ingest_orders``, returning what was read."""
    read = read_new(ctx)
    if read.cutover is None:
        return read
    now = ctx.clock()
    with ctx.db.session() as s:
        for order in read.orders:
            store.store(
                s, connection_id=ctx.connection_id, order=order, cutover=read.cutover, now=now
            )
        unreadable.remember(
            s,
            connection_id=ctx.connection_id,
            read=read.orders,
            unreadable=read.unreadable,
            now=now,
        )
        stamps = [o.modified_on or o.created_on for o in read.orders]
        if stamps:
            held = unreadable.hold(read.unreadable, since=read.since)
            newest = min(max(stamps), read.started, held or read.started)
            # Fixed-width UTC text sorts like time, so a concurrent run never moves it back.
            value = newest.astimezone(UTC).strftime(CURSOR_FORMAT)
            repo.advance_cursor(
                s, connection_id=ctx.connection_id, resource=CURSOR, value=value, now=now
            )
        s.commit()
    return read
