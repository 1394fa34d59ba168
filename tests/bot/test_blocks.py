"""The Block Kit builders stay within Slack's limits and escape untrusted text, whatever comes."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.i18n import Translator
from bot.views import buttons as act
from bot.views.alerts import AlertInfo, alert_message, digest_message
from bot.views.config import ConfigMeta, config_view, loading_view, parse_submission
from bot.views.help import help_message
from bot.views.kit import Message, message, section
from bot.views.lists import (
    PAGE_SIZE,
    ErrorRow,
    ListQuery,
    OrderRow,
    ProductRow,
    errors_page,
    orders_page,
    products_page,
)
from bot.views.reports import FindingLine, PreflightView, preflight_message
from bot.views.status import home_view, status_message
from sync.domain import ConfigSnapshot, Location, PriceList
from sync.status import Budget, JobStatus, StatusReport
from tests.support.fake_slack import problems_in_blocks, problems_in_view

EVIL = "<!channel> <http://evil|click> & `x`"
LONG = EVIL + " Áo sơ mi " * 800
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 5, 12, 3, 4, tzinfo=UTC)
LANGS = ["en", "vi"]


def _valid(msg: Message) -> None:
    assert problems_in_blocks(msg.blocks, surface="message") == []
    assert msg.text and len(msg.text) <= 1000


def _mrkdwn(payload: object) -> list[str]:
    """Every mrkdwn text in a payload: the only place Slack interprets ``<...>``."""
    if isinstance(payload, dict):
        found = [payload["text"]] if payload.get("type") == "mrkdwn" else []
        return found + [t for v in payload.values() for t in _mrkdwn(v)]
    if isinstance(payload, list):
        return [t for v in payload for t in _mrkdwn(v)]
    return []


def _no_raw_control(payload: object) -> None:
    text = "\n".join(_mrkdwn(payload))
    assert "<!channel>" not in text and "<http://evil" not in text
    assert "&lt;!channel&gt;" in text


@pytest.mark.parametrize("lang", LANGS)
def test_product_page_with_hostile_names_is_valid_and_escaped(lang: str) -> None:
    """A full page of products named ``<!channel> <http://evil|click>`` pings nobody (R13)."""
    t = Translator(lang)
    rows = [
        ProductRow(f"{EVIL}-{i}" * 20, LONG, status, reason=LONG, cost_review=True)
        for i, status in enumerate(["linked", "error", "disconnected", "pos_deleted"] * 3)
    ]
    msg = products_page(t, rows, 500, ListQuery("products", offset=10), TZ, "s1")
    _valid(msg)
    _no_raw_control(msg.blocks)
    ids = [e["action_id"] for b in msg.blocks if b["type"] == "actions" for e in b["elements"]]
    assert {act.COMPARE, act.DISCONNECT, act.RECONNECT, act.UNLINK, act.PAGE, act.PAGE_NEXT} <= set(
        ids
    )


def test_delete_link_is_a_danger_button_whose_confirmation_names_the_sku() -> None:
    """Delete link asks first, names the SKU and says it cannot be undone (R16)."""
    button = act.unlink_button(Translator("en"), "SKU-<1>")
    assert button["style"] == "danger"
    assert "SKU-&lt;1&gt;" in button["confirm"]["text"]["text"]
    assert "cannot be undone" in button["confirm"]["text"]["text"]


