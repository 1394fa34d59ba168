"""A web order Sapo sends in a form we cannot parse (issue 10: "Sapo answers ... missing fields")
is skipped and reported, never a wall: every other order still goes to POS exactly once, the
bad one is an order error (R19) and is read again each run until it reads, then goes (R5, R17)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from bot.main import build_app
from bot.views import buttons as act
from sandbox import Sandbox
from sandbox.seeds import DEMO_PRESETUP_ORDER_IDS
from storage import repo
from storage.models import SyncErrorRow
from sync.clients import make_web_client
from sync.clock import FakeClock
from sync.context import SyncContext
from sync.cycle import catalog_pass
from sync.engine import run_cycle
from sync.orders import CURSOR, CURSOR_FORMAT, push_orders
from sync.problems import dismiss
from tests.bot.conftest import settings_for
from tests.bot.harness import ALERTS, Harness, buttons, mrkdwn, serve
from tests.e2e.test_orders import Shop, demo_shop
from tests.reliability.proxy import Spoil, SpoilingProxy, edited
from tests.support.fake_slack import FakeSlack
from tests.support.sapo import TEST_TIMEOUT, place_web_order

ORDER_READS = r"^/web/admin/orders"  # the list and the single-order read


@dataclass
class Spoiled:
    """The demo shop whose engine reads the web through a proxy that can spoil answers."""

    shop: Shop
    proxy: SpoilingProxy
    ctx: SyncContext

    def pos_references(self) -> list[str]:
        return sorted(o["reference_number"] for o in self.shop.pos_orders())

    def pos_codes(self) -> list[str]:
        return [o["code"] for o in self.shop.pos_orders()]

    def open_errors(self) -> list[SyncErrorRow]:
        """The open order errors (the demo catalog has product errors of its own)."""
        with self.ctx.db.session() as s:
            return list(repo.open_errors(s, connection_id=self.ctx.connection_id, kind="order"))

    def error(self, subject: str, code: str) -> SyncErrorRow:
        with self.ctx.db.session() as s:
            key = repo.fingerprint("order", subject, code)
            found = repo.errors_by_fingerprint(
                s, connection_id=self.ctx.connection_id, fingerprints=[key]
            )
        return found[key]

    def cursor(self) -> datetime:
        with self.ctx.db.session() as s:
            value = repo.get_cursor(s, connection_id=self.ctx.connection_id, resource=CURSOR)
        assert value is not None
        return datetime.fromisoformat(value)

    def move_cursor(self, to: datetime) -> None:
        """As if the order runs had gone on for a while: the list no longer reaches back."""
        with self.ctx.db.session() as s:
            repo.advance_cursor(
                s,
                connection_id=self.ctx.connection_id,
                resource=CURSOR,
                value=to.astimezone(UTC).strftime(CURSOR_FORMAT),
                now=datetime.now(UTC),
            )
            s.commit()


@contextmanager
def spoiled_shop(url: str, *, leak_rate: float = 1000.0) -> Iterator[Spoiled]:
    with demo_shop(url, leak_rate=leak_rate) as shop, SpoilingProxy(shop.sb.base_url) as proxy:
        web = make_web_client(
            f"{proxy.url}/web",
            api_key=shop.sb.api_key,
            api_secret=shop.sb.api_secret,
            leak_rate=leak_rate,
            timeout=TEST_TIMEOUT,
            deadline_s=60.0,
            transport=httpx.HTTPTransport(),
        )
        with web:
            yield Spoiled(shop, proxy, replace(shop.ctx, web=web))


@pytest.fixture
def spoiled(tmp_path: Any) -> Iterator[Spoiled]:
    with spoiled_shop(f"sqlite:///{tmp_path}/shop.db") as shop:
        yield shop


def garbled(order_id: int, change: Callable[[dict[str, Any]], None]) -> Spoil:
    """Sapo's answer with ``change`` done to order ``order_id`` wherever it appears in it."""

    def spoil(data: Any) -> None:
        found = data.get("orders") or [data.get("order")]
        for order in found:
            if isinstance(order, dict) and order.get("id") == order_id:
                change(order)

    return edited(spoil)


def quantity_in_words(order: dict[str, Any]) -> None:
    order["line_items"][0]["quantity"] = "hai"


