"""Credentials and the leaky-bucket call limit of both fake APIs."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from sandbox import Sandbox
from sandbox.ratelimit import LeakyBucket
from tests.sandbox.conftest import KEY, SECRET, client

WRONG = [
    pytest.param(None, None, id="no-credentials"),
    pytest.param((KEY, "wrong"), None, id="wrong-secret"),
    pytest.param(("other", SECRET), None, id="wrong-key"),
    pytest.param(None, {"X-Sapo-Access-Token": "wrong"}, id="wrong-token"),
]


@pytest.mark.parametrize(("auth", "headers"), WRONG)
def test_web_refuses_bad_credentials_without_side_effect(
    sb: Sandbox, web: httpx.Client, auth: tuple[str, str] | None, headers: dict[str, str] | None
) -> None:
    """A Web call with bad credentials gets 401 `{"errors": ...}` and creates nothing."""
    before = web.get("/admin/products/count.json").json()["count"]
    with client(sb.web_url, auth=auth, headers=headers) as stranger:
        answer = stranger.post("/admin/products.json", json={"product": {"name": "Lậu"}})
    assert answer.status_code == 401
    assert isinstance(answer.json()["errors"], str)
    assert web.get("/admin/products/count.json").json()["count"] == before


@pytest.mark.parametrize(("auth", "headers"), WRONG)
def test_pos_refuses_bad_credentials_without_side_effect(
    sb: Sandbox, pos: httpx.Client, auth: tuple[str, str] | None, headers: dict[str, str] | None
) -> None:
    """A POS call with bad credentials gets 401 `{"error": {"message"}}` and creates nothing."""
    before = pos.get("/admin/customers").json()["metadata"]["total"]
    with client(sb.pos_url, auth=auth, headers=headers) as stranger:
        answer = stranger.post("/admin/customers.json", json={"customer": {"name": "Lậu"}})
    assert answer.status_code == 401
    assert answer.json()["error"]["message"]
    assert pos.get("/admin/customers").json()["metadata"]["total"] == before


def test_access_token_header_is_accepted_on_both_apis(sb: Sandbox) -> None:
    """The API secret sent as `X-Sapo-Access-Token` authenticates like Basic auth."""
    token = {"X-Sapo-Access-Token": SECRET}
    with client(sb.web_url, auth=None, headers=token) as web_app:
        assert web_app.get("/admin/store.json").json()["shop"]["currency"] == "VND"
    with client(sb.pos_url, auth=None, headers=token) as pos_app:
        assert pos_app.get("/admin/tenant.json").json()["tenant"]["currency"] == "VND"


def test_control_surface_needs_credentials(sb: Sandbox) -> None:
    """`/_sandbox/` refuses strangers, so a demo server cannot be reset by anyone."""
    with client(sb.base_url, auth=None) as stranger:
        assert stranger.post("/_sandbox/reset", json={"seed": "empty"}).status_code == 401
        assert stranger.get("/_sandbox/stats").status_code == 401
    assert sb.stats()["requests"] == {}


def test_every_answer_carries_the_call_limit_headers(web: httpx.Client, pos: httpx.Client) -> None:
    """Both APIs report `used/40` in `X-Sapo-Api-Call-Limit` and `X-Bizweb-Api-Call-Limit`."""
    for http, path in ((web, "/admin/products.json"), (pos, "/admin/products"), (web, "/x.json")):
        first = http.get(path)
        second = http.get(path)
        assert first.headers["X-Sapo-Api-Call-Limit"].endswith("/40")
        assert second.headers["X-Bizweb-Api-Call-Limit"] == second.headers["X-Sapo-Api-Call-Limit"]
        used_first = int(first.headers["X-Sapo-Api-Call-Limit"].split("/")[0])
        used_second = int(second.headers["X-Sapo-Api-Call-Limit"].split("/")[0])
        assert used_second >= used_first


class FakeClock:
    """A monotonic clock that moves only when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    """The rate limit's clock for the `small` sandbox."""
    return FakeClock()


@pytest.fixture
def small(clock: FakeClock) -> Iterator[Sandbox]:
    """A sandbox with a bucket of 5 leaking 0.5 calls/s: a burst of 6 overflows."""
    with Sandbox("empty", bucket=5, leak_rate=0.5, clock=clock) as sandbox:
        yield sandbox


def test_a_burst_overflows_with_429_and_retry_after(small: Sandbox, clock: FakeClock) -> None:
    """Calls 1-5 fill the bucket; the 6th gets 429 + Retry-After and is not executed."""
    with client(small.web_url) as web:
        used = []
        for n in range(5):
            answer = web.post("/admin/customers.json", json={"customer": {"first_name": f"K{n}"}})
            assert answer.status_code == 201
            used.append(answer.headers["X-Sapo-Api-Call-Limit"])
        refused = web.post("/admin/customers.json", json={"customer": {"first_name": "K5"}})
        retry_after = float(refused.headers["Retry-After"])
        clock.now += retry_after - 0.1
        assert web.get("/admin/customers/count.json").status_code == 429  # not yet
        clock.now += 0.1
        counted = web.get("/admin/customers/count.json")
    assert used == ["1/5", "2/5", "3/5", "4/5", "5/5"]
    assert refused.status_code == 429
    assert retry_after == 2.0  # one call's worth of leak at 0.5 calls/s
    assert refused.headers["X-Sapo-Api-Call-Limit"] == "5/5"
    assert "calls per second" in refused.json()["errors"]
    assert counted.status_code == 200
    assert counted.json() == {"count": 5}  # the refused customer was not created
    assert small.stats()["throttled"] == 2


def test_buckets_are_separate_per_api(small: Sandbox) -> None:
    """Filling the Web bucket leaves the POS bucket empty; control calls are not counted."""
    with client(small.web_url) as web, client(small.pos_url) as pos:
        codes = [web.get("/admin/products.json").status_code for _ in range(6)]
        small.stats()
        assert codes == [200] * 5 + [429]
        assert pos.get("/admin/products").headers["X-Sapo-Api-Call-Limit"] == "1/5"


def test_bucket_leaks_with_time() -> None:
    """With an injected clock, the bucket drains at the leak rate and frees room again."""
    now = [100.0]
    bucket = LeakyBucket(2, 0.5, clock=lambda: now[0])
    assert [bucket.hit().allowed for _ in range(3)] == [True, True, False]
    assert bucket.hit().retry_after == 2.0
    now[0] += 2.0
    verdict = bucket.hit()
    assert verdict.allowed
    assert verdict.header == "2/2"


def test_an_injected_clock_drives_the_served_rate_limit() -> None:
    """`Sandbox(clock=...)` leaks the buckets by the given clock, not by real time."""
    now = [1000.0]
    with (
        Sandbox("empty", bucket=2, leak_rate=0.5, clock=lambda: now[0]) as sandbox,
        client(sandbox.web_url) as web,
    ):
        codes = [web.get("/admin/products.json").status_code for _ in range(3)]
        assert codes == [200, 200, 429]
        now[0] += 1.9  # not yet one call's worth of leak
        assert web.get("/admin/products.json").status_code == 429
        now[0] += 0.1
        answer = web.get("/admin/products.json")
    assert answer.status_code == 200
    assert answer.headers["X-Sapo-Api-Call-Limit"] == "2/2"
