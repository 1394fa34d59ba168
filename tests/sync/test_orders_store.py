"""Order rows: the compare-and-set claim and what reading an order again does (R5, R19)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import Engine

from storage import repo
from storage.engine import session
from sync.domain import OrderStatus, PosOrder, WebLineItem, WebOrder
from sync.order_store import CANCELLED_AFTER_PUSH, record_pushed, store

T0 = datetime(2026, 3, 6, 3, 0, tzinfo=UTC)
CUTOVER = T0 - timedelta(hours=1)
LINE = WebLineItem(1, 1, 1, "ATB-M", "Áo", Decimal(2), 100_000)
ORDER = WebOrder(7, "#1007", 1007, T0, (LINE,), 200_000)


def _cid(engine: Engine) -> int:
    with session(engine) as s:
        cid = repo.ensure_connection(s, name="shop", pos_url="p", web_url="w", now=T0).id
        s.commit()
        assert cid is not None
        return cid


def test_one_claim_at_a_time_until_it_goes_stale(engine: Engine) -> None:
    """Two attempts never hold one order together; a dead attempt's claim expires (R5)."""
    cid = _cid(engine)
    pending = (OrderStatus.PENDING,)
    with session(engine) as s:
        assert store(s, connection_id=cid, order=ORDER, cutover=CUTOVER, now=T0)
        s.commit()
        first = repo.claim_order(
            s,
            connection_id=cid,
            web_order_id=7,
            statuses=pending,
            now=T0,
            stale_before=T0 - timedelta(minutes=5),
        )
        s.commit()
        assert first is not None and first.attempts == 1 and first.claimed_at == T0
        later = T0 + timedelta(minutes=1)
        assert (
            repo.claim_order(
                s,
                connection_id=cid,
                web_order_id=7,
                statuses=pending,
                now=later,
                stale_before=later - timedelta(minutes=5),
            )
            is None
        )
        much_later = T0 + timedelta(minutes=6)
        again = repo.claim_order(
            s,
            connection_id=cid,
            web_order_id=7,
            statuses=pending,
            now=much_later,
            stale_before=much_later - timedelta(minutes=5),
        )
        assert again is not None and again.attempts == 2
        assert (
            repo.claim_order(
                s,
                connection_id=cid,
                web_order_id=7,
                statuses=("pushed",),
                now=much_later,
                stale_before=much_later,
            )
            is None
        )


def test_storing_twice_keeps_one_row_and_pre_cutover_orders_are_ineligible(engine: Engine) -> None:
    """The web order id is unique per connection; an order older than setup is ineligible (R5)."""
    cid = _cid(engine)
    old = replace(ORDER, id=8, name="#1008", created_on=CUTOVER - timedelta(seconds=1))
    with session(engine) as s:
        assert store(s, connection_id=cid, order=ORDER, cutover=CUTOVER, now=T0)
        assert not store(s, connection_id=cid, order=ORDER, cutover=CUTOVER, now=T0)
        assert store(s, connection_id=cid, order=old, cutover=CUTOVER, now=T0)
        s.commit()
        rows, total = repo.list_orders(s, connection_id=cid)
        assert total == 2
        assert {r.web_order_name: r.status for r in rows} == {
            "#1007": "pending",
            "#1008": "ineligible",
        }


def test_cancelled_on_the_web_leaves_the_ledger_or_asks_for_a_pos_cancel(engine: Engine) -> None:
    """A cancel before POS makes the order ineligible; after POS it opens one error row (R19)."""
    cid = _cid(engine)
    cancelled = replace(ORDER, status="cancelled", cancelled_on=T0)
    with session(engine) as s:
        store(s, connection_id=cid, order=ORDER, cutover=CUTOVER, now=T0)
        store(s, connection_id=cid, order=cancelled, cutover=CUTOVER, now=T0)
        row = repo.get_order(s, connection_id=cid, web_order_id=7)
        assert row is not None and (row.status, row.reason_code) == ("ineligible", "cancelled")

        pushed = replace(ORDER, id=9, name="#1009")
        store(s, connection_id=cid, order=pushed, cutover=CUTOVER, now=T0)
        row = repo.get_order(s, connection_id=cid, web_order_id=9)
        assert row is not None
        row.status, row.pos_order_code = "pushed", "SON00009"
        repo.save(s, row=row)
        for _ in range(3):  # read again and again in the cursor's overlap
            store(
                s,
                connection_id=cid,
                order=replace(pushed, status="cancelled"),
                cutover=CUTOVER,
                now=T0,
            )
        s.commit()
        errors = repo.open_errors(s, connection_id=cid, kind="order")
        assert [(e.subject, e.code, e.count) for e in errors] == [
            ("#1009", CANCELLED_AFTER_PUSH, 1)
        ]
        assert "SON00009" in errors[0].message
        assert errors[0].params == {"pos_order": "SON00009"}


def test_a_pushed_order_whose_pos_total_differs_opens_an_error_told_like_the_others(
    engine: Engine,
) -> None:
    """After the push, a POS total unlike the web's is an error row "<order>: <why>", with
    the parameters of its sentence (R19)."""
    cid = _cid(engine)
    with session(engine) as s:
        store(s, connection_id=cid, order=ORDER, cutover=CUTOVER, now=T0)
        row = repo.get_order(s, connection_id=cid, web_order_id=7)
        assert row is not None
        pos_order = PosOrder(70, "SON00070", "#1007", 1, 190_000)
        record_pushed(s, row=row, pos_order=pos_order, config_version=None, order=ORDER, now=T0)
        s.commit()
        (error,) = repo.open_errors(s, connection_id=cid, kind="order")
    assert (
        error.message == "#1007: POS order SON00070 total 190000 differs from the web total 200000"
    )
    assert error.params == {
        "order": "#1007",
        "reason": {
            "key": "part.pos_order_total_off",
            "pos_order": "SON00070",
            "pos_total": 190_000,
            "web_total": 200_000,
        },
    }


def test_the_order_cursor_only_moves_forward(engine: Engine) -> None:
    """Two runs storing the cursor in either order leave the later value (never re-read less)."""
    cid = _cid(engine)
    with session(engine) as s:

        def advance(value: str) -> bool:
            return repo.advance_cursor(
                s, connection_id=cid, resource="web_orders.modified_on", value=value, now=T0
            )

        assert advance("2026-03-06T03:00:05.000000+00:00")
        assert not advance("2026-03-06T03:00:01.000000+00:00")
        assert advance("2026-03-06T03:00:06.000000+00:00")
        s.commit()
        assert repo.get_cursor(s, connection_id=cid, resource="web_orders.modified_on") == (
            "2026-03-06T03:00:06.000000+00:00"
        )
