"""Sapo's leaky bucket as a budget: pace calls before it fills, from ``X-Sapo-Api-Call-Limit``."""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from sync.clock import Clock

log = logging.getLogger(__name__)

Sleep = Callable[[float], object]

DEFAULT_LIMIT = 40  # calls per app per store (sheet §4.2)
DEFAULT_LEAK_RATE = 2.0  # calls leaking out per second


def parse_call_limit(header: str | None) -> tuple[int, int] | None:
    """``"12/40"`` -> (12, 40); None when absent or unreadable."""
    if not header or "/" not in header:
        return None
    used, _, limit = header.partition("/")
    try:
        pair = int(used.strip()), int(limit.strip())
    except ValueError:
        return None
    return pair if pair[1] > 0 and pair[0] >= 0 else None


class RateLimiter:
    """A local model of the server's bucket, corrected by every answer's call-limit header.

    ``acquire`` reserves a slot and sleeps until the bucket, as modelled, has room below
    ``limit - headroom``: the headroom absorbs calls still in flight and our model's error, so
    our own traffic almost never meets a 429. Thread-safe; sleeping happens outside the lock.
    """

    def __init__(
        self,
        *,
        clock: Clock,
        sleep: Sleep,
        limit: int = DEFAULT_LIMIT,
        leak_rate: float = DEFAULT_LEAK_RATE,
        headroom: int | None = None,
    ) -> None:
        if leak_rate <= 0:
            raise ValueError("leak_rate must be positive")
        self._clock = clock
        self._sleep = sleep
        self._limit = limit
        self._leak_rate = leak_rate
        self._headroom = headroom
        self._level = 0.0  # bucket level at self._at (may be in the future: reservations)
        self._at: datetime | None = None
        self._lock = threading.Lock()

    @property
    def limit(self) -> int:
        """The bucket size Sapo last reported."""
        return self._limit

    @property
    def used(self) -> int:
        """Calls in the bucket now, as modelled (rounded up; queued calls show as a full bucket)."""
        with self._lock:
            return min(self._limit, math.ceil(self._level_at(self._clock()) - 1e-9))

    @property
    def leak_rate(self) -> float:
        return self._leak_rate

    def _ceiling(self) -> float:
        headroom = self._headroom if self._headroom is not None else max(1, self._limit // 10)
        return float(max(1, self._limit - headroom))

    def _level_at(self, moment: datetime) -> float:
        if self._at is None:
            return 0.0
        elapsed = (moment - self._at).total_seconds()
        return max(0.0, self._level - self._leak_rate * elapsed)

    def acquire(self) -> float:
        """Wait until one more call fits, and count it; returns the seconds waited."""
        with self._lock:
            now = self._clock()
            level = self._level_at(now)
            ceiling = self._ceiling()
            wait = max(0.0, (level + 1 - ceiling) / self._leak_rate)
            # Book the slot at the moment it will be used, so concurrent callers queue behind it.
            self._level = level - self._leak_rate * wait + 1
            self._at = now if wait == 0 else now + timedelta(seconds=wait)
        if wait > 0:
            log.debug("sapo_pacing wait_s=%.3f level=%.1f limit=%d", wait, level, self._limit)
            self._sleep(wait)
        return wait

    def delay(self, after: float = 0.0) -> float:
        """Seconds ``acquire`` would wait if called ``after`` seconds from now; books nothing."""
        with self._lock:
            level = self._level_at(self._clock() + timedelta(seconds=after))
            return max(0.0, (level + 1 - self._ceiling()) / self._leak_rate)

    def observe(self, header: str | None) -> None:
        """Take the server's count from an answer's ``X-Sapo-Api-Call-Limit``."""
        parsed = parse_call_limit(header)
        if parsed is None:
            return
        used, limit = parsed
        with self._lock:
            now = self._clock()
            self._limit = limit
            if self._at is not None and self._at > now:
                # Calls booked for later are not in the server's count yet: keep them.
                self._level = max(float(used), self._level_at(now))
            else:
                self._level = float(used)
            self._at = now

    def saturated(self) -> None:
        """A 429 arrived: the bucket is full whatever we thought."""
        with self._lock:
            now = self._clock()
            self._level = max(float(self._limit), self._level_at(now))
            self._at = now
