"""An order run as plain text lines and as JSON, for ``sapo-sync sync`` and its dry run."""

from __future__ import annotations

from typing import Any

from sync.order_push import OrderOutcome
from sync.orders import OrderRunResult

VERBS = {
    "push": ("pushed", "would push"),
    "skip": ("skipped", "would skip"),
    "fail": ("failed", "would fail"),
    "ineligible": ("ineligible", "never pushed"),
}


def outcome_line(outcome: OrderOutcome, *, dry_run: bool) -> str:
    """``order #1005 would skip: SKU ASML-M is disconnected``."""
    verb = VERBS.get(outcome.verdict, (outcome.verdict, outcome.verdict))[1 if dry_run else 0]
    where = f" as {outcome.pos_order_code}" if outcome.pos_order_code else ""
    found = " (found on POS by its reference)" if outcome.found_existing else ""
    reason = f": {outcome.reason}" if outcome.reason and outcome.verdict != "push" else ""
    return f"order {outcome.order_name} {verb}{where}{found}{reason}"


def order_lines(result: OrderRunResult) -> list[str]:
    """One line per order the run looked at, then a summary line."""
    if not result.set_up:
        return ["orders: none pushed before setup (the first link sets the cut-over, R5)"]
    lines = [outcome_line(o, dry_run=result.dry_run) for o in result.outcomes]
    counts = " ".join(f"{k}={v}" for k, v in sorted(result.counts.items()))
    label = "orders (dry run)" if result.dry_run else "orders"
    bad = f" unreadable={result.unreadable}" if result.unreadable else ""
    lines.append(f"{label}: read={result.read}{bad} {counts}".rstrip())
    return lines


def order_run_as_dict(result: OrderRunResult) -> dict[str, Any]:
    return {
        "dry_run": result.dry_run,
        "set_up": result.set_up,
        "read": result.read,
        "unreadable": result.unreadable,
        "counts": result.counts,
        "orders": [
            {
                "name": o.order_name,
                "web_order_id": o.web_order_id,
                "verdict": o.verdict,
                "status": o.status,
                "code": o.code,
                "reason": o.reason,
                "pos_order_code": o.pos_order_code,
                "found_existing": o.found_existing,
                "skus": [p.sku for p in o.problems],
            }
            for o in result.outcomes
        ],
    }
