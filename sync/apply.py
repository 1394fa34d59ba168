"""Applying a plan: each unit of work is API write(s) then one commit of what they changed."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import zip_longest

from storage import repo
from storage.engine import Session
from storage.models import Link
from sync import creating, linkrows
from sync.context import SyncContext
from sync.domain import LinkStatus
from sync.errors import RecordError, RetryableError
from sync.plan import (
    CreateWebProduct,
    CreateWebVariant,
    Creation,
    Plan,
    Problem,
    PushPrice,
    PushStock,
)

log = logging.getLogger(__name__)
CHUNK = 100  # writes per commit: a crash repeats at most this many idempotent writes


@dataclass
class Outcome:
    """What applying did: counts of done work, per-item failures, and why it stopped early."""

    done: Counter[str] = field(default_factory=Counter)
    failures: list[Problem] = field(default_factory=list)
    interrupted: Problem | None = None

    def fail(self, subject: str, code: str, exc: Exception) -> None:
        # the API's own words stay as they are: they are what a person quotes to Sapo
        error = f"{exc}"
        self.failures.append(Problem(code, subject, error, params={"error": error}))
        if isinstance(exc, RetryableError) and self.interrupted is None:
            self.interrupted = Problem(
                "sync_interrupted",
                "catalog",
                f"the cycle stopped after a temporary failure ({error}); the next cycle resumes",
                params={"error": error},
            )


def apply(ctx: SyncContext, plan: Plan, *, actor: str, now: datetime) -> Outcome:
    """Apply everything in order: link bookkeeping, creations, stock, prices."""
    outcome = Outcome()
    _bookkeeping(ctx, plan, actor=actor, now=now, outcome=outcome)
    stock = list(plan.stock)
    for action in _in_turns(plan.creations):
        if outcome.interrupted is not None:
            break
        stock.extend(creating.create(ctx, action, now=now, actor=actor, outcome=outcome))
    if outcome.interrupted is None:
        _stock(ctx, stock, now=now, outcome=outcome)
    if outcome.interrupted is None:
        _prices(ctx, plan.prices, now=now, outcome=outcome)
    return outcome


def _in_turns(creations: Sequence[Creation]) -> list[Creation]:
    """Web and POS creations taking turns, each side in the plan's order.

    Each API has its own call budget: one after the other, a first link waits for the POS
    bucket while the web one sits idle; in turns, both leak at once (issue 9: 10 000 variants,
    750 creates, 21 s of 205 spent waiting on one bucket).
    """
    web = [c for c in creations if isinstance(c, CreateWebProduct | CreateWebVariant)]
    pos = [c for c in creations if not isinstance(c, CreateWebProduct | CreateWebVariant)]
    return [c for pair in zip_longest(web, pos) for c in pair if c is not None]


def _bookkeeping(
    ctx: SyncContext, plan: Plan, *, actor: str, now: datetime, outcome: Outcome
) -> None:
    """New links, status changes, rebinds and refreshed facts: database only, one commit."""
    cid = ctx.connection_id
    with ctx.db.session() as session:
        skus = [a.sku for a in plan.statuses] + [a.sku for a in plan.rebinds]
        skus += [a.sku for a in plan.refresh]
        rows = repo.links_by_sku(session, connection_id=cid, skus=skus)
        for refresh in plan.refresh:
            row = rows.get(refresh.sku)
            if row is not None:
                if refresh.pos is not None:
                    linkrows.set_pos(row, refresh.pos)
                if refresh.web is not None:
                    linkrows.set_web(row, refresh.web)
                row.updated_at = now
                session.add(row)
        for change in plan.statuses:
            row = rows.get(change.sku)
            if row is None or row.status != change.before.value:
                continue  # a person changed it meanwhile (disconnect, delete): theirs wins
            row.status, row.reason_code = change.status.value, change.reason_code
            live = change.status is LinkStatus.LINKED
            row.reason = None if live else change.reason
            row.reason_params = None if live else dict(change.params)
            row.updated_at = now
            session.add(row)
            outcome.done[f"status_{change.status.value}"] += 1
            repo.add_audit(
                session,
                connection_id=cid,
                actor=actor,
                action="link.status",
                subject=change.sku,
                result=change.status.value,
                now=now,
                detail={"from": change.before.value, "reason": change.reason},
            )
        for rebind in plan.rebinds:
            row = rows.get(rebind.sku)
            if row is None or row.status == LinkStatus.DELETED.value:
                continue
            linkrows.set_pos(row, rebind.pos)
            linkrows.set_web(row, rebind.web)
            row.status, row.reason_code, row.reason = LinkStatus.LINKED.value, None, None
            row.reason_params = None
            row.updated_at = now
            session.add(row)
            outcome.done["rebind"] += 1
        new = [
            linkrows.new_row(
                connection_id=cid,
                sku=pair.sku,
                pos=pair.pos,
                web=pair.web,
                now=now,
                status=pair.status,
                reason_code=pair.reason_code,
                reason=None if pair.status is LinkStatus.LINKED else pair.reason,
                reason_params=pair.reason_params,
            )
            for pair in plan.links
        ]
        repo.add_links(session, links=new)
        outcome.done["link"] += len(new)
        session.commit()


def _live_rows(ctx: SyncContext, session: Session, skus: Sequence[str]) -> dict[str, Link]:
    rows = repo.links_by_sku(session, connection_id=ctx.connection_id, skus=skus)
    return {sku: row for sku, row in rows.items() if row.status == LinkStatus.LINKED.value}


def _still_linked(session: Session, row: Link) -> bool:
    """Right before its write: a person may have disconnected or deleted the link since its
    chunk was read, while the writes before it were on the wire (R15, R16). One read by
    primary key, no API call."""
    assert row.id is not None
    return repo.link_status(session, link_id=row.id) == LinkStatus.LINKED.value


def _stock(
    ctx: SyncContext, pushes: Sequence[PushStock], *, now: datetime, outcome: Outcome
) -> None:
    """Set web stock (R8) chunk by chunk; a link disconnected or deleted meanwhile, even
    while the chunk's earlier writes were sent, is skipped (R15, R16)."""
    for start in range(0, len(pushes), CHUNK):
        chunk = pushes[start : start + CHUNK]
        with ctx.db.session() as session:
            rows = _live_rows(ctx, session, [p.sku for p in chunk])
            for push in chunk:
                row = rows.get(push.sku)
                if row is None or not _still_linked(session, row):
                    continue
                try:
                    ctx.web.set_stock(
                        inventory_item_id=push.inventory_item_id,
                        location_id=push.location_id,
                        available=push.after,
                    )
                except (RecordError, RetryableError) as exc:
                    outcome.fail(push.sku, "stock_write_failed", exc)
                    if outcome.interrupted is not None:
                        break
                    continue
                row.last_stock_written, row.last_synced_at, row.updated_at = push.after, now, now
                session.add(row)
                outcome.done["stock"] += 1
            session.commit()
        if outcome.interrupted is not None:
            return


