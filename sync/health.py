"""``GET /healthz``: each job's last success, and a dead-man verdict on the whole scheduler."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sync.scheduler_jobs import JobStatus, SchedulerState


class Scheduled(Protocol):
    """What the health check reads from a scheduler (``SyncScheduler`` has it)."""

    @property
    def state(self) -> SchedulerState: ...

    @property
    def standby_reason(self) -> str | None: ...

    def jobs(self) -> tuple[JobStatus, ...]: ...


@dataclass(frozen=True, slots=True)
class HealthReport:
    """``ok`` is false when the scheduler is stopped or a job has not succeeded for several
    intervals; a standby process (another one holds the lease) is ok and says so."""

    ok: bool
    state: str
    jobs: tuple[JobStatus, ...]
    message: str

    @property
    def status_code(self) -> int:
        return 200 if self.ok else 503

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready body for the route."""
        return {
            "ok": self.ok,
            "state": self.state,
            "message": self.message,
            "jobs": [
                {
                    "name": j.name,
                    "healthy": j.healthy,
                    "interval_s": j.interval_s,
                    "last_run": _iso(j.last_run),
                    "last_success": _iso(j.last_success),
                    "next_run": _iso(j.next_run),
                    "last_error": j.last_error,
                    "runs": j.runs,
                    "failures": j.failures,
                }
                for j in self.jobs
            ],
        }


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def health(scheduler: Scheduled) -> HealthReport:
    """The scheduler's health, cheap enough for a load balancer to poll (no API, no DB)."""
    state = scheduler.state
    jobs = scheduler.jobs()
    if state == SchedulerState.STANDBY:
        return HealthReport(True, state, jobs, scheduler.standby_reason or "standby")
    if state != SchedulerState.RUNNING:
        return HealthReport(False, state, jobs, "the scheduler is not running")
    stale = [j.name for j in jobs if not j.healthy]
    if stale:
        return HealthReport(False, state, jobs, f"no recent success: {', '.join(stale)}")
    return HealthReport(True, state, jobs, "every job succeeded recently")
