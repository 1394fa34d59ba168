"""Fixtures of the reliability suite: the real bot served over HTTP on a sandbox shop."""

from __future__ import annotations

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
from tests.bot.conftest import _clean_environment, settings_for, slack
from tests.bot.harness import Harness, serve
from tests.support.fake_slack import FakeSlack

BotRunner = Callable[..., Any]


# The bot suite's environment guard, fake Slack and settings serve this suite too.
__all__ = ["_clean_environment", "bot_settings", "slack"]
bot_settings = settings_for


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
