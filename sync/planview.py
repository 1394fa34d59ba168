"""A plan and a cycle's outcome as plain data and as text lines (CLI ``--dry-run`` / ``--json``)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sync.plan import (
    CreatePosProduct,
    CreatePosVariant,
    CreateWebProduct,
    CreateWebVariant,
    Creation,
    Plan,
    Problem,
)

if TYPE_CHECKING:
    from sync.engine import CycleResult

LABELS = {
    "link": "link",
    "status": "status change",
    "rebind": "relink",
    "create_web": "create on web",
    "create_pos": "create on POS",
    "stock": "stock",
    "price": "price",
    "problems": "problem",
}


def _qty(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def creation_dict(action: Creation) -> dict[str, Any]:
    if isinstance(action, CreateWebProduct):
        skus = [v.sku for v in action.new.variants]
        return {
            "kind": "web_product",
            "name": action.new.name,
            "skus": skus,
            "pos_product_id": action.pos_product_id,
            "published": action.new.published,
            "stock": [str(q) for q in action.stock],
            "reason": action.reason,
        }
    if isinstance(action, CreateWebVariant):
        return {
            "kind": "web_variant",
            "skus": [action.new.sku],
            "stock": [str(action.stock)],
            "web_product_id": action.web_product_id,
            "reason": action.reason,
        }
    if isinstance(action, CreatePosProduct):
        skus = [v.sku for v in action.new.variants]
        return {
            "kind": "pos_product",
            "name": action.new.name,
            "skus": skus,
            "web_product_id": action.web_product_id,
            "location_id": action.new.location_id,
            "reason": action.reason,
        }
    assert isinstance(action, CreatePosVariant)
    return {
        "kind": "pos_variant",
        "skus": [action.new.sku],
        "pos_product_id": action.pos_product_id,
        "reason": action.reason,
    }


def problem_dict(problem: Problem) -> dict[str, str]:
    return {"code": problem.code, "subject": problem.subject, "message": problem.message}


def plan_as_dict(plan: Plan) -> dict[str, Any]:
    """Every action with its reason, JSON-ready."""
    return {
        "full": plan.full,
        "counts": plan.counts(),
        "writes": plan.writes,
        "halt": None if plan.halt is None else problem_dict(plan.halt),
        "links": [
            {
                "sku": a.sku,
                "pos_variant_id": a.pos.variant_id,
                "web_variant_id": a.web.variant_id,
                "status": a.status.value,
                "reason": a.reason,
            }
            for a in plan.links
        ],
        "statuses": [
            {"sku": a.sku, "from": a.before.value, "to": a.status.value, "reason": a.reason}
            for a in plan.statuses
        ],
        "rebinds": [{"sku": a.sku, "reason": a.reason} for a in plan.rebinds],
        "creations": [creation_dict(a) for a in plan.creations],
        "stock": [
            {
                "sku": a.sku,
                "inventory_item_id": a.inventory_item_id,
                "location_id": a.location_id,
                "before": _qty(a.before),
                "after": str(a.after),
                "reason": a.reason,
            }
            for a in plan.stock
        ],
        "prices": [
            {
                "sku": a.sku,
                "web_variant_id": a.web_variant_id,
                "before": a.before,
                "after": a.after,
                "reason": a.reason,
            }
            for a in plan.prices
        ],
        "problems": [problem_dict(p) for p in plan.problems],
    }


def result_as_dict(result: CycleResult) -> dict[str, Any]:
    return {
        "started_at": result.started_at.isoformat(),
        "duration_s": round(result.duration_s, 3),
        "dry_run": result.dry_run,
        "applied": result.applied,
        "full": result.full,
        "first_link": result.first_link,
        "blocked": None if result.blocked is None else result.blocked.as_dict(),
        "halted": None if result.halted is None else problem_dict(result.halted),
        "interrupted": None if result.interrupted is None else problem_dict(result.interrupted),
        "done": dict(result.done),
        "writes": result.writes,
        "failures": [problem_dict(p) for p in result.failures],
        "errors_opened": result.opened_errors,
        "errors_resolved": result.resolved_errors,
        "plan": plan_as_dict(result.plan),
    }


def counts_line(counts: dict[str, int]) -> str:
    shown = [f"{LABELS.get(k, k)} {n}" for k, n in counts.items() if n]
    return ", ".join(shown) or "nothing to do"


def plan_lines(plan: Plan) -> list[str]:
    """One line per action, each with its reason."""
    lines = [f"link {a.sku}: {a.reason}" for a in plan.links]
    lines += [f"{a.sku}: {a.before.value} -> {a.status.value}: {a.reason}" for a in plan.statuses]
    lines += [f"relink {a.sku}: {a.reason}" for a in plan.rebinds]
    for action in plan.creations:
        data = creation_dict(action)
        where = "web" if data["kind"].startswith("web") else "POS"
        name = f" '{data['name']}'" if "name" in data else ""
        lines.append(f"create on {where}{name} ({', '.join(data['skus'])}): {action.reason}")
    lines += [f"stock {a.sku}: {a.before} -> {a.after} ({a.reason})" for a in plan.stock]
    lines += [f"price {a.sku}: {a.before} -> {a.after} ({a.reason})" for a in plan.prices]
    lines += [f"problem {p.code} {p.subject}: {p.message}" for p in plan.problems]
    return lines


def summary_line(result: CycleResult) -> str:
    """``sapo-sync sync``'s last line: what was done, or why nothing was."""
    kind = "first link" if result.first_link else ("full" if result.full else "incremental")
    if result.blocked is not None:
        return f"sync ({kind}): blocked by {len(result.blocked.blocking)} preflight problem(s)"
    if result.halted is not None:
        return f"sync ({kind}): stopped by the guard: {result.halted.message}"
    if result.dry_run:
        return f"sync ({kind}, dry run): would do {counts_line(result.plan.counts())}"
    done = counts_line(dict(result.done)) if any(result.done.values()) else "no change"
    text = f"sync ({kind}): {done}; {result.writes} write(s) in {result.duration_s:.2f}s"
    if result.failures:
        text += f"; {len(result.failures)} failure(s)"
    if result.interrupted is not None:
        text += f"; interrupted: {result.interrupted.message}"
    return text
