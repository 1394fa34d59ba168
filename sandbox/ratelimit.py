"""Sapo's leaky-bucket call limit, one bucket per API and app credential (sheet §4.2).

Documented for Sapo Web only; the core POS API's limits are [UNKNOWN] (sheet §4.3), so the
sandbox applies the same bucket there.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Verdict:
    """The outcome of one call: allowed or not, the bucket fill to report, the wait advised."""

    allowed: bool
    used: int
    capacity: int
    retry_after: float

    @property
    def header(self) -> str:
        """The `X-Sapo-Api-Call-Limit` value, e.g. `1/40`."""
        return f"{self.used}/{self.capacity}"


class LeakyBucket:
    """A bucket of `capacity` calls that leaks `leak_rate` calls per second."""

    def __init__(
        self, capacity: int, leak_rate: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.capacity = capacity
        self.leak_rate = leak_rate
        self._clock = clock
        self._level = 0.0
        self._last = clock()

    def hit(self) -> Verdict:
        """Count one call if it fits; an overflowing call is refused and not counted."""
        now = self._clock()
        self._level = max(0.0, self._level - (now - self._last) * self.leak_rate)
        self._last = now
        if self._level + 1 > self.capacity:
            missing = self._level + 1 - self.capacity
            wait = missing / self.leak_rate if self.leak_rate > 0 else 60.0
            return Verdict(False, self.capacity, self.capacity, math.ceil(wait * 10) / 10)
        self._level += 1
        return Verdict(True, math.ceil(self._level - 1e-9), self.capacity, 0.0)


class RateLimiter:
    """Buckets keyed by (api, credential), created on first use; thread-safe."""

    def __init__(
        self, capacity: int, leak_rate: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.capacity = capacity
        self.leak_rate = leak_rate
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[tuple[str, str], LeakyBucket] = {}

    def hit(self, api: str, credential: str) -> Verdict:
        """Count a call against the caller's bucket."""
        with self._lock:
            bucket = self._buckets.get((api, credential))
            if bucket is None:
                bucket = LeakyBucket(self.capacity, self.leak_rate, self._clock)
                self._buckets[(api, credential)] = bucket
            return bucket.hit()

    def full(self) -> Verdict:
        """A refusal as a forced throttle reports it: bucket full."""
        wait = 1 / self.leak_rate if self.leak_rate > 0 else 60.0
        return Verdict(False, self.capacity, self.capacity, math.ceil(wait * 10) / 10)

    def clear(self) -> None:
        """Empty every bucket."""
        with self._lock:
            self._buckets.clear()


def throttle_message(leak_rate: float) -> str:
    """The 429 body text, the sheet's labelled default (§4.2 SHOPIFY-ASSUMPTION)."""
    rate = f"{leak_rate:g}"
    return (
        f"Exceeded {rate} calls per second for api client. "
        "Reduce request rates to resume uninterrupted service."
    )
