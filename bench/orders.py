"""Scenario 4: a burst of web orders placed at once, pushed to POS in one order run."""

from __future__ import annotations

import random
from dataclasses import dataclass

from bench import truth
from bench.report import ScenarioResult
from bench.shop import BUCKET, BenchShop
from sandbox.pos_orders import new_customer
from sandbox.web_orders import new_order
from sync.orders import push_orders

RETURNING_SHARE = 0.5  # share of the burst's customers that POS knows already (R20)


@dataclass(frozen=True, slots=True)
class Burst:
    orders: int
    pos_customers: int  # customers on POS before the run
    new_customers: int  # customers the run must create on POS


def place_burst(shop: BenchShop, count: int, rng: random.Random) -> Burst:
    """``count`` web orders of one to three linked variants, each by its own customer; half of
    those customers already bought in a store, so POS knows them by phone."""
    state = shop.sb.state
    with state.lock:
        pos_skus = {v.sku for v in state.pos.variants.values() if v.sku}
        sellable = sorted(v.id for v in state.web.variants.values() if v.sku in pos_skus)
        returning = round(count * RETURNING_SHARE)
        for i in range(returning):
            fields = {"name": f"Khách {i}", "phone_number": _phone(i), "email": _email(i)}
            new_customer(state.pos, state.ids, fields, state.now())
        known = len(state.pos.customers)
        for i in range(count):
            lines = [
                {"variant_id": vid, "quantity": rng.randint(1, 2)}
                for vid in rng.sample(sellable, rng.randint(1, 3))
            ]
            customer = {"first_name": "Khách", "last_name": str(i), "phone": _phone(i)}
            customer["email"] = _email(i)
            body = {"line_items": lines, "customer": customer, "financial_status": "paid"}
            new_order(state.web, state.ids, body, state.now())
    return Burst(count, known, count - returning)


def _phone(i: int) -> str:
    return f"09{i:08d}"


def _email(i: int) -> str:
    return f"khach{i}@example.com"


def burst(shop: BenchShop, size: int, rng: random.Random) -> ScenarioResult:
    """Place the burst, then measure the order run that pushes it (R5, R17, R20)."""
    placed = place_burst(shop, size, rng)
    bound = truth.order_burst(
        orders=placed.orders,
        pos_customers=placed.pos_customers,
        new_customers=placed.new_customers,
    )
    result, measured = shop.measure(lambda: push_orders(shop.ctx, actor="bench"))
    pushed = len(result.pushed)
    if pushed != size:
        raise RuntimeError(f"{pushed} of {size} orders reached POS: {result.counts}")
    return ScenarioResult("order burst", size, measured, bound, BUCKET, shop.leak_rate)
