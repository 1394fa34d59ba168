"""The bound arithmetic and the verdicts the benchmark table prints, on plain data (issue 9)."""

from __future__ import annotations

import pytest

from bench import truth
from bench.report import ScenarioResult
from bench.shop import Measured
from sandbox.models import (
    PosData,
    PosProduct,
    PosStock,
    PosVariant,
    WebData,
    WebLevel,
    WebProduct,
    WebVariant,
)

BANLE = 167000
BRANCH, OTHER_BRANCH = 58000, 58001
LOCATION = 830001
MADE = "2026-03-06T03:00:00Z"


@pytest.mark.parametrize(("items", "pages"), [(0, 1), (1, 1), (250, 1), (251, 2), (500, 2)])
def test_pages_are_250_a_call_and_one_even_for_nothing(items: int, pages: int) -> None:
    """A list of ``items`` records takes ⌈items / 250⌉ calls, and one to see that it is empty."""
    assert truth.pages(items) == pages


@pytest.mark.parametrize(
    ("calls", "seconds"), [(0, 0.0), (40, 0.0), (41, 0.05), (240, 10.0), (1040, 50.0)]
)
def test_a_bucket_serves_its_burst_at_once_then_the_leak_rate(calls: int, seconds: float) -> None:
    """Bucket 40 at 20/s: 40 calls cost no wait, 240 calls cost (240 - 40) / 20 = 10 s."""
    assert truth.seconds_bound(calls, bucket=40, leak_rate=20.0) == pytest.approx(seconds)


@pytest.mark.parametrize(
    ("reads", "writes", "seconds"),
    [
        ({"pos products": 240}, {"web stock": 40}, 10.0),  # POS is the slower API
        ({"pos products": 40}, {"web stock": 240}, 10.0),  # the web is
        ({"pos products": 140}, {"pos orders": 100, "web stock": 239}, 10.0),  # not 479 calls
        ({"pos products": 20}, {"web stock": 20}, 0.0),  # two buckets: each fits its burst
    ],
)
def test_the_time_bound_is_the_slower_api_each_with_its_own_bucket(
    reads: dict[str, int], writes: dict[str, int], seconds: float
) -> None:
    """Each API leaks on its own, so the bound is the slower one, not the sum of both."""
    bound = truth.Bound(reads, writes)
    assert bound.seconds(bucket=40, leak_rate=20.0) == pytest.approx(seconds)


def test_a_bound_part_must_name_its_api() -> None:
    """A part that names no API cannot be put in a bucket, so it is refused, not guessed."""
    with pytest.raises(ValueError, match="does not name its API"):
        truth.Bound({"products": 1}).seconds(bucket=40, leak_rate=20.0)


def _result(
    *,
    calls: int = 100,
    writes: int = 0,
    seconds: float = 3.0,
    throttled: int = 0,
    idle: bool = False,
) -> ScenarioResult:
    """A scenario whose bound is 100 calls, 3 s at bucket 40 and 20/s (100 POS reads: 3 s)."""
    requests = {"pos GET /admin/products.json": calls - writes}
    if writes:
        requests["web PUT /admin/inventory_levels/set.json"] = writes
    bound = truth.Bound({"pos products": 100})
    if idle:
        bound = truth.Bound(truth.incremental_reads())
    measured = Measured(requests, throttled, seconds)
    return ScenarioResult("s", 1, measured, bound, 40, 20.0, idle=idle)


@pytest.mark.parametrize(
    ("result", "verdict"),
    [
        (_result(), "ok"),
        (_result(calls=110, seconds=3.42), "ok"),  # at the targets: x1.10 calls, x1.14 time
        (_result(calls=120), "calls x1.20"),
        (_result(seconds=3.6), "time x1.20"),
        (_result(throttled=1), "1 x 429"),
        (_result(calls=120, seconds=3.6, throttled=2), "calls x1.20, time x1.20, 2 x 429"),
        (_result(calls=6, seconds=0.1, idle=True), "ok"),
        (_result(calls=5, seconds=0.1, idle=True), "ok"),
        (_result(calls=7, writes=1, seconds=0.1, idle=True), "1 writes, 7 reads > 6"),
        (_result(calls=6, writes=1, seconds=0.1, idle=True), "1 writes"),
        (_result(calls=7, seconds=0.1, idle=True), "7 reads > 6"),
        (_result(calls=6, seconds=0.1, throttled=1, idle=True), "1 x 429"),
    ],
)
def test_verdicts_name_what_misses_its_target(result: ScenarioResult, verdict: str) -> None:
    """A scenario misses on calls over x1.10, time over x1.15 or any 429; an idle cycle misses
    on any write, more reads than the fixed incremental ones, or a 429."""
    assert result.verdict() == verdict


