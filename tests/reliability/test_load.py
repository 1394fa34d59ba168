"""Load (issue 10): 200 Slack commands and button presses in a minute while the same process
links a 10 000-variant shop, and two admins pressing conflicting buttons on one link at the
same moment, on SQLite and PostgreSQL (R13-R17, R19).

Every request is acknowledged within Slack's 3 s and answered; a conflict ends in one of the
two requested states and the audit log shows both presses, in an order that explains it.
By default the 200 requests take 30 s (400 a minute); ``SAPO_SYNC_LONG=1`` spreads them
over the full minute, runs the load on PostgreSQL too and repeats the conflicts more often.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from bot.views import buttons as act
from sandbox import Sandbox
from storage import repo
from storage.engine import Database
from sync import links
from tests.bot.harness import ADMIN, Harness, Sent, button
from tests.reliability.conftest import bot_settings, link_status, linked_bot, running_bot
from tests.reliability.support import wait_for
from tests.support.db import database
from tests.support.fake_slack import FakeSlack

LONG = os.environ.get("SAPO_SYNC_LONG") == "1"
ADMIN_B = "U0ADMIN2"  # a second sync admin (SLACK_ADMIN_USERS is a comma-separated list)
ADMINS = f"{ADMIN},{ADMIN_B}"
ACK_LIMIT_S = 3.0  # past this Slack shows the person an error, whatever the bot does next
TARGET = {act.DISCONNECT: "disconnected", act.RECONNECT: "linked", act.UNLINK: "deleted"}


@dataclass(frozen=True, slots=True)
class Request:
    """One Slack request: what it is, how to send it, and what must come back."""

    kind: str
    send: Callable[[], Sent]
    answers: int = 1  # at least this many posts on its response URL
    says: str = ""  # a phrase its last answer holds
    user: str = ADMIN
    together: threading.Barrier | None = None  # pressed at the same moment as another


@dataclass(frozen=True, slots=True)
class Done:
    request: Request
    sent: Sent
    ack_s: float


def _timed(request: Request) -> Done:
    if request.together is not None:
        request.together.wait(timeout=30)
    started = time.perf_counter()
    sent = request.send()
    return Done(request, sent, time.perf_counter() - started)


def _conflict(
    bot: Harness, listing: dict[str, Any], sku: str, first: str, second: str
) -> tuple[Request, Request]:
    """Admin A presses ``first`` and admin B ``second`` on the same row at the same moment."""
    barrier = threading.Barrier(2)
    presses = []
    for user, action_id in ((ADMIN, first), (ADMIN_B, second)):
        block_id, element = button(listing["blocks"], action_id, sku)
        send = partial(bot.click, element, block_id=block_id, user=user, message=listing)
        presses.append(Request(f"conflict {action_id}", send, user=user, together=barrier))
    return presses[0], presses[1]


def _link_events(bot: Harness, sku: str) -> list[tuple[str, str, dict[str, Any]]]:
    """The people's presses on one link, oldest first: (actor, result, detail)."""
    ctx = bot.bot.deps.ctx
    with ctx.db.session() as s:
        rows = repo.list_audit(s, connection_id=ctx.connection_id, subject=sku, limit=100)
        return [
            (r.actor, r.result, dict(r.detail or {}))
            for r in reversed(rows)
            if r.action.startswith("link.") and r.actor in (ADMIN, ADMIN_B)
        ]


