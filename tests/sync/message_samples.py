"""Sentences that are not problems, made by the real sync code on plain data: order reasons,
resync outcomes, refusals and dry-run reasons, each with the ``msg.*`` fragment it carries
(R17, R19, the language requirement). The registry test and the catalogue tests share them."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from sync import links, orders
from sync.domain import LinkStatus
from sync.errors import UserError, no_linked_product
from sync.order_plan import LinkView, Verdict, decide, eligibility
from sync.order_push import RETRY, OrderOutcome
from sync.texts import KEY, Params, msg
from tests.sync.catalog_data import T0, link, pos_product, pv, web_product, wv
from tests.sync.problem_samples import Sample, _order, _plan

LINKS = {
    "OK": LinkView("OK", "linked", 1),
    "OFF": LinkView("OFF", "disconnected", 2),
    "ERR": LinkView("ERR", "error", 5),
}


def _sample(message: str, said: Params | None) -> Sample:
    assert said is not None, f"no sentence for {message!r}"
    return Sample(str(said[KEY]), message, said)


def order_reason_samples() -> list[Sample]:
    """The reason an order row keeps: ineligible (R5), failed or skipped (R15), totals."""
    found = []
    for skus in ([None, "NEW"], ["OFF"], ["ERR", "OFF"], []):
        decision = decide(_order(*skus), cutover=T0, links=LINKS)
        found.append(_sample(decision.reason, decision.said))
    early = _order("OK")
    for ineligible in (
        eligibility(replace(early, created_on=T0 - timedelta(days=2)), cutover=T0),
        eligibility(replace(early, status="cancelled"), cutover=T0),
    ):
        assert ineligible is not None
        found.append(_sample(ineligible.reason, ineligible.said))
    return found


def resync_samples() -> list[Sample]:
    """What a resync says after the attempt (R17), for each way the attempt ends."""
    blocked = decide(_order("NEW", "OFF"), cutover=T0, links=LINKS)
    failed = decide(_order(), cutover=T0, links=LINKS)
    ends = [
        OrderOutcome("#1007", 7, Verdict.PUSH, "pushed", None, "", "SON001"),
        OrderOutcome("#1007", 7, Verdict.PUSH, "pushed", None, "", "SON001", found_existing=True),
        OrderOutcome(
            "#1007",
            7,
            Verdict.FAIL,
            "failed",
            blocked.code,
            blocked.reason,
            problems=blocked.problems,
        ),
        OrderOutcome(
            "#1007", 7, Verdict.FAIL, "failed", failed.code, failed.reason, said=failed.said
        ),
        OrderOutcome(
            "#1007",
            7,
            RETRY,
            "pending",
            None,
            "503 <busy>",
            said=msg("order_no_answer", error="503 <busy>"),
        ),
    ]
    found = []
    for end in ends:
        done = orders._resync_outcome(end)
        found.append(_sample(done.message, done.said))
        found += [
            _sample(text, part)
            for text, part in zip(done.not_live, done.not_live_said, strict=True)
        ]
    return found


def refusal_samples() -> list[Sample]:
    """Link commands refused (R15, R16, R11) and a SKU with no link (R14)."""
    refusals: list[UserError | None] = [
        no_linked_product("A<b>"),
        links._refusal("SKU1", LinkStatus.DELETED, LinkStatus.LINKED, None),
        links._refusal("SKU1", LinkStatus.POS_DELETED, LinkStatus.LINKED, None),
        links._refusal("SKU1", LinkStatus.DISCONNECTED, LinkStatus.LINKED, None),
    ]
    found = []
    for error in refusals:
        assert error is not None
        found.append(_sample(str(error), error.said))
    return found


def plan_samples() -> list[Sample]:
    """The reasons a dry run shows: links (R2, R10), a pair matching again, creations (R3, R7)."""
    pos_ok = pos_product(1, [pv(11, "SAME")])
    web_ok = web_product(5, [wv(51, "SAME")])
    pos_drift = pos_product(2, [pv(21, "DRIFT", opts=("Đỏ", "M", None))], names=("Màu", "Size"))
    web_drift = web_product(6, [wv(61, "DRIFT", opts=("Đỏ", None, None))], names=("Màu",))
    pos_back = pos_product(3, [pv(31, "BACK")])
    web_back = web_product(7, [wv(71, "BACK")])
    pos_grew = pos_product(4, [pv(41, "GREW"), pv(42, "GREW-2")])
    web_grew = web_product(8, [wv(81, "GREW"), wv(82, "GREW-W")])
    result = _plan(
        [pos_ok, pos_drift, pos_back, pos_grew, pos_product(9, [pv(91, "POSONLY")])],
        [web_ok, web_drift, web_back, web_grew, web_product(10, [wv(101, "WEBONLY")])],
        [
            link(pos_back, web_back, "BACK", status=LinkStatus.ERROR, reason_code="sku_changed"),
            link(pos_grew, web_grew, "GREW"),
        ],
    )
    found = [_sample(a.reason, a.said) for a in result.links]
    found += [_sample(s.reason, s.said) for s in result.statuses if s.said is not None]
    found += [_sample(c.reason, c.said) for c in result.creations]
    return found


def message_samples() -> list[Sample]:
    return [
        *order_reason_samples(),
        *resync_samples(),
        *refusal_samples(),
        *plan_samples(),
    ]
