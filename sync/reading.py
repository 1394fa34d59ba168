"""Reading both catalogues for a cycle: full or incremental by cursors, and the cursors' rules."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TypeVar

from storage import repo
from storage.engine import Session
from sync.context import SyncContext
from sync.domain import ConfigSnapshot, PosProduct, WebProduct
from sync.errors import FatalError
from sync.ports import PosApi, WebApi
from sync.snapshot import PriceListIds, Snapshot

P = TypeVar("P", PosProduct, WebProduct)

POS_CURSOR = "catalog.pos_modified"
WEB_CURSOR = "catalog.web_modified"
FULL_AT = "catalog.full_at"
WEB_LOCATION = "catalog.web_location_id"
PRICE_LISTS = "catalog.price_lists"  # "<cost id>,<retail id>"
CLOCK_MARGIN = timedelta(seconds=60)  # how far Sapo's clock may be behind ours


@dataclass(frozen=True, slots=True)
class Subjects:
    """Products a webhook named (by id), for the triggered run to re-read whatever their
    ``modified_on`` says: Sapo does not confirm a stock change moves it (sheet §3.2)."""

    pos_product_ids: frozenset[int] = frozenset()
    pos_variant_ids: frozenset[int] = frozenset()
    web_product_ids: frozenset[int] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.pos_product_ids or self.pos_variant_ids or self.web_product_ids)

    def __or__(self, other: Subjects) -> Subjects:
        return Subjects(
            self.pos_product_ids | other.pos_product_ids,
            self.pos_variant_ids | other.pos_variant_ids,
            self.web_product_ids | other.web_product_ids,
        )


NO_SUBJECTS = Subjects()


@dataclass(frozen=True, slots=True)
class Focus:
    """What an incremental read adds or leaves out.

    ``subjects`` are re-read by id on top of the incremental read. A ``stock_only`` pass
    (the stock job) lists no web products and keeps only linked variants: it pushes stock
    and prices of live pairs, and leaves linking and creating, and both cursors, to the
    catalog job. A full read ignores the focus.
    """

    subjects: Subjects = field(default_factory=Subjects)
    stock_only: bool = False


NO_FOCUS = Focus()


@dataclass(frozen=True, slots=True)
class ReadState:
    """The cursors and cached account facts as stored before the cycle."""

    pos_since: datetime | None
    web_since: datetime | None
    full_at: datetime | None
    web_location_id: int | None
    price_lists: PriceListIds | None


@dataclass(frozen=True, slots=True)
class Marks:
    """Cursor values to store once the cycle's results are stored."""

    pos_since: datetime | None
    web_since: datetime | None
    full_at: datetime | None
    web_location_id: int
    price_lists: PriceListIds


def load_state(session: Session, *, connection_id: int) -> ReadState:
    def get(resource: str) -> str | None:
        return repo.get_cursor(session, connection_id=connection_id, resource=resource)

    def when(resource: str) -> datetime | None:
        value = get(resource)
        return datetime.fromisoformat(value) if value else None

    location = get(WEB_LOCATION)
    lists = get(PRICE_LISTS)
    price_lists = None
    if lists:
        cost, _, retail = lists.partition(",")
        price_lists = PriceListIds(int(cost) if cost else None, int(retail) if retail else None)
    return ReadState(
        pos_since=when(POS_CURSOR),
        web_since=when(WEB_CURSOR),
        full_at=when(FULL_AT),
        web_location_id=int(location) if location else None,
        price_lists=price_lists,
    )


def full_due(state: ReadState, config: ConfigSnapshot, now: datetime) -> bool:
    """A full pass runs first, whenever a cursor is missing, and every ``full_interval_s``."""
    if state.pos_since is None or state.web_since is None or state.full_at is None:
        return True
    if state.web_location_id is None or state.price_lists is None:
        return True
    return now - state.full_at >= timedelta(seconds=config.full_interval_s)


def web_location_id(web: WebApi) -> int:
    """The web store's location: the lowest id among active ones (Sapo's primary)."""
    locations = web.locations()
    active = [loc.id for loc in locations if loc.active] or [loc.id for loc in locations]
    if not active:
        raise FatalError("the web store has no location to hold stock")
    return min(active)


def price_list_ids(pos: PosApi) -> PriceListIds:
    lists = pos.price_lists()
    cost = next((p.id for p in lists if p.is_cost), None)
    retail = next((p.id for p in lists if p.code.upper() == "BANLE"), None)
    return PriceListIds(cost=cost, retail=retail)


def inflight_by_sku(session: Session, *, connection_id: int) -> Mapping[str, Decimal]:
    """Web orders not yet in POS, by SKU (R8): the order ledger's in-flight quantities."""
    from sync.orders import inflight_quantities  # sync.orders builds on the catalog modules

    return inflight_quantities(session, connection_id=connection_id)


def read_levels(web: WebApi, location_id: int) -> dict[int, Decimal]:
    """Web stock of every item at the store's location, in one bulk read."""
    levels = web.inventory_levels(location_ids=[location_id])
    return {lv.inventory_item_id: lv.available for lv in levels if lv.location_id == location_id}


