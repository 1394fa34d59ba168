"""The real Bolt app over HTTP: signatures, help, usage lines, language, duplicates."""

from __future__ import annotations

from tests.bot.conftest import BotMaker
from tests.bot.harness import ADMIN, VIEWER, Harness, mrkdwn


def test_bad_signature_is_refused_with_401(bot: Harness) -> None:
    """A request not signed with our signing secret is refused and does nothing (HTTP mode)."""
    sent = bot.post(
        "command=%2Fsapo&text=status", "application/x-www-form-urlencoded", secret="not-the-secret"
    )
    assert sent.status_code == 401
    assert bot.slack.calls() == []


def test_help_lists_every_subcommand_ephemerally(bot: Harness) -> None:
    """``/sapo help`` answers only the asker, with a line per subcommand (issue 7)."""
    sent = bot.command("help")
    assert sent.status == 200
    answer = bot.answers(sent)[0].body
    assert answer["response_type"] == "ephemeral"
    text = mrkdwn(answer)
    for name in (
        "status",
        "preflight",
        "sync [dry-run]",
        "products",
        "compare <sku>",
        "disconnect <sku>",
        "reconnect <sku>",
        "unlink <sku>",
        "orders",
        "resync <order number>",
        "errors [product|order]",
        "config",
    ):
        assert f"/sapo {name}" in text


def test_unknown_subcommand_answers_with_help_not_a_trace(bot: Harness) -> None:
    """An unknown subcommand names the word (escaped) and shows the help list."""
    answer = bot.answers(bot.command("<!channel>"))[0].body
    text = mrkdwn(answer)
    assert "&lt;!channel&gt;" in text and "<!channel>" not in text
    assert "/sapo status" in text and "Traceback" not in text


def test_missing_argument_answers_with_that_commands_help_line(bot: Harness) -> None:
    """``/sapo compare`` without a SKU shows the compare usage line only."""
    text = mrkdwn(bot.answers(bot.command("compare"))[0].body)
    assert "/sapo compare <sku>" in text and "/sapo resync" not in text


def test_vietnamese_help_when_bot_language_is_vi(make_bot: BotMaker) -> None:
    """With BOT_LANGUAGE=vi the help text is Vietnamese (issue 7)."""
    with make_bot(bot_language="vi") as bot:
        text = mrkdwn(bot.answers(bot.command("help"))[0].body)
        assert "xóa liên kết vĩnh viễn" in text


def test_a_redelivered_request_is_handled_once(bot: Harness) -> None:
    """Slack's retry of the same delivery (X-Slack-Retry-Num) does no second piece of work."""
    first = bot.command("help", trigger_id="trigger.same")
    again = bot.command(
        "help",
        trigger_id="trigger.same",
        headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"},
    )
    assert first.status == again.status == 200
    bot.answers(first)
    bot.idle()
    assert bot.slack.calls(again.response_key) == []


def test_a_redelivered_event_publishes_app_home_once(bot: Harness) -> None:
    """Slack's retry of an app_home_opened delivery (same event_id) publishes the dashboard
    once; a new event (another id) still does."""
    opened = {"type": "app_home_opened", "user": ADMIN, "tab": "home", "event_ts": "1"}
    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    assert bot.event(opened, event_id="Ev0SAME").status_code == 200
    assert bot.event(opened, event_id="Ev0SAME", headers=retry).status_code == 200
    other = {**opened, "user": VIEWER, "event_ts": "2"}
    assert bot.event(other, event_id="Ev0OTHER").status_code == 200
    bot.slack.wait_for(
        lambda s: any(c.body["user_id"] == VIEWER for c in s.calls("views.publish")),
        what="the later event's dashboard",
    )
    published = [c.body["user_id"] for c in bot.slack.calls("views.publish")]
    assert published.count(ADMIN) == 1, published
