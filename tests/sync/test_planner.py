"""The pure planner on plain data: linking, creating, stock, price, drift, deletions, guard."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sync.domain import LinkStatus
from sync.plan import (
    CreatePosProduct,
    CreateWebProduct,
    CreateWebVariant,
    Plan,
    PushStock,
    SetLinkStatus,
)
from sync.planner import Guard, plan
from tests.sync.catalog_data import (
    BANBUON,
    BANLE,
    BRANCH_A,
    BRANCH_B,
    BRANCH_C,
    GIANHAP,
    LISTS,
    WEB_LOCATION,
    config,
    link,
    pos_product,
    pv,
    snapshot,
    web_product,
    wv,
)


def run(snap, links=(), cfg=None, **kw) -> Plan:  # type: ignore[no-untyped-def]
    kw.setdefault("inflight", {})
    kw.setdefault("price_lists", LISTS)
    return plan(snap, list(links), cfg or config(), **kw)


def test_first_link_links_pairs_and_creates_what_is_missing_on_each_side() -> None:
    """R2, R3, R6, R12: same SKU links; POS-only goes to web hidden; web-only goes to POS."""
    pos = [
        pos_product(1, [pv(11, "BOTH", price=150_000, stock={BRANCH_A: 7})]),
        pos_product(2, [pv(21, "P-ONLY", price=90_000, stock={BRANCH_A: 4})]),
    ]
    web = [
        web_product(5, [wv(51, "BOTH", price=150_000, qty=2)]),
        web_product(6, [wv(61, "W-ONLY", price=70_000, qty=9)], name="Vòng tay"),
    ]
    result = run(snapshot(pos, web), first_link=True)
    assert [(a.sku, a.pos.variant_id, a.web.variant_id) for a in result.links] == [("BOTH", 11, 51)]
    assert [(s.sku, s.before, s.after) for s in result.stock] == [("BOTH", Decimal(2), Decimal(7))]
    to_web, to_pos = result.creations
    assert isinstance(to_web, CreateWebProduct) and isinstance(to_pos, CreatePosProduct)
    assert to_web.new.published is False  # R12: hidden on arrival
    assert [(v.sku, v.price) for v in to_web.new.variants] == [("P-ONLY", 90_000)]
    assert to_web.stock == (Decimal(4),) and to_web.location_id == WEB_LOCATION
    (made,) = to_pos.new.variants
    assert to_pos.new.name == "Vòng tay" and to_pos.new.location_id == BRANCH_A
    assert made.prices == {BANLE: 70_000, GIANHAP: 70_000}  # R6: web price is the cost
    assert made.initial_stock == Decimal(9)  # the next push must not zero the web


@pytest.mark.parametrize(
    ("order", "branches", "inflight", "expected_branch", "expected_stock"),
    [
        pytest.param(BRANCH_A, (BRANCH_A,), 0, BRANCH_A, 9, id="order-branch-counts"),
        pytest.param(BRANCH_B, (BRANCH_A, BRANCH_B), 0, BRANCH_B, 9, id="order-branch-not-lowest"),
        pytest.param(BRANCH_B, (BRANCH_A, BRANCH_C), 0, BRANCH_A, 9, id="order-branch-not"),
        pytest.param(BRANCH_A, (BRANCH_A,), 2, BRANCH_A, 11, id="plus-web-orders-in-flight"),
    ],
)
def test_product_created_on_pos_starts_with_stock_the_next_push_keeps(
    order: int, branches: tuple[int, ...], inflight: int, expected_branch: int, expected_stock: int
) -> None:
    """R4, R6, R8: the web's 9 land where stock counts, plus in-flight web orders that POS will
    deduct later, so the next push publishes 9 again instead of zeroing the web."""
    web = web_product(6, [wv(61, "W", qty=9)])
    cfg = config(order=order, branches=branches)
    (made,) = run(snapshot([], [web]), cfg=cfg, inflight={"W": Decimal(inflight)}).creations
    assert isinstance(made, CreatePosProduct) and made.new.location_id == expected_branch
    assert made.new.variants[0].initial_stock == Decimal(expected_stock)


@pytest.mark.parametrize(
    ("stock", "branches", "inflight", "web_qty", "expected"),
    [
        pytest.param({BRANCH_A: 5}, (BRANCH_A,), 0, 0, "5", id="one-branch"),
        pytest.param({BRANCH_A: 5, BRANCH_B: 3}, (BRANCH_A, BRANCH_B), 0, 0, "8", id="sum"),
        pytest.param({BRANCH_A: 5, BRANCH_B: 3}, (BRANCH_B,), 0, 0, "3", id="other-branch"),
        pytest.param({BRANCH_A: 5, BRANCH_C: 3}, (BRANCH_A,), 2, 0, "3", id="minus-inflight"),
        pytest.param({BRANCH_A: 1}, (BRANCH_A,), 4, 9, "0", id="floored-at-zero"),
        pytest.param({BRANCH_A: -2}, (BRANCH_A,), 0, 9, "0", id="negative-pos-floors"),
        pytest.param({BRANCH_A: "2.5"}, (BRANCH_A,), 0, 0, "2.5", id="decimal"),
        pytest.param({BRANCH_A: 5}, (BRANCH_A,), 0, 5, None, id="equal-no-write"),
    ],
)
def test_web_stock_is_branch_sum_minus_inflight_written_only_when_different(
    stock: dict[int, int], branches: tuple[int, ...], inflight: int, web_qty: int, expected: str
) -> None:
    """R4, R8: web available = sum over configured branches - in-flight, >= 0; equal = no write."""
    pos = pos_product(1, [pv(11, "S", stock=stock)])
    web = web_product(5, [wv(51, "S", qty=web_qty)])
    snap = snapshot([pos], [web])
    result = run(snap, [link(pos, web, "S")], config(branches=branches), inflight={"S": inflight})
    assert [str(s.after) for s in result.stock] == ([expected] if expected else [])


def test_nothing_changed_means_an_empty_plan() -> None:
    """Echo/loop: what we wrote comes back equal, so a second cycle plans no write at all."""
    pos = pos_product(1, [pv(11, "S", price=120_000, stock={BRANCH_A: 4})])
    web = web_product(5, [wv(51, "S", price=120_000, qty=4)])
    result = run(snapshot([pos], [web]), [link(pos, web, "S")])
    assert result.writes == 0 and result.links == () and result.statuses == ()
    assert result.problems == () and result.halt is None


def test_web_side_stock_edit_is_overwritten_from_pos() -> None:
    """R8: a quantity typed on the web is replaced by the POS figure; POS is never written."""
    pos = pos_product(1, [pv(11, "S", stock={BRANCH_A: 4})])
    web = web_product(5, [wv(51, "S", qty=4)])
    snap = snapshot([pos], [web], levels={1051: 40})
    (push,) = run(snap, [link(pos, web, "S")]).stock
    assert (push.before, push.after, push.location_id) == (Decimal(40), Decimal(4), WEB_LOCATION)


def test_price_follows_the_configured_price_list() -> None:
    """R18: the web price follows the price list in force; switching to BANBUON rewrites it."""
    pos = pos_product(1, [pv(11, "S", prices={BANLE: 200_000, BANBUON: 180_000})])
    web = web_product(5, [wv(51, "S", price=200_000)])
    links = [link(pos, web, "S")]
    assert run(snapshot([pos], [web]), links).prices == ()
    (push,) = run(snapshot([pos], [web]), links, config(price_list=BANBUON)).prices
    assert (push.web_variant_id, push.before, push.after) == (51, 200_000, 180_000)


def test_option_deleted_on_web_puts_the_link_in_error_and_writes_nothing() -> None:
    """R10: the web product lost an option; the link errs with the reason, no stock or price."""
    pos = pos_product(1, [pv(11, "S", opts=("Đỏ", "M", None), price=1)], names=("Màu", "Size"))
    web_before = web_product(5, [wv(51, "S", opts=("Đỏ", "M", None))], names=("Màu", "Size"))
    web_after = web_product(5, [wv(51, "S", opts=("Đỏ", None, None), qty=0)], names=("Màu",))
    result = run(snapshot([pos], [web_after]), [link(pos, web_before, "S")])
    (change,) = result.statuses
    assert (change.status, change.reason_code) == (LinkStatus.ERROR, "structure_options")
    assert "POS has 2 option(s)" in change.reason and "web has 1 option(s)" in change.reason
    assert result.writes == 0
    assert [(p.code, p.subject) for p in result.problems] == [("structure_options", "S")]


def test_error_link_recovers_when_the_structure_matches_again() -> None:
    """R10/R19: once the options match again the link goes back to linked and sync resumes."""
    pos = pos_product(1, [pv(11, "S", opts=("Đỏ", None, None))], names=("Màu",))
    web = web_product(5, [wv(51, "S", opts=("đỏ ", None, None), qty=0)], names=("Color",))
    stored = link(pos, web, "S", status=LinkStatus.ERROR, reason_code="structure_options")
    result = run(snapshot([pos], [web]), [stored])
    assert [(s.status, s.before) for s in result.statuses] == [
        (LinkStatus.LINKED, LinkStatus.ERROR)
    ]
    assert len(result.stock) == 1 and result.problems == ()


def test_pos_deletion_marks_pos_deleted_only_on_a_full_read() -> None:
    """R11: a product missing from a full POS read breaks its link; the web product is untouched."""
    pos = pos_product(1, [pv(11, "S")])
    other = pos_product(2, [pv(21, "T")])
    web = web_product(5, [wv(51, "S")])
    web_t = web_product(6, [wv(61, "T")])
    links = [link(pos, web, "S"), link(other, web_t, "T")]
    full = run(snapshot([other], [web, web_t]), links)
    assert [(s.sku, s.status, s.reason_code) for s in full.statuses] == [
        ("S", LinkStatus.POS_DELETED, "pos_product_deleted")
    ]
    assert full.creations == () and full.writes == 0
    incremental = run(snapshot([other], [web, web_t], full=False), links)
    assert incremental.statuses == ()


def test_web_deletion_is_reported_and_never_recreated() -> None:
    """A web product deleted while linked is an error row; nothing is created in its place."""
    pos = pos_product(1, [pv(11, "S")])
    web = web_product(5, [wv(51, "S")])
    kept = web_product(6, [wv(61, "OTHER")])
    result = run(snapshot([pos], [kept]), [link(pos, web, "S")])
    assert [(s.status, s.reason_code) for s in result.statuses] == [
        (LinkStatus.ERROR, "web_deleted")
    ]
    assert not any(isinstance(c, CreateWebProduct) for c in result.creations)
    assert [p.code for p in result.problems] == ["web_deleted"]
    erred = link(pos, web, "S", status=LinkStatus.ERROR, reason_code="web_deleted")
    again = run(snapshot([pos], [kept]), [erred])
    assert not any(isinstance(c, CreateWebProduct) for c in again.creations)
    assert again.statuses == () and [p.code for p in again.problems] == ["web_deleted"]


@pytest.mark.parametrize("status", [LinkStatus.DISCONNECTED, LinkStatus.DELETED])
def test_disconnected_and_deleted_links_are_left_alone(status: LinkStatus) -> None:
    """R15, R16: no stock, price, relink or creation for a disconnected or tombstoned SKU."""
    pos = pos_product(1, [pv(11, "S", price=1, stock={BRANCH_A: 9})])
    web = web_product(5, [wv(51, "S", price=2, qty=0)])
    stored = link(pos, web, "S", status=status)
    result = run(snapshot([pos], [web]), [stored])
    assert result.writes == 0 and result.links == () and result.statuses == ()
    assert result.creations == () and result.problems == ()


def test_tombstoned_sku_on_new_variants_is_never_linked_again() -> None:
    """R16: new variants carrying a deleted link's SKU are neither linked nor created."""
    pos = pos_product(1, [pv(11, "S")])
    web = web_product(5, [wv(51, "S")])
    stored = link(pos, web, "S", status=LinkStatus.DELETED)
    fresh_pos = pos_product(2, [pv(22, "S")])
    fresh_web = web_product(7, [wv(72, "S ")])
    result = run(snapshot([fresh_pos], [fresh_web]), [stored])
    assert result.links == () and result.creations == () and result.rebinds == ()


