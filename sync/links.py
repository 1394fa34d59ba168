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
from sync.errors import UserError, no_linked_product
from sync.facts import pos_facts, web_facts
from sync.plan import PosFacts, WebFacts
from sync.texts import msg

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
    return _record(ctx, normalize_sku(sku), actor, "link.disconnect", LinkStatus.DISCONNECTED)


def delete_link(ctx: SyncContext, sku: str, *, actor: str) -> LinkChange:
    """Remove a link for good (R16): it leaves the list and sync never links the SKU again."""
    return _record(ctx, normalize_sku(sku), actor, "link.delete", LinkStatus.DELETED)


def reconnect(ctx: SyncContext, sku: str, *, actor: str) -> LinkChange:
    """Resume a disconnected link (R15) from both sides' current state, read now."""
    key = normalize_sku(sku)
    with ctx.db.session() as session:
        row = _find(session, ctx.connection_id, key)
        status = LinkStatus(row.status)
        ids = (row.pos_product_id, row.pos_variant_id, row.web_product_id, row.web_variant_id)
    fresh: tuple[PosFacts, WebFacts] | UserError | None = None
    if status is LinkStatus.DISCONNECTED:
        fresh = _read_both(ctx, key, *ids)  # Sapo first, outside the lock: it can be slow
    return _record(ctx, key, actor, "link.reconnect", LinkStatus.LINKED, fresh)


def _read_both(
    ctx: SyncContext,
    key: str,
    pos_id: int | None,
    pos_vid: int | None,
    web_id: int | None,
    web_vid: int | None,
) -> tuple[PosFacts, WebFacts] | UserError:
    """Both sides' facts as they are now, or why the link cannot resume."""
    pos = ctx.pos.product(pos_id) if pos_id is not None else None
    web = ctx.web.product(web_id) if web_id is not None else None
    pos_variant = next((v for v in pos.variants if v.id == pos_vid), None) if pos else None
    web_variant = next((v for v in web.variants if v.id == web_vid), None) if web else None
    if pos is None or pos_variant is None:
        text = f"the POS product of {key} no longer exists; delete the link instead"
        return UserError(text, said=msg("link_pos_gone", sku=key))
    if web is None or web_variant is None:
        text = f"the web product of {key} no longer exists; delete the link instead"
        return UserError(text, said=msg("link_web_gone", sku=key))
    return pos_facts(pos, pos_variant), web_facts(web, web_variant)


def _refusal(
    key: str,
    before: LinkStatus,
    target: LinkStatus,
    fresh: tuple[PosFacts, WebFacts] | UserError | None,
) -> UserError | None:
    """Why a person may not move a link from ``before`` to ``target`` now, or None.

    ``fresh`` is what a reconnect read from Sapo: facts, why it could not, or None when it
    read nothing because the link was not disconnected then.
    """
    if before is LinkStatus.DELETED and target is not LinkStatus.DELETED:
        text = f"the link of {key} was deleted for good and cannot come back (R16)"
        return UserError(text, said=msg("link_deleted_for_good", sku=key))
    if target is not LinkStatus.LINKED:
        return None
    if before is LinkStatus.POS_DELETED:
        text = f"{key} was deleted on POS; there is nothing to reconnect (R11)"
        return UserError(text, said=msg("link_pos_deleted", sku=key))
    if before is not LinkStatus.DISCONNECTED:
        return None  # live, or in error (which resumes once fixed on Sapo): nothing to do
    if isinstance(fresh, UserError):
        return fresh
    if fresh is None:
        text = f"{key} was disconnected meanwhile; press Reconnect again"
        return UserError(text, said=msg("link_disconnected_meanwhile", sku=key))
    return None


def _record(
    ctx: SyncContext,
    key: str,
    actor: str,
    action: str,
    target: LinkStatus,
    fresh: tuple[PosFacts, WebFacts] | UserError | None = None,
) -> LinkChange:
    """Decide on the link as it is now (locked), set it, audit the press and commit at once.

    Two admins pressing conflicting buttons take turns on the row lock: the second decides
    on what the first left, and a refused press is audited too, so the log shows both.
    """
    now = ctx.clock()
    with ctx.db.session() as session:
        row = repo.lock_link(session, connection_id=ctx.connection_id, sku=key)
        if row is None:
            raise no_linked_product(key)
        before = LinkStatus(row.status)
        refused = _refusal(key, before, target, fresh)
        resumes = target is not LinkStatus.LINKED or before is LinkStatus.DISCONNECTED
        changed = refused is None and before is not target and resumes
        if changed:
            row.status = target.value
            if target is LinkStatus.LINKED:
                row.reason_code = row.reason = row.reason_params = None
            else:  # who did it, told in the bot's language (disconnected_by, deleted_by)
                row.reason_code = f"{target.value}_by"
                row.reason = f"{target.value} by {actor}"
                row.reason_params = {"actor": actor}
            row.updated_at = now
            if isinstance(fresh, tuple):
                linkrows.set_pos(row, fresh[0])
                linkrows.set_web(row, fresh[1])
            repo.save(session, row=row)
        if changed and target is LinkStatus.DELETED:
            _resolve_errors_of(session, ctx.connection_id, key, now)
        detail = {"from": before.value, "to": target.value}
        result = "refused" if refused else target.value if changed else "unchanged"
        repo.add_audit(
            session,
            connection_id=ctx.connection_id,
            actor=actor,
            action=action,
            subject=key,
            result=result,
            now=now,
            detail={**detail, "reason": str(refused)} if refused else detail,
        )
        session.commit()
        name = row.name
    log.info(
        "%s sku=%s from=%s to=%s result=%s actor=%s", action, key, before, target, result, actor
    )
    if refused is not None:
        raise refused
    return LinkChange(key, name, before, target if changed else before, changed, actor, now)


def _find(session: Session, connection_id: int, key: str) -> Link:
    row = repo.get_link(session, connection_id=connection_id, sku=key)
    if row is None:
        raise no_linked_product(key)
    return row


def _resolve_errors_of(session: Session, connection_id: int, key: str, now: datetime) -> None:
    """A deleted link's problems are moot; they leave the error list with it."""
    rows = repo.unresolved_errors(session, connection_id=connection_id, kind="product")
    keys = [r.fingerprint for r in rows if r.subject == key]
    repo.resolve_errors(session, connection_id=connection_id, fingerprints=keys, now=now)
