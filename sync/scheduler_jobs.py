"""The scheduler's jobs: their names, default intervals, what each runs and how it went."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from storage import repo
from storage.engine import Database
from sync import texts
from sync.context import SyncContext
from sync.domain import ConfigSnapshot, ErrorKind
from sync.plan import Problem
from sync.reading import NO_SUBJECTS, Focus, Subjects

JOB_ORDERS, JOB_STOCK, JOB_CATALOG, JOB_FULL = "orders", "stock", "catalog", "full"
JOB_NAMES = (JOB_ORDERS, JOB_STOCK, JOB_CATALOG, JOB_FULL)  # the sync jobs, timed by config
JOB_MAINTENANCE = "maintenance"  # housekeeping, on a fixed interval
INTERVAL_FIELDS = {
    JOB_ORDERS: "order_interval_s",
    JOB_STOCK: "stock_interval_s",
    JOB_CATALOG: "catalog_interval_s",
    JOB_FULL: "full_interval_s",
}
_DEFAULTS = ConfigSnapshot(
    price_list_id=0,
    order_location_id=0,
    stock_location_ids=frozenset(),
    effective_from=datetime.min.replace(tzinfo=UTC),
)
DEFAULT_INTERVALS = {name: float(getattr(_DEFAULTS, f)) for name, f in INTERVAL_FIELDS.items()}
# Housekeeping is not the shop's business, so its interval is not in the saved config (R18).
DEFAULT_INTERVALS[JOB_MAINTENANCE] = 3600.0

JobFn = Callable[[SyncContext], object]


class TargetedJob:
    """A job that also takes the webhook subjects gathered since its last run (the
    scheduler hands them over; called plainly, as on a timer, it gets none)."""

    def __init__(self, fn: Callable[[SyncContext, Subjects], object]) -> None:
        self._fn = fn

    def __call__(self, ctx: SyncContext) -> object:
        return self._fn(ctx, NO_SUBJECTS)

    def with_subjects(self, ctx: SyncContext, subjects: Subjects) -> object:
        return self._fn(ctx, subjects)


JOB_FAILED = "job_failed"
log = logging.getLogger(__name__)


def error_kind(job: str) -> ErrorKind:
    """The error list a failed job shows in (R19)."""
    return ErrorKind.ORDER if job == JOB_ORDERS else ErrorKind.PRODUCT


def default_jobs(*, delivery_retention: timedelta | None = None) -> dict[str, JobFn]:
    """The jobs the product runs: the same functions as the CLI and the bot call.

    ``catalog`` reads both sides incrementally: links, creations, stock and prices. ``stock``
    is the cheaper, more frequent pass for live pairs (R8): it lists POS changes only and
    pushes stock and prices of linked variants, leaving linking, creating and the cursors to
    ``catalog``. Both also re-read by id the products webhooks named (a POS stock change may
    not move ``modified_on``); ``full`` reads everything, the net under all of them.
    Nothing but the order run happens before setup. Every catalog pass first stores the web
    orders placed since the last read, so the stock it pushes subtracts them (the in-flight
    ledger): an order that lands between two order runs never has its stock raised back.
    Maintenance forgets idempotency keys older than ``delivery_retention`` (set up or not:
    webhooks and Slack requests are recorded either way).
    """
    from sync.cycle import catalog_pass, is_set_up
    from sync.engine import SyncBusy
    from sync.maintenance import DEFAULT_RETENTION, prune_deliveries
    from sync.orders import push_orders

    retention = delivery_retention or DEFAULT_RETENTION

    def cycle(*, full: bool = False, stock_only: bool = False) -> TargetedJob:
        def run(ctx: SyncContext, subjects: Subjects) -> object:
            if not is_set_up(ctx):  # the first link is a person's decision (R1), not the timer's
                return None
            focus = Focus(subjects, stock_only=stock_only)
            try:
                return catalog_pass(ctx, full=full, actor="scheduler", focus=focus)
            except SyncBusy as busy:  # e.g. `sapo-sync sync` by hand: its cycle does the work
                log.info("catalog cycle skipped: another is running by=%s", busy.by)
                return None

        return TargetedJob(run)

    return {
        JOB_ORDERS: lambda ctx: push_orders(ctx, actor="scheduler"),
        JOB_STOCK: cycle(stock_only=True),
        JOB_CATALOG: cycle(),
        JOB_FULL: cycle(full=True),
        JOB_MAINTENANCE: lambda ctx: prune_deliveries(ctx, retention=retention),
    }


class Intervals:
    """Each job's interval from the active config version (R18), divided by ``speed``."""

    def __init__(self, speed: float) -> None:
        self.speed = speed
        self.version: int | None = None
        self._seconds = dict(DEFAULT_INTERVALS)

    def load(self, db: Database, connection_id: int) -> bool:
        """Read the latest version; True when it is not the one loaded before."""
        with db.session() as s:
            config = repo.latest_config(s, connection_id=connection_id)
        version = None if config is None else config.version
        changed = version != self.version
        self.version = version
        for name, attr in INTERVAL_FIELDS.items():
            value = DEFAULT_INTERVALS[name] if config is None else getattr(config, attr)
            self._seconds[name] = float(value)
        return changed

    def seconds(self, name: str) -> float:
        return self._seconds.get(name, 60.0) / self.speed

    def grace(self, name: str) -> int:
        # A run late by less than one interval still runs; later ones coalesce into it.
        return max(int(self.seconds(name)), 1)