def _prices(
    ctx: SyncContext, pushes: Sequence[PushPrice], *, now: datetime, outcome: Outcome
) -> None:
    """Set web prices from the configured price list (R18), chunk by chunk; a link no longer
    linked when its turn comes is skipped (R15, R16)."""
    for start in range(0, len(pushes), CHUNK):
        chunk = pushes[start : start + CHUNK]
        with ctx.db.session() as session:
            rows = _live_rows(ctx, session, [p.sku for p in chunk])
            for push in chunk:
                row = rows.get(push.sku)
                if row is None or not _still_linked(session, row):
                    continue
                try:
                    ctx.web.update_variant_price(push.web_variant_id, push.after)
                except (RecordError, RetryableError) as exc:
                    outcome.fail(push.sku, "price_write_failed", exc)
                    if outcome.interrupted is not None:
                        break
                    continue
                web = linkrows.web_from(row)
                if web is not None:
                    # what we wrote is what the web now holds: an incremental cycle that does
                    # not re-read the product must not see the old price and write it again
                    row.last_web_values = {**linkrows.web_json(web), "price": push.after}
                row.last_price_written, row.last_synced_at, row.updated_at = push.after, now, now
                session.add(row)
                outcome.done["price"] += 1
            session.commit()
        if outcome.interrupted is not None:
            return
