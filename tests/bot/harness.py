"""Driving the real Bolt app over HTTP: signed Slack requests to a uvicorn server on loopback."""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx
import uvicorn
from slack_sdk.signature import SignatureVerifier

from bot.main import BotApp
from tests.support.fake_slack import Call, FakeSlack

SECRET = "test-signing-secret-0123456789"
ADMIN = "U0ADMIN"
VIEWER = "U0VIEWER"
CHANNEL = "C0OPS"
ALERTS = "C0ALERTS"
_ids = itertools.count(1)


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """Serve an ASGI app with uvicorn on a free loopback port; stopped on exit."""
    config = uvicorn.Config(
        app, host="127.0.0.1", port=0, log_config=None, lifespan="off", access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@dataclass
class Sent:
    """A request the test sent, and where its answers arrive on the fake Slack."""

    status: int
    body: str
    response_key: str
    trigger_id: str


@dataclass
class Harness:
    bot: BotApp
    url: str
    slack: FakeSlack
    http: httpx.Client = field(default_factory=lambda: httpx.Client(trust_env=False, timeout=10))

    # ------------------------------------------------------------ signed requests

    def post(
        self,
        body: str,
        content_type: str,
        *,
        secret: str = SECRET,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        timestamp = str(int(time.time()))
        signature = (
            SignatureVerifier(secret).generate_signature(timestamp=timestamp, body=body) or ""
        )
        return self.http.post(
            f"{self.url}/slack/events",
            content=body.encode(),
            headers={
                "Content-Type": content_type,
                "X-Slack-Request-Timestamp": timestamp,
                "X-Slack-Signature": signature,
                **(headers or {}),
            },
        )

    def command(
        self,
        text: str,
        *,
        user: str = ADMIN,
        channel: str = CHANNEL,
        trigger_id: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Sent:
        key = f"cmd{next(_ids)}"
        trigger = trigger_id or f"trigger.{key}"
        body = urlencode(
            {
                "token": "legacy",
                "team_id": "T0FAKE",
                "team_domain": "shop",
                "channel_id": channel,
                "channel_name": "ops",
                "user_id": user,
                "user_name": user.lower(),
                "command": "/sapo",
                "text": text,
                "api_app_id": "A0APP",
                "response_url": self.slack.response_url(key),
                "trigger_id": trigger,
            }
        )
        r = self.post(body, "application/x-www-form-urlencoded", headers=headers)
        return Sent(r.status_code, r.text, f"response_url/{key}", trigger)

    def click(
        self,
        button: dict[str, Any],
        *,
        block_id: str,
        user: str = ADMIN,
        message: dict[str, Any] | None = None,
        channel: str = CHANNEL,
        ephemeral: bool = True,
        message_ts: str = "1700000000.000001",
        container: dict[str, Any] | None = None,
        view: dict[str, Any] | None = None,
    ) -> Sent:
        """A button press; ``container`` of type "view" presses it on App Home, or in the
        modal ``view`` (as Slack sends it back: with its id, hash and blocks)."""
        key = f"act{next(_ids)}"
        trigger = f"trigger.{key}"
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": {"id": user, "username": user.lower(), "team_id": "T0FAKE"},
            "api_app_id": "A0APP",
            "token": "legacy",
            "team": {"id": "T0FAKE", "domain": "shop"},
            "trigger_id": trigger,
            "container": container
            or {
                "type": "message",
                "message_ts": message_ts,
                "channel_id": channel,
                "is_ephemeral": ephemeral,
            },
            "channel": {"id": channel, "name": "ops"},
            "response_url": self.slack.response_url(key),
            "actions": [
                {
                    "type": "button",
                    "action_id": button["action_id"],
                    "block_id": block_id,
                    "value": button.get("value", ""),
                    "text": button["text"],
                    "action_ts": f"{time.time():.6f}",
                }
            ],
        }
        if message is not None:
            payload["message"] = {"ts": message_ts, "type": "message", **message}
        if container is not None and container.get("type") == "view":
            payload.pop("channel")
            payload.pop("response_url")
            payload["view"] = view or {"id": container.get("view_id"), "type": "home"}
        body = urlencode({"payload": json.dumps(payload)})
        r = self.post(body, "application/x-www-form-urlencoded")
        return Sent(r.status_code, r.text, f"response_url/{key}", trigger)

    def submit(
        self, view: dict[str, Any], values: dict[str, Any], *, view_id: str, user: str = ADMIN
    ) -> httpx.Response:
        payload = {
            "type": "view_submission",
            "team": {"id": "T0FAKE", "domain": "shop"},
            "user": {"id": user, "username": user.lower(), "team_id": "T0FAKE"},
            "api_app_id": "A0APP",
            "token": "legacy",
            "trigger_id": f"trigger.view{next(_ids)}",
            "view": {**view, "id": view_id, "hash": "h1", "state": {"values": values}},
        }
        return self.post(
            urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded"
        )

    def event(
        self,
        event: dict[str, Any],
        *,
        event_id: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        body = json.dumps(
            {
                "token": "legacy",
                "team_id": "T0FAKE",
                "api_app_id": "A0APP",
                "type": "event_callback",
                "event": event,
                "event_id": event_id or f"Ev{next(_ids)}",
                "event_time": int(time.time()),
            }
        )
        return self.post(body, "application/json", headers=headers)

    # ------------------------------------------------------------ answers

    def answers(self, sent: Sent, count: int = 1, *, timeout: float = 15) -> list[Call]:
        """The response_url posts for a request, once ``count`` of them have arrived."""
        return self.slack.wait_calls(sent.response_key, count, timeout=timeout)

    def idle(self, timeout: float = 15) -> None:
        """Wait until the bot's background work is done."""
        deadline = time.monotonic() + timeout
        while not self.bot.deps.worker.idle():
            if time.monotonic() > deadline:
                raise AssertionError("background work did not finish")
            time.sleep(0.01)

    def wait(self, condition: Callable[[], bool], timeout: float = 15, what: str = "") -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what or condition}")
            time.sleep(0.02)


def buttons(blocks: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    """Every button of a message with the block_id it sits in."""
    found = []
    for block in blocks:
        for element in block.get("elements") or []:
            if element.get("type") == "button":
                found.append((block.get("block_id", ""), element))
        accessory = block.get("accessory")
        if accessory and accessory.get("type") == "button":
            found.append((block.get("block_id", ""), accessory))
    return found


def button(
    blocks: list[dict[str, Any]], action_id: str, value: str | None = None
) -> tuple[str, dict[str, Any]]:
    for block_id, element in buttons(blocks):
        if element["action_id"] == action_id and (value is None or element.get("value") == value):
            return block_id, element
    raise AssertionError(f"no {action_id} button (value {value!r}) in the message")


def mrkdwn(payload: Any) -> str:
    """Every mrkdwn text (and the fallback text) of a payload: what Slack would interpret."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "mrkdwn":
                found.append(str(node.get("text")))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(payload)
    if isinstance(payload, dict) and isinstance(payload.get("text"), str):
        found.append(payload["text"])
    return "\n".join(found)
