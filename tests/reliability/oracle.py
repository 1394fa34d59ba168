"""The invariants of issue 10, checked against the sandbox's ground truth and the database.

Each check returns sentences naming what is wrong (empty when all holds), so a failing story
ends with every broken promise, not just the first.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

from storage import repo
from storage.models import Link, SyncErrorRow
from sync.domain import normalize_sku
from tests.reliability.model import Model
from tests.reliability.support import Sent
from tests.reliability.truth import PosItem, Truth, WebItem, stamp
from tests.reliability.world import World

POS_WRITES = ("/admin/products.json", "/admin/customers.json", "/admin/orders.json")
# Problems of one attempt: once the faults stop and the engine has run, none stays open.
TRANSIENT = frozenset(
    {
        "sync_interrupted",
        "create_failed",
        "create_incomplete",
        "stock_write_failed",
        "price_write_failed",
        "short_read",
        "empty_read",
        "blast_radius",
        "job_failed",
    }
)
PUSHED_ORDER_CODES = frozenset({"cancelled_after_push", "total_mismatch"})
# Codes whose truth this oracle does not recompute (they name a planning choice, not a fact
# of either store); any other code it does not know fails the story, so none slips by.
UNJUDGED = frozenset({"ambiguous_product", "sku_case_mismatch", "sku_case_of_linked"})


def links(world: World) -> list[Link]:
    with world.db.session() as s:
        return list(repo.all_links(s, connection_id=world.ctx.connection_id))


def open_errors(world: World) -> list[SyncErrorRow]:
    with world.db.session() as s:
        return list(repo.open_errors(s, connection_id=world.ctx.connection_id))


def step(world: World, model: Model, pos_sent: list[Sent], web_sent: list[Sent]) -> list[str]:
    """What one run of the jobs may never do, whatever faults were on (R8, R15, R16)."""
    rows = {row.sku: row for row in links(world)}
    off = [rows[s] for s in model.person if s in rows]
    off_web = {r.web_variant_id for r in off} - {None}
    off_items = {r.web_inventory_item_id for r in off} - {None}
    off_pos = {r.pos_variant_id for r in off} - {None}
    tombs = {s for s, state in model.person.items() if state == "deleted"}
    found = []
    for sent in pos_sent:
        if not _allowed_pos_write(sent):
            found.append(f"a POS write the sync never makes: {sent.method} {sent.path}")
        for variant_id in _order_variants(sent):
            if variant_id in off_pos:
                found.append(f"a POS order carries POS variant {variant_id} of a link turned off")
        found += [
            f"SKU {s} was created on POS after its link was deleted (R16)"
            for s in _created_skus(sent)
            if s in tombs
        ]
    for sent in web_sent:
        body = sent.body if isinstance(sent.body, dict) else {}
        if sent.path.endswith("/inventory_levels/set.json"):
            item = (body.get("inventory_level") or {}).get("inventory_item_id")
            if item in off_items:
                found.append(f"web stock written for item {item} of a link turned off (R15)")
        elif sent.method == "PUT" and "/variants/" in sent.path:
            variant_id = int(sent.path.rsplit("/", 1)[1].removesuffix(".json"))
            if variant_id in off_web:
                found.append(f"web price written for variant {variant_id} of a link turned off")
        found += [
            f"SKU {s} was created on the web after its link was deleted (R16)"
            for s in _created_skus(sent)
            if s in tombs
        ]
    for sku in tombs:
        if sku in rows and rows[sku].status != "deleted":
            found.append(f"deleted link {sku} came back as {rows[sku].status} (R16)")
    return found


def _allowed_pos_write(sent: Sent) -> bool:
    if sent.method != "POST":
        return False
    path = sent.path.split("/admin/", 1)[-1]
    return path in ("products.json", "customers.json", "orders.json") or (
        path.startswith("products/") and path.endswith("/variants.json")
    )


def _order_variants(sent: Sent) -> list[int]:
    if not sent.path.endswith("/admin/orders.json") or not isinstance(sent.body, dict):
        return []
    lines = (sent.body.get("order") or {}).get("order_line_items") or []
    return [int(line["variant_id"]) for line in lines]


def _created_skus(sent: Sent) -> list[str]:
    if sent.method != "POST" or not isinstance(sent.body, dict):
        return []
    body: Any = sent.body.get("product") or sent.body.get("variant") or {}
    variants = body.get("variants") if "variants" in body else [body]
    return [normalize_sku(v.get("sku")) for v in variants if isinstance(v, dict)]


def converged(world: World, model: Model, truth: Truth) -> list[str]:
    """After the faults stop and the engine is quiet: both stores agree, orders are right,
    and the error list shows only what is really wrong."""
    rows = links(world)
    errors = open_errors(world)
    return (
        _links(world, model, truth, rows, errors)
        + _orders(world, model, truth, rows)
        + _errors(truth, rows, errors, _price_list(world))
    )


def _inflight(world: World, truth: Truth) -> Counter[str]:
    with world.db.session() as s:
        setup = repo.get_setup(s, connection_id=world.ctx.connection_id)
    assert setup is not None
    cutover = setup.cutover_at.replace(microsecond=0)
    on_pos = Counter(o.get("reference_number") for o in truth.pos_orders)
    waiting: Counter[str] = Counter()
    for order in truth.web_orders:
        if stamp(order["created_on"]) < cutover or order["status"] == "cancelled":
            continue
        if on_pos[order["name"]]:
            continue
        for line in order["line_items"]:
            waiting[normalize_sku(line.get("sku"))] += int(line["quantity"])
    return waiting


def _links(
    world: World, model: Model, truth: Truth, rows: list[Link], errors: list[SyncErrorRow]
) -> list[str]:
    with world.db.session() as s:
        config = repo.latest_config(s, connection_id=world.ctx.connection_id)
    assert config is not None
    branches = frozenset(config.stock_location_ids)
    inflight = _inflight(world, truth)
    problems_of = {(e.subject, e.code) for e in errors}
    subjects = {e.subject for e in errors}
    found = []
    for row in rows:
        if row.status != "linked":
            continue
        pos = truth.pos.get(row.pos_variant_id or 0)
        web = truth.web.get(row.web_variant_id or 0)
        if pos is None or web is None or pos.sku != row.sku or web.sku != row.sku:
            found.append(f"live link {row.sku} points at {pos} / {web}, not its SKU's variants")
            continue
        found += _stock_and_price(row.sku, pos, web, branches, config.price_list_id, inflight)
        if not web.tracked and (row.sku, "web_untracked") not in problems_of:
            found.append(f"{row.sku}: web tracking is off and no error row says so")
    linked = {row.sku for row in rows}
    for sku in {v.sku for v in truth.pos.values()} | {v.sku for v in truth.web.values()}:
        if sku and sku not in linked and sku not in subjects:
            found.append(f"SKU {sku} is neither linked nor created nor reported (R3, R7)")
    return found


def _stock_and_price(
    sku: str,
    pos: PosItem,
    web: WebItem,
    branches: frozenset[int],
    price_list_id: int,
    inflight: Counter[str],
) -> list[str]:
    found = []
    if web.tracked:
        expected = max(Decimal(0), pos.available(branches) - inflight[sku])
        if web.available != expected:
            found.append(
                f"{sku}: web stock {web.available}, expected {expected} = POS available "
                f"{pos.available(branches)} at {sorted(branches)} - in flight {inflight[sku]} (R8)"
            )
    price = pos.prices.get(price_list_id, 0.0)
    if price > 0 and web.price != price:
        found.append(f"{sku}: web price {web.price}, POS list {price_list_id} says {price} (R18)")
    return found


def _orders(world: World, model: Model, truth: Truth, rows: list[Link]) -> list[str]:
    status = {row.sku: row.status for row in rows}
    refs = Counter(o.get("reference_number") for o in truth.pos_orders)
    names = {o["name"] for o in truth.web_orders}
    found = [f"web order {n} is on POS {c} times" for n, c in refs.items() if c > 1]
    found += [f"POS order for unknown web order {n}" for n in refs if n not in names]
    for order in truth.web_orders:
        name, count = order["name"], refs[order["name"]]
        if name in model.before_setup and count:
            found.append(f"{name} was placed before setup but reached POS (R5)")
        placed = model.orders.get(order["id"])
        if placed is None:
            continue
        if model.continuously_blocked(placed) and count:
            found.append(f"{name} reached POS while a product in it was switched off (R15)")
        if all(status.get(s) == "linked" for s in placed.skus) and count != 1:
            found.append(f"{name}: every product is linked, yet it is on POS {count} times (R5)")
        for pos_order in truth.pos_orders_for(name):
            wanted = model.order_branches(placed.created_on)
            if pos_order["location_id"] not in wanted:
                found.append(
                    f"{name} went to branch {pos_order['location_id']}, not {sorted(wanted)} "
                    "(the configuration in force when it was placed, R18)"
                )
    phones = Counter(c.get("phone_number") for c in truth.pos_customers if c.get("phone_number"))
    found += [f"POS has {n} customers with phone {p} (R20)" for p, n in phones.items() if n > 1]
    return found


def _price_list(world: World) -> int:
    with world.db.session() as s:
        config = repo.latest_config(s, connection_id=world.ctx.connection_id)
    assert config is not None
    return config.price_list_id


def _errors(
    truth: Truth, rows: list[Link], errors: list[SyncErrorRow], price_list_id: int
) -> list[str]:
    by_sku = {row.sku: row for row in rows}
    on_pos = Counter(o.get("reference_number") for o in truth.pos_orders)
    found = []
    for error in errors:
        real = True
        if error.code in TRANSIENT:
            real = False
        elif error.kind == "order":
            pushed = on_pos[error.subject] > 0
            real = pushed if error.code in PUSHED_ORDER_CODES else not pushed
        else:
            real = _product_problem(error, by_sku.get(error.subject), truth, price_list_id)
        if not real:
            found.append(
                f"open error row is not a present problem: {error.code} {error.subject}: "
                f"{error.message}"
            )
    return found


def _product_problem(
    error: SyncErrorRow, row: Link | None, truth: Truth, price_list_id: int
) -> bool:
    """Whether the ground truth still shows the problem an open product error row names."""
    sku, code = error.subject, error.code
    pos, web = truth.pos_by_sku(sku), truth.web_by_sku(sku)
    if code == "blank_sku":
        side, _, variant = sku.partition(" variant ")
        found = (truth.pos if side == "pos" else truth.web).get(int(variant or 0))
        return found is not None and not found.sku
    if code in ("duplicate_sku", "sku_already_linked"):
        bound = {row.pos_variant_id, row.web_variant_id} if row else set()
        spare = [v for v in pos if v.id not in bound] + [v for v in web if v.id not in bound]
        return len(pos) > 1 or len(web) > 1 or (row is not None and bool(spare))
    if row is None:  # a SKU that is not linked: its problem is that it stays one-sided
        return bool(pos) != bool(web) or code in ("sku_case_mismatch", "sku_case_of_linked")
    pos_v = truth.pos.get(row.pos_variant_id or 0)
    web_v = truth.web.get(row.web_variant_id or 0)
    if code in ("web_deleted", "web_variant_deleted"):
        return web_v is None
    if code == "web_untracked":
        return web_v is not None and not web_v.tracked
    if code == "no_price":
        return pos_v is not None and not pos_v.prices.get(price_list_id, 0) > 0
    if code == "sku_changed":
        return (pos_v is not None and pos_v.sku != sku) or (web_v is not None and web_v.sku != sku)
    if code.startswith("structure_"):
        return pos_v is not None and web_v is not None and _options_differ(pos_v, web_v)
    return code in UNJUDGED


def _options_differ(pos: PosItem, web: WebItem) -> bool:
    def norm(names: tuple[str, ...], values: tuple[str | None, ...]) -> tuple[str, ...]:
        real = () if names in ((), ("Title",)) else names
        picked = [v for v in values[: len(real)] if v is not None]
        return tuple(v.strip().casefold() for v in picked)

    pos_names = () if pos.option_names in ((), ("Title",)) else pos.option_names
    web_names = () if web.option_names in ((), ("Title",)) else web.option_names
    if len(pos_names) != len(web_names):
        return True
    return norm(pos.option_names, pos.options) != norm(web.option_names, web.options)
