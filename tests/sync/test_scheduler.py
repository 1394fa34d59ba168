"""The in-process scheduler: jobs on short intervals, recovery, triggers, lease, dead-man."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import cast

import pytest

from storage import repo
from storage.engine import Database
from storage.models import ConfigVersion
from sync.clock import FakeClock
from sync.context import SyncContext
from sync.health import health
from sync.ports import PosApi, WebApi
from sync.reading import NO_SUBJECTS, Subjects
from sync.scheduler import SyncScheduler
from sync.scheduler_jobs import JOB_FAILED, JOB_NAMES, JobRun, SchedulerState, TargetedJob
from tests.support.wait import wait_for

FAST = 150.0  # 15-second intervals (the smallest a person may save) become 0.1 s


def add_config(db: Database, cid: int, seconds: int, *, orders: int | None = None) -> None:
    now = datetime.now(UTC)
    with db.session() as s:
        repo.add_config_version(
            s,
            row=ConfigVersion(
                connection_id=cid,
                version=0,
                price_list_id=1,
                order_location_id=1,
                stock_location_ids=[1],
                order_interval_s=orders or seconds,
                stock_interval_s=seconds,
                catalog_interval_s=seconds,
                full_interval_s=seconds,
                saved_by="test",
                effective_from=now,
                created_at=now,
            ),
        )
        s.commit()


@pytest.fixture
def ctx(database_url: str) -> Iterator[SyncContext]:
    """A context on a migrated database; the jobs under test never call the APIs."""
    db = Database(database_url)
    db.upgrade()
    with db.session() as s:
        conn = repo.ensure_connection(
            s, name="shop", pos_url="p", web_url="w", now=datetime.now(UTC)
        )
        s.commit()
    assert conn.id is not None
    no_api = object()
    yield SyncContext(db, conn.id, cast(PosApi, no_api), cast(WebApi, no_api), datetime.now)
    db.dispose()


class Jobs:
    """Counting job functions; ``fail`` names jobs that raise on their first run."""

    def __init__(self, fail: tuple[str, ...] = ()) -> None:
        self.runs: Counter[str] = Counter()
        self.fail = set(fail)
        self.lock = threading.Lock()

    def fns(self) -> dict[str, Callable[[SyncContext], object]]:
        return {name: self._fn(name) for name in JOB_NAMES}

    def _fn(self, name: str) -> Callable[[SyncContext], object]:
        def run(_ctx: SyncContext) -> object:
            with self.lock:
                self.runs[name] += 1
                first = self.runs[name] == 1
            if first and name in self.fail:
                raise RuntimeError(f"{name} broke")
            return name

        return run


def test_all_jobs_run_on_short_intervals_and_a_raising_job_recovers(ctx: SyncContext) -> None:
    """Every job runs repeatedly; a job that raised records job_failed (R19), the scheduler
    keeps going, and the next success resolves the error row."""
    add_config(ctx.db, ctx.connection_id, 15)
    jobs = Jobs(fail=("stock",))
    runs: list[JobRun] = []
    open_after_failure: list[tuple[str, str, str]] = []

    def on_cycle(run: JobRun) -> None:
        runs.append(run)
        if not run.ok:
            with ctx.db.session() as s:
                rows = repo.open_errors(s, connection_id=ctx.connection_id)
                open_after_failure.extend((e.kind, e.subject, e.code) for e in rows)

    scheduler = SyncScheduler(
        ctx, jobs=jobs.fns(), on_cycle=[on_cycle], speed=FAST, lease_ttl=timedelta(seconds=3)
    )
    assert scheduler.start() == SchedulerState.RUNNING
    try:
        wait_for(lambda: all(jobs.runs[name] >= 3 for name in JOB_NAMES))
        wait_for(lambda: all(j.healthy for j in scheduler.jobs()))
    finally:
        scheduler.shutdown()
    failed = [r for r in runs if not r.ok]
    assert [(r.name, r.error) for r in failed] == [("stock", "RuntimeError: stock broke")]
    assert open_after_failure == [("product", "job:stock", JOB_FAILED)]
    with ctx.db.session() as s:
        assert repo.open_errors(s, connection_id=ctx.connection_id) == []
    stock = next(j for j in scheduler.jobs() if j.name == "stock")
    assert stock.failures == 1 and stock.last_error is None and stock.last_success is not None


def test_a_second_scheduler_on_the_same_database_stands_by(ctx: SyncContext) -> None:
    """Only the lease holder syncs; a second process says why it does not, and takes over
    once the first one stops."""
    add_config(ctx.db, ctx.connection_id, 15)
    first_jobs, second_jobs = Jobs(), Jobs()
    other_db = Database(ctx.db.url)  # the second process has its own engine
    other = SyncContext(other_db, ctx.connection_id, ctx.pos, ctx.web, ctx.clock)
    first = SyncScheduler(
        ctx, jobs=first_jobs.fns(), speed=FAST, holder="first", lease_ttl=timedelta(seconds=0.6)
    )
    second = SyncScheduler(
        other, jobs=second_jobs.fns(), speed=FAST, holder="second", lease_ttl=timedelta(seconds=0.6)
    )
    try:
        assert first.start() == SchedulerState.RUNNING
        assert second.start() == SchedulerState.STANDBY
        assert second.standby_reason is not None and "first" in second.standby_reason
        assert not second.trigger("orders")
        wait_for(lambda: first_jobs.runs["orders"] >= 5)
        assert sum(second_jobs.runs.values()) == 0
        report = health(second)
        assert report.ok and report.state == "standby" and "first" in report.message
        first.shutdown()
        wait_for(lambda: second.state == SchedulerState.RUNNING)
        wait_for(lambda: second_jobs.runs["orders"] >= 2)
    finally:
        first.shutdown()
        second.shutdown()
        other_db.dispose()


def test_intervals_follow_a_new_config_version(ctx: SyncContext) -> None:
    """Saving a config version reschedules the jobs with its intervals (R18)."""
    add_config(ctx.db, ctx.connection_id, 15)
    scheduler = SyncScheduler(ctx, jobs=Jobs().fns(), speed=FAST, lease_ttl=timedelta(seconds=0.6))
    scheduler.start()
    try:
        assert {j.interval_s for j in scheduler.jobs()} == {0.1}
        add_config(ctx.db, ctx.connection_id, 15, orders=1500)
        # picked up by the lease job on its own; refresh_config() is for the bot to hurry it
        wait_for(lambda: next(j for j in scheduler.jobs() if j.name == "orders").interval_s == 10)
        orders = next(j for j in scheduler.jobs() if j.name == "orders")
        assert orders.next_run is not None
        assert orders.next_run > datetime.now(UTC) + timedelta(seconds=5)
    finally:
        scheduler.shutdown()


def test_trigger_runs_now_and_a_trigger_during_a_run_is_not_lost(ctx: SyncContext) -> None:
    """A webhook's trigger runs the job at once; one that arrives mid-run runs it again."""
    release = threading.Event()
    started = threading.Event()
    runs: list[JobRun] = []

    def slow_orders(_ctx: SyncContext) -> object:
        started.set()
        release.wait(10)
        return None

    fns = Jobs().fns() | {"orders": slow_orders}
    scheduler = SyncScheduler(ctx, jobs=fns, on_cycle=[runs.append])  # default hour intervals
    scheduler.start()
    try:
        wait_for(started.is_set)  # the first run at start
        assert scheduler.trigger("orders")  # arrives while it runs
        started.clear()
        release.set()
        wait_for(started.is_set)  # ran again right after
        wait_for(lambda: sum(r.name == "orders" for r in runs) >= 2)
        assert [r.triggered for r in runs if r.name == "orders"][:2] == [False, True]
        assert not scheduler.trigger("no-such-job")
    finally:
        release.set()
        scheduler.shutdown()


