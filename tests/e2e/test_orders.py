"""Web orders into POS against the sandbox over HTTP: once, to the right place (R5, R15,
R17, R18, R20), whatever the network and the process do in between."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from sandbox import Sandbox
from sandbox.seeds import (
    DEMO_CUSTOMER_PHONE_MATCH,
    DEMO_POS_DEFAULT_LOCATION_ID,
    DEMO_POS_LOCATION_IDS,
    DEMO_PRESETUP_ORDER_IDS,
    DEMO_PRICE_LIST_IDS,
    DEMO_WEB_ORDER_SOURCE_ID,
)
from storage import repo
from storage.engine import Database
from storage.models import Link
from sync import order_push
from sync.clock import FakeClock
from sync.config import ConfigChange, ensure_config, save_config
from sync.context import SyncContext
from sync.domain import PosOrder, WebOrder
from sync.errors import RecordError, RetryableError
from sync.links import delete_link, disconnect, reconnect
from sync.orders import (
    CURSOR,
    CURSOR_FORMAT,
    OrderRunResult,
    inflight_quantities,
    ingest_orders,
    push_orders,
    resync_order,
)
from tests.support.sapo import clients_for
from tests.support.wait import wait_for

SKUS = ("ATCB-TRANG-S", "ATCB-TRANG-M", "ASML-M", "MBH")


@dataclass
class Shop:
    sb: Sandbox
    ctx: SyncContext
    url: str
    closing: list[Any]

    def web_variant_id(self, sku: str) -> int:
        with self.sb.state.lock:
            return next(v.id for v in self.sb.state.web.variants.values() if v.sku == sku)

    def pos_variant_id(self, sku: str) -> int:
        with self.sb.state.lock:
            variant = self.sb.state.pos_variant_by_sku(sku)
            assert variant is not None
            return variant.id

    def pos_orders(self) -> list[dict[str, Any]]:
        with self.sb.state.lock:
            return [dict(o) for o in self.sb.state.pos.orders.values()]

    def pos_customer_count(self) -> int:
        with self.sb.state.lock:
            return len(self.sb.state.pos.customers)

    def place(self, lines: list[tuple[str, int]], **extra: Any) -> dict[str, Any]:
        """A shopper's order on the web store (over HTTP): (SKU, quantity) lines."""
        body = {
            "line_items": [{"variant_id": self.web_variant_id(s), "quantity": q} for s, q in lines],
            "phone": "0911000111",
            "email": "khach.moi@example.com",
            "inventory_behaviour": "decrement_ignoring_policy",
            "financial_status": "paid",
        } | extra
        with httpx.Client(
            base_url=self.sb.web_url,
            auth=(self.sb.api_key, self.sb.api_secret),
            trust_env=False,
            timeout=10.0,
        ) as http:
            response = http.post("/admin/orders.json", json={"order": body})
            response.raise_for_status()
            order: dict[str, Any] = response.json()["order"]
            return order

    def restarted(self, pos: Any = None) -> Shop:
        """The same shop after a process restart: new clients, a new Database object."""
        self.ctx.db.dispose()
        db = Database(self.url)
        new_pos, web = clients_for(self.sb)
        self.closing += [new_pos, web, db]
        ctx = replace(self.ctx, db=db, pos=pos or new_pos, web=web)
        return Shop(self.sb, ctx, self.url, self.closing)


def link_rows(sb: Sandbox, cid: int, skus: tuple[str, ...], now: datetime) -> list[Link]:
    """Links for SKUs on both sides of the demo seed, as the first link would store them."""
    with sb.state.lock:
        web = {v.sku: v for v in sb.state.web.variants.values() if v.sku in skus}
        pos = {v.sku: v for v in sb.state.pos.variants.values() if v.sku in skus}
    return [
        Link(
            connection_id=cid,
            sku=sku,
            pos_sku=sku,
            web_sku=sku,
            name=sku,
            pos_product_id=pos[sku].product_id,
            pos_variant_id=pos[sku].id,
            web_product_id=web[sku].product_id,
            web_variant_id=web[sku].id,
            web_inventory_item_id=web[sku].inventory_item_id,
            status="linked",
            created_at=now,
            updated_at=now,
        )
        for sku in skus
    ]


