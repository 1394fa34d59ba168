"""Web orders into POS exactly once (R5, R15, R17, R18, R20), and the in-flight ledger."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from storage import repo
from storage.engine import Session
from storage.models import Order
from sync import order_store as store
from sync import order_unreadable as unreadable
from sync.context import SyncContext
from sync.domain import OrderStatus, WebOrder, normalize_sku
from sync.errors import RecordError, RetryableError
from sync.order_ingest import CURSOR, CURSOR_FORMAT, OrderRead, ingest, ingest_orders, read_new
from sync.order_plan import (
    INVALID_RECORD,
    REREAD,
    SELF_HEALING,
    Verdict,
    decide,
    line_problem,
    quantities,
)
from sync.order_pos import PosLookups
from sync.order_push import RETRY, OrderOutcome, attempt
from sync.texts import Params, msg

log = logging.getLogger(__name__)

# Web orders whose stock the web has already taken but POS has not: the stock push subtracts
# them so web stock is never raised back (prior-art §2.2). Skipped and failed orders count too:
# they are eligible and not on POS, and raising their stock back would sell it twice; they
# leave the ledger when pushed (resync) or when cancelled on the web. Ineligible orders
# (before the cut-over, cancelled) never reach POS, so they never count.
IN_FLIGHT = (OrderStatus.PENDING, OrderStatus.SKIPPED, OrderStatus.FAILED)

__all__ = [
    "CURSOR",
    "CURSOR_FORMAT",
    "RESYNC_RESULTS",
    "OrderOutcome",
    "OrderRunResult",
    "ResyncOutcome",
    "inflight_quantities",
    "ingest_orders",
    "push_orders",
    "resync_order",
]


@dataclass(frozen=True, slots=True)
class OrderRunResult:
    """One order run: how many web orders were read and what became of each candidate."""

    dry_run: bool
    set_up: bool
    read: int
    outcomes: tuple[OrderOutcome, ...]
    started_at: datetime
    finished_at: datetime
    unreadable: int = 0  # orders Sapo sent in a form we cannot parse: skipped and reported

    @property
    def counts(self) -> dict[str, int]:
        """Verdict → number of orders (``push`` means pushed, or would be in a dry run)."""
        return dict(Counter(o.verdict for o in self.outcomes))

    @property
    def pushed(self) -> tuple[OrderOutcome, ...]:
        return tuple(o for o in self.outcomes if o.verdict == Verdict.PUSH)


@dataclass(frozen=True, slots=True)
class ResyncOutcome:
    """What a resync did (R17); ``result`` is one of RESYNC_RESULTS."""

    order_name: str
    result: str
    message: str
    pos_order_code: str | None = None
    not_live: tuple[str, ...] = field(default=())  # "SKU: why" for each blocking line
    # ``message`` and each of ``not_live`` as sentences of sync.texts (None: English only)
    said: Params | None = None
    not_live_said: tuple[Params, ...] = field(default=())


def inflight_quantities(session: Session, *, connection_id: int) -> dict[str, Decimal]:
    """Normalized SKU → quantity of eligible web orders not yet on POS.

    Orders are in this ledger from the moment they are read from the web (``push_orders``
    and ``ingest_orders`` store every order they read before pushing any), so a stock push
    that calls ``ingest_orders`` first never re-raises web stock an order took. What is left
    is the few seconds between that read and the stock write; the next push corrects it.
    """
    rows = repo.orders_with_status(session, connection_id=connection_id, statuses=IN_FLIGHT)
    return quantities(row.lines for row in rows)


def _candidates(session: Session, *, connection_id: int) -> list[int]:
    """Pending orders, failed ones the sync has cured since (their SKUs are all linked now:
    checked here in the database, so a lasting failure costs no API call), and unreadable
    ones, read again each run (issue 10); oldest first."""
    rows = repo.orders_with_status(
        session, connection_id=connection_id, statuses=(OrderStatus.PENDING, OrderStatus.FAILED)
    )
    wanted = [
        r
        for r in rows
        if r.status == OrderStatus.PENDING or r.reason_code in REREAD or _cured(session, r)
    ]
    return [r.web_order_id for r in sorted(wanted, key=lambda r: r.web_created_on)]


def _cured(session: Session, row: Order) -> bool:
    if row.reason_code not in SELF_HEALING:
        return False
    skus = [str(line.get("raw_sku") or "") for line in row.lines]
    links = store.link_views(session, connection_id=row.connection_id, skus=skus)
    return all(line_problem(sku, sku, links.get(normalize_sku(sku))) is None for sku in skus)


def push_orders(
    ctx: SyncContext, *, dry_run: bool = False, actor: str = "scheduler"
) -> OrderRunResult:
    """Read new web orders, store them all, then push each eligible one to POS once.

    ``dry_run`` writes nothing anywhere and lists what would be pushed and why the others
    would not go.
    """
    if dry_run:
        return _preview(ctx)
    started = ctx.clock()
    fresh = ingest(ctx)
    read = len(fresh.orders)
    with ctx.db.session() as s:
        set_up = repo.get_setup(s, connection_id=ctx.connection_id) is not None
        ids = _candidates(s, connection_id=ctx.connection_id) if set_up else []
    lookups = PosLookups(ctx, read={o.id: o for o in fresh.orders}, pending=len(ids))
    statuses = (OrderStatus.PENDING, OrderStatus.FAILED)
    outcomes = tuple(attempt(ctx, i, statuses=statuses, lookups=lookups, actor=actor) for i in ids)
    bad = len(fresh.unreadable)
    result = OrderRunResult(False, set_up, read, outcomes, started, ctx.clock(), bad)
    log.info(
        "order run read=%d unreadable=%d %s duration_s=%.2f",
        read,
        bad,
        " ".join(f"{k}={v}" for k, v in sorted(result.counts.items())),
        (result.finished_at - started).total_seconds(),
    )
    return result


def _preview(ctx: SyncContext) -> OrderRunResult:
    """What ``push_orders`` would do now, from reads only."""
    started = ctx.clock()
    read = read_new(ctx)
    cutover = read.cutover
    if cutover is None:
        return OrderRunResult(True, False, 0, (), started, ctx.clock())
    cid = ctx.connection_id
    outcomes: list[OrderOutcome] = []
    with ctx.db.session() as s:
        waiting = {
            r.web_order_id: r
            for r in repo.orders_with_status(s, connection_id=cid, statuses=IN_FLIGHT)
        }
        candidates = _candidates(s, connection_id=cid)
        fresh = [
            o
            for o in read.orders
            if o.id not in waiting
            and repo.get_order(s, connection_id=cid, web_order_id=o.id) is None
        ]
        by_id = {o.id: o for o in read.orders}
        unread = _unreadable_to_push(s, cid, read, waiting)
        again: list[WebOrder] = []
        for i in candidates:
            try:
                found = by_id.get(i) or (None if i in unread else ctx.web.order(i))
            except RecordError as exc:
                unread[i] = (waiting[i].web_order_name, str(exc))
                continue
            if found is not None:
                again.append(found)
        for order in [*fresh, *again]:
            links = store.link_views(
                s, connection_id=cid, skus=[ln.sku or "" for ln in order.line_items]
            )
            decision = decide(order, cutover=cutover, links=links)
            row = waiting.pop(order.id, None)
            outcomes.append(
                OrderOutcome(
                    order.name,
                    order.id,
                    decision.verdict,
                    row.status if row else "new",
                    decision.code,
                    decision.reason,
                    problems=decision.problems,
                )
            )
    for i, (name, reason) in unread.items():
        row = waiting.pop(i, None)
        status = row.status if row else "new"
        outcomes.append(OrderOutcome(name, i, Verdict.FAIL, status, INVALID_RECORD, reason))
    for record in read.unreadable:
        if record.id is None:
            name = unreadable.subject(record)
            code = store.UNREADABLE_NO_ID
            outcomes.append(OrderOutcome(name, 0, Verdict.FAIL, "new", code, record.reason))
    for row in waiting.values():  # skipped and failed orders not due in this run
        verdict = Verdict.SKIP if row.status == OrderStatus.SKIPPED else Verdict.FAIL
        waits = "the link" if row.reason_code in SELF_HEALING else "a resync (R17)"
        outcomes.append(
            OrderOutcome(
                row.web_order_name,
                row.web_order_id,
                verdict,
                row.status,
                row.reason_code,
                f"waits for {waits}: {row.reason}",
            )
        )
    return OrderRunResult(
        True, True, len(read.orders), tuple(outcomes), started, ctx.clock(), len(read.unreadable)
    )


def _unreadable_to_push(
    session: Session, cid: int, read: OrderRead, waiting: dict[int, Order]
) -> dict[int, tuple[str, str]]:
    """Order id → (name, reason) of the unreadable records a run would fail, not those
    already on POS or never to be pushed (a run only reports those)."""
    found: dict[int, tuple[str, str]] = {}
    for r in read.unreadable:
        if r.id is None:
            continue
        known = waiting.get(r.id) or repo.get_order(session, connection_id=cid, web_order_id=r.id)
        if known is None or known.status in store.NOT_ON_POS:
            name = known.web_order_name if known else r.name or f"web order {r.id}"
            found[r.id] = (name, r.reason)
    return found


RESYNC_RESULTS = (
    "pushed",
    "found_existing",
    "already_pushed",
    "blocked",
    "failed",
    "ineligible",
    "in_progress",
    "retry_later",
    "unknown_order",
)


def resync_order(ctx: SyncContext, order_name: str, *, actor: str) -> ResyncOutcome:
    """R17: check that every product of the order is linked and live (and say which are
    not), then push it or find it already on POS. Safe to press twice; audited."""
    try:
        ingest_orders(ctx)  # the order may be newer than the last run
    except RetryableError as exc:
        return _resync_done(
            ctx,
            order_name,
            actor,
            ResyncOutcome(
                order_name,
                "retry_later",
                f"the web did not answer: {exc}",
                said=msg("resync_web_silent", error=str(exc)),
            ),
        )
    with ctx.db.session() as s:
        row = repo.find_order_by_name(s, connection_id=ctx.connection_id, name=order_name.strip())
    if row is None:
        message = (
            f"{order_name} is not a web order placed after setup; orders placed before "
            "setup are never pushed (R5)"
        )
        said = msg("resync_unknown_order", order=order_name)
        return _resync_done(
            ctx, order_name, actor, ResyncOutcome(order_name, "unknown_order", message, said=said)
        )
    name = row.web_order_name
    if row.status == OrderStatus.PUSHED:
        outcome = ResyncOutcome(
            name,
            "already_pushed",
            f"{name} is already on POS as {row.pos_order_code}",
            row.pos_order_code,
            said=msg("resync_already_pushed", order=name, pos_order=row.pos_order_code),
        )
        return _resync_done(ctx, name, actor, outcome)
    if row.status == OrderStatus.INELIGIBLE:
        why = row.reason_params
        never = None if why is None else msg("resync_never", order=name, reason=why)
        message = f"{name} is never pushed: {row.reason}"
        outcome = ResyncOutcome(name, "ineligible", message, said=never)
        return _resync_done(ctx, name, actor, outcome)
    done = attempt(ctx, row.web_order_id, statuses=IN_FLIGHT, lookups=PosLookups(ctx), actor=actor)
    return _resync_done(ctx, name, actor, _resync_outcome(done))


def _resync_outcome(done: OrderOutcome) -> ResyncOutcome:
    name = done.order_name
    if done.verdict == Verdict.PUSH:
        result = "found_existing" if done.found_existing else "pushed"
        code = done.pos_order_code
        said = msg("resync_on_pos", order=name, pos_order=code)
        return ResyncOutcome(name, result, f"{name} is on POS as {code}", code, said=said)
    if done.problems:
        texts = tuple(p.text for p in done.problems)
        parts = tuple(p.part() for p in done.problems)
        return ResyncOutcome(
            name,
            "blocked",
            f"{name} was not pushed: {'; '.join(texts)}",
            not_live=texts,
            said=msg("resync_not_pushed", order=name, lines=list(parts)),
            not_live_said=parts,
        )
    by_verdict = {Verdict.FAIL: "failed", Verdict.INELIGIBLE: "ineligible", RETRY: "retry_later"}
    result = by_verdict.get(done.verdict, done.verdict)
    why = None if done.said is None else msg("resync_said", order=name, reason=done.said)
    message = f"{name}: {done.reason}"
    return ResyncOutcome(name, result, message, done.pos_order_code, said=why)


def _resync_done(ctx: SyncContext, name: str, actor: str, outcome: ResyncOutcome) -> ResyncOutcome:
    with ctx.db.session() as s:
        repo.add_audit(
            s,
            connection_id=ctx.connection_id,
            actor=actor,
            action="order.resync",
            subject=name,
            result=outcome.result,
            now=ctx.clock(),
            detail={"message": outcome.message, "pos_order": outcome.pos_order_code},
        )
        s.commit()
    log.info("order resync order=%s result=%s actor=%s", name, outcome.result, actor)
    return outcome
