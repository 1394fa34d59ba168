"""Fixtures for the bot tests: fake Slack, the sandbox, and the real app served over HTTP."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import pytest

from bot.main import build_app
from bot.settings import Settings
from sandbox import Sandbox
from storage import repo
from sync import engine
from tests.bot.harness import ADMIN, ALERTS, SECRET, Harness, serve
from tests.support.fake_slack import FakeSlack

BotMaker = Callable[..., AbstractContextManager[Harness]]


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Real SLACK_*/SAPO_* variables on the machine must not leak into the tests."""
    for name in list(os.environ):
        upper = name.upper()
        if upper.startswith("SAPO_SYNC_TEST_"):  # the test suite's own settings stay
            continue
        if upper.startswith(("SLACK_", "SAPO_", "BOT_", "DATABASE_URL", "PUBLIC_URL")):
            monkeypatch.delenv(name, raising=False)


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    """The recording fake Slack; every payload the bot sent must have been valid Block Kit."""
    with FakeSlack() as fake:
        yield fake
        assert fake.invalid == [], fake.invalid


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    """The demo shop; its rate bucket is opened wide (pacing is the clients' own tests' job)."""
    with Sandbox("demo", bucket=100_000, leak_rate=100_000.0) as sandbox:
        yield sandbox


def settings_for(db_url: str, slack: FakeSlack, sb: Sandbox, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": db_url,
        "sapo_pos_url": sb.pos_url,
        "sapo_pos_api_key": sb.api_key,
        "sapo_pos_api_secret": sb.api_secret,
        "sapo_web_url": sb.web_url,
        "sapo_web_api_key": sb.api_key,
        "sapo_web_api_secret": sb.api_secret,
        "slack_bot_token": "xoxb-test-token",
        "slack_signing_secret": SECRET,
        "slack_api_url": slack.api_url,
        "slack_alert_channel": ALERTS,
        "slack_admin_users": ADMIN,
        "bot_language": "en",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


@pytest.fixture
def make_bot(tmp_path: Path, slack: FakeSlack, sb: Sandbox) -> BotMaker:
    """``with make_bot(**settings) as h:`` builds the app and serves it; all stopped after."""

    @contextmanager
    def make(
        db_url: str | None = None, build: dict[str, Any] | None = None, **overrides: Any
    ) -> Iterator[Harness]:
        url = db_url or f"sqlite:///{tmp_path}/bot.db"
        options: dict[str, Any] = {"with_scheduler": False, "alert_pace_s": 0.0, **(build or {})}
        bot = build_app(settings_for(url, slack, sb, **overrides), **options)
        try:
            with serve(bot.asgi()) as base:
                harness = Harness(bot, base, slack)
                try:
                    yield harness
                    harness.idle()
                finally:
                    harness.http.close()
        finally:
            bot.close()

    return make


@pytest.fixture
def bot(make_bot: BotMaker) -> Iterator[Harness]:
    with make_bot() as harness:
        yield harness


@pytest.fixture
def linked(make_bot: BotMaker) -> Iterator[Harness]:
    """The bot on a shop whose first link is done by the real engine against the sandbox."""
    with make_bot() as harness:
        ctx = harness.bot.deps.ctx
        with ctx.db.session() as session:
            repo.record_setup(
                session,
                connection_id=ctx.connection_id,
                cutover_at=ctx.clock(),
                completed_by="test",
            )
            session.commit()
        assert engine.run_cycle(ctx, actor="test").ok
        yield harness
