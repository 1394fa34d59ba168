"""The status message and the App Home dashboard (same facts, two surfaces)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.i18n import Translator
from bot.text import esc
from bot.views import buttons as act
from bot.views.fmt import when
from bot.views.kit import (
    Block,
    Message,
    actions,
    button,
    context,
    divider,
    header,
    message,
    section,
    view_blocks,
)
from bot.views.lists import LINK_STATUS_KEYS
from bot.views.people import mention
from bot.views.problems import said
from sync.status import Budget, StatusReport

LINK_ORDER = ("linked", "error", "disconnected", "pos_deleted")
JOB_KEYS = {
    "orders": "job.orders",
    "stock": "job.stock",
    "catalog": "job.catalog",
    "full": "job.full",
    "maintenance": "job.maintenance",
}


def status_blocks(t: Translator, report: StatusReport, tz: ZoneInfo) -> list[Block]:
    links = [f"*{t(LINK_STATUS_KEYS[s])}:* {report.links.get(s, 0)}" for s in LINK_ORDER]
    counts = [
        *links,
        f"*{t('status.errors.product')}:* {report.errors.get('product', 0)}",
        f"*{t('status.errors.order')}:* {report.errors.get('order', 0)}",
        f"*{t('status.orders.pushed_today')}:* {report.orders_pushed_today}",
        f"*{t('status.orders.failed_today')}:* {report.orders_failed_today}",
        f"*{t('status.cost_review')}:* {report.cost_review}",
    ]
    blocks: list[Block] = [
        header(t("status.title")),
        section(fields=counts[:10]),
    ]
    run = report.first_link
    if run is not None:  # no setup record until it completes, but it is under way
        since = when(run.started_at, tz)
        blocks.append(section(t("status.first_link_running", since=since, who=mention(run.by))))
    elif not report.setup_done:
        blocks.append(section(t("status.no_setup")))
    if report.jobs:
        lines = []
        for job in report.jobs:
            name = t(JOB_KEYS[job.name]) if job.name in JOB_KEYS else esc(job.name, 40)
            mark = "✅" if job.ok else "⚠️"
            line = t(
                "status.job",
                mark=mark,
                name=name,
                last=when(job.last_run, tz),
                next=when(job.next_run, tz),
            )
            cause = job.last_cause
            if cause is not None:  # a halted or interrupted run: told in the bot's language
                line += f" · {said(t, cause, 200)}"
            elif job.last_error:
                line += f" · {esc(job.last_error, 200)}"
            lines.append(line)
        blocks.append(section("\n".join(lines)))
    blocks.append(
        context(
            _scheduler(t, report.scheduler_healthy),
            t("status.budget", pos=_budget(report.pos_budget), web=_budget(report.web_budget)),
            t("status.updated", at=when(report.generated_at, tz)),
        )
    )
    return blocks


def status_message(t: Translator, report: StatusReport, tz: ZoneInfo) -> Message:
    summary = t(
        "status.summary",
        linked=report.links.get("linked", 0),
        errors=sum(report.errors.values()),
        pushed=report.orders_pushed_today,
    )
    return message(summary, status_blocks(t, report, tz))


def home_view(t: Translator, report: StatusReport, tz: ZoneInfo, *, admin: bool) -> Block:
    """App Home: the status as a dashboard, with the buttons a visitor may use."""
    buttons = [
        button(t("btn.refresh"), act.REFRESH_HOME),
        button(t("btn.show_errors"), act.SHOW_ERRORS, "errors"),
    ]
    if admin:
        buttons.append(button(t("btn.config"), act.OPEN_CONFIG))
    blocks = [
        *status_blocks(t, report, tz),
        divider(),
        actions(buttons, block_id=f"home.{report.generated_at.timestamp():.0f}"),
        context(t("home.help")),
    ]
    return {"type": "home", "blocks": view_blocks(blocks)}


def _scheduler(t: Translator, healthy: bool | None) -> str:
    if healthy is None:
        return t("status.scheduler.off")
    return t("status.scheduler.ok") if healthy else t("status.scheduler.bad")


def _budget(budget: Budget | None) -> str:
    return "—" if budget is None else f"{budget.used}/{budget.limit}"
