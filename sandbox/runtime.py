"""What a running sandbox app holds besides data: limiter, faults, stats, webhook dispatcher."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sandbox.faults import Faults
from sandbox.ratelimit import RateLimiter
from sandbox.seeds import POS_DOMAIN, WEB_DOMAIN
from sandbox.state import SandboxState
from sandbox.webhooks import WebhookDispatcher


class Stats:
    """Calls per `<api> <METHOD> <path template>`, 429s answered and faults injected."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: Counter[str] = Counter()
        self._throttled = 0
        self._faults = 0

    def count(self, key: str) -> None:
        """Count one API call."""
        with self._lock:
            self._requests[key] += 1

    def throttled(self) -> None:
        """Count one 429."""
        with self._lock:
            self._throttled += 1

    def fault(self) -> None:
        """Count one injected fault."""
        with self._lock:
            self._faults += 1

    def snapshot(self) -> dict[str, Any]:
        """The `GET /_sandbox/stats` body (without the webhook counters)."""
        with self._lock:
            return {
                "requests": dict(sorted(self._requests.items())),
                "throttled": self._throttled,
                "faults_injected": self._faults,
            }

    def clear(self) -> None:
        """Start counting from zero."""
        with self._lock:
            self._requests.clear()
            self._throttled = self._faults = 0


@dataclass
class Runtime:
    """Shared by the two API gateways and the control surface of one app."""

    state: SandboxState
    limiter: RateLimiter
    dispatcher: WebhookDispatcher
    faults: Faults = field(default_factory=Faults)
    stats: Stats = field(default_factory=Stats)

    @classmethod
    def for_state(cls, state: SandboxState, clock: Callable[[], float] = time.monotonic) -> Runtime:
        """A runtime configured from the state's settings; `clock` drives the rate limit."""
        config = state.config
        dispatcher = WebhookDispatcher(config.api_secret, {"pos": POS_DOMAIN, "web": WEB_DOMAIN})
        return cls(
            state=state,
            limiter=RateLimiter(config.bucket, config.leak_rate, clock),
            dispatcher=dispatcher,
        )
