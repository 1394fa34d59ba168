"""Faults injected by the sandbox: retried when safe, never a second create, errors named right."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import pytest

from sandbox import Sandbox
from sandbox.seeds import DEMO_PRICE_LIST_IDS, DEMO_WEB_LOCATION_ID, DEMO_WEB_ORDER_SOURCE_ID
from sync.clients import make_pos_client, make_web_client
from sync.clock import FakeClock
from sync.domain import NewPosCustomer, NewPosOrder, NewPosOrderLine, NewWebProduct, NewWebVariant
from sync.errors import FatalError, RetryableError
from tests.support.sapo import clients_for

BRANCH = 58001


@pytest.fixture(scope="module")
def roomy() -> Iterator[Sandbox]:
    """A sandbox whose bucket never fills, so these tests see only the faults they inject."""
    with Sandbox("demo", bucket=10_000, leak_rate=1_000.0) as sb:
        yield sb


@pytest.fixture
def sb(roomy: Sandbox) -> Sandbox:
    roomy.reset("demo")
    return roomy


def fake_time() -> tuple[FakeClock, list[float], Callable[[float], None]]:
    clock = FakeClock(datetime(2026, 3, 6, tzinfo=UTC))
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        clock.advance(seconds)

    return clock, waits, sleep


def outage_ends_after(
    sb: Sandbox, api: str, waits: int
) -> tuple[list[float], Callable[[float], None]]:
    """A sleep that ends the injected fault once the client has backed off ``waits`` times."""
    seen: list[float] = []

    def sleep(seconds: float) -> None:
        seen.append(seconds)
        if len(seen) == waits:
            sb.set_faults(api)  # the outage is over while we wait

    return seen, sleep


def requests(sb: Sandbox, key: str) -> int:
    return int(sb.stats()["requests"].get(key, 0))


def test_random_5xx_on_reads_do_not_change_what_is_read(sb: Sandbox) -> None:
    """With 30% of answers failing, full reads still return exactly the fault-free data."""
    pos, web = clients_for(sb)
    with pos, web:
        expected = (
            [p.id for p in pos.products()],
            [p.id for p in web.products()],
            len(list(web.orders())),
        )
    clock, waits, sleep = fake_time()
    sb.set_faults("both", error_rate=0.3, status=503)
    pos, web = clients_for(sb, clock=clock, sleep=sleep, max_attempts=8)
    with pos, web:
        got = (
            [p.id for p in pos.products()],
            [p.id for p in web.products()],
            len(list(web.orders())),
        )
    assert got == expected
    assert sb.stats()["faults_injected"] > 0 and waits  # it did retry, on the fake clock


def test_an_outage_on_a_read_is_waited_out_with_growing_backoff(sb: Sandbox) -> None:
    """Every answer fails (502) until the outage ends; then the read succeeds with the data."""
    sb.set_faults("web", error_rate=1.0, status=502)
    waits, sleep = outage_ends_after(sb, "web", 3)
    pos, web = clients_for(sb, sleep=sleep, max_attempts=5)
    with pos, web:
        assert [loc.id for loc in web.locations()] == [DEMO_WEB_LOCATION_ID]
    assert len(waits) == 3 and waits[0] < waits[2]  # exponential back-off (with jitter)
    assert requests(sb, "web GET /admin/locations.json") == 4


def test_latency_beyond_the_read_timeout_is_survived(sb: Sandbox) -> None:
    """A read that times out is sent again and succeeds once the latency is gone."""
    sb.set_faults("pos", latency_ms=400)
    waits, sleep = outage_ends_after(sb, "pos", 1)
    pos, web = clients_for(sb, sleep=sleep, timeout=httpx.Timeout(2.0, read=0.1))
    with pos, web:
        assert len(pos.price_lists()) == 3
    assert len(waits) == 1
    assert requests(sb, "pos GET /admin/price_lists.json") == 2


def test_moderate_latency_is_just_slow(sb: Sandbox) -> None:
    """Latency under the read timeout needs no retry at all."""
    sb.set_faults("both", latency_ms=50)
    pos, web = clients_for(sb, sleep=lambda s: pytest.fail("no retry expected"))
    with pos, web:
        assert len(pos.locations()) == 3 and len(web.locations()) == 1


def test_a_read_that_never_recovers_ends_as_retryable(sb: Sandbox) -> None:
    """After max_attempts the caller gets RetryableError (try later), never a FatalError."""
    sb.set_faults("web", error_rate=1.0, status=500)
    clock, waits, sleep = fake_time()
    pos, web = clients_for(sb, clock=clock, sleep=sleep, max_attempts=4)
    with pos, web, pytest.raises(RetryableError) as caught:
        web.count_products()
    assert caught.value.status == 500 and not caught.value.outcome_unknown
    assert requests(sb, "web GET /admin/products/count.json") == 4 and len(waits) == 3


def test_dropped_answer_to_an_order_post_is_outcome_unknown_and_never_resent(sb: Sandbox) -> None:
    """A POST whose answer is lost raises outcome_unknown; Sapo holds exactly one order (R17)."""
    pos, web = clients_for(sb, sleep=lambda s: pytest.fail("a POST must not be retried"))
    with pos, web:
        variant = next(iter(pos.products())).variants[0]
        with sb.state.lock:
            before = len(sb.state.pos.orders)
        sb.set_faults("pos", drop_after_commit_rate=1.0)
        new = NewPosOrder(
            reference_number="#1200",
            location_id=BRANCH,
            price_list_id=DEMO_PRICE_LIST_IDS["BANLE"],
            source_id=DEMO_WEB_ORDER_SOURCE_ID,
            lines=(NewPosOrderLine(variant_id=variant.id, quantity=Decimal(1), price=100000),),
        )
        with pytest.raises(RetryableError) as caught:
            pos.create_order(new)
        assert caught.value.outcome_unknown
        assert requests(sb, "pos POST /admin/orders.json") == 1
        with sb.state.lock:
            assert len(sb.state.pos.orders) == before + 1
        sb.set_faults("pos")
        found = pos.find_order_by_reference("#1200")
        assert found is not None and found.location_id == BRANCH


def test_dropped_answer_to_product_and_customer_posts(sb: Sandbox) -> None:
    """Every create (web product, POS customer) behaves the same: one request, outcome unknown."""
    sb.set_faults("both", drop_after_commit_rate=1.0)
    pos, web = clients_for(sb, sleep=lambda s: pytest.fail("a POST must not be retried"))
    with pos, web:
        new = NewWebProduct(name="Khăn lụa", variants=(NewWebVariant(sku="KL-01", price=90000),))
        with pytest.raises(RetryableError) as product_error:
            web.create_product(new)
        with pytest.raises(RetryableError) as customer_error:
            pos.create_customer(NewPosCustomer(name="Lê Hoa", phone="0933000444"))
    assert product_error.value.outcome_unknown and customer_error.value.outcome_unknown
    assert requests(sb, "web POST /admin/products.json") == 1
    assert requests(sb, "pos POST /admin/customers.json") == 1
    with sb.state.lock:
        assert sum(v.sku == "KL-01" for v in sb.state.web.variants.values()) == 1
        assert sum(c["phone_number"] == "0933000444" for c in sb.state.pos.customers.values()) == 1


def test_5xx_on_a_post_is_not_resent(sb: Sandbox) -> None:
    """A 5xx answer to a create may come after the write: outcome unknown, one request only."""
    sb.set_faults("pos", error_rate=1.0, status=503)
    pos, web = clients_for(sb, sleep=lambda s: pytest.fail("a POST must not be retried"))
    with pos, web, pytest.raises(RetryableError) as caught:
        pos.create_customer(NewPosCustomer(name="Lê Hoa", phone="0933000444"))
    assert caught.value.outcome_unknown and caught.value.status == 503
    assert requests(sb, "pos POST /admin/customers.json") == 1


def test_dropped_answer_to_set_stock_is_retried_because_put_is_idempotent(sb: Sandbox) -> None:
    """PUT set.json is safe to repeat: a lost answer is retried and the level ends right (R8)."""
    pos, web = clients_for(sb)
    with pos, web:
        variant = next(v for p in web.products() for v in p.variants if v.tracked)
    sb.set_faults("web", drop_after_commit_rate=1.0)
    waits, sleep = outage_ends_after(sb, "web", 1)
    pos, web = clients_for(sb, sleep=sleep)
    with pos, web:
        web.set_stock(
            inventory_item_id=variant.inventory_item_id,
            location_id=DEMO_WEB_LOCATION_ID,
            available=Decimal(6),
        )
        (level,) = web.inventory_levels(inventory_item_ids=[variant.inventory_item_id])
    assert level.available == Decimal(6) and len(waits) == 1
    assert requests(sb, "web PUT /admin/inventory_levels/set.json") == 2


def test_401_is_fatal_and_names_the_credential(sb: Sandbox) -> None:
    """Wrong credentials stop at once with a message naming the settings to fix, not the secret."""
    pos, web = clients_for(sb, api_secret="wrong-secret", sleep=lambda s: pytest.fail("no retry"))
    with pos, web:
        with pytest.raises(FatalError) as caught:
            pos.locations()
        with pytest.raises(FatalError, match="SAPO_WEB_API_KEY/SAPO_WEB_API_SECRET rejected"):
            web.products_by_ids([1])
    assert str(caught.value).startswith("SAPO_POS_API_KEY/SAPO_POS_API_SECRET rejected (401)")
    assert "wrong-secret" not in str(caught.value)
    assert requests(sb, "pos GET /admin/locations.json") == 1
    token = make_web_client(sb.web_url, access_token="bad-token", transport=httpx.HTTPTransport())
    with token, pytest.raises(FatalError, match="SAPO_WEB_ACCESS_TOKEN rejected"):
        token.locations()


class SharedFakeTime:
    """One fake time for the sandbox's buckets and every client thread: a sleep moves it on
    for everybody, so a burst of 429s is waited out without real time passing."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._start = datetime(2026, 3, 6, tzinfo=UTC)
        self._now = self._start
        self._ready: Callable[[], bool] = lambda: True
        self._started = threading.Event()

    def hold(self, ready: Callable[[], bool]) -> None:
        """Keep time still until ``ready()``, so the opening race is the same on every run."""
        self._ready = ready

    def clock(self) -> datetime:
        with self._lock:
            return self._now

    def monotonic(self) -> float:
        with self._lock:
            return (self._now - self._start).total_seconds()

    def sleep(self, seconds: float) -> None:
        deadline = time.monotonic() + 10
        while not self._started.is_set():
            if self._ready():
                self._started.set()
            elif time.monotonic() > deadline:
                pytest.fail("the opening calls never all reached the sandbox")
            else:
                time.sleep(0.002)  # real: waiting on the other threads, not pacing
        with self._lock:
            self._now += timedelta(seconds=seconds)


