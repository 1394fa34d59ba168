"""Pacing on a fake clock and answers the sandbox never gives, over a scripted loopback server."""

from __future__ import annotations

import json
import socket
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

import httpx
import pytest

from sync.clients import WebClient, make_pos_client, make_web_client
from sync.clients.factory import DEFAULT_TIMEOUT
from sync.clock import FakeClock
from sync.domain import NewPosCustomer, Unreadable, WebOrder
from sync.errors import FatalError, RecordError, RetryableError
from tests.sync.clients.loopback import Answer, Loopback, Seen

PAYLOADS = Path(__file__).parent / "payloads"
START = datetime(2026, 3, 6, 3, 0, tzinfo=UTC)


def load(name: str) -> Any:
    return json.loads((PAYLOADS / name).read_text(encoding="utf-8"))


class FakeTime:
    """A fake clock with a sleep that advances it; every wait is kept."""

    def __init__(self) -> None:
        self.clock = FakeClock(START)
        self.waits: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.clock.advance(seconds)

    def elapsed(self) -> float:
        return (self.clock() - START).total_seconds()


class ServerBucket:
    """Sapo's leaky bucket (sheet §4.2) on the same fake clock: refuse with 429 when full."""

    def __init__(self, clock: FakeClock, capacity: int, leak_rate: float, preload: int = 0) -> None:
        self.clock, self.capacity, self.leak_rate = clock, capacity, leak_rate
        self.level, self.last = float(preload), clock()
        self.refused = 0
        self.peak = 0.0

    def answer(self, body: Any) -> Answer:
        now = self.clock()
        self.level = max(0.0, self.level - (now - self.last).total_seconds() * self.leak_rate)
        self.last = now
        if self.level + 1 > self.capacity:
            self.refused += 1
            limit = f"{self.capacity}/{self.capacity}"
            return Answer(429, {"errors": "Exceeded"}, {"X-Sapo-Api-Call-Limit": limit})
        self.level += 1
        self.peak = max(self.peak, self.level)
        used = f"{round(self.level)}/{self.capacity}"
        return Answer(200, body, {"X-Sapo-Api-Call-Limit": used, "X-Bizweb-Api-Call-Limit": used})


def web_client(url: str, time: FakeTime, **options: Any) -> WebClient:
    return make_web_client(
        url,
        api_key="k",
        api_secret="s",
        clock=time.clock,
        sleep=time.sleep,
        transport=httpx.HTTPTransport(),
        **options,
    )


LOCATIONS = {"locations": [{"id": 830001, "name": "Kho online"}]}


def test_pacing_keeps_a_long_run_under_the_bucket() -> None:
    """120 calls on a 40-call bucket leaking 2/s: no 429 at all, paced at the leak rate."""
    time = FakeTime()
    bucket = ServerBucket(time.clock, capacity=40, leak_rate=2.0)
    with (
        Loopback(lambda seen: bucket.answer(LOCATIONS)) as server,
        web_client(server.url, time) as web,
    ):
        for _ in range(120):
            web.locations()
    assert bucket.refused == 0 and bucket.peak <= 36
    # 36 at once, then one every half second for the other 84.
    assert time.elapsed() == pytest.approx(84 * 0.5)
    assert web.budget.limit == 40 and web.budget.used <= 36


def test_pacing_follows_usage_it_did_not_cause() -> None:
    """When the server already counts 35 calls (another process), the client slows down at once."""
    time = FakeTime()
    bucket = ServerBucket(time.clock, capacity=40, leak_rate=2.0, preload=35)
    with (
        Loopback(lambda seen: bucket.answer(LOCATIONS)) as server,
        web_client(server.url, time) as web,
    ):
        for _ in range(10):
            web.locations()
    assert bucket.refused == 0
    assert time.waits and time.elapsed() > 0


def test_429_without_retry_after_waits_the_fallback_then_succeeds() -> None:
    """A 429 with no Retry-After waits 2 s (fake) and the call is repeated, not failed."""
    time = FakeTime()
    answers = [Answer(429, {"errors": "Exceeded 2 calls per second"}), Answer(200, LOCATIONS)]
    with Loopback(lambda seen: answers.pop(0)) as server, web_client(server.url, time) as web:
        assert [loc.id for loc in web.locations()] == [830001]
    assert time.waits[0] == 2.0 and len(server.seen) == 2