def test_paging_buttons_carry_the_query_and_stop_at_the_ends() -> None:
    """Previous/Next keep the filter and text; none past the first or last page."""
    t = Translator("en")
    rows = [ProductRow(f"S{i}", "n", "linked") for i in range(PAGE_SIZE)]
    first = products_page(t, rows, 25, ListQuery("products", "áo", "linked", 0), TZ, "s")
    buttons = [e for b in first.blocks if b["type"] == "actions" for e in b["elements"]]
    nav = [e for e in buttons if e["action_id"] in (act.PAGE, act.PAGE_NEXT)]
    assert [e["action_id"] for e in nav] == [act.PAGE_NEXT]
    assert ListQuery.decode(nav[0]["value"]) == ListQuery("products", "áo", "linked", 10)
    last = products_page(t, rows[:5], 25, ListQuery("products", offset=20), TZ, "s")
    nav = [e for b in last.blocks if b["type"] == "actions" for e in b["elements"]]
    assert [e["action_id"] for e in nav if e["action_id"].startswith("sapo.page")] == [act.PAGE]


@pytest.mark.parametrize("lang", LANGS)
def test_order_and_error_pages_are_valid(lang: str) -> None:
    """Order and error lists stay valid with long customer names and error texts (R17, R19)."""
    t = Translator(lang)
    orders = [
        OrderRow(f"#{1000 + i}", s, LONG, 10**12, EVIL, LONG, NOW)
        for i, s in enumerate(["pushed", "failed", "skipped", "ineligible", "pending"] * 2)
    ]
    msg = orders_page(t, orders, 11, ListQuery("orders"), TZ, "s")
    _valid(msg)
    _no_raw_control(msg.blocks)
    errors = [
        ErrorRow(i, k, EVIL * 30, "code" * 40, LONG, 7, NOW)
        for i, k in enumerate(["product", "order"] * 5)
    ]
    msg = errors_page(t, errors, 99, ListQuery("errors"), TZ, "s")
    _valid(msg)
    _no_raw_control(msg.blocks)


def test_a_message_never_exceeds_fifty_blocks() -> None:
    """However many blocks a builder makes, the message keeps 50 and says it was trimmed."""
    msg = message("x", [section(str(i)) for i in range(80)], trimmed_note="cut")
    assert len(msg.blocks) == 50 and msg.blocks[-1]["type"] == "context"


@pytest.mark.parametrize("lang", LANGS)
def test_alerts_and_digest_are_valid_in_every_state(lang: str) -> None:
    """Open, resolved and dismissed alerts and a 300-error digest fit Slack (alert channel)."""
    t = Translator(lang)
    base = AlertInfo(1, "product", EVIL * 10, "structure_drift", LONG, 3, NOW, NOW)
    states = [
        base,
        replace(base, resolved_at=NOW),
        replace(base, dismissed_at=NOW, dismissed_by="U0ADMIN"),
    ]
    for info in states:
        msg = alert_message(t, info, TZ, "s")
        _valid(msg)
        _no_raw_control(msg.blocks)
    open_buttons = [
        b for b in alert_message(t, states[0], TZ, "s").blocks if b["type"] == "actions"
    ]
    assert open_buttons and not [
        b for b in alert_message(t, states[2], TZ, "s").blocks if b["type"] == "actions"
    ]
    storm = [
        AlertInfo(
            i,
            "product" if i % 2 else "order",
            f"{EVIL}{i}",
            f"code{i % 37}",
            LONG,
            1,
            NOW,
            NOW + timedelta(seconds=i),
        )
        for i in range(300)
    ]
    _valid(digest_message(t, storm, TZ, "s"))


@pytest.mark.parametrize("lang", LANGS)
def test_status_and_home_are_valid(lang: str) -> None:
    """The status message and the App Home view fit Slack's limits (status, App Home)."""
    t = Translator(lang)
    report = StatusReport(
        links={"linked": 30, "error": 2},
        errors={"product": 3},
        orders_pushed_today=4,
        orders_failed_today=1,
        cost_review=2,
        generated_at=NOW,
        jobs=tuple(
            JobStatus(n, NOW, NOW, n != "full", EVIL if n == "full" else None)
            for n in ("orders", "stock", "catalog", "full", "other")
        ),
        scheduler_healthy=False,
        pos_budget=Budget(3, 40),
        web_budget=None,
    )
    _valid(status_message(t, report, TZ))
    view = home_view(t, report, TZ, admin=True)
    assert problems_in_view(view) == []
    _no_raw_control(view)