def test_new_variant_on_a_linked_product_is_added_to_its_partner() -> None:
    """R7: a variant added on POS is created on the linked web product when options still fit."""
    pos = pos_product(
        1,
        [pv(11, "S-M", opts=("M", None, None)), pv(12, "S-L", opts=("L", None, None))],
        names=("Size",),
    )
    web = web_product(5, [wv(51, "S-M", opts=("M", None, None))], names=("Size",))
    result = run(snapshot([pos], [web]), [link(pos, web, "S-M")])
    (made,) = result.creations
    assert isinstance(made, CreateWebVariant)
    assert (made.web_product_id, made.new.sku, made.new.options[0]) == (5, "S-L", "L")


@pytest.mark.parametrize(
    ("new_on", "linked_when_options_matched"),
    [
        pytest.param("pos", False, id="pos-variant-web-has-fewer-options"),
        pytest.param("pos", True, id="pos-variant-web-option-deleted-since-linking"),
        pytest.param("web", False, id="web-variant-pos-has-fewer-options"),
        pytest.param("web", True, id="web-variant-pos-option-deleted-since-linking"),
    ],
)
def test_new_variant_is_not_created_when_the_partner_options_no_longer_match(
    new_on: str, linked_when_options_matched: bool
) -> None:
    """R7, R10: a variant added to a linked product whose partner now has another number of
    options (as just read, whatever the stored link says) is not created on the other side;
    a new_variant_options problem names it instead."""
    two = ("Màu", "Size")
    pair_opts, new_opts, size_m = ("Đỏ", "M", None), ("Đỏ", "L", None), ("M", None, None)
    if new_on == "pos":
        pos = pos_product(
            1, [pv(11, "S-M", opts=pair_opts), pv(12, "S-L", opts=new_opts)], names=two
        )
        web = web_product(5, [wv(51, "S-M", opts=size_m)], names=("Size",))
        before = web_product(5, [wv(51, "S-M", opts=pair_opts)], names=two)
        stored = link(pos, before if linked_when_options_matched else web, "S-M")
    else:
        pos = pos_product(1, [pv(11, "S-M", opts=size_m)], names=("Size",))
        web = web_product(
            5, [wv(51, "S-M", opts=pair_opts), wv(52, "S-L", opts=new_opts)], names=two
        )
        earlier = pos_product(1, [pv(11, "S-M", opts=pair_opts)], names=two)
        stored = link(earlier if linked_when_options_matched else pos, web, "S-M")
    result = run(snapshot([pos], [web]), [stored])
    assert result.creations == () and result.links == ()
    (problem,) = [p for p in result.problems if p.code == "new_variant_options"]
    assert problem.subject == "S-L"
    assert problem.params["side"] == ("web" if new_on == "pos" else "POS")