def test_429_on_a_post_is_repeated_because_nothing_was_done() -> None:
    """Sapo refuses a 429 before acting, so even a create is sent again, and succeeds once."""
    time = FakeTime()
    customer = {"customer": {"id": 7, "name": "An", "phone_number": "0900000001"}}
    answers = [Answer(429, {"errors": "Exceeded"}, {"Retry-After": "1.0"}), Answer(201, customer)]
    with Loopback(lambda seen: answers.pop(0)) as server:
        pos = make_pos_client(
            server.url,
            access_token="t",
            clock=time.clock,
            sleep=time.sleep,
            transport=httpx.HTTPTransport(),
        )
        with pos:
            created = pos.create_customer(NewPosCustomer(name="An", phone="0900000001"))
    assert created.id == 7 and [s.method for s in server.seen] == ["POST", "POST"]
    assert server.seen[0].headers["x-sapo-access-token"] == "t"


def test_order_without_line_items_is_read_again_through_the_list() -> None:
    """A single order lacking line_items is re-read with ids= and the order's status (R17)."""
    single = load("web_order_without_line_items.json")
    full = dict(single["order"], line_items=load("web_order_two_lines.json")["order"]["line_items"])

    def script(seen: Seen) -> Answer:
        if seen.path == "/admin/orders/175000002.json":
            return Answer(200, single)
        return Answer(200, {"orders": [full]})

    time = FakeTime()
    with Loopback(script) as server, web_client(server.url, time) as web:
        order = web.order(175000002)
    assert order is not None and [li.sku for li in order.line_items] == ["ATB-M", "MU-01"]
    listed = server.seen[1]
    assert listed.path == "/admin/orders.json"
    assert listed.query["ids"] == "175000002" and listed.query["status"] == "cancelled"


def test_an_order_never_comes_without_lines() -> None:
    """A list entry without line_items is completed; if Sapo never sends them the order is
    a bad record (RecordError, issue 10), never an order without lines, and in a list read
    it comes as Unreadable while the orders behind it still arrive."""
    bare = load("web_order_without_line_items.json")["order"]
    full = dict(bare, line_items=load("web_order_two_lines.json")["order"]["line_items"])

    def script(seen: Seen) -> Answer:
        if seen.path == "/admin/orders/175000002.json":
            return Answer(200, {"order": full})
        statuses = {"cancelled": [bare]}
        return Answer(200, {"orders": statuses.get(seen.query.get("status", ""), [])})

    time = FakeTime()
    with Loopback(script) as server, web_client(server.url, time) as web:
        (order,) = list(web.orders())
    assert order.id == 175000002 and len(order.line_items) == 2

    other = dict(full, id=175000009, name="#1043", order_number=1043)

    def never(seen: Seen) -> Answer:
        if seen.path == "/admin/orders/175000002.json":
            return Answer(200, {"order": bare})
        if seen.query.get("ids") == "175000002":
            return Answer(200, {"orders": [bare]})
        statuses = {"cancelled": [bare, other]}
        return Answer(200, {"orders": statuses.get(seen.query.get("status", ""), [])})

    with Loopback(never) as server, web_client(server.url, time) as web:
        with pytest.raises(RecordError, match="without line_items twice"):
            web.order(175000002)
        bad, good = list(web.order_records())
    assert isinstance(bad, Unreadable) and (bad.id, bad.key) == (175000002, "id 175000002")
    assert "without line_items" in bad.reason
    assert isinstance(good, WebOrder) and good.name == "#1043"


def test_every_request_says_who_it_is() -> None:
    """Requests carry Basic auth, a sapo-sync User-Agent and JSON accept; nothing else leaks."""
    time = FakeTime()
    with (
        Loopback(lambda seen: Answer(200, LOCATIONS)) as server,
        web_client(server.url, time) as web,
    ):
        web.locations()
    headers = server.seen[0].headers
    assert headers["authorization"].startswith("Basic ")
    assert headers["user-agent"] == f"sapo-sync/{version('sapo-sync')}"
    assert "x-sapo-access-token" not in headers


