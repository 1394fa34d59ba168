"""The bot's calls into the sync core, each turned into a message (run on the worker)."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from typing import Any

from bot.deps import BotDeps, stamp
from bot.listeners.common import note
from bot.text import esc
from bot.views import buttons as act
from bot.views.compare import CompareRow, CompareView, compare_message
from bot.views.cycle import cycle_message
from bot.views.kit import Message
from bot.views.reports import (
    FindingLine,
    Outcome,
    PreflightView,
    dismiss_outcome,
    link_outcome,
    preflight_message,
    resync_outcome,
)
from sync import engine, orders, preflight, problems
from sync.scheduler_jobs import JOB_CATALOG, JOB_ORDERS

log = logging.getLogger(__name__)

__all__ = [
    "Outcome",
    "change_link",
    "compare",
    "dismiss",
    "preflight_report",
    "resync",
    "run_report",
    "sync",
    "sync_now",
]


def _module(name: str) -> Any:
    # The catalog engine's modules are imported when first used, so the bot starts (and its
    # read-only commands work) even in a tree where they are not installed yet.
    return importlib.import_module(name)


def preflight_report(deps: BotDeps) -> Message:
    report = preflight.run_preflight(deps.ctx)

    def lines(findings: Any) -> tuple[FindingLine, ...]:
        return tuple(
            FindingLine(f.code, f.message, tuple((i.side, i.sku or "", i.name) for i in f.items))
            for f in findings
        )

    view = PreflightView(
        report.ok,
        lines(report.blocking),
        lines(report.warnings),
        report.pos_variants,
        report.web_variants,
    )
    return preflight_message(deps.t, view)


def resync(deps: BotDeps, order_name: str, *, actor: str) -> Outcome:
    done = orders.resync_order(deps.ctx, order_name, actor=actor)
    return resync_outcome(
        deps.t,
        user=actor,
        order_name=done.order_name,
        result=done.result,
        detail=done.message,
        pos_code=done.pos_order_code,
        not_live=done.not_live,
    )


def dismiss(deps: BotDeps, error_id: int, *, actor: str) -> Outcome:
    done = problems.dismiss(deps.ctx, error_id, actor=actor)
    return dismiss_outcome(
        deps.t, user=actor, subject=done.subject, code=done.code, changed=done.changed
    )


def change_link(deps: BotDeps, verb: str, sku: str, *, actor: str) -> Outcome:
    """Disconnect, reconnect or delete a link (R15, R16); idempotent and audited by sync."""
    links = _module("sync.links")
    function = {
        "disconnect": links.disconnect,
        "reconnect": links.reconnect,
        "unlink": links.delete_link,
    }[verb]
    change = function(deps.ctx, sku, actor=actor)
    status = str(getattr(change, "status", "") or "")
    outcome = link_outcome(
        deps.t,
        user=actor,
        verb=verb,
        sku=sku,
        changed=bool(getattr(change, "changed", True)),
        detail=str(getattr(change, "message", "") or ""),
    )
    if status and status != "deleted":
        outcome = Outcome(outcome.line, outcome.message, act.product_buttons(deps.t, sku, status))
    return outcome


def compare(deps: BotDeps, sku: str) -> Message:
    """R14: both versions side by side (reads both APIs: run it on the worker)."""
    comparison = _module("sync.compare").compare(deps.ctx, sku)
    return compare_message(deps.t, compare_view(comparison), deps.tz, stamp())


def compare_view(comparison: Any) -> CompareView:
    """Adapt ``sync.compare.Comparison`` to the builder's plain rows."""
    rows = tuple(
        CompareRow(str(r.field), str(r.pos or ""), str(r.web or ""), bool(r.differs))
        for r in getattr(comparison, "rows", ())
    )
    return CompareView(
        sku=str(comparison.sku),
        name=str(getattr(comparison, "name", "") or ""),
        status=getattr(comparison, "status", None),
        reason=getattr(comparison, "reason", None),
        last_synced=getattr(comparison, "last_synced_at", None),
        rows=rows,
        pos_url=getattr(comparison, "pos_url", None),
        web_url=getattr(comparison, "web_url", None),
    )


def sync(deps: BotDeps, *, dry_run: bool, actor: str) -> Message:
    """One catalog cycle and one order run here and now (or their dry-run previews)."""
    result = engine.run_cycle(deps.ctx, dry_run=dry_run, actor=actor)
    pushed = orders.push_orders(deps.ctx, dry_run=dry_run, actor=actor)
    return cycle_message(deps.t, result, dry_run=dry_run, orders=pushed)


def sync_now(deps: BotDeps, *, actor: str, report: Callable[[Message], None]) -> None:
    """``/sapo sync``: through the scheduler when it runs here, so one sync runs at a time."""
    scheduler = deps.scheduler
    state = str(getattr(scheduler, "state", "stopped"))
    if scheduler is not None and state == "standby":
        report(note(deps.t("run.standby")))
        return
    if scheduler is not None and state == "running" and deps.runs is not None:
        deps.runs.expect(JOB_CATALOG, lambda run: report(run_report(deps, run)))
        if scheduler.trigger(JOB_CATALOG):
            scheduler.trigger(JOB_ORDERS)
            return
    report(sync(deps, dry_run=False, actor=actor))


def run_report(deps: BotDeps, run: Any) -> Message:
    """The message for a finished scheduler run that someone asked for."""
    if isinstance(run.result, engine.CycleResult):
        return cycle_message(deps.t, run.result, dry_run=False)
    return note(deps.t("run.failed", error=esc(run.error or "?", 500)))
