"""Link states a person sets (R13, R15, R16): disconnect, reconnect, delete; audited, idempotent."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from storage import repo
from storage.engine import Session
from storage.models import Link
from sync import linkrows
from sync.context import SyncContext
from sync.domain import LinkStatus, normalize_sku
from sync.errors import UserError
from sync.facts import pos_facts, web_facts
from sync.plan import PosFacts, WebFacts

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LinkChange:
    """What a link-state command did; ``changed`` is False when it was already so."""

    sku: str
    name: str
    before: LinkStatus
    after: LinkStatus
    changed: bool
    actor: str
    at: datetime
    note: str = ""


def disconnect(ctx: SyncContext, sku: str, *, actor: str) -> LinkChange:
    """Stop syncing one SKU (R15): no stock or price writes, its web orders are held."""
    return _change(ctx, sku, actor, "link.disconnect", LinkStatus.DISCONNECTED)


def delete_link(ctx: SyncContext, sku: str, *, actor: str) -> LinkChange:
    """Remove a link for good (R16): it leaves the list and sync never links the SKU again."""
    return _change(ctx, sku, actor, "link.delete", LinkStatus.DELETED)


def reconnect(ctx: SyncContext, sku: str, *, actor: str) -> LinkChange:
    """Resume a disconnected link (R15) from both sides' current state, read now."""
    key = normalize_sku(sku)
    with ctx.db.session() as session:
        row = _find(session, ctx.connection_id, key)
        status = LinkStatus(row.status)
        pos_id, web_id = row.pos_product_id, row.web_product_id
        pos_vid, web_vid = row.pos_variant_id, row.web_variant_id
    if status is LinkStatus.DELETED:
        raise UserError(f"the link of {key} was deleted for good and cannot come back (R16)")
    if status is LinkStatus.POS_DELETED:
        raise UserError(f"{key} was deleted on POS; there is nothing to reconnect (R11)")
    if status is not LinkStatus.DISCONNECTED:
        return _record(ctx, key, actor, "link.reconnect", status, status, None)
    pos = ctx.pos.product(pos_id) if pos_id is not None else None
    web = ctx.web.product(web_id) if web_id is not None else None
    pos_variant = next((v for v in pos.variants if v.id == pos_vid), None) if pos else None
    web_variant = next((v for v in web.variants if v.id == web_vid), None) if web else None
    if pos is None or pos_variant is None:
        raise UserError(f"the POS product of {key} no longer exists; delete the link instead")
    if web is None or web_variant is None:
        raise UserError(f"the web product of {key} no longer exists; delete the link instead")
    fresh = (pos_facts(pos, pos_variant), web_facts(web, web_variant))
    return _record(ctx, key, actor, "link.reconnect", status, LinkStatus.LINKED, fresh)


def _change(ctx: SyncContext, sku: str, actor: str, action: str, target: LinkStatus) -> LinkChange:
    key = normalize_sku(sku)
    with ctx.db.session() as session:
        status = LinkStatus(_find(session, ctx.connection_id, key).status)
    if status is LinkStatus.DELETED and target is not LinkStatus.DELETED:
        raise UserError(f"the link of {key} was deleted for good (R16)")
    return _record(ctx, key, actor, action, status, target, None)


def _record(
    ctx: SyncContext,
    key: str,
    actor: str,
    action: str,
    expected: LinkStatus,
    target: LinkStatus,
    fresh: tuple[PosFacts, WebFacts] | None,
) -> LinkChange:
    """Set the status (if it is still ``expected``), audit it and commit, all at once."""
    now = ctx.clock()
    with ctx.db.session() as session:
        row = _find(session, ctx.connection_id, key)
        before = LinkStatus(row.status)
        if before is not expected:
            raise UserError(f"{key} changed meanwhile (now {before.value}); try again")
        changed = before is not target
        if changed:
            row.status = target.value
            row.reason_code = None
            row.reason = None if target is LinkStatus.LINKED else f"{target.value} by {actor}"
            row.updated_at = now
            if fresh is not None:
                linkrows.set_pos(row, fresh[0])
                linkrows.set_web(row, fresh[1])
            repo.save(session, row=row)
        if changed and target is LinkStatus.DELETED:
            _resolve_errors_of(session, ctx.connection_id, key, now)
        repo.add_audit(
            session,
            connection_id=ctx.connection_id,
            actor=actor,
            action=action,
            subject=key,
            result=target.value if changed else "unchanged",
            now=now,
            detail={"from": before.value, "to": target.value},
        )
        session.commit()
        name = row.name
    log.info(
        "%s sku=%s from=%s to=%s changed=%s actor=%s", action, key, before, target, changed, actor
    )
    return LinkChange(key, name, before, target if changed else before, changed, actor, now)


def _find(session: Session, connection_id: int, key: str) -> Link:
    row = repo.get_link(session, connection_id=connection_id, sku=key)
    if row is None:
        raise UserError(f"no linked product has SKU {key!r}")
    return row


def _resolve_errors_of(session: Session, connection_id: int, key: str, now: datetime) -> None:
    """A deleted link's problems are moot; they leave the error list with it."""
    rows = repo.unresolved_errors(session, connection_id=connection_id, kind="product")
    keys = [r.fingerprint for r in rows if r.subject == key]
    repo.resolve_errors(session, connection_id=connection_id, fingerprints=keys, now=now)
