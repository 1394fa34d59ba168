"""Web orders into POS exactly once (R5, R15, R17, R18, R20), and the in-flight ledger."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from storage import repo
from storage.engine import Session
from storage.models import Order
from sync import order_store as store
from sync.context import SyncContext
from sync.domain import OrderStatus, WebOrder, normalize_sku
from sync.errors import RetryableError
from sync.order_plan import SELF_HEALING, Verdict, decide, line_problem, quantities
from sync.order_pos import PosLookups
from sync.order_push import RETRY, OrderOutcome, attempt

log = logging.getLogger(__name__)

# Web orders whose stock the web has already taken but POS has not: the stock push subtracts
# them so web stock is never raised back (prior-art §2.2). Skipped and failed orders count too:
# they are eligible and not on POS, and raising their stock back would sell it twice; they
# leave the ledger when pushed (resync) or when cancelled on the web. Ineligible orders
# (before the cut-over, cancelled) never reach POS, so they never count.
IN_FLIGHT = (OrderStatus.PENDING, OrderStatus.SKIPPED, OrderStatus.FAILED)
CURSOR = "web_orders.modified_on"
# Re-read this much before the cursor: Sapo's timestamps have whole seconds and its clock is
# not ours; the unique web order id makes the overlap harmless.
OVERLAP = timedelta(minutes=2)
CURSOR_FORMAT = "%Y-%m-%dT%H:%M:%S.%f+00:00"

__all__ = [
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


def inflight_quantities(session: Session, *, connection_id: int) -> dict[str, Decimal]:
    """Normalized SKU → quantity of eligible web orders not yet on POS.

    Orders are in this ledger from the moment they are read from the web (``push_orders``
    and ``ingest_orders`` store every order they read before pushing any), so a stock push
    that calls ``ingest_orders`` first never re-raises web stock an order took. What is left
    is the few seconds between that read and the stock write; the next push corrects it.
    """
    rows = repo.orders_with_status(session, connection_id=connection_id, statuses=IN_FLIGHT)
    return quantities(row.lines for row in rows)


def _read_new(ctx: SyncContext) -> tuple[datetime | None, datetime, list[WebOrder]]:
    """(cut-over, run start, web orders modified since the cursor); no cut-over, no read."""
    started = ctx.clock()
    with ctx.db.session() as s:
        setup = repo.get_setup(s, connection_id=ctx.connection_id)
        cursor = repo.get_cursor(s, connection_id=ctx.connection_id, resource=CURSOR)
    if setup is None:
        return None, started, []
    since = datetime.fromisoformat(cursor) if cursor else setup.cutover_at
    return setup.cutover_at, started, list(ctx.web.orders(modified_since=since - OVERLAP))


def ingest_orders(ctx: SyncContext) -> int:
    """Store every web order modified since the cursor (no POS call); the number read.

    The cursor moves only after the batch is stored and never past the run's start.
    """
    return len(_ingest(ctx))


def _ingest(ctx: SyncContext) -> list[WebOrder]:
    cutover, started, orders = _read_new(ctx)
    if cutover is None:
        return []
    now = ctx.clock()
    with ctx.db.session() as s:
        for order in orders:
            store.store(s, connection_id=ctx.connection_id, order=order, cutover=cutover, now=now)
        stamps = [o.modified_on or o.created_on for o in orders]
        if stamps:
            # Fixed-width UTC text sorts like time, so a concurrent run never moves it back.
            value = min(max(stamps), started).astimezone(UTC).strftime(CURSOR_FORMAT)
            repo.advance_cursor(
                s, connection_id=ctx.connection_id, resource=CURSOR, value=value, now=now
            )
        s.commit()
    return orders


def _candidates(session: Session, *, connection_id: int) -> list[int]:
    """Pending orders, and failed ones the sync has cured since (their SKUs are all linked
    now: checked here in the database, so a lasting failure costs no API call), oldest first."""
    rows = repo.orders_with_status(
        session, connection_id=connection_id, statuses=(OrderStatus.PENDING, OrderStatus.FAILED)
    )
    wanted = [r for r in rows if r.status == OrderStatus.PENDING or _cured(session, r)]
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
    fresh = _ingest(ctx)
    read = len(fresh)
    with ctx.db.session() as s:
        set_up = repo.get_setup(s, connection_id=ctx.connection_id) is not None
        ids = _candidates(s, connection_id=ctx.connection_id) if set_up else []
    lookups = PosLookups(ctx, read={o.id: o for o in fresh}, pending=len(ids))
    statuses = (OrderStatus.PENDING, OrderStatus.FAILED)
    outcomes = tuple(attempt(ctx, i, statuses=statuses, lookups=lookups, actor=actor) for i in ids)
    result = OrderRunResult(False, set_up, read, outcomes, started, ctx.clock())
    log.info(
        "order run read=%d %s duration_s=%.2f",
        read,
        " ".join(f"{k}={v}" for k, v in sorted(result.counts.items())),
        (result.finished_at - started).total_seconds(),
    )
    return result


def _preview(ctx: SyncContext) -> OrderRunResult:
    """What ``push_orders`` would do now, from reads only."""
    started = ctx.clock()
    cutover, _, read = _read_new(ctx)
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
            for o in read
            if o.id not in waiting
            and repo.get_order(s, connection_id=cid, web_order_id=o.id) is None
        ]
        by_id = {o.id: o for o in read}
        again = [by_id.get(i) or ctx.web.order(i) for i in candidates]
        for order in [*fresh, *(o for o in again if o is not None)]:
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
    return OrderRunResult(True, True, len(read), tuple(outcomes), started, ctx.clock())


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
            ResyncOutcome(order_name, "retry_later", f"the web did not answer: {exc}"),
        )
    with ctx.db.session() as s:
        row = repo.find_order_by_name(s, connection_id=ctx.connection_id, name=order_name.strip())
    if row is None:
        message = (
            f"{order_name} is not a web order placed after setup; orders placed before "
            "setup are never pushed (R5)"
        )
        return _resync_done(
            ctx, order_name, actor, ResyncOutcome(order_name, "unknown_order", message)
        )
    name = row.web_order_name
    if row.status == OrderStatus.PUSHED:
        outcome = ResyncOutcome(
            name,
            "already_pushed",
            f"{name} is already on POS as {row.pos_order_code}",
            row.pos_order_code,
        )
        return _resync_done(ctx, name, actor, outcome)
    if row.status == OrderStatus.INELIGIBLE:
        return _resync_done(
            ctx,
            name,
            actor,
            ResyncOutcome(name, "ineligible", f"{name} is never pushed: {row.reason}"),
        )
    done = attempt(ctx, row.web_order_id, statuses=IN_FLIGHT, lookups=PosLookups(ctx), actor=actor)
    return _resync_done(ctx, name, actor, _resync_outcome(done))


def _resync_outcome(done: OrderOutcome) -> ResyncOutcome:
    name = done.order_name
    if done.verdict == Verdict.PUSH:
        result = "found_existing" if done.found_existing else "pushed"
        return ResyncOutcome(
            name, result, f"{name} is on POS as {done.pos_order_code}", done.pos_order_code
        )
    if done.problems:
        texts = tuple(p.text for p in done.problems)
        return ResyncOutcome(
            name, "blocked", f"{name} was not pushed: {'; '.join(texts)}", not_live=texts
        )
    by_verdict = {Verdict.FAIL: "failed", Verdict.INELIGIBLE: "ineligible", RETRY: "retry_later"}
    result = by_verdict.get(done.verdict, done.verdict)
    return ResyncOutcome(name, result, f"{name}: {done.reason}", done.pos_order_code)


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
