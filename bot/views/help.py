"""The help text of ``/sapo``: every line, or the one a mistaken command needs."""

from __future__ import annotations

from bot.i18n import Translator
from bot.parse import SUBCOMMANDS
from bot.text import esc
from bot.views.kit import Message, context, message, section

HELP_KEYS = {name: f"help.{name}" for name in SUBCOMMANDS}


def help_message(t: Translator, topic: str = "", *, unknown: str = "") -> Message:
    """All help lines; or, for a known topic, its line as the usage of that subcommand."""
    if topic in HELP_KEYS:
        line = t(HELP_KEYS[topic])
        return message(line, [section(t("help.usage", line=line))])
    lines = "\n".join(t(HELP_KEYS[name]) for name in SUBCOMMANDS)
    blocks = []
    if unknown:
        blocks.append(section(t("help.unknown", word=esc(unknown, 50))))
    blocks += [section(t("help.title") + "\n" + lines), context(t("help.footer"))]
    return message(t("help.title"), blocks)