@contextmanager
def demo_shop(url: str, *, leak_rate: float = 2.0) -> Iterator[Shop]:
    """The demo shop just after setup: four SKUs linked, cut-over now, Sapo's default config."""
    with Sandbox("demo", leak_rate=leak_rate) as sb:
        pos, web = clients_for(sb)
        db = Database(url)
        db.upgrade()
        now = datetime.now(UTC)
        with db.session() as s:
            cid = repo.ensure_connection(
                s, name="default", pos_url=sb.pos_url, web_url=sb.web_url, now=now
            ).id
            assert cid is not None
            for link in link_rows(sb, cid, SKUS, now):
                repo.add_link(s, link=link)
            ensure_config(
                s,
                connection_id=cid,
                price_lists=pos.price_lists(),
                locations=pos.locations(),
                now=now,
            )
            repo.record_setup(s, connection_id=cid, cutover_at=now, completed_by="test")
            s.commit()
        ctx = SyncContext(db, cid, pos, web, lambda: datetime.now(UTC))
        shop = Shop(sb, ctx, url, [pos, web, db])
        try:
            yield shop
        finally:
            for thing in shop.closing:
                thing.close() if hasattr(thing, "close") else thing.dispose()


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[Shop]:
    with demo_shop(f"sqlite:///{tmp_path}/shop.db") as shop:
        yield shop


@pytest.fixture
def any_db_shop(database_url: str) -> Iterator[Shop]:
    """The demo shop on a SQLite file, then on the real PostgreSQL."""
    with demo_shop(database_url) as shop:
        yield shop


def test_an_order_after_setup_reaches_pos_once_as_it_was_sold(shop: Shop) -> None:
    """Reference, Web source, default branch and BANLE, the existing customer found by phone,
    the web lines, shipping and discount with an equal total; pushing again adds nothing
    (R5, R18, R20)."""
    web = shop.place(
        [("ATCB-TRANG-S", 2), ("MBH", 1)],
        phone=DEMO_CUSTOMER_PHONE_MATCH,
        shipping_lines=[{"title": "Giao nhanh", "price": 30000}],
        discount_codes=[{"code": "GIAM20", "amount": 20000, "type": "fixed_amount"}],
    )
    customers = shop.pos_customer_count()
    first = push_orders(shop.ctx)
    assert [(o.order_name, o.verdict) for o in first.outcomes] == [(web["name"], "push")]
    for _ in range(2):
        assert push_orders(shop.ctx).pushed == ()
    [pos] = shop.pos_orders()
    assert (
        pos["reference_number"],
        pos["location_id"],
        pos["price_list_id"],
        pos["source_id"],
    ) == (
        web["name"],
        DEMO_POS_DEFAULT_LOCATION_ID,
        DEMO_PRICE_LIST_IDS["BANLE"],
        DEMO_WEB_ORDER_SOURCE_ID,
    )
    assert pos["customer_data"]["phone_number"] == DEMO_CUSTOMER_PHONE_MATCH
    assert shop.pos_customer_count() == customers  # found, not created (R20)
    lines = [(ln["variant_id"], ln["quantity"], ln["price"]) for ln in pos["order_line_items"]]
    assert lines == [
        (shop.pos_variant_id("ATCB-TRANG-S"), 2, web["line_items"][0]["price"]),
        (shop.pos_variant_id("MBH"), 1, web["line_items"][1]["price"]),
    ]
    assert pos["total"] == web["total_price"]
    assert shop.sb.stats()["requests"]["pos POST /admin/orders.json"] == 1
    with shop.ctx.db.session() as s:
        row = repo.find_order_by_name(s, connection_id=shop.ctx.connection_id, name=web["name"])
        assert row is not None and (row.status, row.pos_order_code) == ("pushed", pos["code"])
        assert inflight_quantities(s, connection_id=shop.ctx.connection_id) == {}


def test_a_new_customer_is_created_once_and_found_next_time(shop: Shop) -> None:
    """A shopper unknown to POS is created with the first order and found for the second (R20)."""
    before = shop.pos_customer_count()
    shop.place([("ASML-M", 1)], phone="0988777666", email="moi@example.com")
    shop.place([("MBH", 1)], phone="0988777666", email="moi@example.com")
    assert len(push_orders(shop.ctx).pushed) == 2
    assert shop.pos_customer_count() == before + 1
    orders = shop.pos_orders()
    assert len({o["customer_id"] for o in orders}) == 1 and orders[0]["customer_id"] is not None


