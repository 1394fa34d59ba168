"""The config modal's submission: validate, save a new version, tell the channel (R18)."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App

from bot.deps import BotDeps
from bot.listeners.common import user_of
from bot.views.config import CALLBACK, PRICE_LIST, ConfigMeta, change_message, parse_submission
from bot.views.problems import refusal
from sync.config import config_diff, save_config
from sync.errors import UserError

log = logging.getLogger(__name__)


def register(app: App, deps: BotDeps) -> None:
    @app.view(CALLBACK)
    def submit(ack: Any, body: dict[str, Any], view: dict[str, Any], client: Any) -> None:
        t, user = deps.t, user_of(body)
        if not deps.is_admin(user):  # checked again: the modal may be older than the list
            log.warning("refused action=config.save user=%s reason=not_admin", user or "-")
            ack(response_action="errors", errors={PRICE_LIST: t("refused.not_admin")})
            return
        change, errors = parse_submission(t, view.get("state", {}).get("values", {}))
        if change is None:
            ack(response_action="errors", errors=errors)
            return
        meta = ConfigMeta.decode(str(view.get("private_metadata") or ""))
        key = f"view:{view.get('id')}"
        if not deps.claim(key):
            ack()  # a second submission of the same modal: the first one saved
            return
        try:
            with deps.ctx.db.session() as session:
                before, after = save_config(
                    session,
                    connection_id=deps.ctx.connection_id,
                    change=change,
                    price_lists=meta.price_lists,
                    locations=meta.locations,
                    saved_by=user,
                    now=deps.now(),
                )
                session.commit()
        except UserError as exc:
            deps.release(key)  # nothing saved: the corrected form must be saved when sent
            ack(response_action="errors", errors={PRICE_LIST: refusal(t, exc, 300)})
            return
        except BaseException:
            deps.release(key)
            raise
        ack()
        diff = config_diff(before, after)
        log.info(
            "config saved version=%s user=%s fields=%s", after.version, user, ",".join(diff) or "-"
        )
        announce = change_message(t, user, diff, meta, after.version)
        _post(client, [meta.channel, deps.alert_channel], announce.text, announce.blocks)


def _post(client: Any, channels: list[str | None], text: str, blocks: list[Any]) -> None:
    """Post where the change was made; if the bot may not post there, in the alert channel."""
    for channel in channels:
        if not channel:
            continue
        try:
            client.chat_postMessage(
                channel=channel, text=text, blocks=blocks, unfurl_links=False, unfurl_media=False
            )
            return
        except Exception as exc:  # not_in_channel, channel_not_found: try the next one
            log.warning("config announce failed channel=%s error=%s", channel, exc)
