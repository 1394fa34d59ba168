"""A recording fake of the Slack Web API (and of response_url endpoints) on a loopback port.

Built on the product's own loopback stand-in (``bot.console.localslack``, which the console
uses), it adds what tests need: it validates every Block Kit payload against Slack's limits
with ``slack_sdk.models``, can answer 429 with ``Retry-After`` or an API error on demand, and
waits on conditions with a deadline.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.console.localslack import BOT_USER, TEAM, Call, LocalSlack, Posted

__all__ = ["BOT_USER", "TEAM", "Call", "FakeSlack", "Posted", "problems_in_blocks"]


def problems_in_blocks(blocks: list[dict[str, Any]], *, surface: str) -> list[str]:
    """What Slack would refuse in ``blocks``: slack_sdk's model checks plus the gaps they leave."""
    found: list[str] = []
    limit = 50 if surface == "message" else 100
    if len(blocks) > limit:
        found.append(f"{len(blocks)} blocks in a {surface} (limit {limit})")
    for index, raw in enumerate(blocks):
        parsed = Block.parse(raw)
        if parsed is None:
            found.append(f"block {index}: unknown type {raw.get('type')!r}")
            continue
        try:
            parsed.validate_json()
        except Exception as exc:  # SlackObjectFormationError and friends: all are refusals
            found.append(f"block {index}: {exc}")
        for f in raw.get("fields") or []:
            if len(f.get("text", "")) > 2000:
                found.append(f"block {index}: a field over 2000 characters")
        for element in raw.get("elements") or []:
            if element.get("type") == "button":
                if len(element["text"]["text"]) > 75:
                    found.append(f"block {index}: button text over 75 characters")
                if len(element.get("value", "")) > 2000:
                    found.append(f"block {index}: button value over 2000 characters")
            if len(element.get("action_id", "")) > 255:
                found.append(f"block {index}: action_id over 255 characters")
    return found


def problems_in_view(view: dict[str, Any]) -> list[str]:
    found = problems_in_blocks(list(view.get("blocks", [])), surface=view.get("type", "modal"))
    try:
        View(**view).validate_json()
    except Exception as exc:  # any refusal by the model is a problem to report
        found.append(f"view: {exc}")
    if len(view.get("private_metadata", "")) > 3000:
        found.append("view: private_metadata over 3000 characters")
    return found


class FakeSlack(LocalSlack):
    """``with FakeSlack() as slack:`` serves ``slack.api_url`` and ``slack.response_url(k)``."""

    def __init__(self) -> None:
        super().__init__()
        self._scripted: dict[str, list[tuple[int, dict[str, Any], dict[str, str]]]] = {}
        self.invalid: list[str] = []

    # ------------------------------------------------------------ scripting

    def rate_limit(self, method: str, *, times: int = 1, retry_after: int = 0) -> None:
        """Answer the next ``times`` calls of ``method`` with 429 and ``Retry-After``."""
        self._script(
            method,
            times,
            429,
            {"ok": False, "error": "ratelimited"},
            {"Retry-After": str(retry_after)},
        )

    def fail(self, method: str, error: str, *, times: int = 1) -> None:
        """Answer the next ``times`` calls of ``method`` with ``{"ok": false, "error": ...}``."""
        self._script(method, times, 200, {"ok": False, "error": error}, {})

    def _script(
        self, method: str, times: int, status: int, body: dict[str, Any], headers: dict[str, str]
    ) -> None:
        with self._lock:
            self._scripted.setdefault(method, []).extend([(status, body, headers)] * times)

    # ------------------------------------------------------------ reading

    def wait_for(
        self, condition: Callable[[FakeSlack], bool], *, timeout: float = 10.0, what: str = ""
    ) -> None:
        """Poll ``condition`` until it holds or the deadline passes (then fail the test)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition(self):
                return
            time.sleep(0.02)
        methods = [c.method for c in self.calls()]
        raise AssertionError(f"timed out waiting for {what or condition}; calls: {methods}")

    def wait_calls(self, method: str, count: int = 1, *, timeout: float = 10.0) -> list[Call]:
        self.wait_for(
            lambda s: len(s.calls(method)) >= count, timeout=timeout, what=f"{count} x {method}"
        )
        return self.calls(method)

    # ------------------------------------------------------------ answering

    def handle(
        self, method: str, body: dict[str, Any]
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        with self._lock:
            queue = self._scripted.get(method)
            if queue:
                status, answer, headers = queue.pop(0)
                self._calls.append(Call(method, body, status))
                return status, answer, headers
        self._validate(method, body)
        return super().handle(method, body)

    def _validate(self, method: str, body: dict[str, Any]) -> None:
        if "view" in body:
            problems = problems_in_view(body["view"])
        elif body.get("blocks"):
            problems = problems_in_blocks(body["blocks"], surface="message")
        else:
            problems = []
        if body.get("blocks") and not body.get("text") and method.startswith("chat."):
            problems.append("blocks without a fallback text")
        self.invalid.extend(f"{method}: {p}" for p in problems)