def read(
    ctx: SyncContext,
    state: ReadState,
    *,
    full: bool,
    started: datetime,
    focus: Focus = NO_FOCUS,
) -> tuple[Snapshot, Marks]:
    """Read what the cycle needs; counts are taken before a full read (short-read guard).

    An incremental read also re-reads the ``focus`` subjects by id (see ``Focus``).
    """
    location = state.web_location_id
    lists = state.price_lists
    pos_count = web_count = None
    if full or location is None or lists is None:
        location, lists = web_location_id(ctx.web), price_list_ids(ctx.pos)
    if full:
        pos_count, web_count = ctx.pos.count_products(), ctx.web.count_products()
    stock_only = focus.stock_only and not full
    pos_listed = list(ctx.pos.products(modified_since=None if full else state.pos_since))
    web_listed = (
        []
        if stock_only
        else list(ctx.web.products(modified_since=None if full else state.web_since))
    )
    pos_products, web_products = pos_listed, web_listed
    if not full and (focus.subjects or stock_only):
        pos_products, web_products = _focused(ctx, focus, pos_listed, web_listed)
    levels = read_levels(ctx.web, location)
    snapshot = Snapshot(
        pos_products=pos_products,
        web_products=web_products,
        web_levels=levels,
        web_location_id=location,
        full=full,
        pos_count=pos_count,
        web_count=web_count,
    )
    # Only the listings move the cursors (products read by id say nothing about what a
    # listing missed); a stock pass moves none: it drops unlinked variants, and the catalog
    # job must still read them.
    pos_since = next_cursor(pos_listed, state.pos_since, started)
    web_since = next_cursor(web_listed, state.web_since, started)
    marks = Marks(
        pos_since=state.pos_since if stock_only else pos_since,
        web_since=state.web_since if stock_only else web_since,
        full_at=started if full else state.full_at,
        web_location_id=location,
        price_lists=lists,
    )
    return snapshot, marks


def _focused(
    ctx: SyncContext,
    focus: Focus,
    pos_products: list[PosProduct],
    web_products: list[WebProduct],
) -> tuple[list[PosProduct], list[WebProduct]]:
    """Add the subjects and their linked counterparts, read by id; a stock pass keeps only
    linked variants, so nothing unlinked can be matched or created without the other side."""
    subjects = focus.subjects
    with ctx.db.session() as session:
        rows = repo.all_links(session, connection_id=ctx.connection_id)
    pos_of_variant = {
        r.pos_variant_id: r.pos_product_id for r in rows if r.pos_variant_id and r.pos_product_id
    }
    pos_ids = set(subjects.pos_product_ids)
    pos_ids |= {pos_of_variant[v] for v in subjects.pos_variant_ids if v in pos_of_variant}
    web_ids = set(subjects.web_product_ids)
    web_ids |= {r.web_product_id for r in rows if r.pos_product_id in pos_ids and r.web_product_id}
    pos_ids |= {r.pos_product_id for r in rows if r.web_product_id in web_ids and r.pos_product_id}
    pos_products = _with(pos_products, pos_ids, ctx.pos.product)
    web_products = _with(web_products, web_ids, ctx.web.product)
    if focus.stock_only:
        pos_bound = {r.pos_variant_id for r in rows if r.pos_variant_id}
        web_bound = {r.web_variant_id for r in rows if r.web_variant_id}
        pos_products = [_only(p, pos_bound) for p in pos_products if _bound(p, pos_bound)]
        web_products = [_only(p, web_bound) for p in web_products if _bound(p, web_bound)]
    return pos_products, web_products


def _with(products: list[P], ids: Iterable[int], fetch: Callable[[int], P | None]) -> list[P]:
    """``products`` plus those of ``ids`` not among them, read one by one (a deleted one
    reads as None and is left to the full pass)."""
    have = {p.id for p in products}
    extra = [fetch(i) for i in sorted(set(ids) - have)]
    return products + [p for p in extra if p is not None]


def _bound(product: PosProduct | WebProduct, bound: set[int]) -> bool:
    return any(v.id in bound for v in product.variants)


def _only(product: P, bound: set[int]) -> P:
    return replace(product, variants=tuple(v for v in product.variants if v.id in bound))


def next_cursor(
    products: list[PosProduct] | list[WebProduct], before: datetime | None, started: datetime
) -> datetime | None:
    """Where the next incremental read starts (Sapo filters ``modified_on >= cursor``).

    Never past the run's start minus the clock margin: a product changed while we paged may
    sit on a page read earlier, and its new stamp is at least the run's start. Within that
    bound, one second past the newest stamp seen, so a second that is long over (every
    product of a bulk import shares it) is not read again each cycle.
    """
    seen = [p.modified_on for p in products if p.modified_on is not None]
    if not seen:
        return before if before is not None else started - CLOCK_MARGIN
    newest = min(max(seen) + timedelta(seconds=1), started - CLOCK_MARGIN)
    return newest if before is None else max(newest, before)


def store_marks(session: Session, *, connection_id: int, marks: Marks, now: datetime) -> None:
    """Advance the cursors; called in the commit that stores the cycle's results."""

    def put(resource: str, value: str) -> None:
        repo.set_cursor(
            session, connection_id=connection_id, resource=resource, value=value, now=now
        )

    if marks.pos_since is not None:
        put(POS_CURSOR, marks.pos_since.isoformat())
    if marks.web_since is not None:
        put(WEB_CURSOR, marks.web_since.isoformat())
    if marks.full_at is not None:
        put(FULL_AT, marks.full_at.isoformat())
    put(WEB_LOCATION, str(marks.web_location_id))
    cost, retail = marks.price_lists.cost, marks.price_lists.retail
    put(PRICE_LISTS, f"{cost or ''},{retail or ''}")