def test_a_garbled_order_is_skipped_reported_and_pushed_once_it_reads(database_url: str) -> None:
    """The orders around a garbled one go to POS once; it fails as an order error naming it
    and why (R19), stays out of POS while garbled however often the runs go, is read again
    by id after the list has moved on, and goes once Sapo answers properly (R5, R17)."""
    with spoiled_shop(database_url) as spoiled:
        shop = spoiled.shop
        first = shop.place([("MBH", 1)])
        bad = shop.place([("ASML-M", 1)])
        last = shop.place([("ATCB-TRANG-S", 1)])
        spoiled.proxy.spoil("GET", ORDER_READS, garbled(bad["id"], quantity_in_words))

        runs = [push_orders(spoiled.ctx) for _ in range(2)]
        verdicts = {o.order_name: (o.verdict, o.code) for o in runs[0].outcomes}
        assert verdicts == {
            first["name"]: ("push", None),
            bad["name"]: ("fail", "invalid_record"),
            last["name"]: ("push", None),
        }
        assert [r.unreadable for r in runs] == [1, 1]
        assert runs[1].pushed == ()
        assert spoiled.pos_references() == sorted([first["name"], last["name"]])
        [error] = spoiled.open_errors()
        assert (error.kind, error.subject, error.code) == ("order", bad["name"], "invalid_record")
        assert "not a number" in error.message and "'hai'" in error.message
        reason = "Sapo sent a quantity that is not a number: 'hai'"
        assert error.params == {"order": bad["name"], "error": reason}  # for BOT_LANGUAGE

        spoiled.move_cursor(datetime.now(UTC) + timedelta(hours=1))
        spoiled.proxy.clear()
        [outcome] = push_orders(spoiled.ctx).outcomes
        assert (outcome.order_name, outcome.verdict) == (bad["name"], "push")
        assert spoiled.pos_references() == sorted([first["name"], bad["name"], last["name"]])
        assert spoiled.open_errors() == []
        assert spoiled.error(bad["name"], "invalid_record").resolved_at is not None


def place_many(shop: Shop, sku: str, count: int) -> list[dict[str, Any]]:
    """``count`` shoppers' orders of one ``sku`` each, over one HTTP connection."""
    line = {"variant_id": shop.web_variant_id(sku), "quantity": 1}
    body = {"line_items": [line], "phone": "0911000111", "financial_status": "paid"}
    with httpx.Client(
        base_url=shop.sb.web_url, auth=(shop.sb.api_key, shop.sb.api_secret), trust_env=False
    ) as http:
        answers = [http.post("/admin/orders.json", json={"order": body}) for _ in range(count)]
    return [a.raise_for_status().json()["order"] for a in answers]


def test_orders_on_the_same_and_later_pages_go_once(tmp_path: Any) -> None:
    """253 orders fill two pages of the list; the third is garbled: the other 252, on its
    page and on the next, reach POS once each, and the garbled one waits as an error."""
    with spoiled_shop(f"sqlite:///{tmp_path}/shop.db") as spoiled:
        shop = spoiled.shop
        placed = place_many(shop, "MBH", 253)
        bad = placed[2]
        spoiled.proxy.spoil("GET", ORDER_READS, garbled(bad["id"], quantity_in_words))
        shop.sb.reset_stats()

        result = push_orders(spoiled.ctx)

        assert shop.sb.stats()["requests"]["web GET /admin/orders.json"] >= 4  # 2 open pages
        assert (result.read, result.unreadable, len(result.pushed)) == (252, 1, 252)
        references = spoiled.pos_references()
        assert references == sorted(o["name"] for o in placed if o is not bad)
        assert [(e.subject, e.code) for e in spoiled.open_errors()] == [
            (bad["name"], "invalid_record")
        ]


def test_the_dry_run_names_a_garbled_order_and_writes_nothing(spoiled: Spoiled) -> None:
    """--dry-run lists the garbled order as failing with its reason; nothing is stored."""
    good = spoiled.shop.place([("MBH", 1)])
    bad = spoiled.shop.place([("ASML-M", 1)])
    spoiled.proxy.spoil("GET", ORDER_READS, garbled(bad["id"], quantity_in_words))
    preview = push_orders(spoiled.ctx, dry_run=True)
    verdicts = {o.order_name: (o.verdict, o.code) for o in preview.outcomes}
    assert verdicts == {good["name"]: ("push", None), bad["name"]: ("fail", "invalid_record")}
    assert preview.unreadable == 1
    assert "not a number" in next(o.reason for o in preview.outcomes if o.verdict == "fail")
    with spoiled.ctx.db.session() as s:
        assert repo.list_orders(s, connection_id=spoiled.ctx.connection_id)[1] == 0
    assert spoiled.open_errors() == [] and spoiled.pos_references() == []


def test_a_catalog_pass_is_not_stopped_by_a_garbled_order(spoiled: Spoiled) -> None:
    """The catalog pass stores new web orders first (the in-flight ledger); a garbled one no
    longer stops it, so stock keeps flowing (R8) while the order shows as an error (R19)."""
    bad = spoiled.shop.place([("ASML-M", 1)])
    spoiled.proxy.spoil("GET", ORDER_READS, garbled(bad["id"], quantity_in_words))
    assert catalog_pass(spoiled.ctx, actor="scheduler").ok
    assert [(e.subject, e.code) for e in spoiled.open_errors()] == [(bad["name"], "invalid_record")]


