"""Reports of work done: preflight (R1), resync (R17) and link changes (R15, R16)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.i18n import Translator
from bot.text import esc
from bot.views.kit import Block, Message, context, header, message, section
from bot.views.lists import LINK_STATUS_KEYS
from bot.views.people import mention
from bot.views.problems import problem_text, said_text

FINDING_GROUPS = 20
FINDING_ITEMS = 10
RESYNC_KEYS = {
    "pushed": "resync.pushed",
    "found_existing": "resync.found_existing",
    "already_pushed": "resync.already_pushed",
    "blocked": "resync.blocked",
    "failed": "resync.failed",
    "ineligible": "resync.ineligible",
    "in_progress": "resync.in_progress",
    "retry_later": "resync.retry_later",
    "unknown_order": "resync.unknown_order",
}
LINK_VERB_KEYS = {
    "disconnect": "link.disconnected",
    "reconnect": "link.reconnected",
    "unlink": "link.unlinked",
}


@dataclass(frozen=True, slots=True)
class FindingLine:
    """One preflight finding: its code, message and the items (SKU, side, name) it names."""

    code: str
    message: str
    items: tuple[tuple[str, str, str], ...] = ()  # (side, sku, name)
    params: Mapping[str, Any] | None = None  # what ``message`` is built from (sync.texts)


@dataclass(frozen=True, slots=True)
class PreflightView:
    ok: bool
    blocking: tuple[FindingLine, ...]
    warnings: tuple[FindingLine, ...]
    pos_variants: int
    web_variants: int


def preflight_message(t: Translator, report: PreflightView) -> Message:
    title = t(
        "preflight.ok" if report.ok else "preflight.blocked",
        blocking=len(report.blocking),
        warnings=len(report.warnings),
    )
    blocks: list[Block] = [
        header(title),
        context(t("preflight.counted", pos=report.pos_variants, web=report.web_variants)),
    ]
    for label, findings in (
        (t("preflight.blocking"), report.blocking),
        (t("preflight.warnings"), report.warnings),
    ):
        if findings:
            blocks.append(section(f"*{label}*"))
            blocks.extend(_groups(t, findings))
    return message(title, blocks, trimmed_note=t("common.trimmed"))


def _groups(t: Translator, findings: Sequence[FindingLine]) -> list[Block]:
    by_code: dict[str, list[FindingLine]] = {}
    for finding in findings:
        by_code.setdefault(finding.code, []).append(finding)
    blocks: list[Block] = []
    for code, group in list(by_code.items())[:FINDING_GROUPS]:
        lines = [f"*{esc(code, 60)}* ({len(group)})"]
        for finding in group[:FINDING_ITEMS]:
            items = ", ".join(
                f"{side.upper()} `{esc(sku or '∅', 60)}` {esc(name, 60)}"
                for side, sku, name in finding.items[:4]
            )
            said = problem_text(t, finding.code, finding.params, finding.message, 200)
            lines.append(f"• {said}" + (f" — {items}" if items else ""))
        if len(group) > FINDING_ITEMS:
            lines.append(t("common.and_more", n=len(group) - FINDING_ITEMS))
        blocks.append(section("\n".join(lines)))
    if len(by_code) > FINDING_GROUPS:
        blocks.append(context(t("common.and_more", n=len(by_code) - FINDING_GROUPS)))
    return blocks


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a change did: a line for the clicked message, an announcement, the next buttons."""

    line: str
    message: Message
    buttons: list[Block] = field(default_factory=list)


def resync_outcome(
    t: Translator,
    *,
    user: str,
    order_name: str,
    result: str,
    detail: str,
    pos_code: str | None,
    not_live: Sequence[str],
    said: Mapping[str, Any] | None = None,
    not_live_said: Sequence[Mapping[str, Any]] = (),
) -> Outcome:
    """``detail`` and ``not_live`` are English; ``said`` and ``not_live_said`` the same
    sentences from sync.texts, told in the reader's language when given."""
    key = RESYNC_KEYS.get(result, "resync.failed")
    line = t(key, order=esc(order_name, 60), pos=esc(pos_code or "—", 60))
    who = t("common.by", user=mention(user))
    lines = [f"{line} {who}", f"> {said_text(t, said, detail, 600)}"]
    for i, item in enumerate(not_live[:10]):
        part = not_live_said[i] if i < len(not_live_said) else None
        lines.append(f"• {said_text(t, part, item, 200)}")
    return Outcome(line, message(line, [section("\n".join(lines))]))


def link_outcome(
    t: Translator, *, user: str, verb: str, sku: str, changed: bool, status: str, detail: str = ""
) -> Outcome:
    if changed:
        line = t(LINK_VERB_KEYS[verb], sku=esc(sku, 120), user=mention(user))
    else:
        label = t(LINK_STATUS_KEYS[status]) if status in LINK_STATUS_KEYS else esc(status, 30)
        line = t("link.unchanged", sku=esc(sku, 120), status=label)
    text = line + (f"\n> {esc(detail, 500)}" if detail else "")
    return Outcome(line, message(line, [section(text)]))


def dismiss_outcome(t: Translator, *, user: str, subject: str, code: str, changed: bool) -> Outcome:
    key = "dismiss.done" if changed else "dismiss.already"
    line = t(key, subject=esc(subject, 120), code=esc(code, 60), user=mention(user))
    return Outcome(line, message(line, [section(line)]))
