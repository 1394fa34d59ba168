"""The scheduler's jobs: their names, default intervals, what each runs and how it went."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sync.context import SyncContext
from sync.domain import ConfigSnapshot, ErrorKind

JOB_ORDERS, JOB_STOCK, JOB_CATALOG, JOB_FULL = "orders", "stock", "catalog", "full"
JOB_NAMES = (JOB_ORDERS, JOB_STOCK, JOB_CATALOG, JOB_FULL)
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

JobFn = Callable[[SyncContext], object]


def error_kind(job: str) -> ErrorKind:
    """The error list a failed job shows in (R19)."""
    return ErrorKind.ORDER if job == JOB_ORDERS else ErrorKind.PRODUCT


def default_jobs() -> dict[str, JobFn]:
    """The jobs the product runs: the same functions as the CLI and the bot call."""
    from sync.orders import push_orders

    # Imported by name so the scheduler does not depend on the engine at import time.
    engine: Any = importlib.import_module("sync.engine")

    return {
        JOB_ORDERS: lambda ctx: push_orders(ctx, actor="scheduler"),
        JOB_STOCK: lambda ctx: engine.run_cycle(ctx, actor="scheduler"),
        JOB_CATALOG: lambda ctx: engine.run_cycle(ctx, actor="scheduler"),
        JOB_FULL: lambda ctx: engine.run_cycle(ctx, full=True, actor="scheduler"),
    }


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


@dataclass
class JobTrack:
    """The scheduler's mutable record of one job (guarded by the scheduler's lock)."""

    last_run: datetime | None = None
    last_success: datetime | None = None
    last_error: str | None = None
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
        )
