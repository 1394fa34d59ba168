"""App Home's buttons, and the ones in the modals they open, are answered with views: App Home
and modals give no response_url, so a reply through it would be an incident nobody sees."""

from __future__ import annotations

from typing import Any

import pytest

from bot import queries
from bot.views import buttons as act
from storage import repo
from tests.bot.data import add_error
from tests.bot.harness import ADMIN, ALERTS, VIEWER, Harness, button, mrkdwn
from tests.support.fake_slack import Call

HOME = {"type": "view", "view_id": "V0HOME"}


def _incidents(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Incidents the bot logged: each one a press nobody answered."""
    return [r.getMessage() for r in caplog.records if r.name == "bot.incident"]


def _errors(bot: Harness, n: int) -> list[int]:
    rows = [
        add_error(
            bot.bot,
            kind="product",
            subject=f"SKU-{i:02d}",
            code="structure_drift",
            message="option names differ",
        )
        for i in range(n)
    ]
    return [row.id or 0 for row in rows]


def _open_errors_from_home(bot: Harness, user: str = ADMIN) -> dict[str, Any]:
    """Open App Home, press Show errors; the modal as Slack would send it back with a click."""
    bot.event({"type": "app_home_opened", "user": user, "tab": "home", "event_ts": "1"})
    home = bot.slack.wait_calls("views.publish")[-1].body["view"]
    block_id, show = button(home["blocks"], act.SHOW_ERRORS)
    sent = bot.click(show, block_id=block_id, user=user, container=HOME)
    [opened] = bot.slack.wait_calls("views.open")
    assert opened.body["trigger_id"] == sent.trigger_id
    return _as_sent_back(opened, "V0ERRORS")


def _as_sent_back(call: Call, view_id: str) -> dict[str, Any]:
    return {**call.body["view"], "id": view_id, "hash": f"hash.{view_id}"}


def _press(
    bot: Harness, view: dict[str, Any], action_id: str, value: str | None = None, **kw: Any
) -> None:
    block_id, element = button(view["blocks"], action_id, value)
    bot.click(
        element,
        block_id=block_id,
        container={"type": "view", "view_id": view["id"]},
        view=view,
        **kw,
    )


def _open_ids(bot: Harness) -> set[int]:
    ctx = bot.bot.deps.ctx
    with ctx.db.session() as session:
        rows, _ = repo.list_open_errors(session, connection_id=ctx.connection_id, limit=100)
    return {row.id or 0 for row in rows}


def test_show_errors_on_app_home_opens_the_error_list_in_a_modal(
    bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """Show errors on App Home opens a modal listing the open errors (R19, App Home)."""
    _errors(bot, 2)
    view = _open_errors_from_home(bot)
    assert view["type"] == "modal"
    text = mrkdwn(view)
    assert "SKU-00" in text and "SKU-01" in text and "option names differ" in text
    button(view["blocks"], act.DISMISS)
    bot.idle()
    assert _incidents(caplog) == []


def test_next_in_the_errors_modal_updates_it_with_the_next_page(
    bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """Next inside the modal turns its page (views.update of that modal), not a dead click."""
    _errors(bot, 12)
    view = _open_errors_from_home(bot)
    assert "SKU-11" in mrkdwn(view) and "SKU-00" not in mrkdwn(view)  # newest first
    _press(bot, view, act.PAGE_NEXT)
    [updated] = bot.slack.wait_calls("views.update")
    assert updated.body["view_id"] == "V0ERRORS"
    text = mrkdwn(updated.body["view"])
    assert "SKU-00" in text and "SKU-01" in text and "SKU-11" not in text
    assert "Showing 11\N{EN DASH}12 of 12" in text
    button(updated.body["view"]["blocks"], act.PAGE)  # and Previous goes back
    bot.idle()
    assert _incidents(caplog) == []


def test_an_admin_dismissing_in_the_modal_dismisses_and_updates_it(
    bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """Dismiss in the modal dismisses the error, shows who did it on that row, tells the alert
    channel and refreshes the dashboard behind (R19, App Home)."""
    first, second = _errors(bot, 2)
    view = _open_errors_from_home(bot)
    _press(bot, view, act.DISMISS, str(first))
    [updated] = bot.slack.wait_calls("views.update")
    assert updated.body["view_id"] == "V0ERRORS" and updated.body["hash"] == "hash.V0ERRORS"
    shown = updated.body["view"]
    assert f"<@{ADMIN}> dismissed `SKU-00`" in mrkdwn(shown)
    assert shown["title"] == view["title"] and shown["type"] == "modal"
    with pytest.raises(AssertionError):
        button(shown["blocks"], act.DISMISS, str(first))  # that row's buttons are gone
    button(shown["blocks"], act.DISMISS, str(second))  # the other row is untouched
    assert _open_ids(bot) == {second}
    bot.idle()
    told = [c.body for c in bot.slack.calls("chat.postMessage") if c.body["channel"] == ALERTS]
    assert any(f"<@{ADMIN}> dismissed `SKU-00`" in mrkdwn(body) for body in told)
    assert "*Product errors:* 1" in mrkdwn(bot.slack.calls("views.publish")[-1].body["view"])
    assert _incidents(caplog) == []


def test_a_viewer_dismissing_in_the_modal_is_told_no_and_nothing_changes(
    bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """A non-admin's Dismiss in the modal pushes a modal saying only admins may; the error
    stays open and the list is not touched (safety, R19)."""
    [error] = _errors(bot, 1)
    view = _open_errors_from_home(bot, user=VIEWER)
    _press(bot, view, act.DISMISS, str(error), user=VIEWER)
    [pushed] = bot.slack.wait_calls("views.push")
    assert "Only sync admins" in mrkdwn(pushed.body["view"])
    bot.idle()
    assert _open_ids(bot) == {error}
    assert bot.slack.calls("views.update") == []
    assert _incidents(caplog) == []


def test_compare_in_the_modal_answers_in_a_pushed_modal(
    bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """Compare in the errors modal pushes a modal at once (the trigger lives 3 s) and shows
    the answer in it: here, that the SKU is not linked (R14)."""
    add_error(bot.bot, kind="product", subject="NO-SUCH", code="structure_drift", message="x")
    view = _open_errors_from_home(bot)
    _press(bot, view, act.COMPARE, "NO-SUCH")
    [pushed] = bot.slack.wait_calls("views.push")
    assert "Reading the product" in mrkdwn(pushed.body["view"])
    [updated] = bot.slack.wait_calls("views.update")
    assert updated.body["view_id"] != "V0ERRORS", "the list underneath stays as it was"
    assert "no linked product has SKU" in mrkdwn(updated.body["view"])
    bot.idle()
    assert _incidents(caplog) == []


def test_a_dismiss_that_fails_in_the_modal_says_why_under_the_row_and_keeps_its_buttons(
    bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """A refused change pressed in the modal (here an error that no longer exists) says why
    on its row and leaves the button to press again, rather than an unanswered incident."""
    [error] = _errors(bot, 1)
    view = _open_errors_from_home(bot)
    ctx = bot.bot.deps.ctx
    with ctx.db.session() as session:  # gone since the list was shown (e.g. cleaned up)
        session.delete(repo.get_error(session, connection_id=ctx.connection_id, error_id=error))
        session.commit()
    _press(bot, view, act.DISMISS, str(error))
    [updated] = bot.slack.wait_calls("views.update")
    shown = updated.body["view"]
    assert f"⚠️ there is no error #{error}" in mrkdwn(shown), mrkdwn(shown)
    button(shown["blocks"], act.DISMISS, str(error))  # still there to press again
    bot.idle()
    assert _incidents(caplog) == []


def test_a_crash_behind_an_app_home_button_is_told_in_a_modal_with_its_incident(
    bot: Harness, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug behind a button on App Home still answers the person: App Home has no
    response_url, so the incident id to quote comes in a modal, not in the log alone."""

    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("a bug in the error list")

    monkeypatch.setattr(queries, "page", broken)
    bot.event({"type": "app_home_opened", "user": ADMIN, "tab": "home", "event_ts": "1"})
    home = bot.slack.wait_calls("views.publish")[-1].body["view"]
    block_id, show = button(home["blocks"], act.SHOW_ERRORS)
    bot.click(show, block_id=block_id, user=ADMIN, container=HOME)
    [opened] = bot.slack.wait_calls("views.open")
    [incident] = _incidents(caplog)
    incident_id = incident.split("id=", 1)[1].split()[0]
    told = mrkdwn(opened.body["view"])
    assert f"`{incident_id}`" in told
    assert "a bug in the error list" not in told
