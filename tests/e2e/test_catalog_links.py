"""Link states and compare against the sandbox (R13, R14, R15, R16, R19)."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest

from sandbox.seeds import DEMO_POS_DEFAULT_LOCATION_ID
from storage import repo
from storage.models import Link
from sync import problems
from sync.compare import compare
from sync.domain import LinkStatus
from sync.errors import UserError
from sync.links import delete_link, disconnect, reconnect
from tests.e2e.catalog_shop import Shop, linked, sandbox, shop
from tests.reliability.support import wait_for

__all__ = ["linked", "sandbox", "shop"]  # fixtures
SKU = "ANL-KEM-M"


def test_disconnect_stops_sync_and_reconnect_resumes_from_current_state(linked: Shop) -> None:
    """R15: a disconnected SKU gets no stock write; reconnect resumes with today's POS stock."""
    change = disconnect(linked.ctx, SKU, actor="U1")
    assert (change.before, change.after, change.changed) == (
        LinkStatus.LINKED,
        LinkStatus.DISCONNECTED,
        True,
    )
    assert not disconnect(linked.ctx, SKU, actor="U1").changed  # idempotent
    before = linked.web_stock(SKU)
    linked.sb.set_pos_inventory(SKU, DEMO_POS_DEFAULT_LOCATION_ID, 21)
    linked.sb.reset_stats()
    assert linked.cycle().writes == 0 and linked.web_stock(SKU) == before
    back = reconnect(linked.ctx, SKU, actor="U2")
    assert back.changed and back.after is LinkStatus.LINKED
    assert not reconnect(linked.ctx, SKU, actor="U2").changed
    result = linked.cycle()
    assert result.done.get("stock") == 1 and linked.web_stock(SKU) == Decimal(21)
    with linked.db.session() as session:
        audit = repo.list_audit(session, connection_id=linked.ctx.connection_id, subject=SKU)
        assert [(a.action, a.actor, a.result) for a in reversed(audit)] == [
            ("link.disconnect", "U1", "disconnected"),
            ("link.disconnect", "U1", "unchanged"),
            ("link.reconnect", "U2", "linked"),
            ("link.reconnect", "U2", "unchanged"),
        ]


def test_deleted_link_leaves_the_list_and_is_never_linked_again(linked: Shop) -> None:
    """R16: delete is permanent: off the product list, no writes, no relink or re-creation,
    and it cannot be reconnected."""
    change = delete_link(linked.ctx, SKU, actor="U1")
    assert change.changed and change.after is LinkStatus.DELETED
    assert not delete_link(linked.ctx, SKU, actor="U1").changed
    with linked.db.session() as session:
        rows, total = repo.list_links(session, connection_id=linked.ctx.connection_id, text=SKU)
        assert rows == [] and total == 0  # R13: it left the list
    linked.sb.set_pos_inventory(SKU, DEMO_POS_DEFAULT_LOCATION_ID, 2)
    linked.sb.reset_stats()
    result = linked.cycle(full=True)
    assert result.writes == 0 and linked.writes() == {}
    assert linked.link(SKU).status == LinkStatus.DELETED.value
    with pytest.raises(UserError, match="for good"):
        reconnect(linked.ctx, SKU, actor="U1")
    with pytest.raises(UserError, match="for good"):
        disconnect(linked.ctx, SKU, actor="U1")


def test_reconnect_racing_a_delete_is_refused_and_both_presses_are_audited(
    linked: Shop,
) -> None:
    """Two admins at once: U2's reconnect is still reading Sapo when U3 deletes the link.
    The reconnect is refused for R16 (not a vague "changed meanwhile"), the link stays
    deleted, and the audit log holds both presses, each from the state it found."""
    disconnect(linked.ctx, SKU, actor="U1")
    linked.sb.reset_stats()
    linked.sb.set_faults("web", latency_ms=1000)  # the reconnect's web read is slow
    refused: list[Exception] = []

    def press_reconnect() -> None:
        try:
            reconnect(linked.ctx, SKU, actor="U2")
        except UserError as exc:
            refused.append(exc)

    pressing = threading.Thread(target=press_reconnect)
    pressing.start()
    try:
        wait_for(
            lambda: linked.sb.stats()["requests"].get("web GET /admin/products/{id}.json", 0),
            what="the reconnect reading the web product",
        )
        assert delete_link(linked.ctx, SKU, actor="U3").changed
    finally:
        pressing.join(timeout=30)
        linked.sb.set_faults("web")
    assert [str(e) for e in refused] == [
        f"the link of {SKU} was deleted for good and cannot come back (R16)"
    ]
    assert linked.link(SKU).status == LinkStatus.DELETED.value
    with linked.db.session() as session:
        audit = repo.list_audit(session, connection_id=linked.ctx.connection_id, subject=SKU)
        assert [(a.actor, a.action, a.result, (a.detail or {})["from"]) for a in audit[::-1]] == [
            ("U1", "link.disconnect", "disconnected", "linked"),
            ("U3", "link.delete", "deleted", "disconnected"),
            ("U2", "link.reconnect", "refused", "deleted"),
        ]