class SchedulerState(StrEnum):
    STOPPED = "stopped"
    RUNNING = "running"
    STANDBY = "standby"  # another process holds the lease: this one does not sync


@dataclass(frozen=True, slots=True)
class JobRun:
    """One finished run, handed to the ``on_cycle`` callbacks (the bot's alert publisher)."""

    name: str
    started_at: datetime
    finished_at: datetime
    ok: bool
    error: str | None
    result: object = None
    triggered: bool = False


@dataclass(frozen=True, slots=True)
class JobStatus:
    """One job as ``/healthz`` and ``/sapo status`` show it."""

    name: str
    interval_s: float
    last_run: datetime | None
    last_success: datetime | None
    last_error: str | None
    next_run: datetime | None
    running: bool
    runs: int
    failures: int
    healthy: bool  # dead-man: succeeded within the last few intervals
    last_cause: Problem | None = None  # the problem behind ``last_error``, when one is


@dataclass
class JobTrack:
    """The scheduler's mutable record of one job (guarded by the scheduler's lock)."""

    last_run: datetime | None = None
    last_success: datetime | None = None
    last_error: str | None = None
    last_cause: Problem | None = None
    running: bool = False
    rerun: bool = False
    triggered: bool = False
    runs: int = 0
    failures: int = 0

    def status(
        self,
        name: str,
        *,
        interval_s: float,
        next_run: datetime | None,
        since: datetime | None,
        now: datetime,
        allowed_intervals: int,
        active: bool,
    ) -> JobStatus:
        """The job's status; unhealthy when no success for ``allowed_intervals`` intervals."""
        reference = self.last_success or since
        healthy = (
            active
            and reference is not None
            and (now - reference).total_seconds() <= allowed_intervals * interval_s
        )
        return JobStatus(
            name,
            interval_s,
            self.last_run,
            self.last_success,
            self.last_error,
            next_run,
            self.running,
            self.runs,
            self.failures,
            healthy,
            self.last_cause,
        )


def incomplete(result: object) -> str | None:
    """Why a job's result says it did not finish (``ok`` false: a cycle halted by the guard,
    interrupted, or blocked), so the dead-man check does not count it as a success."""
    if getattr(result, "ok", True) is not False:
        return None
    for name in ("halted", "interrupted", "blocked"):
        problem = getattr(result, name, None)
        if problem is not None:
            return f"{name}: {getattr(problem, 'message', problem)}"
    return "the run did not complete"


def incomplete_cause(result: object) -> Problem | None:
    """The problem that stopped a run (the guard's halt, an interruption), when it is one:
    the job's error row and App Home tell it with that problem's own words."""
    if getattr(result, "ok", True) is not False:
        return None
    for name in ("halted", "interrupted"):
        problem = getattr(result, name, None)
        if isinstance(problem, Problem):
            return problem
    return None


def record_result(
    db: Database,
    connection_id: int,
    name: str,
    error: str | None,
    now: datetime,
    cause: Problem | None = None,
) -> None:
    """Open the job's ``job_failed`` error row (R19), or resolve it after a success.

    ``cause`` is the problem behind ``error`` when there is one; the row then carries its
    code and parameters, so the reason is not left in English in a Vietnamese message.
    """
    kind = error_kind(name)
    subject = f"job:{name}"
    detail: texts.Param = error
    if cause is not None:
        error, detail = cause.message, {texts.KEY: cause.code, **cause.params}
    try:
        with db.session() as s:
            if error is None:
                key = repo.fingerprint(kind, subject, JOB_FAILED)
                repo.resolve_errors(s, connection_id=connection_id, fingerprints=[key], now=now)
            else:
                repo.record_error(
                    s,
                    connection_id=connection_id,
                    kind=kind,
                    subject=subject,
                    code=JOB_FAILED,
                    now=now,
                    message=f"the {name} job failed: {error}",
                    params={"job": name, "error": detail},
                )
            s.commit()
    except Exception:  # the database itself may be what failed; the log has it
        log.exception("scheduler could not record job result job=%s", name)
