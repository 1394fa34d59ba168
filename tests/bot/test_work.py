"""Commands that read Sapo or change things: status, App Home, preflight, sync, resync,
permissions and incidents, against the sandbox and the real engine."""

from __future__ import annotations

import re

from bot.views import buttons as act
from sandbox.seeds import DEMO_DUPLICATE_SKU
from storage import repo
from sync.guard import DEFAULT_GUARD
from tests.bot.conftest import BotMaker
from tests.bot.data import add_error, add_links, add_orders, audit_actions
from tests.bot.harness import ADMIN, VIEWER, Harness, button, mrkdwn


def test_status_counts_links_errors_orders_and_cost_reviews(bot: Harness) -> None:
    """``/sapo status`` shows links by status, today's orders and cost reviews (R6)."""
    add_links(
        bot.bot,
        [("A", "a", "linked", None), ("B", "b", "linked", None), ("C", "c", "error", "drift")],
    )
    add_orders(bot.bot, [("#1", "pushed", None), ("#2", "pushed", None), ("#3", "failed", None)])
    answer = bot.answers(bot.command("status"))[0].body
    text = mrkdwn(answer)
    assert answer["response_type"] == "ephemeral"
    assert "*Linked:* 2" in text and "*In error:* 1" in text
    assert "*Orders pushed today:* 2" in text and "*Orders failed today:* 1" in text
    assert "*Cost prices to review:* 0" in text
    assert "not running in this process" in text


def test_app_home_shows_the_dashboard_and_refreshes(bot: Harness) -> None:
    """Opening App Home publishes the dashboard; Refresh re-publishes it (App Home)."""
    add_links(bot.bot, [("A", "a", "linked", None)])
    assert (
        bot.event(
            {
                "type": "app_home_opened",
                "user": ADMIN,
                "channel": "D1",
                "tab": "home",
                "event_ts": "1",
            }
        ).status_code
        == 200
    )
    [published] = bot.slack.wait_calls("views.publish")
    assert published.body["user_id"] == ADMIN and published.body["view"]["type"] == "home"
    view = published.body["view"]
    assert "*Linked:* 1" in mrkdwn(view)
    block_id, refresh = button(view["blocks"], act.REFRESH_HOME)
    button(view["blocks"], act.OPEN_CONFIG)  # admins get the settings button
    bot.click(refresh, block_id=block_id, container={"type": "view", "view_id": "V0HOME"})
    bot.slack.wait_calls("views.publish", 2)
    bot.event({"type": "app_home_opened", "user": VIEWER, "tab": "home", "event_ts": "2"})
    viewer = bot.slack.wait_calls("views.publish", 3)[-1].body["view"]
    assert act.OPEN_CONFIG not in str(viewer), "no settings button for non-admins"
    bot.bot.hook(_Run())
    bot.slack.wait_calls("views.publish", 5)  # both visitors refreshed after a cycle


class _Run:
    name, triggered, result, error = "catalog", False, None, None


def test_preflight_reports_the_demo_shops_blocking_problems(bot: Harness) -> None:
    """``/sapo preflight`` reads both catalogues and lists what blocks the first link (R1)."""
    sent = bot.command("preflight", user=VIEWER)
    notice, report = bot.answers(sent, 2)
    assert "Checking" in mrkdwn(notice.body)
    text = mrkdwn(report.body)
    assert "Preflight" in text and "web_duplicate_sku" in text and DEMO_DUPLICATE_SKU in text
    assert report.body["response_type"] == "ephemeral"


def test_sync_dry_run_changes_nothing_and_anyone_may_ask(bot: Harness) -> None:
    """``/sapo sync dry-run`` shows the plan (here: the first link blocked by R1), writes none."""
    sent = bot.command("sync dry-run", user=VIEWER)
    _, report = bot.answers(sent, 2)
    assert "first link is blocked" in mrkdwn(report.body)
    assert bot.bot.deps.ctx.db is not None
    assert [a for a in audit_actions(bot.bot) if a[0] == VIEWER] == []


def test_sync_is_for_admins_and_answers_in_the_channel(bot: Harness) -> None:
    """A sync changes things: admins only; the start and the result are shown to the channel,
    and an audit event names the admin who asked (R13, R19)."""
    refused = bot.command("sync", user=VIEWER)
    assert "Only sync admins" in mrkdwn(bot.answers(refused)[0].body)
    started, result = bot.answers(bot.command("sync"), 2)
    assert started.body["response_type"] == result.body["response_type"] == "in_channel"
    assert f"<@{ADMIN}> started a sync" in mrkdwn(started.body)
    assert "first link is blocked" in mrkdwn(result.body)
    requests = [a for a in audit_actions(bot.bot) if a[1] == "sync.request"]
    assert requests == [(ADMIN, "sync.request", "sync")], "the admin who asked is audited"


def test_resync_checks_the_order_and_answers_in_the_channel(bot: Harness) -> None:
    """``/sapo resync`` is audited and says why an unknown order is not pushed (R5, R17)."""
    refused = bot.command("resync #9999", user=VIEWER)
    assert "Only sync admins" in mrkdwn(bot.answers(refused)[0].body)
    answer = bot.answers(bot.command("resync #9999"))[0].body
    assert answer["response_type"] == "in_channel"
    assert "#9999 is not a web order placed after setup" in mrkdwn(answer)
    assert (ADMIN, "order.resync", "#9999") in audit_actions(bot.bot)


