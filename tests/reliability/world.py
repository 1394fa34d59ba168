"""A small shop on the sandbox: both catalogues, a database, the engine, and the staff's hands.

Everything a person does goes through the sandbox's HTTP APIs (so Sapo stamps and webhooks
behave as live), the sync runs with real clients whose waits are skipped, and the ground
truth is read from ``sb.state`` under its lock.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from sandbox import Sandbox
from storage import repo
from storage.engine import Database
from sync.clock import system_clock
from sync.context import SyncContext
from sync.engine import CycleResult, first_link, run_cycle
from sync.errors import RetryableError
from sync.orders import OrderRunResult, push_orders
from sync.scheduler_jobs import JOB_CATALOG, JOB_ORDERS, record_result
from tests.reliability.support import RecordedClients, recorded_clients

Faults = dict[str, Any]

# (name, option names, [(sku, option values)], POS stock per branch, BANLE price)
POS_CATALOGUE: tuple[tuple[str, tuple[str, ...], tuple[tuple[str, tuple[str, ...]], ...]], ...] = (
    (
        "Áo thun",
        ("Màu", "Size"),
        (("AT-DO-S", ("Đỏ", "S")), ("AT-DO-M", ("Đỏ", "M")), ("AT-XANH-S", ("Xanh", "S"))),
    ),
    ("Mũ lưỡi trai", (), (("MU-1", ()),)),
    ("Quần jean", ("Size",), (("QJ-29", ("29",)), ("QJ-30", ("30",)))),
    ("Tất cổ ngắn", (), (("TAT-1", ()),)),
)
WEB_CATALOGUE = (
    *(p for p in POS_CATALOGUE if p[0] != "Tất cổ ngắn"),
    ("Khăn lụa", (), (("KH-1", ()),)),
)


@dataclass
class World:
    """One shop under test; ``close()`` releases the clients and the database."""

    sb: Sandbox
    db: Database
    ctx: SyncContext
    clients: RecordedClients
    pos_admin: httpx.Client
    web_admin: httpx.Client
    branches: tuple[int, ...]
    price_lists: dict[str, int]
    web_location: int
    job_errors: list[str] = field(default_factory=list)

    def close(self) -> None:
        self.clients.close()
        self.pos_admin.close()
        self.web_admin.close()
        self.db.dispose()

    # ------------------------------------------------------------ staff (HTTP, no faults)

    def pos_call(self, method: str, path: str, body: Any = None) -> Any:
        response = self.pos_admin.request(method, path, json=body)
        response.raise_for_status()
        return response.json()

    def web_call(self, method: str, path: str, body: Any = None) -> Any:
        response = self.web_admin.request(method, path, json=body)
        response.raise_for_status()
        return response.json()

    def new_pos_product(
        self, name: str, option_names: tuple[str, ...], variants: list[tuple[str, tuple[str, ...]]]
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"name": name, "variants": []}
        if option_names:
            body["options"] = [{"name": n} for n in option_names]
        for n, (sku, values) in enumerate(variants):
            fields: dict[str, Any] = {"sku": sku, **_prices(self.price_lists, n)}
            fields["inventories"] = [
                {"location_id": b, "on_hand": 5 + 3 * i + n} for i, b in enumerate(self.branches)
            ]
            for index, value in enumerate(values, start=1):
                fields[f"opt{index}"] = value
            body["variants"].append(fields)
        product: dict[str, Any] = self.pos_call("POST", "/admin/products.json", {"product": body})[
            "product"
        ]
        return product

    def new_web_product(
        self,
        name: str,
        option_names: tuple[str, ...],
        variants: list[tuple[str, tuple[str, ...]]],
        *,
        stock: int = 4,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"name": name, "variants": []}
        if option_names:
            body["options"] = [{"name": n} for n in option_names]
        for n, (sku, values) in enumerate(variants):
            fields: dict[str, Any] = {
                "sku": sku,
                "price": 99_000 + 1_000 * n,
                "inventory_quantity": stock + n,
            }
            for index, value in enumerate(values, start=1):
                fields[f"option{index}"] = value
            body["variants"].append(fields)
        product: dict[str, Any] = self.web_call("POST", "/admin/products.json", {"product": body})[
            "product"
        ]
        return product

    def place_order(self, web_variant_ids: list[tuple[int, int]]) -> dict[str, Any]:
        """A shopper's checkout on the web store: the web takes the stock at once."""
        body = {
            "line_items": [{"variant_id": v, "quantity": q} for v, q in web_variant_ids],
            "phone": "0911000111",
            "email": "khach@example.com",
            "financial_status": "paid",
            "inventory_behaviour": "decrement_ignoring_policy",
        }
        order: dict[str, Any] = self.web_call("POST", "/admin/orders.json", {"order": body})[
            "order"
        ]
        return order

    # ------------------------------------------------------------ the sync, as scheduled

    def run_jobs(
        self, faults: Faults | None = None, *, full: bool = False, force: bool = False
    ) -> tuple[CycleResult | None, OrderRunResult | None]:
        """The catalog job then the order job, with ``faults`` on the APIs while they run.

        A temporary failure ends a job as the scheduler ends it (a ``job_failed`` row); any
        other exception is a bug and fails the test.
        """
        if faults:
            self.sb.set_faults(**faults)
        try:
            cycle = self._job(JOB_CATALOG, lambda: run_cycle(self.ctx, full=full, force=force))
            orders = self._job(JOB_ORDERS, lambda: push_orders(self.ctx))
        finally:
            if faults:
                self.sb.set_faults("both")
        return cycle, orders

    def _job(self, name: str, run: Any) -> Any:
        try:
            result = run()
        except RetryableError as exc:
            self.job_errors.append(f"{name}: {exc}")
            record_result(self.db, self.ctx.connection_id, name, str(exc), self.ctx.clock())
            return None
        record_result(self.db, self.ctx.connection_id, name, None, self.ctx.clock())
        return result


