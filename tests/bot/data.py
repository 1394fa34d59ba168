"""Rows put straight into storage, for bot tests where only the database matters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.main import BotApp
from storage import repo
from storage.models import Link, Order, SyncErrorRow

T0 = datetime(2026, 5, 12, 3, 0, tzinfo=UTC)


def add_links(bot: BotApp, rows: list[tuple[str, str, str, str | None]]) -> None:
    """(sku, name, status, reason) per link."""
    ctx = bot.deps.ctx
    with ctx.db.session() as session:
        for sku, name, status, reason in rows:
            repo.add_link(
                session,
                link=Link(
                    connection_id=ctx.connection_id,
                    sku=sku,
                    pos_sku=sku,
                    web_sku=sku,
                    name=name,
                    status=status,
                    reason=reason,
                    reason_code="x" if reason else None,
                    created_at=T0,
                    updated_at=T0,
                    last_synced_at=T0,
                ),
            )
        session.commit()


def add_orders(bot: BotApp, rows: list[tuple[str, str, str | None]]) -> None:
    """(name, status, customer) per web order."""
    ctx = bot.deps.ctx
    with ctx.db.session() as session:
        for i, (name, status, customer) in enumerate(rows):
            repo.insert_order(
                session,
                order=Order(
                    connection_id=ctx.connection_id,
                    web_order_id=900_000 + i,
                    web_order_name=name,
                    web_created_on=T0 + timedelta(minutes=i),
                    customer_name=customer,
                    total=350_000,
                    status=status,
                    reason=None if status == "pushed" else "a product is not linked",
                    pos_order_code="SON00042" if status == "pushed" else None,
                    created_at=T0,
                    updated_at=bot.deps.now(),
                ),
            )
        session.commit()


def add_error(bot: BotApp, *, kind: str, subject: str, code: str, message: str) -> SyncErrorRow:
    ctx = bot.deps.ctx
    with ctx.db.session() as session:
        row, _ = repo.record_error(
            session,
            connection_id=ctx.connection_id,
            kind=kind,
            subject=subject,
            code=code,
            message=message,
            now=ctx.clock(),
        )
        session.commit()
    return row


def resolve(bot: BotApp, row: SyncErrorRow) -> None:
    ctx = bot.deps.ctx
    with ctx.db.session() as session:
        repo.resolve_errors(
            session,
            connection_id=ctx.connection_id,
            fingerprints=[row.fingerprint],
            now=ctx.clock(),
        )
        session.commit()


def audit_actions(bot: BotApp) -> list[tuple[str, str, str]]:
    ctx = bot.deps.ctx
    with ctx.db.session() as session:
        events = repo.list_audit(session, connection_id=ctx.connection_id, limit=200)
    return [(e.actor, e.action, e.subject) for e in events]
