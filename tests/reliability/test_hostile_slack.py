"""Hostile Slack requests (issue 10): bad or stale signatures, replays, malformed payloads,
unknown actions and odd text each get a clear answer, change nothing they should not, and
the app keeps serving; on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

from bot.views import buttons as act
from storage import repo
from tests.bot.harness import ADMIN, SECRET, Harness, mrkdwn
from tests.reliability.conftest import link_status

SKU = "ATCB-TRANG-S"


def _audit(bot: Harness) -> list[tuple[str, str, str]]:
    ctx = bot.bot.deps.ctx
    with ctx.db.session() as s:
        rows = repo.list_audit(s, connection_id=ctx.connection_id, limit=500)
        return [(r.actor, r.action, r.result) for r in rows]


def _click_body(bot: Harness, action_id: str, value: str, trigger: str) -> str:
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": {"id": ADMIN, "username": "admin", "team_id": "T0FAKE"},
        "api_app_id": "A0APP",
        "token": "legacy",
        "team": {"id": "T0FAKE", "domain": "shop"},
        "trigger_id": trigger,
        "container": {"type": "message", "message_ts": "1700000000.000009", "channel_id": "C0OPS"},
        "channel": {"id": "C0OPS", "name": "ops"},
        "response_url": bot.slack.response_url(trigger),
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": "row.x",
                "value": value,
                "text": {"type": "plain_text", "text": "Go"},
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }
    return urlencode({"payload": json.dumps(payload)})


def _signed_at(body: str, timestamp: int, secret: str = SECRET) -> dict[str, str]:
    signature = SignatureVerifier(secret).generate_signature(timestamp=str(timestamp), body=body)
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": str(timestamp),
        "X-Slack-Signature": signature or "",
    }


def test_bad_stale_and_missing_signatures_are_401_and_change_nothing(linked: Harness) -> None:
    """A disconnect click signed with the wrong secret, signed ten minutes ago or in the
    future, or not signed at all is refused with 401: the link stays, nothing is audited
    and nothing is said in Slack (R15 safety)."""
    calls, audit = len(linked.slack.calls()), _audit(linked)
    now = int(time.time())
    body = _click_body(linked, act.DISCONNECT, SKU, "trigger.forged")
    for headers in (
        _signed_at(body, now, secret="not-our-signing-secret"),
        _signed_at(body, now - 600),
        _signed_at(body, now + 600),
        {"Content-Type": "application/x-www-form-urlencoded"},
        {**_signed_at(body, now), "X-Slack-Signature": "v0=" + "0" * 64},
    ):
        response = linked.http.post(f"{linked.url}/slack/events", content=body, headers=headers)
        assert response.status_code == 401, headers
    linked.idle()
    assert link_status(linked, SKU) == "linked"
    assert _audit(linked) == audit
    assert len(linked.slack.calls()) == calls


def test_a_replayed_click_disconnects_once(linked: Harness) -> None:
    """The exact same signed click sent three times (a replay inside Slack's five minutes,
    and Slack's own retry) does the change once and audits it once (R15)."""
    body = _click_body(linked, act.DISCONNECT, SKU, "trigger.replayed")
    headers = _signed_at(body, int(time.time()))
    for extra in ({}, {}, {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}):
        response = linked.http.post(
            f"{linked.url}/slack/events", content=body, headers={**headers, **extra}
        )
        assert response.status_code == 200
    linked.idle()
    assert link_status(linked, SKU) == "disconnected"
    assert [a for a in _audit(linked) if a[1] == "link.disconnect"] == [
        (ADMIN, "link.disconnect", "disconnected")
    ]


def test_malformed_and_unknown_requests_get_clear_answers_and_the_app_keeps_serving(
    linked: Harness,
) -> None:
    """Signed but broken bodies (not JSON, a payload that is not JSON or lacks its parts, an
    unknown action or request type) are answered with a 4xx, never an incident, and change
    nothing; a normal command still works afterwards."""
    audit = _audit(linked)
    form = "application/x-www-form-urlencoded"
    cases: list[tuple[str, str]] = [
        ("{not json", "application/json"),
        ('{"type": "event_callback", "event": "nope"}', "application/json"),
        (urlencode({"payload": "{not json"}), form),
        ("[1, 2]", "application/json"),
        (urlencode({"payload": json.dumps({"type": "block_actions"})}), form),
        (urlencode({"payload": json.dumps({"type": "block_actions", "actions": "x"})}), form),
        (urlencode({"payload": json.dumps({"type": "block_actions", "actions": [1]})}), form),
        (urlencode({"payload": json.dumps(["not", "an", "object"])}), form),
        (urlencode({"payload": json.dumps({"type": "no_such_type"})}), form),
        (_click_body(linked, "sapo.no.such.action", SKU, "trigger.unknown"), form),
        ("\x00\xff garbage", "text/plain"),
    ]
    for body, content_type in cases:
        response = linked.post(body, content_type)
        assert 400 <= response.status_code < 500, (body[:60], response.status_code, response.text)
    linked.idle()
    assert _audit(linked) == audit
    assert link_status(linked, SKU) == "linked"
    help_answer = linked.answers(linked.command("help"))[0].body
    assert "/sapo" in mrkdwn(help_answer)
