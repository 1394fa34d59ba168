"""A shop under test: the sandbox, real clients, a real database and the catalog engine."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
import pytest

from sandbox import Sandbox
from sandbox.seeds import (
    DEMO_BLANK_SKU_VARIANT_ID,
    DEMO_DUPLICATE_PRODUCT_ID,
    DEMO_NEGATIVE_SKU,
    DEMO_UNTRACKED_SKU,
    DEMO_WEB_LOCATION_ID,
)
from storage import repo
from storage.engine import Database
from storage.models import Link
from sync.clients import PosClient, WebClient
from sync.clock import system_clock
from sync.context import SyncContext
from sync.engine import CycleResult, first_link, run_cycle
from tests.support.sapo import clients_for

FIXED_BLANK_SKU = "TTC-01"  # what the shop types into the blank SKU field


@dataclass
class Shop:
    sb: Sandbox
    db: Database
    ctx: SyncContext
    pos: PosClient
    web: WebClient
    admin: httpx.Client  # a person's own calls to the web admin API
    pos_admin: httpx.Client  # ... and to the POS admin API

    def cycle(self, **options: Any) -> CycleResult:
        return run_cycle(self.ctx, actor="test", **options)

    def writes(self) -> dict[str, int]:
        """Non-GET calls since the last stats reset, by API, method and path."""
        requests: dict[str, int] = self.sb.stats()["requests"]
        return {key: n for key, n in requests.items() if key.split()[1] != "GET"}

    def link(self, sku: str) -> Link:
        with self.db.session() as session:
            row = repo.get_link(session, connection_id=self.ctx.connection_id, sku=sku)
            assert row is not None, sku
            return row

    def links(self) -> list[Link]:
        with self.db.session() as session:
            return list(repo.all_links(session, connection_id=self.ctx.connection_id))

    def web_variant(self, sku: str) -> tuple[int, int, int]:
        """(product id, variant id, inventory item id) of the web variant carrying ``sku``."""
        with self.sb.state.lock:
            for variant in self.sb.state.web.variants.values():
                if variant.sku == sku:
                    return variant.product_id, variant.id, variant.inventory_item_id
        raise AssertionError(f"no web variant {sku}")

    def web_stock(self, sku: str) -> Decimal:
        _, _, item = self.web_variant(sku)
        levels = self.web.inventory_levels(
            inventory_item_ids=[item], location_ids=[DEMO_WEB_LOCATION_ID]
        )
        return levels[0].available

    def pos_available(self, sku: str, branches: tuple[int, ...]) -> Decimal:
        with self.sb.state.lock:
            variant = self.sb.state.pos_variant_by_sku(sku)
            assert variant is not None, sku
            return sum(
                (Decimal(str(variant.stock[b].available)) for b in branches if b in variant.stock),
                Decimal(0),
            )

    def set_web_stock(self, sku: str, available: int) -> None:
        _, _, item = self.web_variant(sku)
        body = {
            "inventory_level": {
                "location_id": DEMO_WEB_LOCATION_ID,
                "inventory_item_id": item,
                "available": available,
            }
        }
        self.admin.put("/admin/inventory_levels/set.json", json=body).raise_for_status()

    def fix_planted_problems(self) -> None:
        """What the shop does after reading the preflight report, in the web admin (R1)."""
        body = {"variant": {"sku": FIXED_BLANK_SKU}}
        self.admin.put(f"/admin/variants/{DEMO_BLANK_SKU_VARIANT_ID}.json", json=body)
        self.admin.delete(f"/admin/products/{DEMO_DUPLICATE_PRODUCT_ID}.json")
        _, untracked, _ = self.web_variant(DEMO_UNTRACKED_SKU)
        body = {"variant": {"inventory_management": "bizweb"}}
        self.admin.put(f"/admin/variants/{untracked}.json", json=body).raise_for_status()
        self.set_web_stock(DEMO_NEGATIVE_SKU, 0)


@contextmanager
def open_shop(sb: Sandbox, database_url: str, *, max_attempts: int = 5) -> Iterator[Shop]:
    """A fresh demo shop on ``sb`` with an empty, migrated database."""
    sb.reset("demo")
    db = Database(database_url)
    db.upgrade()
    with db.session() as session:
        conn = repo.ensure_connection(
            session, name="demo", pos_url=sb.pos_url, web_url=sb.web_url, now=system_clock()
        )
        session.commit()
        assert conn.id is not None
        connection_id = conn.id
    pos, web = clients_for(sb, max_attempts=max_attempts)
    auth = (sb.api_key, sb.api_secret)
    admin = httpx.Client(base_url=sb.web_url, auth=auth, trust_env=False, timeout=10.0)
    pos_admin = httpx.Client(base_url=sb.pos_url, auth=auth, trust_env=False, timeout=10.0)
    ctx = SyncContext(
        db, connection_id, pos, web, system_clock, "https://pos.example", "https://web.example"
    )
    try:
        with pos, web, admin, pos_admin:
            yield Shop(sb, db, ctx, pos, web, admin, pos_admin)
    finally:
        db.dispose()


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    """One server per test module (reset per test); a high leak rate keeps tests quick."""
    with Sandbox("demo", bucket=40, leak_rate=1000.0) as sb:
        yield sb


@pytest.fixture
def shop(sandbox: Sandbox, database_url: str) -> Iterator[Shop]:
    """A fresh demo shop, once on SQLite and once on PostgreSQL."""
    with open_shop(sandbox, database_url) as opened:
        yield opened


@pytest.fixture
def linked(shop: Shop) -> Shop:
    """A demo shop after the fixes and the first link, with the call counters at zero."""
    shop.fix_planted_problems()
    first_link(shop.ctx, actor="U-setup")
    shop.sb.reset_stats()
    return shop
