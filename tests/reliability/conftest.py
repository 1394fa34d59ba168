"""Fixtures of the reliability suite: the real bot served over HTTP on a sandbox shop."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from bot.main import build_app
from bot.settings import Settings
from sandbox import Sandbox
from storage import repo
from storage.engine import Database
from sync import engine
from tests.bot.harness import ADMIN, ALERTS, SECRET, Harness, serve
from tests.support.fake_slack import FakeSlack

BotRunner = Callable[..., Any]


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Real SLACK_*/SAPO_* variables on the machine must not leak into the tests."""
    for name in list(os.environ):
        upper = name.upper()
        if upper.startswith("SAPO_SYNC_"):  # the suite's own switches stay
            continue
        if upper.startswith(("SLACK_", "SAPO_", "BOT_", "DATABASE_URL", "PUBLIC_URL")):
            monkeypatch.delenv(name, raising=False)


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    """The recording fake Slack; every payload the bot sent must be valid Block Kit."""
    with FakeSlack() as fake:
        yield fake
        assert fake.invalid == [], fake.invalid


def bot_settings(db_url: str, slack: FakeSlack, sb: Sandbox, **overrides: Any) -> Settings:
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


@contextmanager
def running_bot(settings: Settings, slack: FakeSlack, **build: Any) -> Iterator[Harness]:
    """The app built from ``settings`` and served on loopback; stopped and closed on exit."""
    options: dict[str, Any] = {"with_scheduler": False, "alert_pace_s": 0.0, **build}
    bot = build_app(settings, **options)
    try:
        with serve(bot.asgi()) as base:
            harness = Harness(bot, base, slack)
            try:
                yield harness
                harness.idle(timeout=60)
            finally:
                harness.http.close()
    finally:
        bot.close()


@pytest.fixture
def shop_sandbox() -> Iterator[Sandbox]:
    """The demo shop with its rate bucket opened wide."""
    with Sandbox("demo", bucket=100_000, leak_rate=100_000.0) as sb:
        yield sb


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path}/bot.db"


@contextmanager
def linked_bot(
    database_url: str, slack: FakeSlack, sb: Sandbox, **overrides: Any
) -> Iterator[Harness]:
    """The bot (settings ``overrides`` applied) on a shop whose pairs the real engine linked."""
    migrated = Database(database_url)
    migrated.upgrade()  # the app migrates SQLite itself; PostgreSQL is migrated by ops
    migrated.dispose()
    settings = bot_settings(database_url, slack, sb, **overrides)
    with running_bot(settings, slack) as bot:
        ctx = bot.bot.deps.ctx
        with ctx.db.session() as s:
            repo.record_setup(
                s, connection_id=ctx.connection_id, cutover_at=ctx.clock(), completed_by="t"
            )
            s.commit()
        assert engine.run_cycle(ctx, actor="test").ok
        yield bot


@pytest.fixture
def linked(database_url: str, slack: FakeSlack, shop_sandbox: Sandbox) -> Iterator[Harness]:
    """The bot on a demo shop whose pairs the real engine linked, on each database."""
    with linked_bot(database_url, slack, shop_sandbox) as bot:
        yield bot


def link_status(bot: Harness, sku: str) -> str:
    ctx = bot.bot.deps.ctx
    with ctx.db.session() as s:
        row = repo.get_link(s, connection_id=ctx.connection_id, sku=sku)
        assert row is not None
        return row.status