def test_a_garbled_order_from_before_setup_is_left_alone(spoiled: Spoiled) -> None:
    """An order placed before setup is never pushed (R5): garbled after an edit, it is
    neither an error nor a reason to hold the order cursor back."""
    old = DEMO_PRESETUP_ORDER_IDS[0]
    spoiled.proxy.spoil("GET", ORDER_READS, garbled(old, lambda o: o.pop("id")))
    with httpx.Client(
        base_url=spoiled.shop.sb.web_url,
        auth=(spoiled.shop.sb.api_key, spoiled.shop.sb.api_secret),
        trust_env=False,
    ) as http:
        http.put(
            f"/admin/orders/{old}.json", json={"order": {"note": "gọi lại"}}
        ).raise_for_status()
    new = spoiled.shop.place([("MBH", 1)])
    result = push_orders(spoiled.ctx)
    assert (result.unreadable, [o.order_name for o in result.pushed]) == (0, [new["name"]])
    assert spoiled.open_errors() == []
    assert spoiled.cursor() >= datetime.fromisoformat(new["created_on"].replace("Z", "+00:00"))


def test_an_order_without_id_holds_the_cursor_until_it_reads(
    spoiled: Spoiled, caplog: pytest.LogCaptureFixture
) -> None:
    """An order sent without its id cannot be read again by id: it is an error under its
    name with a warning in the log, and the order cursor stays at it, so an hour of later
    runs still see it, and it goes once Sapo sends its id again (issue 10)."""
    shop = spoiled.shop
    clock = FakeClock(datetime.now(UTC) + timedelta(seconds=1))
    shop.sb.state.clock = clock  # Sapo's clock, so orders can be placed minutes apart
    ctx = replace(spoiled.ctx, clock=clock)
    bad = shop.place([("ASML-M", 1)])
    spoiled.proxy.spoil("GET", ORDER_READS, garbled(bad["id"], lambda o: o.pop("id")))
    clock.advance(600)
    good = shop.place([("MBH", 1)])
    clock.advance(5)

    with caplog.at_level(logging.WARNING, logger="sync.order_unreadable"):
        first = push_orders(ctx)
    assert [(o.order_name, o.verdict) for o in first.pushed] == [(good["name"], "push")]
    assert first.unreadable == 1
    assert any(bad["name"] in r.getMessage() for r in caplog.records)
    [error] = spoiled.open_errors()
    assert (error.subject, error.code) == (bad["name"], "unreadable_no_id")
    assert error.params == {"order": bad["name"], "error": "Sapo sent a web order without id"}

    for _ in range(6):  # an hour of runs: the list still reaches back to the bad order
        clock.advance(600)
        assert push_orders(ctx).unreadable == 1
    held = spoiled.cursor()
    assert held <= datetime.fromisoformat(bad["modified_on"].replace("Z", "+00:00"))

    spoiled.proxy.clear()
    clock.advance(60)
    assert [o.order_name for o in push_orders(ctx).pushed] == [bad["name"]]
    assert spoiled.pos_references() == sorted([bad["name"], good["name"]])
    assert spoiled.open_errors() == []
    assert push_orders(ctx).outcomes == ()
    assert spoiled.cursor() > held  # read, so the cursor moves on


def _anonymous(order: dict[str, Any]) -> None:
    for key in ("id", "name", "order_number", "number", "token", "checkout_token", "cart_token"):
        order.pop(key, None)


def test_an_order_with_nothing_to_name_it_keeps_one_error_while_it_changes(
    spoiled: Spoiled,
) -> None:
    """Without id, name, number or token, the order's error is keyed by a digest of what
    does not change in an order's life: a note added on the web between two runs leaves one
    error seen twice, not two errors; it resolves once the order reads (R19)."""
    bad = spoiled.shop.place([("ASML-M", 1)])
    spoiled.proxy.spoil("GET", ORDER_READS, garbled(bad["id"], _anonymous))
    assert push_orders(spoiled.ctx).unreadable == 1
    with httpx.Client(
        base_url=spoiled.shop.sb.web_url,
        auth=(spoiled.shop.sb.api_key, spoiled.shop.sb.api_secret),
        trust_env=False,
    ) as http:
        http.put(
            f"/admin/orders/{bad['id']}.json", json={"order": {"note": "giao giờ hành chính"}}
        ).raise_for_status()
    assert push_orders(spoiled.ctx).unreadable == 1
    [error] = spoiled.open_errors()
    assert error.code == "unreadable_no_id" and error.count == 2
    assert error.subject.startswith("web order without id (digest ")

    spoiled.proxy.clear()
    assert [o.order_name for o in push_orders(spoiled.ctx).pushed] == [bad["name"]]
    assert spoiled.open_errors() == []