def _prices(price_lists: dict[str, int], n: int) -> dict[str, Any]:
    base = 150_000 + 10_000 * n
    values = {"BANLE": base, "BANBUON": base - 30_000, "GIANHAP": base - 70_000}
    return {
        "variant_prices": [{"price_list_id": price_lists[c], "value": v} for c, v in values.items()]
    }


@contextmanager
def open_world(sb: Sandbox, db_path: Path, template: Path | None = None) -> Iterator[World]:
    """A fresh shop on ``sb``: the small catalogue on both sides, an empty database."""
    sb.reset("empty")
    if template is not None:
        shutil.copyfile(template, db_path)
    db = Database(f"sqlite:///{db_path}")
    if template is None:
        db.upgrade()
    with db.session() as session:
        conn = repo.ensure_connection(
            session, name="shop", pos_url=sb.pos_url, web_url=sb.web_url, now=system_clock()
        )
        session.commit()
        assert conn.id is not None
        connection_id = conn.id
    clients = recorded_clients(sb)
    auth = (sb.api_key, sb.api_secret)
    pos_admin = httpx.Client(base_url=sb.pos_url, auth=auth, trust_env=False, timeout=10.0)
    web_admin = httpx.Client(base_url=sb.web_url, auth=auth, trust_env=False, timeout=10.0)
    ctx = SyncContext(db, connection_id, clients.pos, clients.web, system_clock)
    with sb.state.lock:
        branches = tuple(sorted(sb.state.pos.locations))
        lists = {p["code"]: pid for pid, p in sb.state.pos.price_lists.items()}
        web_location = sb.state.web.first_location_id()
    world = World(sb, db, ctx, clients, pos_admin, web_admin, branches, lists, web_location)
    try:
        for name, options, variants in POS_CATALOGUE:
            world.new_pos_product(name, options, list(variants))
        for name, options, variants in WEB_CATALOGUE:
            world.new_web_product(name, options, list(variants))
        yield world
    finally:
        world.close()


def link_first(world: World) -> CycleResult:
    """The person's first link (R1-R3); it must succeed on the clean catalogue."""
    result = first_link(world.ctx, actor="U-setup")
    assert result.ok, result
    return result


def template_database(path: Path) -> Path:
    """A migrated, empty SQLite file to copy per example (migrations cost more than a copy)."""
    db = Database(f"sqlite:///{path}")
    db.upgrade()
    db.dispose()
    return path
