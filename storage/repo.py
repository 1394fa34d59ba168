"""Queries: keyword-only functions that take a Session and never commit."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage.models import (
    AlertMessage,
    AuditEvent,
    ConfigVersion,
    Connection,
    Cursor,
    Delivery,
    Lease,
    Link,
    Order,
    Setup,
    SyncErrorRow,
    search_key,
)

LIVE_STATUSES = ("linked", "error", "disconnected", "pos_deleted")

# ---------------------------------------------------------------- connections


def ensure_connection(
    session: Session, *, name: str, pos_url: str, web_url: str, now: datetime
) -> Connection:
    found = session.exec(select(Connection).where(Connection.name == name)).first()
    if found is not None:
        if (found.pos_url, found.web_url) != (pos_url, web_url):
            found.pos_url, found.web_url = pos_url, web_url
            session.add(found)
            session.flush()
        return found
    row = Connection(name=name, pos_url=pos_url, web_url=web_url, created_at=now)
    session.add(row)
    session.flush()
    return row


# ---------------------------------------------------------------- links


def get_link(session: Session, *, connection_id: int, sku: str) -> Link | None:
    return session.exec(
        select(Link).where(Link.connection_id == connection_id, Link.sku == sku)
    ).first()


def lock_link(session: Session, *, connection_id: int, sku: str) -> Link | None:
    """The link row as last committed, locked until the session ends: two people changing
    one link at once take turns, and the second sees what the first did.

    PostgreSQL locks the row (``FOR UPDATE``). SQLite has no row locks and ignores that
    clause, so a write that changes nothing takes the database's one write lock first.
    """
    where = (col(Link.connection_id) == connection_id, col(Link.sku) == sku)
    if session.get_bind().dialect.name == "sqlite":
        session.exec(
            update(Link)
            .where(*where)
            .values(sku=col(Link.sku))
            .execution_options(synchronize_session=False)
        )
    return session.exec(
        select(Link).where(*where).with_for_update().execution_options(populate_existing=True)
    ).first()


def link_status(session: Session, *, link_id: int) -> str | None:
    """A link's status as last committed (None once gone), read without flushing the
    session: its pending writes would take SQLite's one write lock until it commits."""
    with session.no_autoflush:
        return session.exec(select(Link.status).where(Link.id == link_id)).first()


def all_links(session: Session, *, connection_id: int) -> Sequence[Link]:
    return session.exec(select(Link).where(Link.connection_id == connection_id)).all()


def list_links(
    session: Session,
    *,
    connection_id: int,
    status: str | None = None,
    text: str | None = None,
    limit: int = 20,
    offset: int = 0,
) -> tuple[Sequence[Link], int]:
    """A page of the product list (R13) and the total; tombstones never show."""
    query = select(Link).where(Link.connection_id == connection_id, Link.status != "deleted")
    if status:
        query = query.where(Link.status == status)
    if text:
        query = query.where(col(Link.search_text).like(f"%{search_key(text)}%"))
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(col(Link.sku)).offset(offset).limit(limit)).all()
    return rows, int(total)


def count_links_by_status(session: Session, *, connection_id: int) -> dict[str, int]:
    rows = session.exec(
        select(Link.status, func.count())
        .where(Link.connection_id == connection_id)
        .group_by(col(Link.status))
    ).all()
    return {status: int(count) for status, count in rows}


def add_link(session: Session, *, link: Link) -> Link:
    """Insert a new link; the database refuses a SKU already linked or tombstoned."""
    session.add(link)
    session.flush()
    return link


def add_links(session: Session, *, links: Iterable[Link]) -> None:
    """Insert many new links with one flush (the first link stores thousands at once)."""
    session.add_all(list(links))
    session.flush()


def links_by_sku(session: Session, *, connection_id: int, skus: Iterable[str]) -> dict[str, Link]:
    """The links of these SKUs, fetched in chunks (a cycle re-reads them before writing)."""
    keys = list(dict.fromkeys(skus))
    found: dict[str, Link] = {}
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        rows = session.exec(
            select(Link).where(Link.connection_id == connection_id, col(Link.sku).in_(chunk))
        ).all()
        found.update((row.sku, row) for row in rows)
    return found


def save(session: Session, *, row: Any) -> None:
    session.add(row)
    session.flush()


# ---------------------------------------------------------------- orders


def get_order(session: Session, *, connection_id: int, web_order_id: int) -> Order | None:
    return session.exec(
        select(Order).where(
            Order.connection_id == connection_id, Order.web_order_id == web_order_id
        )
    ).first()


