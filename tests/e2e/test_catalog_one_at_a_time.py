"""One catalog cycle at a time per shop, whichever process runs it (R3, R7, issue 10).

Two cycles at once each planned the products missing on the other side and each created
them: the bot's worker serving two `/sapo sync` presses, or `sapo-sync sync` beside the
bot's scheduler. The cycle now holds a database lease while it runs; a second one is
refused before it reads anything, and the scheduler's own job skips quietly.
"""

from __future__ import annotations

import threading
from collections import Counter

import pytest

from sync.cycle import catalog_pass
from sync.engine import CycleResult, SyncBusy, run_cycle
from sync.scheduler_jobs import JOB_CATALOG, default_jobs
from tests.e2e.catalog_shop import Shop, linked, sandbox, shop
from tests.reliability.support import wait_for

__all__ = ["linked", "sandbox", "shop"]


def _new_web_products(s: Shop, n: int) -> None:
    for i in range(n):
        body = {
            "product": {
                "name": f"Khăn mới {i}",
                "variants": [{"sku": f"KM-{i}", "price": 99_000, "inventory_quantity": 3}],
            }
        }
        s.admin.post("/admin/products.json", json=body).raise_for_status()


def test_a_second_cycle_while_one_applies_is_refused_and_nothing_is_created_twice(
    linked: Shop,
) -> None:
    """While a cycle creates 12 web-only products on POS (slowly), a second cycle by hand
    is refused naming who runs the first, the scheduler's catalog job skips without an
    error, and every product exists once on POS afterwards."""
    _new_web_products(linked, 12)
    results: list[CycleResult] = []
    linked.sb.set_faults("pos", latency_ms=60)
    first = threading.Thread(
        target=lambda: results.append(run_cycle(linked.ctx, actor="U-first")), daemon=True
    )
    first.start()
    try:
        wait_for(
            lambda: linked.sb.stats()["requests"].get("pos POST /admin/products.json", 0) > 0,
            timeout=30,
            what="the first cycle's creations",
        )
        with pytest.raises(SyncBusy, match=r"already running.*U-first"):
            catalog_pass(linked.ctx, actor="cli")
        assert default_jobs()[JOB_CATALOG](linked.ctx) is None
        assert first.is_alive(), "the first cycle ended before the second was tried"
    finally:
        first.join(timeout=120)
        linked.sb.set_faults("pos")
    [result] = results
    assert result.ok and not result.failures
    with linked.sb.state.lock:
        skus = Counter(v.sku for v in linked.sb.state.pos.variants.values() if v.sku)
    assert [sku for sku, n in skus.items() if n > 1] == []
    assert all(skus[f"KM-{i}"] == 1 for i in range(12))
    again = run_cycle(linked.ctx, actor="cli")  # the lease was given back
    assert again.ok and again.writes == 0
