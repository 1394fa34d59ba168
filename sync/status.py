"""What `/sapo status` and App Home show: counts, today's orders, jobs and API budgets."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, time
from typing import Protocol
from zoneinfo import ZoneInfo

from storage import repo
from sync.context import SyncContext
from sync.firstrun import FirstLinkRun, running
from sync.plan import Problem
from sync.ports import CallBudget


class JobLike(Protocol):
    """What the status needs from a scheduler job description."""

    @property
    def name(self) -> str: ...


@dataclass(frozen=True, slots=True)
class JobStatus:
    name: str
    last_run: datetime | None = None
    next_run: datetime | None = None
    ok: bool = True
    last_error: str | None = None
    last_cause: Problem | None = None  # the problem behind ``last_error``, when one is


@dataclass(frozen=True, slots=True)
class Budget:
    used: int
    limit: int


@dataclass(frozen=True, slots=True)
class StatusReport:
    """One snapshot of the sync's health, in plain data for the Block Kit builders."""

    links: Mapping[str, int]
    errors: Mapping[str, int]
    orders_pushed_today: int
    orders_failed_today: int
    cost_review: int
    generated_at: datetime
    setup_done: bool = False
    jobs: tuple[JobStatus, ...] = ()
    scheduler_healthy: bool | None = None
    pos_budget: Budget | None = None
    web_budget: Budget | None = None
    config_version: int | None = None
    first_link: FirstLinkRun | None = None  # running now, in this process or another


def start_of_day(now: datetime, tz: ZoneInfo) -> datetime:
    """Midnight of ``now``'s date in the shop's time zone, as an aware datetime."""
    local = now.astimezone(tz)
    return datetime.combine(local.date(), time.min, tzinfo=tz)


def job_status(job: JobLike) -> JobStatus:
    """Read a scheduler job's description by attribute name, whatever its class."""
    error = getattr(job, "last_error", None)
    cause = getattr(job, "last_cause", None)
    return JobStatus(
        name=job.name,
        last_run=getattr(job, "last_run", None),
        next_run=getattr(job, "next_run", None),
        ok=bool(getattr(job, "ok", getattr(job, "healthy", error is None))),
        last_error=None if error is None else str(error),
        last_cause=cause if isinstance(cause, Problem) else None,
    )


def _budget(budget: CallBudget | None) -> Budget | None:
    if budget is None:
        return None
    return Budget(used=int(budget.used), limit=int(budget.limit))


def collect_status(
    ctx: SyncContext,
    *,
    tz: ZoneInfo,
    jobs: Iterable[JobLike] = (),
    scheduler_healthy: bool | None = None,
) -> StatusReport:
    """Read the counts from storage; touches no API (budgets are the last ones reported)."""
    now = ctx.clock()
    since = start_of_day(now, tz)
    with ctx.db.session() as session:
        links = repo.count_links_by_status(session, connection_id=ctx.connection_id)
        errors = repo.count_open_errors_by_kind(session, connection_id=ctx.connection_id)
        orders = repo.count_orders_by_status(session, connection_id=ctx.connection_id, since=since)
        cost_review = repo.count_cost_review(session, connection_id=ctx.connection_id)
        setup = repo.get_setup(session, connection_id=ctx.connection_id)
        config = repo.latest_config(session, connection_id=ctx.connection_id)
        first_link = None if setup else running(session, connection_id=ctx.connection_id, now=now)
    links.pop("deleted", None)  # tombstones are not products any more (R16)
    return StatusReport(
        links=links,
        errors=errors,
        orders_pushed_today=orders.get("pushed", 0),
        orders_failed_today=orders.get("failed", 0),
        cost_review=cost_review,
        generated_at=now,
        setup_done=setup is not None,
        jobs=tuple(job_status(j) for j in jobs),
        scheduler_healthy=scheduler_healthy,
        pos_budget=_budget(getattr(ctx.pos, "budget", None)),
        web_budget=_budget(getattr(ctx.web, "budget", None)),
        config_version=None if config is None else config.version,
        first_link=first_link,
    )
