"""Product, order and error lists (R13, R17, R19): paged, filtered, escaped, with row buttons."""

from __future__ import annotations

from bot.views import buttons as act
from tests.bot.data import add_error, add_links, add_orders
from tests.bot.harness import Harness, button, buttons, mrkdwn

HOSTILE = "<!channel> <http://evil|click>"


def test_products_are_listed_with_status_reason_and_row_buttons(bot: Harness) -> None:
    """Each product shows SKU, name, status and its last error, with the buttons of its status."""
    add_links(
        bot.bot,
        [
            ("APP-DEN-M", HOSTILE, "error", "options differ: <b>"),
            ("KTV", "Khăn tay", "disconnected", None),
            ("MBH", "Mũ bảo hiểm", "linked", None),
        ],
    )
    answer = bot.answers(bot.command("products"))[0].body
    assert answer["response_type"] == "ephemeral"
    text = mrkdwn(answer)
    assert "&lt;!channel&gt; &lt;http://evil|click&gt;" in text
    assert "<!channel>" not in text and "<http://evil" not in text
    assert "options differ: &lt;b&gt;" in text
    actions = {(e["action_id"], e.get("value")) for _, e in buttons(answer["blocks"])}
    assert (act.RECONNECT, "KTV") in actions and (act.DISCONNECT, "KTV") not in actions
    assert (act.DISCONNECT, "MBH") in actions and (act.RECONNECT, "MBH") not in actions
    assert {(act.COMPARE, "MBH"), (act.UNLINK, "MBH"), (act.UNLINK, "APP-DEN-M")} <= actions


def test_products_filter_by_status_and_text(bot: Harness) -> None:
    """``status:`` and search words narrow the list (R13: search and filter)."""
    add_links(
        bot.bot,
        [
            ("ATCB-TRANG-S", "Áo thun cổ bẻ", "linked", None),
            ("ATCB-TRANG-M", "Áo thun cổ bẻ", "error", "drift"),
            ("MBH", "Mũ bảo hiểm", "error", "drift"),
        ],
    )
    text = mrkdwn(bot.answers(bot.command("products áo thun status:error"))[0].body)
    assert "ATCB-TRANG-M" in text and "ATCB-TRANG-S" not in text and "MBH" not in text


def test_next_and_previous_page_replace_the_list(bot: Harness) -> None:
    """Next shows the following page in place of the list; Previous comes back (R13)."""
    add_links(bot.bot, [(f"SKU-{i:02d}", f"Sản phẩm {i}", "linked", None) for i in range(23)])
    first = bot.answers(bot.command("products"))[0].body
    assert "Showing 1\u201310 of 23" in mrkdwn(first)
    block_id, nxt = button(first["blocks"], act.PAGE_NEXT)
    sent = bot.click(nxt, block_id=block_id, message=first)
    second = bot.answers(sent)[0].body
    assert second["replace_original"] is True
    assert "Showing 11\u201320 of 23" in mrkdwn(second) and "SKU-10" in mrkdwn(second)
    block_id, prev = button(second["blocks"], act.PAGE)
    back = bot.answers(bot.click(prev, block_id=block_id, message=second))[0].body
    assert "Showing 1\u201310 of 23" in mrkdwn(back)


def test_orders_list_shows_status_and_resync_for_unpushed(bot: Harness) -> None:
    """Orders show number, customer, status and a Resync button unless already on POS (R17)."""
    add_orders(bot.bot, [("#1001", "pushed", "Chị Lan"), ("#1002", "failed", HOSTILE)])
    answer = bot.answers(bot.command("orders"))[0].body
    text = mrkdwn(answer)
    assert "#1001" in text and "SON00042" in text and "&lt;!channel&gt;" in text
    resyncs = [e.get("value") for _, e in buttons(answer["blocks"]) if e["action_id"] == act.RESYNC]
    assert resyncs == ["#1002"]
    failed = mrkdwn(bot.answers(bot.command("orders status:failed"))[0].body)
    assert "#1002" in failed and "#1001" not in failed


def test_orders_search_by_customer_or_order_number(bot: Harness) -> None:
    """``/sapo orders <text>`` finds orders by customer name (any case, Vietnamese letters)
    or by order number (R17: search)."""
    add_orders(
        bot.bot,
        [("#1001", "pushed", "Chị Lan"), ("#1002", "failed", "Anh Đức"), ("#1003", "pushed", None)],
    )
    by_name = mrkdwn(bot.answers(bot.command("orders anh đức"))[0].body)
    assert "#1002" in by_name and "#1001" not in by_name and "#1003" not in by_name
    by_number = mrkdwn(bot.answers(bot.command("orders #1001"))[0].body)
    assert "#1001" in by_number and "#1002" not in by_number and "#1003" not in by_number


def test_errors_list_offers_the_fix_and_dismiss(bot: Harness) -> None:
    """Each open error shows its reason with the action that fixes it and Dismiss (R19)."""
    product = add_error(
        bot.bot,
        kind="product",
        subject="APP-DEN-M",
        code="structure_drift",
        message="option names differ",
    )
    order = add_error(
        bot.bot, kind="order", subject="#1002", code="unlinked_product", message="KTV is not linked"
    )
    answer = bot.answers(bot.command("errors"))[0].body
    actions = {(e["action_id"], e.get("value")) for _, e in buttons(answer["blocks"])}
    assert {
        (act.COMPARE, "APP-DEN-M"),
        (act.RESYNC, "#1002"),
        (act.DISMISS, str(product.id)),
        (act.DISMISS, str(order.id)),
    } <= actions
    only_orders = mrkdwn(bot.answers(bot.command("errors order"))[0].body)
    assert "#1002" in only_orders and "APP-DEN-M" not in only_orders
