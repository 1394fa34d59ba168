"""The config modal (R18): opened within the trigger window, options from POS, validated, saved."""

from __future__ import annotations

from typing import Any

from sandbox.seeds import DEMO_POS_LOCATION_IDS, DEMO_PRICE_LIST_IDS
from storage import repo
from tests.bot.data import audit_actions
from tests.bot.harness import ADMIN, CHANNEL, VIEWER, Harness, mrkdwn


def _open(bot: Harness, user: str = ADMIN) -> tuple[str, dict[str, Any]]:
    sent = bot.command("config", user=user)
    [opened] = bot.slack.wait_calls("views.open")
    assert opened.body["trigger_id"] == sent.trigger_id
    assert opened.body["view"]["callback_id"].endswith(".loading")
    [update] = bot.slack.wait_calls("views.update")
    return str(update.body["view_id"]), update.body["view"]


def _values(
    view: dict[str, Any], *, price: int, branch: int, stock: list[int], order_s: int = 60
) -> dict[str, Any]:
    return {
        "price_list": {
            "value": {"type": "static_select", "selected_option": {"value": str(price)}}
        },
        "order_location": {
            "value": {"type": "static_select", "selected_option": {"value": str(branch)}}
        },
        "stock_locations": {
            "value": {
                "type": "multi_static_select",
                "selected_options": [{"value": str(s)} for s in stock],
            }
        },
        "order_interval_s": {"value": {"type": "number_input", "value": str(order_s)}},
        "stock_interval_s": {"value": {"type": "number_input", "value": "120"}},
        "catalog_interval_s": {"value": {"type": "number_input", "value": "600"}},
        "full_interval_s": {"value": {"type": "number_input", "value": "3600"}},
    }


def test_config_opens_with_a_loading_view_then_the_pos_options(bot: Harness) -> None:
    """The modal opens at once (no API call first) and is filled with POS price lists and
    branches, Sapo's defaults selected (R18: BANLE, lowest branch)."""
    _, view = _open(bot)
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    prices = [o["value"] for o in blocks["price_list"]["element"]["options"]]
    assert str(DEMO_PRICE_LIST_IDS["BANLE"]) in prices
    assert str(DEMO_PRICE_LIST_IDS["GIANHAP"]) not in prices, "the cost list never prices the web"
    assert blocks["price_list"]["element"]["initial_option"]["value"] == str(
        DEMO_PRICE_LIST_IDS["BANLE"]
    )
    branches = [o["value"] for o in blocks["stock_locations"]["element"]["options"]]
    assert branches == [str(i) for i in DEMO_POS_LOCATION_IDS]
    assert [o["value"] for o in blocks["stock_locations"]["element"]["initial_options"]] == [
        str(min(DEMO_POS_LOCATION_IDS))
    ]


def test_submit_without_a_branch_is_refused_in_the_modal(bot: Harness) -> None:
    """No stock branch: the modal stays open with the error under that input (R18)."""
    view_id, view = _open(bot)
    answer = bot.submit(
        view,
        _values(
            view,
            price=DEMO_PRICE_LIST_IDS["BANLE"],
            branch=DEMO_POS_LOCATION_IDS[0],
            stock=[],
            order_s=5,
        ),
        view_id=view_id,
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["response_action"] == "errors"
    assert set(body["errors"]) == {"stock_locations", "order_interval_s"}
    with bot.bot.db.session() as session:
        latest = repo.latest_config(session, connection_id=bot.bot.deps.ctx.connection_id)
    assert latest is not None and latest.version == 1, "nothing saved"


def test_submit_saves_a_new_version_and_tells_the_channel_who_changed_what(bot: Harness) -> None:
    """A valid submission saves version 2 effective now and posts from → to in the channel."""
    view_id, view = _open(bot)
    wholesale, second = DEMO_PRICE_LIST_IDS["BANBUON"], DEMO_POS_LOCATION_IDS[1]
    answer = bot.submit(
        view,
        _values(view, price=wholesale, branch=second, stock=[DEMO_POS_LOCATION_IDS[0], second]),
        view_id=view_id,
    )
    assert answer.status_code == 200 and answer.text in ("", "{}")
    [post] = bot.slack.wait_calls("chat.postMessage")
    assert post.body["channel"] == CHANNEL
    text = mrkdwn(post.body)
    assert f"<@{ADMIN}>" in text and "version 2" in text
    assert "Price list for web prices" in text and "→" in text
    with bot.bot.db.session() as session:
        latest = repo.latest_config(session, connection_id=bot.bot.deps.ctx.connection_id)
    assert latest is not None and latest.version == 2
    assert latest.price_list_id == wholesale and latest.order_location_id == second
    assert (ADMIN, "config.save", "v2") in audit_actions(bot.bot)
    again = bot.submit(
        view, _values(view, price=wholesale, branch=second, stock=[second]), view_id=view_id
    )
    assert again.status_code == 200
    with bot.bot.db.session() as session:
        latest = repo.latest_config(session, connection_id=bot.bot.deps.ctx.connection_id)
    assert latest is not None and latest.version == 2, "a modal is saved once"


def test_only_admins_open_or_submit_the_config(bot: Harness) -> None:
    """A non-admin cannot open the modal, nor save one (checked again at submission)."""
    sent = bot.command("config", user=VIEWER)
    assert "Only sync admins" in mrkdwn(bot.answers(sent)[0].body)
    assert bot.slack.calls("views.open") == []
    view_id, view = _open(bot)
    answer = bot.submit(
        view,
        _values(
            view,
            price=DEMO_PRICE_LIST_IDS["BANLE"],
            branch=DEMO_POS_LOCATION_IDS[0],
            stock=[DEMO_POS_LOCATION_IDS[0]],
        ),
        view_id=view_id,
        user=VIEWER,
    )
    assert answer.json()["response_action"] == "errors"


def test_a_refused_save_leaves_the_modal_to_be_corrected_and_saved(bot: Harness) -> None:
    """A submission the save refuses (a price list POS no longer offers) shows the error in
    the modal; the corrected submission of the same modal is then saved (issue 7)."""
    view_id, view = _open(bot)
    branch = DEMO_POS_LOCATION_IDS[0]
    refused = bot.submit(
        view, _values(view, price=987_654, branch=branch, stock=[branch]), view_id=view_id
    )
    assert refused.json()["response_action"] == "errors"
    wholesale = DEMO_PRICE_LIST_IDS["BANBUON"]
    saved = bot.submit(
        view, _values(view, price=wholesale, branch=branch, stock=[branch]), view_id=view_id
    )
    assert saved.status_code == 200 and saved.text in ("", "{}")
    with bot.bot.db.session() as session:
        latest = repo.latest_config(session, connection_id=bot.bot.deps.ctx.connection_id)
    assert latest is not None and latest.version == 2 and latest.price_list_id == wholesale
