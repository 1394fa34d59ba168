"""What happens to unmatched variants: created on the other side (R3, R7) or reported."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, TypeVar

from sync.domain import (
    ConfigSnapshot,
    LinkStatus,
    NewPosProduct,
    NewPosVariant,
    NewWebProduct,
    NewWebVariant,
    PosProduct,
    WebProduct,
)
from sync.facts import effective_option_names, floor_zero, same_option_count
from sync.matching import Matching, Ref
from sync.plan import (
    CreatePosProduct,
    CreatePosVariant,
    CreateWebProduct,
    CreateWebVariant,
    Creation,
    LinkPair,
    LinkState,
    PosFacts,
    Problem,
    WebFacts,
)
from sync.texts import msg

if TYPE_CHECKING:
    from sync.snapshot import PriceListIds, Snapshot

T = TypeVar("T")
F = TypeVar("F", PosFacts, WebFacts)


def plan_creations(
    matching: Matching[PosFacts, WebFacts],
    *,
    snapshot: Snapshot,
    links: Sequence[LinkState],
    new_pairs: Sequence[LinkPair],
    config: ConfigSnapshot,
    inflight: Mapping[str, Decimal],
    price_lists: PriceListIds,
    held: frozenset[str],
    linked_skus: Iterable[str],
    out_problems: list[Problem],
    evaluated: set[str],
) -> list[Creation]:
    """Creations for one-sided variants, and problems for blank, duplicate and near SKUs."""
    for amb in matching.ambiguous:
        evaluated.add(amb.key)
        out_problems.append(Problem("duplicate_sku", amb.key, amb.describe(), params=amb.params()))
    for ref in matching.blank:
        subject = f"{ref.side} variant {ref.variant_id}"
        evaluated.add(subject)
        out_problems.append(
            Problem(
                "blank_sku",
                subject,
                f"{ref.describe()} has no usable SKU (blank, or with a control or invisible "
                "character), so it is never linked",
                params={"variant": ref.part()},
            )
        )
    for near in matching.near:
        evaluated.add(near.pos.key)
        evaluated.add(near.web.key)
        out_problems.append(
            Problem("sku_case_mismatch", near.pos.key, near.describe(), params=near.params())
        )
    if not matching.pos_only and not matching.web_only:
        return []
    linked_folds = {sku.casefold(): sku for sku in linked_skus}  # only when something is new
    pos_only = _creatable(matching.pos_only, held, linked_folds, out_problems, evaluated)
    web_only = _creatable(matching.web_only, held, linked_folds, out_problems, evaluated)
    if not pos_only and not web_only:
        return []
    creations: list[Creation] = []
    pos_products = {p.id: p for p in snapshot.pos_products}
    web_products = {p.id: p for p in snapshot.web_products}
    web_partner, pos_partner = _partners(links, new_pairs, pos_products, web_products)
    for pid, refs in _by_product(pos_only).items():
        partners = web_partner.get(pid, {})
        made = _to_web(pos_products[pid], refs, partners, snapshot, config, inflight, out_problems)
        creations.extend(made)
    for wid, wrefs in _by_product(web_only).items():
        creations.extend(
            _to_pos(
                web_products[wid],
                wrefs,
                pos_partner.get(wid, {}),
                snapshot,
                config,
                price_lists,
                inflight,
                out_problems,
            )
        )
    return creations


def _creatable(
    refs: Sequence[Ref[T]],
    held: frozenset[str],
    linked_folds: Mapping[str, str],
    problems: list[Problem],
    evaluated: set[str],
) -> list[Ref[T]]:
    """Drop SKUs with an open problem (incremental reads) and case-only twins of linked SKUs."""
    kept: list[Ref[T]] = []
    for ref in refs:
        fold = ref.key.casefold()
        if fold in held:
            continue  # its open problem stays open until a full pass looks at both sides
        evaluated.add(ref.key)
        twin = linked_folds.get(fold)
        if twin is not None and twin != ref.key:
            message = f"{ref.describe()} differs only in letter case from linked SKU {twin!r}"
            params = {"variant": ref.part(), "linked_sku": twin}
            problems.append(Problem("sku_case_of_linked", ref.key, message, params=params))
            continue
        kept.append(ref)
    return kept


def _partners(
    links: Sequence[LinkState],
    new_pairs: Sequence[LinkPair],
    pos_read: Mapping[int, PosProduct],
    web_read: Mapping[int, WebProduct],
) -> tuple[dict[int, dict[int, WebFacts]], dict[int, dict[int, PosFacts]]]:
    """POS product id -> its linked web products, and web product id -> linked POS products.

    A stored link's facts date from its last cycle: where this cycle read the partner
    product, its options are the ones just read, so a product that lost an option gets no
    variant built on the options it had (R7, R10).
    """
    web_of: dict[int, dict[int, WebFacts]] = defaultdict(dict)
    pos_of: dict[int, dict[int, PosFacts]] = defaultdict(dict)
    for link in links:
        if link.status is LinkStatus.DELETED or link.pos is None or link.web is None:
            continue
        web_of[link.pos.product_id][link.web.product_id] = _read_options(link.web, web_read)
        pos_of[link.web.product_id][link.pos.product_id] = _read_options(link.pos, pos_read)
    for pair in new_pairs:
        web_of[pair.pos.product_id][pair.web.product_id] = pair.web
        pos_of[pair.web.product_id][pair.pos.product_id] = pair.pos
    return web_of, pos_of


def _read_options(facts: F, read: Mapping[int, PosProduct] | Mapping[int, WebProduct]) -> F:
    product = read.get(facts.product_id)
    if product is None or tuple(product.option_names) == facts.option_names:
        return facts
    return facts._replace(option_names=tuple(product.option_names))


def _by_product(refs: Sequence[Ref[T]]) -> dict[int, list[Ref[T]]]:
    grouped: dict[int, list[Ref[T]]] = defaultdict(list)
    for ref in refs:
        grouped[ref.product_id].append(ref)
    return grouped


def _to_web(
    product: PosProduct,
    refs: list[Ref[PosFacts]],
    partners: Mapping[int, WebFacts],
    snapshot: Snapshot,
    config: ConfigSnapshot,
    inflight: Mapping[str, Decimal],
    problems: list[Problem],
) -> list[Creation]:
    priced: list[tuple[Ref[PosFacts], int]] = []
    for ref in refs:
        price = ref.item.prices.get(config.price_list_id)
        if not price or price < 0:  # Sapo shows 0 for a list with no price set
            list_id = config.price_list_id
            message = (
                f"{ref.describe()} has no price in price list {list_id}; it is not created on web"
            )
            params = {"variant": ref.part(), "price_list_id": list_id}
            problems.append(Problem("no_price_new", ref.key, message, params=params))
        else:
            priced.append((ref, price))
    if not priced:
        return []
    stock = [
        floor_zero(r.item.available_at(config.stock_location_ids) - inflight.get(r.key, Decimal(0)))
        for r, _ in priced
    ]
    if len(partners) > 1:
        for ref, _ in priced:
            problems.append(_several(ref, partners))
        return []
    if partners:
        (web,) = partners.values()
        out: list[Creation] = []
        for (ref, price), qty in zip(priced, stock, strict=True):
            if not same_option_count(ref.item.option_names, web.option_names):
                problems.append(_mismatch(ref, "web"))
                continue
            new = NewWebVariant(
                ref.key, price, ref.item.options, ref.item.barcode, initial_stock=qty
            )
            why = f"new POS variant of a product linked to web product {web.product_id} (R7)"
            location = snapshot.web_location_id
            said = msg("plan_create_web_variant", web_product_id=web.product_id)
            out.append(
                CreateWebVariant(web.product_id, new, ref.item, web, qty, location, why, said)
            )
        return out
    variants = tuple(
        NewWebVariant(r.key, price, r.item.options, r.item.barcode, initial_stock=qty)
        for (r, price), qty in zip(priced, stock, strict=True)
    )
    names = effective_option_names(product.option_names)
    created = NewWebProduct(product.name, variants, names)
    why = "only on POS: created on the web, hidden, without images (R3, R9, R12)"
    sources = tuple(r.item for r, _ in priced)
    location = snapshot.web_location_id
    said = msg("plan_create_web")
    return [CreateWebProduct(product.id, created, sources, tuple(stock), location, why, said)]


def _to_pos(
    product: WebProduct,
    refs: list[Ref[WebFacts]],
    partners: Mapping[int, PosFacts],
    snapshot: Snapshot,
    config: ConfigSnapshot,
    price_lists: PriceListIds,
    inflight: Mapping[str, Decimal],
    problems: list[Problem],
) -> list[Creation]:
    # The initial stock must make the next push publish what the web shows now, so it goes
    # to a branch that counts (R4), and includes web orders not in POS yet: they are pushed
    # later and take their quantity off POS then (R5, R8).
    branch = stock_branch(config)

    def new_variant(ref: Ref[WebFacts]) -> NewPosVariant:
        price = ref.item.price
        prices = {config.price_list_id: price}
        for list_id in (price_lists.retail, price_lists.cost):
            if list_id is not None:
                prices[list_id] = price  # R6: the web's one price is also the cost price
        level = snapshot.web_levels.get(ref.item.inventory_item_id, Decimal(0))
        stock = floor_zero(level) + inflight.get(ref.key, Decimal(0))
        return NewPosVariant(
            ref.key, ref.item.name, ref.item.options, ref.item.barcode, prices, stock
        )

    if len(partners) > 1:
        for ref in refs:
            problems.append(_several(ref, partners))
        return []
    if partners:
        (pos,) = partners.values()
        out: list[Creation] = []
        for ref in refs:
            if not same_option_count(pos.option_names, ref.item.option_names):
                problems.append(_mismatch(ref, "POS"))
                continue
            why = f"new web variant of a product linked to POS product {pos.product_id} (R7)"
            said = msg("plan_create_pos_variant", pos_product_id=pos.product_id)
            made = new_variant(ref)
            out.append(CreatePosVariant(pos.product_id, made, branch, ref.item, pos, why, said))
        return out
    new = NewPosProduct(
        name=product.name,
        variants=tuple(new_variant(r) for r in refs),
        option_names=effective_option_names(product.option_names),
        location_id=branch,
    )
    why = "only on the web: created on POS, web price as cost price, flagged for review (R3, R6)"
    said = msg("plan_create_pos")
    return [CreatePosProduct(product.id, new, tuple(r.item for r in refs), why, said)]


def stock_branch(config: ConfigSnapshot) -> int:
    """Where a product created on POS gets its initial stock: the order branch (issue 5) when
    its stock counts for the web (R4), else the first branch that does.

    Stock put on a branch that does not count would be invisible to the next push, which
    would then zero the web variant the product was created from (R8).
    """
    if config.order_location_id in config.stock_location_ids or not config.stock_location_ids:
        return config.order_location_id
    return min(config.stock_location_ids)


def _several(ref: Ref[PosFacts] | Ref[WebFacts], partners: Mapping[int, object]) -> Problem:
    ids = ", ".join(str(i) for i in sorted(partners))
    message = f"{ref.describe()} belongs to a product linked to several products ({ids})"
    params = {"variant": ref.part(), "products": ids}
    return Problem("ambiguous_product", ref.key, message, params=params)


def _mismatch(ref: Ref[PosFacts] | Ref[WebFacts], other: str) -> Problem:
    """A new variant whose product's options differ from its linked partner's (R7, R10).

    Its own code, not ``structure_options``: that one is a linked pair that drifted, and
    each code is told with one sentence in every language.
    """
    message = (
        f"{ref.describe()} is new, but its product's options no longer match the {other} "
        "product it is linked to, so it is not created (R10)"
    )
    params = {"variant": ref.part(), "side": other}
    return Problem("new_variant_options", ref.key, message, params=params)
