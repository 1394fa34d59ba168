"""One sync cycle: read both sides, plan, apply, store results and cursors (R2-R4, R6-R12)."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from datetime import datetime

from storage import repo
from storage.engine import Session
from sync import firstrun, leases, linkrows, problems, reading
from sync.apply import Outcome, apply
from sync.config import config_at, ensure_config
from sync.context import SyncContext
from sync.domain import ConfigSnapshot
from sync.errors import UserError
from sync.guard import CATALOG, Guard
from sync.plan import Plan, Problem
from sync.planner import plan
from sync.preflight import PreflightReport, check
from sync.texts import msg

log = logging.getLogger(__name__)
WRITE_COUNTS = (
    "stock",
    "price",
    "web_create_product",
    "web_create_variant",
    "pos_create_product",
    "pos_create_variant",
)


@dataclass(frozen=True, slots=True)
class CycleResult:
    """What a cycle planned and did; plain data for the CLI, the bot and the scheduler."""

    plan: Plan
    started_at: datetime
    duration_s: float
    full: bool
    first_link: bool
    dry_run: bool
    applied: bool
    blocked: PreflightReport | None = None  # the first link refused (R1)
    halted: Problem | None = None  # the blast-radius guard stopped it
    interrupted: Problem | None = None
    done: Mapping[str, int] = field(default_factory=dict)
    failures: tuple[Problem, ...] = ()
    opened_errors: int = 0
    resolved_errors: int = 0

    @property
    def ok(self) -> bool:
        return self.blocked is None and self.halted is None and self.interrupted is None

    @property
    def writes(self) -> int:
        """API writes made (creations, stock, prices); zero on a dry run."""
        return sum(self.done.get(k, 0) for k in WRITE_COUNTS)


def run_cycle(
    ctx: SyncContext,
    *,
    dry_run: bool = False,
    full: bool = False,
    actor: str = "scheduler",
    force: bool = False,
    guard: Guard | None = None,
    focus: reading.Focus = reading.NO_FOCUS,
) -> CycleResult:
    """Read, plan and (unless ``dry_run``) apply one cycle; the first one is the first link.

    ``guard`` defaults to the context's (the operator's settings); ``force`` lets a person
    apply a cycle the blast-radius guard stopped. One cycle applies
    at a time per connection, whichever process runs it (the bot's scheduler or worker,
    ``sapo-sync sync``): two would each create the products missing on the other side
    (R3, R7). A second one is refused with ``SyncBusy`` before it reads anything.
    """
    guard = ctx.guard if guard is None else guard
    if dry_run:
        return _cycle(
            ctx, dry_run=True, full=full, actor=actor, force=force, guard=guard, focus=focus
        )
    try:
        with leases.holding(ctx, cycle_lease(ctx.connection_id), holder=leases.holder_for(actor)):
            return _cycle(
                ctx, dry_run=False, full=full, actor=actor, force=force, guard=guard, focus=focus
            )
    except leases.Busy as busy:
        if busy.name != cycle_lease(ctx.connection_id):
            raise
        raise SyncBusy(leases.actor_of(busy.holder)) from None


def cycle_lease(connection_id: int) -> str:
    return f"cycle:{connection_id}"


class SyncBusy(UserError):
    """Another sync cycle of this shop is running (``by`` started it)."""

    def __init__(self, by: str) -> None:
        super().__init__(
            f"a sync is already running (started by {by or '?'}); it finishes on its own",
            said={"key": "msg.sync_running", "by": by or "?"},
        )
        self.by = by


def _cycle(
    ctx: SyncContext,
    *,
    dry_run: bool,
    full: bool,
    actor: str,
    force: bool,
    guard: Guard,
    focus: reading.Focus = reading.NO_FOCUS,
) -> CycleResult:
    started = ctx.clock()
    clock_start = time.monotonic()
    cid = ctx.connection_id
    with ctx.db.session() as session:
        config = _config(ctx, session, started)
        first = repo.get_setup(session, connection_id=cid) is None
        state = reading.load_state(session, connection_id=cid)
        rows = repo.all_links(session, connection_id=cid)
        links = [linkrows.to_state(r) for r in rows]
        unknown = any(linkrows.facts_missing(r) for r in rows)
        held = problems.held_subjects(session, connection_id=cid)
        inflight = reading.inflight_by_sku(session, connection_id=cid)
        session.commit()
    # Until setup is recorded, /sapo status and App Home (any process) say it is running.
    marking = firstrun.marked(ctx, actor=actor) if first and not dry_run else nullcontext()
    with marking:
        full = full or first or unknown or reading.full_due(state, config, started)
        snapshot, marks = reading.read(ctx, state, full=full, started=started, focus=focus)
        blocked = None
        if first:
            report = check(snapshot.pos_products, snapshot.web_products, snapshot.web_levels)
            blocked = report if not report.ok else None
        the_plan = plan(
            snapshot,
            links,
            config,
            inflight=inflight,
            price_lists=marks.price_lists,
            first_link=first,
            held=held,
            guard=guard,
            force=force,
            now=started,
        )

        base = CycleResult(
            plan=the_plan,
            started_at=started,
            duration_s=0.0,
            full=full,
            first_link=first,
            dry_run=dry_run,
            applied=False,
            blocked=blocked,
            halted=the_plan.halt,
        )
        if dry_run:
            return _done(base, clock_start)
        stop = the_plan.halt if blocked is None else _blocked_problem(blocked)
        if stop is not None:
            with ctx.db.session() as session:
                stopped = problems.report(session, connection_id=cid, problems=[stop], now=started)
                session.commit()
            return _done(replace(base, opened_errors=len(stopped)), clock_start)
        done = apply(ctx, the_plan, actor=actor, now=started)
        opened, resolved = _finish(
            ctx, the_plan, done, marks, first=first, actor=actor, now=started
        )
        applied = replace(
            base,
            applied=True,
            interrupted=done.interrupted,
            done=dict(done.done),
            failures=tuple(done.failures),
            opened_errors=opened,
            resolved_errors=resolved,
        )
        return _done(applied, clock_start)


def _done(result: CycleResult, clock_start: float) -> CycleResult:
    finished = replace(result, duration_s=time.monotonic() - clock_start)
    _log(finished)
    return finished


def first_link(ctx: SyncContext, *, actor: str, dry_run: bool = False) -> CycleResult:
    """The first link (R2, R3, R6, R7, R12): refused while preflight finds blocking problems."""
    with ctx.db.session() as session:
        if repo.get_setup(session, connection_id=ctx.connection_id) is not None:
            done = "the first link is done already; the sync runs on its own"
            raise UserError(done, said=msg("first_link_done"))
    outcome = run_cycle(ctx, dry_run=dry_run, full=True, actor=actor)
    if outcome.blocked is not None:
        count = len(outcome.blocked.blocking)
        raise UserError(
            f"preflight found {count} blocking problem(s); "
            "fix them in the web store first (run: sapo-sync preflight)",
            said=msg("first_link_blocked", count=count),
        )
    return outcome


def _blocked_problem(report: PreflightReport) -> Problem:
    """The first link waits for preflight (R1); the error list and Slack say so."""
    codes = ", ".join(sorted({f.code for f in report.blocking}))
    count = len(report.blocking)
    return Problem(
        "first_link_blocked",
        CATALOG,
        f"the first link waits: preflight found {count} blocking problem(s) "
        f"({codes}); fix them, then the next cycle links",
        params={"count": count, "codes": codes},
    )


def _config(ctx: SyncContext, session: Session, now: datetime) -> ConfigSnapshot:
    """The version in force now (R18); Sapo's defaults are saved on first use."""
    found = config_at(session, connection_id=ctx.connection_id, moment=now)
    if found is not None:
        return found
    return ensure_config(
        session,
        connection_id=ctx.connection_id,
        price_lists=ctx.pos.price_lists(),
        locations=ctx.pos.locations(),
        now=now,
    )


