"""Paged product, order and error lists (R13, R17, R19) with per-row buttons."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.i18n import Translator
from bot.text import esc, escape
from bot.views import buttons as act
from bot.views.fmt import money, when
from bot.views.kit import Block, Message, actions, button, context, header, message, section
from bot.views.problems import problem_text, said_text

PAGE_SIZE = 10
LINK_STATUS_KEYS = {
    "linked": "status.link.linked",
    "disconnected": "status.link.disconnected",
    "error": "status.link.error",
    "pos_deleted": "status.link.pos_deleted",
    "deleted": "status.link.deleted",
}
ORDER_STATUS_KEYS = {
    "pending": "status.order.pending",
    "pushed": "status.order.pushed",
    "failed": "status.order.failed",
    "skipped": "status.order.skipped",
    "ineligible": "status.order.ineligible",
}
KIND_KEYS = {"product": "list.kind.product", "order": "list.kind.order"}
TITLE_KEYS = {"products": "list.products", "orders": "list.orders", "errors": "list.errors"}


@dataclass(frozen=True, slots=True)
class ListQuery:
    """Which list, its filters and the page; travels in the Previous/Next button values."""

    kind: str  # products | orders | errors
    text: str = ""
    status: str | None = None
    offset: int = 0

    def encode(self) -> str:
        return json.dumps(
            {"k": self.kind, "q": self.text[:200], "s": self.status, "o": self.offset},
            separators=(",", ":"),
            ensure_ascii=False,
        )

    @classmethod
    def decode(cls, value: str) -> ListQuery:
        data = json.loads(value)
        if data.get("k") not in TITLE_KEYS:
            raise ValueError("unknown list")
        status = data.get("s")
        return cls(
            kind=data["k"],
            text=str(data.get("q") or "")[:200],
            status=str(status) if status else None,
            offset=max(0, int(data.get("o") or 0)),
        )


@dataclass(frozen=True, slots=True)
class ProductRow:
    sku: str
    name: str
    status: str
    reason: str | None = None
    cost_review: bool = False
    last_synced_at: datetime | None = None
    reason_code: str | None = None
    reason_params: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class OrderRow:
    name: str
    status: str
    customer: str | None = None
    total: int | None = None
    pos_code: str | None = None
    reason: str | None = None
    created: datetime | None = None
    reason_params: Mapping[str, Any] | None = None  # ``reason`` as a sync.texts sentence


@dataclass(frozen=True, slots=True)
class ErrorRow:
    id: int
    kind: str
    subject: str
    code: str
    message: str
    count: int
    last_seen: datetime
    params: Mapping[str, Any] | None = None  # what ``message`` is built from (sync.texts)


def products_page(
    t: Translator,
    rows: Sequence[ProductRow],
    total: int,
    query: ListQuery,
    tz: ZoneInfo,
    stamp: str,
) -> Message:
    blocks: list[Block] = [header(_title(t, query))]
    for i, row in enumerate(rows[:PAGE_SIZE]):
        lines = [f"*`{esc(row.sku, 120)}`*  {esc(row.name, 200)}"]
        status = t(LINK_STATUS_KEYS.get(row.status, row.status))
        lines.append(t("list.product.meta", status=status, synced=when(row.last_synced_at, tz)))
        if row.cost_review:
            lines.append(t("list.product.cost_review"))
        if row.reason:
            reason = problem_text(t, row.reason_code, row.reason_params, row.reason, 300)
            lines.append(f"> {reason}")
        blocks.append(section("\n".join(lines)))
        blocks.append(
            actions(act.product_buttons(t, row.sku, row.status), block_id=f"p{i}.{stamp}")
        )
    return _finish(t, blocks, rows, total, query, stamp)


def orders_page(
    t: Translator, rows: Sequence[OrderRow], total: int, query: ListQuery, tz: ZoneInfo, stamp: str
) -> Message:
    blocks: list[Block] = [header(_title(t, query))]
    for i, row in enumerate(rows[:PAGE_SIZE]):
        first = f"*{esc(row.name, 60)}*  {esc(row.customer or '—', 120)}  {money(row.total)}"
        status = t(ORDER_STATUS_KEYS.get(row.status, row.status))
        meta = t(
            "list.order.meta",
            status=status,
            pos=esc(row.pos_code or "—", 60),
            created=when(row.created, tz),
        )
        lines = [first, meta]
        if row.reason:
            lines.append(f"> {said_text(t, row.reason_params, row.reason, 300)}")
        text = "\n".join(lines)
        if row.status == "pushed":
            blocks.append(section(text))
        else:
            blocks.append(
                section(text, accessory=act.resync_button(t, row.name), block_id=f"o{i}.{stamp}")
            )
    return _finish(t, blocks, rows, total, query, stamp)


def errors_page(
    t: Translator, rows: Sequence[ErrorRow], total: int, query: ListQuery, tz: ZoneInfo, stamp: str
) -> Message:
    blocks: list[Block] = [header(_title(t, query))]
    for i, row in enumerate(rows[:PAGE_SIZE]):
        kind = t(KIND_KEYS.get(row.kind, "list.kind.product"))
        lines = [
            f"*{kind}* `{esc(row.subject, 120)}` · {esc(row.code, 60)}",
            problem_text(t, row.code, row.params, row.message, 500),
            t("list.error.meta", count=row.count, last=when(row.last_seen, tz)),
        ]
        buttons = act.error_buttons(t, row.id, row.kind, row.subject, row.code)
        blocks.append(section("\n".join(lines)))
        blocks.append(actions(buttons, block_id=f"e{i}.{stamp}"))
    return _finish(t, blocks, rows, total, query, stamp)


def _title(t: Translator, query: ListQuery) -> str:
    parts = [t(TITLE_KEYS[query.kind])]
    if query.status:
        parts.append(query.status)
    if query.text:
        parts.append(f"“{query.text[:60]}”")
    return " · ".join(parts)


def _finish(
    t: Translator,
    blocks: list[Block],
    rows: Sequence[object],
    total: int,
    query: ListQuery,
    stamp: str,
) -> Message:
    # The header is plain text; the fallback text is read as mrkdwn (notifications), so the
    # searched words in it are escaped: "<!everyone>" must not ping anyone.
    title = escape(_title(t, query))
    if not rows:
        blocks.append(section(t("list.empty")))
        return message(title, blocks)
    first, last = query.offset + 1, query.offset + min(len(rows), PAGE_SIZE)
    blocks.append(context(t("list.range", first=first, last=last, total=total)))
    nav: list[Block] = []
    if query.offset > 0:
        prev = ListQuery(query.kind, query.text, query.status, max(0, query.offset - PAGE_SIZE))
        nav.append(button(t("btn.previous"), act.PAGE, prev.encode()))
    if last < total:
        nxt = ListQuery(query.kind, query.text, query.status, query.offset + PAGE_SIZE)
        nav.append(button(t("btn.next"), act.PAGE_NEXT, nxt.encode()))
    if nav:
        blocks.append(actions(nav, block_id=f"nav.{stamp}"))
    return message(f"{title}: {first}-{last} / {total}", blocks)