def test_resync_button_on_the_order_list_is_checked_on_the_server(bot: Harness) -> None:
    """A viewer pressing Resync is refused whatever the message showed; an admin's press runs
    once and the row shows the outcome in place (R17, safety)."""
    add_orders(bot.bot, [("#1002", "failed", "Chị Lan")])
    listing = bot.answers(bot.command("orders"))[0].body
    block_id, resync = button(listing["blocks"], act.RESYNC, "#1002")
    refused = bot.click(resync, block_id=block_id, user=VIEWER, message=listing)
    assert "Only sync admins" in mrkdwn(bot.answers(refused)[0].body)
    done = bot.click(resync, block_id=block_id, message=listing)
    replaced, announced = bot.answers(done, 2)
    assert replaced.body["replace_original"] is True
    assert announced.body["response_type"] == "in_channel"
    assert "#1002" in mrkdwn(announced.body)
    assert [a for a in audit_actions(bot.bot) if a[1] == "order.resync"] == [
        (ADMIN, "order.resync", "#1002")
    ]


def test_an_unexpected_failure_becomes_an_incident_id(bot: Harness) -> None:
    """A listener crash answers with an incident id to quote, never a stack trace."""
    broken = {
        "type": "button",
        "action_id": act.PAGE,
        "value": "not json",
        "text": {"type": "plain_text", "text": "Next"},
    }
    answer = bot.answers(bot.click(broken, block_id="nav.x"))[0].body
    text = mrkdwn(answer)
    assert "incident `" in text and "Traceback" not in text


def test_status_and_home_show_errors_cost_reviews_budgets_jobs_and_scheduler(
    make_bot: BotMaker,
) -> None:
    """With the product's scheduler running: open errors by kind, cost prices to review, both
    stores' API budget, each job's last and next run and the scheduler's health, the same in
    ``/sapo status`` and on App Home (R6, R19, App Home)."""
    with make_bot(build={"with_scheduler": True}) as bot:
        add_links(bot.bot, [("A", "a", "linked", None), ("B", "b", "linked", None)])
        _mark_cost_review(bot, "B")
        add_error(bot.bot, kind="product", subject="A", code="structure_drift", message="m")
        add_error(bot.bot, kind="product", subject="B", code="price", message="m")
        add_error(bot.bot, kind="order", subject="#7", code="unlinked_product", message="m")
        bot.answers(bot.command("preflight"), 2)  # reads both stores: their budgets are known
        scheduler = bot.bot.scheduler
        assert scheduler.start() == "running"
        bot.wait(
            lambda: all(j.last_run is not None for j in scheduler.jobs() if j.name != "full"),
            what="every started job's first run",
        )
        bot.wait(lambda: scheduler.healthy, what="a healthy scheduler")
        status = mrkdwn(bot.answers(bot.command("status"))[0].body)
        bot.event({"type": "app_home_opened", "user": ADMIN, "tab": "home", "event_ts": "1"})
        home = mrkdwn(bot.slack.wait_calls("views.publish")[-1].body["view"])
        scheduler.shutdown()
        for text in (status, home):
            assert "*Product errors:* 2" in text and "*Order errors:* 1" in text
            assert "*Cost prices to review:* 1" in text
            assert re.search(r"API budget: POS \d+/\d+ · Web \d+/\d+", text), text
            assert "Scheduler ✅ healthy" in text
            for name in ("Orders", "Stock & prices", "Catalogue", "Housekeeping"):
                line = re.search(rf"✅ \*{re.escape(name)}\* · last (.+?) · next (.+)", text)
                assert line is not None and "—" not in line.groups(), (name, text)
            assert re.search(r"\*Full check\* · last — · next \d\d/\d\d \d\d:\d\d", text)


def _mark_cost_review(bot: Harness, sku: str) -> None:
    ctx = bot.bot.deps.ctx
    with ctx.db.session() as session:
        link = repo.get_link(session, connection_id=ctx.connection_id, sku=sku)
        assert link is not None
        link.cost_review = True
        repo.save(session, row=link)
        session.commit()


def test_a_viewer_pressing_settings_on_app_home_is_told_no(bot: Harness) -> None:
    """Settings pressed on an App Home view the user may no longer use (no response_url
    there) opens a modal saying only admins may, instead of nothing (safety, App Home)."""
    bot.event({"type": "app_home_opened", "user": ADMIN, "tab": "home", "event_ts": "1"})
    home = bot.slack.wait_calls("views.publish")[-1].body["view"]
    block_id, settings = button(home["blocks"], act.OPEN_CONFIG)
    sent = bot.click(
        settings, block_id=block_id, user=VIEWER, container={"type": "view", "view_id": "V0HOME"}
    )
    [opened] = bot.slack.wait_calls("views.open")
    assert opened.body["trigger_id"] == sent.trigger_id
    assert "Only sync admins" in mrkdwn(opened.body["view"])
    bot.idle()
    assert bot.slack.calls("views.update") == [], "no settings form was filled for a viewer"


def test_the_bot_and_its_scheduler_run_under_the_operators_guard(make_bot: BotMaker) -> None:
    """SYNC_GUARD_SHARE / SYNC_GUARD_MIN_LINKS reach every cycle the bot starts (issue 5):
    the context the scheduler, `/sapo sync` and the worker share carries them."""
    with make_bot(sync_guard_share=0.9, sync_guard_min_links=3) as h:
        guard = h.bot.deps.ctx.guard
        assert (guard.share, guard.min_links) == (0.9, 3)
    with make_bot() as h:
        assert h.bot.deps.ctx.guard == DEFAULT_GUARD