def test_429_burst_ends_with_every_call_done_once() -> None:
    """Four clients starting together on a 2-call bucket all finish; each create happened once;
    the burst runs on one fake clock shared with the sandbox, so it costs no real waiting."""
    shoppers, per_client = 4, 3
    fake = SharedFakeTime()
    transport = httpx.HTTPTransport()  # one pool for all: building TLS contexts is what is slow
    with Sandbox("demo", bucket=2, leak_rate=5.0, clock=fake.monotonic) as sb:
        sb.reset_stats()  # also opens the control client here, not in four threads at once
        fake.hold(lambda: requests(sb, "pos POST /admin/customers.json") >= shoppers)
        clients = [
            make_pos_client(
                sb.pos_url,
                api_key=sb.api_key,
                api_secret=sb.api_secret,
                clock=fake.clock,
                sleep=fake.sleep,
                transport=transport,
                leak_rate=5.0,
            )
            for _ in range(shoppers)
        ]
        errors: list[Exception] = []
        start = threading.Barrier(shoppers)

        def shopper(n: int) -> None:
            try:
                start.wait(timeout=10)  # the first calls race: more than the bucket holds
                for i in range(per_client):
                    new = NewPosCustomer(name=f"Khách {n}-{i}", phone=f"09{n}{i:07d}")
                    clients[n].create_customer(new)
            except Exception as exc:  # collected: a thread cannot fail the test itself
                errors.append(exc)

        threads = [threading.Thread(target=shopper, args=(n,)) for n in range(shoppers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        for client in clients:
            client.close()
        assert errors == [] and not any(t.is_alive() for t in threads)
        stats = sb.stats()
        with sb.state.lock:
            names = [c["name"] for c in sb.state.pos.customers.values()]
    made = [name for name in names if name.startswith("Khách ")]
    expected = [f"Khách {n}-{i}" for n in range(shoppers) for i in range(per_client)]
    assert sorted(made) == sorted(expected)
    assert stats["throttled"] >= 2  # four opening calls on a 2-call bucket at one instant
    posts = stats["requests"]["pos POST /admin/customers.json"]
    assert posts == shoppers * per_client + stats["throttled"]


def throttled_wait(sb: Sandbox, api: str) -> float:
    """The Retry-After the sandbox sends while throttling ``api``, read with a plain request."""
    url = sb.pos_url if api == "pos" else sb.web_url
    with httpx.Client(auth=(sb.api_key, sb.api_secret), trust_env=False, timeout=10.0) as raw:
        response = raw.get(f"{url}/admin/locations.json")
    assert response.status_code == 429
    return float(response.headers["Retry-After"])


def bounded_fake_time(deadline_s: float) -> tuple[FakeClock, list[float], Callable[[float], None]]:
    """``fake_time`` whose sleep fails the test once waits run far past the deadline."""
    clock, waits, advance = fake_time()

    def sleep(seconds: float) -> None:
        advance(seconds)
        if sum(waits) > 10 * deadline_s:
            pytest.fail(f"still retrying after {sum(waits):.1f} s on a {deadline_s} s deadline")

    return clock, waits, sleep


def test_throttled_read_waits_retry_after_and_gives_up_at_the_deadline(sb: Sandbox) -> None:
    """Under a lasting 429 a read waits Sapo's Retry-After each time (not the 2 s fallback) and
    ends as a plain RetryableError 429 within the deadline, never as outcome-unknown."""
    sb.set_faults("web", throttle=True)
    retry_after = throttled_wait(sb, "web")
    sb.reset_stats()
    clock, waits, sleep = bounded_fake_time(5.0)
    pos, web = clients_for(sb, clock=clock, sleep=sleep, deadline_s=5.0)
    with pos, web, pytest.raises(RetryableError) as caught:
        web.locations()
    assert caught.value.status == 429 and not caught.value.outcome_unknown
    assert caught.value.retry_after == retry_after
    sent = requests(sb, "web GET /admin/locations.json")
    assert 2 <= sent <= 5.0 / retry_after + 1
    # Each retry first waits the header's value, then whatever the pacing still asks.
    header_waits = waits[0::2]
    assert len(header_waits) == sent - 1 and set(header_waits) == {retry_after}
    assert sum(waits) <= 5.0


def test_throttled_create_is_resent_only_while_refused_and_never_made(sb: Sandbox) -> None:
    """A POST refused with 429 is sent again (nothing was done) until the deadline, then ends
    as RetryableError 429, not outcome-unknown; Sapo holds no such customer (R20)."""
    sb.set_faults("pos", throttle=True)
    retry_after = throttled_wait(sb, "pos")
    sb.reset_stats()
    clock, waits, sleep = bounded_fake_time(5.0)
    pos, web = clients_for(sb, clock=clock, sleep=sleep, deadline_s=5.0)
    with pos, web, pytest.raises(RetryableError) as caught:
        pos.create_customer(NewPosCustomer(name="Lê Hoa", phone="0933000555"))
    assert caught.value.status == 429 and not caught.value.outcome_unknown
    sent = requests(sb, "pos POST /admin/customers.json")
    assert 2 <= sent <= 5.0 / retry_after + 1
    assert set(waits[0::2]) == {retry_after} and sum(waits) <= 5.0
    with sb.state.lock:
        assert not any(c["phone_number"] == "0933000555" for c in sb.state.pos.customers.values())
