"""The leaky-bucket budget paces calls on a fake clock: no real sleeping anywhere."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sync.clients.ratelimit import RateLimiter, parse_call_limit
from sync.clock import FakeClock

START = datetime(2026, 3, 6, 3, 0, tzinfo=UTC)


class FakeSleep:
    """A sleep that advances the fake clock and remembers every wait."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.clock.advance(seconds)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


def test_burst_up_to_headroom_then_leak_rate(clock: FakeClock) -> None:
    """On a 40-call bucket leaking 2/s, 36 calls go at once, then one every half second."""
    sleep = FakeSleep(clock)
    limiter = RateLimiter(clock=clock, sleep=sleep, limit=40, leak_rate=2.0)
    for _ in range(36):
        assert limiter.acquire() == 0
    assert limiter.used == 36
    for _ in range(20):
        assert limiter.acquire() == pytest.approx(0.5)
    assert (clock() - START).total_seconds() == pytest.approx(10.0)
    assert limiter.used <= 36


def test_server_header_corrects_the_model(clock: FakeClock) -> None:
    """The call-limit header overrides the estimate: another app's usage makes us slow down."""
    sleep = FakeSleep(clock)
    limiter = RateLimiter(clock=clock, sleep=sleep)
    limiter.acquire()
    limiter.observe("38/40")
    assert (limiter.used, limiter.limit) == (38, 40)
    # 38 in the bucket, ceiling 36: wait until 35 remain, i.e. 1.5 s at 2 calls per second.
    assert limiter.acquire() == pytest.approx(1.5)
    clock.advance(60)
    assert limiter.used == 0


def test_bucket_size_follows_the_server(clock: FakeClock) -> None:
    """A store with a bigger bucket reports it and the limiter uses it."""
    limiter = RateLimiter(clock=clock, sleep=FakeSleep(clock))
    limiter.observe("1/80")
    assert limiter.limit == 80
    for _ in range(70):
        assert limiter.acquire() == 0


def test_saturated_after_429_waits_for_the_leak(clock: FakeClock) -> None:
    """After a 429 the bucket counts as full, so the next call waits instead of hammering."""
    sleep = FakeSleep(clock)
    limiter = RateLimiter(clock=clock, sleep=sleep, limit=10, leak_rate=2.0)
    limiter.saturated()
    assert limiter.used == 10
    assert limiter.acquire() == pytest.approx(1.0)  # ceiling 9: from 10 down to 8 first


def test_concurrent_reservations_queue_one_after_another(clock: FakeClock) -> None:
    """Calls booked while others wait are spaced by the leak rate, not bunched (threads)."""
    waits: list[float] = []
    limiter = RateLimiter(clock=clock, sleep=waits.append, limit=10, leak_rate=2.0)
    for _ in range(9):
        limiter.acquire()
    # The sleep does not advance the clock here: like threads that all arrive at once.
    for _ in range(4):
        limiter.acquire()
    assert waits == pytest.approx([0.5, 1.0, 1.5, 2.0])


@pytest.mark.parametrize(
    ("header", "expected"),
    [("12/40", (12, 40)), (" 1 / 80 ", (1, 80)), ("x/40", None), (None, None), ("3/0", None)],
)
def test_parse_call_limit(header: str | None, expected: tuple[int, int] | None) -> None:
    """X-Sapo-Api-Call-Limit reads as used/limit; junk is ignored."""
    assert parse_call_limit(header) == expected


def test_delay_tells_the_coming_wait_without_booking_it(clock: FakeClock) -> None:
    """After a 429 the retry loop asks how long the pacing will hold the next call, to keep
    within its deadline; asking books no slot and changes no later wait."""
    limiter = RateLimiter(clock=clock, sleep=FakeSleep(clock), limit=10, leak_rate=2.0)
    limiter.saturated()
    assert limiter.delay() == pytest.approx(1.0)  # from 10 down to 8 under the ceiling of 9
    assert limiter.delay(after=0.25) == pytest.approx(0.75)
    assert limiter.delay(after=5.0) == 0
    assert limiter.used == 10 and limiter.acquire() == pytest.approx(1.0)