@pytest.mark.parametrize("lang", LANGS)
def test_config_modal_is_valid_with_many_options(lang: str) -> None:
    """The config modal fits Slack with 150 branches and long names; metadata stays < 3000 (R18)."""
    t = Translator(lang)
    lists = [PriceList(i, f"P{i}", LONG[:300]) for i in range(1, 130)]
    branches = [Location(100 + i, LONG[:200]) for i in range(150)]
    current = ConfigSnapshot(1, 100, frozenset({100, 101}), NOW, version=3)
    view = config_view(t, current, lists, branches, channel="C1")
    assert problems_in_view(view) == []
    assert problems_in_view(loading_view(t)) == []
    meta = ConfigMeta.decode(view["private_metadata"])
    assert meta.channel == "C1" and len(meta.locations) == 100


def test_config_submission_needs_a_branch_and_sane_intervals() -> None:
    """No stock branch or an interval under 15 s is refused, keyed by the input block (R18)."""
    t = Translator("en")
    values: dict[str, Any] = {
        "price_list": {"value": {"selected_option": {"value": "7"}}},
        "order_location": {"value": {"selected_option": {"value": "9"}}},
        "stock_locations": {"value": {"selected_options": []}},
        "order_interval_s": {"value": {"value": "5"}},
        "stock_interval_s": {"value": {"value": "120"}},
        "catalog_interval_s": {"value": {"value": "600"}},
        "full_interval_s": {"value": {"value": "3600"}},
    }
    change, errors = parse_submission(t, values)
    assert change is None and set(errors) == {"stock_locations", "order_interval_s"}
    values["stock_locations"] = {"value": {"selected_options": [{"value": "9"}]}}
    values["order_interval_s"] = {"value": {"value": "60"}}
    change, errors = parse_submission(t, values)
    assert errors == {} and change is not None
    assert change.stock_location_ids == frozenset({9}) and change.price_list_id == 7


@pytest.mark.parametrize("lang", LANGS)
def test_help_and_preflight_are_valid(lang: str) -> None:
    """Help and a preflight report with hundreds of findings fit Slack (R1)."""
    t = Translator(lang)
    _valid(help_message(t))
    _valid(help_message(t, unknown=EVIL))
    findings = tuple(
        FindingLine(f"code{i % 30}", LONG, (("web", EVIL, LONG),) * 5) for i in range(400)
    )
    _valid(preflight_message(t, PreflightView(False, findings, findings, 10**6, 10**6)))


@pytest.mark.parametrize("lang", LANGS)
def test_an_order_error_without_an_order_id_offers_no_resync(lang: str) -> None:
    """A web order Sapo sent without a readable id cannot be resynced by number: its error
    offers Dismiss only, in the list and in the alert; other order errors offer Resync (R17,
    R19, issue 10)."""
    t = Translator(lang)
    garbled = ErrorRow(
        1, "order", "web order without id (fp:ab12)", "unreadable_no_id", LONG, 1, NOW
    )
    failed = ErrorRow(2, "order", "#1042", "sku_not_linked", LONG, 1, NOW)
    msg = errors_page(t, [garbled, failed], 2, ListQuery("errors"), TZ, "s")
    rows = [b for b in msg.blocks if b["type"] == "actions" and b["block_id"].startswith("e")]
    pressed = [[e["action_id"] for e in b["elements"]] for b in rows]
    assert pressed == [[act.DISMISS], [act.RESYNC, act.DISMISS]]
    alert = alert_message(
        t, AlertInfo(1, "order", garbled.subject, "unreadable_no_id", LONG, 1, NOW, NOW), TZ, "s"
    )
    ids = [e["action_id"] for b in alert.blocks if b["type"] == "actions" for e in b["elements"]]
    assert ids == [act.DISMISS]
