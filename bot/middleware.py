"""Global Bolt middleware: a request Slack delivers twice is handled once."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import BoltResponse

from bot.deps import BotDeps

log = logging.getLogger(__name__)


def delivery_key(body: dict[str, Any]) -> str | None:
    """Slack's own id of this delivery: ``event_id`` for events, ``trigger_id`` otherwise.

    A redelivery (``X-Slack-Retry-Num``, or a Socket Mode retry) carries the same id; a
    second click carries a new trigger id and is settled by the action's own key instead.
    """
    for name in ("event_id", "trigger_id"):
        value = body.get(name)
        if value:
            return f"{name}:{value}"
    return None


def dedupe_redeliveries(deps: BotDeps) -> Callable[..., Any]:
    def dedupe(body: dict[str, Any], next: Callable[[], Any]) -> Any:
        key = delivery_key(body)
        if key is None or deps.claim(f"req:{key}"):
            return next()
        log.info("duplicate delivery ignored key=%s", key)
        return BoltResponse(status=200, body="")

    return dedupe
