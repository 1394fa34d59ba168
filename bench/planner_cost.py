"""Scenario 5: the pure planner on a full read of 100 000 linked variants: CPU and memory."""

from __future__ import annotations

import gc
import json
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sync.domain import (
    ConfigSnapshot,
    LinkStatus,
    PosInventory,
    PosProduct,
    PosVariant,
    WebProduct,
    WebVariant,
)
from sync.facts import pos_facts, web_facts
from sync.plan import LinkState, Plan
from sync.planner import PriceListIds, Snapshot, plan

SIZES = ("S", "M", "L", "XL")
BANLE, BANBUON, GIANHAP = 167000, 167001, 167002
BRANCHES = (58000, 58001, 58002)
WEB_LOCATION = 830001
NOW = datetime(2026, 3, 6, 3, 0, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class PlannerResult:
    variants: int
    cpu_s: float
    peak_mb: float

    def as_json(self) -> dict[str, Any]:
        return {"variants": self.variants, "cpu_s": round(self.cpu_s, 3), "peak_mb": self.peak_mb}


@dataclass(frozen=True, slots=True)
class Inputs:
    snapshot: Snapshot
    links: list[LinkState]
    config: ConfigSnapshot


def shop(variants: int) -> Inputs:
    """A linked shop: four sizes per product; 1 % of stock and 0.5 % of prices differ."""
    pos_products, web_products, links = [], [], []
    for first in range(0, variants, len(SIZES)):
        pid, wid = 3_000_000 + first, 50_000_000 + first
        pos_variants, web_variants = [], []
        for i in range(first, min(first + len(SIZES), variants)):
            sku, size = f"SP{i:07d}", SIZES[i % len(SIZES)]
            price = 50_000 + (i % 200) * 1_000
            stock = Decimal(i % 40)
            pos_variants.append(
                PosVariant(
                    id=5_000_000 + i,
                    product_id=pid,
                    sku=sku,
                    name=f"Sản phẩm {first // 4} - {size}",
                    options=(size, None, None),
                    prices={BANLE: price, BANBUON: price * 9 // 10, GIANHAP: price // 2},
                    inventories=tuple(PosInventory(b, stock, stock) for b in BRANCHES[: 1 + i % 3]),
                )
            )
            web_variants.append(
                WebVariant(
                    id=160_000_000 + i,
                    product_id=wid,
                    inventory_item_id=170_000_000 + i,
                    sku=sku,
                    title=size,
                    price=price + (1_000 if i % 200 == 7 else 0),
                    options=(size, None, None),
                    inventory_quantity=stock + (1 if i % 100 == 3 else 0),
                )
            )
        name = f"Sản phẩm {first // 4}"
        pos_products.append(PosProduct(pid, name, tuple(pos_variants), ("Kích thước",)))
        web_products.append(
            WebProduct(wid, name, tuple(web_variants), ("Kích thước",), published_on=NOW)
        )
    for pos, web in zip(pos_products, web_products, strict=True):
        for pv, wv in zip(pos.variants, web.variants, strict=True):
            facts = (pos_facts(pos, pv), web_facts(web, wv))
            links.append(LinkState(pv.sku or "", LinkStatus.LINKED, *facts))
    levels = {v.inventory_item_id: v.inventory_quantity for p in web_products for v in p.variants}
    snapshot = Snapshot(pos_products, web_products, levels, WEB_LOCATION, True)
    config = ConfigSnapshot(BANLE, BRANCHES[0], frozenset({BRANCHES[0]}), NOW)
    return Inputs(snapshot, links, config)


def _plan(inputs: Inputs) -> Plan:
    return plan(
        inputs.snapshot,
        inputs.links,
        inputs.config,
        inflight={},
        price_lists=PriceListIds(cost=GIANHAP, retail=BANLE),
        now=NOW,
    )


def measure(variants: int = 100_000) -> PlannerResult:
    """Plan once in this process: CPU by process time (run it where nothing else runs), memory
    as the process's peak resident size, which holds the snapshot, the links and the plan."""
    inputs = shop(variants)
    gc.collect()
    started = time.process_time()
    result = _plan(inputs)
    cpu = time.process_time() - started
    if len(result.stock) != variants // 100 or result.creations:
        raise RuntimeError(f"unexpected plan: {result.counts()}")
    return PlannerResult(variants, cpu, round(peak_kib() / 1024, 1))


def peak_kib() -> int:
    """This process's peak resident size in KiB. Linux's ``ru_maxrss`` keeps the peak of the
    process image before ``exec``, that is of the forking parent (the whole bench), so the
    per-image high-water mark ``VmHWM`` is read where there is one."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])  # "VmHWM:   123456 kB"
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


def in_subprocess(variants: int) -> PlannerResult:
    """``measure`` in a fresh interpreter, so no sandbox thread shares its CPU or memory; this
    module imports only the core (no HTTP, database or sandbox code) so that the peak holds
    what planning needs, not those libraries."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.planner_cost", str(variants)],
        capture_output=True,
        text=True,
        check=True,
    )
    figures = json.loads(done.stdout)
    return PlannerResult(figures["variants"], figures["cpu_s"], figures["peak_mb"])


if __name__ == "__main__":
    print(json.dumps(measure(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000).as_json()))
