"""Compare (R14): the POS and web versions side by side, differences marked, admin links."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.i18n import Translator
from bot.text import esc
from bot.views import buttons as act
from bot.views.fmt import money, qty, when
from bot.views.kit import Block, Message, actions, button, context, header, message, section
from bot.views.lists import LINK_STATUS_KEYS
from bot.views.problems import problem_text
from sync.compare import Comparison, PosSide, WebSide

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
    reason_code: str | None = None
    reason_params: Mapping[str, Any] | None = None


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
        reason = problem_text(t, view.reason_code, view.reason_params, view.reason, 600)
        blocks.append(section(f"> {reason}"))
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


def comparison_view(t: Translator, c: Comparison) -> CompareView:
    """``sync.compare.Comparison`` as rows of formatted values, differences as sync sees them."""
    pos, web, differs = c.pos, c.web, set(c.differences)
    one_side = pos is None or web is None  # every row differs when a side is gone

    def side(value: str | None, present: bool) -> str:
        return (value or "—") if present else t("compare.value.missing")

    def both(field: str, of_pos: str | None, of_web: str | None, code: str = "") -> CompareRow:
        return CompareRow(
            field,
            side(of_pos, pos is not None),
            side(of_web, web is not None),
            one_side or (bool(code) and code in differs),
        )

    rows = (
        both("name", pos.product_name if pos else None, web.name if web else None, "name"),
        both("sku", pos.sku if pos else None, web.sku if web else None, "sku_spelling"),
        both("barcode", pos.barcode if pos else None, web.barcode if web else None, "barcode"),
        both("options", pos.options if pos else None, web.options if web else None, "options"),
        both("price", _pos_price(pos), money(web.price) if web else None, "price"),
        both("stock", _pos_stock(pos), _web_stock(t, web, c), "stock"),
        both("visibility", _pos_active(t, pos), _web_visible(t, web), "visibility"),
    )
    return CompareView(
        sku=c.sku,
        name=(pos.name if pos else web.name if web else ""),
        status=c.status.value,
        reason=c.reason,
        last_synced=c.last_synced_at,
        rows=rows,
        pos_url=pos.admin_url if pos else None,
        web_url=web.admin_url if web else None,
        reason_code=c.reason_code,
        reason_params=c.reason_params,
    )


def _pos_price(pos: PosSide | None) -> str | None:
    if pos is None:
        return None
    return f"{money(pos.price)} ({pos.price_list})"


def _pos_stock(pos: PosSide | None) -> str | None:
    if pos is None:
        return None
    parts = [f"{b.name}: {qty(b.available)}" for b in pos.stock]
    return f"{' · '.join(parts) or '—'} = {qty(pos.stock_sum)}"


def _web_stock(t: Translator, web: WebSide | None, c: Comparison) -> str | None:
    if web is None:
        return None
    shown = qty(web.stock)
    if c.expected_web_stock is not None and web.stock != c.expected_web_stock:
        shown += " " + t("compare.value.expected", n=qty(c.expected_web_stock))
    return shown


def _pos_active(t: Translator, pos: PosSide | None) -> str | None:
    if pos is None:
        return None
    return t("compare.value.active" if pos.active else "compare.value.inactive")


def _web_visible(t: Translator, web: WebSide | None) -> str | None:
    if web is None:
        return None
    shown = t("compare.value.visible" if web.visible else "compare.value.hidden")
    return shown if web.tracked else f"{shown} · {t('compare.value.untracked')}"
