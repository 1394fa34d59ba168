"""The in-process scheduler: APScheduler 3 jobs for orders, stock, catalog and a full pass."""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    EVENT_JOB_MAX_INSTANCES,
    JobExecutionEvent,
    JobSubmissionEvent,
)
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from storage import repo
from sync.clock import Clock, system_clock
from sync.context import SyncContext
from sync.reading import NO_SUBJECTS, Subjects
from sync.scheduler_jobs import (
    JOB_MAINTENANCE,
    JOB_NAMES,
    JOB_ORDERS,
    Intervals,
    JobFn,
    JobRun,
    JobStatus,
    JobTrack,
    SchedulerState,
    TargetedJob,
    default_jobs,
    incomplete,
    incomplete_cause,
    record_result,
)

log = logging.getLogger(__name__)

LEASE_JOB = "lease"
# Catalog, stock and the full pass all read and write links: one worker runs them one at a
# time. Orders have their own worker so a long full pass never holds an order back, and the
# lease its own so it is renewed however long a job runs.
EXECUTOR_OF = {JOB_ORDERS: "orders", LEASE_JOB: "lease"}
# Started jobs run at once except the full pass, which waits one interval: a restart loop
# must not trigger a full reconciliation every time. Maintenance is cheap and bounded, and
# waiting an hour would let frequent restarts starve it.
FIRST_RUN_NOW = frozenset((*JOB_NAMES, JOB_MAINTENANCE)) - {"full"}


