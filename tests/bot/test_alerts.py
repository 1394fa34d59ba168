"""The alert channel: one message per error, updated in place, threads, digests, pacing."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk import WebClient

from bot.alerts import AlertPublisher
from bot.i18n import Translator
from bot.views import buttons as act
from storage import repo
from sync import engine
from sync.clock import FakeClock
from sync.context import SyncContext
from sync.scheduler import SyncScheduler
from tests.bot.conftest import BotMaker
from tests.bot.data import T0, add_error, audit_actions, resolve
from tests.bot.harness import ADMIN, ALERTS, VIEWER, Harness, button, buttons, mrkdwn
from tests.support.fake_slack import Posted


def _alerts(bot: Harness) -> list[Posted]:
    return bot.slack.channel_messages(ALERTS)


def test_alert_is_posted_updated_in_place_threaded_then_resolved(make_bot: BotMaker) -> None:
    """One message per fingerprint: repeats bump its count in place and note the thread;
    resolving rewrites it to say so, without buttons (alert channel, R19)."""
    clock = FakeClock(T0)
    with make_bot(build={"clock": clock}) as bot:
        publisher = bot.bot.alerts
        assert publisher is not None
        row = add_error(
            bot.bot,
            kind="product",
            subject="APP-DEN-M",
            code="structure_drift",
            message="<!channel> option names differ",
        )
        assert publisher.publish().posted == 1
        [posted] = _alerts(bot)
        text = mrkdwn(posted.body)
        assert "APP-DEN-M" in text and "&lt;!channel&gt;" in text and "<!channel>" not in text
        assert {e["action_id"] for _, e in buttons(posted.body["blocks"])} == {
            act.COMPARE,
            act.DISMISS,
        }

        clock.advance(120)
        add_error(
            bot.bot,
            kind="product",
            subject="APP-DEN-M",
            code="structure_drift",
            message="option names differ",
        )
        assert publisher.publish().updated == 1
        assert len(_alerts(bot)) == 1, "a repeat never posts a new top-level message"
        assert posted.updates == 1 and "Seen 2 times" in mrkdwn(posted.body)
        assert len(posted.replies) == 1 and "2 times" in posted.replies[0]["text"]

        clock.advance(60)  # a third sighting soon after: count updated, no second thread note
        add_error(
            bot.bot,
            kind="product",
            subject="APP-DEN-M",
            code="structure_drift",
            message="option names differ",
        )
        publisher.publish()
        assert "Seen 3 times" in mrkdwn(posted.body) and len(posted.replies) == 1

        assert publisher.publish().updated == 0, "nothing new: no Slack call"
        resolve(bot.bot, row)
        assert publisher.publish().closed == 1
        assert "Resolved" in mrkdwn(posted.body) and buttons(posted.body["blocks"]) == []
        calls = len(bot.slack.calls())
        publisher.publish()
        assert len(bot.slack.calls()) == calls, "a closed alert is not rewritten again"


def test_dismiss_button_on_an_alert_says_who_and_removes_buttons(bot: Harness) -> None:
    """Dismiss on the alert: done once, audited, the alert names who dismissed it (R19)."""
    row = add_error(
        bot.bot, kind="order", subject="#1002", code="unlinked_product", message="KTV is not linked"
    )
    assert bot.bot.alerts is not None
    bot.bot.alerts.publish()
    [posted] = _alerts(bot)
    block_id, dismiss = button(posted.body["blocks"], act.DISMISS, str(row.id))
    where: dict[str, Any] = {"ephemeral": False, "channel": ALERTS, "message_ts": posted.ts}

    refused = bot.click(dismiss, block_id=block_id, user=VIEWER, message=posted.body, **where)
    assert "Only sync admins" in mrkdwn(bot.answers(refused)[0].body)
    bot.idle()
    assert buttons(posted.body["blocks"]) != [], "a refused click changes nothing"

    bot.click(dismiss, block_id=block_id, user=ADMIN, message=posted.body, **where)
    twice = bot.click(dismiss, block_id=block_id, user=ADMIN, message=posted.body, **where)
    assert "already done" in mrkdwn(bot.answers(twice)[0].body)
    bot.wait(lambda: "Dismissed by" in mrkdwn(posted.body), what="the alert to say dismissed")
    assert f"<@{ADMIN}>" in mrkdwn(posted.body) and buttons(posted.body["blocks"]) == []
    bot.idle()
    assert [r for r in posted.replies if "dismissed" in r["text"]]
    dismissals = [a for a in audit_actions(bot.bot) if a[1] == "error.dismiss"]
    assert dismissals == [(ADMIN, "error.dismiss", "#1002")]


def test_an_error_storm_becomes_one_digest_grouped_by_cause(bot: Harness) -> None:
    """Many new errors in one cycle post one digest grouped by reason code, not a flood."""
    rows = [
        add_error(
            bot.bot,
            kind="product",
            subject=f"SKU-{i}",
            code="structure_drift",
            message="options differ",
        )
        for i in range(9)
    ]
    rows += [
        add_error(
            bot.bot, kind="order", subject=f"#20{i}", code="unlinked_product", message="not linked"
        )
        for i in range(4)
    ]
    assert bot.bot.alerts is not None
    result = bot.bot.alerts.publish()
    assert result.digests == 1 and result.posted == 0
    [digest] = _alerts(bot)
    text = mrkdwn(digest.body)
    assert "13 new sync errors" in digest.body["text"]
    assert "structure_drift* — 9 errors" in text and "unlinked_product* — 4 errors" in text
    assert text.index("structure_drift") < text.index("unlinked_product")

    for row in rows[:9]:
        resolve(bot.bot, row)
    bot.bot.alerts.publish()
    assert len(_alerts(bot)) == 1 and digest.updates == 1
    assert "9 of these are resolved" in mrkdwn(digest.body)
    assert "structure_drift" not in mrkdwn(digest.body)


def test_posting_is_paced_per_channel_and_honours_429(bot: Harness) -> None:
    """Posts to a channel are spaced by the pace, and a 429's Retry-After is waited out in
    full before the alert is posted again (alert channel; Slack's rate limits)."""
    slept: list[float] = []
    now = [0.0]

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    publisher = AlertPublisher(
        bot.bot.deps.ctx,
        WebClient(token="xoxb-test-token", base_url=bot.slack.api_url),  # no SDK 429 retries
        channel=ALERTS,
        t=Translator("en"),
        tz=ZoneInfo("Asia/Ho_Chi_Minh"),
        pace_s=0.5,
        sleep=sleep,
        monotonic=lambda: now[0],
    )
    for i in range(3):
        add_error(bot.bot, kind="product", subject=f"SKU-{i}", code="x", message="m")
    bot.slack.rate_limit("chat.postMessage", retry_after=1)
    assert publisher.publish().posted == 3
    assert len(_alerts(bot)) == 3
    assert [round(s, 3) for s in slept] == [1.0, 0.5, 0.5], "Retry-After 1, then the pace"
    statuses = [c.status for c in bot.slack.calls("chat.postMessage")]
    assert statuses == [429, 200, 200, 200]


def test_a_reopened_error_revives_its_own_message(bot: Harness) -> None:
    """An error that comes back after resolving reopens the same message, noted in its thread."""
    row = add_error(bot.bot, kind="product", subject="MBH", code="price", message="m")
    assert bot.bot.alerts is not None
    bot.bot.alerts.publish()
    resolve(bot.bot, row)
    bot.bot.alerts.publish()
    add_error(bot.bot, kind="product", subject="MBH", code="price", message="again")
    bot.bot.alerts.publish()
    [posted] = _alerts(bot)
    assert "again" in mrkdwn(posted.body) and buttons(posted.body["blocks"])
    assert any("came back" in r["text"] for r in posted.replies)


def test_the_thread_note_waits_for_the_interval(make_bot: BotMaker) -> None:
    """Thread notes for repeats are batched: at most one per interval (no reply per cycle)."""
    clock = FakeClock(T0)
    with make_bot(build={"clock": clock}) as bot:
        assert bot.bot.alerts is not None
        for _ in range(2):
            add_error(bot.bot, kind="product", subject="MBH", code="price", message="m")
            bot.bot.alerts.publish()
            clock.advance(10)
        [posted] = _alerts(bot)
        clock.advance(timedelta(minutes=31).total_seconds())
        add_error(bot.bot, kind="product", subject="MBH", code="price", message="m")
        bot.bot.alerts.publish()
        assert len(posted.replies) == 2


def test_alerts_and_duplicate_clicks_work_on_both_databases(
    make_bot: BotMaker, database_url: str
) -> None:
    """The alert rows and the once-only click keys behave the same on SQLite and PostgreSQL."""
    from storage.engine import Database

    db = Database(database_url)
    db.upgrade()  # build_app upgrades only the embedded SQLite; PostgreSQL is migrated by ops
    db.dispose()
    with make_bot(db_url=database_url) as bot:
        row = add_error(bot.bot, kind="order", subject="#7", code="failed", message="m")
        assert bot.bot.alerts is not None
        bot.bot.alerts.publish()
        [posted] = _alerts(bot)
        block_id, dismiss = button(posted.body["blocks"], act.DISMISS, str(row.id))
        where: dict[str, Any] = {"ephemeral": False, "channel": ALERTS, "message_ts": posted.ts}
        bot.click(dismiss, block_id=block_id, message=posted.body, **where)
        twice = bot.click(dismiss, block_id=block_id, message=posted.body, **where)
        assert "already done" in mrkdwn(bot.answers(twice)[0].body)
        bot.wait(lambda: "Dismissed by" in mrkdwn(posted.body), what="dismissed")


def test_a_refused_post_is_skipped_and_retried_next_time(bot: Harness) -> None:
    """Slack refusing one alert (e.g. channel_not_found) neither blocks the others nor loses it."""
    for i in range(2):
        add_error(bot.bot, kind="product", subject=f"SKU-{i}", code="x", message="m")
    bot.slack.fail("chat.postMessage", "channel_not_found")
    assert bot.bot.alerts is not None
    assert bot.bot.alerts.publish().posted == 1
    assert bot.bot.alerts.publish().posted == 1
    assert len(_alerts(bot)) == 2


def _catalog_only(ctx: SyncContext, on_cycle: Sequence[Callable[[Any], None]]) -> SyncScheduler:
    """The real scheduler running the real engine, catalog job only."""
    jobs = {"catalog": lambda c: engine.run_cycle(c, actor="scheduler")}
    return SyncScheduler(ctx, jobs=jobs, on_cycle=on_cycle)


def test_a_scheduled_cycle_publishes_its_new_errors_to_the_alert_channel(
    make_bot: BotMaker,
) -> None:
    """The errors a scheduled cycle finds reach the alert channel through the cycle hook,
    with nobody calling publish (alert channel, R10, R19)."""
    with make_bot(build={"with_scheduler": True, "scheduler": _catalog_only}) as bot:
        ctx = bot.bot.deps.ctx
        with ctx.db.session() as session:
            repo.record_setup(
                session, connection_id=ctx.connection_id, cutover_at=ctx.clock(), completed_by="t"
            )
            session.commit()
        scheduler = bot.bot.scheduler
        try:
            assert scheduler.start() == "running"
            bot.wait(lambda: bool(_alerts(bot)), what="an alert from the first cycle")
            bot.wait(lambda: scheduler.jobs()[0].runs >= 1, what="the cycle to be recorded")
        finally:
            scheduler.shutdown()
        with ctx.db.session() as session:
            open_rows = repo.open_errors(session, connection_id=ctx.connection_id)
            alerted = {
                a.fingerprint for a in repo.list_alerts(session, connection_id=ctx.connection_id)
            }
        assert open_rows, "the demo shop's first link leaves problems to tell (R10)"
        assert {r.fingerprint for r in open_rows} <= alerted, "every open error was alerted"
        text = "\n".join(mrkdwn(p.body) for p in _alerts(bot))
        assert all(r.subject in text for r in open_rows if r.kind == "product")