def test_dead_man_turns_unhealthy_after_three_intervals_without_success(
    ctx: SyncContext,
) -> None:
    """No success for three intervals makes the job and /healthz unhealthy; the next
    success makes them healthy again."""
    clock = FakeClock(datetime(2026, 3, 6, 3, 0, tzinfo=UTC))
    broken = {"orders"}

    def orders(_ctx: SyncContext) -> object:
        if broken:
            raise RuntimeError("POS is down")
        return None

    done: list[JobRun] = []
    scheduler = SyncScheduler(
        ctx, clock=clock, jobs=Jobs().fns() | {"orders": orders}, on_cycle=[done.append]
    )
    scheduler.start()
    try:
        wait_for(lambda: any(r.name == "orders" for r in done))
        assert health(scheduler).ok  # one failure is not yet a dead man
        clock.advance(3 * 60 + 1)
        report = health(scheduler)
        assert not report.ok and report.status_code == 503 and "orders" in report.message
        assert [j.name for j in report.jobs if not j.healthy] == ["orders"]
        broken.clear()
        assert scheduler.trigger("orders")
        wait_for(lambda: health(scheduler).ok)
        assert health(scheduler).as_dict()["jobs"][0]["last_success"] is not None
    finally:
        scheduler.shutdown()
    assert not health(scheduler).ok  # stopped


def test_webhook_subjects_reach_the_triggered_run_and_survive_a_failed_one(
    ctx: SyncContext,
) -> None:
    """The products webhooks named are handed to the job's next run (merged when several
    arrive while it runs); a run that fails leaves them for the run after; a timer run and a
    job that takes no subjects get none."""
    release = threading.Event()
    started = threading.Event()
    seen: list[Subjects] = []
    fail = {"once"}

    def stock(_ctx: SyncContext, subjects: Subjects) -> object:
        seen.append(subjects)
        started.set()
        release.wait(10)
        if subjects and fail:
            fail.clear()
            raise RuntimeError("POS is down")
        return None

    runs: list[JobRun] = []
    fns = Jobs().fns() | {"stock": TargetedJob(stock)}
    scheduler = SyncScheduler(ctx, jobs=fns, on_cycle=[runs.append])  # default intervals
    scheduler.start()
    try:
        wait_for(started.is_set)  # the start-up run, on the timer
        started.clear()
        one = Subjects(pos_product_ids=frozenset({1}), pos_variant_ids=frozenset({11}))
        two = Subjects(pos_product_ids=frozenset({2}))
        assert scheduler.trigger("stock", one)
        assert scheduler.trigger("stock", two)  # both arrive while the first run runs
        assert scheduler.trigger("orders", two)  # a job that takes none just runs
        release.set()
        wait_for(lambda: sum(r.name == "stock" for r in runs) >= 2)
        assert scheduler.trigger("stock")  # say, the timer: the failed run's subjects wait
        wait_for(lambda: sum(r.name == "stock" for r in runs) >= 3)
        assert seen[:3] == [NO_SUBJECTS, one | two, one | two]
        assert [r.ok for r in runs if r.name == "stock"][:3] == [True, False, True]
    finally:
        release.set()
        scheduler.shutdown()