def test_a_branch_change_applies_to_orders_created_after_it_only(shop: Shop) -> None:
    """R18: an order keeps the branch and price list in force when it was placed, even when
    it is pushed after a change; orders placed after the change get the new ones."""
    early = shop.place([("ATCB-TRANG-M", 1)])
    # Sapo stamps whole seconds and an order of the change's own second counts as after it
    # (as with the cut-over, R5): save in a later second than the early order's.
    placed = datetime.fromisoformat(early["created_on"])
    wait_for(lambda: datetime.now(UTC).replace(microsecond=0) > placed)
    with shop.ctx.db.session() as s:
        save_config(
            s,
            connection_id=shop.ctx.connection_id,
            saved_by="U1",
            change=ConfigChange(
                order_location_id=DEMO_POS_LOCATION_IDS[1],
                price_list_id=DEMO_PRICE_LIST_IDS["BANBUON"],
            ),
            price_lists=shop.ctx.pos.price_lists(),
            locations=shop.ctx.pos.locations(),
            now=datetime.now(UTC),
        )
        s.commit()
    # The late order may share the save's second: it counts as placed after the save.
    late = shop.place([("ATCB-TRANG-M", 1)])
    assert len(push_orders(shop.ctx).pushed) == 2
    by_ref = {o["reference_number"]: o for o in shop.pos_orders()}
    assert (by_ref[early["name"]]["location_id"], by_ref[early["name"]]["price_list_id"]) == (
        DEMO_POS_DEFAULT_LOCATION_ID,
        DEMO_PRICE_LIST_IDS["BANLE"],
    )
    assert (by_ref[late["name"]]["location_id"], by_ref[late["name"]]["price_list_id"]) == (
        DEMO_POS_LOCATION_IDS[1],
        DEMO_PRICE_LIST_IDS["BANBUON"],
    )


def test_orders_from_before_setup_never_reach_pos_even_through_resync(shop: Shop) -> None:
    """R5: a pre-setup order read again after setup is ineligible, and resync refuses it as
    it refuses one never read; the web's customers from before setup are not pushed (R20)."""
    with shop.sb.state.lock:
        touched, untouched = (
            shop.sb.state.web.orders[i]["name"] for i in DEMO_PRESETUP_ORDER_IDS[:2]
        )
        web_customers = {c["phone"] for c in shop.sb.state.web.customers.values()}
        pos_customers = {c["phone_number"] for c in shop.sb.state.pos.customers.values()}
    # the seed's web customers from before setup include some POS has never seen
    assert web_customers - pos_customers
    customers = shop.pos_customer_count()
    with httpx.Client(
        base_url=shop.sb.web_url, auth=(shop.sb.api_key, shop.sb.api_secret), trust_env=False
    ) as http:
        http.put(
            f"/admin/orders/{DEMO_PRESETUP_ORDER_IDS[0]}.json",
            json={"order": {"note": "gọi lại cho khách"}},
        ).raise_for_status()
    result = push_orders(shop.ctx)
    assert result.read >= 1 and result.pushed == ()
    twice = [resync_order(shop.ctx, touched, actor="U1") for _ in range(2)]
    assert [o.result for o in twice] == ["ineligible", "ineligible"]
    assert "before setup" in twice[0].message
    assert resync_order(shop.ctx, untouched, actor="U1").result == "unknown_order"
    assert push_orders(shop.ctx).pushed == ()
    assert shop.pos_customer_count() == customers
    assert shop.pos_orders() == []
    with shop.ctx.db.session() as s:
        audit = repo.list_audit(s, connection_id=shop.ctx.connection_id, subject=touched)
        assert [(e.action, e.actor, e.result) for e in audit][:2] == [
            ("order.resync", "U1", "ineligible")
        ] * 2


