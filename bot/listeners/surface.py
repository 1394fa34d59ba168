"""Answering a click where it was pressed: in its message, or in a modal when there is none.

A button in a message comes with a ``response_url``. One on App Home or in a modal does not:
Bolt still passes a ``respond`` there, but calling it raises. Those clicks are answered with
views instead: App Home opens a modal, a modal is updated in place or has one pushed on top.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.deps import BotDeps, stamp
from bot.listeners.common import Respond, ephemeral, note
from bot.text import esc
from bot.views.kit import Block, Message, actions, context, modal, section, view_blocks

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Clicked:
    """Where a button was pressed, and so how the bot can answer it."""

    client: Any
    trigger_id: str
    respond: Respond | None = None  # the message's response_url; None on App Home, in a modal
    view: dict[str, Any] | None = None  # the modal the button sits in, as Slack sent it

    @classmethod
    def of(cls, body: dict[str, Any], respond: Respond | None, client: Any) -> Clicked:
        view = body.get("view") or {}
        return cls(
            client=client,
            trigger_id=str(body.get("trigger_id") or ""),
            respond=respond if body.get("response_url") else None,
            view=view if view.get("type") == "modal" and view.get("id") else None,
        )

    @property
    def blocks(self) -> list[Block]:
        """The modal's blocks (empty when the button was not in a modal)."""
        return list((self.view or {}).get("blocks") or [])

    def show(self, deps: BotDeps, title: str, msg: Message, *, replace: bool = False) -> None:
        """A list page or a notice for the person who pressed: ``replace`` swaps it in for
        what they pressed in (the next page for a page); otherwise it comes on top."""
        if self.respond is not None:
            ephemeral(self.respond, msg, replace=replace)
            return
        view = modal(title, deps.t("btn.close"), msg.blocks, trimmed_note=deps.t("common.trimmed"))
        if self.view is not None and replace:
            # No hash: the page asked for last is the one to show, whatever came before it.
            self.client.views_update(view_id=str(self.view["id"]), view=view)
        elif self.view is not None:
            self.client.views_push(trigger_id=self.trigger_id, view=view)
        else:
            self.client.views_open(trigger_id=self.trigger_id, view=view)

    def notice(self, deps: BotDeps, text: str) -> None:
        """A refusal or a note (mrkdwn-safe), where the person sees it."""
        self.show(deps, deps.t("notice.title"), note(text))

    def loading(self, deps: BotDeps, title: str, text: str) -> Clicked:
        """A modal saying ``text`` at once, while the trigger lives, for slow work to answer
        in: pushed on the modal pressed in, or opened (from App Home)."""
        view = modal(title, deps.t("btn.close"), [section(text)])
        if self.view is not None:
            opened = self.client.views_push(trigger_id=self.trigger_id, view=view)
        else:
            opened = self.client.views_open(trigger_id=self.trigger_id, view=view)
        return Clicked(self.client, self.trigger_id, view=dict(opened["view"]))

    def reply(self, deps: BotDeps, title: str, msg: Message) -> None:
        """Slow work's answer: a new ephemeral message, or in place of the loading modal."""
        self.show(deps, title, msg, replace=self.view is not None)

    def row_teller(self, deps: BotDeps, action: dict[str, Any]) -> Callable[[str], None] | None:
        """Why a row's change was not done: an ephemeral message, or in the modal under the
        row, its buttons kept to try again."""
        respond = self.respond
        if respond is not None:
            return lambda line: ephemeral(respond, note(line))
        if self.view is None:
            return None
        block_id = str(action.get("block_id"))
        kept = row_buttons(self.blocks, block_id)

        def tell(line: str) -> None:
            self.update_modal(replace_block(self.blocks, block_id, line, kept))

        return tell

    def update_modal(self, blocks: list[Block]) -> bool:
        """The modal pressed in now shows ``blocks``. False when there is no modal, or it has
        changed since the click (paged on): that newer view is not overwritten."""
        if self.view is None:
            return False
        keep = ("type", "title", "close", "submit", "private_metadata", "callback_id")
        frame = {k: self.view[k] for k in keep if self.view.get(k)}
        try:
            self.client.views_update(
                view_id=str(self.view["id"]),
                hash=self.view.get("hash"),
                view={**frame, "blocks": view_blocks(blocks)},
            )
        except SlackApiError as exc:
            if exc.response.get("error") != "hash_conflict":
                raise
            log.info("modal changed since the click view=%s: not updated", self.view["id"])
            return False
        return True


def warning(text: str) -> str:
    """A user error's text as a mrkdwn-safe line."""
    return "⚠️ " + esc(text, 500)


def row_buttons(blocks: list[Block], block_id: str) -> list[Block]:
    """The buttons of the row ``block_id``: an actions block's, or a section's accessory."""
    for block in blocks:
        if block.get("block_id") != block_id:
            continue
        if block.get("type") == "actions":
            return list(block.get("elements") or [])
        return [block["accessory"]] if block.get("accessory") else []
    return []


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
    return result
