"""Pure decisions about one web order: eligibility (R5), link checks (R15), the POS order."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, NamedTuple

from sync.domain import (
    ZERO,
    LinkStatus,
    Money,
    NewPosOrder,
    NewPosOrderLine,
    OrderStatus,
    WebOrder,
    normalize_sku,
)
from sync.texts import Param, Params, msg, part

# Reason codes, stored on the order row and used as the error code of its error row (R19).
BEFORE_CUTOVER = "before_cutover"
CANCELLED = "cancelled"
DELETED_ON_WEB = "deleted_on_web"
NO_LINES = "no_lines"
SKU_BLANK = "sku_blank"
SKU_NOT_LINKED = "sku_not_linked"
LINK_DELETED = "link_deleted"
POS_DELETED = "pos_deleted"
LINK_ERROR = "link_error"
DISCONNECTED = "product_disconnected"
TOTAL_MISMATCH = "total_mismatch"
POS_REJECTED = "pos_rejected"
INVALID_RECORD = "invalid_record"  # Sapo sent something we cannot read for this order

# Failures the sync itself can cure (the catalog cycle links a new product, or a link's
# error clears), so the next order run looks at them again: R5 says an order goes "once
# every product in it is linked". The others need a person and a resync (R17).
SELF_HEALING = frozenset({SKU_NOT_LINKED, LINK_ERROR})
# Failures a fresh read may cure: Sapo sent the order, or an answer about it, in a form we
# cannot read. Every order run reads such an order again (one GET each), so once Sapo answers
# properly it goes without a person's resync (issue 10).
REREAD = frozenset({INVALID_RECORD})


class Verdict(StrEnum):
    PUSH = "push"
    INELIGIBLE = "ineligible"
    SKIP = "skip"
    FAIL = "fail"


VERDICT_STATUS = {
    Verdict.PUSH: OrderStatus.PENDING,
    Verdict.INELIGIBLE: OrderStatus.INELIGIBLE,
    Verdict.SKIP: OrderStatus.SKIPPED,
    Verdict.FAIL: OrderStatus.FAILED,
}


@dataclass(frozen=True, slots=True)
class LinkView:
    """What an order needs to know about one link."""

    sku: str
    status: str
    pos_variant_id: int | None


@dataclass(frozen=True, slots=True)
class LineProblem:
    """Why one line of an order cannot go to POS; ``sku`` names it for the person."""

    sku: str
    code: str
    text: str

    def part(self) -> dict[str, Param]:
        """``text`` as a fragment the bot words in its language (``part.line_<code>``)."""
        if self.code == SKU_BLANK:
            return part(f"line_{self.code}", title=self.sku)
        return part(f"line_{self.code}", sku=self.sku)


@dataclass(frozen=True, slots=True)
class OrderDecision:
    verdict: Verdict
    code: str | None
    reason: str
    problems: tuple[LineProblem, ...] = ()
    # what ``reason`` is built from, without the order's name (sync.texts: ``code``)
    params: Params = field(default_factory=dict, hash=False)
    # ``reason`` as a whole sentence (``msg.*``), kept on the order row for the order list
    said: Params | None = field(default=None, hash=False)


class TotalOff(NamedTuple):
    """Why the POS total would differ from the web's: the English text and its fragment."""

    text: str
    part: dict[str, Param]


def line_problem(raw_sku: str | None, title: str, link: LinkView | None) -> LineProblem | None:
    """The problem of one line, or None when its SKU has a live link."""
    sku = normalize_sku(raw_sku)
    if not sku:
        return LineProblem(title, SKU_BLANK, f"line '{title}' has no usable SKU")
    if link is None:
        return LineProblem(sku, SKU_NOT_LINKED, f"SKU {sku} is not linked")
    if link.status == LinkStatus.LINKED and link.pos_variant_id is not None:
        return None
    if link.status == LinkStatus.DISCONNECTED:
        return LineProblem(sku, DISCONNECTED, f"SKU {sku} is disconnected")
    if link.status == LinkStatus.DELETED:
        return LineProblem(sku, LINK_DELETED, f"SKU {sku}'s link was deleted for good")
    if link.status == LinkStatus.POS_DELETED:
        return LineProblem(sku, POS_DELETED, f"SKU {sku} was deleted on POS")
    return LineProblem(sku, LINK_ERROR, f"SKU {sku}'s link is in error")


def line_problems(order: WebOrder, links: Mapping[str, LinkView]) -> tuple[LineProblem, ...]:
    found = []
    for line in order.line_items:
        problem = line_problem(line.sku, line.title, links.get(normalize_sku(line.sku)))
        if problem is not None:
            found.append(problem)
    return tuple(found)


def eligibility(order: WebOrder, *, cutover: datetime) -> OrderDecision | None:
    """R5: an order older than the cut-over, or cancelled, never goes to POS.

    Compared in whole seconds, Sapo's precision: an order stamped in the cut-over's own
    second was placed after setup began, so it counts as after.
    """
    early = before_cutover(order.created_on, cutover=cutover)
    if early is not None:
        return early
    if order.cancelled:
        return OrderDecision(
            Verdict.INELIGIBLE, CANCELLED, "cancelled on the web", said=msg("order_cancelled")
        )
    return None


def before_cutover(created_on: datetime, *, cutover: datetime) -> OrderDecision | None:
    """R5 on the creation time alone (all that may be readable of a garbled order)."""
    if created_on >= cutover.replace(microsecond=0):
        return None
    created, setup = f"{created_on:%Y-%m-%d %H:%M}", f"{cutover:%Y-%m-%d %H:%M}"
    reason = f"created {created} UTC, before setup ({setup} UTC)"
    said = msg("order_before_cutover", created=created, cutover=setup)
    return OrderDecision(Verdict.INELIGIBLE, BEFORE_CUTOVER, reason, said=said)


