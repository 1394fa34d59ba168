"""Button clicks: paging, compare, link changes, resync, dismiss, config, App Home refresh.

Each is answered where it was pressed (``bot.listeners.surface``): in its message through the
response_url, or, on App Home and in modals, where there is none, through views.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from slack_bolt import App
from slack_sdk.errors import SlackApiError

from bot import operations as ops
from bot import queries
from bot.deps import BotDeps
from bot.listeners.common import (
    Respond,
    allowed,
    in_channel,
    note,
    user_of,
)
from bot.listeners.config import open_config
from bot.listeners.home import publish_home
from bot.listeners.surface import Clicked, replace_block, warning
from bot.parse import printable
from bot.views import buttons as act
from bot.views.kit import Message, message
from bot.views.lists import TITLE_KEYS, ListQuery

log = logging.getLogger(__name__)

Tell = Callable[[str], None]  # shows one mrkdwn-safe line to the person who pressed


def click_key(body: dict[str, Any], action: dict[str, Any]) -> str:
    """The same button on the same version of a message: pressed twice, done once."""
    container = body.get("container") or {}
    where = container.get("message_ts") or container.get("view_id") or "-"
    return (
        f"click:{where}:{action.get('block_id')}:{action.get('action_id')}:"
        f"{action.get('value', '')}"
    )


def register(app: App, deps: BotDeps) -> None:
    t = deps.t

    @app.action(re.compile(r"^sapo\.link\."))
    def link_button(ack: Any) -> None:
        ack()  # a URL button still sends a click; unanswered, Slack shows a warning icon

    def paging(
        ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: Any
    ) -> None:
        ack()
        query = ListQuery.decode(str(action.get("value") or "{}"))
        clicked = Clicked.of(body, respond, client)
        clicked.show(deps, t(TITLE_KEYS[query.kind]), queries.page(deps, query), replace=True)

    app.action(act.PAGE)(paging)
    app.action(act.PAGE_NEXT)(paging)

    @app.action(act.SHOW_ERRORS)
    def show_errors(
        ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: Any
    ) -> None:
        ack()
        kind = str(action.get("value") or "")
        query = ListQuery("errors", status=kind if kind in ("product", "order") else None)
        # From App Home (no response_url) the list opens as a modal.
        Clicked.of(body, respond, client).show(deps, t("list.errors"), queries.page(deps, query))

    @app.action(act.COMPARE)
    def compare(
        ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: Any
    ) -> None:
        ack()
        sku = str(action.get("value") or "")
        title = t("compare.modal")
        clicked = Clicked.of(body, respond, client)
        if clicked.respond is None:
            # Reading both sides outlives the trigger: a loading modal now, the comparison in
            # it once read (pushed on the error list it was pressed in).
            clicked = clicked.loading(deps, title, t("compare.loading"))
        _background(
            deps,
            body,
            lambda line: clicked.reply(deps, title, note(line)),
            "compare",
            lambda: clicked.reply(deps, title, ops.compare(deps, sku)),
        )

    def change(verb: str) -> Callable[..., None]:
        def listener(
            ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: Any
        ) -> None:
            ack()
            user = user_of(body)
            clicked = Clicked.of(body, respond, client)
            if not allowed(deps, user, verb, clicked.respond):
                if clicked.respond is None:  # App Home or a modal: say no in a modal
                    clicked.notice(deps, t("refused.not_admin"))
                return
            key = click_key(body, action)
            if not deps.claim(key):  # a second press, or one racing the first
                clicked.notice(deps, t("already.done"))
                return
            value = printable(str(action.get("value") or ""))

            def job() -> None:
                try:
                    outcome = _run(deps, verb, value, user)
                except BaseException:
                    # Not done (Sapo down, a refusal, a bug): pressing again must retry it,
                    # not answer "already done".
                    deps.release(key)
                    raise
                _show(deps, body, action, clicked, outcome)

            _background(deps, body, clicked.row_teller(deps, action), verb, job)

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
    def config(ack: Any, body: dict[str, Any], client: Any, respond: Respond) -> None:
        ack()
        user = user_of(body)
        clicked = Clicked.of(body, respond, client)
        if not allowed(deps, user, "config", clicked.respond):
            if clicked.respond is None:
                # Pressed on an outdated App Home view: no reply URL, and the manifest has no
                # Messages tab for a DM, but the trigger can open a modal that says no.
                clicked.notice(deps, t("refused.not_admin"))
            return
        channel = str((body.get("channel") or {}).get("id") or "")
        open_config(
            deps,
            client,
            trigger_id=clicked.trigger_id,
            channel=channel,
            user=user,
            respond=clicked.respond,
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
    deps: BotDeps, body: dict[str, Any], tell: Tell | None, what: str, job: Callable[[], None]
) -> None:
    deps.worker.submit(
        what,
        job,
        user=user_of(body),
        on_user_error=(lambda text: tell(warning(text))) if tell else None,
        on_incident=(lambda incident: tell(deps.t("error.incident", id=incident)))
        if tell
        else None,
    )


def _show(
    deps: BotDeps,
    body: dict[str, Any],
    action: dict[str, Any],
    clicked: Clicked,
    outcome: ops.Outcome,
) -> None:
    """What was clicked now shows the outcome; the team sees who did it."""
    container = body.get("container") or {}
    block_id = str(action.get("block_id"))
    client = clicked.client
    if container.get("type") == "message" and container.get("is_ephemeral") and clicked.respond:
        original = (body.get("message") or {}).get("blocks") or []
        blocks = message("-", replace_block(original, block_id, outcome.line, outcome.buttons))
        clicked.respond(
            text=outcome.message.text,
            blocks=blocks.blocks,
            replace_original=True,
            delete_original=False,
        )
        in_channel(clicked.respond, outcome.message)
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
    elif clicked.view is not None:
        # A modal (the error list opened from App Home): the row shows the outcome, and
        # the alert channel, the team's shared place, is told who did what.
        clicked.update_modal(replace_block(clicked.blocks, block_id, outcome.line, outcome.buttons))
        _announce(deps, client, outcome.message)
        user = user_of(body)
        if user in deps.homes.users():  # the dashboard behind the modal counts errors
            publish_home(deps, client, user)
    if deps.alerts is not None:
        deps.alerts.publish()


def _announce(deps: BotDeps, client: Any, msg: Message) -> None:
    if not deps.alert_channel:
        return
    try:
        client.chat_postMessage(
            channel=deps.alert_channel,
            text=msg.text,
            blocks=msg.blocks,
            unfurl_links=False,
            unfurl_media=False,
        )
    except SlackApiError as exc:  # not invited there: the change is done and shown all the same
        log.warning("announce failed channel=%s error=%s", deps.alert_channel, exc)