def test_every_call_has_finite_timeouts() -> None:
    """Both clients connect and read under DEFAULT_TIMEOUT, so a Sapo that hangs never hangs a
    sync run; every limit is finite."""
    pos = make_pos_client("https://shop.mysapo.net", access_token="t")
    web = make_web_client("https://shop.mysapo.net", api_key="k", api_secret="s")
    with pos, web:
        assert pos.timeout == web.timeout == DEFAULT_TIMEOUT
    limits = (DEFAULT_TIMEOUT.connect, DEFAULT_TIMEOUT.read, DEFAULT_TIMEOUT.write)
    assert all(limit is not None and 0 < limit <= 60 for limit in limits)


# The ceilings of seven failures in a row: 0.5 s doubling, capped at 30 s.
CEILINGS = [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 30.0]


@pytest.mark.parametrize(
    ("jitter", "expected"),
    [
        (0.0, [c / 2 for c in CEILINGS]),
        (0.5, [c * 0.75 for c in CEILINGS]),
        (1.0, CEILINGS),
    ],
)
def test_backoff_is_exponential_scaled_by_the_factorys_jitter(
    jitter: float, expected: list[float]
) -> None:
    """The jitter given to the factory spreads each back-off between half and all of its
    exponential ceiling (0.5 s doubling, capped at 30 s), so clients do not retry in step."""
    time = FakeTime()
    answers = [Answer(503, {"errors": "Service Unavailable"})] * 7 + [Answer(200, LOCATIONS)]
    with (
        Loopback(lambda seen: answers.pop(0)) as server,
        web_client(server.url, time, max_attempts=8, jitter=lambda: jitter) as web,
    ):
        assert len(web.locations()) == 1
    assert time.waits == pytest.approx(expected) and len(server.seen) == 8


def test_a_garbled_answer_is_retried_on_a_read_and_unknown_on_a_create() -> None:
    """A 200 that is not JSON is read again; a 201 that is not JSON leaves the create unknown."""
    time = FakeTime()
    answers = [Answer(200, b"<html>maintenance</html>"), Answer(200, LOCATIONS)]
    with Loopback(lambda seen: answers.pop(0)) as server, web_client(server.url, time) as web:
        assert len(web.locations()) == 1
    with Loopback(lambda seen: Answer(201, b"<html>")) as server:
        pos = make_pos_client(
            server.url, access_token="t", sleep=time.sleep, transport=httpx.HTTPTransport()
        )
        with pos, pytest.raises(RetryableError) as caught:
            pos.create_customer(NewPosCustomer(name="An"))
    assert caught.value.outcome_unknown and len(server.seen) == 1


def test_a_redirect_means_a_wrong_address() -> None:
    """Sapo's API never redirects: a redirect (a login page) is Fatal and names the URL setting."""
    time = FakeTime()
    answer = Answer(302, b"", {"Location": "/admin/login"})
    with Loopback(lambda seen: answer) as server, web_client(server.url, time) as web:
        with pytest.raises(FatalError, match="check SAPO_WEB_URL"):
            web.locations()
        assert len(server.seen) == 1


def test_connection_refused_is_retried_even_for_a_create() -> None:
    """A create that never reached Sapo (connection refused) may be resent; it ends Retryable."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # free, and nobody listens once the probe closes
    time = FakeTime()
    pos = make_pos_client(
        f"http://127.0.0.1:{port}",
        access_token="t",
        clock=time.clock,
        sleep=time.sleep,
        transport=httpx.HTTPTransport(),
        max_attempts=3,
    )
    with pos, pytest.raises(RetryableError) as caught:
        pos.create_customer(NewPosCustomer(name="An"))
    assert not caught.value.outcome_unknown and len(time.waits) == 2


def test_missing_settings_are_named() -> None:
    """A client without URL or credentials says which setting is missing."""
    with pytest.raises(FatalError, match="SAPO_POS_URL"):
        make_pos_client("", access_token="t")
    with pytest.raises(FatalError, match=r"SAPO_POS_URL as https://.*got 'shop\.mysapo\.vn'"):
        make_pos_client("shop.mysapo.vn", access_token="t")
    with pytest.raises(
        FatalError, match="SAPO_WEB_API_KEY and SAPO_WEB_API_SECRET, or SAPO_WEB_ACCESS_TOKEN"
    ):
        make_web_client("https://shop.mysapo.net", api_key="only-key")