def decide(order: WebOrder, *, cutover: datetime, links: Mapping[str, LinkView]) -> OrderDecision:
    """Push, or why not: ineligible (R5), skipped for a disconnected product (R15), failed."""
    ineligible = eligibility(order, cutover=cutover)
    if ineligible is not None:
        return ineligible
    if not order.line_items:
        return OrderDecision(
            Verdict.FAIL, NO_LINES, "the order has no lines", said=msg("order_no_lines")
        )
    problems = line_problems(order, links)
    hard = [p for p in problems if p.code != DISCONNECTED]
    if hard:
        reason = "; ".join(p.text for p in hard)
        lines = {"lines": [p.part() for p in hard]}
        said = msg("order_lines", **lines)
        return OrderDecision(Verdict.FAIL, hard[0].code, reason, problems, lines, said)
    if problems:
        reason = "; ".join(p.text for p in problems)
        lines = {"lines": [p.part() for p in problems]}
        said = msg("order_lines", **lines)
        return OrderDecision(Verdict.SKIP, DISCONNECTED, reason, problems, lines, said)
    return OrderDecision(Verdict.PUSH, None, "every product is linked")


# ---------------------------------------------------------------- money


def items_total(order: WebOrder) -> Decimal:
    return sum((line.price * line.quantity for line in order.line_items), start=ZERO)


def expected_total(order: WebOrder) -> Decimal:
    """What the web order should cost: lines - discounts + shipping."""
    return items_total(order) - order.total_discounts + order.total_shipping_price


def line_discounts(order: WebOrder) -> list[Money]:
    """Each line's discount: its own, plus its share of the order-level discount.

    The order-level part is spread over the lines in proportion to their amounts (largest
    remainder, so the parts add up to the dong) because POS sums its lines to its total.
    """
    own = [line.total_discount for line in order.line_items]
    extra = order.total_discounts - sum(own)
    amounts = [
        line.price * line.quantity - d for line, d in zip(order.line_items, own, strict=True)
    ]
    base = sum(amounts, start=ZERO)
    if extra <= 0 or base <= 0:
        return own
    exact = [Decimal(extra) * a / base for a in amounts]
    shares = [int(e) for e in exact]
    leftover = extra - sum(shares)
    by_remainder = sorted(range(len(exact)), key=lambda i: exact[i] - shares[i], reverse=True)
    for i in by_remainder[:leftover]:
        shares[i] += 1
    return [d + s for d, s in zip(own, shares, strict=True)]


def pos_total(new: NewPosOrder) -> Decimal:
    """The total POS computes for an order: lines after discounts + delivery - order discount."""
    lines = sum((ln.price * ln.quantity - ln.discount_amount for ln in new.lines), start=ZERO)
    return lines + new.delivery_fee - new.order_discount_value


def build_pos_order(
    order: WebOrder,
    *,
    links: Mapping[str, LinkView],
    location_id: int,
    price_list_id: int,
    source_id: int,
    customer_id: int | None,
) -> NewPosOrder:
    """The POS order for a web order whose lines are all linked (check ``decide`` first)."""
    discounts = line_discounts(order)
    lines = []
    for line, discount in zip(order.line_items, discounts, strict=True):
        variant_id = links[normalize_sku(line.sku)].pos_variant_id
        assert variant_id is not None, "decide() lets only linked lines through"
        lines.append(NewPosOrderLine(variant_id, line.quantity, line.price, discount))
    return NewPosOrder(
        reference_number=order.name,
        location_id=location_id,
        price_list_id=price_list_id,
        source_id=source_id,
        lines=tuple(lines),
        customer_id=customer_id,
        delivery_fee=order.total_shipping_price,
        note=f"Sapo Web {order.name}",
    )


def total_problem(order: WebOrder, new: NewPosOrder) -> TotalOff | None:
    """Why the POS total would differ from the web total, or None when they agree."""
    web_total = Decimal(order.total_price)
    if expected_total(order) != web_total:
        total, lines = order.total_price, str(items_total(order))
        discounts, shipping = order.total_discounts, order.total_shipping_price
        return TotalOff(
            f"web total {total} != lines {lines} - discounts {discounts} + shipping {shipping} "
            "(tax or a fee?)",
            part("web_total_off", total=total, lines=lines, discounts=discounts, shipping=shipping),
        )
    if pos_total(new) != web_total:
        pos = str(pos_total(new))
        return TotalOff(
            f"POS total would be {pos}, web total is {order.total_price}",
            part("pos_total_off", pos_total=pos, web_total=order.total_price),
        )
    return None


# ---------------------------------------------------------------- stored lines (the ledger)


def stored_lines(order: WebOrder) -> list[dict[str, Any]]:
    """The lines kept on the order row: enough for the in-flight ledger and the order list."""
    return [
        {
            "sku": normalize_sku(line.sku),
            "raw_sku": line.sku,
            "title": line.title,
            "quantity": str(line.quantity),
            "price": line.price,
        }
        for line in order.line_items
    ]


def quantities(rows_lines: Iterable[Sequence[Mapping[str, Any]]]) -> dict[str, Decimal]:
    """Quantity per normalized SKU over the stored lines of many orders."""
    totals: dict[str, Decimal] = {}
    for lines in rows_lines:
        for line in lines:
            sku = str(line.get("sku") or "")
            if sku:
                totals[sku] = totals.get(sku, ZERO) + Decimal(str(line.get("quantity", "0")))
    return totals
