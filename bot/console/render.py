"""Block Kit drawn as terminal text: headers, sections, fields, context, numbered buttons."""

from __future__ import annotations

import html
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

Block = dict[str, Any]

LINK = re.compile(r"<((?:https?|mailto):[^|>]+)\|([^>]+)>|<((?:https?|mailto):[^>]+)>")
MENTION = re.compile(r"<([@#!])([^|>]+)(?:\|([^>]+))?>")
BOLD = re.compile(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])")
WIDTH = 78


@dataclass(frozen=True, slots=True)
class Style:
    """ANSI escapes, or nothing when the terminal has no colours."""

    bold: str = ""
    dim: str = ""
    accent: str = ""
    danger: str = ""
    reset: str = ""

    @classmethod
    def ansi(cls) -> Style:
        return cls("\033[1m", "\033[2m", "\033[36m", "\033[31m", "\033[0m")


PLAIN = Style()


@dataclass(frozen=True, slots=True)
class Button:
    """A button the person can press by its number."""

    label: str
    action_id: str
    block_id: str
    value: str
    url: str | None = None
    style: str | None = None
    confirm: str | None = None


@dataclass
class Drawing:
    lines: list[str] = field(default_factory=list)
    buttons: list[Button] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def mrkdwn(text: str, style: Style) -> str:
    """Slack mrkdwn as a terminal shows it: links as 'label (url)', *bold*, entities decoded."""

    def link(match: re.Match[str]) -> str:
        url, label, bare = match.group(1), match.group(2), match.group(3)
        return bare if bare else f"{label} ({url})"

    def mention(match: re.Match[str]) -> str:
        sigil, ident, label = match.groups()
        return f"{'@' if sigil == '@' else sigil}{label or ident}"

    text = LINK.sub(link, text)
    text = MENTION.sub(mention, text)
    text = BOLD.sub(lambda m: f"{style.bold}{m.group(1)}{style.reset}", text)
    return html.unescape(text)


def _text_of(obj: Block | None, style: Style) -> str:
    if not obj:
        return ""
    raw = str(obj.get("text", ""))
    return mrkdwn(raw, style) if obj.get("type") == "mrkdwn" else raw


def _wrap(text: str, indent: str = "") -> list[str]:
    out: list[str] = []
    for paragraph in text.split("\n"):
        out.extend(
            textwrap.wrap(
                paragraph,
                WIDTH,
                initial_indent=indent,
                subsequent_indent=indent,
                replace_whitespace=False,
            )
            or [indent.rstrip()]
        )
    return out


def draw(blocks: Sequence[Block], *, style: Style = PLAIN, first_number: int = 1) -> Drawing:
    """Draw ``blocks``; buttons are numbered from ``first_number`` in reading order."""
    drawing = Drawing()
    for block in blocks:
        kind = block.get("type")
        if kind == "header":
            drawing.lines.append(
                f"{style.bold}{style.accent}{_text_of(block.get('text'), style)}{style.reset}"
            )
        elif kind == "section":
            _section(drawing, block, style, first_number)
        elif kind == "context":
            texts = [_text_of(e, style) for e in block.get("elements", []) if "text" in e]
            drawing.lines.extend(
                f"{style.dim}{line}{style.reset}" for line in _wrap("  ".join(texts))
            )
        elif kind == "divider":
            drawing.lines.append(f"{style.dim}{'─' * 40}{style.reset}")
        elif kind == "actions":
            _buttons(drawing, block, block.get("elements", []), style, first_number)
        elif kind == "input":
            label = _text_of(block.get("label"), style)
            element = block.get("element", {})
            drawing.lines.append(f"{style.bold}{label}{style.reset}: {_describe_input(element)}")
    return drawing


def _section(drawing: Drawing, block: Block, style: Style, first: int) -> None:
    if block.get("text"):
        drawing.lines.extend(_wrap(_text_of(block["text"], style)))
    fields = [_text_of(f, style) for f in block.get("fields", [])]
    for left, right in zip(fields[::2], [*fields[1::2], ""], strict=False):
        left_lines, right_lines = left.split("\n"), right.split("\n")
        for i in range(max(len(left_lines), len(right_lines))):
            a = left_lines[i] if i < len(left_lines) else ""
            b = right_lines[i] if i < len(right_lines) else ""
            drawing.lines.append(f"  {_pad(a, 36)}  {b}".rstrip())
    accessory = block.get("accessory")
    if accessory and accessory.get("type") == "button":
        _buttons(drawing, block, [accessory], style, first)


def _pad(text: str, width: int) -> str:
    visible = len(re.sub(r"\033\[[0-9;]*m", "", text))
    return text + " " * max(0, width - visible)


def _buttons(
    drawing: Drawing, block: Block, elements: Sequence[Block], style: Style, first: int
) -> None:
    labels: list[str] = []
    for element in elements:
        if element.get("type") != "button":
            continue
        number = first + len(drawing.buttons)
        confirm = element.get("confirm")
        button = Button(
            label=_text_of(element.get("text"), style),
            action_id=str(element.get("action_id", "")),
            block_id=str(block.get("block_id", "")),
            value=str(element.get("value", "")),
            url=element.get("url"),
            style=element.get("style"),
            confirm=_text_of(confirm.get("text"), PLAIN) if confirm else None,
        )
        drawing.buttons.append(button)
        colour = style.danger if button.style == "danger" else style.accent
        suffix = f" → {button.url}" if button.url else ""
        labels.append(f"{colour}[{number}] {button.label}{style.reset}{suffix}")
    if labels:
        drawing.lines.extend(_wrap("  ".join(labels), "  "))


def _describe_input(element: Block) -> str:
    kind = element.get("type")
    if kind in ("static_select", "multi_static_select"):
        names = [o["text"]["text"] for o in element.get("options", [])]
        return ("one of: " if kind == "static_select" else "any of: ") + ", ".join(names)
    if kind == "number_input":
        initial = element.get("initial_value", "")
        return f"a number (now {initial})"
    return "text"
