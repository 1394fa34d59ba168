"""Alert channel messages: one per error fingerprint, digests for storms, thread notes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.i18n import Translator
from bot.text import esc, plain
from bot.views import buttons as act
from bot.views.fmt import when
from bot.views.kit import Block, Message, actions, button, context, header, message, section
from bot.views.lists import KIND_KEYS
from bot.views.people import mention
from bot.views.problems import problem_plain, problem_text

DIGEST_GROUPS = 20
DIGEST_SUBJECTS = 15


@dataclass(frozen=True, slots=True)
class AlertInfo:
    """One error row as the alert shows it."""

    error_id: int
    kind: str
    subject: str
    code: str
    message: str
    count: int
    first_seen: datetime
    last_seen: datetime
    resolved_at: datetime | None = None
    dismissed_at: datetime | None = None
    dismissed_by: str | None = None
    params: Mapping[str, Any] | None = None  # what ``message`` is built from (sync.texts)

    @property
    def closed(self) -> bool:
        return self.resolved_at is not None or self.dismissed_at is not None


def _title(t: Translator, a: AlertInfo) -> str:
    kind = t(KIND_KEYS.get(a.kind, "list.kind.product"))
    return t("alert.title", kind=kind, subject=esc(a.subject, 120), code=esc(a.code, 60))


def alert_message(t: Translator, a: AlertInfo, tz: ZoneInfo, stamp: str) -> Message:
    """Open: the error and the buttons that fix it. Closed: who/when, and no buttons."""
    mark = "✅" if a.resolved_at else ("☑️" if a.dismissed_at else "🔴")
    body = f"{mark} {_title(t, a)}\n> {problem_text(t, a.code, a.params, a.message, 600)}"
    seen = t("alert.seen", count=a.count, first=when(a.first_seen, tz), last=when(a.last_seen, tz))
    blocks: list[Block] = [section(body), context(seen)]
    if a.dismissed_at is not None:
        blocks.append(
            context(t("alert.dismissed", user=mention(a.dismissed_by), at=when(a.dismissed_at, tz)))
        )
    elif a.resolved_at is not None:
        blocks.append(context(t("alert.resolved", at=when(a.resolved_at, tz))))
    else:
        fixes = act.error_buttons(t, a.error_id, a.kind, a.subject, a.code)
        blocks.append(actions(fixes, block_id=f"alert.{a.error_id}.{stamp}"))
    said = problem_plain(t, a.code, a.params, a.message, 300)
    kind = t(KIND_KEYS.get(a.kind, "list.kind.product"))
    fallback = plain(f"{mark} {kind} {a.subject} {a.code}: {said}", 300)
    return message(esc(fallback, 400), blocks)


def repeat_note(t: Translator, a: AlertInfo, tz: ZoneInfo) -> Message:
    text = t("alert.repeat", count=a.count, last=when(a.last_seen, tz))
    return message(text, [context(text)])


def reopen_note(t: Translator, a: AlertInfo, tz: ZoneInfo) -> Message:
    text = t("alert.reopened", at=when(a.first_seen, tz))
    return message(text, [context(text)])


def digest_message(t: Translator, alerts: Sequence[AlertInfo], tz: ZoneInfo, stamp: str) -> Message:
    """Many errors in one cycle: one message grouped by cause (reason code)."""
    open_ = [a for a in alerts if not a.closed]
    groups: dict[tuple[str, str], list[AlertInfo]] = {}
    for a in open_:
        groups.setdefault((a.kind, a.code), []).append(a)
    title = t("alert.digest.title", count=len(alerts))
    blocks: list[Block] = [header(title)]
    ordered = sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))
    for i, ((kind, code), items) in enumerate(ordered[:DIGEST_GROUPS]):
        subjects = ", ".join(f"`{esc(a.subject, 60)}`" for a in items[:DIGEST_SUBJECTS])
        if len(items) > DIGEST_SUBJECTS:
            subjects += " " + t("alert.digest.more", n=len(items) - DIGEST_SUBJECTS)
        kind_text = t(KIND_KEYS.get(kind, "list.kind.product"))
        text = t("alert.digest.group", kind=kind_text, code=esc(code, 60), n=len(items))
        first = items[0]
        sample = problem_text(t, first.code, first.params, first.message, 300)
        see = button(t("btn.show_errors"), act.SHOW_ERRORS, kind)
        blocks.append(
            section(
                f"{text}\n{subjects}\n> {sample}", accessory=see, block_id=f"digest.{i}.{stamp}"
            )
        )
    if len(ordered) > DIGEST_GROUPS:
        blocks.append(context(t("alert.digest.more_causes", n=len(ordered) - DIGEST_GROUPS)))
    closed = len(alerts) - len(open_)
    if not open_:
        blocks.append(context(t("alert.digest.all_closed")))
    elif closed:
        blocks.append(context(t("alert.digest.closed", n=closed)))
    return message(title, blocks)