def _assert_conflict_settled(bot: Harness, sku: str, before: str, pair: list[Done]) -> None:
    """Both presses answered; the link in a state one of them asked for; the audit log holds
    both, each from the state the one before it left, so it explains the final state."""
    bot.idle(timeout=60)  # the winner's second answer, to the channel, is posted last
    for d in pair:
        assert d.sent.status == 200 and d.ack_s < ACK_LIMIT_S, (d.request.kind, d.ack_s)
    told = {d.request.user: str([a.body for a in bot.answers(d.sent)]) for d in pair}
    for text in told.values():
        assert "incident" not in text, text
    final = link_status(bot, sku)
    asked = {TARGET[d.request.kind.split()[-1]] for d in pair}
    assert final in asked, (sku, final, asked)
    events = _link_events(bot, sku)
    assert sorted(e[0] for e in events) == sorted([ADMIN, ADMIN_B]), (sku, events)
    state = before
    for actor, result, detail in events:
        assert detail.get("from") == state, (sku, events)
        if result == "refused":  # the loser is told why, in words an ops team can act on
            assert "deleted for good" in told[actor], (sku, told[actor])
            continue
        assert state != "deleted", f"{sku}: a deleted link came back: {events}"
        assert f"<@{actor}>" in told[actor], (sku, told[actor])  # the channel sees who
        state = result
    assert state == final, (sku, events, final)


# ------------------------------------------------------------------ two admins at once

# (admin A's button, admin B's button, the link's status before): the pairs one product
# row offers at the same time.
CONFLICTS = [
    pytest.param(act.DISCONNECT, act.UNLINK, "linked", id="disconnect-vs-delete"),
    pytest.param(act.RECONNECT, act.UNLINK, "disconnected", id="reconnect-vs-delete"),
]
ROUNDS = 6 if LONG else 3
DEMO_SKUS = ["DLD-38", "DLD-39", "DLD-40", "DLD-41", "GTT-38", "GTT-39"]  # linked in the demo


@pytest.fixture
def two_admins(database_url: str, slack: FakeSlack, shop_sandbox: Sandbox) -> Iterator[Harness]:
    """The bot on the linked demo shop with two sync admins, on each database."""
    with linked_bot(database_url, slack, shop_sandbox, slack_admin_users=ADMINS) as bot:
        yield bot


@pytest.mark.parametrize(("first", "second", "before"), CONFLICTS)
def test_two_admins_pressing_conflicting_buttons_on_one_link_end_in_one_of_their_states(
    two_admins: Harness, first: str, second: str, before: str
) -> None:
    """Admin A and admin B press two different buttons of one product row at the same
    moment, a few times over: both are acknowledged and answered, the link ends in the
    state one of them asked for, and the audit log holds both presses with their user ids
    (R15, R16)."""
    bot = two_admins
    for sku in DEMO_SKUS[:ROUNDS]:
        if before == "disconnected":
            links.disconnect(bot.bot.deps.ctx, sku, actor="test")
        assert link_status(bot, sku) == before
        listing = bot.answers(bot.command(f"products {sku}"))[0].body
        with ThreadPoolExecutor(2) as pool:
            pair = list(pool.map(_timed, _conflict(bot, listing, sku, first, second)))
        bot.idle()
        _assert_conflict_settled(bot, sku, before, pair)


# ------------------------------------------------------------------ 200 requests, one big cycle

REQUESTS = 200
BURST_S = 60.0 if LONG else 30.0  # 200 a minute, or twice that rate by default
SIZE = 10_000  # variants of the shop the cycle links (bench:N)
# The first link of bench:10 000 makes about 4 100 API calls; paced at this rate (the
# sandbox's bucket and our clients alike) it lasts at least 4 100 / rate seconds on any
# machine, longer than the burst it must cover (34 s against 30; 82 s against 60).
LEAK_RATE = 50.0 if LONG else 120.0
SENDERS = 8  # requests in flight at once


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param(
            "postgres",
            marks=[
                pytest.mark.postgres,
                pytest.mark.skipif(not LONG, reason="SAPO_SYNC_LONG=1 loads PostgreSQL too"),
            ],
        ),
    ]
)
def busy_bot(request: pytest.FixtureRequest, tmp_path: Path, slack: FakeSlack) -> Iterator[Harness]:
    """The bot (two admins) on a fresh ``bench:10000`` shop, its clients paced at
    ``LEAK_RATE``; nothing is linked yet."""
    with (
        Sandbox(f"bench:{SIZE}", bucket=40, leak_rate=LEAK_RATE) as sb,
        database(request.param, tmp_path) as url,
    ):
        migrated = Database(url)
        migrated.upgrade()
        migrated.dispose()
        settings = bot_settings(
            url,
            slack,
            sb,
            slack_admin_users=ADMINS,
            sapo_leak_rate=LEAK_RATE,
            log_level="WARNING",  # 4 000 API calls logged at INFO would be the load
        )
        with running_bot(settings, slack) as bot:
            yield bot


