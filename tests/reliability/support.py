"""Tools the reliability tests share: a clock that skips waits, a recording transport, polling."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from sandbox import Sandbox
from sync.clients import PosClient, WebClient, make_pos_client, make_web_client
from tests.support.sapo import TEST_TIMEOUT
from tests.support.wait import wait_for as wait_for  # the reliability tests import it here


class SkippingClock:
    """Wall-clock time plus every wait asked for, so back-off and 429 pauses cost nothing.

    The clients take it as both ``clock`` and ``sleep``: a client that "sleeps" two seconds
    sees two seconds pass at once, so its retry deadlines run out in fake time while every
    request still goes over real HTTP.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._skipped = 0.0

    def __call__(self) -> datetime:
        with self._lock:
            return datetime.now(UTC) + timedelta(seconds=self._skipped)

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self._skipped += max(0.0, seconds)

    @property
    def skipped(self) -> float:
        with self._lock:
            return self._skipped


@dataclass(frozen=True, slots=True)
class Sent:
    """One request a client put on the wire (before any answer): method, path and body."""

    method: str
    path: str
    body: Any


class RecordingTransport(httpx.HTTPTransport):
    """A real HTTP transport that also keeps every non-GET request, in order.

    The write log is how the tests see what the sync tried to change, including attempts
    whose answers were lost; it records and forwards, it never answers by itself.
    """

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self.sent: list[Sent] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method != "GET":
            raw = request.read()
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = raw
            with self._lock:
                self.sent.append(Sent(request.method, request.url.path, body))
        return super().handle_request(request)

    def since(self, mark: int) -> list[Sent]:
        with self._lock:
            return list(self.sent[mark:])

    def mark(self) -> int:
        with self._lock:
            return len(self.sent)


@dataclass
class RecordedClients:
    pos: PosClient
    web: WebClient
    pos_log: RecordingTransport
    web_log: RecordingTransport
    clock: SkippingClock

    def close(self) -> None:
        self.pos.close()
        self.web.close()


def recorded_clients(
    sb: Sandbox, *, max_attempts: int = 4, deadline_s: float = 5.0, via: str | None = None
) -> RecordedClients:
    """Real clients on ``sb`` whose waits are skipped and whose writes are recorded; ``via``
    is another base URL in front of the sandbox (a proxy) to send them through."""
    clock = SkippingClock()
    pos_log, web_log = RecordingTransport(), RecordingTransport()
    options: dict[str, Any] = {
        "api_key": sb.api_key,
        "api_secret": sb.api_secret,
        "max_attempts": max_attempts,
        "leak_rate": sb.state.config.leak_rate,
        "clock": clock,
        "sleep": clock.sleep,
        "timeout": TEST_TIMEOUT,
        "deadline_s": deadline_s,
    }
    base = via or sb.base_url
    pos = make_pos_client(f"{base}/pos", transport=pos_log, **options)
    web = make_web_client(f"{base}/web", transport=web_log, **options)
    return RecordedClients(pos, web, pos_log, web_log, clock)
