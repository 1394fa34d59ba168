"""``/sapo`` and its subcommands: queries answer ephemerally, changes in the channel."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import App

from bot import operations as ops
from bot import queries
from bot.deps import BotDeps
from bot.listeners.common import (
    Respond,
    allowed,
    ephemeral,
    in_channel,
    incident_reply,
    note,
    user_error_reply,
    user_of,
)
from bot.listeners.config import open_config
from bot.parse import Command, UsageError, parse
from bot.text import esc
from bot.views import buttons as act
from bot.views.help import help_message
from bot.views.kit import actions, message, section
from bot.views.lists import ListQuery
from bot.views.people import mention

log = logging.getLogger(__name__)
COMMAND = "/sapo"  # manifest.yml declares the same (tests/bot/test_manifest.py)


@dataclass(frozen=True, slots=True)
class Invocation:
    """One ``/sapo`` call: who, where, and how to answer."""

    deps: BotDeps
    command: Command
    user: str
    channel: str
    trigger_id: str
    respond: Respond
    client: Any

    def background(self, what: str, job: Callable[[], None]) -> None:
        self.deps.worker.submit(
            what,
            job,
            user=self.user,
            on_user_error=user_error_reply(self.respond),
            on_incident=incident_reply(self.deps, self.respond),
        )


def register(app: App, deps: BotDeps) -> None:
    @app.command(COMMAND)
    def sapo(ack: Any, body: dict[str, Any], respond: Respond, client: Any) -> None:
        ack()
        try:
            command = parse(str(body.get("text") or ""))
        except UsageError as exc:
            ephemeral(respond, help_message(deps.t, exc.topic or "", unknown=exc.word))
            return
        call = Invocation(
            deps=deps,
            command=command,
            user=user_of(body),
            channel=str(body.get("channel_id") or ""),
            trigger_id=str(body.get("trigger_id") or ""),
            respond=respond,
            client=client,
        )
        log.info("command name=%s user=%s", command.name, call.user)
        HANDLERS[command.name](call)


def _help(call: Invocation) -> None:
    ephemeral(call.respond, help_message(call.deps.t, call.command.arg))


def _status(call: Invocation) -> None:
    ephemeral(call.respond, queries.status_reply(call.deps))


def _list(call: Invocation) -> None:
    query = ListQuery(call.command.name, call.command.text, call.command.status, 0)
    ephemeral(call.respond, queries.page(call.deps, query))


def _preflight(call: Invocation) -> None:
    t = call.deps.t
    ephemeral(call.respond, note(t("preflight.running")))
    call.background("preflight", lambda: ephemeral(call.respond, ops.preflight_report(call.deps)))


def _sync(call: Invocation) -> None:
    t, dry_run = call.deps.t, call.command.dry_run
    if dry_run:
        ephemeral(call.respond, note(t("run.dry_run.running")))
        call.background(
            "sync-dry-run",
            lambda: ephemeral(call.respond, ops.sync(call.deps, dry_run=True, actor=call.user)),
        )
        return
    if not allowed(call.deps, call.user, "sync", call.respond):
        return
    in_channel(call.respond, note(t("run.started", user=mention(call.user))))
    call.background(
        "sync",
        lambda: ops.sync_now(
            call.deps, actor=call.user, report=lambda msg: in_channel(call.respond, msg)
        ),
    )


def _compare(call: Invocation) -> None:
    call.background(
        "compare", lambda: ephemeral(call.respond, ops.compare(call.deps, call.command.arg))
    )


def _link_change(call: Invocation) -> None:
    verb, sku = call.command.name, call.command.arg
    if not allowed(call.deps, call.user, verb, call.respond):
        return

    def job() -> None:
        outcome = ops.change_link(call.deps, verb, sku, actor=call.user)
        in_channel(call.respond, outcome.message)

    call.background(f"link.{verb}", job)


def _unlink(call: Invocation) -> None:
    """Typing is not confirming: answer with the danger button and its confirmation dialog."""
    t, sku = call.deps.t, call.command.arg
    if not allowed(call.deps, call.user, "unlink", call.respond):
        return
    text = t("unlink.ask", sku=esc(sku, 120))
    blocks = [
        section(text),
        actions([act.unlink_button(t, sku)], block_id=f"unlink.{call.trigger_id[:40]}"),
    ]
    ephemeral(call.respond, message(text, blocks))


def _resync(call: Invocation) -> None:
    if not allowed(call.deps, call.user, "resync", call.respond):
        return
    name = call.command.arg
    call.background(
        "resync",
        lambda: in_channel(call.respond, ops.resync(call.deps, name, actor=call.user).message),
    )


def _config(call: Invocation) -> None:
    if not allowed(call.deps, call.user, "config", call.respond):
        return
    open_config(
        call.deps,
        call.client,
        trigger_id=call.trigger_id,
        channel=call.channel,
        user=call.user,
        respond=call.respond,
    )


HANDLERS: dict[str, Callable[[Invocation], None]] = {
    "help": _help,
    "status": _status,
    "preflight": _preflight,
    "sync": _sync,
    "products": _list,
    "orders": _list,
    "errors": _list,
    "compare": _compare,
    "disconnect": _link_change,
    "reconnect": _link_change,
    "unlink": _unlink,
    "resync": _resync,
    "config": _config,
}
