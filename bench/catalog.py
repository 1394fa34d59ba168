"""Catalogue scenarios on one shop: first link, the cycle with nothing to do, a stock wave."""

from __future__ import annotations

import random

from bench import truth
from bench.report import ScenarioResult
from bench.shop import BUCKET, BenchShop, Measured
from sandbox import SandboxState
from sync.engine import CycleResult, first_link, run_cycle
from sync.orders import ingest_orders

SCHEDULE_GAP_S = 300  # the wait between two scheduled cycles that the shop clock skips
WAVE_SHARE = 0.01  # share of POS variants whose stock changes in a wave
PRICE_SHARE = 0.05  # share of shared SKUs whose web price differs from POS before the link
PRICE_STEP = 1_000.0  # how far such a web price is off, in đồng
# Calls a first link makes beyond its bound, by the engine's own choice (README, Performance):
# each side's product count before its full read (the short-read guard) and a second read of
# the POS price lists (the default configuration, then the price list ids). A web list whose
# length is a multiple of 250 adds one empty last page (no total on the web API).
LINK_EXTRA_CALLS = 3


def catalog_job(shop: BenchShop) -> CycleResult:
    """What the scheduler's catalog job runs: new web orders into the ledger, then a cycle."""
    ingest_orders(shop.ctx)
    return run_cycle(shop.ctx, actor="bench")


def _result(
    shop: BenchShop,
    name: str,
    size: int,
    measured: Measured,
    bound: truth.Bound,
    *,
    idle: bool = False,
) -> ScenarioResult:
    return ScenarioResult(name, size, measured, bound, BUCKET, shop.leak_rate, idle=idle)


def whole_products(state: SandboxState) -> None:
    """Make the 70 % cut of ``bench:N`` fall between products.

    The seed cuts its shared SKUs mid-product, so one web product holds POS sizes S and M and
    web-only sizes L and XL, while its POS twin has its own L and XL: neither side can take the
    other's sizes (the engine rightly reports that conflict). Such a product is not what this
    scenario measures, so its web-only variants get the SKUs of their POS twins.
    """
    with state.lock:
        pos_skus = {v.sku for v in state.pos.variants.values() if v.sku}
        for product in state.web.products.values():
            variants = [state.web.variants[vid] for vid in product.variant_ids]
            shared = [v for v in variants if v.sku in pos_skus]
            if not shared or len(shared) == len(variants):
                continue
            for variant in variants:
                twin = f"BP{(variant.sku or '')[2:]}"
                if variant.sku not in pos_skus and twin in pos_skus:
                    variant.sku = twin


def differ_prices(state: SandboxState) -> int:
    """Put every twentieth shared SKU's web price off its POS retail price, so that the
    first link has prices to write (the seed prices both sides alike); returns how many."""
    with state.lock:
        pos_skus = {v.sku for v in state.pos.variants.values() if v.sku}
        shared = sorted(
            (v for v in state.web.variants.values() if v.sku in pos_skus), key=lambda v: v.id
        )
        chosen = shared[:: max(1, round(1 / PRICE_SHARE))]
        for variant in chosen:
            variant.price += PRICE_STEP
    return len(chosen)


def link(shop: BenchShop, size: int) -> ScenarioResult:
    """Scenario 1: the first link of a fresh ``bench:size`` shop (R2, R3, R7, R8, R18)."""
    whole_products(shop.sb.state)
    differ_prices(shop.sb.state)
    with shop.sb.state.lock:
        bound = truth.first_link(shop.sb.state.pos, shop.sb.state.web)
    result, measured = shop.measure(lambda: first_link(shop.ctx, actor="bench"))
    if not result.ok or result.failures:
        raise RuntimeError(f"first link did not complete: {result.failures[:3]}")
    return _result(shop, "first link", size, measured, bound)


def settle(shop: BenchShop) -> None:
    """The next scheduled cycle after a link: it re-reads what the link itself wrote."""
    shop.clock.advance(SCHEDULE_GAP_S)
    catalog_job(shop)
    shop.clock.advance(SCHEDULE_GAP_S)


def idle(shop: BenchShop, size: int) -> ScenarioResult:
    """Scenario 2: a scheduled cycle when nothing changed since the last one."""
    result, measured = shop.measure(lambda: catalog_job(shop))
    if not result.ok:
        raise RuntimeError("the idle cycle failed")
    bound = truth.Bound(truth.incremental_reads())
    return _result(shop, "idle cycle", size, measured, bound, idle=True)


def change_stock(shop: BenchShop, rng: random.Random) -> list[str]:
    """A day of store sales: 1 % of POS variants get a new count. Every other change (the
    first included) lands at the branch whose stock counts (the default one, R4, R18), so it
    must move web stock; the rest land at a random other branch and must move nothing."""
    state = shop.sb.state
    with state.lock:
        variants = sorted((v.sku, v.id) for v in state.pos.variants.values() if v.sku)
        counted = state.pos.default_location_id()
        others = sorted(set(state.pos.locations) - {counted})
    chosen = rng.sample(variants, max(1, round(len(variants) * WAVE_SHARE)))
    for i, (sku, vid) in enumerate(chosen):
        branch = counted if i % 2 == 0 or not others else rng.choice(others)
        with state.lock:
            stock = state.pos.variants[vid].stock.get(branch)
            before = stock.on_hand if stock else 0.0
        after = float(rng.choice([n for n in range(0, 60) if n != before]))
        shop.sb.set_pos_inventory(sku, branch, after)
    return [sku for sku, _ in chosen if sku]


def wave(shop: BenchShop, size: int, rng: random.Random) -> ScenarioResult:
    """Scenario 3: the stock cycle after a wave of POS stock changes (R4, R8)."""
    changed = change_stock(shop, rng)
    with shop.sb.state.lock:
        bound = truth.stock_wave(shop.sb.state.pos, shop.sb.state.web, changed)
    result, measured = shop.measure(lambda: catalog_job(shop))
    if not result.ok or result.failures:
        raise RuntimeError(f"the stock cycle failed: {result.failures[:3]}")
    return _result(shop, "stock wave", size, measured, bound)
