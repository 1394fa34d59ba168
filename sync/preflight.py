"""Preflight (R1): what blocks the first link, and what only deserves a warning."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from sync import texts
from sync.context import SyncContext
from sync.domain import PosProduct, WebProduct
from sync.facts import pos_facts, structure_problem, web_facts
from sync.matching import Ref, case_twins, group_by_key, make_ref, spelling_warnings
from sync.plan import PosFacts, WebFacts

log = logging.getLogger(__name__)
T = TypeVar("T")
NO_SKU = "no usable SKU (blank, or with a control or invisible character)"


@dataclass(frozen=True, slots=True)
class Item:
    """One offending variant, with what a person needs to find it in its admin."""

    side: str  # "pos" | "web"
    product_id: int
    variant_id: int
    sku: str | None
    name: str


@dataclass(frozen=True, slots=True)
class Finding:
    """One preflight problem: a code, a sentence, every variant involved, and what the
    sentence is built from (``sync.texts``: the bot tells it in the reader's language)."""

    code: str
    message: str
    items: tuple[Item, ...]
    params: texts.Params = field(default_factory=dict, hash=False)


@dataclass(frozen=True, slots=True)
class PreflightReport:
    blocking: tuple[Finding, ...]
    warnings: tuple[Finding, ...]
    pos_variants: int = 0
    web_variants: int = 0

    @property
    def ok(self) -> bool:
        """True when the first link may run (exit status 0)."""
        return not self.blocking

    def as_dict(self) -> dict[str, Any]:
        def finding(f: Finding) -> dict[str, Any]:
            items = [vars_of(i) for i in f.items]
            return {"code": f.code, "message": f.message, "items": items, "params": f.params}

        return {
            "ok": self.ok,
            "pos_variants": self.pos_variants,
            "web_variants": self.web_variants,
            "blocking": [finding(f) for f in self.blocking],
            "warnings": [finding(f) for f in self.warnings],
        }


def vars_of(item: Item) -> dict[str, Any]:
    return {
        "side": item.side,
        "product_id": item.product_id,
        "variant_id": item.variant_id,
        "sku": item.sku,
        "name": item.name,
    }


def check(
    pos_products: Sequence[PosProduct],
    web_products: Sequence[WebProduct],
    web_levels: Mapping[int, Decimal] | None = None,
) -> PreflightReport:
    """Every blank or shared SKU, untracked or negative web stock; warnings for near twins.

    ``web_levels`` (inventory item id -> available) wins over ``inventory_quantity`` when given.
    """
    pos_refs = [
        make_ref("pos", p.id, v.id, v.sku, f.name, f)
        for p in pos_products
        for v in p.variants
        for f in (pos_facts(p, v),)
    ]
    web_refs = [
        make_ref("web", p.id, v.id, v.sku, f.name, f)
        for p in web_products
        for v in p.variants
        for f in (web_facts(p, v),)
    ]
    quantities = {
        v.inventory_item_id: v.inventory_quantity for p in web_products for v in p.variants
    }
    if web_levels is not None:
        quantities.update(web_levels)
    blocking: list[Finding] = []
    warnings: list[Finding] = []
    blocking.extend(_sku_findings("web", web_refs))
    blocking.extend(_sku_findings("pos", pos_refs))
    for wref in web_refs:
        if not wref.item.tracked:
            # the same sentence as the sync's own web_untracked problem: one code, one text
            message = "inventory tracking is off on the web variant"
            blocking.append(_one("web_untracked", message, wref))
        qty = quantities.get(wref.item.inventory_item_id, Decimal(0))
        if qty < 0:
            message = f"web stock is negative ({qty})"
            blocking.append(_one("web_negative_stock", message, wref, quantity=str(qty)))
    refs_all: list[Ref[PosFacts | WebFacts]] = [*pos_refs, *web_refs]
    for code, ref in spelling_warnings(refs_all):
        what = "surrounding spaces" if code == "sku_spaces" else "a non-NFC Unicode form"
        warnings.append(_one(code, f"SKU has {what}; it matches after normalizing", ref))
    for twins in case_twins(refs_all):
        keys = ", ".join(sorted({r.key for r in twins}))
        warnings.append(
            Finding(
                "sku_case_only",
                f"SKUs differ only in letter case and are NOT linked: {keys}",
                tuple(_item(r) for r in twins),
                {"skus": keys},
            )
        )
    warnings.extend(_structure_warnings(pos_refs, web_refs))
    return PreflightReport(tuple(blocking), tuple(warnings), len(pos_refs), len(web_refs))


def _sku_findings(side: str, refs: Sequence[Ref[T]]) -> list[Finding]:
    """Blank SKUs and SKUs shared by several variants on one side: both block (R1, R2)."""
    groups, blank = group_by_key(refs)
    label = "web" if side == "web" else "POS"
    found = [_one(f"{side}_blank_sku", f"a {label} variant has {NO_SKU}", r) for r in blank]
    for key, members in sorted(groups.items()):
        if len(members) > 1:
            found.append(
                Finding(
                    f"{side}_duplicate_sku",
                    f"{len(members)} {label} variants share SKU {key!r}",
                    tuple(_item(r) for r in members),
                    {"count": len(members), "sku": key},
                )
            )
    return found


def _structure_warnings(
    pos_refs: Sequence[Ref[PosFacts]], web_refs: Sequence[Ref[WebFacts]]
) -> list[Finding]:
    """Pairs that would link but whose options differ: they will link in error (R10)."""
    pos_groups, _ = group_by_key(pos_refs)
    web_groups, _ = group_by_key(web_refs)
    found: list[Finding] = []
    for key in sorted(pos_groups.keys() & web_groups.keys()):
        pos, web = pos_groups[key], web_groups[key]
        if len(pos) != 1 or len(web) != 1:
            continue
        problem = structure_problem(pos[0].item, web[0].item)
        if problem is not None:
            message = f"SKU {key!r} will link in error: {problem.reason}"
            pair = (_item(pos[0]), _item(web[0]))
            params = {"sku": key, **problem.params}
            found.append(Finding(f"pair_{problem.code}", message, pair, params))
    return found


def run_preflight(ctx: SyncContext) -> PreflightReport:
    """Read both catalogues in full and check them (R1); writes nothing."""
    from sync.reading import read_levels, web_location_id

    pos_products = list(ctx.pos.products())
    web_products = list(ctx.web.products())
    levels = read_levels(ctx.web, web_location_id(ctx.web))
    report = check(pos_products, web_products, levels)
    log.info(
        "preflight ok=%s blocking=%d warnings=%d pos_variants=%d web_variants=%d",
        report.ok,
        len(report.blocking),
        len(report.warnings),
        report.pos_variants,
        report.web_variants,
    )
    return report


def _item(ref: Ref[T]) -> Item:
    return Item(ref.side, ref.product_id, ref.variant_id, ref.sku, ref.name)


def _one(code: str, message: str, ref: Ref[T], **params: texts.Param) -> Finding:
    return Finding(code, message, (_item(ref),), params)
