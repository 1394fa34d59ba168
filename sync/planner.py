"""The pure planner: snapshots + links + config + in-flight → a Plan of reasoned actions."""

from __future__ import annotations

import gc
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sync import creation, relink
from sync.domain import ConfigSnapshot, LinkStatus, PosProduct, WebProduct
from sync.facts import Drift, pos_facts, structure_problem, web_facts
from sync.guard import CATALOG, DEFAULT_GUARD, Guard
from sync.guard import check as guard_check
from sync.matching import Ref, match
from sync.matching import sku_key as key
from sync.plan import (
    LinkPair,
    LinkState,
    Plan,
    PosFacts,
    Problem,
    PushPrice,
    PushStock,
    Rebind,
    RefreshFacts,
    SetLinkStatus,
    WebFacts,
)
from sync.relink import GONE_CODES
from sync.snapshot import PriceListIds, Snapshot
from sync.texts import NO_PARAMS, msg
from sync.texts import problem as nested

__all__ = ["CATALOG", "Guard", "PriceListIds", "Snapshot", "plan"]

ZERO = Decimal(0)
LINKED, ERROR = LinkStatus.LINKED, LinkStatus.ERROR  # enum member lookups are slow on 3.11
DELETED, POS_DELETED = LinkStatus.DELETED, LinkStatus.POS_DELETED
MATCHES_AGAIN = "the pair matches again"


@dataclass
class _Out:
    links: list[LinkPair] = field(default_factory=list)
    statuses: list[SetLinkStatus] = field(default_factory=list)
    rebinds: list[Rebind] = field(default_factory=list)
    stock: list[PushStock] = field(default_factory=list)
    prices: list[PushPrice] = field(default_factory=list)
    refresh: list[RefreshFacts] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    evaluated: set[str] = field(default_factory=set)
    destructive: int = 0  # existing links whose stock changes or that break (guard)


def plan(
    snapshot: Snapshot,
    links: Sequence[LinkState],
    config: ConfigSnapshot,
    *,
    inflight: Mapping[str, Decimal],
    price_lists: PriceListIds,
    first_link: bool = False,
    held: frozenset[str] = frozenset(),
    guard: Guard = DEFAULT_GUARD,
    force: bool = False,
    now: datetime | None = None,
) -> Plan:
    """Everything the cycle should do; pure, so ``--dry-run`` and tests see the same plan."""
    # A plan allocates a few short-lived records per variant; with 100 000 variants the
    # cyclic GC's passes over the whole snapshot cost more than the planning itself.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _plan(
            snapshot,
            links,
            config,
            inflight=inflight,
            price_lists=price_lists,
            first_link=first_link,
            held=held,
            guard=guard,
            force=force,
            now=now,
        )
    finally:
        if collecting:
            gc.enable()


def _plan(
    snapshot: Snapshot,
    links: Sequence[LinkState],
    config: ConfigSnapshot,
    *,
    inflight: Mapping[str, Decimal],
    price_lists: PriceListIds,
    first_link: bool,
    held: frozenset[str],
    guard: Guard,
    force: bool,
    now: datetime | None,
) -> Plan:
    out = _Out()
    out.evaluated.add(CATALOG)
    bound_pos = {lk.pos.variant_id for lk in links if lk.pos is not None}
    bound_web = {lk.web.variant_id for lk in links if lk.web is not None}
    pos_by_id, free_pos = _pos_side(snapshot.pos_products, bound_pos)
    web_by_id, free_web = _web_side(snapshot.web_products, bound_web)
    pos_product_ids = {p.id for p in snapshot.pos_products}
    web_product_ids = {p.id for p in snapshot.web_products}

    ctx = _Ctx(snapshot, config, inflight, out, snapshot.web_levels, snapshot.web_location_id)
    by_sku: dict[str, LinkState] = {}
    for link in links:
        by_sku[link.sku] = link
        if link.status is DELETED:
            continue
        out.evaluated.add(link.sku)
        fresh_pos = pos_by_id.get(link.pos.variant_id) if link.pos else None
        fresh_web = web_by_id.get(link.web.variant_id) if link.web else None
        if link.status in (LINKED, ERROR):
            _existing(ctx, link, fresh_pos, fresh_web, pos_product_ids, web_product_ids)
        elif fresh_pos is not None or fresh_web is not None:
            _refresh(out, link, fresh_pos, fresh_web)

    claimed = relink.claims(by_sku, free_pos, free_web, pos_by_id, web_by_id, full=snapshot.full)
    free_pos, free_web = claimed.free_pos, claimed.free_web
    out.rebinds.extend(claimed.rebinds)
    out.problems.extend(claimed.problems)
    out.evaluated |= claimed.evaluated
    matching = match(free_pos, free_web)
    for pos, web in matching.pairs:
        _new_pair(ctx, pos.key, pos.item, web.item)
    creations = creation.plan_creations(
        matching,
        snapshot=snapshot,
        links=links,
        new_pairs=out.links,
        config=config,
        inflight=inflight,
        price_lists=price_lists,
        held=frozenset() if snapshot.full else held,
        linked_skus=by_sku.keys(),
        out_problems=out.problems,
        evaluated=out.evaluated,
    )
    halt = guard_check(snapshot, links, out.destructive, guard, first_link=first_link, force=force)
    return Plan(
        links=tuple(out.links),
        statuses=tuple(out.statuses),
        rebinds=tuple(out.rebinds),
        creations=tuple(creations),
        stock=tuple(out.stock),
        prices=tuple(out.prices),
        refresh=tuple(out.refresh),
        problems=tuple(out.problems) + ((halt,) if halt else ()),
        evaluated=frozenset(out.evaluated),
        halt=halt,
        live_links=sum(lk.status is LINKED for lk in links),
        full=snapshot.full,
        planned_at=now,
    )


