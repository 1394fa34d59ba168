"""Button clicks: paging, compare, link changes, resync, dismiss, config, App Home refresh."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from slack_bolt import App

from bot import operations as ops
from bot import queries
from bot.deps import BotDeps, stamp
from bot.listeners.common import (
    Respond,
    allowed,
    ephemeral,
    in_channel,
    incident_reply,
    note,
    release,
    user_error_reply,
    user_of,
)
from bot.listeners.config import notice_view, open_config
from bot.listeners.home import publish_home
from bot.parse import printable
from bot.views import buttons as act
from bot.views.kit import Block, actions, context, message
from bot.views.lists import ListQuery

log = logging.getLogger(__name__)


def click_key(body: dict[str, Any], action: dict[str, Any]) -> str:
    """The same button on the same version of a message: pressed twice, done once."""
    container = body.get("container") or {}
    where = container.get("message_ts") or container.get("view_id") or "-"
    return (
        f"click:{where}:{action.get('block_id')}:{action.get('action_id')}:"
        f"{action.get('value', '')}"
    )


def register(app: App, deps: BotDeps) -> None:
    @app.action(re.compile(r"^sapo\.link\."))
    def link_button(ack: Any) -> None:
        ack()  # a URL button still sends a click; unanswered, Slack shows a warning icon

    def paging(ack: Any, action: dict[str, Any], respond: Respond) -> None:
        ack()
        query = ListQuery.decode(str(action.get("value") or "{}"))
        ephemeral(respond, queries.page(deps, query), replace=True)

    app.action(act.PAGE)(paging)
    app.action(act.PAGE_NEXT)(paging)

    @app.action(act.SHOW_ERRORS)
    def show_errors(ack: Any, action: dict[str, Any], respond: Respond) -> None:
        ack()
        kind = str(action.get("value") or "")
        query = ListQuery("errors", status=kind if kind in ("product", "order") else None)
        ephemeral(respond, queries.page(deps, query))

    @app.action(act.COMPARE)
    def compare(ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        ack()
        sku = str(action.get("value") or "")
        _background(
            deps, body, respond, "compare", lambda: ephemeral(respond, ops.compare(deps, sku))
        )

    def change(verb: str) -> Callable[..., None]:
        def listener(
            ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: Any
        ) -> None:
            ack()
            user = user_of(body)
            if not allowed(deps, user, verb, respond):
                return
            key = click_key(body, action)
            if not deps.claim(key):  # a second press, or one racing the first
                ephemeral(respond, note(deps.t("already.done")))
                return
            value = printable(str(action.get("value") or ""))

            def job() -> None:
                try:
                    outcome = _run(deps, verb, value, user)
                except BaseException:
                    # Not done (Sapo down, a refusal, a bug): pressing again must retry it,
                    # not answer "already done".
                    release(deps, key)
                    raise
                _show(deps, body, action, respond, client, outcome)

            _background(deps, body, respond, verb, job)

        return listener

    for verb, action_id in (
        ("disconnect", act.DISCONNECT),
        ("reconnect", act.RECONNECT),
        ("unlink", act.UNLINK),
        ("resync", act.RESYNC),
        ("dismiss", act.DISMISS),
    ):
        app.action(action_id)(change(verb))

    @app.action(act.OPEN_CONFIG)
    def config(ack: Any, body: dict[str, Any], client: Any, respond: Respond | None) -> None:
        ack()
        user = user_of(body)
        # On App Home Bolt still passes a ``respond``, but with no response_url it raises.
        respond = respond if body.get("response_url") else None
        if not allowed(deps, user, "config", respond):
            if respond is None:
                # Pressed on an outdated App Home view: no reply URL, and the manifest has no
                # Messages tab for a DM, but the trigger can open a modal that says no.
                refusal = notice_view(deps, deps.t("refused.not_admin"))
                client.views_open(trigger_id=str(body.get("trigger_id")), view=refusal)
            return
        channel = str((body.get("channel") or {}).get("id") or "")
        open_config(
            deps,
            client,
            trigger_id=str(body.get("trigger_id")),
            channel=channel,
            user=user,
            respond=respond,
        )

    @app.action(act.REFRESH_HOME)
    def refresh(ack: Any, body: dict[str, Any], client: Any) -> None:
        ack()
        publish_home(deps, client, user_of(body))


def _run(deps: BotDeps, verb: str, value: str, user: str) -> ops.Outcome:
    if verb == "resync":
        return ops.resync(deps, value, actor=user)
    if verb == "dismiss":
        return ops.dismiss(deps, int(value), actor=user)
    return ops.change_link(deps, verb, value, actor=user)


def _background(
    deps: BotDeps, body: dict[str, Any], respond: Respond | None, what: str, job: Callable[[], None]
) -> None:
    deps.worker.submit(
        what,
        job,
        user=user_of(body),
        on_user_error=user_error_reply(respond) if respond else None,
        on_incident=incident_reply(deps, respond) if respond else None,
    )


def _show(
    deps: BotDeps,
    body: dict[str, Any],
    action: dict[str, Any],
    respond: Respond,
    client: Any,
    outcome: ops.Outcome,
) -> None:
    """The message that was clicked now shows the outcome; the team sees who did it."""
    container = body.get("container") or {}
    original = body.get("message") or {}
    if container.get("type") == "message" and container.get("is_ephemeral"):
        blocks = replace_block(
            original.get("blocks") or [], str(action.get("block_id")), outcome.line, outcome.buttons
        )
        respond(
            text=outcome.message.text, blocks=blocks, replace_original=True, delete_original=False
        )
        in_channel(respond, outcome.message)
    elif container.get("type") == "message":
        # A shared message (an alert): the publisher re-renders it from the database;
        # the thread records who did what.
        client.chat_postMessage(
            channel=container.get("channel_id"),
            thread_ts=container.get("message_ts"),
            text=outcome.message.text,
            blocks=outcome.message.blocks,
            unfurl_links=False,
            unfurl_media=False,
        )
    if deps.alerts is not None:
        deps.alerts.publish()


def replace_block(
    blocks: list[Block], block_id: str, line: str, buttons: list[Block]
) -> list[Block]:
    """Swap the clicked row's buttons for the outcome (and the buttons now valid)."""
    result: list[Block] = []
    for block in blocks:
        if block.get("block_id") != block_id:
            result.append(block)
            continue
        if block.get("type") == "section":
            result.append({k: v for k, v in block.items() if k != "accessory"})
        result.append(context(line))
        if buttons:
            result.append(actions(buttons, block_id=f"{block_id.split('.')[0]}.{stamp()}"))
    return message("-", result).blocks
