"""Replies and the permission check shared by the listeners."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from bot.deps import BotDeps
from bot.text import esc
from bot.views.kit import Message, context, message

log = logging.getLogger("bot.listeners")

Respond = Callable[..., Any]


def ephemeral(respond: Respond, msg: Message, *, replace: bool = False) -> None:
    """Only the person who asked sees it (queries, refusals, notices)."""
    respond(
        text=msg.text,
        blocks=msg.blocks,
        response_type="ephemeral",
        replace_original=replace,
        delete_original=False,
    )


def in_channel(respond: Respond, msg: Message) -> None:
    """Everyone in the channel sees it (changes, so the team knows who did what)."""
    respond(
        text=msg.text,
        blocks=msg.blocks,
        response_type="in_channel",
        replace_original=False,
        delete_original=False,
    )


def note(text: str) -> Message:
    """A one-line message whose text is already mrkdwn-safe."""
    return message(text, [context(text)])


def allowed(deps: BotDeps, user: str | None, what: str, respond: Respond | None) -> bool:
    """Server-side check on every change, whatever the message showed (admins only)."""
    if deps.is_admin(user):
        return True
    log.warning("refused action=%s user=%s reason=not_admin", what, user or "-")
    if respond is not None:
        ephemeral(respond, note(deps.t("refused.not_admin")))
    return False


def user_of(body: dict[str, Any]) -> str:
    """The Slack user id of whoever sent the command, click or submission."""
    user = body.get("user")
    if isinstance(user, dict):
        return str(user.get("id") or "")
    return str(body.get("user_id") or "")


def incident_reply(deps: BotDeps, respond: Respond) -> Callable[[str], None]:
    return lambda incident: ephemeral(respond, note(deps.t("error.incident", id=incident)))


def user_error_reply(respond: Respond) -> Callable[[str], None]:
    return lambda text: ephemeral(respond, note("⚠️ " + esc(text, 500)))