def test_ambiguous_and_blank_skus_are_problems_naming_every_candidate() -> None:
    """R1, R2, R19: duplicates and blanks become error rows, and nothing is linked or created."""
    pos = [pos_product(1, [pv(11, "DUP")])]
    web = [web_product(5, [wv(51, "DUP")]), web_product(6, [wv(61, "DUP"), wv(62, "")])]
    result = run(snapshot(pos, web))
    assert result.links == () and result.creations == ()
    by_code = {p.code: p for p in result.problems}
    assert set(by_code) == {"duplicate_sku", "blank_sku"}
    assert all(f"variant {v}" in by_code["duplicate_sku"].message for v in (11, 51, 61))
    assert by_code["blank_sku"].subject == "web variant 62"


def test_incremental_cycle_does_not_create_a_sku_with_an_open_problem() -> None:
    """Creation needs a full view: a SKU held by an open problem waits for the full pass."""
    pos = [pos_product(1, [pv(11, "HELD"), pv(12, "NEW")])]
    result = run(snapshot(pos, [], full=False), held=frozenset({"held"}))
    (made,) = result.creations
    assert isinstance(made, CreateWebProduct)
    assert [v.sku for v in made.new.variants] == ["NEW"]


def _linked_pairs(count: int, *, pos_stock: int, web_qty: int):  # type: ignore[no-untyped-def]
    pos = [pos_product(i, [pv(i * 10, f"S{i}", stock={BRANCH_A: pos_stock})]) for i in range(count)]
    web = [web_product(i, [wv(i * 10, f"S{i}", qty=web_qty)]) for i in range(count)]
    links = [link(p, w, f"S{i}") for i, (p, w) in enumerate(zip(pos, web, strict=True))]
    return pos, web, links


