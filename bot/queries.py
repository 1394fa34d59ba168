"""Reading lists and status from storage into the builders' plain rows (short DB reads)."""

from __future__ import annotations

from bot.deps import BotDeps, stamp
from bot.views.kit import Message
from bot.views.lists import (
    PAGE_SIZE,
    ErrorRow,
    ListQuery,
    OrderRow,
    ProductRow,
    errors_page,
    orders_page,
    products_page,
)
from bot.views.status import status_message
from storage import repo
from sync.status import StatusReport, collect_status


def page(deps: BotDeps, query: ListQuery) -> Message:
    """One page of the product, order or error list."""
    ctx, t = deps.ctx, deps.t
    with ctx.db.session() as session:
        if query.kind == "products":
            links, total = repo.list_links(
                session,
                connection_id=ctx.connection_id,
                status=query.status,
                text=query.text,
                limit=PAGE_SIZE,
                offset=query.offset,
            )
            products = [
                ProductRow(
                    sku=link.sku,
                    name=link.name,
                    status=link.status,
                    reason=link.reason,
                    cost_review=link.cost_review,
                    last_synced_at=link.last_synced_at,
                    reason_code=link.reason_code,
                    reason_params=link.reason_params,
                )
                for link in links
            ]
            return products_page(t, products, total, query, deps.tz, stamp())
        if query.kind == "orders":
            rows, total = repo.list_orders(
                session,
                connection_id=ctx.connection_id,
                status=query.status,
                text=query.text,
                limit=PAGE_SIZE,
                offset=query.offset,
            )
            orders = [
                OrderRow(
                    name=row.web_order_name,
                    status=row.status,
                    customer=row.customer_name,
                    total=row.total,
                    pos_code=row.pos_order_code,
                    reason=row.reason,
                    created=row.web_created_on,
                    reason_params=row.reason_params,
                )
                for row in rows
            ]
            return orders_page(t, orders, total, query, deps.tz, stamp())
        found, total = repo.list_open_errors(
            session,
            connection_id=ctx.connection_id,
            kind=query.status,
            limit=PAGE_SIZE,
            offset=query.offset,
        )
        errors = [
            ErrorRow(
                id=row.id or 0,
                kind=row.kind,
                subject=row.subject,
                code=row.code,
                message=row.message,
                count=row.count,
                last_seen=row.last_seen,
                params=row.params,
            )
            for row in found
        ]
        return errors_page(t, errors, total, query, deps.tz, stamp())


def status(deps: BotDeps) -> StatusReport:
    jobs = deps.scheduler.jobs() if deps.scheduler is not None else ()
    return collect_status(
        deps.ctx, tz=deps.tz, jobs=jobs, scheduler_healthy=deps.scheduler_healthy()
    )


def status_reply(deps: BotDeps) -> Message:
    return status_message(deps.t, status(deps), deps.tz)
