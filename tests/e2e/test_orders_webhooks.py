"""The webhook fast path over real HTTP: Sapo posts, we verify, the scheduler does the work."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from sandbox import Sandbox
from sandbox.seeds import DEMO_POS_DEFAULT_LOCATION_ID
from storage import repo
from storage.engine import Database
from sync.context import SyncContext
from sync.engine import first_link
from sync.orders import push_orders
from sync.reading import POS_CURSOR
from sync.scheduler import SyncScheduler
from sync.scheduler_jobs import JobRun, SchedulerState
from sync.signing import sign
from sync.webhooks import WebhookOutcome, handle_delivery, register_webhooks
from tests.e2e.test_orders import demo_shop
from tests.support.sapo import clients_for
from tests.support.wait import wait_for


class Receiver:
    """What the bot's ``POST /webhooks/{source}`` route does, served by uvicorn on loopback."""

    def __init__(self, ctx: SyncContext, scheduler: SyncScheduler, secret: str) -> None:
        self.ctx, self.scheduler, self.secret = ctx, scheduler, secret
        self.seen: list[tuple[bytes, dict[str, str], WebhookOutcome]] = []
        self.app = Starlette(routes=[Route("/webhooks/{source}", self.hook, methods=["POST"])])

    async def hook(self, request: Request) -> JSONResponse:
        raw = await request.body()
        headers = dict(request.headers)
        source = request.path_params["source"]
        outcome = await run_in_threadpool(
            lambda: handle_delivery(
                self.ctx,
                source=source,
                topic=None,
                raw_body=raw,
                headers=headers,
                secret=self.secret,
                scheduler=self.scheduler,
            )
        )
        self.seen.append((raw, headers, outcome))
        return JSONResponse({"result": outcome.result}, status_code=outcome.status_code)