def test_a_disconnected_product_holds_its_order_until_reconnect_and_resync(shop: Shop) -> None:
    """R15, R17: skipped with the SKU named and shown as an error; not pushed by later runs
    or by a resync while disconnected; pushed by a resync after reconnecting; a second press
    changes nothing."""
    disconnect(shop.ctx, "ASML-M", actor="U1")
    web = shop.place([("ASML-M", 1), ("MBH", 2)])
    [outcome] = push_orders(shop.ctx).outcomes
    assert (outcome.verdict, outcome.code) == ("skip", "product_disconnected")
    assert "ASML-M" in outcome.reason
    assert push_orders(shop.ctx).outcomes == ()  # runs leave it alone
    blocked = resync_order(shop.ctx, web["name"], actor="U1")
    assert blocked.result == "blocked" and blocked.not_live == ("SKU ASML-M is disconnected",)
    with shop.ctx.db.session() as s:
        cid = shop.ctx.connection_id
        [error] = repo.open_errors(s, connection_id=cid, kind="order")
        assert (error.subject, error.code) == (web["name"], "product_disconnected")
        # still holding web stock back: it is not on POS
        assert inflight_quantities(s, connection_id=cid) == {"ASML-M": 1, "MBH": 2}
    assert shop.pos_orders() == []

    assert reconnect(shop.ctx, "ASML-M", actor="U1").changed
    pushed = resync_order(shop.ctx, web["name"], actor="U1")
    again = resync_order(shop.ctx, web["name"], actor="U2")
    [pos] = shop.pos_orders()
    assert (pushed.result, pushed.pos_order_code) == ("pushed", pos["code"])
    assert (again.result, again.pos_order_code) == ("already_pushed", pos["code"])
    with shop.ctx.db.session() as s:
        assert repo.open_errors(s, connection_id=shop.ctx.connection_id) == []


def test_an_unlinked_sku_fails_naming_it_and_goes_once_the_catalog_links_it(shop: Shop) -> None:
    """R5: an order goes once every product in it is linked; until then it is failed with
    the SKU named; the next run after the link appears pushes it without a resync."""
    delete_link(shop.ctx, "ATCB-TRANG-S", actor="U1")
    tombstoned = shop.place([("ATCB-TRANG-S", 1)])
    with shop.ctx.db.session() as s:
        link = repo.get_link(s, connection_id=shop.ctx.connection_id, sku="ATCB-TRANG-M")
        assert link is not None
        s.delete(link)
        s.commit()
    waiting = shop.place([("ATCB-TRANG-M", 1)])
    codes = {o.order_name: (o.verdict, o.code) for o in push_orders(shop.ctx).outcomes}
    assert codes == {
        tombstoned["name"]: ("fail", "link_deleted"),
        waiting["name"]: ("fail", "sku_not_linked"),
    }
    shop.sb.reset_stats()
    assert push_orders(shop.ctx).outcomes == ()  # still not linked: no attempt, no order read
    assert "web GET /admin/orders/{id}.json" not in shop.sb.stats()["requests"]
    with shop.ctx.db.session() as s:
        cid = shop.ctx.connection_id
        for link in link_rows(shop.sb, cid, ("ATCB-TRANG-M",), datetime.now(UTC)):
            repo.add_link(s, link=link)
        s.commit()
    assert [o.order_name for o in push_orders(shop.ctx).pushed] == [waiting["name"]]
    assert [o["reference_number"] for o in shop.pos_orders()] == [waiting["name"]]


class SearchDown:
    """The real POS client, except that looking an order up fails (an outage right after a
    create whose answer was lost): the process cannot tell whether the order is on POS."""

    def __init__(self, real: Any) -> None:
        self._real = real

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def find_order_by_reference(
        self, reference_number: str, *, created_since: datetime | None = None
    ) -> PosOrder | None:
        raise RetryableError(f"POS search for {reference_number} timed out")


