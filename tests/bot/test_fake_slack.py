"""The fake Slack Web API the bot tests rely on records, validates and rate-limits like Slack."""

from __future__ import annotations

import time

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.webhook import WebhookClient

from tests.support.fake_slack import FakeSlack


def test_records_calls_keeps_messages_and_flags_invalid_blocks() -> None:
    """Posts and updates are recorded, the latest state is kept, bad blocks are reported."""
    with FakeSlack() as slack:
        client = WebClient(token="xoxb-test", base_url=slack.api_url)
        sent = client.chat_postMessage(
            channel="C1",
            text="hi",
            blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}],
        )
        client.chat_update(
            channel="C1",
            ts=sent["ts"],
            text="bye",
            blocks=[{"type": "header", "text": {"type": "plain_text", "text": "x" * 200}}],
        )
        client.chat_postMessage(channel="C1", thread_ts=sent["ts"], text="reply")
        posted = slack.messages[("C1", sent["ts"])]
        assert posted.body["text"] == "bye" and posted.updates == 1
        assert [r["text"] for r in posted.replies] == ["reply"]
        assert any("header" in p or "150" in p or "text" in p for p in slack.invalid)


def test_answers_429_with_retry_after_then_ok() -> None:
    """A scripted 429 is retried by the SDK's rate-limit handler and then succeeds."""
    with FakeSlack() as slack:
        client = WebClient(
            token="xoxb-test",
            base_url=slack.api_url,
            retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=2)],
        )
        slack.rate_limit("chat.postMessage", retry_after=0)
        started = time.monotonic()
        assert client.chat_postMessage(channel="C1", text="x")["ok"]
        assert [c.status for c in slack.calls("chat.postMessage")] == [429, 200]
        assert time.monotonic() - started < 5


def test_response_urls_are_served_and_recorded() -> None:
    """``response_url`` posts land on the fake, under their key."""
    with FakeSlack() as slack:
        WebhookClient(slack.response_url("abc")).send(text="hello", response_type="ephemeral")
        assert slack.calls("response_url/abc")[0].body["text"] == "hello"
