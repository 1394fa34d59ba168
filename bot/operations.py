"""The bot's calls into the sync core, each turned into a message (run on the worker)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from bot.deps import BotDeps, stamp
from bot.listeners.common import note
from bot.text import esc
from bot.views import buttons as act
from bot.views.compare import compare_message, comparison_view
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
from sync import compare as comparing
from sync import engine, links, orders, preflight, problems
from sync.cycle import catalog_pass, is_set_up
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


LINK_CHANGES: dict[str, Callable[..., links.LinkChange]] = {
    "disconnect": links.disconnect,
    "reconnect": links.reconnect,
    "unlink": links.delete_link,
}


def preflight_report(deps: BotDeps) -> Message:
    report = preflight.run_preflight(deps.ctx)

    def lines(findings: Any) -> tuple[FindingLine, ...]:
        return tuple(
            FindingLine(
                f.code, f.message, tuple((i.side, i.sku or "", i.name) for i in f.items), f.params
            )
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
        said=done.said,
        not_live_said=done.not_live_said,
    )


def dismiss(deps: BotDeps, error_id: int, *, actor: str) -> Outcome:
    done = problems.dismiss(deps.ctx, error_id, actor=actor)
    return dismiss_outcome(
        deps.t, user=actor, subject=done.subject, code=done.code, changed=done.changed
    )


def change_link(deps: BotDeps, verb: str, sku: str, *, actor: str) -> Outcome:
    """Disconnect, reconnect or delete a link (R15, R16); idempotent and audited by sync."""
    change = LINK_CHANGES[verb](deps.ctx, sku, actor=actor)
    status = change.after.value
    outcome = link_outcome(
        deps.t,
        user=actor,
        verb=verb,
        sku=change.sku,
        changed=change.changed,
        status=status,
        detail=change.note,
    )
    if status != "deleted":
        outcome = Outcome(
            outcome.line, outcome.message, act.product_buttons(deps.t, change.sku, status)
        )
    return outcome


def compare(deps: BotDeps, sku: str) -> Message:
    """R14: both versions side by side (reads both APIs: run it on the worker)."""
    comparison = comparing.compare(deps.ctx, sku)
    view = comparison_view(deps.t, comparison)
    return compare_message(deps.t, view, deps.tz, stamp())


def sync(deps: BotDeps, *, dry_run: bool, actor: str) -> Message:
    """One catalog cycle and one order run here and now (or their dry-run previews)."""
    result = catalog_pass(deps.ctx, dry_run=dry_run, actor=actor)
    pushed = orders.push_orders(deps.ctx, dry_run=dry_run, actor=actor)
    return cycle_message(deps.t, result, dry_run=dry_run, orders=pushed)


def sync_now(deps: BotDeps, *, actor: str, report: Callable[[Message], None]) -> None:
    """``/sapo sync``: through the scheduler when it runs here, so one sync runs at a time."""
    # The scheduler's run is audited as "scheduler": this names the person who asked (R13).
    deps.audit(actor=actor, action="sync.request", subject="sync", result="requested")
    scheduler = deps.scheduler
    state = str(getattr(scheduler, "state", "stopped"))
    if scheduler is not None and state == "standby":
        report(note(deps.t("run.standby")))
        return
    # Before setup the scheduler's catalog job does nothing (the first link is a person's
    # decision, R1): the first link runs here, and its mark keeps it to one at a time.
    set_up = is_set_up(deps.ctx)
    if scheduler is not None and state == "running" and deps.runs is not None and set_up:
        deps.runs.expect(JOB_CATALOG, lambda run: report(run_report(deps, run)))
        if scheduler.trigger(JOB_CATALOG):
            scheduler.trigger(JOB_ORDERS)
            return
    report(sync(deps, dry_run=False, actor=actor))


def run_report(deps: BotDeps, run: Any) -> Message:
    """The message for a finished scheduler run that someone asked for."""
    if isinstance(run.result, engine.CycleResult):
        return cycle_message(deps.t, run.result, dry_run=False)
    if run.result is None and run.error is None:  # another process's cycle was running
        return note(deps.t("run.skipped"))
    return note(deps.t("run.failed", error=esc(run.error or "?", 500)))
