"""Showing who did something: a Slack mention for a Slack user id, escaped text otherwise."""

from __future__ import annotations

import re

from bot.text import esc

_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,20}$")


def mention(actor: str | None) -> str:
    if actor and _USER_ID.match(actor):
        return f"<@{actor}>"
    return esc(actor or "—", 60)
