"""Web stock is never raised back while a web order is not yet on POS (R8 with R5)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from sandbox import Sandbox
from sandbox.seeds import DEMO_POS_DEFAULT_LOCATION_ID
from storage import repo
from storage.engine import Database
from storage.models import ConfigVersion
from sync.context import SyncContext
from sync.engine import first_link
from sync.health import health
from sync.orders import inflight_quantities, push_orders
from sync.scheduler import SyncScheduler
from sync.scheduler_jobs import JOB_MAINTENANCE, SchedulerState, default_jobs
from tests.support.sapo import clients_for, place_web_order
from tests.support.wait import wait_for

SKU = "BP0000001"  # on both sides of bench:40


@dataclass
class Linked:
    sb: Sandbox
    ctx: SyncContext

    def web_available(self) -> float:
        with self.sb.state.lock:
            variant = next(v for v in self.sb.state.web.variants.values() if v.sku == SKU)
            return sum(level.available for level in variant.levels.values())

    def web_variant_id(self) -> int:
        with self.sb.state.lock:
            return next(v.id for v in self.sb.state.web.variants.values() if v.sku == SKU)

    def inflight(self) -> dict[str, Decimal]:
        with self.ctx.db.session() as s:
            return inflight_quantities(s, connection_id=self.ctx.connection_id)


@pytest.fixture
def linked(tmp_path: Path) -> Iterator[Linked]:
    """A clean catalog after the first link (setup done, stock pushed once)."""
    with Sandbox("bench:40", bucket=400, leak_rate=200.0) as sb:
        pos, web = clients_for(sb)
        db = Database(f"sqlite:///{tmp_path}/stock.db")
        db.upgrade()
        with pos, web, db.session() as s:
            cid = repo.ensure_connection(
                s, name="shop", pos_url=sb.pos_url, web_url=sb.web_url, now=datetime.now(UTC)
            ).id
            s.commit()
            assert cid is not None
            ctx = SyncContext(db, cid, pos, web, lambda: datetime.now(UTC))
            first_link(ctx, actor="test")
            yield Linked(sb, ctx)
        db.dispose()


def test_stock_pushes_subtract_orders_not_yet_on_pos(linked: Linked) -> None:
    """While a web order is only on the web, a POS stock change is pushed minus the order's
    quantity; once the order is on POS (which commits it) the push agrees, and nothing ever
    puts the sold units back on sale."""
    stock_job = default_jobs()["stock"]
    place_web_order(linked.sb, [(linked.web_variant_id(), 2)])
    linked.sb.set_pos_inventory(SKU, DEMO_POS_DEFAULT_LOCATION_ID, 30)  # a recount: 30 on hand

    stock_job(linked.ctx)  # reads the order into the ledger, then pushes stock
    assert linked.inflight() == {SKU: Decimal(2)}
    assert linked.web_available() == 28  # not 30: two are sold on the web already

    assert len(push_orders(linked.ctx).pushed) == 1
    assert linked.inflight() == {}
    linked.sb.set_pos_inventory(SKU, DEMO_POS_DEFAULT_LOCATION_ID, 31)  # POS: 31 - 2 committed
    stock_job(linked.ctx)
    assert linked.web_available() == 29


def test_the_scheduler_does_nothing_but_orders_before_setup(tmp_path: Path) -> None:
    """The first link is a person's decision (R1): the catalog jobs wait for setup."""
    with Sandbox("bench:8") as sb:
        pos, web = clients_for(sb)
        db = Database(f"sqlite:///{tmp_path}/early.db")
        db.upgrade()
        with pos, web, db.session() as s:
            cid = repo.ensure_connection(
                s, name="shop", pos_url=sb.pos_url, web_url=sb.web_url, now=datetime.now(UTC)
            ).id
            s.commit()
            assert cid is not None
            ctx = SyncContext(db, cid, pos, web, lambda: datetime.now(UTC))
            sb.reset_stats()
            jobs = default_jobs()
            assert [jobs[name](ctx) for name in ("stock", "catalog", "full")] == [None] * 3
            result = push_orders(ctx)
            assert not result.set_up and result.outcomes == ()
            assert repo.get_setup(s, connection_id=cid) is None
            assert sb.stats()["requests"] == {}
        db.dispose()


def test_the_scheduler_runs_every_real_job_and_pushes_orders_by_polling(linked: Linked) -> None:
    """With the product's own jobs on short intervals, every job succeeds repeatedly, a new
    web order reaches POS without any webhook, and /healthz is green (R5, R8)."""
    now = datetime.now(UTC)
    with linked.ctx.db.session() as s:
        latest = repo.latest_config(s, connection_id=linked.ctx.connection_id)
        assert latest is not None
        repo.add_config_version(
            s,
            row=ConfigVersion(
                connection_id=latest.connection_id,
                version=0,
                price_list_id=latest.price_list_id,
                order_location_id=latest.order_location_id,
                stock_location_ids=latest.stock_location_ids,
                order_interval_s=15,
                stock_interval_s=15,
                catalog_interval_s=15,
                full_interval_s=15,
                saved_by="test",
                effective_from=now,
                created_at=now,
            ),
        )
        s.commit()
    scheduler = SyncScheduler(linked.ctx, speed=30)  # every job every half second
    assert scheduler.start() == SchedulerState.RUNNING
    try:
        # Housekeeping runs at start, then hourly (two minutes at this speed): once is enough.
        wanted = {JOB_MAINTENANCE: 1}
        wait_for(lambda: all(j.runs >= wanted.get(j.name, 2) for j in scheduler.jobs()), timeout=30)
        place_web_order(linked.sb, [(linked.web_variant_id(), 1)])
        with linked.sb.state.lock:
            count = len(linked.sb.state.pos.orders)
        assert count == 0
        wait_for(lambda: len(linked.sb.state.pos.orders) == 1, timeout=30)
        report = health(scheduler)
        assert report.ok, report.as_dict()
        assert all(j.failures == 0 for j in scheduler.jobs()), scheduler.jobs()
    finally:
        scheduler.shutdown()
    with linked.ctx.db.session() as s:
        assert repo.open_errors(s, connection_id=linked.ctx.connection_id, kind="order") == []
