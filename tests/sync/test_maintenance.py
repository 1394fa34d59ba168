"""Delivery retention: old idempotency keys go in bounded batches, young ones keep refusing
replays, and the scheduler runs it hourly, visibly, like the other jobs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event
from sqlmodel import select

from bot.i18n import Translator
from bot.views.status import status_blocks
from storage import repo
from storage.engine import Database
from storage.models import Delivery
from sync.clock import FakeClock
from sync.context import SyncContext
from sync.maintenance import prune_deliveries
from sync.ports import PosApi, WebApi
from sync.scheduler import SyncScheduler
from sync.scheduler_jobs import JOB_FAILED, JOB_MAINTENANCE, JobRun, default_jobs
from sync.signing import sign
from sync.status import collect_status
from sync.webhooks import handle_delivery
from tests.support.wait import wait_for

T0 = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)
SECRET = "whsec-test"
HOURLY_IN_A_TENTH = 36_000.0  # the hourly job every 0.1 s


def connect(db: Database, name: str) -> int:
    with db.session() as s:
        cid = repo.ensure_connection(s, name=name, pos_url="p", web_url="w", now=T0).id
        s.commit()
    assert cid is not None
    return cid


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


@pytest.fixture
def ctx(database_url: str, clock: FakeClock) -> Iterator[SyncContext]:
    """A migrated database and a context whose clock the test moves; no API is called."""
    db = Database(database_url)
    db.upgrade()
    no_api = object()
    yield SyncContext(db, connect(db, "shop"), cast(PosApi, no_api), cast(WebApi, no_api), clock)
    db.dispose()


def claim(ctx: SyncContext, key: str, at: datetime, connection_id: int | None = None) -> bool:
    with ctx.db.session() as s:
        fresh = repo.claim_delivery(
            s, connection_id=connection_id or ctx.connection_id, key=key, now=at
        )
        s.commit()
    return fresh


def keys(ctx: SyncContext) -> set[str]:
    with ctx.db.session() as s:
        return set(s.exec(select(Delivery.key)).all())


def test_old_deliveries_go_and_young_ones_stay(ctx: SyncContext, clock: FakeClock) -> None:
    """Keys older than the retention window are deleted; younger ones, and keys exactly at
    the edge, stay; another connection's old keys are its own scheduler's business."""
    other = connect(ctx.db, "other shop")
    clock.now = T0 + 30 * DAY
    for key, age in [
        ("web:old", 8 * DAY),
        ("slack:req:old", 30 * DAY),
        ("web:edge", 7 * DAY),
        ("web:young", 6 * DAY),
        ("pos:new", timedelta(minutes=1)),
    ]:
        assert claim(ctx, key, clock.now - age)
    assert claim(ctx, "web:other-old", clock.now - 20 * DAY, connection_id=other)

    result = prune_deliveries(ctx, retention=7 * DAY)

    assert (result.deleted, result.more) == (2, False)
    assert keys(ctx) == {"web:edge", "web:young", "pos:new", "web:other-old"}


def test_a_replay_inside_the_window_is_still_refused(ctx: SyncContext, clock: FakeClock) -> None:
    """A Sapo delivery replayed 6 days later is a duplicate even after maintenance ran; only
    past the window is its id forgotten (and a replay then triggers harmless targeted work)."""
    body = json.dumps({"id": 175000009, "name": "#1009"}).encode()
    headers = {"X-Sapo-Topic": "orders/create", "X-Sapo-Hmac-Sha256": sign(body, SECRET)}
    triggered: list[str] = []

    class Recorder:
        def trigger(self, name: str) -> bool:
            triggered.append(name)
            return True

    def deliver() -> str:
        return handle_delivery(
            ctx,
            source="web",
            topic=None,
            raw_body=body,
            headers=headers,
            secret=SECRET,
            scheduler=Recorder(),
        ).result

    assert deliver() == "accepted"
    clock.advance((6 * DAY + timedelta(hours=23)).total_seconds())
    assert prune_deliveries(ctx, retention=7 * DAY).deleted == 0
    assert deliver() == "duplicate"
    clock.advance((2 * DAY).total_seconds())
    assert prune_deliveries(ctx, retention=7 * DAY).deleted == 1
    assert deliver() == "accepted"
    assert len(triggered) == 2


def test_a_backlog_is_deleted_in_bounded_batches(ctx: SyncContext, clock: FakeClock) -> None:
    """Each transaction deletes at most one batch and commits; a run stops at its batch
    budget and says there is more, and the next run carries on from the oldest."""
    clock.now = T0 + 60 * DAY
    for i in range(25):
        assert claim(ctx, f"web:{i:02d}", T0 + i * timedelta(minutes=1))
    assert claim(ctx, "web:young", clock.now - DAY)
    deletes: list[int] = []
    commits: list[int] = []

    def on_execute(_conn: Any, cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("DELETE"):
            deletes.append(cursor.rowcount)

    def on_commit(_conn: Any) -> None:
        commits.append(len(deletes))

    event.listen(ctx.db.engine, "after_cursor_execute", on_execute)
    event.listen(ctx.db.engine, "commit", on_commit)
    try:
        first = prune_deliveries(ctx, retention=7 * DAY, batch=10, max_batches=2)
        left = keys(ctx)
        second = prune_deliveries(ctx, retention=7 * DAY, batch=10, max_batches=2)
    finally:
        event.remove(ctx.db.engine, "after_cursor_execute", on_execute)
        event.remove(ctx.db.engine, "commit", on_commit)

    assert (first.deleted, first.batches, first.more) == (20, 2, True)
    assert left == {"web:20", "web:21", "web:22", "web:23", "web:24", "web:young"}
    assert (second.deleted, second.batches, second.more) == (5, 1, False)
    assert deletes == [10, 10, 5]
    assert commits == [1, 2, 3]  # one commit after every batch, none holding two
    assert keys(ctx) == {"web:young"}


def test_the_maintenance_job_runs_on_schedule_and_shows_in_status(
    ctx: SyncContext, clock: FakeClock
) -> None:
    """The scheduler runs the product's maintenance job at start and every interval, under
    its lease; its last run shows in ``/sapo status`` and App Home in both languages."""
    clock.now = T0 + 30 * DAY
    runs: list[JobRun] = []
    jobs = {JOB_MAINTENANCE: default_jobs(delivery_retention=7 * DAY)[JOB_MAINTENANCE]}
    scheduler = SyncScheduler(
        ctx, clock=clock, jobs=jobs, on_cycle=[runs.append], speed=HOURLY_IN_A_TENTH
    )
    assert claim(ctx, "web:old", clock.now - 8 * DAY)
    scheduler.start()
    try:
        wait_for(lambda: len(runs) >= 1)
        assert keys(ctx) == set()
        assert claim(ctx, "web:later-old", clock.now - 9 * DAY)
        wait_for(lambda: keys(ctx) == set())  # the next scheduled run, not a trigger
        with ctx.db.session() as s:
            lease = repo.get_lease(s, name=scheduler.lease_name)
        assert lease is not None and lease.holder == scheduler.holder
        report = collect_status(ctx, tz=ZoneInfo("UTC"), jobs=scheduler.jobs())
    finally:
        scheduler.shutdown()
    assert len(runs) >= 2 and all(r.ok for r in runs)
    [job] = report.jobs
    assert (job.name, job.ok, job.last_run, job.last_error) == (
        JOB_MAINTENANCE,
        True,
        clock.now,
        None,
    )
    for lang, name in (("en", "Housekeeping"), ("vi", "Dọn dẹp dữ liệu")):
        text = json.dumps(
            status_blocks(Translator(lang), report, ZoneInfo("UTC")), ensure_ascii=False
        )
        assert f"✅ *{name}*" in text


def test_a_failed_maintenance_run_is_recorded_like_other_job_failures(
    ctx: SyncContext, clock: FakeClock, tmp_path: Path
) -> None:
    """A maintenance run that fails (here its database has no tables) opens the job's
    ``job_failed`` error row (R19) and marks the job in status; the scheduler goes on."""
    broken = Database(f"sqlite:///{tmp_path}/unmigrated.db")
    first = [True]

    def context() -> SyncContext:
        if first[0]:  # the scheduler's own (lease, error rows) stays on the real database
            first[0] = False
            return ctx
        return SyncContext(broken, ctx.connection_id, ctx.pos, ctx.web, clock)

    runs: list[JobRun] = []
    jobs = {JOB_MAINTENANCE: default_jobs()[JOB_MAINTENANCE]}
    scheduler = SyncScheduler(
        context, clock=clock, jobs=jobs, on_cycle=[runs.append], speed=HOURLY_IN_A_TENTH
    )
    scheduler.start()
    try:
        wait_for(lambda: len(runs) >= 2)
    finally:
        scheduler.shutdown()
        broken.dispose()
    assert not runs[0].ok and "deliveries" in (runs[0].error or "")
    with ctx.db.session() as s:
        rows = repo.open_errors(s, connection_id=ctx.connection_id)
    assert [(e.kind, e.subject, e.code) for e in rows] == [
        ("product", f"job:{JOB_MAINTENANCE}", JOB_FAILED)
    ]
    [job] = scheduler.jobs()
    assert job.failures >= 2 and job.last_error is not None
