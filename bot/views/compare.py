"""Compare (R14): the POS and web versions side by side, differences marked, admin links."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.i18n import Translator
from bot.text import esc
from bot.views import buttons as act
from bot.views.fmt import when
from bot.views.kit import Block, Message, actions, button, context, header, message, section
from bot.views.lists import LINK_STATUS_KEYS

ROW_KEYS = {
    "name": "compare.row.name",
    "sku": "compare.row.sku",
    "barcode": "compare.row.barcode",
    "options": "compare.row.options",
    "price": "compare.row.price",
    "stock": "compare.row.stock",
    "visibility": "compare.row.visibility",
}


@dataclass(frozen=True, slots=True)
class CompareRow:
    """One attribute: what POS says, what the web says (already formatted, untrusted)."""

    field: str  # a ROW_KEYS key
    pos: str
    web: str
    differs: bool


@dataclass(frozen=True, slots=True)
class CompareView:
    sku: str
    name: str
    status: str | None  # the link's status, None when there is no link
    reason: str | None
    last_synced: datetime | None
    rows: tuple[CompareRow, ...]
    pos_url: str | None = None
    web_url: str | None = None


def compare_message(t: Translator, view: CompareView, tz: ZoneInfo, stamp: str) -> Message:
    title = t("compare.title", sku=view.sku)
    status = (
        t(LINK_STATUS_KEYS[view.status])
        if view.status in LINK_STATUS_KEYS
        else t("compare.no_link")
    )
    blocks: list[Block] = [
        header(title),
        context(
            t("compare.meta", status=status, synced=when(view.last_synced, tz)), t("compare.legend")
        ),
    ]
    if view.reason:
        blocks.append(section(f"> {esc(view.reason, 600)}"))
    for row in view.rows:
        mark = "≠ " if row.differs else ""
        label = t(ROW_KEYS.get(row.field, "compare.row.name"))
        blocks.append(
            section(
                fields=[
                    f"{mark}*{label}* · POS\n{esc(row.pos or '—', 1500)}",
                    f"{mark}*{label}* · Web\n{esc(row.web or '—', 1500)}",
                ]
            )
        )
    links: list[Block] = []
    if view.pos_url:
        links.append(button(t("btn.view_pos"), act.LINK_POS, url=view.pos_url))
    if view.web_url:
        links.append(button(t("btn.view_web"), act.LINK_WEB, url=view.web_url))
    row_buttons = (
        act.product_buttons(t, view.sku, view.status, compare=False) if view.status else []
    )
    if links or row_buttons:
        blocks.append(actions([*links, *row_buttons], block_id=f"cmp.{stamp}"))
    differing = sum(row.differs for row in view.rows)
    return message(t("compare.summary", sku=esc(view.sku, 120), n=differing), blocks)
