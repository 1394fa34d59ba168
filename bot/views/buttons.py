"""Action ids and the buttons that change things, shared by lists, compare views and alerts."""

from __future__ import annotations

from bot.i18n import Translator
from bot.text import esc
from bot.views.kit import Block, button, confirm_dialog
from sync.order_store import UNREADABLE_NO_ID

# action_id -> what the click does; listeners register exactly these.
PAGE = "sapo.page"
PAGE_NEXT = "sapo.page.next"
COMPARE = "sapo.compare"
DISCONNECT = "sapo.disconnect"
RECONNECT = "sapo.reconnect"
UNLINK = "sapo.unlink"
RESYNC = "sapo.resync"
DISMISS = "sapo.dismiss"
OPEN_CONFIG = "sapo.config"
REFRESH_HOME = "sapo.home.refresh"
SHOW_ERRORS = "sapo.errors"
LINK_POS = "sapo.link.pos"
LINK_WEB = "sapo.link.web"
# Buttons that change something: only admins may press them (checked on the server).
CHANGES = frozenset({DISCONNECT, RECONNECT, UNLINK, RESYNC, DISMISS, OPEN_CONFIG})


def product_buttons(t: Translator, sku: str, status: str, *, compare: bool = True) -> list[Block]:
    """Compare, Disconnect or Reconnect, Delete link (danger, with a confirmation)."""
    buttons = [button(t("btn.compare"), COMPARE, sku)] if compare else []
    if status in ("linked", "error"):
        buttons.append(button(t("btn.disconnect"), DISCONNECT, sku))
    if status == "disconnected":  # an error link resumes by itself once fixed on Sapo
        buttons.append(button(t("btn.reconnect"), RECONNECT, sku, style="primary"))
    if status != "deleted":
        buttons.append(unlink_button(t, sku))
    return buttons


def unlink_button(t: Translator, sku: str) -> Block:
    dialog = confirm_dialog(
        t("confirm.unlink.title"),
        t("confirm.unlink.text", sku=esc(sku, 120)),
        t("confirm.unlink.ok"),
        t("btn.cancel"),
        danger=True,
    )
    return button(t("btn.unlink"), UNLINK, sku, style="danger", confirm=dialog)


def resync_button(t: Translator, order_name: str) -> Block:
    return button(t("btn.resync"), RESYNC, order_name, style="primary")


def error_buttons(t: Translator, error_id: int, kind: str, subject: str, code: str) -> list[Block]:
    """The action that fixes the error, then Dismiss."""
    fixes: list[Block] = []
    if subject.startswith("job:") or code == UNREADABLE_NO_ID:
        # A failed scheduler job, or a web order without an id to resync it by (it is fixed
        # on Sapo and read again on its own): nothing to press but Dismiss.
        pass
    elif kind == "order":
        fixes = [resync_button(t, subject)]
    else:
        # A product problem is fixed on Sapo; Compare shows what differs and links there.
        fixes = [button(t("btn.compare"), COMPARE, subject)]
    return [*fixes, button(t("btn.dismiss"), DISMISS, str(error_id))]