def _linked_count(bot: Harness) -> int:
    ctx = bot.bot.deps.ctx
    with ctx.db.session() as s:
        return repo.list_links(s, connection_id=ctx.connection_id, status="linked", limit=1)[1]


def _rows(bot: Harness, search: str, action_id: str) -> tuple[dict[str, Any], list[str]]:
    """A product list message and the SKUs of its rows that offer ``action_id``."""
    listing = bot.answers(bot.command(f"products {search}"))[0].body
    skus = [
        str(e["value"])
        for block in listing["blocks"]
        for e in block.get("elements") or [block.get("accessory") or {}]
        if e.get("action_id") == action_id
    ]
    return listing, skus


def _presses(bot: Harness, search: str, action_id: str, says: str) -> list[tuple[str, Request]]:
    """One press of ``action_id`` on each row of a product list that offers it."""
    listing, skus = _rows(bot, search, action_id)
    found = []
    for sku in skus:
        block_id, element = button(listing["blocks"], action_id, sku)
        send = partial(bot.click, element, block_id=block_id, message=listing)
        found.append((sku, Request(action_id, send, answers=2, says=says)))
    return found


@dataclass
class Mix:
    """The burst, and what it should leave behind."""

    requests: list[Request]
    disconnected: list[str]  # SKUs the burst disconnects
    reconnected: list[str]  # ... and reconnects
    conflicts: dict[str, tuple[Request, Request]]  # SKU -> two admins' presses at once


def _mix(bot: Harness) -> Mix:
    """200 requests, ten kinds in turn, two of the rounds with a conflict in them."""
    rounds = REQUESTS // 10
    first = bot.answers(bot.command("products"))[0].body
    next_block, next_button = button(first["blocks"], act.PAGE_NEXT)
    compare_block, compare_button = button(first["blocks"], act.COMPARE)
    disconnects = _presses(bot, "BP000001", act.DISCONNECT, "disconnected")
    disconnects += _presses(bot, "BP000002", act.DISCONNECT, "disconnected")
    for search in ("BP000003", "BP000004"):
        for sku in _rows(bot, search, act.DISCONNECT)[1]:
            links.disconnect(bot.bot.deps.ctx, sku, actor="test")
    reconnects = _presses(bot, "BP000003", act.RECONNECT, "reconnected")
    reconnects += _presses(bot, "BP000004", act.RECONNECT, "reconnected")
    assert len(disconnects) == len(reconnects) == rounds
    conflict_listing, conflict_skus = _rows(bot, "BP000005", act.DISCONNECT)
    conflicts = {
        sku: _conflict(bot, conflict_listing, sku, act.DISCONNECT, act.UNLINK)
        for sku in conflict_skus[:2]
    }

    def command(text: str, says: str) -> Request:
        return Request(text.split()[0], partial(bot.command, text), says=says)

    requests: list[Request] = []
    for i in range(rounds):
        sku = disconnects[i][0]
        requests += [
            command("status", "Sync status"),
            command("products", "Products"),
            command(f"products BP{i:05d}", "Products"),
            command("orders", "Web orders"),
            command("errors", "Sync errors"),
            command(f"compare {sku}", f"Compare {sku}"),
            Request(
                "next page",
                partial(bot.click, next_button, block_id=next_block, message=first),
                says="Showing 11",
            ),
            Request(
                "compare button",
                partial(bot.click, compare_button, block_id=compare_block, message=first),
                says="Compare",
            ),
            disconnects[i][1],
            reconnects[i][1],
        ]
    for n, pair in enumerate(conflicts.values()):  # instead of an orders and an errors
        at = (n * 2 + 1) * rounds // 4 * 10 + 3  # command, a quarter and three quarters in
        requests[at : at + 2] = pair
    return Mix(
        requests,
        [sku for sku, _ in disconnects],
        [sku for sku, _ in reconnects],
        conflicts,
    )


