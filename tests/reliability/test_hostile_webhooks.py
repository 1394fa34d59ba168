"""Hostile webhook deliveries (issue 10): forged, malformed, oversized and replayed bodies get
a clear refusal, trigger nothing, leave nothing recorded, and the server keeps serving."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pytest
from sqlmodel import select

from sandbox import Sandbox
from storage.models import Delivery
from sync.context import SyncContext
from sync.scheduler import SyncScheduler
from sync.signing import SIGNATURE_HEADER, TOPIC_HEADER, sign
from sync.webhooks import delivery_key
from tests.bot.harness import Harness
from tests.reliability.conftest import bot_settings, running_bot
from tests.reliability.support import wait_for
from tests.support.fake_slack import FakeSlack

HOOK_SECRET = "hook-secret-for-the-hostile-tests"
TOPIC = "orders/create"


class Runs:
    """Counts each job's runs; the jobs do nothing else (the deliveries are under test)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.counts: Counter[str] = Counter()

    def job(self, name: str) -> Callable[[SyncContext], object]:
        def run(_ctx: SyncContext) -> object:
            with self._lock:
                self.counts[name] += 1
            return None

        return run

    def snapshot(self) -> Counter[str]:
        with self._lock:
            return Counter(self.counts)


@pytest.fixture
def hooked(db_url: str, slack: FakeSlack, shop_sandbox: Sandbox) -> Iterator[tuple[Harness, Runs]]:
    """The bot with webhooks on and a running scheduler whose jobs only count their runs."""
    runs = Runs()

    def scheduler(ctx: SyncContext, on_cycle: Sequence[Callable[[Any], None]]) -> SyncScheduler:
        jobs = {name: runs.job(name) for name in ("orders", "stock", "catalog")}
        return SyncScheduler(ctx, jobs=jobs, on_cycle=on_cycle)

    settings = bot_settings(db_url, slack, shop_sandbox, sapo_webhook_secret=HOOK_SECRET)
    with running_bot(settings, slack, with_scheduler=True, scheduler=scheduler) as bot:
        bot.bot.scheduler.start()
        wait_for(lambda: sum(runs.snapshot().values()) >= 3, what="the jobs' first runs")
        yield bot, runs


def _post(bot: Harness, raw: bytes, headers: dict[str, str], source: str = "web") -> Any:
    return bot.http.post(f"{bot.url}/webhooks/{source}", content=raw, headers=headers)


def _signed(raw: bytes, secret: str = HOOK_SECRET, topic: str = TOPIC) -> dict[str, str]:
    return {
        TOPIC_HEADER: topic,
        SIGNATURE_HEADER: sign(raw, secret),
        "Content-Type": "application/json",
    }


def _recorded(bot: Harness, raw: bytes, headers: dict[str, str]) -> bool:
    """Whether the server kept this delivery's idempotency key."""
    ctx = bot.bot.deps.ctx
    key = delivery_key("web", headers.get(TOPIC_HEADER, ""), raw, headers)
    with ctx.db.session() as s:
        found = s.exec(select(Delivery).where(Delivery.key == key)).first()  # short keys
    return found is not None


def test_forged_and_malformed_deliveries_are_refused_and_trigger_nothing(
    hooked: tuple[Harness, Runs],
) -> None:
    """A wrong, missing or garbled signature is 401; a valid signature on a body that is not
    a JSON object is 400; neither is recorded nor triggers a job (R5, R8 fast path)."""
    bot, runs = hooked
    before = runs.snapshot()
    body = b'{"id": 175000999, "name": "#1999"}'
    cases: list[tuple[bytes, dict[str, str], int]] = [
        (body, _signed(body, secret="not-the-secret"), 401),
        (body, {TOPIC_HEADER: TOPIC}, 401),
        (body, {TOPIC_HEADER: TOPIC, SIGNATURE_HEADER: "%%% not base64 %%%"}, 401),
        (body, {TOPIC_HEADER: TOPIC, SIGNATURE_HEADER: sign(body + b" ", HOOK_SECRET)}, 401),
        (b'{"id": 1, "name": "#1', _signed(b'{"id": 1, "name": "#1'), 400),
        (b"[1, 2, 3]", _signed(b"[1, 2, 3]"), 400),
        (b"", _signed(b""), 400),
        (b"\xff\xfe\x00garbage", _signed(b"\xff\xfe\x00garbage"), 400),
    ]
    for raw, headers, status in cases:
        response = _post(bot, raw, headers)
        assert response.status_code == status, (raw[:40], headers, response.text)
        assert response.json()["ok"] is False
        assert not _recorded(bot, raw, headers)
    unknown = _post(bot, body, _signed(body, topic="themes/publish"))
    assert (unknown.status_code, unknown.json()["result"]) == (200, "ignored")
    assert _post(bot, body, _signed(body), source="elsewhere").status_code == 404
    assert runs.snapshot() == before


def test_a_huge_delivery_is_refused_before_it_is_read(hooked: tuple[Harness, Runs]) -> None:
    """A body far larger than any Sapo delivery is refused with 413, signed or not, and the
    server keeps answering (no memory blow-up from a forged sender)."""
    bot, runs = hooked
    before = runs.snapshot()
    huge = b'{"id": 1, "pad": "' + b"x" * (16 * 1024 * 1024) + b'"}'
    for headers in (_signed(huge), _signed(huge, secret="forged")):
        response = _post(bot, huge, headers)
        assert response.status_code == 413, response.text
    # streamed without a Content-Length (chunked): cut off once past the limit
    chunks = iter([b'{"pad": "'] + [b"y" * 65536] * 256 + [b'"}'])
    response = bot.http.post(f"{bot.url}/webhooks/web", content=chunks, headers=_signed(b""))
    assert response.status_code == 413, response.text
    assert runs.snapshot() == before
    assert bot.http.get(f"{bot.url}/healthz").status_code in (200, 503)


def test_a_replayed_delivery_is_handled_once_and_the_server_keeps_serving(
    hooked: tuple[Harness, Runs],
) -> None:
    """The same signed delivery sent again is a duplicate: 200, no second job run; a new
    delivery afterwards is still accepted (R5 fast path, idempotent)."""
    bot, runs = hooked
    raw = b'{"id": 175000777, "name": "#1777", "modified_on": "2026-01-01T00:00:00Z"}'
    first = _post(bot, raw, _signed(raw))
    assert first.json()["result"] == "accepted"
    wait_for(lambda: runs.snapshot()["orders"] >= 2, what="the triggered order run")
    settled = runs.snapshot()["orders"]
    for _ in range(3):
        again = _post(bot, raw, _signed(raw))
        assert (again.status_code, again.json()["result"]) == (200, "duplicate")
    assert runs.snapshot()["orders"] == settled
    other = raw.replace(b"00:00:00", b"00:00:01")
    assert _post(bot, other, _signed(other)).json()["result"] == "accepted"
