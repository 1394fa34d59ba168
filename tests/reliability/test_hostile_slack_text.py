"""Odd text and forged button values in Slack (issue 10): answered escaped, within Slack's
limits, without an incident, on SQLite and PostgreSQL."""

from __future__ import annotations

from tests.bot.harness import Harness, mrkdwn

SKU = "ATCB-TRANG-S"


def test_a_search_for_slack_mentions_pings_nobody(linked: Harness) -> None:
    """``/sapo products <!everyone>``: the list's notification text (read as mrkdwn by Slack)
    shows the searched words escaped, so nobody is pinged (R13)."""
    answer = linked.answers(linked.command("products <!everyone> <!here> <@U0VICTIM>"))[0]
    fallback = answer.body["text"]
    assert "&lt;!everyone&gt;" in fallback
    for control in ("<!everyone>", "<!here>", "<@U0VICTIM>"):
        assert control not in mrkdwn(answer.body)