class SyncScheduler:
    """Runs the sync jobs while this process holds the database lease; otherwise stands by.

    ``speed`` divides every interval (tests run hours of schedule in seconds); a job that
    raises records a ``job_failed`` error row and the next run happens as planned.
    """

    def __init__(
        self,
        ctx: SyncContext | Callable[[], SyncContext],
        *,
        clock: Clock = system_clock,
        jobs: Mapping[str, JobFn] | None = None,
        on_cycle: Sequence[Callable[[JobRun], None]] = (),
        speed: float = 1.0,
        lease_ttl: timedelta = timedelta(seconds=90),
        unhealthy_after: int = 3,
        holder: str | None = None,
    ) -> None:
        self._ctx = ctx if callable(ctx) and not isinstance(ctx, SyncContext) else (lambda: ctx)
        base = self._ctx()
        self._db, self._connection_id = base.db, base.connection_id
        self._clock = clock
        self._fns = dict(jobs if jobs is not None else default_jobs())
        self._on_cycle = tuple(on_cycle)
        self._lease_ttl = lease_ttl
        self._unhealthy_after = unhealthy_after
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.lease_name = f"scheduler:{self._connection_id}"
        self._lock = threading.RLock()
        self._tracks = {name: JobTrack() for name in self._fns}
        self._subjects: dict[str, Subjects] = {}  # webhook subjects for each job's next run
        self._intervals = Intervals(speed)
        self._state = SchedulerState.STOPPED
        self._started_at: datetime | None = None
        self._standby_reason: str | None = None
        self._aps: BackgroundScheduler | None = None

    # ---------------------------------------------------------------- lifecycle

    @property
    def state(self) -> SchedulerState:
        return self._state

    @property
    def standby_reason(self) -> str | None:
        """Why this process does not sync (another one holds the lease), or None."""
        return self._standby_reason

    def start(self) -> SchedulerState:
        """Start; RUNNING when this process got the lease, STANDBY when another one has it.

        A standby scheduler keeps trying, so it takes over when the other process stops.
        """
        with self._lock:
            if self._aps is not None:
                return self._state
            self._started_at = self._clock()
            self._aps = BackgroundScheduler(
                timezone=UTC,
                executors={
                    "default": ThreadPoolExecutor(1),
                    "orders": ThreadPoolExecutor(1),
                    "lease": ThreadPoolExecutor(1),
                },
                job_defaults={"coalesce": True, "max_instances": 1},
            )
            renew = max(self._lease_ttl.total_seconds() / 3, 0.05)
            self._aps.add_job(
                self._lease_tick,
                IntervalTrigger(seconds=renew),
                id=LEASE_JOB,
                executor="lease",
                misfire_grace_time=max(int(renew), 1),
            )
            self._aps.add_listener(
                self._on_event, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR | EVENT_JOB_MAX_INSTANCES
            )
            self._aps.start()
            self._lease_tick()
            return self._state

    def shutdown(self, *, wait: bool = True) -> None:
        """Stop the jobs (waiting for running ones by default) and give the lease back."""
        with self._lock:
            aps, self._aps = self._aps, None
        if aps is None:
            return
        aps.shutdown(wait=wait)
        if self._state == SchedulerState.RUNNING:
            with self._db.session() as s:
                repo.release_lease(s, name=self.lease_name, holder=self.holder)
                s.commit()
        self._state = SchedulerState.STOPPED

    # ---------------------------------------------------------------- lease and config

    def _lease_tick(self) -> None:
        """Renew (or try to take) the lease; follow config changes while running."""
        now = self._clock()
        try:
            with self._db.session() as s:
                held = repo.acquire_lease(
                    s, name=self.lease_name, holder=self.holder, now=now, ttl=self._lease_ttl
                )
                other = None if held else repo.get_lease(s, name=self.lease_name)
                s.commit()
        except Exception:  # a database hiccup: keep the current state, try again next tick
            log.exception("scheduler lease check failed holder=%s", self.holder)
            return
        with self._lock:
            if self._aps is None:  # shut down while the database answered
                return
            if held and self._state != SchedulerState.RUNNING:
                self._go_running()
            elif not held:
                holder = (
                    f" ({other.holder}, until {other.expires_at:%H:%M:%S} UTC)" if other else ""
                )
                self._go_standby(holder)
        if held:
            self.refresh_config()

    def _go_running(self) -> None:
        self._state = SchedulerState.RUNNING
        self._standby_reason = None
        self._intervals.load(self._db, self._connection_id)
        now = datetime.now(UTC)
        assert self._aps is not None
        for name in self._fns:
            wait = timedelta(seconds=0 if name in FIRST_RUN_NOW else self._intervals.seconds(name))
            self._aps.add_job(
                self._run,
                self._trigger_for(name),
                args=(name,),
                id=name,
                name=name,
                executor=EXECUTOR_OF.get(name, "default"),
                next_run_time=now + wait,
                replace_existing=True,
                misfire_grace_time=self._intervals.grace(name),
            )
        log.info("scheduler running holder=%s lease=%s", self.holder, self.lease_name)

    def _go_standby(self, holder: str) -> None:
        was = self._state
        self._state = SchedulerState.STANDBY
        self._standby_reason = (
            f"another sapo-sync process holds the scheduler lease{holder}; this one does "
            "not sync and takes over when that one stops"
        )
        if was == SchedulerState.STANDBY:
            return
        if self._aps is not None:
            for name in self._fns:
                if self._aps.get_job(name) is not None:
                    self._aps.remove_job(name)
        level = logging.ERROR if was == SchedulerState.RUNNING else logging.WARNING
        log.log(level, "scheduler standby holder=%s reason=%s", self.holder, self._standby_reason)

    def refresh_config(self) -> bool:
        """Re-read the active config; reschedule the jobs when its version changed."""
        with self._lock:
            if self._state != SchedulerState.RUNNING or self._aps is None:
                return False
            if not self._intervals.load(self._db, self._connection_id):
                return False
            for name in self._fns:
                self._aps.reschedule_job(name, trigger=self._trigger_for(name))
                self._aps.modify_job(name, misfire_grace_time=self._intervals.grace(name))
        log.info("scheduler intervals changed config_version=%s", self._intervals.version)
        return True

    def _trigger_for(self, name: str) -> IntervalTrigger:
        return IntervalTrigger(seconds=self._intervals.seconds(name), timezone=UTC)

    # ---------------------------------------------------------------- running jobs

    def trigger(self, name: str, subjects: Subjects = NO_SUBJECTS) -> bool:
        """Run a job now (a webhook, ``/sapo sync``); False in standby or for an unknown job.

        A job already running runs once more right after, so no trigger is lost. A webhook's
        ``subjects`` are kept (in memory: polling and the full pass are the net) for the
        job's next run, which re-reads them by id.
        """
        with self._lock:
            if name not in self._fns or self._state != SchedulerState.RUNNING:
                return False
            if subjects:
                self._subjects[name] = self._subjects.get(name, NO_SUBJECTS) | subjects
            track = self._tracks[name]
            track.triggered = True
            if track.running:
                track.rerun = True
                return True
            assert self._aps is not None
            self._aps.modify_job(name, next_run_time=datetime.now(UTC))
        return True

    def _on_event(self, event: JobExecutionEvent | JobSubmissionEvent) -> None:
        """Re-run after a run that a trigger arrived during (APScheduler has counted the
        instance as finished by now, so the re-run is not skipped as a second instance)."""
        with self._lock:
            track = self._tracks.get(event.job_id)
            if track is None:
                return
            if event.code == EVENT_JOB_MAX_INSTANCES:
                track.rerun = track.rerun or track.triggered  # a trigger met a queued run
                return
            track.running = False
            if track.rerun and self._aps is not None and self._state == SchedulerState.RUNNING:
                track.rerun, track.triggered = False, True
                self._aps.modify_job(event.job_id, next_run_time=datetime.now(UTC))

    def _run(self, name: str) -> None:
        with self._lock:
            if self._state != SchedulerState.RUNNING:
                return
            track = self._tracks[name]
            # Triggers that came before this run starts are served by it.
            track.running, track.rerun = True, False
            triggered, track.triggered = track.triggered, False
            subjects = self._subjects.pop(name, NO_SUBJECTS)
        started = self._clock()
        result: object = None
        error: str | None = None
        fn = self._fns[name]
        try:
            if isinstance(fn, TargetedJob):
                result = fn.with_subjects(self._ctx(), subjects)
            else:
                result = fn(self._ctx())
            error = incomplete(result)
        except Exception as exc:  # the job failed, the scheduler goes on (the next run is due)
            error = f"{exc.__class__.__name__}: {exc}"
            log.exception("scheduler job failed job=%s", name)
            if subjects:  # the next run tries them again
                with self._lock:
                    self._subjects[name] = self._subjects.get(name, NO_SUBJECTS) | subjects
        finished = self._clock()
        cause = incomplete_cause(result)
        record_result(self._db, self._connection_id, name, error, finished, cause)
        with self._lock:
            track.runs += 1
            track.last_run = started
            track.last_cause = cause
            if error is None:
                track.last_success, track.last_error = finished, None
            else:
                track.failures += 1
                track.last_error = error
        log.info(
            "scheduler job done job=%s ok=%s duration_s=%.2f",
            name,
            error is None,
            (finished - started).total_seconds(),
        )
        run = JobRun(name, started, finished, error is None, error, result, triggered)
        for callback in self._on_cycle:
            try:
                callback(run)
            except Exception:  # a broken alert publisher must not stop the sync
                log.exception("scheduler on_cycle callback failed job=%s", name)

    # ---------------------------------------------------------------- health

    def jobs(self) -> tuple[JobStatus, ...]:
        """Per job: last run, last success, next run, last error and the dead-man verdict."""
        now = self._clock()
        with self._lock:
            out = []
            for name, track in self._tracks.items():
                job = self._aps.get_job(name) if self._aps is not None else None
                next_run = getattr(job, "next_run_time", None) if job is not None else None
                out.append(
                    track.status(
                        name,
                        interval_s=self._intervals.seconds(name),
                        next_run=next_run,
                        since=self._started_at,
                        now=now,
                        allowed_intervals=self._unhealthy_after,
                        active=self._state == SchedulerState.RUNNING,
                    )
                )
            return tuple(out)

    @property
    def healthy(self) -> bool:
        """Running with every job succeeding recently, or correctly standing by."""
        if self._state == SchedulerState.STANDBY:
            return True
        return self._state == SchedulerState.RUNNING and all(j.healthy for j in self.jobs())
