"""Applying creations: one API create, then its links in one commit (R3, R6, R7, R12)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from storage import repo
from storage.models import Link
from sync import linkrows
from sync.context import SyncContext
from sync.domain import PosProduct, normalize_sku
from sync.errors import RecordError, RetryableError
from sync.facts import pos_facts, web_facts
from sync.plan import (
    CreatePosProduct,
    CreatePosVariant,
    CreateWebProduct,
    CreateWebVariant,
    Creation,
    PosFacts,
    Problem,
    PushStock,
    WebFacts,
)
from sync.texts import NO_PARAMS

if TYPE_CHECKING:
    from sync.apply import Outcome

log = logging.getLogger(__name__)


def create(
    ctx: SyncContext, action: Creation, *, now: datetime, actor: str, outcome: Outcome
) -> list[PushStock]:
    """Create, store the links, and return the stock writes the new web variants need."""
    skus = _skus(action)
    try:
        rows, pushes, label = _call(ctx, action, now)
    except (RecordError, RetryableError) as exc:
        for sku in skus:
            outcome.fail(sku, "create_failed", exc)
        return []
    made = {row.sku for row in rows}
    for sku in skus:
        if sku not in made:
            message = "the created product came back without this SKU"
            outcome.failures.append(Problem("create_incomplete", sku, message, params=NO_PARAMS))
    with ctx.db.session() as session:
        repo.add_links(session, links=rows)
        repo.add_audit(
            session,
            connection_id=ctx.connection_id,
            actor=actor,
            action=label,
            subject=", ".join(sorted(made))[:255],
            result="created",
            now=now,
            detail={"reason": action.reason},
        )
        session.commit()
    outcome.done[label.replace(".", "_")] += 1
    outcome.done["link"] += len(rows)
    log.info("catalog.create what=%s skus=%s", label, ",".join(sorted(made)))
    return pushes


def _skus(action: Creation) -> list[str]:
    if isinstance(action, CreateWebProduct):
        return [v.sku for v in action.new.variants]
    if isinstance(action, CreatePosProduct):
        return [v.sku for v in action.new.variants]
    return [action.new.sku]


def _call(
    ctx: SyncContext, action: Creation, now: datetime
) -> tuple[list[Link], list[PushStock], str]:
    cid = ctx.connection_id
    if isinstance(action, CreateWebProduct):
        product = ctx.web.create_product(action.new)
        by_key = {normalize_sku(v.sku): v for v in product.variants}
        rows, pushes = [], []
        for source, qty in zip(action.sources, action.stock, strict=True):
            key = normalize_sku(source.sku)
            variant = by_key.get(key)
            if variant is None:
                continue
            facts = web_facts(product, variant)
            rows.append(_row(cid, key, source, facts, now, origin="web_created"))
            pushes.extend(_stock(key, facts, variant.inventory_quantity, qty, action.location_id))
        return rows, pushes, "web.create_product"
    if isinstance(action, CreateWebVariant):
        variant = ctx.web.create_variant(action.web_product_id, action.new)
        partner = action.partner
        facts = WebFacts(
            product_id=action.web_product_id,
            variant_id=variant.id,
            inventory_item_id=variant.inventory_item_id,
            sku=variant.sku,
            name=f"{partner.name.split(' / ')[0]} / {variant.title}",
            price=variant.price,
            options=variant.options,
            option_names=partner.option_names,
            tracked=variant.tracked,
            published=partner.published,
            barcode=variant.barcode,
        )
        key = normalize_sku(variant.sku)
        row = _row(cid, key, action.source, facts, now, origin="web_created")
        pushes = _stock(key, facts, variant.inventory_quantity, action.stock, action.location_id)
        return [row], pushes, "web.create_variant"
    if isinstance(action, CreatePosProduct):
        made = ctx.pos.create_product(action.new)
        return _pos_rows(cid, made, action.sources, now), [], "pos.create_product"
    return _pos_variant(ctx, action, now), [], "pos.create_variant"


def _pos_rows(
    cid: int, product: PosProduct, sources: Sequence[WebFacts], now: datetime
) -> list[Link]:
    by_key = {normalize_sku(v.sku): v for v in product.variants}
    rows = []
    for source in sources:
        key = normalize_sku(source.sku)
        variant = by_key.get(key)
        if variant is not None:
            facts = pos_facts(product, variant)
            # R6: the cost price came from the web price; someone should review it
            rows.append(_row(cid, key, facts, source, now, origin="pos_created", review=True))
    return rows


def _pos_variant(ctx: SyncContext, action: CreatePosVariant, now: datetime) -> list[Link]:
    variant = ctx.pos.create_variant(
        action.pos_product_id, action.new, location_id=action.location_id
    )
    partner = action.partner
    facts = PosFacts(
        product_id=action.pos_product_id,
        variant_id=variant.id,
        sku=variant.sku,
        name=variant.name,
        options=variant.options,
        option_names=partner.option_names,
        prices=variant.prices,
        available={inv.location_id: inv.available for inv in variant.inventories},
        barcode=variant.barcode,
    )
    key = normalize_sku(variant.sku)
    return [_row(ctx.connection_id, key, facts, action.source, now, "pos_created", review=True)]


def _row(
    cid: int,
    sku: str,
    pos: PosFacts,
    web: WebFacts,
    now: datetime,
    origin: str,
    *,
    review: bool = False,
) -> Link:
    return linkrows.new_row(
        connection_id=cid, sku=sku, pos=pos, web=web, now=now, origin=origin, cost_review=review
    )


def _stock(
    sku: str, web: WebFacts, current: Decimal, target: Decimal, location_id: int
) -> list[PushStock]:
    if current == target:
        return []
    item = web.inventory_item_id
    return [PushStock(sku, item, location_id, current, target, "new on the web", target)]
