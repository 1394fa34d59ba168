"""The one escape function and the cutter every builder uses."""

from __future__ import annotations

import pytest

from bot.text import ELLIPSIS, cut, esc, escape


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("<!channel> SALE", "&lt;!channel&gt; SALE"),
        ("<!here|here>", "&lt;!here|here&gt;"),
        ("<@U123ABC>", "&lt;@U123ABC&gt;"),
        ("<http://evil|click>", "&lt;http://evil|click&gt;"),
        ("<#C123>", "&lt;#C123&gt;"),
        ("Tom & Jerry", "Tom &amp; Jerry"),
        ("&lt; already", "&amp;lt; already"),
        ("a ``` b", "a \u02cb b"),
        ("Áo thun nữ", "Áo thun nữ"),
        (None, ""),
    ],
)
def test_escape_makes_slack_control_sequences_inert(raw: str | None, shown: str) -> None:
    """Untrusted text cannot ping a channel, mention a user or disguise a link (R13, R19)."""
    assert escape(raw) == shown


def test_cut_respects_the_limit_and_marks_the_cut() -> None:
    """A long value is shortened to the limit with an ellipsis, a short one is untouched."""
    assert cut("abc", 3) == "abc"
    text = cut("x" * 5000, 3000)
    assert len(text) == 3000 and text.endswith(ELLIPSIS)


@pytest.mark.parametrize("limit", range(2, 30))
def test_cut_never_splits_an_entity_or_a_token(limit: int) -> None:
    """Cutting escaped text never leaves half an ``&amp;`` or an open ``<`` behind."""
    text = cut(escape("<<&&>>") * 5 + " <@U1> tail", limit)
    assert len(text) <= limit
    body = text.removesuffix(ELLIPSIS)
    assert not body.endswith(("&", "&a", "&am", "&l", "&g"))
    assert body.count("<") <= body.count(">")


def test_esc_escapes_before_cutting() -> None:
    """``esc`` escapes first, so the limit holds for what Slack receives."""
    assert len(esc("<" * 500, 100)) <= 100