def find_order_by_name(session: Session, *, connection_id: int, name: str) -> Order | None:
    wanted = name if name.startswith("#") else f"#{name}"
    return session.exec(
        select(Order).where(
            Order.connection_id == connection_id,
            or_(col(Order.web_order_name) == wanted, col(Order.web_order_name) == name),
        )
    ).first()


def insert_order(session: Session, *, order: Order) -> Order | None:
    """Insert an order row; ``None`` when the web order is already known (unique key)."""
    try:
        with session.begin_nested():
            session.add(order)
            session.flush()
    except IntegrityError:
        return None
    return order


def claim_order(
    session: Session,
    *,
    connection_id: int,
    web_order_id: int,
    statuses: Iterable[str],
    now: datetime,
    stale_before: datetime,
) -> Order | None:
    """Take an order for one push attempt (compare-and-set), or ``None`` when it is not in
    ``statuses`` or another attempt has held it since ``stale_before``.

    Bumps ``attempts`` and sets ``claimed_at``, so two processes never push one order at once.
    """
    result = session.exec(
        update(Order)
        .where(
            col(Order.connection_id) == connection_id,
            col(Order.web_order_id) == web_order_id,
            col(Order.status).in_(list(statuses)),
            or_(col(Order.claimed_at).is_(None), col(Order.claimed_at) < stale_before),
        )
        .values(claimed_at=now, attempts=col(Order.attempts) + 1, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return None
    row = get_order(session, connection_id=connection_id, web_order_id=web_order_id)
    if row is not None:
        session.refresh(row)
    return row


def renew_claim(
    session: Session,
    *,
    connection_id: int,
    web_order_id: int,
    claimed_at: datetime,
    now: datetime,
) -> bool:
    """Refresh an attempt's claim just before it creates something (compare-and-set).

    False when the claim taken at ``claimed_at`` is no longer this attempt's: it went stale
    and another attempt took the order over, so this one must not create the POS order.
    """
    result = session.exec(
        update(Order)
        .where(
            col(Order.connection_id) == connection_id,
            col(Order.web_order_id) == web_order_id,
            col(Order.claimed_at) == claimed_at,
        )
        .values(claimed_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)


def list_orders(
    session: Session,
    *,
    connection_id: int,
    status: str | None = None,
    text: str | None = None,
    limit: int = 20,
    offset: int = 0,
) -> tuple[Sequence[Order], int]:
    query = select(Order).where(Order.connection_id == connection_id)
    if status:
        query = query.where(Order.status == status)
    if text:
        query = query.where(col(Order.search_text).like(f"%{search_key(text)}%"))
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(
        query.order_by(col(Order.web_created_on).desc()).offset(offset).limit(limit)
    ).all()
    return rows, int(total)


def orders_with_status(
    session: Session, *, connection_id: int, statuses: Iterable[str]
) -> Sequence[Order]:
    return session.exec(
        select(Order).where(
            Order.connection_id == connection_id, col(Order.status).in_(list(statuses))
        )
    ).all()


def count_orders_by_status(
    session: Session, *, connection_id: int, since: datetime | None = None
) -> dict[str, int]:
    query = select(Order.status, func.count()).where(Order.connection_id == connection_id)
    if since is not None:
        query = query.where(Order.updated_at >= since)
    rows = session.exec(query.group_by(col(Order.status))).all()
    return {status: int(count) for status, count in rows}


# ---------------------------------------------------------------- errors (R19)


def fingerprint(kind: str, subject: str, code: str) -> str:
    return f"{kind}:{code}:{subject}"[:400]


def record_error(
    session: Session,
    *,
    connection_id: int,
    kind: str,
    subject: str,
    code: str,
    message: str,
    now: datetime,
    params: Mapping[str, Any] | None = None,
) -> tuple[SyncErrorRow, bool]:
    """Open or bump the error row of this fingerprint; True when it is new or reopened.

    ``params`` are what ``message`` is built from; the latest sighting's replace the old.
    """
    key = fingerprint(kind, subject, code)
    row = session.exec(
        select(SyncErrorRow).where(
            SyncErrorRow.connection_id == connection_id, SyncErrorRow.fingerprint == key
        )
    ).first()
    if row is None:
        row = SyncErrorRow(
            connection_id=connection_id,
            fingerprint=key,
            kind=kind,
            subject=subject[:255],
            code=code,
            message=message[:4000],
            params=None if params is None else dict(params),
            first_seen=now,
            last_seen=now,
        )
        session.add(row)
        session.flush()
        return row, True
    reopened = row.resolved_at is not None or row.dismissed_at is not None
    if reopened:
        row.count = 1
        row.first_seen = now
        row.resolved_at = row.dismissed_at = None
        row.dismissed_by = None
    else:
        row.count += 1
    row.last_seen = now
    row.message = message[:4000]
    row.params = None if params is None else dict(params)
    session.add(row)
    session.flush()
    return row, reopened


def open_errors(
    session: Session, *, connection_id: int, kind: str | None = None
) -> Sequence[SyncErrorRow]:
    query = select(SyncErrorRow).where(
        SyncErrorRow.connection_id == connection_id,
        col(SyncErrorRow.resolved_at).is_(None),
        col(SyncErrorRow.dismissed_at).is_(None),
    )
    if kind:
        query = query.where(SyncErrorRow.kind == kind)
    return session.exec(query.order_by(col(SyncErrorRow.last_seen).desc())).all()


def unresolved_errors(session: Session, *, connection_id: int, kind: str) -> Sequence[SyncErrorRow]:
    """Rows not resolved yet, dismissed ones included (a dismissed problem may still exist)."""
    return session.exec(
        select(SyncErrorRow).where(
            SyncErrorRow.connection_id == connection_id,
            SyncErrorRow.kind == kind,
            col(SyncErrorRow.resolved_at).is_(None),
        )
    ).all()


def count_errors(session: Session, *, connection_id: int) -> int:
    """Every error row ever opened, resolved and dismissed ones included."""
    total = session.exec(
        select(func.count())
        .select_from(SyncErrorRow)
        .where(SyncErrorRow.connection_id == connection_id)
    ).one()
    return int(total)


def get_error(session: Session, *, connection_id: int, error_id: int) -> SyncErrorRow | None:
    row = session.get(SyncErrorRow, error_id)
    return row if row is not None and row.connection_id == connection_id else None


def resolve_errors(
    session: Session, *, connection_id: int, fingerprints: Iterable[str], now: datetime
) -> list[SyncErrorRow]:
    """Mark these open errors resolved; returns the rows that changed."""
    keys = list(fingerprints)
    if not keys:
        return []
    rows = session.exec(
        select(SyncErrorRow).where(
            SyncErrorRow.connection_id == connection_id,
            col(SyncErrorRow.fingerprint).in_(keys),
            col(SyncErrorRow.resolved_at).is_(None),
            col(SyncErrorRow.dismissed_at).is_(None),
        )
    ).all()
    for row in rows:
        row.resolved_at = now
        session.add(row)
    session.flush()
    return list(rows)


# ---------------------------------------------------------------- config (R18)


def latest_config(session: Session, *, connection_id: int) -> ConfigVersion | None:
    return session.exec(
        select(ConfigVersion)
        .where(ConfigVersion.connection_id == connection_id)
        .order_by(col(ConfigVersion.version).desc())
    ).first()


def config_at(session: Session, *, connection_id: int, moment: datetime) -> ConfigVersion | None:
    """The version in force at ``moment`` (never retroactive); the first one before any."""
    found = session.exec(
        select(ConfigVersion)
        .where(ConfigVersion.connection_id == connection_id, ConfigVersion.effective_from <= moment)
        .order_by(col(ConfigVersion.effective_from).desc(), col(ConfigVersion.version).desc())
    ).first()
    if found is not None:
        return found
    return session.exec(
        select(ConfigVersion)
        .where(ConfigVersion.connection_id == connection_id)
        .order_by(col(ConfigVersion.version))
    ).first()


def add_config_version(session: Session, *, row: ConfigVersion) -> ConfigVersion:
    latest = latest_config(session, connection_id=row.connection_id)
    row.version = 1 if latest is None else latest.version + 1
    session.add(row)
    session.flush()
    return row


# ---------------------------------------------------------------- audit, cursors, setup


def add_audit(
    session: Session,
    *,
    connection_id: int,
    actor: str,
    action: str,
    subject: str,
    result: str,
    now: datetime,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    row = AuditEvent(
        connection_id=connection_id,
        actor=actor,
        action=action,
        subject=subject[:255],
        result=result,
        detail=detail,
        at=now,
    )
    session.add(row)
    session.flush()
    return row


def list_audit(
    session: Session, *, connection_id: int, subject: str | None = None, limit: int = 50
) -> Sequence[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.connection_id == connection_id)
    if subject is not None:
        query = query.where(AuditEvent.subject == subject)
    return session.exec(query.order_by(col(AuditEvent.id).desc()).limit(limit)).all()


def last_audit(
    session: Session, *, connection_id: int, action: str, result: str
) -> AuditEvent | None:
    """The newest audit event of ``action`` that ended in ``result``."""
    return session.exec(
        select(AuditEvent)
        .where(
            AuditEvent.connection_id == connection_id,
            AuditEvent.action == action,
            AuditEvent.result == result,
        )
        .order_by(col(AuditEvent.id).desc())
        .limit(1)
    ).first()


def get_cursor(session: Session, *, connection_id: int, resource: str) -> str | None:
    row = session.get(Cursor, (connection_id, resource))
    return None if row is None else row.value


def set_cursor(
    session: Session, *, connection_id: int, resource: str, value: str, now: datetime
) -> None:
    row = session.get(Cursor, (connection_id, resource))
    if row is None:
        row = Cursor(connection_id=connection_id, resource=resource, value=value, updated_at=now)
    else:
        row.value, row.updated_at = value, now
    session.add(row)
    session.flush()


def advance_cursor(
    session: Session, *, connection_id: int, resource: str, value: str, now: datetime
) -> bool:
    """Move a cursor forward only (values must sort as text, e.g. ISO 8601 in UTC); safe
    when two runs store the same cursor at once. True when it moved."""
    row = session.get(Cursor, (connection_id, resource), with_for_update=True)
    if row is None:
        try:
            with session.begin_nested():
                row = Cursor(
                    connection_id=connection_id, resource=resource, value=value, updated_at=now
                )
                session.add(row)
                session.flush()
            return True
        except IntegrityError:  # the other run inserted it first: compare with its value
            row = session.get(Cursor, (connection_id, resource), populate_existing=True)
            assert row is not None
    if value <= row.value:
        return False
    row.value, row.updated_at = value, now
    session.add(row)
    session.flush()
    return True


def get_setup(session: Session, *, connection_id: int) -> Setup | None:
    return session.get(Setup, connection_id)


def record_setup(
    session: Session, *, connection_id: int, cutover_at: datetime, completed_by: str
) -> Setup:
    existing = session.get(Setup, connection_id)
    if existing is not None:
        return existing
    row = Setup(connection_id=connection_id, cutover_at=cutover_at, completed_by=completed_by)
    session.add(row)
    session.flush()
    return row


# ---------------------------------------------------------------- alerts, leases, deliveries


def get_alert(session: Session, *, connection_id: int, fingerprint: str) -> AlertMessage | None:
    return session.exec(
        select(AlertMessage).where(
            AlertMessage.connection_id == connection_id, AlertMessage.fingerprint == fingerprint
        )
    ).first()


def list_alerts(session: Session, *, connection_id: int) -> Sequence[AlertMessage]:
    """Every alert message the bot keeps (open ones and those already marked closed)."""
    return session.exec(
        select(AlertMessage)
        .where(AlertMessage.connection_id == connection_id)
        .order_by(col(AlertMessage.id))
    ).all()


def errors_by_fingerprint(
    session: Session, *, connection_id: int, fingerprints: Iterable[str]
) -> dict[str, SyncErrorRow]:
    keys = list(fingerprints)
    if not keys:
        return {}
    rows = session.exec(
        select(SyncErrorRow).where(
            SyncErrorRow.connection_id == connection_id, col(SyncErrorRow.fingerprint).in_(keys)
        )
    ).all()
    return {row.fingerprint: row for row in rows}


def list_open_errors(
    session: Session,
    *,
    connection_id: int,
    kind: str | None = None,
    limit: int = 20,
    offset: int = 0,
) -> tuple[Sequence[SyncErrorRow], int]:
    """A page of the open errors (R19), newest first, and their total."""
    query = select(SyncErrorRow).where(
        SyncErrorRow.connection_id == connection_id,
        col(SyncErrorRow.resolved_at).is_(None),
        col(SyncErrorRow.dismissed_at).is_(None),
    )
    if kind:
        query = query.where(SyncErrorRow.kind == kind)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(
        query.order_by(col(SyncErrorRow.last_seen).desc(), col(SyncErrorRow.id).desc())
        .offset(offset)
        .limit(limit)
    ).all()
    return rows, int(total)


def count_open_errors_by_kind(session: Session, *, connection_id: int) -> dict[str, int]:
    rows = session.exec(
        select(SyncErrorRow.kind, func.count())
        .where(
            SyncErrorRow.connection_id == connection_id,
            col(SyncErrorRow.resolved_at).is_(None),
            col(SyncErrorRow.dismissed_at).is_(None),
        )
        .group_by(col(SyncErrorRow.kind))
    ).all()
    return {kind: int(count) for kind, count in rows}


def count_cost_review(session: Session, *, connection_id: int) -> int:
    """Live links whose POS cost price came from the web price and awaits a review (R6)."""
    total = session.exec(
        select(func.count())
        .select_from(Link)
        .where(
            Link.connection_id == connection_id,
            col(Link.cost_review).is_(True),
            Link.status != "deleted",
        )
    ).one()
    return int(total)


def acquire_lease(
    session: Session, *, name: str, holder: str, now: datetime, ttl: timedelta
) -> bool:
    """Take or renew the lease ``name``; False while another holder's lease is current.

    One conditional UPDATE decides, so the database settles a race on both engines: SQLite
    ignores ``FOR UPDATE``, and a lease read first and written after let two processes
    each see it expired and each take it. A missing lease is inserted; of two inserts the
    primary key lets one through.
    """
    taken = session.exec(
        update(Lease)
        .where(
            col(Lease.name) == name,
            or_(col(Lease.holder) == holder, col(Lease.expires_at) <= now),
        )
        .values(holder=holder, expires_at=now + ttl)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount == 1:
        return True
    if session.exec(select(Lease.name).where(Lease.name == name)).first() is not None:
        return False  # another holder's, and current
    try:
        with session.begin_nested():
            session.add(Lease(name=name, holder=holder, expires_at=now + ttl))
            session.flush()
    except IntegrityError:  # another process inserted it first: the lease is theirs
        return False
    return True


def take_over_lease(
    session: Session, *, name: str, old: str, holder: str, now: datetime, ttl: timedelta
) -> bool:
    """Take the lease from ``old`` (a holder known to be gone), only while ``old`` has it."""
    taken = session.exec(
        update(Lease)
        .where(col(Lease.name) == name, col(Lease.holder) == old)
        .values(holder=holder, expires_at=now + ttl)
        .execution_options(synchronize_session=False)
    )
    return bool(taken.rowcount == 1)


def get_lease(session: Session, *, name: str) -> Lease | None:
    """The lease row (who holds it and until when), to tell a person who is syncing."""
    return session.get(Lease, name, populate_existing=True)


def release_lease(session: Session, *, name: str, holder: str) -> None:
    """Give the lease back, only while ``holder`` still has it: a holder whose lease
    expired and was taken over must not delete its successor's."""
    session.exec(
        delete(Lease)
        .where(col(Lease.name) == name, col(Lease.holder) == holder)
        .execution_options(synchronize_session=False)
    )


def delivery_key_stored(key: str) -> str:
    """The key as stored: a key too long for the column, or holding NUL (PostgreSQL refuses
    it in text), is kept as its SHA-256, so two keys never collide by being cut short."""
    if len(key) <= 300 and "\x00" not in key:
        return key
    return "sha256:" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def claim_delivery(session: Session, *, connection_id: int, key: str, now: datetime) -> bool:
    """Record an idempotency key; False when it was seen before (do the work once)."""
    stored = delivery_key_stored(key)
    try:
        with session.begin_nested():
            session.add(Delivery(connection_id=connection_id, key=stored, received_at=now))
            session.flush()
    except IntegrityError:
        return False
    return True


def release_delivery(session: Session, *, connection_id: int, key: str) -> None:
    """Forget an idempotency key whose work failed, so the same request may be done again."""
    session.exec(
        delete(Delivery)
        .where(
            col(Delivery.connection_id) == connection_id,
            col(Delivery.key) == delivery_key_stored(key),
        )
        .execution_options(synchronize_session=False)
    )


# ---------------------------------------------------------------- retention


def prune_deliveries(
    session: Session, *, connection_id: int, received_before: datetime, limit: int
) -> int:
    """Delete at most ``limit`` of the oldest idempotency keys received before
    ``received_before``; returns how many went. One short statement per batch, so a large
    backlog never holds the table's locks for long (the caller commits between batches)."""
    oldest = (
        select(Delivery.id)
        .where(Delivery.connection_id == connection_id, Delivery.received_at < received_before)
        .order_by(col(Delivery.received_at))
        .limit(limit)
    )
    result = session.exec(
        delete(Delivery)
        .where(col(Delivery.id).in_(oldest.scalar_subquery()))
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)