def _burst(requests: list[Request], seconds: float) -> list[Done]:
    """Send ``requests`` evenly over ``seconds`` from a few threads; time each ack."""
    gap = seconds / len(requests)
    start = time.monotonic()
    with ThreadPoolExecutor(SENDERS, thread_name_prefix="slack-load") as pool:
        futures = []
        for i, request in enumerate(requests):
            time.sleep(max(0.0, start + i * gap - time.monotonic()))  # the schedule, not a wait
            futures.append(pool.submit(_timed, request))
        return [f.result() for f in futures]


def _percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[min(len(ordered), max(1, round(share * len(ordered) + 0.5))) - 1]


@pytest.mark.slow
def test_two_hundred_slack_requests_during_a_10000_variant_first_link_are_all_answered(
    busy_bot: Harness,
) -> None:
    """While ``/sapo sync`` links a 10 000-variant shop in the same process, 200 commands
    and button presses (status, lists, search, compare, next page, disconnect, reconnect,
    and two admins' conflicting presses) arrive at 400 a minute: each is acknowledged with
    200 within Slack's 3 s and answered, every press took effect or was refused on the
    record, and the cycle ran through the whole burst and ended well (R13-R17, R19)."""
    bot = busy_bot
    cycle_started = time.monotonic()
    sync = bot.command("sync")
    assert sync.status == 200
    bot.answers(sync)  # "sync started", in the channel
    wait_for(lambda: _linked_count(bot) > 0, timeout=120, what="the first link's links")
    mix = _mix(bot)
    assert len(mix.requests) == REQUESTS
    assert len(bot.slack.calls(sync.response_key)) == 1, "the cycle ended before the burst"
    burst_started = time.monotonic()
    done = _burst(mix.requests, BURST_S)
    burst_s = time.monotonic() - burst_started
    assert len(bot.slack.calls(sync.response_key)) == 1, (
        "the cycle ended before the burst did: it must run throughout (lower LEAK_RATE)"
    )

    acks = [d.ack_s for d in done]
    assert [d.sent.status for d in done] == [200] * REQUESTS, [d.sent.body for d in done]
    late = [(d.request.kind, round(d.ack_s, 2)) for d in done if d.ack_s >= ACK_LIMIT_S]
    assert late == [], f"acknowledged after Slack's {ACK_LIMIT_S} s"
    for d in done:
        answers = bot.answers(d.sent, d.request.answers, timeout=120)
        told = str(answers[-1].body)  # headers are plain text: the whole payload
        refused = str(answers[-1].body.get("text", "")).startswith("⚠️")
        assert "incident" not in told, (d.request.kind, told)
        assert d.request.together is not None or not refused, (d.request.kind, told)
        assert d.request.says in told, (d.request.kind, d.request.says, told)

    report = bot.answers(sync, 2, timeout=300)[-1].body
    cycle_s = time.monotonic() - cycle_started
    assert report["text"].startswith("✅") and " 0 failed" in str(report), report
    assert [link_status(bot, sku) for sku in mix.disconnected] == ["disconnected"] * 20
    assert [link_status(bot, sku) for sku in mix.reconnected] == ["linked"] * 20
    for sku, presses in mix.conflicts.items():
        pair = [d for d in done if any(d.request is p for p in presses)]
        _assert_conflict_settled(bot, sku, "linked", pair)
    print(  # noqa: T201 - the figures issue 10 asks for; pytest shows them with -s or -rP
        f"\nload: {REQUESTS} Slack requests ({len(mix.conflicts)} conflicting pairs) in "
        f"{burst_s:.1f} s ({REQUESTS / burst_s * 60:.0f}/min), all answered, during a "
        f"{SIZE}-variant first link of {cycle_s:.1f} s (paced at {LEAK_RATE:g} calls/s): "
        f"ack p50 {_percentile(acks, 0.5) * 1000:.0f} ms, "
        f"p99 {_percentile(acks, 0.99) * 1000:.0f} ms, max {max(acks) * 1000:.0f} ms"
    )
