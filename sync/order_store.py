"""The order rows: storing what was read from the web, and recording each attempt's end."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from storage import repo
from storage.engine import Session
from storage.models import Order
from sync.domain import ErrorKind, OrderStatus, PosOrder, WebOrder, normalize_sku
from sync.order_plan import (
    CANCELLED,
    DISCONNECTED,
    INVALID_RECORD,
    LINK_DELETED,
    LINK_ERROR,
    NO_LINES,
    POS_DELETED,
    POS_REJECTED,
    SKU_BLANK,
    SKU_NOT_LINKED,
    TOTAL_MISMATCH,
    LinkView,
    eligibility,
    stored_lines,
)
from sync.plan import Problem
from sync.problems import report
from sync.texts import Param, Params, msg, part

log = logging.getLogger(__name__)

CANCELLED_AFTER_PUSH = "cancelled_after_push"
CUSTOMER_REJECTED = "customer_rejected"
# Sapo sent an order without a readable id; the subject is its name or a stable key (issue 10).
UNREADABLE_NO_ID = "unreadable_no_id"
# An order already on POS came back in a form we cannot read: a cancel would go unseen.
UNREADABLE_CHANGE = "unreadable_change"
# Every code an order's error row can carry; a pushed order resolves them all (R19).
ORDER_ERROR_CODES = (
    DISCONNECTED,
    SKU_BLANK,
    SKU_NOT_LINKED,
    LINK_DELETED,
    POS_DELETED,
    LINK_ERROR,
    NO_LINES,
    TOTAL_MISMATCH,
    POS_REJECTED,
    CUSTOMER_REJECTED,
    INVALID_RECORD,
    UNREADABLE_NO_ID,
)
# Errors a run records again each time it reads the order again: like product problems, one
# a person dismissed stays dismissed while it lasts instead of coming back every run (R19).
RECURRING = frozenset({INVALID_RECORD, UNREADABLE_NO_ID, UNREADABLE_CHANGE})
NOT_ON_POS = (OrderStatus.PENDING, OrderStatus.SKIPPED, OrderStatus.FAILED)


def link_views(session: Session, *, connection_id: int, skus: Iterable[str]) -> dict[str, LinkView]:
    """The links of these (raw) SKUs, keyed by normalized SKU."""
    views = {}
    for sku in {normalize_sku(s) for s in skus} - {""}:
        link = repo.get_link(session, connection_id=connection_id, sku=sku)
        if link is not None:
            views[sku] = LinkView(link.sku, link.status, link.pos_variant_id)
    return views


def new_row(order: WebOrder, *, connection_id: int, cutover: datetime, now: datetime) -> Order:
    """The row of a web order seen for the first time: pending, or ineligible (R5)."""
    verdict = eligibility(order, cutover=cutover)
    return Order(
        connection_id=connection_id,
        web_order_id=order.id,
        web_order_name=order.name,
        web_created_on=order.created_on,
        customer_name=order.customer.full_name if order.customer else None,
        total=order.total_price,
        lines=stored_lines(order),
        status=OrderStatus.INELIGIBLE if verdict else OrderStatus.PENDING,
        reason_code=verdict.code if verdict else None,
        reason=verdict.reason if verdict else None,
        reason_params=_said(verdict.said) if verdict else None,
        created_at=now,
        updated_at=now,
    )


def store(
    session: Session, *, connection_id: int, order: WebOrder, cutover: datetime, now: datetime
) -> bool:
    """Upsert one web order read from the web; True when it was new.

    A known order that was cancelled on the web leaves the ledger (before POS) or gets an
    error row asking a person to cancel it on POS too (after POS; we never cancel there).
    """
    row = new_row(order, connection_id=connection_id, cutover=cutover, now=now)
    if repo.insert_order(session, order=row) is not None:
        return True
    found = repo.get_order(session, connection_id=connection_id, web_order_id=order.id)
    if found is None or not order.cancelled:
        return False
    if found.status in NOT_ON_POS and found.claimed_at is None:
        finish(
            session,
            row=found,
            status=OrderStatus.INELIGIBLE,
            code=CANCELLED,
            now=now,
            reason="cancelled on the web",
            said=msg("order_cancelled"),
        )
        resolve_order_errors(session, row=found, now=now)
    elif found.status == OrderStatus.PUSHED and found.reason_code != CANCELLED_AFTER_PUSH:
        found.reason_code = CANCELLED_AFTER_PUSH
        found.reason = f"cancelled on the web after it reached POS as {found.pos_order_code}"
        found.reason_params = msg("order_cancelled_after_push", pos_order=found.pos_order_code)
        repo.save(session, row=found)
        order_error(
            session,
            row=found,
            code=CANCELLED_AFTER_PUSH,
            now=now,
            message=f"{found.reason}: cancel it on POS by hand",
            params={"pos_order": found.pos_order_code},
        )
    return False


def finish(
    session: Session,
    *,
    row: Order,
    status: str,
    code: str | None,
    reason: str | None,
    now: datetime,
    order: WebOrder | None = None,
    said: Params | None = None,
) -> None:
    """End an attempt: the row's new status and reason, and the claim released.

    ``said`` is ``reason`` as a sentence of ``sync.texts`` (a ``msg.*`` or ``part.*``
    fragment); without it the row keeps the English reason only, never a stale sentence.

    With the order as read, the row takes its name and creation time too: a row stored from
    an unreadable answer had only placeholders, and the errors under the old name go.
    """
    row.status, row.reason_code, row.reason = status, code, reason
    row.reason_params = _said(said)
    row.claimed_at = None
    row.updated_at = now
    if order is not None:
        if row.web_order_name != order.name:
            resolve_order_errors(session, row=row, now=now)
            row.web_order_name = order.name
        row.web_created_on = order.created_on
        row.lines = stored_lines(order)
        row.total = order.total_price
        row.customer_name = order.customer.full_name if order.customer else row.customer_name
    repo.save(session, row=row)


def record_pushed(
    session: Session,
    *,
    row: Order,
    pos_order: PosOrder,
    config_version: int | None,
    order: WebOrder,
    now: datetime,
) -> None:
    """The order is on POS: remember which POS order, and clear its open errors (R19)."""
    row.pos_order_id, row.pos_order_code = pos_order.id, pos_order.code
    row.pushed_at = now
    if config_version is not None:
        row.config_version = config_version
    finish(
        session, row=row, status=OrderStatus.PUSHED, code=None, reason=None, now=now, order=order
    )
    resolve_order_errors(session, row=row, now=now)
    if pos_order.total != order.total_price:
        # worded like the totals a failed push names, "<order>: <why>", one sentence per code
        off = part(
            "pos_order_total_off",
            pos_order=pos_order.code,
            pos_total=pos_order.total,
            web_total=order.total_price,
        )
        order_error(
            session,
            row=row,
            code=TOTAL_MISMATCH,
            now=now,
            message=f"{row.web_order_name}: POS order {pos_order.code} total {pos_order.total} "
            f"differs from the web total {order.total_price}",
            params={"order": row.web_order_name, "reason": off},
        )


def release(
    session: Session,
    *,
    row: Order,
    now: datetime,
    reason: str | None = None,
    said: Params | None = None,
) -> None:
    """Give the claim back without a verdict (a retryable failure): try again next run.
    The reason code stays (it decides whether the run looks again); ``said`` words it."""
    row.claimed_at = None
    row.updated_at = now
    if reason is not None:
        row.reason = reason[:2000]
        row.reason_params = _said(said)
    repo.save(session, row=row)


def _said(said: Params | None) -> dict[str, Param] | None:
    """A sentence as stored on the row: a plain dict (JSON), or None."""
    return None if said is None else dict(said)


def order_error(
    session: Session,
    *,
    row: Order,
    code: str,
    message: str,
    now: datetime,
    params: Params | None = None,
) -> None:
    """Open or bump the order's error row; ``params`` are what ``message`` is built from."""
    subject_error(
        session,
        connection_id=row.connection_id,
        subject=row.web_order_name,
        code=code,
        message=message,
        now=now,
        params=params,
    )


def subject_error(
    session: Session,
    *,
    connection_id: int,
    subject: str,
    code: str,
    message: str,
    now: datetime,
    params: Params | None = None,
) -> None:
    """Open or bump the order error row of ``subject`` (an order name, or the key of an
    order without a readable id)."""
    if code in RECURRING:
        problem = Problem(code, subject, message, kind=ErrorKind.ORDER, params=params or {})
        report(session, connection_id=connection_id, problems=[problem], now=now)
    else:
        repo.record_error(
            session,
            connection_id=connection_id,
            kind=ErrorKind.ORDER,
            subject=subject,
            code=code,
            message=message,
            now=now,
            params=params,
        )
    log.info("order error order=%s code=%s", subject, code)


def resolve_order_errors(session: Session, *, row: Order, now: datetime) -> None:
    keys = [repo.fingerprint(ErrorKind.ORDER, row.web_order_name, c) for c in ORDER_ERROR_CODES]
    repo.resolve_errors(session, connection_id=row.connection_id, fingerprints=keys, now=now)