def _pos(*variants: tuple[str, float, float]) -> PosData:
    """One POS product of (sku, retail price, available at the default branch) variants."""
    pos = PosData(
        tenant={},
        locations={BRANCH: {}, OTHER_BRANCH: {}},
        price_lists={BANLE: {"code": "BANLE"}},
    )
    product = PosProduct(1, "Áo", ["Kích thước"], [1], [], MADE, MADE)
    pos.products[product.id] = product
    for n, (sku, price, available) in enumerate(variants, start=10):
        stock = {BRANCH: PosStock(on_hand=available), OTHER_BRANCH: PosStock(on_hand=5.0)}
        variant = PosVariant(
            n, 1, sku, None, f"Áo - {sku}", sku, None, None, {BANLE: price}, stock, MADE, MADE
        )
        pos.variants[variant.id] = variant
        product.variant_ids.append(variant.id)
    return pos


def _web(*variants: tuple[str, float, float]) -> WebData:
    """One web product of (sku, price, available at the one location) variants."""
    web = WebData(store={}, locations={LOCATION: {}})
    product = WebProduct(2, "Áo", "ao", [], [], MADE, MADE, MADE)
    web.products[product.id] = product
    for n, (sku, price, available) in enumerate(variants, start=20):
        level = {LOCATION: WebLevel(n, available, 0.0, MADE, MADE)}
        fields = (sku, None, price, None, sku, None, None, "bizweb", "deny", level, MADE, MADE)
        variant = WebVariant(n, 2, n + 100, *fields)
        web.add_variant(variant)
        product.variant_ids.append(variant.id)
    return web


@pytest.mark.parametrize(
    ("web_variants", "writes"),
    [
        # equal: nothing to write, only the reads
        ((("A", 100_000, 3), ("B", 120_000, 4)), {"web stock": 0, "web prices": 0}),
        # A's stock and B's price differ: one write each; other branches do not count (R4)
        ((("A", 100_000, 9), ("B", 125_000, 4)), {"web stock": 1, "web prices": 1}),
        # both differ on A: two writes, one per field
        ((("A", 99_000, 0), ("B", 120_000, 4)), {"web stock": 1, "web prices": 1}),
    ],
)
def test_first_link_writes_each_stock_and_price_that_really_differs(
    web_variants: tuple[tuple[str, float, float], ...], writes: dict[str, int]
) -> None:
    """The first link's bound writes a web stock only where POS's default branch differs and
    a web price only where POS's retail price differs (R8, R18), and creates nothing here."""
    pos = _pos(("A", 100_000, 3), ("B", 120_000, 4))
    bound = truth.first_link(pos, _web(*web_variants))
    assert dict(bound.writes) == {"web creates": 0, "pos creates": 0, **writes}
    assert bound.read_calls == 6


@pytest.mark.parametrize(
    ("web_skus", "creates"),
    [
        (("C", "D"), (1, 1)),  # nothing shared: each product is made whole in one create
        (("B", "C", "D"), (1, 2)),  # linked through B: one create per variant added
    ],
)
def test_first_link_creates_what_the_other_side_lacks(
    web_skus: tuple[str, ...], creates: tuple[int, int]
) -> None:
    """A product the other side lacks costs one create; a variant added to a product already
    linked through a sibling costs one create per variant (R3, R7)."""
    pos = _pos(("A", 100_000, 3), ("B", 120_000, 4))
    web = _web(*((sku, 120_000.0, 4.0) for sku in web_skus))
    bound = truth.first_link(pos, web)
    assert (bound.writes["web creates"], bound.writes["pos creates"]) == creates


def test_stock_wave_writes_only_what_moved_at_the_counted_branch() -> None:
    """After a wave, the bound writes the web stock of a changed variant only where the default
    branch's count now differs from the web (R4, R8); the changed product is read once."""
    pos = _pos(("A", 100_000, 7), ("B", 120_000, 4), ("C", 90_000, 2))
    web = _web(("A", 100_000, 3), ("B", 120_000, 4), ("C", 90_000, 5))
    bound = truth.stock_wave(pos, web, ["A", "B"])  # C differs but did not change: not read
    assert bound.writes == {"web stock": 1}
    assert bound.reads == truth.incremental_reads(pos_products=1)


@pytest.mark.parametrize(
    ("orders", "pos_customers", "customer_list"), [(5, 3, 1), (300, 600, 3), (2, 900, 2)]
)
def test_order_burst_reads_customers_the_cheaper_way(
    orders: int, pos_customers: int, customer_list: int
) -> None:
    """An order run knows POS customers by one search per order or by the whole list,
    whichever takes fewer calls, and writes each order and each new customer once (R20)."""
    bound = truth.order_burst(orders=orders, pos_customers=pos_customers, new_customers=1)
    assert bound.reads["pos customer list"] == customer_list
    assert bound.reads["web orders (open)"] == truth.pages(orders)
    assert bound.writes == {"pos customer creates": 1, "pos orders": orders}
