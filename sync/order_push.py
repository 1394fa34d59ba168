"""One attempt to put one web order on POS, exactly once (R5, R15, R18, R20)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import timedelta

from storage import repo
from storage.models import Order
from sync import order_store as store
from sync.config import config_at, ensure_config
from sync.context import SyncContext
from sync.domain import OrderStatus, PosOrder, WebOrder
from sync.errors import FatalError, RecordError, RetryableError
from sync.order_plan import (
    DELETED_ON_WEB,
    INVALID_RECORD,
    POS_REJECTED,
    TOTAL_MISMATCH,
    VERDICT_STATUS,
    LineProblem,
    Verdict,
    build_pos_order,
    decide,
    total_problem,
)
from sync.order_pos import PosLookups, customer_id, find_on_pos
from sync.texts import Params, msg

log = logging.getLogger(__name__)

# A claim older than this belongs to a process that died mid-attempt; an attempt makes a
# handful of calls, so five minutes is far beyond a live one.
CLAIM_TTL = timedelta(minutes=5)
RETRY = "retry"  # the outcome of an attempt that ended without a verdict


@dataclass(frozen=True, slots=True)
class OrderOutcome:
    """What happened to (or, in a dry run, would happen to) one web order."""

    order_name: str
    web_order_id: int
    verdict: str  # a Verdict, or "retry" / "in_progress"
    status: str  # the row's status afterwards ("new" in a dry run for an unseen order)
    code: str | None
    reason: str
    pos_order_code: str | None = None
    found_existing: bool = False
    problems: tuple[LineProblem, ...] = ()
    said: Params | None = None  # ``reason`` as a sentence of sync.texts, None if only English


def attempt(
    ctx: SyncContext,
    web_order_id: int,
    *,
    statuses: tuple[str, ...],
    lookups: PosLookups,
    actor: str,
) -> OrderOutcome:
    """Claim the row (compare-and-set), then decide and push; the claim always ends."""
    now = ctx.clock()
    with ctx.db.session() as s:
        row = repo.claim_order(
            s,
            connection_id=ctx.connection_id,
            web_order_id=web_order_id,
            statuses=statuses,
            now=now,
            stale_before=now - CLAIM_TTL,
        )
        s.commit()
    if row is None:
        return _unclaimed(ctx, web_order_id)
    try:
        return _attempt(ctx, row, lookups=lookups, actor=actor)
    except RecordError as exc:  # this order cannot be read or written: it fails, the run goes on
        error = str(exc)
        told = msg("order_unreadable", error=error)
        return _conclude(
            ctx, row, Verdict.FAIL, INVALID_RECORD, error, actor, said={"error": error}, told=told
        )
    except RetryableError as exc:
        _release(ctx, row, f"will retry: {exc}", msg("order_will_retry", error=str(exc)))
        log.info("order retry order=%s error=%s", row.web_order_name, exc)
        told = msg("order_no_answer", error=str(exc))
        name, status = row.web_order_name, row.status
        return OrderOutcome(name, row.web_order_id, RETRY, status, None, str(exc), said=told)
    except BaseException:
        _release(ctx, row, None, None)
        raise


def _unclaimed(ctx: SyncContext, web_order_id: int) -> OrderOutcome:
    with ctx.db.session() as s:
        row = repo.get_order(s, connection_id=ctx.connection_id, web_order_id=web_order_id)
    if row is None:
        reason, told = "not a known order", msg("order_unknown")
        return OrderOutcome("?", web_order_id, "unknown", "unknown", None, reason, said=told)
    if row.claimed_at is not None and row.status in store.NOT_ON_POS:
        reason, told = "another attempt is pushing it right now", msg("order_in_progress")
        return OrderOutcome(
            row.web_order_name, web_order_id, "in_progress", row.status, None, reason, said=told
        )
    return _as_outcome(row, row.status)


def _as_outcome(row: Order, verdict: str, *, found: bool = False) -> OrderOutcome:
    return OrderOutcome(
        row.web_order_name,
        row.web_order_id,
        verdict,
        row.status,
        row.reason_code,
        row.reason or "",
        row.pos_order_code,
        found,
        said=row.reason_params,
    )


def _release(ctx: SyncContext, row: Order, reason: str | None, said: Params | None) -> None:
    with ctx.db.session() as s:
        fresh = repo.get_order(s, connection_id=ctx.connection_id, web_order_id=row.web_order_id)
        if fresh is not None:
            store.release(s, row=fresh, now=ctx.clock(), reason=reason, said=said)
            s.commit()


def _attempt(ctx: SyncContext, row: Order, *, lookups: PosLookups, actor: str) -> OrderOutcome:
    order = lookups.web_order(row.web_order_id)
    if order is None:
        deleted = "deleted on the web"
        told = msg("order_deleted_on_web")
        return _conclude(ctx, row, Verdict.INELIGIBLE, DELETED_ON_WEB, deleted, actor, told=told)
    with ctx.db.session() as s:
        setup = repo.get_setup(s, connection_id=ctx.connection_id)
        links = store.link_views(
            s, connection_id=ctx.connection_id, skus=[ln.sku or "" for ln in order.line_items]
        )
    if setup is None:
        raise FatalError("setup has not run: no cut-over, so no order can be pushed (R5)")
    decision = decide(order, cutover=setup.cutover_at, links=links)
    if decision.verdict != Verdict.PUSH:
        outcome = _conclude(
            ctx,
            row,
            decision.verdict,
            decision.code,
            decision.reason,
            actor,
            order=order,
            said=decision.params,
            told=decision.said,
        )
        return replace(outcome, problems=decision.problems)
    with ctx.db.session() as s:
        config = config_at(s, connection_id=ctx.connection_id, moment=order.created_on)
        if config is None:  # no version yet: Sapo's defaults start now (R18)
            config = ensure_config(
                s,
                connection_id=ctx.connection_id,
                now=ctx.clock(),
                price_lists=ctx.pos.price_lists(),
                locations=ctx.pos.locations(),
            )
            s.commit()
    if row.attempts > 1:
        # An earlier attempt may have created the POS order and died before recording it.
        existing = find_on_pos(ctx, order)
        if existing is not None:
            return _pushed(ctx, row, order, existing, config.version, actor, found=True)
    try:
        cid = customer_id(ctx, order, lookups)
    except RecordError as exc:
        return _conclude(
            ctx,
            row,
            Verdict.FAIL,
            store.CUSTOMER_REJECTED,
            f"POS refused the customer: {exc}",
            actor,
            order=order,
            said={"error": str(exc)},
            told=msg("order_customer_rejected", error=str(exc)),
        )
    new = build_pos_order(
        order,
        links=links,
        location_id=config.order_location_id,
        price_list_id=config.price_list_id,
        source_id=lookups.web_source_id(),
        customer_id=cid,
    )
    off = total_problem(order, new)
    if off is not None:
        return _conclude(
            ctx,
            row,
            Verdict.FAIL,
            TOTAL_MISMATCH,
            off.text,
            actor,
            order=order,
            said={"reason": off.part},
            told=off.part,
        )
    if not _still_ours(ctx, row):
        reason, told = "another attempt took this order over", msg("order_in_progress")
        name = row.web_order_name
        return OrderOutcome(
            name, row.web_order_id, "in_progress", row.status, None, reason, said=told
        )
    try:
        created = ctx.pos.create_order(new)
    except RetryableError as exc:
        if not exc.outcome_unknown:
            raise
        existing = find_on_pos(ctx, order)
        if existing is None:
            raise
        return _pushed(ctx, row, order, existing, config.version, actor, found=True)
    except RecordError as exc:
        return _conclude(
            ctx,
            row,
            Verdict.FAIL,
            POS_REJECTED,
            f"POS refused the order: {exc}",
            actor,
            order=order,
            said={"error": str(exc)},
            told=msg("order_pos_rejected", error=str(exc)),
        )
    return _pushed(ctx, row, order, created, config.version, actor, found=False)


def _still_ours(ctx: SyncContext, row: Order) -> bool:
    """Renew the claim right before the create: an attempt slowed past ``CLAIM_TTL`` (rate
    limits, slow answers) may have been taken over, and then only the new holder creates."""
    if row.claimed_at is None:
        return False
    now = ctx.clock()
    with ctx.db.session() as s:
        renewed = repo.renew_claim(
            s,
            connection_id=ctx.connection_id,
            web_order_id=row.web_order_id,
            claimed_at=row.claimed_at,
            now=now,
        )
        s.commit()
    if renewed:
        row.claimed_at = now
    return renewed


def _conclude(
    ctx: SyncContext,
    row: Order,
    verdict: Verdict,
    code: str | None,
    reason: str,
    actor: str,
    *,
    order: WebOrder | None = None,
    said: Params | None = None,
    told: Params | None = None,
) -> OrderOutcome:
    """A verdict other than "pushed": the row's new status, an error row when it failed or
    was skipped (R19: skipped is shown as loudly as failed), and an audit event.

    ``said`` are the parameters of ``reason`` (``sync.texts``); the error row adds the
    order's name, which starts its message. ``told`` is ``reason`` as a whole sentence,
    kept on the order row for the order list (R17)."""
    now = ctx.clock()
    status = VERDICT_STATUS[verdict]
    with ctx.db.session() as s:
        fresh = repo.get_order(s, connection_id=ctx.connection_id, web_order_id=row.web_order_id)
        assert fresh is not None
        changed = (fresh.status, fresh.reason_code) != (status, code)
        store.finish(
            s, row=fresh, status=status, code=code, reason=reason, now=now, order=order, said=told
        )
        if verdict in (Verdict.SKIP, Verdict.FAIL) and code is not None:
            name = fresh.web_order_name
            params = None if said is None else {"order": name, **said}
            message = f"{name}: {reason}"
            store.order_error(s, row=fresh, code=code, message=message, now=now, params=params)
        elif verdict == Verdict.INELIGIBLE:
            store.resolve_order_errors(s, row=fresh, now=now)
        if changed:
            repo.add_audit(
                s,
                connection_id=ctx.connection_id,
                actor=actor,
                action="order.push",
                subject=fresh.web_order_name,
                result=status,
                now=now,
                detail={"code": code, "reason": reason},
            )
        s.commit()
    log.info("order %s order=%s code=%s", status, fresh.web_order_name, code)
    return _as_outcome(fresh, verdict)


def _pushed(
    ctx: SyncContext,
    row: Order,
    order: WebOrder,
    pos_order: PosOrder,
    version: int | None,
    actor: str,
    *,
    found: bool,
) -> OrderOutcome:
    now = ctx.clock()
    with ctx.db.session() as s:
        fresh = repo.get_order(s, connection_id=ctx.connection_id, web_order_id=row.web_order_id)
        assert fresh is not None
        store.record_pushed(
            s, row=fresh, pos_order=pos_order, config_version=version, order=order, now=now
        )
        result = "found_existing" if found else OrderStatus.PUSHED
        repo.add_audit(
            s,
            connection_id=ctx.connection_id,
            actor=actor,
            action="order.push",
            subject=fresh.web_order_name,
            result=result,
            now=now,
            detail={"pos_order": pos_order.code, "location_id": pos_order.location_id},
        )
        s.commit()
    log.info(
        "order pushed order=%s pos_order=%s found_existing=%s",
        fresh.web_order_name,
        pos_order.code,
        found,
    )
    return _as_outcome(fresh, Verdict.PUSH, found=found)