def _finish(
    ctx: SyncContext,
    the_plan: Plan,
    done: Outcome,
    marks: reading.Marks,
    *,
    first: bool,
    actor: str,
    now: datetime,
) -> tuple[int, int]:
    """One commit: problems, resolutions, cursors, and the setup record of the first link."""
    cid = ctx.connection_id
    seen = [*the_plan.problems, *done.failures]
    if done.interrupted is not None:
        seen.append(done.interrupted)
    with ctx.db.session() as session:
        opened = problems.report(session, connection_id=cid, problems=seen, now=now)
        resolved = []
        if done.interrupted is None:
            scope = None if the_plan.full else the_plan.evaluated
            resolved = problems.resolve_missing(
                session, connection_id=cid, seen=seen, scope=scope, now=now
            )
            reading.store_marks(session, connection_id=cid, marks=marks, now=now)
            if first:
                repo.record_setup(session, connection_id=cid, cutover_at=now, completed_by=actor)
                repo.add_audit(
                    session,
                    connection_id=cid,
                    actor=actor,
                    action="catalog.first_link",
                    subject="catalog",
                    result="completed",
                    now=now,
                    detail=dict(done.done),
                )
        session.commit()
    return len(opened), len(resolved)


def _log(result: CycleResult) -> None:
    counts = " ".join(f"{k}={v}" for k, v in sorted(result.done.items()))
    log.info(
        "sync.cycle full=%s first_link=%s dry_run=%s applied=%s blocked=%s halted=%s "
        "interrupted=%s planned_writes=%d failures=%d duration_s=%.3f %s",
        result.full,
        result.first_link,
        result.dry_run,
        result.applied,
        result.blocked is not None,
        result.halted.code if result.halted else None,
        result.interrupted is not None,
        result.plan.writes,
        len(result.failures),
        result.duration_s,
        counts,
    )