def test_lost_answers_repeated_runs_and_a_restart_leave_one_pos_order_each(
    any_db_shop: Shop,
) -> None:
    """Every POS create commits but its answer is lost; lookups fail too, so runs cannot
    record anything; after a restart (new clients, new Database object on the same file)
    each web order is found by reference: exactly one POS order per web order (R5)."""
    shop = any_db_shop
    shop.sb.set_faults(api="pos", drop_after_commit_rate=1.0)
    names = sorted(shop.place([(sku, 1)])["name"] for sku in SKUS[:3])
    blind = replace(shop.ctx, pos=SearchDown(shop.ctx.pos))
    for _ in range(3):
        result = push_orders(blind)
        assert {o.verdict for o in result.outcomes} == {"retry"}
    assert sorted(o["reference_number"] for o in shop.pos_orders()) == names
    after = shop.restarted()
    result = push_orders(after.ctx)
    assert sorted(o.order_name for o in result.pushed) == names
    assert all(o.found_existing for o in result.pushed)
    shop.sb.set_faults(api="pos")
    assert push_orders(after.ctx).outcomes == ()
    assert sorted(o["reference_number"] for o in shop.pos_orders()) == names
    assert shop.sb.stats()["requests"]["pos POST /admin/orders.json"] == 3


def test_a_lost_answer_is_looked_up_at_once(shop: Shop) -> None:
    """With every POS answer lost after commit, one run still records each order once, found
    by its reference, and the customer created on the way is not duplicated (R5, R20)."""
    shop.sb.set_faults(api="pos", drop_after_commit_rate=1.0)
    before = shop.pos_customer_count()
    web = shop.place([("MBH", 1)], phone="0966555444", email=None)
    [outcome] = push_orders(shop.ctx).outcomes
    assert (outcome.verdict, outcome.found_existing) == ("push", True)
    assert [o["reference_number"] for o in shop.pos_orders()] == [web["name"]]
    assert shop.pos_customer_count() == before + 1


def test_a_crashed_attempt_holds_its_order_until_its_claim_expires(shop: Shop) -> None:
    """A process that died mid-attempt leaves a claim: nobody pushes the order while it is
    fresh; once stale, the next attempt finds what the dead one created (R5)."""
    clock = FakeClock(datetime.now(UTC))
    ctx = replace(shop.ctx, clock=clock)
    web = shop.place([("MBH", 1)])
    ingest_orders(ctx)
    with ctx.db.session() as s:  # the dead process: claimed, created on POS, never recorded
        row = repo.claim_order(
            s,
            connection_id=ctx.connection_id,
            web_order_id=web["id"],
            statuses=("pending",),
            now=clock(),
            stale_before=clock(),
        )
        s.commit()
    assert row is not None
    with httpx.Client(
        base_url=shop.sb.pos_url, auth=(shop.sb.api_key, shop.sb.api_secret), trust_env=False
    ) as http:
        http.post(
            "/admin/orders.json",
            json={
                "order": {
                    "reference_number": web["name"],
                    "source_id": DEMO_WEB_ORDER_SOURCE_ID,
                    "order_line_items": [{"variant_id": shop.pos_variant_id("MBH"), "quantity": 1}],
                }
            },
        ).raise_for_status()
    [held] = push_orders(ctx).outcomes
    assert held.verdict == "in_progress"
    clock.advance(6 * 60)
    [done] = push_orders(ctx).outcomes
    assert (done.verdict, done.found_existing) == ("push", True)
    assert len(shop.pos_orders()) == 1


