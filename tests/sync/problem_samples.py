"""Problems, findings and link reasons made by the real sync code on plain data, one or more
for each code it can produce: the registry test and the bot's rendering tests share them."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from typing import NamedTuple

from sync import engine, preflight
from sync.apply import Outcome
from sync.domain import LinkStatus, WebLineItem, WebOrder
from sync.errors import RecordError, RetryableError
from sync.order_plan import LinkView, build_pos_order, decide, total_problem
from sync.plan import Plan, Problem
from sync.planner import plan
from sync.texts import Params
from tests.sync.catalog_data import (
    BRANCH_A,
    LISTS,
    T0,
    config,
    link,
    pos_product,
    pv,
    snapshot,
    web_product,
    wv,
)


class Sample(NamedTuple):
    """One sentence the sync wrote: its code, its English message and its parameters."""

    code: str
    message: str
    params: Params


def _plan(pos, web, links=(), **kw) -> Plan:  # type: ignore[no-untyped-def]
    kw.setdefault("inflight", {})
    kw.setdefault("price_lists", LISTS)
    return plan(snapshot(pos, web, **kw.pop("snap", {})), list(links), config(), **kw)


def _of(result: Plan) -> list[Sample]:
    found = [Sample(p.code, p.message, p.params) for p in result.problems]
    found += [
        Sample(s.reason_code, s.reason, s.params)
        for s in result.statuses
        if s.reason_code is not None
    ]
    found += [
        Sample(a.reason_code, a.reason, a.reason_params or {})
        for a in result.links
        if a.reason_code is not None
    ]
    return found


def preflight_samples() -> list[Sample]:
    """Every preflight finding (R1), blocking and warning."""
    pos = [
        pos_product(1, [pv(11, ""), pv(12, "PD"), pv(13, "PD")]),
        pos_product(2, [pv(21, "Case-A")]),
        pos_product(
            3, [pv(31, "OPT", opts=("Đỏ", "M", None))], names=("Màu", "Size"), name="Áo <b>"
        ),
        pos_product(4, [pv(41, "VAL", opts=("Đỏ", None, None))], names=("Màu",)),
    ]
    web = [
        web_product(5, [wv(51, None), wv(52, "WD"), wv(53, " WD"), wv(54, "UNT", tracked=False)]),
        web_product(6, [wv(61, "NEG", qty=-3), wv(62, "case-a"), wv(63, "Cafe\u0301")]),
        web_product(7, [wv(71, "OPT", opts=("Đỏ", None, None))], names=("Phân loại",)),
        web_product(8, [wv(81, "VAL", opts=("Xanh", None, None))], names=("Màu",)),
    ]
    report = preflight.check(pos, web)
    return [Sample(f.code, f.message, f.params) for f in (*report.blocking, *report.warnings)]


def planner_samples() -> list[Sample]:
    """Problems and link reasons of matching, creation, linked pairs and the guard."""
    found: list[Sample] = []
    # matching: duplicates, blanks, case-only twins; a new product with no price
    found += _of(
        _plan(
            [
                pos_product(1, [pv(11, "DUP"), pv(12, "Twin")]),
                pos_product(2, [pv(21, "NOPRICE", prices={})]),
            ],
            [
                web_product(5, [wv(51, "DUP"), wv(52, "")]),
                web_product(6, [wv(61, "DUP"), wv(62, "twin")]),
            ],
        )
    )
    # linked pairs: drift in options, values and SKU; deletions; untracked; no price
    pos_a = pos_product(1, [pv(11, "OPT", opts=("Đỏ", "M", None))], names=("Màu", "Size"))
    web_a = web_product(5, [wv(51, "OPT", opts=("Đỏ", "M", None))], names=("Màu", "Size"))
    web_a2 = web_product(5, [wv(51, "OPT", opts=("Đỏ", None, None))], names=("Màu",))
    pos_b = pos_product(2, [pv(21, "VAL", opts=("Đỏ", None, None))], names=("Màu",))
    web_b = web_product(6, [wv(61, "VAL", opts=("Đỏ", None, None))], names=("Màu",))
    web_b2 = web_product(6, [wv(61, "VAL", opts=("Xanh", None, None))], names=("Màu",))
    pos_c = pos_product(3, [pv(31, "SKUC")])
    web_c = web_product(7, [wv(71, "SKUC")])
    web_c2 = web_product(7, [wv(71, "SKUC-2")])
    pos_d = pos_product(4, [pv(41, "GONE-W")])
    web_d = web_product(8, [wv(81, "GONE-W")])
    pos_e = pos_product(9, [pv(91, "GONE-P")])
    web_e = web_product(10, [wv(101, "GONE-P")])
    pos_f = pos_product(11, [pv(111, "UNT", prices={})])
    web_f = web_product(12, [wv(121, "UNT")])
    web_f2 = web_product(12, [wv(121, "UNT", tracked=False)])
    links = [
        link(pos_a, web_a, "OPT"),
        link(pos_b, web_b, "VAL"),
        link(pos_c, web_c, "SKUC"),
        link(pos_d, web_d, "GONE-W"),
        link(pos_e, web_e, "GONE-P"),
        link(pos_f, web_f, "UNT"),
    ]
    found += _of(
        _plan(
            [pos_a, pos_b, pos_c, pos_d, pos_f],
            [web_a2, web_b2, web_c2, web_e, web_f2],
            links,
            first_link=True,
        )
    )
    # a web variant deleted from a linked product, a POS variant deleted from another
    pos_g = pos_product(13, [pv(131, "G-M"), pv(132, "G-L")])
    web_g = web_product(14, [wv(141, "G-M"), wv(142, "G-L")])
    pos_j = pos_product(22, [pv(221, "J-M"), pv(222, "J-L")])
    web_j = web_product(23, [wv(231, "J-M"), wv(232, "J-L")])
    found += _of(
        _plan(
            [pos_g, pos_product(22, [pv(221, "J-M")])],
            [web_product(14, [wv(141, "G-M")]), web_j],
            [
                link(pos_g, web_g, "G-M"),
                link(pos_g, web_g, "G-L"),
                link(pos_j, web_j, "J-M"),
                link(pos_j, web_j, "J-L"),
            ],
            first_link=True,
        )
    )
    # a linked SKU carried again; a twin in case of a linked SKU; new variants that cannot
    # join their linked partner (options differ, or several partners)
    pos_h = pos_product(15, [pv(151, "LNK", opts=("M", None, None))], names=("Size",))
    web_h = web_product(16, [wv(161, "LNK", opts=("M", None, None))], names=("Size",))
    pos_h2 = pos_product(
        15,
        [pv(151, "LNK", opts=("M", "X", None)), pv(152, "NEWV", opts=("L", "X", None))],
        names=("Size", "Màu"),
    )
    web_h2 = web_product(
        16,
        [wv(161, "LNK", opts=("M", None, None)), wv(162, "NEWW", opts=("L", None, None))],
        names=("Size",),
    )
    pos_k = pos_product(17, [pv(171, "K1"), pv(172, "K2"), pv(173, "K3")])
    web_k1, web_k2 = web_product(18, [wv(181, "K1")]), web_product(19, [wv(191, "K2")])
    found += _of(
        _plan(
            [pos_h2, pos_k, pos_product(20, [pv(201, "lnk")])],
            [web_h2, web_k1, web_k2, web_product(21, [wv(211, "LNK")])],
            [link(pos_h, web_h, "LNK"), link(pos_k, web_k1, "K1"), link(pos_k, web_k2, "K2")],
            first_link=True,
        )
    )
    # the guard: a short read, an empty read, too many changes
    pairs = [
        (
            pos_product(i, [pv(i * 10, f"S{i}", stock={BRANCH_A: 0})]),
            web_product(i, [wv(i * 10, f"S{i}")]),
        )
        for i in range(30, 42)
    ]
    pos_all, web_all = [p for p, _ in pairs], [w for _, w in pairs]
    every = [link(p, w, f"S{i}") for i, (p, w) in zip(range(30, 42), pairs, strict=True)]
    for result in (
        _plan(pos_all, web_all, every),
        _plan(pos_all[:3], web_all, every, snap={"pos_count": 12}),
        _plan([], web_all, every),
    ):
        assert result.halt is not None
        found.append(Sample(result.halt.code, result.halt.message, result.halt.params))
    return found


def cycle_samples() -> list[Sample]:
    """Problems of a cycle: the first link waiting for preflight, failed and stopped writes."""
    blocked = engine._blocked_problem(preflight.check([], [web_product(5, [wv(51, "")])]))
    outcome = Outcome()
    outcome.fail("S1", "stock_write_failed", RecordError("422 quantity <is> invalid"))
    outcome.fail("S2", "price_write_failed", RecordError("422 price"))
    outcome.fail("S3", "create_failed", RetryableError("503 Service Unavailable"))
    found = [blocked, *outcome.failures]
    if outcome.interrupted is not None:
        found.append(outcome.interrupted)
    return [Sample(p.code, p.message, p.params) for p in found]


def gone_again(code: str, reason: str, params: Params) -> list[Problem]:
    """A link in error because its web side was deleted, re-reported from its stored row."""
    pos, web = pos_product(1, [pv(11, "S")]), web_product(5, [wv(51, "S")])
    stored = link(pos, web, "S", status=LinkStatus.ERROR, reason_code=code)
    stored = stored._replace(reason=reason, reason_params=params)
    result = _plan([pos], [web_product(6, [wv(61, "OTHER")])], [stored])
    return list(result.problems)


def order_samples() -> list[Sample]:
    """The error rows of web orders that cannot go to POS (R5, R15, R17), as the push writes
    them: "<order>: <why>", the order's name added to the decision's parameters."""
    links = {
        "OK": LinkView("OK", "linked", 1),
        "OFF": LinkView("OFF", "disconnected", 2),
        "GONE": LinkView("GONE", "deleted", 3),
        "POSDEL": LinkView("POSDEL", "pos_deleted", 4),
        "ERR": LinkView("ERR", "error", 5),
    }
    found: list[Sample] = []
    for skus in ([None, "NEW"], ["NEW"], ["OFF"], ["GONE"], ["POSDEL"], ["ERR"], []):
        web = _order(*skus)
        decision = decide(web, cutover=T0, links=links)
        found.append(_order_row(web, decision.code or "", decision.reason, decision.params))
    for total in (90_000, None):
        web = _order("OK", total=total)
        new = build_pos_order(
            web, links=links, location_id=1, price_list_id=1, source_id=1, customer_id=None
        )
        if total is None:  # lines add up, but POS would charge the shipping twice
            new = replace(new, delivery_fee=new.delivery_fee + 5_000)
        off = total_problem(web, new)
        assert off is not None
        found.append(_order_row(web, "total_mismatch", off.text, {"reason": off.part}))
    return found


def _order(*skus: str | None, total: int | None = None) -> WebOrder:
    lines = tuple(
        WebLineItem(i, 1, 1, sku, f"Áo {i} <b>", Decimal(1), 100_000) for i, sku in enumerate(skus)
    )
    gross = 100_000 * len(lines)
    return WebOrder(7, "#1007", 1007, T0 + timedelta(minutes=1), lines, total or gross)


def _order_row(web: WebOrder, code: str, reason: str, params: Params) -> Sample:
    return Sample(code, f"{web.name}: {reason}", {"order": web.name, **params})


def all_samples() -> list[Sample]:
    return [*preflight_samples(), *planner_samples(), *cycle_samples(), *order_samples()]
