"""SKUs with control or invisible characters, or only spaces (issue 10): they block the first
link with a finding that names them, are never linked or copied to the other side, and never
break a cycle halfway, on SQLite and on PostgreSQL (which refuses NUL bytes in text)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from sandbox import Sandbox
from storage import repo
from storage.engine import Database
from sync.clock import system_clock
from sync.context import SyncContext
from sync.engine import first_link, run_cycle
from sync.errors import UserError
from sync.preflight import run_preflight
from tests.support.sapo import clients_for

UNUSABLE = ("   ", "\t", "NUL\x00SKU", "BEL\x07SKU", "ZW\u200bSP", "TAB\tIN", "NB\u00a0SP")


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox("empty", leak_rate=1000.0) as sb:
        yield sb


@pytest.fixture
def ctx(sandbox: Sandbox, database_url: str) -> Iterator[SyncContext]:
    sandbox.reset("empty")
    db = Database(database_url)
    db.upgrade()
    with db.session() as s:
        conn = repo.ensure_connection(
            s, name="skus", pos_url=sandbox.pos_url, web_url=sandbox.web_url, now=system_clock()
        )
        s.commit()
        assert conn.id is not None
    pos, web = clients_for(sandbox)
    try:
        yield SyncContext(db, conn.id, pos, web, system_clock)
    finally:
        pos.close()
        web.close()
        db.dispose()


def _web_product(sb: Sandbox, sku: str) -> dict[str, Any]:
    variant = {"sku": sku, "price": 10_000, "inventory_quantity": 2}
    return _post(sb.web_url, sb, {"product": {"name": f"Web {sku!r}", "variants": [variant]}})


def _pos_product(sb: Sandbox, sku: str) -> dict[str, Any]:
    body = {"name": f"POS {sku!r}", "variants": [{"sku": sku, "variant_retail_price": 10_000}]}
    return _post(sb.pos_url, sb, {"product": body})


def _post(base: str, sb: Sandbox, body: dict[str, Any]) -> dict[str, Any]:
    auth = (sb.api_key, sb.api_secret)
    with httpx.Client(base_url=base, auth=auth, trust_env=False, timeout=10) as http:
        response = http.post("/admin/products.json", json=body)
        response.raise_for_status()
        product: dict[str, Any] = response.json()["product"]
        return product


def _skus(sb: Sandbox) -> tuple[list[str | None], list[str | None]]:
    with sb.state.lock:
        pos = [v.sku for v in sb.state.pos.variants.values()]
        web = [v.sku for v in sb.state.web.variants.values()]
    return pos, web


def test_unusable_skus_block_the_first_link_naming_each_variant(
    sandbox: Sandbox, ctx: SyncContext
) -> None:
    """Preflight reports every web variant whose SKU is blank, only spaces, or carries a
    control or invisible character, and the first link refuses to run (R1, R2)."""
    made = [_web_product(sandbox, sku) for sku in UNUSABLE]
    _web_product(sandbox, "OK-1")
    report = run_preflight(ctx)
    flagged = {item.variant_id for finding in report.blocking for item in finding.items}
    assert flagged == {p["variants"][0]["id"] for p in made}
    with pytest.raises(UserError, match="blocking"):
        first_link(ctx, actor="U-setup")
    assert _skus(sandbox)[0] == []


def test_unusable_skus_after_setup_are_reported_not_copied_and_the_cycle_goes_on(
    sandbox: Sandbox, ctx: SyncContext
) -> None:
    """After setup, a product whose SKU holds a NUL or control character (on either side, even
    the same on both) is never linked or created on the other side; the cycle finishes, the
    clean new product next to it is created, and an error row names each bad variant (R19)."""
    _web_product(sandbox, "OK-1")
    assert first_link(ctx, actor="U-setup").ok
    for sku in ("NUL\x00SKU", "BEL\x07SKU"):
        _web_product(sandbox, sku)
        _pos_product(sandbox, sku)
    _web_product(sandbox, "ZW\u200bSP")
    _pos_product(sandbox, "OK-2")
    result = run_cycle(ctx, actor="scheduler")
    assert result.ok, result
    pos, web = _skus(sandbox)
    assert "OK-2" in web and "OK-1" in pos
    assert sorted(s or "" for s in pos if s not in ("OK-1", "OK-2")) == ["BEL\x07SKU", "NUL\x00SKU"]
    with ctx.db.session() as s:
        links = {row.sku for row in repo.all_links(s, connection_id=ctx.connection_id)}
        errors = repo.open_errors(s, connection_id=ctx.connection_id)
    assert links == {"OK-1", "OK-2"}
    assert sum(e.code == "blank_sku" for e in errors) == 5, [(e.code, e.subject) for e in errors]
    assert all("control or invisible" in e.message for e in errors if e.code == "blank_sku")
    assert run_cycle(ctx, actor="scheduler").writes == 0