def test_an_attempt_slowed_past_its_claim_creates_nothing_once_taken_over(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A live attempt slowed past ``CLAIM_TTL`` (rate limits, slow answers) can have its
    claim taken over; it then renews nothing and creates nothing: one POS order (R5)."""
    clock = FakeClock(datetime.now(UTC))
    ctx = replace(shop.ctx, clock=clock)
    web = shop.place([("MBH", 1)])
    ingest_orders(ctx)
    real_customer_id = order_push.customer_id
    overtaken: list[str] = []

    def stalled_customer_id(*args: Any, **kwargs: Any) -> int | None:
        if not overtaken:  # the first attempt stalls here, past its claim's life ...
            overtaken.append("stalled")
            clock.advance(6 * 60)
            [other] = push_orders(ctx).outcomes  # ... and another run takes the order over
            overtaken.append(other.verdict)
        return real_customer_id(*args, **kwargs)

    monkeypatch.setattr(order_push, "customer_id", stalled_customer_id)
    [first] = push_orders(ctx).outcomes
    assert overtaken == ["stalled", "push"]
    assert first.verdict == "in_progress"
    assert [o["reference_number"] for o in shop.pos_orders()] == [web["name"]]
    with ctx.db.session() as s:
        row = repo.get_order(s, connection_id=ctx.connection_id, web_order_id=web["id"])
    assert row is not None and row.status == "pushed"


def test_dry_run_lists_what_would_go_and_why_not_and_writes_nothing(shop: Shop) -> None:
    """--dry-run: every order it would push, and every one it would not with the reason;
    no POS call that writes, no order row, no cursor move."""
    disconnect(shop.ctx, "ASML-M", actor="U1")
    good = shop.place([("MBH", 1)])
    held = shop.place([("ASML-M", 1)])
    preview = push_orders(shop.ctx, dry_run=True)
    assert preview.dry_run
    by_name = {o.order_name: (o.verdict, o.status) for o in preview.outcomes}
    assert by_name == {good["name"]: ("push", "new"), held["name"]: ("skip", "new")}
    assert shop.pos_orders() == []
    with shop.ctx.db.session() as s:
        assert repo.list_orders(s, connection_id=shop.ctx.connection_id)[1] == 0
    assert push_orders(shop.ctx, dry_run=True).counts == preview.counts
    real = push_orders(shop.ctx)
    assert {o.order_name: o.verdict for o in real.outcomes} == {
        good["name"]: "push",
        held["name"]: "skip",
    }
    later = push_orders(shop.ctx, dry_run=True)
    assert [(o.order_name, o.verdict) for o in later.outcomes] == [(held["name"], "skip")]
    assert "resync" in later.outcomes[0].reason


def test_two_processes_pushing_at_once_make_one_pos_order_each(any_db_shop: Shop) -> None:
    """Two processes (own engine, own clients) push the same new orders at the same moment:
    the claim lets one of them push each order; POS gets exactly one per web order (R5)."""
    shop = any_db_shop
    names = sorted(shop.place([(sku, 1)])["name"] for sku in SKUS)
    ingest_orders(shop.ctx)
    other = shop.restarted()
    contexts = [replace(shop.ctx, db=Database(shop.url)), other.ctx]
    shop.closing.append(contexts[0].db)
    start = threading.Barrier(2)
    results: list[OrderRunResult] = []

    def run(ctx: SyncContext) -> None:
        start.wait()
        results.append(push_orders(ctx))

    threads = [threading.Thread(target=run, args=(c,)) for c in contexts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(results) == 2
    pushed = sorted(o.order_name for r in results for o in r.pushed)
    assert pushed == names
    assert sorted(o["reference_number"] for o in shop.pos_orders()) == names


class Unreadable:
    """The real web client, except that one order's answer cannot be parsed."""

    def __init__(self, real: Any, order_id: int) -> None:
        self._real, self._bad = real, order_id

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def order(self, order_id: int) -> WebOrder | None:
        if order_id == self._bad:
            raise RecordError(f"Sapo sent web order {order_id} without created_on")
        found: WebOrder | None = self._real.order(order_id)
        return found


def test_one_unreadable_order_fails_alone_and_the_run_goes_on(shop: Shop) -> None:
    """A web order Sapo sends garbled is failed with the reason (R19); the others still go."""
    bad = shop.place([("MBH", 1)])
    good = shop.place([("ASML-M", 1)])
    ingest_orders(shop.ctx)  # stored by an earlier run; this run reads them again one by one
    with shop.ctx.db.session() as s:
        later = (datetime.now(UTC) + timedelta(hours=1)).strftime(CURSOR_FORMAT)
        repo.advance_cursor(
            s,
            connection_id=shop.ctx.connection_id,
            resource=CURSOR,
            value=later,
            now=datetime.now(UTC),
        )
        s.commit()
    result = push_orders(replace(shop.ctx, web=Unreadable(shop.ctx.web, bad["id"])))
    verdicts = {o.order_name: (o.verdict, o.code) for o in result.outcomes}
    assert verdicts == {bad["name"]: ("fail", "invalid_record"), good["name"]: ("push", None)}
    with shop.ctx.db.session() as s:
        [error] = repo.open_errors(s, connection_id=shop.ctx.connection_id)
        assert (error.subject, error.code) == (bad["name"], "invalid_record")
    assert resync_order(shop.ctx, bad["name"], actor="U1").result == "pushed"  # readable again