def test_a_dismissed_error_stays_dismissed_while_the_order_stays_garbled(
    spoiled: Spoiled,
) -> None:
    """A person dismissed the error: the runs that read the order again keep it dismissed
    (no alert every minute), and the order still goes once it reads (R19)."""
    bad = spoiled.shop.place([("ASML-M", 1)])
    spoiled.proxy.spoil("GET", ORDER_READS, garbled(bad["id"], quantity_in_words))
    push_orders(spoiled.ctx)
    [error] = spoiled.open_errors()
    assert error.id is not None
    dismiss(spoiled.ctx, error.id, actor="U1")
    for _ in range(2):
        push_orders(spoiled.ctx)
    assert spoiled.open_errors() == []
    spoiled.proxy.clear()
    assert [o.order_name for o in push_orders(spoiled.ctx).pushed] == [bad["name"]]


def test_an_order_on_pos_that_comes_back_garbled_asks_for_a_look(spoiled: Spoiled) -> None:
    """An order already on POS whose next answer is garbled may hide a cancel: an error
    says so (R19) and nothing is pushed again; it resolves when the order reads again."""
    placed = spoiled.shop.place([("MBH", 1)])
    assert len(push_orders(spoiled.ctx).pushed) == 1
    spoiled.proxy.spoil("GET", ORDER_READS, garbled(placed["id"], quantity_in_words))
    assert push_orders(spoiled.ctx).outcomes == ()
    [error] = spoiled.open_errors()
    assert (error.subject, error.code) == (placed["name"], "unreadable_change")
    assert "cancel it on POS by hand" in error.message
    assert error.params is not None and error.params["pos_order"] == spoiled.pos_codes()[0]
    spoiled.proxy.clear()
    push_orders(spoiled.ctx)
    assert spoiled.open_errors() == []
    assert spoiled.pos_references() == [placed["name"]]


def test_the_bot_alerts_a_garbled_order_lists_it_and_closes_the_alert_once_it_goes(
    tmp_path: Any,
) -> None:
    """Through the real bot: the garbled order is posted to the alert channel with its
    reason, ``/sapo errors order`` lists it with Resync, and the alert says resolved once
    Sapo answers properly and the order run pushes it (R17, R19)."""
    with (
        Sandbox("demo", bucket=100_000, leak_rate=100_000.0) as sb,
        SpoilingProxy(sb.base_url) as proxy,
        FakeSlack() as slack,
    ):
        settings = settings_for(
            f"sqlite:///{tmp_path}/bot.db", slack, sb, sapo_web_url=f"{proxy.url}/web"
        )
        app = build_app(settings, with_scheduler=False, alert_pace_s=0.0)
        try:
            with serve(app.asgi()) as base:
                bot = Harness(app, base, slack)
                ctx, alerts = app.deps.ctx, app.alerts
                assert alerts is not None
                with ctx.db.session() as s:
                    repo.record_setup(
                        s, connection_id=ctx.connection_id, cutover_at=ctx.clock(), completed_by="t"
                    )
                    s.commit()
                assert run_cycle(ctx, actor="test").ok
                alerts.publish()  # the demo catalog's own product problems, out of the way
                with sb.state.lock:
                    vid = next(v.id for v in sb.state.web.variants.values() if v.sku == "MBH")
                placed = place_web_order(sb, [(vid, 1)])
                proxy.spoil("GET", ORDER_READS, garbled(placed["id"], quantity_in_words))

                assert push_orders(ctx, actor="scheduler").unreadable == 1  # the order job
                assert alerts.publish().posted == 1
                [alert] = [
                    m for m in slack.channel_messages(ALERTS) if placed["name"] in str(m.body)
                ]
                assert "not a number" in mrkdwn(alert.body)
                listed = bot.answers(bot.command("errors order"))[0].body
                assert placed["name"] in mrkdwn(listed) and "not a number" in mrkdwn(listed)
                resync = [
                    e.get("value")
                    for _, e in buttons(listed["blocks"])
                    if e["action_id"] == act.RESYNC
                ]
                assert resync == [placed["name"]]

                proxy.clear()
                assert len(push_orders(ctx, actor="scheduler").pushed) == 1
                assert alerts.publish().closed == 1
                assert "Resolved" in mrkdwn(alert.body)
                bot.idle()
                bot.http.close()
        finally:
            app.close()
        assert slack.invalid == []
