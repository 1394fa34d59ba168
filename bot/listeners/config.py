"""Opening the config modal within the trigger's 3 seconds, then filling it (R18)."""

from __future__ import annotations

import logging
from typing import Any

from bot.deps import BotDeps
from bot.listeners.common import Respond
from bot.text import esc
from bot.views.config import config_view, loading_view
from bot.views.kit import VIEW_TITLE, pt, section
from sync.config import ensure_config

log = logging.getLogger(__name__)


def open_config(
    deps: BotDeps,
    client: Any,
    *,
    trigger_id: str,
    channel: str,
    user: str,
    respond: Respond | None = None,
) -> None:
    """Open a loading modal at once (no API call first), then swap in the form."""
    t = deps.t
    opened = client.views_open(trigger_id=trigger_id, view=loading_view(t))
    view = opened["view"]
    view_id, view_hash = str(view["id"]), str(view.get("hash") or "")

    def fill() -> None:
        price_lists = deps.ctx.pos.price_lists()
        locations = deps.ctx.pos.locations()
        with deps.ctx.db.session() as session:
            current = ensure_config(
                session,
                connection_id=deps.ctx.connection_id,
                price_lists=price_lists,
                locations=locations,
                now=deps.now(),
            )
            session.commit()
        form = config_view(t, current, price_lists, locations, channel=channel)
        client.views_update(view_id=view_id, hash=view_hash, view=form)

    def show_problem(text: str) -> None:
        client.views_update(view_id=view_id, view=notice_view(deps, text))

    deps.worker.submit(
        "config-open",
        fill,
        user=user,
        on_user_error=lambda text: show_problem("⚠️ " + esc(text, 500)),
        on_incident=lambda incident: show_problem(t("error.incident", id=incident)),
    )


def notice_view(deps: BotDeps, text: str) -> dict[str, Any]:
    """A settings modal that only says ``text`` (mrkdwn-safe): a problem, or a refusal."""
    t = deps.t
    return {
        "type": "modal",
        "title": pt(t("config.title"), VIEW_TITLE),
        "close": pt(t("btn.close"), VIEW_TITLE),
        "blocks": [section(text)],
    }
