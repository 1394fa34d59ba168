"""Link rows ↔ the planner's LinkState: ids in columns, the last facts of each side as JSON."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from storage.models import Link
from sync.domain import LinkStatus
from sync.plan import LinkState, Options, PosFacts, WebFacts
from sync.texts import Params


def pos_json(facts: PosFacts) -> dict[str, Any]:
    return {
        "product_id": facts.product_id,
        "variant_id": facts.variant_id,
        "sku": facts.sku,
        "name": facts.name,
        "options": list(facts.options),
        "option_names": list(facts.option_names),
        "prices": {str(k): v for k, v in facts.prices.items()},
        "available": {str(k): str(v) for k, v in facts.available.items()},
        "barcode": facts.barcode,
    }


def web_json(facts: WebFacts) -> dict[str, Any]:
    return {
        "product_id": facts.product_id,
        "variant_id": facts.variant_id,
        "inventory_item_id": facts.inventory_item_id,
        "sku": facts.sku,
        "name": facts.name,
        "price": facts.price,
        "options": list(facts.options),
        "option_names": list(facts.option_names),
        "tracked": facts.tracked,
        "published": facts.published,
        "barcode": facts.barcode,
    }


def _options(raw: Any) -> Options:
    values = [*(raw or []), None, None, None][:3]
    return (values[0], values[1], values[2])


def pos_from(row: Link) -> PosFacts | None:
    data = row.last_pos_values
    if data is None:
        if row.pos_product_id is None or row.pos_variant_id is None:
            return None
        return PosFacts(row.pos_product_id, row.pos_variant_id, row.pos_sku, row.name)
    return PosFacts(
        product_id=int(data["product_id"]),
        variant_id=int(data["variant_id"]),
        sku=data.get("sku"),
        name=data.get("name") or row.name,
        options=_options(data.get("options")),
        option_names=tuple(data.get("option_names") or ()),
        prices={int(k): int(v) for k, v in (data.get("prices") or {}).items()},
        available={int(k): Decimal(v) for k, v in (data.get("available") or {}).items()},
        barcode=data.get("barcode"),
    )


def web_from(row: Link) -> WebFacts | None:
    data = row.last_web_values
    if data is None:
        if None in (row.web_product_id, row.web_variant_id, row.web_inventory_item_id):
            return None
        return WebFacts(
            row.web_product_id or 0,
            row.web_variant_id or 0,
            row.web_inventory_item_id or 0,
            row.web_sku,
            row.name,
            0,
        )
    return WebFacts(
        product_id=int(data["product_id"]),
        variant_id=int(data["variant_id"]),
        inventory_item_id=int(data["inventory_item_id"]),
        sku=data.get("sku"),
        name=data.get("name") or row.name,
        price=int(data.get("price") or 0),
        options=_options(data.get("options")),
        option_names=tuple(data.get("option_names") or ()),
        tracked=bool(data.get("tracked", True)),
        published=bool(data.get("published", False)),
        barcode=data.get("barcode"),
    )


def facts_missing(row: Link) -> bool:
    """A link stored without what each side looked like (made by hand or by an older
    version): only a full read can fill that in."""
    return row.status != LinkStatus.DELETED.value and (
        row.last_pos_values is None or row.last_web_values is None
    )


def to_state(row: Link) -> LinkState:
    return LinkState(
        sku=row.sku,
        status=LinkStatus(row.status),
        pos=pos_from(row),
        web=web_from(row),
        reason_code=row.reason_code,
        reason=row.reason,
        last_stock_written=row.last_stock_written,
        reason_params=row.reason_params,
    )


def set_pos(row: Link, facts: PosFacts) -> None:
    row.pos_product_id, row.pos_variant_id = facts.product_id, facts.variant_id
    row.pos_sku = facts.sku
    row.name = (facts.name or row.name)[:500]
    row.last_pos_values = pos_json(facts)


def set_web(row: Link, facts: WebFacts) -> None:
    row.web_product_id, row.web_variant_id = facts.product_id, facts.variant_id
    row.web_inventory_item_id = facts.inventory_item_id
    row.web_sku = facts.sku
    row.last_web_values = web_json(facts)
    if not row.name:
        row.name = facts.name[:500]


def new_row(
    *,
    connection_id: int,
    sku: str,
    pos: PosFacts,
    web: WebFacts,
    now: datetime,
    status: LinkStatus = LinkStatus.LINKED,
    reason_code: str | None = None,
    reason: str | None = None,
    reason_params: Params | None = None,
    origin: str = "matched",
    cost_review: bool = False,
) -> Link:
    row = Link(
        connection_id=connection_id,
        sku=sku,
        status=status.value,
        reason_code=reason_code,
        reason=reason,
        reason_params=None if reason_params is None else dict(reason_params),
        origin=origin,
        cost_review=cost_review,
        created_at=now,
        updated_at=now,
        last_synced_at=now,
    )
    set_pos(row, pos)
    set_web(row, web)
    return row
