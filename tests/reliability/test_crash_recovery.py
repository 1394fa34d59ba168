"""Crash recovery (issue 10): the engine runs in its own process and is killed with SIGKILL
at random points of a first link and of an order burst, then restarted; nothing is doubled,
nothing is lost and the links stay consistent, on SQLite and on PostgreSQL.

The sandbox lives in the test process, so it outlives every killed engine.
``SAPO_SYNC_LONG=1`` kills many more times.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from sandbox import Sandbox
from sandbox.seeds import DEMO_POS_DEFAULT_LOCATION_ID, DEMO_PRICE_LIST_IDS
from sandbox.tour import ShopStaff
from storage import repo
from storage.engine import Database
from sync.clock import system_clock
from sync.context import SyncContext
from sync.engine import first_link, run_cycle
from sync.order_push import CLAIM_TTL
from tests.reliability.support import wait_for
from tests.reliability.truth import Truth, read_truth
from tests.support.sapo import clients_for

ROOT = Path(__file__).resolve().parents[2]
LONG = os.environ.get("SAPO_SYNC_LONG") == "1"
KILLS = 12 if LONG else 3
ORDERS = 40 if LONG else 20
pytestmark = pytest.mark.slow


@dataclass
class Engine:
    """How to start the engine process against one sandbox and one database."""

    sb: Sandbox
    url: str
    workdir: Path
    runs: int = 0

    def start(self, mode: str, *, ahead_s: float = 0.0) -> subprocess.Popen[bytes]:
        self.runs += 1
        env = {
            **os.environ,
            "DRIVER_DATABASE_URL": self.url,
            "DRIVER_POS_URL": self.sb.pos_url,
            "DRIVER_WEB_URL": self.sb.web_url,
            "DRIVER_KEY": self.sb.api_key,
            "DRIVER_SECRET": self.sb.api_secret,
            "DRIVER_MODE": mode,
            "DRIVER_CLOCK_AHEAD_S": str(ahead_s),
        }
        with (self.workdir / f"engine-{self.runs}.log").open("wb") as out:
            return subprocess.Popen(
                [sys.executable, "-m", "tests.reliability.driver"],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def kill_after(self, mode: str, writes: int) -> bool:
        """Start the engine, SIGKILL it once the sandbox has seen ``writes`` more writes;
        False when it finished before that."""
        target = _writes(self.sb) + writes
        proc = self.start(mode)
        try:
            wait_for(
                lambda: _writes(self.sb) >= target or proc.poll() is not None,
                timeout=60,
                what=f"{writes} writes by the engine",
            )
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
        return proc.returncode == -signal.SIGKILL

    def finish(self, mode: str, *, ahead_s: float = 0.0) -> str:
        """Run the engine to the end; its output."""
        proc = self.start(mode, ahead_s=ahead_s)
        assert proc.wait(timeout=120) == 0, self.log()
        return self.log()

    def log(self) -> str:
        return (self.workdir / f"engine-{self.runs}.log").read_text(errors="replace")


def _writes(sb: Sandbox) -> int:
    requests: dict[str, int] = sb.stats()["requests"]
    return sum(n for key, n in requests.items() if key.split()[1] != "GET")


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox("demo", bucket=40, leak_rate=1000.0) as sb:
        yield sb


@pytest.fixture
def engine(sandbox: Sandbox, database_url: str, tmp_path: Path) -> Engine:
    """The demo shop after the staff fixed the preflight problems; a fresh database."""
    sandbox.reset("demo")
    with ShopStaff(sandbox.base_url, sandbox.api_key, sandbox.api_secret) as staff:
        staff.fix_demo_preflight_problems()
    db = Database(database_url)
    db.upgrade()
    db.dispose()
    return Engine(sandbox, database_url, tmp_path)


def test_a_first_link_killed_at_random_points_ends_linked_once(engine: Engine) -> None:
    """SIGKILL during the first link (creations, stock, prices), restart, again: the end is
    one link per SKU, one product per SKU on each side, right stock and prices (R2, R3, R8)."""
    rng = random.Random(f"first-link-{engine.url.split(':')[0]}")
    engine.sb.set_faults("both", latency_ms=10)
    killed = 0
    for _ in range(KILLS):
        # most kills among the creations (the first dozen writes), some among the stock writes
        writes = rng.randint(1, 12) if rng.random() < 0.6 else rng.randint(13, 95)
        killed += engine.kill_after("first_link", writes)
    engine.sb.set_faults("both")
    assert "done" in engine.finish("first_link")
    assert killed >= 1, "no kill landed inside the first link"
    truth = read_truth(engine.sb)
    with _context(engine) as ctx:
        assert run_cycle(ctx, actor="test").writes == 0, "a restart left work undone"
        with ctx.db.session() as s:
            assert repo.get_setup(s, connection_id=ctx.connection_id) is not None
            links = list(repo.all_links(s, connection_id=ctx.connection_id))
    _assert_one_product_per_sku(truth)
    by_sku = Counter(link.sku for link in links)
    assert all(n == 1 for n in by_sku.values())
    both_sides = {v.sku for v in truth.pos.values()} & {v.sku for v in truth.web.values()}
    assert both_sides <= set(by_sku), sorted(both_sides - set(by_sku))
    for link in links:
        if link.status != "linked":
            continue
        pos, web = truth.pos[link.pos_variant_id or 0], truth.web[link.web_variant_id or 0]
        assert pos.sku == web.sku == link.sku
        if web.tracked:
            branch = frozenset({DEMO_POS_DEFAULT_LOCATION_ID})
            assert web.available == max(Decimal(0), pos.available(branch)), link.sku
        banle = pos.prices.get(DEMO_PRICE_LIST_IDS["BANLE"], 0)
        assert not banle or web.price == banle, link.sku


def test_an_order_burst_killed_at_random_points_lands_each_order_once(engine: Engine) -> None:
    """SIGKILL while pushing a burst of web orders, restart, again: after the claims of the
    killed attempts expire, every order is on POS exactly once, and each customer once (R5,
    R20)."""
    rng = random.Random(f"orders-{engine.url.split(':')[0]}")
    with _context(engine) as ctx:
        assert first_link(ctx, actor="U-setup").ok
    truth = read_truth(engine.sb)
    with _context(engine) as ctx:
        linked = _linked_web_variants(ctx, truth)
    names = [_place(engine.sb, rng, linked, n) for n in range(ORDERS)]
    engine.sb.set_faults("both", latency_ms=10)
    killed = 0
    for _ in range(KILLS):
        killed += engine.kill_after("orders", rng.randint(1, ORDERS))
    engine.sb.set_faults("both")
    # The restart that counts comes after the killed attempts' claims have gone stale.
    assert "done" in engine.finish("orders", ahead_s=CLAIM_TTL.total_seconds() + 60)
    assert killed >= 1, "no kill landed inside the burst"
    truth = read_truth(engine.sb)
    refs = Counter(o.get("reference_number") for o in truth.pos_orders)
    assert {name: refs[name] for name in names} == dict.fromkeys(names, 1)
    assert sum(refs.values()) == len(names)
    phones = Counter(c.get("phone_number") for c in truth.pos_customers)
    assert all(n == 1 for phone, n in phones.items() if phone), phones


def _assert_one_product_per_sku(truth: Truth) -> None:
    for side in (truth.pos, truth.web):
        skus = Counter(v.sku for v in side.values() if v.sku)
        assert [s for s, n in skus.items() if n > 1] == []


@contextmanager
def _context(engine: Engine) -> Iterator[SyncContext]:
    """A SyncContext in the test process on the engine's database (closed on exit)."""
    sb = engine.sb
    db = Database(engine.url)
    pos, web = clients_for(sb)
    try:
        with db.session() as s:
            conn = repo.ensure_connection(
                s, name="crash", pos_url=sb.pos_url, web_url=sb.web_url, now=system_clock()
            )
            s.commit()
            assert conn.id is not None
        yield SyncContext(db, conn.id, pos, web, system_clock)
    finally:
        pos.close()
        web.close()
        db.dispose()


def _linked_web_variants(ctx: SyncContext, truth: Truth) -> list[int]:
    with ctx.db.session() as s:
        rows = repo.all_links(s, connection_id=ctx.connection_id)
        return sorted(
            r.web_variant_id for r in rows if r.status == "linked" and r.web_variant_id in truth.web
        )


def _place(sb: Sandbox, rng: random.Random, variants: list[int], n: int) -> str:
    """A shopper's checkout over the web API; some shoppers come back (R20)."""
    lines = rng.sample(variants, rng.randint(1, 3))
    body = {
        "line_items": [{"variant_id": v, "quantity": rng.randint(1, 2)} for v in lines],
        "phone": f"09120000{n % 7:02d}",
        "email": f"khach{n % 7}@example.com",
        "financial_status": "paid",
        "inventory_behaviour": "decrement_ignoring_policy",
    }
    auth = (sb.api_key, sb.api_secret)
    with httpx.Client(base_url=sb.web_url, auth=auth, trust_env=False, timeout=10) as http:
        response = http.post("/admin/orders.json", json={"order": body})
        response.raise_for_status()
        return str(response.json()["order"]["name"])
