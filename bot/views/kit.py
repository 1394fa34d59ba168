"""Block Kit helpers that cut every text to Slack's limits, so no payload is refused."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.text import cut, plain

Block = dict[str, Any]

# Limits from Slack's Block Kit reference and slack_sdk's model constants.
MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
SECTION_TEXT = 3000
FIELD_TEXT = 2000
FIELDS = 10
HEADER_TEXT = 150
BUTTON_TEXT = 75
BUTTON_VALUE = 2000
BUTTON_URL = 3000
ACTION_ELEMENTS = 25
CONTEXT_ELEMENTS = 10
CONTEXT_TEXT = 2000
OPTION_TEXT = 75
OPTION_VALUE = 150
SELECT_OPTIONS = 100
CONFIRM_TITLE = 100
CONFIRM_TEXT = 300
CONFIRM_BUTTON = 30
VIEW_TITLE = 24
PRIVATE_METADATA = 3000
ID_LENGTH = 255
# Message ``text`` may be 40k, but it drives notifications: keep it short.
FALLBACK_TEXT = 1000


def md(text: str, limit: int = SECTION_TEXT) -> Block:
    """A mrkdwn text object; ``verbatim`` stops Slack from auto-linking URLs in our values."""
    return {"type": "mrkdwn", "text": cut(text, limit) or " ", "verbatim": True}


def pt(text: str, limit: int) -> Block:
    return {"type": "plain_text", "text": plain(text, limit) or " ", "emoji": True}


def header(text: str) -> Block:
    return {"type": "header", "text": pt(text, HEADER_TEXT)}


def section(
    text: str | None = None,
    *,
    fields: Sequence[str] = (),
    accessory: Block | None = None,
    block_id: str | None = None,
) -> Block:
    block: Block = {"type": "section"}
    if text is not None:
        block["text"] = md(text)
    if fields:
        block["fields"] = [md(f, FIELD_TEXT) for f in fields[:FIELDS]]
    if accessory is not None:
        block["accessory"] = accessory
    if block_id:
        block["block_id"] = cut(block_id, ID_LENGTH)
    return block


def context(*texts: str) -> Block:
    return {
        "type": "context",
        "elements": [md(t, CONTEXT_TEXT) for t in texts[:CONTEXT_ELEMENTS]],
    }


def divider() -> Block:
    return {"type": "divider"}


def confirm_dialog(title: str, text: str, ok: str, deny: str, *, danger: bool = False) -> Block:
    dialog: Block = {
        "title": pt(title, CONFIRM_TITLE),
        "text": md(text, CONFIRM_TEXT),
        "confirm": pt(ok, CONFIRM_BUTTON),
        "deny": pt(deny, CONFIRM_BUTTON),
    }
    if danger:
        dialog["style"] = "danger"
    return dialog


def button(
    text: str,
    action_id: str,
    value: str = "",
    *,
    style: str | None = None,
    confirm: Block | None = None,
    url: str | None = None,
) -> Block:
    element: Block = {"type": "button", "text": pt(text, BUTTON_TEXT), "action_id": action_id}
    if value:
        element["value"] = value[:BUTTON_VALUE]
    if style:
        element["style"] = style
    if confirm is not None:
        element["confirm"] = confirm
    if url:
        element["url"] = url[:BUTTON_URL]
    return element


def actions(elements: Sequence[Block], *, block_id: str) -> Block:
    return {
        "type": "actions",
        "block_id": cut(block_id, ID_LENGTH),
        "elements": list(elements[:ACTION_ELEMENTS]),
    }


def option(text: str, value: str) -> Block:
    return {"text": pt(text, OPTION_TEXT), "value": value[:OPTION_VALUE]}


@dataclass(frozen=True, slots=True)
class Message:
    """A message payload: fallback ``text`` (notifications, screen readers) plus blocks."""

    text: str
    blocks: list[Block] = field(default_factory=list)

    def payload(self) -> dict[str, Any]:
        return {"text": self.text, "blocks": self.blocks}


def message(text: str, blocks: Sequence[Block], *, trimmed_note: str = "…") -> Message:
    """A message within Slack's limits: at most 50 blocks, a short fallback text."""
    kept = list(blocks)
    if len(kept) > MESSAGE_BLOCKS:
        kept = [*kept[: MESSAGE_BLOCKS - 1], context(trimmed_note)]
    return Message(text=cut(text, FALLBACK_TEXT) or " ", blocks=kept)


def view_blocks(blocks: Sequence[Block], *, trimmed_note: str = "…") -> list[Block]:
    """Blocks for a modal or App Home: at most 100."""
    kept = list(blocks)
    if len(kept) > VIEW_BLOCKS:
        kept = [*kept[: VIEW_BLOCKS - 1], context(trimmed_note)]
    return kept


def modal(title: str, close: str, blocks: Sequence[Block], *, trimmed_note: str = "…") -> Block:
    """A modal with no submit button: a title (24 characters) and at most 100 blocks."""
    return {
        "type": "modal",
        "title": pt(title, VIEW_TITLE),
        "close": pt(close, VIEW_TITLE),
        "blocks": view_blocks(blocks, trimmed_note=trimmed_note),
    }
