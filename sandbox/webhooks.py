"""Background delivery of signed webhooks, with bounded retries and back-off."""

from __future__ import annotations

import base64
import hashlib
import heapq
import hmac
import itertools
import logging
import threading
import time
from dataclasses import dataclass

import httpx

log = logging.getLogger(__name__)

# Retries wait FIRST_DELAY, then twice as long each time (see WebhookDispatcher).
TRIES = 5
FIRST_DELAY = 0.2


@dataclass(frozen=True, slots=True)
class Delivery:
    """One POST to make: the bare object as raw JSON bytes, for one subscription."""

    api: str
    topic: str
    address: str
    body: bytes
    object_id: str


def sign(body: bytes, secret: str) -> str:
    """`X-Sapo-Hmac-Sha256`: Base64 of HMAC-SHA256 of the raw body (sheet §2.10, §8.5).

    Signed with the app's API secret, the sheet's labelled default (§9 SHOPIFY-ASSUMPTION).
    """
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


class WebhookDispatcher:
    """Delivers webhooks from one worker thread, never inside the request that fired them.

    A failed delivery (non-2xx, timeout, refused) is retried `tries` times in all, waiting
    `first_delay` seconds and doubling each time. Sapo's real policy is unknown; the sheet's
    labelled default (19 tries in 48 h, §9 SHOPIFY-ASSUMPTION) is scaled down to test speed.
    """

    def __init__(
        self,
        secret: str,
        domains: dict[str, str],
        *,
        tries: int = TRIES,
        first_delay: float = FIRST_DELAY,
        timeout: float = 5.0,
    ) -> None:
        self._secret = secret
        self._domains = domains
        self._tries = tries
        self._first_delay = first_delay
        self._timeout = timeout
        self._cond = threading.Condition()
        self._queue: list[tuple[float, int, int, int, Delivery]] = []
        self._generation = 0
        self._seq = itertools.count()
        self._stopping = False
        self._busy = False
        self._thread: threading.Thread | None = None
        self.delivered = 0
        self.failed = 0
        self.attempts = 0

    def start(self) -> None:
        """Start the worker thread."""
        with self._cond:
            if self._thread is not None:
                return
            self._stopping = False
            self._thread = threading.Thread(target=self._run, name="sandbox-webhooks", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop the worker; deliveries still pending are dropped."""
        with self._cond:
            thread, self._thread = self._thread, None
            self._stopping = True
            self._queue.clear()
            self._cond.notify_all()
        if thread is not None:
            thread.join()

    def submit(self, deliveries: list[Delivery]) -> None:
        """Queue deliveries for the worker."""
        if not deliveries:
            return
        with self._cond:
            now = time.monotonic()
            for item in deliveries:
                heapq.heappush(self._queue, (now, next(self._seq), 0, self._generation, item))
            self._cond.notify_all()

    def clear(self) -> None:
        """Forget pending deliveries and counters (used by a reset)."""
        with self._cond:
            self._queue.clear()
            self._generation += 1
            self.delivered = self.failed = self.attempts = 0

    def counters(self) -> dict[str, int]:
        """Delivered, failed for good, attempts made and still pending."""
        with self._cond:
            pending = len(self._queue) + (1 if self._busy else 0)
            return {
                "delivered": self.delivered,
                "failed": self.failed,
                "attempts": self.attempts,
                "pending": pending,
            }

    def _run(self) -> None:
        with httpx.Client(timeout=self._timeout, trust_env=False) as client:
            while True:
                job = self._next_job()
                if job is None:
                    return
                attempt, generation, item = job
                ok = self._post(client, item)
                self._finish(attempt, generation, item, ok)

    def _next_job(self) -> tuple[int, int, Delivery] | None:
        with self._cond:
            while not self._stopping:
                if self._queue:
                    wait = self._queue[0][0] - time.monotonic()
                    if wait <= 0:
                        _, _, attempt, generation, item = heapq.heappop(self._queue)
                        self._busy = True
                        return attempt, generation, item
                    self._cond.wait(wait)
                else:
                    self._cond.wait()
            return None

    def _finish(self, attempt: int, generation: int, item: Delivery, ok: bool) -> None:
        with self._cond:
            self._busy = False
            if generation != self._generation:
                return
            self.attempts += 1
            if ok:
                self.delivered += 1
            elif attempt + 1 < self._tries and not self._stopping:
                due = time.monotonic() + self._first_delay * 2**attempt
                retry = (due, next(self._seq), attempt + 1, generation, item)
                heapq.heappush(self._queue, retry)
            else:
                self.failed += 1
                log.warning("webhook given up topic=%s address=%s", item.topic, item.address)

    def _post(self, client: httpx.Client, item: Delivery) -> bool:
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "sapo-sandbox-webhooks",
            "X-Sapo-Topic": item.topic,
            "X-Sapo-Hmac-Sha256": sign(item.body, self._secret),
            "X-Sapo-Object-Id": item.object_id,
            "X-Sapo-Webhook-Address": item.address,
            "X-Sapo-Test": "false",
        }
        if item.api == "pos":
            headers["X-Sapo-Tenant-Domain"] = self._domains["pos"]
        else:
            headers["X-Sapo-Shop-Domain"] = self._domains["web"]
        try:
            response = client.post(item.address, content=item.body, headers=headers)
        except httpx.HTTPError as exc:
            log.info("webhook attempt failed topic=%s error=%s", item.topic, exc)
            return False
        return response.is_success