def _pos_side(
    products: Sequence[PosProduct], bound: set[int]
) -> tuple[dict[int, PosFacts], list[Ref[PosFacts]]]:
    """Facts of every variant read, and match candidates for those not linked yet."""
    by_id: dict[int, PosFacts] = {}
    free: list[Ref[PosFacts]] = []
    for product in products:
        for variant in product.variants:
            facts = by_id[variant.id] = pos_facts(product, variant)
            if variant.id not in bound:
                sku = variant.sku
                free.append(Ref("pos", product.id, variant.id, sku, facts.name, facts, key(sku)))
    return by_id, free


def _web_side(
    products: Sequence[WebProduct], bound: set[int]
) -> tuple[dict[int, WebFacts], list[Ref[WebFacts]]]:
    by_id: dict[int, WebFacts] = {}
    free: list[Ref[WebFacts]] = []
    for product in products:
        for variant in product.variants:
            facts = by_id[variant.id] = web_facts(product, variant)
            if variant.id not in bound:
                sku = variant.sku
                free.append(Ref("web", product.id, variant.id, sku, facts.name, facts, key(sku)))
    return by_id, free


@dataclass(frozen=True, slots=True)
class _Ctx:
    snapshot: Snapshot
    config: ConfigSnapshot
    inflight: Mapping[str, Decimal]
    out: _Out
    levels: Mapping[int, Decimal]
    location: int


def _existing(
    ctx: _Ctx,
    link: LinkState,
    fresh_pos: PosFacts | None,
    fresh_web: WebFacts | None,
    pos_ids: set[int],
    web_ids: set[int],
) -> None:
    """Re-check a linked (or failing) pair: deletions, drift, then stock and price."""
    out = ctx.out
    full = ctx.snapshot.full
    # A variant missing from a product that was read is gone even on an incremental read.
    if link.pos is not None and fresh_pos is None and (full or link.pos.product_id in pos_ids):
        gone = "pos_product_deleted" if link.pos.product_id not in pos_ids else None
        code = gone or "pos_variant_deleted"
        what = "product" if gone else "variant"
        reason = f"the POS {what} was deleted; the web product is left as it is (R11)"
        _set_status(out, link, POS_DELETED, Drift(code, reason, NO_PARAMS))
        out.destructive += 1
        return
    if link.web is not None and fresh_web is None and (full or link.web.product_id in web_ids):
        product_gone = link.web.product_id not in web_ids
        code = "web_deleted" if product_gone else "web_variant_deleted"
        reason = (
            "the web product was deleted; it is not recreated"
            if product_gone
            else "the web variant was deleted; the product's variants no longer match (R10)"
        )
        _set_status(out, link, ERROR, Drift(code, reason, NO_PARAMS))
        out.problems.append(Problem(code, link.sku, reason, params=NO_PARAMS))
        out.destructive += 1
        return
    if link.status is ERROR and link.reason_code in GONE_CODES:
        out.problems.append(
            Problem(
                link.reason_code,
                link.sku,
                link.reason or link.reason_code,
                params=link.reason_params or NO_PARAMS,
            )
        )
        return
    pos = fresh_pos or link.pos
    web = fresh_web or link.web
    if pos is None or web is None:
        return
    _refresh(out, link, fresh_pos, fresh_web)
    problem = _pair_problem(link.sku, pos, web)
    if problem is not None:
        _set_status(out, link, ERROR, problem)
        out.problems.append(Problem(problem.code, link.sku, problem.reason, params=problem.params))
        return
    if link.status is ERROR:
        _set_status(out, link, LINKED, None)
    pushed = _push(ctx, link.sku, pos, web, "POS stock changed")
    out.destructive += pushed