def test_blast_radius_guard_stops_a_cycle_that_would_change_most_stock() -> None:
    """Guard: changing 12 of 12 links' stock halts with an error; force or the first link passes."""
    pos, web, links = _linked_pairs(12, pos_stock=0, web_qty=5)
    halted = run(snapshot(pos, web), links)
    assert halted.halt is not None and halted.halt.code == "blast_radius"
    assert halted.writes == 0 and halted.problems[-1] == halted.halt
    assert run(snapshot(pos, web), links, force=True).writes == 12
    assert run(snapshot(pos, web), links, guard=Guard(share=1.0)).halt is None


@pytest.mark.parametrize(
    ("pos_read", "pos_count", "code"),
    [
        pytest.param(0, 0, "empty_read", id="empty-pos-read"),
        pytest.param(3, 4, "short_read", id="fewer-than-count"),
    ],
)
def test_guard_trips_on_an_empty_or_short_full_read(
    pos_read: int, pos_count: int, code: str
) -> None:
    """Guard: an empty POS read, or fewer products than count.json, writes nothing (R11 safety)."""
    pos, web, links = _linked_pairs(4, pos_stock=5, web_qty=5)
    result = run(snapshot(pos[:pos_read], web, pos_count=pos_count), links)
    assert result.halt is not None and result.halt.code == code and result.writes == 0


