"""Web orders Sapo sends in a form we cannot parse (issue 10): remembered, reported, read again.

An order whose id is readable gets its order row, failed as ``invalid_record``: every order
run reads it again by id through the usual attempt (so it still goes to POS exactly once),
and its error resolves when it is pushed or found ineligible (R5, R17, R19). An order
without a readable id cannot be read by id, so the order cursor stops at or before it: each
run's list read sees it again, and its error resolves in the first run that does not.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime

from storage import repo
from storage.engine import Session
from storage.models import Order
from sync import order_store as store
from sync.domain import ErrorKind, OrderStatus, Unreadable, WebOrder
from sync.order_plan import INVALID_RECORD, OrderDecision, before_cutover
from sync.texts import msg

log = logging.getLogger(__name__)


def subject(record: Unreadable) -> str:
    """The error list's name for an order without a readable id: its name, else its key."""
    return record.name or f"web order without id ({record.key})"


def hold(records: Iterable[Unreadable], *, since: datetime) -> datetime | None:
    """How far the order cursor may go so the next read sees every id-less record again.

    Sapo filters ``modified_on >= min``, and a record's stamp only grows; a record whose
    stamps cannot be read either keeps the cursor where this read started.
    """
    stops = [r.modified_on or r.created_on or since for r in records if r.id is None]
    return min(stops, default=None)


def remember(
    session: Session,
    *,
    connection_id: int,
    read: Sequence[WebOrder],
    unreadable: Sequence[Unreadable],
    now: datetime,
) -> None:
    """Store what can be stored of each unreadable record (placed after setup) and open its
    error row; resolve the errors this read answered: id-less records no longer seen, and
    changes to orders on POS that read properly again."""
    for record in unreadable:
        log.warning(
            "unreadable web order key=%s name=%s reason=%s", record.key, record.name, record.reason
        )
        if record.id is None:
            name = subject(record)
            store.subject_error(
                session,
                connection_id=connection_id,
                subject=name,
                code=store.UNREADABLE_NO_ID,
                message=f"{name}: {record.reason}; it is read again every run",
                now=now,
                params={"order": name, "error": record.reason},
            )
        else:
            _with_id(session, connection_id=connection_id, record=record, now=now)
    still_garbled = {subject(r) for r in unreadable if r.id is None}
    readable = {o.name for o in read}
    for row in repo.unresolved_errors(session, connection_id=connection_id, kind=ErrorKind.ORDER):
        gone = row.code == store.UNREADABLE_NO_ID and row.subject not in still_garbled
        if gone or (row.code == store.UNREADABLE_CHANGE and row.subject in readable):
            row.resolved_at = now
            repo.save(session, row=row)


def _with_id(session: Session, *, connection_id: int, record: Unreadable, now: datetime) -> None:
    assert record.id is not None
    row = repo.get_order(session, connection_id=connection_id, web_order_id=record.id)
    if row is None:
        row = _new_row(record, connection_id=connection_id, now=now)
        if repo.insert_order(session, order=row) is None:
            return  # a concurrent run stored it first and reports it
        name = row.web_order_name
        store.order_error(
            session,
            row=row,
            code=INVALID_RECORD,
            message=f"{name}: {record.reason}",
            now=now,
            params={"order": name, "error": record.reason},
        )
    elif row.status == OrderStatus.PUSHED:
        name, pos_order = row.web_order_name, row.pos_order_code
        message = (
            f"{name} is on POS as {pos_order}, but Sapo now sends it in a form we cannot read "
            f"({record.reason}); if it was cancelled on the web, cancel it on POS by hand"
        )
        store.order_error(
            session,
            row=row,
            code=store.UNREADABLE_CHANGE,
            message=message,
            now=now,
            params={"order": name, "pos_order": pos_order, "error": record.reason},
        )
    # Pending, failed and skipped orders are read again by id when they are next attempted.


def ineligible(record: Unreadable, *, cutover: datetime) -> OrderDecision | None:
    """R5 for an unreadable order whose creation time reads: placed before setup."""
    if record.created_on is None:
        return None
    return before_cutover(record.created_on, cutover=cutover)


def _new_row(record: Unreadable, *, connection_id: int, now: datetime) -> Order:
    """The row of an unreadable order seen for the first time; name and creation time are
    placeholders when unreadable, replaced once the order reads (``order_store.finish``)."""
    assert record.id is not None
    return Order(
        connection_id=connection_id,
        web_order_id=record.id,
        web_order_name=(record.name or f"web order {record.id}")[:60],
        web_created_on=record.created_on or record.modified_on or now,
        lines=[],
        status=OrderStatus.FAILED,
        reason_code=INVALID_RECORD,
        reason=record.reason[:2000],
        reason_params=msg("order_unreadable", error=record.reason[:2000]),
        created_at=now,
        updated_at=now,
    )
