"""The configuration in force (R18): Sapo's defaults until someone saves a change."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from storage import repo
from storage.engine import Session
from storage.models import ConfigVersion
from sync.domain import ConfigSnapshot, Location, PriceList
from sync.errors import FatalError, UserError
from sync.texts import msg, part

DEFAULT_PRICE_LIST_CODE = "BANLE"
MIN_INTERVAL_S = 15
INTERVALS = ("order_interval_s", "stock_interval_s", "catalog_interval_s", "full_interval_s")


@dataclass(frozen=True, slots=True)
class ConfigChange:
    """What a person asks to save; ``None`` keeps the current value."""

    price_list_id: int | None = None
    order_location_id: int | None = None
    stock_location_ids: frozenset[int] | None = None
    order_interval_s: int | None = None
    stock_interval_s: int | None = None
    catalog_interval_s: int | None = None
    full_interval_s: int | None = None


def snapshot(row: ConfigVersion) -> ConfigSnapshot:
    return ConfigSnapshot(
        price_list_id=row.price_list_id,
        order_location_id=row.order_location_id,
        stock_location_ids=frozenset(row.stock_location_ids),
        effective_from=row.effective_from,
        version=row.version,
        order_interval_s=row.order_interval_s,
        stock_interval_s=row.stock_interval_s,
        catalog_interval_s=row.catalog_interval_s,
        full_interval_s=row.full_interval_s,
    )


def default_config_values(
    price_lists: Sequence[PriceList], locations: Sequence[Location]
) -> tuple[int, int]:
    """Sapo's own defaults: the BANLE price list and the branch with the lowest id."""
    retail = [p for p in price_lists if p.code.upper() == DEFAULT_PRICE_LIST_CODE]
    if not retail:
        raise FatalError("the POS account has no BANLE (retail) price list")
    active = [loc for loc in locations if loc.active] or list(locations)
    if not active:
        raise FatalError("the POS account has no branch (location)")
    return retail[0].id, min(loc.id for loc in active)


def ensure_config(
    session: Session,
    *,
    connection_id: int,
    price_lists: Sequence[PriceList],
    locations: Sequence[Location],
    now: datetime,
) -> ConfigSnapshot:
    """The latest version, creating version 1 from Sapo's defaults on first use."""
    latest = repo.latest_config(session, connection_id=connection_id)
    if latest is not None:
        return snapshot(latest)
    price_list_id, branch_id = default_config_values(price_lists, locations)
    row = ConfigVersion(
        connection_id=connection_id,
        version=1,
        price_list_id=price_list_id,
        order_location_id=branch_id,
        stock_location_ids=[branch_id],
        saved_by="default",
        effective_from=now,
        created_at=now,
    )
    return snapshot(repo.add_config_version(session, row=row))


def config_at(session: Session, *, connection_id: int, moment: datetime) -> ConfigSnapshot | None:
    """The version in force at ``moment``; later changes never apply retroactively.

    Compared in whole seconds, as the cut-over is (R5, ``order_plan.before_cutover``): Sapo
    stamps an order to the second, so which part of its second an order was placed in is
    unknown. The cut-over counts an order stamped in setup's own second as after setup;
    likewise an order stamped in a change's own second counts as after the change (R18): a
    version effective at 10:00:00.400 governs an order created at 10:00:00, while one
    created at 09:59:59 keeps the version before. Of versions saved within one second, the
    latest wins.
    """
    row = repo.config_at(session, connection_id=connection_id, moment=end_of_second(moment))
    return None if row is None else snapshot(row)


def end_of_second(moment: datetime) -> datetime:
    """The last instant of ``moment``'s second: what a whole-second stamp may stand for."""
    return moment.replace(microsecond=999_999)


def save_config(
    session: Session,
    *,
    connection_id: int,
    change: ConfigChange,
    price_lists: Sequence[PriceList],
    locations: Sequence[Location],
    saved_by: str,
    now: datetime,
) -> tuple[ConfigSnapshot, ConfigSnapshot]:
    """Validate and save a new version effective ``now``; returns (before, after)."""
    before = ensure_config(
        session, connection_id=connection_id, price_lists=price_lists, locations=locations, now=now
    )
    list_ids = {p.id for p in price_lists}
    branch_ids = {loc.id for loc in locations}
    price_list_id = change.price_list_id or before.price_list_id
    order_location_id = change.order_location_id or before.order_location_id
    stock_ids = change.stock_location_ids
    if stock_ids is None:
        stock_ids = before.stock_location_ids
    if price_list_id not in list_ids:
        said = msg("unknown_price_list", price_list_id=price_list_id)
        raise UserError(f"unknown price list {price_list_id}", said=said)
    if order_location_id not in branch_ids:
        said = msg("unknown_branch", branch_id=order_location_id)
        raise UserError(f"unknown branch {order_location_id}", said=said)
    if not stock_ids:
        text = "choose at least one branch whose stock counts"
        raise UserError(text, said=msg("no_stock_branch"))
    unknown = sorted(set(stock_ids) - branch_ids)
    if unknown:
        said = msg("unknown_branch", branch_id=unknown[0])
        raise UserError(f"unknown branch {unknown[0]}", said=said)
    intervals = {name: getattr(change, name) or getattr(before, name) for name in INTERVALS}
    for name, value in intervals.items():
        if value < MIN_INTERVAL_S:
            said = msg("interval_too_short", name=part(name), seconds=MIN_INTERVAL_S)
            raise UserError(f"{name} must be at least {MIN_INTERVAL_S} seconds", said=said)
    row = ConfigVersion(
        connection_id=connection_id,
        version=0,
        price_list_id=price_list_id,
        order_location_id=order_location_id,
        stock_location_ids=sorted(stock_ids),
        saved_by=saved_by,
        effective_from=now,
        created_at=now,
        **intervals,
    )
    after = snapshot(repo.add_config_version(session, row=row))
    repo.add_audit(
        session,
        connection_id=connection_id,
        actor=saved_by,
        action="config.save",
        subject=f"v{after.version}",
        result="saved",
        now=now,
        detail=config_diff(before, after),
    )
    return before, after


def config_diff(before: ConfigSnapshot, after: ConfigSnapshot) -> dict[str, list[object]]:
    """Field -> [from, to] for what changed."""
    fields = (
        "price_list_id",
        "order_location_id",
        "stock_location_ids",
        "order_interval_s",
        "stock_interval_s",
        "catalog_interval_s",
        "full_interval_s",
    )
    diff: dict[str, list[object]] = {}
    for name in fields:
        old, new = getattr(before, name), getattr(after, name)
        if old != new:
            if isinstance(old, frozenset):
                old, new = sorted(old), sorted(new)
            diff[name] = [old, new]
    return diff
