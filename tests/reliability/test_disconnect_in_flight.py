"""A link disconnected or deleted while a cycle's writes are in flight (issue 10, R15, R16).

The engine read the links of a chunk of up to 100 writes once, before sending them: a link a
person disconnected while that chunk was on the wire still got its stock or price written,
after Slack had told them it was disconnected. Here the web answers slowly, a person
disconnects (or deletes) the link the plan writes last while the cycle writes the others,
and the recording transport shows what the engine put on the wire after that commit.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace

import pytest

from sandbox.seeds import DEMO_POS_DEFAULT_LOCATION_ID
from sync import links
from sync.domain import LinkStatus
from sync.engine import CycleResult, run_cycle
from sync.links import LinkChange
from tests.e2e.catalog_shop import Shop, linked, sandbox, shop
from tests.reliability.support import Sent, recorded_clients, wait_for

__all__ = ["linked", "sandbox", "shop"]  # fixtures
LATENCY_MS = 60  # each web write takes this long: the cycle's writes are in flight a while
CHANGED = 30  # products whose POS stock changes: one chunk of writes
STOCK_PATH = "/admin/inventory_levels/set.json"


def _stock_items(sent: list[Sent]) -> list[int]:
    """The inventory items of the stock writes in ``sent``, in order."""
    levels = [s.body["inventory_level"] for s in sent if s.path.endswith(STOCK_PATH)]
    return [int(level["inventory_item_id"]) for level in levels]


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(links.disconnect, id="disconnect"),
        pytest.param(links.delete_link, id="delete"),
    ],
)
def test_a_link_changed_while_a_cycles_writes_are_in_flight_gets_no_write_after_it(
    linked: Shop, change: Callable[..., LinkChange]
) -> None:
    """POS stock changes on 30 linked products; while the cycle pushes them one by one to
    a slow web store, a person disconnects (or deletes) the product the plan pushes last.
    Once that change has committed nothing more is written for it, while the other
    products' writes go on, and its web stock keeps the value it had (R15, R16)."""
    recorded = recorded_clients(linked.sb)
    ctx = replace(linked.ctx, pos=recorded.pos, web=recorded.web)
    live = [row for row in linked.links() if row.status == LinkStatus.LINKED.value]
    changed = live[:CHANGED]  # under the blast-radius guard's half of the linked items
    for n, row in enumerate(changed):
        linked.sb.set_pos_inventory(row.sku, DEMO_POS_DEFAULT_LOCATION_ID, 40 + n)
    pushes = run_cycle(ctx, dry_run=True, actor="test").plan.stock
    assert len(pushes) == CHANGED
    target = pushes[-1]
    kept = linked.web_stock(target.sku)
    results: list[CycleResult] = []
    start = recorded.web_log.mark()
    linked.sb.set_faults("web", latency_ms=LATENCY_MS)
    cycling = threading.Thread(target=lambda: results.append(run_cycle(ctx, actor="scheduler")))
    cycling.start()
    try:
        wait_for(
            lambda: len(_stock_items(recorded.web_log.since(start))) >= 2,
            what="the cycle's first stock writes",
        )
        assert change(linked.ctx, target.sku, actor="U1").changed
        committed = recorded.web_log.mark()
    finally:
        cycling.join(timeout=120)
        linked.sb.set_faults("web")
        recorded.close()
    after = _stock_items(recorded.web_log.since(committed))
    assert target.inventory_item_id not in after, f"{target.sku} written after the change"
    assert len(after) >= 3, "the change did not land while the cycle's writes were in flight"
    [result] = results
    assert result.ok and result.done["stock"] == CHANGED - 1, "one write skipped, no other"
    assert linked.web_stock(target.sku) == kept != target.after
    assert linked.link(target.sku).status != LinkStatus.LINKED.value