def test_pos_deleted_link_is_rebound_when_the_sku_returns_on_pos() -> None:
    """R11: if a product with the SKU comes back on POS, the broken link points at it again."""
    old = pos_product(1, [pv(11, "S")])
    web = web_product(5, [wv(51, "S")])
    stored = link(old, web, "S", status=LinkStatus.POS_DELETED)
    new = pos_product(2, [pv(22, "S")])
    (rebind,) = run(snapshot([new], [web]), [stored]).rebinds
    assert (rebind.pos.variant_id, rebind.web.variant_id) == (22, 51)


def test_untracked_web_variant_is_reported_and_gets_no_stock_write() -> None:
    """R1: a linked variant whose tracking was turned off is an error, not a silent write."""
    pos = pos_product(1, [pv(11, "S", stock={BRANCH_A: 3})])
    web = web_product(5, [wv(51, "S", qty=0, tracked=False)])
    result = run(snapshot([pos], [web]), [link(pos, web, "S")])
    assert result.stock == () and [p.code for p in result.problems] == ["web_untracked"]


def test_every_action_has_a_reason() -> None:
    """STYLE: each planned action says why, so --dry-run output explains itself."""
    pos = [pos_product(1, [pv(11, "A", stock={BRANCH_A: 3})]), pos_product(2, [pv(21, "P")])]
    web = [web_product(5, [wv(51, "A", price=1, qty=0)]), web_product(6, [wv(61, "W")])]
    result = run(snapshot(pos, web), first_link=True)
    actions: list[object] = [*result.links, *result.creations, *result.stock, *result.prices]
    assert len(actions) == 5
    assert all(getattr(a, "reason", "") for a in actions)
    assert not any(isinstance(a, SetLinkStatus | PushStock) and not a.reason for a in actions)
