"""Compare, disconnect, reconnect and delete link on a shop linked by the real engine
(R14, R15, R16), with the safety rules: admins only, confirm, once per click, audited."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import httpx

from bot.views import buttons as act
from sandbox import Sandbox
from sandbox.seeds import DEMO_POS_DEFAULT_LOCATION_ID
from storage import repo
from tests.bot.data import audit_actions
from tests.bot.harness import ADMIN, VIEWER, Harness, button, buttons, mrkdwn
from tests.support.sapo import clients_for

SKU = "QJSF-29"


def _status(bot: Harness, sku: str) -> str:
    ctx = bot.bot.deps.ctx
    with ctx.db.session() as session:
        link = repo.get_link(session, connection_id=ctx.connection_id, sku=sku)
    assert link is not None
    return link.status


def _compare(bot: Harness, sku: str, user: str = VIEWER) -> dict[str, Any]:
    return bot.answers(bot.command(f"compare {sku}", user=user))[0].body


def test_compare_shows_both_sides_marks_differences_and_links_to_each_admin(
    linked: Harness, sb: Sandbox
) -> None:
    """R14: POS and web side by side (name, SKU, barcode, options, price, stock, visibility,
    last sync), View on Sapo POS/Web; a stock, name or visibility difference is marked, and
    every row is once the web product is deleted."""
    text = mrkdwn(_compare(linked, SKU))
    for row in ("Name", "SKU", "Barcode", "Options", "Visible on the web"):
        assert f"*{row}* · POS" in text and f"*{row}* · Web" in text, row
    assert re.search(r"last sync \d\d/\d\d \d\d:\d\d", text), text
    assert "≠ *" not in text, "a freshly synced product differs in nothing"

    sb.set_pos_inventory(SKU, DEMO_POS_DEFAULT_LOCATION_ID, 77)  # a store sale the web lags
    answer = _compare(linked, SKU)
    assert answer["response_type"] == "ephemeral"
    text = mrkdwn(answer)
    assert "≠ *Stock* · POS" in text and "= 77" in text
    assert "*Price* · POS" in text and "Giá bán lẻ" in text
    assert "≠ *Price*" not in text, "the first cycle wrote the web price"
    urls = {e["action_id"]: e.get("url") for _, e in buttons(answer["blocks"])}
    assert urls[act.LINK_POS].startswith(sb.pos_url + "/admin/products/")
    assert urls[act.LINK_WEB].startswith(sb.web_url + "/admin/products/")
    assert act.DISCONNECT in urls and act.UNLINK in urls
    link_click = linked.click(button(answer["blocks"], act.LINK_POS)[1], block_id="cmp.x")
    assert link_click.status == 200, "a URL button's click is acknowledged"

    path = "/admin/products/" + str(urls[act.LINK_WEB]).rsplit("/", 1)[1] + ".json"
    with httpx.Client(base_url=sb.web_url, auth=(sb.api_key, sb.api_secret)) as admin:
        admin.put(path, json={"product": {"name": "Quần jean đổi tên", "published": False}})
        text = mrkdwn(_compare(linked, SKU))
        assert "≠ *Name* · Web\nQuần jean đổi tên" in text
        assert "≠ *Visible on the web* · POS\nOn sale" in text and "Hidden" in text
        assert "≠ *SKU*" not in text and "≠ *Barcode*" not in text
        admin.delete(path).raise_for_status()
    gone = _compare(linked, SKU)
    text = mrkdwn(gone)
    assert "(missing on this side)" in text
    assert text.count("≠ *") == 14, "all seven rows, both sides, are marked"
    assert "7 differences" in gone["text"]


def test_compare_of_an_unknown_sku_says_so(linked: Harness) -> None:
    """Comparing a SKU that is not linked answers with the reason, not an incident."""
    text = mrkdwn(_compare(linked, "NO-SUCH-SKU"))
    assert "no linked product has SKU" in text and "incident" not in text


def test_disconnect_button_once_then_reconnect(linked: Harness) -> None:
    """Disconnect from the list: refused for viewers, done once for an admin, the row then
    offers Reconnect; the channel is told; reconnect resumes it (R15)."""
    listing = linked.answers(linked.command(f"products {SKU}"))[0].body
    block_id, disconnect = button(listing["blocks"], act.DISCONNECT, SKU)
    refused = linked.click(disconnect, block_id=block_id, user=VIEWER, message=listing)
    assert "Only sync admins" in mrkdwn(linked.answers(refused)[0].body)
    linked.idle()
    assert _status(linked, SKU) == "linked"

    first = linked.click(disconnect, block_id=block_id, message=listing)
    second = linked.click(disconnect, block_id=block_id, message=listing)
    assert "already done" in mrkdwn(linked.answers(second)[0].body)
    replaced, announced = linked.answers(first, 2)
    assert _status(linked, SKU) == "disconnected"
    assert announced.body["response_type"] == "in_channel"
    assert f"<@{ADMIN}> disconnected `{SKU}`" in mrkdwn(announced.body)
    assert replaced.body["replace_original"] is True
    row_buttons = {(e["action_id"], e.get("value")) for _, e in buttons(replaced.body["blocks"])}
    assert (act.RECONNECT, SKU) in row_buttons and (act.DISCONNECT, SKU) not in row_buttons
    assert [a for a in audit_actions(linked.bot) if a[1] == "link.disconnect"] == [
        (ADMIN, "link.disconnect", SKU)
    ]

    answer = linked.answers(linked.command(f"reconnect {SKU}"))[0].body
    assert answer["response_type"] == "in_channel" and "reconnected" in mrkdwn(answer)
    assert _status(linked, SKU) == "linked"


def test_disconnect_command_is_refused_for_viewers(linked: Harness) -> None:
    """Typing the command is checked as well as clicking (safety)."""
    refused = linked.command(f"disconnect {SKU}", user=VIEWER)
    assert "Only sync admins" in mrkdwn(linked.answers(refused)[0].body)
    linked.idle()
    assert _status(linked, SKU) == "linked"


def test_unlink_asks_for_confirmation_then_deletes_for_good(linked: Harness) -> None:
    """``/sapo unlink`` only offers the danger button (confirm names the SKU); pressing it
    deletes the link for good and the product leaves the list (R16)."""
    offer = linked.answers(linked.command(f"unlink {SKU}"))[0].body
    assert _status(linked, SKU) == "linked", "typing unlink does not delete"
    block_id, unlink = button(offer["blocks"], act.UNLINK, SKU)
    assert unlink["style"] == "danger" and SKU in unlink["confirm"]["text"]["text"]
    assert "cannot be undone" in unlink["confirm"]["text"]["text"]
    _, announced = linked.answers(linked.click(unlink, block_id=block_id, message=offer), 2)
    assert "deleted the link" in mrkdwn(announced.body)
    assert _status(linked, SKU) == "deleted"
    text = mrkdwn(linked.answers(linked.command(f"products {SKU}"))[0].body)
    assert "Nothing matches" in text
    again = linked.answers(linked.command(f"reconnect {SKU}"))[0].body
    assert "deleted for good" in mrkdwn(again)


def test_row_and_digest_buttons_compare_reconnect_show_errors_and_settings(
    linked: Harness,
) -> None:
    """The remaining buttons: Compare and Reconnect on a row, Show errors on a digest, and
    Settings on App Home (opens the config modal for an admin)."""
    linked.answers(linked.command(f"disconnect {SKU}"))
    listing = linked.answers(linked.command(f"products {SKU}"))[0].body
    block_id, compare = button(listing["blocks"], act.COMPARE, SKU)
    shown = linked.answers(linked.click(compare, block_id=block_id, message=listing))[0].body
    assert shown["replace_original"] is False and "Compare QJSF-29" in str(shown["blocks"][0])
    block_id, reconnect = button(listing["blocks"], act.RECONNECT, SKU)
    linked.answers(linked.click(reconnect, block_id=block_id, message=listing), 2)
    assert _status(linked, SKU) == "linked"

    assert linked.bot.alerts is not None
    linked.bot.alerts.publish()  # the first link's own problems (R10) come first
    for i in range(6):
        _add_storm_error(linked, i)
    assert linked.bot.alerts.publish().digests == 1
    digest = next(
        m for m in linked.slack.channel_messages("C0ALERTS") if "new sync errors" in m.body["text"]
    )
    block_id, show = button(digest.body["blocks"], act.SHOW_ERRORS)
    listing = linked.answers(linked.click(show, block_id=block_id, ephemeral=False))[0].body
    assert listing["response_type"] == "ephemeral" and "Sync errors" in str(listing["blocks"][0])

    linked.event({"type": "app_home_opened", "user": ADMIN, "tab": "home", "event_ts": "1"})
    home = linked.slack.wait_calls("views.publish")[-1].body["view"]
    block_id, settings = button(home["blocks"], act.OPEN_CONFIG)
    linked.click(settings, block_id=block_id, container={"type": "view", "view_id": "V0HOME"})
    linked.slack.wait_calls("views.update")
    assert linked.slack.calls("views.open")[0].body["view"]["callback_id"].endswith(".loading")


def _add_storm_error(bot: Harness, i: int) -> None:
    from tests.bot.data import add_error

    add_error(bot.bot, kind="product", subject=f"STORM-{i}", code="storm", message="m")


@contextmanager
def _no_backoff(bot: Harness, sb: Sandbox) -> Iterator[None]:
    """The bot's Sapo clients retry 5xx without waiting, so an outage fails in milliseconds."""
    deps = bot.bot.deps
    pos, web = clients_for(sb, sleep=lambda _s: None)
    before = deps.ctx
    deps.ctx = replace(before, pos=pos, web=web)
    try:
        yield
    finally:
        deps.ctx = before
        pos.close()
        web.close()


def test_a_reconnect_that_failed_can_be_pressed_again(linked: Harness, sb: Sandbox) -> None:
    """Reconnect while Sapo answers 503 says why it failed; once Sapo is back, pressing the
    same button again reconnects instead of answering "already done" (issue 7)."""
    linked.answers(linked.command(f"disconnect {SKU}"))
    listing = linked.answers(linked.command(f"products {SKU}"))[0].body
    block_id, reconnect = button(listing["blocks"], act.RECONNECT, SKU)
    with _no_backoff(linked, sb):
        sb.set_faults("both", error_rate=1.0, status=503)
        try:
            failed = linked.answers(linked.click(reconnect, block_id=block_id, message=listing))
            linked.idle()
        finally:
            sb.set_faults("both")
        text = mrkdwn(failed[0].body)
        assert "503" in text and "already done" not in text, text
        assert _status(linked, SKU) == "disconnected"
        again = linked.click(reconnect, block_id=block_id, message=listing)
        _, announced = linked.answers(again, 2)
    assert "reconnected" in mrkdwn(announced.body)
    assert _status(linked, SKU) == "linked"
