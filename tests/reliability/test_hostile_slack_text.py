"""Odd text and forged button values in Slack (issue 10): emoji, right-to-left text, Slack's
control syntax, 10 000 characters and control characters are answered escaped, within
Slack's limits, without an incident, on SQLite and PostgreSQL (which refuses NUL)."""

from __future__ import annotations

import json

from bot.views import buttons as act
from tests.bot.harness import Harness, button, mrkdwn
from tests.reliability.conftest import link_status

SKU = "ATCB-TRANG-S"

ODD_TEXTS = (
    "products 🧥🔥👗",
    "products \u202eNGIS-LTR\u202c עברית العربية",
    "products <!everyone> <!channel> <@U0VICTIM> <http://evil.example|click>",
    "compare <!everyone>",
    "resync <!here> *bold* _it_ `code` ```block```",
    "orders " + "Ă" * 10_000,
    "compare " + "x" * 10_000,
    "products A\x00B\x07C",
    "resync #10\x0001",
    "compare \u200b\u200b",
    "errors \u00a0",
    "disconnect " + "🙂" * 3_000,
)


def test_odd_text_is_answered_escaped_and_within_slack_limits(linked: Harness) -> None:
    """Emoji, right-to-left text, Slack control syntax (<!everyone>, mentions, links),
    10 000 characters and control characters after ``/sapo``: every command is answered
    once, with text that pings nobody, in valid Block Kit, without an incident (R13-R17)."""
    incidents = 0
    for text in ODD_TEXTS:
        sent = linked.command(text)
        assert sent.status == 200, text[:40]
        [answer] = linked.answers(sent, timeout=20)
        shown = mrkdwn(answer.body)
        for control in ("<!everyone>", "<!channel>", "<!here>", "<@U0VICTIM>", "<http"):
            assert control not in shown, (text[:40], shown[:300])
        assert "\x00" not in json.dumps(answer.body, ensure_ascii=False)
        incidents += "incident" in shown.lower()
    linked.idle()
    assert incidents == 0
    assert link_status(linked, SKU) == "linked"
    assert "/sapo" in mrkdwn(linked.answers(linked.command("help"))[0].body)


def test_a_click_on_an_outdated_button_value_is_refused_clearly(linked: Harness) -> None:
    """A button value that names no link (edited by hand, or a SKU with control characters)
    gets a short refusal, not an incident, and nothing changes."""
    listing = linked.answers(linked.command(f"products {SKU}"))[0].body
    block_id, disconnect = button(listing["blocks"], act.DISCONNECT, SKU)
    for value in ("NO-SUCH-SKU", "A\x00B", " ", "x" * 3000):
        sent = linked.click({**disconnect, "value": value}, block_id=block_id, message=listing)
        [answer] = linked.answers(sent, timeout=20)
        text = mrkdwn(answer.body)
        assert "incident" not in text.lower() and "⚠️" in text, text
    linked.idle()
    assert link_status(linked, SKU) == "linked"


def test_a_search_for_slack_mentions_pings_nobody(linked: Harness) -> None:
    """``/sapo products <!everyone>``: the list's notification text (read as mrkdwn by Slack)
    shows the searched words escaped, so nobody is pinged (R13)."""
    answer = linked.answers(linked.command("products <!everyone> <!here> <@U0VICTIM>"))[0]
    fallback = answer.body["text"]
    assert "&lt;!everyone&gt;" in fallback
    for control in ("<!everyone>", "<!here>", "<@U0VICTIM>"):
        assert control not in mrkdwn(answer.body)
