"""The one escape function for untrusted text in mrkdwn, and cutting text to Slack's limits."""

from __future__ import annotations

import re

ELLIPSIS = "…"
_BACKTICKS = re.compile(r"`+")
_PARTIAL_ENTITY = re.compile(r"&[a-z]{0,3}$")


def escape(value: object) -> str:
    """Untrusted text made inert for mrkdwn.

    Slack treats ``&``, ``<`` and ``>`` as control characters (``<!channel>``, ``<@U1>``,
    ``<http://x|y>``); turning only those three into entities shows them as text and pings
    nobody. Backticks become a look-alike (U+02CB) so a value cannot close a code span.
    """
    text = "" if value is None else str(value)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _BACKTICKS.sub("\u02cb", text)


def cut(text: str, limit: int) -> str:
    """``text`` shortened to at most ``limit`` characters, ending in an ellipsis if cut.

    A cut never splits an entity made by ``escape`` or a half-written ``<...>`` token.
    """
    if limit <= 0:
        return ""
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    head = _PARTIAL_ENTITY.sub("", head)
    opened, closed = head.rfind("<"), head.rfind(">")
    if opened > closed:
        head = head[:opened]
    return head + ELLIPSIS


def esc(value: object, limit: int = 300) -> str:
    """Escape, then cut: the usual way an untrusted value enters a mrkdwn template."""
    return cut(escape(value), limit)


def plain(value: object, limit: int) -> str:
    """Untrusted text for a ``plain_text`` object: no escaping needed, only the limit."""
    return cut("" if value is None else str(value), limit)