def test_unknown_sku_is_a_user_error(linked: Shop) -> None:
    """R13: commands on a SKU that has no link say so instead of failing obscurely."""
    for command in (disconnect, reconnect, delete_link):
        with pytest.raises(UserError, match="no linked product"):
            command(linked.ctx, "NOPE-1", actor="U1")
    with pytest.raises(UserError, match="no linked product"):
        compare(linked.ctx, "NOPE-1")


def test_compare_shows_both_sides_with_admin_links_and_differences(linked: Shop) -> None:
    """R14: both versions side by side with stock per branch, price list, visibility, links,
    and the fields that differ after someone edits the web."""
    same = compare(linked.ctx, f" {SKU} ")
    assert same.status is LinkStatus.LINKED and same.differences == ()
    assert same.pos is not None and same.web is not None
    assert same.pos.price_list == "Giá bán lẻ"
    assert [b.location_id for b in same.pos.stock] == [DEMO_POS_DEFAULT_LOCATION_ID]
    assert same.pos.stock_sum == same.expected_web_stock == same.web.stock
    assert same.pos.price == same.web.price
    assert same.pos.admin_url == f"https://pos.example/admin/products/{same.pos.product_id}"
    assert same.web.admin_url == f"https://web.example/admin/products/{same.web.product_id}"
    assert same.web.visible and same.last_synced_at is not None
    linked.set_web_stock(SKU, 77)
    body = {"variant": {"price": 1000}}
    linked.admin.put(f"/admin/variants/{same.web.variant_id}.json", json=body)
    changed = compare(linked.ctx, SKU)
    assert set(changed.differences) == {"stock", "price"}
    assert changed.web is not None and changed.web.stock == Decimal(77)


def test_errors_resolve_when_the_problem_goes_and_can_be_dismissed(linked: Shop) -> None:
    """R19: one row per problem with a count; it resolves once fixed; dismissing is audited
    and a dismissed problem that persists stays out of the open list."""
    _, variant_id, _ = linked.web_variant("VDN")
    linked.admin.put(f"/admin/variants/{variant_id}.json", json={"variant": {"sku": "VDN-X"}})
    linked.cycle()
    linked.cycle()
    with linked.db.session() as session:
        (row,) = [
            e
            for e in repo.open_errors(session, connection_id=linked.ctx.connection_id)
            if e.subject == "VDN"
        ]
        assert row.code == "sku_changed" and row.count == 2
    gone = problems.dismiss(linked.ctx, row.id or 0, actor="U9")
    assert gone.changed and not problems.dismiss(linked.ctx, row.id or 0, actor="U9").changed
    linked.cycle()
    with linked.db.session() as session:
        open_now = repo.open_errors(session, connection_id=linked.ctx.connection_id)
        assert all(e.subject != "VDN" for e in open_now)
    linked.admin.put(f"/admin/variants/{variant_id}.json", json={"variant": {"sku": "VDN"}})
    linked.cycle()
    assert linked.link("VDN").status == "linked"
    with linked.db.session() as session:
        again = repo.get_error(
            session, connection_id=linked.ctx.connection_id, error_id=row.id or 0
        )
        assert again is not None and again.resolved_at is not None


def test_a_link_stored_without_facts_is_filled_in_by_a_full_read(shop: Shop) -> None:
    """A link row holding only ids (made by hand or an older version) makes the next cycle
    read both sides in full, so its stock is pushed and its facts are stored (R8)."""
    product_id, variant_id, item = shop.web_variant(SKU)
    with shop.sb.state.lock:
        pos_variant = shop.sb.state.pos_variant_by_sku(SKU)
        assert pos_variant is not None
        pos_ids = (pos_variant.product_id, pos_variant.id)
    now = shop.ctx.clock()
    with shop.db.session() as session:
        cid = shop.ctx.connection_id
        row = Link(
            connection_id=cid, sku=SKU, status="linked", pos_product_id=pos_ids[0],
            pos_variant_id=pos_ids[1], web_product_id=product_id, web_variant_id=variant_id,
            web_inventory_item_id=item, created_at=now, updated_at=now,
        )  # fmt: skip
        repo.add_link(session, link=row)
        repo.record_setup(session, connection_id=cid, cutover_at=now, completed_by="test")
        session.commit()
    shop.set_web_stock(SKU, 0)
    result = shop.cycle()
    assert result.full and not result.first_link
    stored = shop.link(SKU)
    assert stored.last_pos_values is not None and stored.last_web_values is not None
    assert shop.web_stock(SKU) == shop.pos_available(SKU, (DEMO_POS_DEFAULT_LOCATION_ID,))
    assert not shop.cycle().full
