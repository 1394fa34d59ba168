"""With BOT_LANGUAGE=vi, order reasons, resync outcomes, refusals and dry-run reasons are
Vietnamese, with no English reason text; English reads as before; rows written before the
sentences were stored show their English reason (R17, R19, the language requirement)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from storage import repo
from storage.models import Order
from sync.order_plan import LinkView, decide
from tests.bot.conftest import BotMaker
from tests.bot.data import T0
from tests.bot.harness import ADMIN, Harness, mrkdwn
from tests.sync.problem_samples import _order


@pytest.fixture
def vi_bot(make_bot: BotMaker) -> Iterator[Harness]:
    with make_bot(bot_language="vi") as harness:
        yield harness


def _add_failed_orders(bot: Harness) -> None:
    """#1007 failed with its reason stored as a sentence; #1008 is an old row (English only)."""
    decision = decide(
        _order("NEW<b>", "OFF"),
        cutover=T0 - timedelta(days=365),
        links={"OFF": LinkView("OFF", "disconnected", 2)},
    )
    ctx = bot.bot.deps.ctx
    with ctx.db.session() as session:
        for i, (name, said) in enumerate((("#1007", decision.said), ("#1008", None))):
            repo.insert_order(
                session,
                order=Order(
                    connection_id=ctx.connection_id,
                    web_order_id=700 + i,
                    web_order_name=name,
                    web_created_on=T0 + timedelta(minutes=i),
                    total=100_000,
                    status="failed",
                    reason_code=decision.code,
                    reason=decision.reason if said else "an old English reason",
                    reason_params=said,
                    created_at=T0,
                    updated_at=T0,
                ),
            )
        session.commit()


def test_order_list_tells_each_orders_reason_in_vietnamese(vi_bot: Harness) -> None:
    """``/sapo orders``: the reason is worded in Vietnamese, its SKUs escaped; an old row
    without a stored sentence shows its English reason."""
    _add_failed_orders(vi_bot)
    text = mrkdwn(vi_bot.answers(vi_bot.command("orders"))[0].body)
    assert "> SKU NEW&lt;b&gt; chưa được liên kết" in text
    assert "is not linked" not in text
    assert "an old English reason" in text


def test_order_list_in_english_is_unchanged(make_bot: BotMaker) -> None:
    """English reads the stored English reason, escaped as before."""
    with make_bot() as bot:
        _add_failed_orders(bot)
        text = mrkdwn(bot.answers(bot.command("orders"))[0].body)
    assert "> SKU NEW&lt;b&gt; is not linked" in text


def test_resync_says_its_outcome_in_vietnamese(vi_bot: Harness) -> None:
    """``/sapo resync``: the outcome's explanation is Vietnamese, not the English message."""
    answer = mrkdwn(vi_bot.answers(vi_bot.command("resync #9999"))[0].body)
    assert "#9999 không phải đơn web đặt sau khi thiết lập đồng bộ" in answer
    assert "is not a web order" not in answer and "never pushed" not in answer


def test_resync_of_an_order_gone_from_the_web_says_why_in_vietnamese(vi_bot: Harness) -> None:
    """A resync of an order the web no longer has says so in Vietnamese (R17)."""
    ctx = vi_bot.bot.deps.ctx
    with ctx.db.session() as session:
        repo.record_setup(session, connection_id=ctx.connection_id, cutover_at=T0, completed_by="t")
        session.commit()
    _add_failed_orders(vi_bot)
    answer = mrkdwn(vi_bot.answers(vi_bot.command("resync #1008"))[0].body)
    assert "> Đơn #1008: đã bị xóa trên web" in answer
    assert "deleted on the web" not in answer


def test_a_refusal_from_the_sync_is_told_in_vietnamese(vi_bot: Harness) -> None:
    """A ``UserError`` raised in sync (here: compare of a SKU with no link) reaches the
    person through the worker in Vietnamese, its SKU escaped."""
    text = mrkdwn(vi_bot.answers(vi_bot.command("compare NOPE<x>"))[0].body)
    assert "Không có sản phẩm đã liên kết nào mang SKU 'NOPE&lt;x&gt;'" in text
    assert "no linked product" not in text


def test_dry_run_reasons_are_vietnamese(vi_bot: Harness) -> None:
    """``/sapo sync dry-run``: why each action would happen is Vietnamese."""
    _, report = vi_bot.answers(vi_bot.command("sync dry-run", user=ADMIN), 2)
    text = mrkdwn(report.body)
    assert "cùng SKU ở cả hai bên" in text
    for english in ("same SKU", "only on POS", "only on the web", "(R2)"):
        assert english not in text
