"""The secrets scan (issue 10): a whole session with distinctive secret values (Sapo keys and
secrets, Slack tokens, the webhook secret, the database password) through setup, commands,
buttons, faults, a rejected credential, alerts and webhooks; none of the values appears in
the logs, on stderr, in anything sent to Slack, in what the server answered, or in the
database."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sandbox import Sandbox
from sandbox.tour import ShopStaff
from sync.signing import SIGNATURE_HEADER, TOPIC_HEADER, sign
from tests.bot.harness import SECRET, Harness, button
from tests.reliability.conftest import bot_settings, running_bot
from tests.support.fake_slack import FakeSlack

SAPO_KEY = "sapokey-7f3a9c1e55d2"
SAPO_SECRET = "sapo-secret-9f83e2d1c7b64a05"
WRONG_SECRET = "sapo-wrong-secret-c0ffee77aa"
BOT_TOKEN = "xoxb-4471-secret-bot-token-e91d"
APP_TOKEN = "xapp-1-secret-app-token-5c2b"
HOOK_SECRET = "hook-secret-2b7d4e9a1f03"
SECRETS = (SAPO_KEY, SAPO_SECRET, WRONG_SECRET, BOT_TOKEN, APP_TOKEN, HOOK_SECRET, SECRET)


@pytest.fixture
def fresh_log_handler() -> Iterator[None]:
    """The app's stderr handler is made anew for this test (an earlier test's handler would
    write to that test's captured stream); it is removed again afterwards."""
    root = logging.getLogger()
    old = [h for h in root.handlers if h.get_name() == "sapo-sync"]
    for handler in old:
        root.removeHandler(handler)
    yield
    for handler in [h for h in root.handlers if h.get_name() == "sapo-sync"]:
        root.removeHandler(handler)
    for handler in old:
        root.addHandler(handler)


@pytest.fixture
def secret_shop() -> Iterator[Sandbox]:
    """The demo shop behind distinctive credentials; the staff fixed the preflight problems."""
    with Sandbox("demo", api_key=SAPO_KEY, api_secret=SAPO_SECRET, leak_rate=1000.0) as sb:
        with ShopStaff(sb.base_url, sb.api_key, sb.api_secret) as staff:
            staff.fix_demo_preflight_problems()
        yield sb


def _settings(db_url: str, slack: FakeSlack, sb: Sandbox, **extra: Any) -> Any:
    return bot_settings(
        db_url,
        slack,
        sb,
        slack_bot_token=BOT_TOKEN,
        slack_app_token=APP_TOKEN,
        sapo_webhook_secret=HOOK_SECRET,
        **extra,
    )


def _session(bot: Harness, sb: Sandbox, answers: list[str]) -> None:
    """A working day: setup, queries, changes, a faulty sync, webhooks, alerts."""

    def ask(text: str, count: int = 1) -> list[Any]:
        calls = bot.answers(bot.command(text), count, timeout=30)
        answers.extend(c.text_everywhere() for c in calls)
        return calls

    ask("preflight")
    ask("sync")
    bot.idle(timeout=60)
    for text in ("status", "products", "errors", "orders", "help", "resync #9999"):
        ask(text)
    bot.command("config")  # opens the settings modal instead of answering
    bot.slack.wait_calls("views.open", timeout=30)
    listing = ask("products ATCB")[0].body
    block_id, disconnect = button(listing["blocks"], "sapo.disconnect")
    clicked = bot.click(disconnect, block_id=block_id, message=listing)
    answers.extend(c.text_everywhere() for c in bot.answers(clicked, 2, timeout=30))
    ask(f"compare {disconnect['value']}")
    sb.set_faults("both", error_rate=1.0, status=503)
    ask("sync")
    bot.idle(timeout=60)
    sb.set_faults("web", drop_after_commit_rate=1.0)
    ask("sync")
    bot.idle(timeout=60)
    sb.set_faults("both")
    if bot.bot.alerts is not None:
        bot.bot.alerts.publish()
    raw = b'{"id": 175000123, "name": "#1123"}'
    for secret in (HOOK_SECRET, "not-the-secret"):
        headers = {TOPIC_HEADER: "orders/create", SIGNATURE_HEADER: sign(raw, secret)}
        answers.append(bot.http.post(f"{bot.url}/webhooks/web", content=raw, headers=headers).text)
    answers.append(bot.http.get(f"{bot.url}/healthz").text)


def _leaks(where: str, text: str) -> list[str]:
    return [f"{secret!r} in {where}" for secret in SECRETS if secret in text]


def test_no_secret_reaches_logs_slack_answers_or_the_database(
    tmp_path: Path,
    slack: FakeSlack,
    secret_shop: Sandbox,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
    fresh_log_handler: None,
) -> None:
    """Scan everything a session leaves behind for every secret value (STYLE: secrets never
    appear in logs; issue 10: nor in Slack, error rows or exceptions shown to people)."""
    caplog.set_level(logging.DEBUG)
    db_path = tmp_path / "secrets.db"
    answers: list[str] = []
    settings = _settings(f"sqlite:///{db_path}", slack, secret_shop, log_level="DEBUG")
    with running_bot(settings, slack) as bot:
        _session(bot, secret_shop, answers)
    wrong = _settings(
        f"sqlite:///{tmp_path}/wrong.db", slack, secret_shop, sapo_pos_api_secret=WRONG_SECRET
    )
    with running_bot(wrong, slack) as bot:
        # "Checking both catalogues…" comes first, then the refusal
        refused = bot.answers(bot.command("preflight"), 2, timeout=30)
        answers.extend(c.text_everywhere() for c in refused)
        assert "SAPO_POS_API_KEY/SAPO_POS_API_SECRET" in " ".join(answers[-1:]), answers[-1]
    found: list[str] = []
    for record in caplog.records:
        found += _leaks(f"log record {record.name}", record.getMessage())
    found += _leaks("captured log text", caplog.text)
    out, err = capfd.readouterr()
    found += _leaks("stderr", err) + _leaks("stdout", out)
    for call in slack.calls():
        found += _leaks(f"Slack {call.method}", call.text_everywhere())
    for n, text in enumerate(answers):
        found += _leaks(f"answer {n}", text)
    for path in tmp_path.glob("*.db*"):
        found += _leaks(path.name, path.read_bytes().decode("utf-8", "replace"))
    assert len(slack.calls()) > 20, "the session did too little to prove anything"
    assert "logger='sync." in err, "the app's log handler wrote nothing to stderr"
    assert not found, found
