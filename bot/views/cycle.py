"""What a sync cycle did, or would do in a dry run: counts and a sample of the plan."""

from __future__ import annotations

from collections.abc import Iterable

from bot.i18n import Translator
from bot.text import esc
from bot.views.fmt import money, qty
from bot.views.kit import Block, Message, context, header, message, section
from bot.views.problems import problem_text, said, said_text
from sync.engine import CycleResult
from sync.orders import OrderRunResult
from sync.plan import (
    CreatePosProduct,
    CreatePosVariant,
    CreateWebProduct,
    CreateWebVariant,
    Plan,
    SetLinkStatus,
)

SAMPLE = 8
COUNT_KEYS = {
    "link": "cycle.count.link",
    "status": "cycle.count.status",
    "rebind": "cycle.count.rebind",
    "create_web": "cycle.count.create_web",
    "create_pos": "cycle.count.create_pos",
    "stock": "cycle.count.stock",
    "price": "cycle.count.price",
    "problems": "cycle.count.problems",
}


def cycle_message(
    t: Translator, result: CycleResult, *, dry_run: bool, orders: OrderRunResult | None = None
) -> Message:
    if result.blocked is not None:
        title = t("cycle.blocked", n=len(result.blocked.blocking))
    elif result.halted is not None:
        title = t("cycle.halted")
    elif dry_run:
        title = t("cycle.dry_run")
    else:
        title = t("cycle.done", seconds=f"{result.duration_s:.1f}")
    counts = result.plan.counts()
    fields = [f"*{t(COUNT_KEYS[k])}:* {n}" for k, n in counts.items() if k in COUNT_KEYS]
    blocks: list[Block] = [header(title), section(fields=fields[:10])]
    if result.halted is not None:
        blocks.append(section(f"> {said(t, result.halted, 800)}"))
    if result.blocked is not None:
        blocks.append(section(t("cycle.blocked_hint")))
    if dry_run:
        sample = list(_sample(t, result.plan))
        if sample:
            blocks.append(section("\n".join(sample)))
    else:
        blocks.append(
            context(
                t(
                    "cycle.applied",
                    writes=result.writes,
                    failures=len(result.failures),
                    opened=result.opened_errors,
                    resolved=result.resolved_errors,
                )
            )
        )
    if result.interrupted is not None:
        blocks.append(section(f"⚠️ {said(t, result.interrupted, 500)}"))
    if orders is not None:
        summary = ", ".join(f"{esc(k, 30)}: {n}" for k, n in sorted(orders.counts.items()))
        blocks.append(context(t("cycle.orders", read=orders.read, summary=summary or "—")))
    return message(title, blocks, trimmed_note=t("common.trimmed"))


def _sample(t: Translator, plan: Plan) -> Iterable[str]:
    """A few actions of each kind with their reasons, so a person can judge the plan."""
    for link in plan.links[:SAMPLE]:
        reason = said_text(t, link.said, link.reason, 150)
        yield t("cycle.plan.link", sku=esc(link.sku, 80), reason=reason)
    for change in plan.statuses[:SAMPLE]:
        yield t(
            "cycle.plan.status",
            sku=esc(change.sku, 80),
            status=esc(change.status, 30),
            reason=_status_reason(t, change),
        )
    for creation in plan.creations[:SAMPLE]:
        yield t(
            "cycle.plan.create",
            side=_side(creation),
            name=esc(_name(creation), 80),
            reason=said_text(t, creation.said, creation.reason, 150),
        )
    for push in plan.stock[:SAMPLE]:
        yield t(
            "cycle.plan.stock",
            sku=esc(push.sku, 80),
            before=qty(push.before),
            after=qty(push.after),
        )
    for price in plan.prices[:SAMPLE]:
        yield t(
            "cycle.plan.price",
            sku=esc(price.sku, 80),
            before=money(price.before),
            after=money(price.after),
        )
    for problem in plan.problems[:SAMPLE]:
        yield t(
            "cycle.plan.problem",
            subject=esc(problem.subject, 80),
            message=said(t, problem, 150),
        )


def _status_reason(t: Translator, change: SetLinkStatus) -> str:
    if change.said is not None:  # a sentence of its own ("the pair matches again")
        return said_text(t, change.said, change.reason, 150)
    return problem_text(t, change.reason_code, change.params, change.reason, 150)


def _side(creation: object) -> str:
    return "Web" if isinstance(creation, CreateWebProduct | CreateWebVariant) else "POS"


def _name(creation: object) -> str:
    if isinstance(creation, CreateWebProduct | CreatePosProduct):
        return creation.new.name
    if isinstance(creation, CreatePosVariant | CreateWebVariant):
        return creation.new.sku
    return ""