@contextmanager
def serving(app: Starlette) -> Iterator[str]:
    """Serve ``app`` on a free loopback port; stopped and joined on exit."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        wait_for(lambda: server.started)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def test_a_web_order_is_pushed_by_its_webhook_and_duplicates_and_forgeries_do_nothing(
    tmp_path: Path,
) -> None:
    """orders/create reaches POS within seconds with no polling due; a POS stock change sets
    off the stock job; a forged delivery gets 401; a redelivery is answered but not redone."""
    with demo_shop(f"sqlite:///{tmp_path}/shop.db") as shop:
        counts: dict[str, int] = {"stock": 0}

        def stock(_ctx: SyncContext) -> object:
            counts["stock"] += 1
            return None

        runs: list[JobRun] = []
        jobs = {
            "orders": lambda c: push_orders(c),
            "stock": stock,
            "catalog": lambda c: None,
            "full": lambda c: None,
        }
        # Sapo's default intervals: after the start-up run, only a webhook makes a job run now.
        scheduler = SyncScheduler(shop.ctx, jobs=jobs, on_cycle=[runs.append])
        receiver = Receiver(shop.ctx, scheduler, shop.sb.api_secret)
        assert scheduler.start() == SchedulerState.RUNNING
        try:
            with serving(receiver.app) as url:
                register_webhooks(shop.ctx, url)
                wait_for(lambda: len(runs) >= 3)  # the start-up runs are over
                started = time.monotonic()
                web = shop.place([("MBH", 1)])
                wait_for(lambda: len(shop.pos_orders()) == 1)
                assert time.monotonic() - started < 5
                assert shop.pos_orders()[0]["reference_number"] == web["name"]

                before = counts["stock"]
                shop.sb.set_pos_inventory("ATCB-TRANG-S", 58000, 40)  # a store recount
                wait_for(lambda: counts["stock"] > before)
                shop.sb.wait_for_webhooks()

                raw, headers, first = next(
                    (r, h, o) for r, h, o in receiver.seen if o.topic == "orders/create"
                )
                assert first.result == "accepted"
                triggered = sum(r.triggered for r in runs if r.name == "orders")
                with httpx.Client(base_url=url, trust_env=False) as http:
                    again = http.post("/webhooks/web", content=raw, headers=_resend(headers))
                    forged = http.post(
                        "/webhooks/web",
                        content=raw.replace(b"MBH", b"XXX"),
                        headers=_resend(headers),
                    )
                    unsigned = http.post(
                        "/webhooks/web", content=raw, headers={"X-Sapo-Topic": "orders/create"}
                    )
                assert (again.status_code, again.json()) == (200, {"result": "duplicate"})
                assert forged.status_code == 401 and unsigned.status_code == 401
                assert sum(r.triggered for r in runs if r.name == "orders") == triggered
        finally:
            scheduler.shutdown()
        assert len(shop.pos_orders()) == 1
        assert sign(raw, shop.sb.api_secret) == _resend(headers)["x-sapo-hmac-sha256"]


def _resend(headers: dict[str, Any]) -> dict[str, str]:
    keep = ("x-sapo-topic", "x-sapo-hmac-sha256", "x-sapo-object-id", "content-type")
    return {k: str(v) for k, v in headers.items() if k in keep}


def test_a_pos_stock_webhook_pushes_that_skus_stock_even_when_modified_on_did_not_move(
    tmp_path: Path,
) -> None:
    """With the real jobs and Sapo's default intervals, a POS inventories/update makes the
    web stock of that SKU follow within seconds, no interval due: the stock job re-reads the
    product the delivery named by id, so it works even when Sapo's modified_on did not move
    (simulated: the POS cursor is put past every stamp, so the incremental read is empty)."""
    sku = "BP0000001"  # on both sides of bench:40
    with Sandbox("bench:40", bucket=400, leak_rate=200.0) as sb:
        pos, web = clients_for(sb)
        db = Database(f"sqlite:///{tmp_path}/stock.db")
        db.upgrade()
        with pos, web, db.session() as s:
            now = datetime.now(UTC)
            cid = repo.ensure_connection(
                s, name="shop", pos_url=sb.pos_url, web_url=sb.web_url, now=now
            ).id
            s.commit()
            assert cid is not None
            ctx = SyncContext(db, cid, pos, web, lambda: datetime.now(UTC))
            first_link(ctx, actor="test")
            runs: list[JobRun] = []
            scheduler = SyncScheduler(ctx, on_cycle=[runs.append])  # default_jobs()
            receiver = Receiver(ctx, scheduler, sb.api_secret)
            assert scheduler.start() == SchedulerState.RUNNING
            try:
                with serving(receiver.app) as url:
                    register_webhooks(ctx, url)
                    start_up = {"orders", "stock", "catalog", "maintenance"}
                    wait_for(lambda: start_up <= {r.name for r in runs})
                    assert all(r.ok for r in runs), [r.error for r in runs]
                    ran = len(runs)
                    _cursor_past_every_stamp(ctx)
                    sb.reset_stats()
                    started = time.monotonic()
                    variant = sb.set_pos_inventory(sku, DEMO_POS_DEFAULT_LOCATION_ID, 37)
                    [at_branch] = [
                        i["available"]
                        for i in variant["inventories"]
                        if i["location_id"] == DEMO_POS_DEFAULT_LOCATION_ID
                    ]
                    assert _web_available(sb, sku) != at_branch
                    wait_for(lambda: _web_available(sb, sku) == at_branch)
                    assert time.monotonic() - started < 5
                    sb.wait_for_webhooks()
                    wait_for(lambda: any(r.name == "stock" for r in runs[ran:]))
            finally:
                scheduler.shutdown()
        db.dispose()
        [stock_run] = [r for r in runs[ran:] if r.name == "stock"]
        assert stock_run.triggered and stock_run.ok
        assert {r.name for r in runs[ran:]} == {"stock"}  # no catalog, no full pass
        calls = sb.stats()["requests"]
    assert calls.get("pos GET /admin/products/{id}.json") == 1  # the product, by id
    assert calls.get("web GET /admin/products.json", 0) == 0  # a stock pass lists no web


def _cursor_past_every_stamp(ctx: SyncContext) -> None:
    """What a stock change that leaves modified_on alone looks like to the incremental read."""
    now = datetime.now(UTC)
    with ctx.db.session() as s:
        repo.set_cursor(
            s,
            connection_id=ctx.connection_id,
            resource=POS_CURSOR,
            value=(now + timedelta(days=1)).isoformat(),
            now=now,
        )
        s.commit()


def _web_available(sb: Sandbox, sku: str) -> float:
    with sb.state.lock:
        variant = next(v for v in sb.state.web.variants.values() if v.sku == sku)
        return sum(level.available for level in variant.levels.values())