def _pair_problem(sku: str, pos: PosFacts, web: WebFacts) -> Drift | None:
    for side, now in (("POS", pos.sku), ("web", web.sku)):
        if now != sku and key(now) != sku:
            return Drift(
                "sku_changed",
                f"the {side} variant's SKU is now {now!r}, not {sku!r}",
                {"side": side, "new_sku": now, "sku": sku},
            )
    return structure_problem(pos, web)


def _push(ctx: _Ctx, sku: str, pos: PosFacts, web: WebFacts, cause: str) -> int:
    """Plan the stock and price writes of a live pair; returns 1 when stock changes."""
    out, config = ctx.out, ctx.config
    changed = 0
    if web.tracked:
        branches = pos.available_at(config.stock_location_ids)
        pending = ctx.inflight.get(sku, ZERO)
        target = branches - pending
        if target < ZERO:
            target = ZERO
        current = ctx.levels.get(web.inventory_item_id)
        if current != target:
            item, location = web.inventory_item_id, ctx.location
            out.stock.append(
                PushStock(sku, item, location, current, target, cause, branches, pending)
            )
            changed = 1
    else:
        message = "inventory tracking is off on the web variant"
        out.problems.append(Problem("web_untracked", sku, message, params=NO_PARAMS))
    price = pos.prices.get(config.price_list_id)
    if not price or price < 0:
        # Sapo lists every price list on a variant, 0 where none was set: never publish that
        list_id = config.price_list_id
        message = f"POS has no price in price list {list_id}; web price left as is"
        out.problems.append(Problem("no_price", sku, message, params={"price_list_id": list_id}))
    elif price != web.price:
        out.prices.append(PushPrice(sku, web.variant_id, web.price, price, config.price_list_id))
    return changed


def _new_pair(ctx: _Ctx, sku: str, pos: PosFacts, web: WebFacts) -> None:
    out = ctx.out
    out.evaluated.add(sku)
    problem = structure_problem(pos, web)
    if problem is not None:
        code, reason, params = problem
        why = f"same SKU, but {reason} (R10)"
        said = msg("plan_same_sku_but", problem=nested(code, params))
        out.links.append(LinkPair(sku, pos, web, why, ERROR, code, params, said))
        out.problems.append(Problem(code, sku, reason, params=params))
        return
    same = msg("plan_same_sku")
    out.links.append(LinkPair(sku, pos, web, "same SKU on both sides (R2)", said=same))
    _push(ctx, sku, pos, web, "newly linked")


def _set_status(out: _Out, link: LinkState, status: LinkStatus, why: Drift | None) -> None:
    """Move the link to ``status`` for ``why`` (None: the pair matches again)."""
    code = None if why is None else why.code
    if link.status is status and link.reason_code == code:
        return
    if why is None:
        again = msg("plan_matches_again")
        out.statuses.append(
            SetLinkStatus(link.sku, link.status, status, None, MATCHES_AGAIN, said=again)
        )
        return
    out.statuses.append(
        SetLinkStatus(link.sku, link.status, status, why.code, why.reason, why.params)
    )


def _refresh(
    out: _Out, link: LinkState, fresh_pos: PosFacts | None, fresh_web: WebFacts | None
) -> None:
    pos = fresh_pos if fresh_pos is not None and fresh_pos != link.pos else None
    web = fresh_web if fresh_web is not None and fresh_web != link.web else None
    if pos is not None or web is not None:
        out.refresh.append(RefreshFacts(link.sku, pos, web))
