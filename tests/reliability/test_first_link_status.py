"""``/sapo status`` and App Home while the first link runs (issue 10).

There is no setup record until the first link completes, so while a 10 000-variant first
link ran for minutes the status told the operations team it "has not run yet: start with
`/sapo preflight`", inviting a second one. The first link now marks itself in the database
while it runs, so the bot says it is running, who started it and since when, in English
and Vietnamese, whichever process runs it (here: another one, as ``sapo-sync sync`` is).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest

from bot.i18n import Translator
from bot.views.status import status_blocks
from sandbox import Sandbox
from storage import repo
from storage.engine import Database
from sync import firstrun
from sync.clock import system_clock
from sync.context import SyncContext
from sync.engine import CycleResult, first_link
from sync.errors import UserError
from sync.firstrun import FirstLinkRun
from sync.status import StatusReport
from tests.bot.harness import ADMIN, Harness, mrkdwn
from tests.e2e.catalog_shop import Shop
from tests.reliability.conftest import bot_settings, running_bot
from tests.reliability.support import wait_for
from tests.support.fake_slack import FakeSlack
from tests.support.sapo import clients_for

NOT_RUN = "has not run yet"
RUNNING = "The first link is running"


@pytest.fixture
def bot(database_url: str, slack: FakeSlack, shop_sandbox: Sandbox) -> Iterator[Harness]:
    """The bot on the demo shop, nothing linked yet, on each database."""
    migrated = Database(database_url)
    migrated.upgrade()
    migrated.dispose()
    with running_bot(bot_settings(database_url, slack, shop_sandbox), slack) as harness:
        yield harness


@pytest.fixture
def elsewhere(bot: Harness, shop_sandbox: Sandbox) -> Iterator[Shop]:
    """The same shop and database from another engine and clients, as ``sapo-sync sync``
    in another process has them; its staff fixed what preflight found (R1)."""
    sb = shop_sandbox
    db = Database(bot.bot.db.url)
    pos, web = clients_for(sb)
    ctx = SyncContext(db, bot.bot.deps.ctx.connection_id, pos, web, system_clock)
    auth = (sb.api_key, sb.api_secret)
    with (
        pos,
        web,
        httpx.Client(base_url=sb.web_url, auth=auth, trust_env=False, timeout=10) as admin,
        httpx.Client(base_url=sb.pos_url, auth=auth, trust_env=False, timeout=10) as pos_admin,
    ):
        shop = Shop(sb, db, ctx, pos, web, admin, pos_admin)
        shop.fix_planted_problems()
        yield shop
    db.dispose()


def _status(bot: Harness) -> str:
    return mrkdwn(bot.answers(bot.command("status"))[0].body)


def _home(bot: Harness, n: int) -> str:
    event = {"type": "app_home_opened", "user": ADMIN, "tab": "home", "event_ts": str(n)}
    assert bot.event(event).status_code == 200
    return mrkdwn(bot.slack.wait_calls("views.publish", n)[-1].body["view"])


def test_status_during_the_first_link_says_it_is_running_not_that_it_has_not_run(
    bot: Harness, elsewhere: Shop
) -> None:
    """Before the first link the status says it has not run; while another process runs
    it (the web answering slowly), ``/sapo status`` and App Home say it is running, who
    started it and since when, and no longer send the team to preflight; once it is done
    neither message shows."""
    assert NOT_RUN in _status(bot)
    ctx = bot.bot.deps.ctx
    with _first_link_elsewhere(elsewhere, ctx) as (linking, results):
        started = _running(ctx)
        assert started is not None and started.by == "cli"
        since = started.started_at.astimezone(bot.bot.deps.tz).strftime("%d/%m %H:%M")
        for shown in (_status(bot), _home(bot, 1)):
            assert f"{RUNNING}, started {since} by cli" in shown, shown
            assert NOT_RUN not in shown and "/sapo preflight" not in shown
        assert linking.is_alive(), "the first link ended before the status was read"
    [result] = results
    assert result.ok and result.first_link and result.applied
    for shown in (_status(bot), _home(bot, 2)):
        assert RUNNING not in shown and NOT_RUN not in shown
    assert _running(ctx) is None


@contextmanager
def _first_link_elsewhere(
    elsewhere: Shop, ctx: SyncContext
) -> Iterator[tuple[threading.Thread, list[CycleResult]]]:
    """The first link run by "cli" in another engine, the web answering slowly; the block
    starts once it is marked as running and ends after it finished."""
    results: list[CycleResult] = []
    elsewhere.sb.set_faults("web", latency_ms=40)
    linking = threading.Thread(
        target=lambda: results.append(first_link(elsewhere.ctx, actor="cli")), daemon=True
    )
    linking.start()
    try:
        wait_for(lambda: _running(ctx) is not None, timeout=30, what="the first link to be marked")
        yield linking, results
    finally:
        linking.join(timeout=120)
        elsewhere.sb.set_faults("web")


def _running(ctx: SyncContext) -> FirstLinkRun | None:
    with ctx.db.session() as s:
        return firstrun.running(s, connection_id=ctx.connection_id, now=ctx.clock())


@pytest.mark.parametrize(
    ("lang", "says"),
    [
        ("en", "🔄 The first link is running, started 06/03 10:00 by <@U0ADMIN>."),
        ("vi", "🔄 Liên kết lần đầu đang chạy, bắt đầu lúc 06/03 10:00 bởi <@U0ADMIN>."),
    ],
)
def test_the_running_first_link_is_told_in_the_bots_language(lang: str, says: str) -> None:
    """The status and App Home blocks tell a running first link in BOT_LANGUAGE, with the
    start in the shop's time zone and the person who started it mentioned."""
    report = StatusReport(
        links={"linked": 12},
        errors={},
        orders_pushed_today=0,
        orders_failed_today=0,
        cost_review=3,
        generated_at=datetime(2026, 3, 6, 3, 5, tzinfo=UTC),
        first_link=FirstLinkRun(datetime(2026, 3, 6, 3, 0, tzinfo=UTC), ADMIN),
    )
    text = mrkdwn(status_blocks(Translator(lang), report, ZoneInfo("Asia/Ho_Chi_Minh")))
    assert says in text
    assert "/sapo preflight" not in text


def test_a_second_first_link_while_one_runs_is_refused_and_nothing_is_made_twice(
    bot: Harness, elsewhere: Shop
) -> None:
    """``/sapo sync`` pressed while another process runs the first link is told it is
    already running and by whom; it does not start a second one, which would create every
    one-sided product a second time (R3, R7)."""
    with _first_link_elsewhere(elsewhere, bot.bot.deps.ctx) as (linking, results):
        said = [mrkdwn(c.body) for c in bot.answers(bot.command("sync"), 2, timeout=60)]
        assert linking.is_alive(), "the first link ended before the second was pressed"
    assert "already running" in said[-1] and "by cli" in said[-1], said
    [result] = results
    assert result.ok and result.first_link
    with elsewhere.sb.state.lock:
        pos = [v.sku for v in elsewhere.sb.state.pos.variants.values() if v.sku]
        web = [v.sku for v in elsewhere.sb.state.web.variants.values() if v.sku]
    assert len(pos) == len(set(pos)) and len(web) == len(set(web))


def test_sync_before_setup_runs_the_first_link_when_the_scheduler_runs(
    database_url: str, slack: FakeSlack, shop_sandbox: Sandbox
) -> None:
    """In production the bot runs the scheduler, whose catalog job waits for the first link
    (a person's decision, R1). ``/sapo sync`` then runs the first link itself instead of
    triggering that job, which answered "The sync failed: ?" and linked nothing."""
    migrated = Database(database_url)
    migrated.upgrade()
    migrated.dispose()
    settings = bot_settings(database_url, slack, shop_sandbox)
    with running_bot(settings, slack, with_scheduler=True) as harness:
        assert harness.bot.scheduler is not None
        assert harness.bot.scheduler.start() == "running"
        ctx = harness.bot.deps.ctx
        pos, web = clients_for(shop_sandbox)
        auth = (shop_sandbox.api_key, shop_sandbox.api_secret)
        with (
            pos,
            web,
            httpx.Client(base_url=shop_sandbox.web_url, auth=auth, trust_env=False) as admin,
            httpx.Client(base_url=shop_sandbox.pos_url, auth=auth, trust_env=False) as pos_admin,
        ):
            Shop(shop_sandbox, ctx.db, ctx, pos, web, admin, pos_admin).fix_planted_problems()
        said = [mrkdwn(c.body) for c in harness.answers(harness.command("sync"), 2, timeout=120)]
        assert "Sync done" in said[-1] and "failed: ?" not in said[-1], said
        with ctx.db.session() as s:
            assert repo.get_setup(s, connection_id=ctx.connection_id) is not None


def test_a_first_link_mark_left_by_a_killed_process_here_is_taken_over_at_once(
    tmp_path: Path,
) -> None:
    """A first link restarted after its process was killed does not wait for the old mark
    to expire; a mark of a live process, or of another machine, still refuses (R3, R7)."""
    db = Database(f"sqlite:///{tmp_path}/marks.db")
    db.upgrade()
    now = datetime.now(UTC)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    holders = {
        "gone here": (f"cli@{socket.gethostname()}:{dead.pid}:ab12cd34", True),
        "alive here": (f"cli@{socket.gethostname()}:{os.getppid()}:ab12cd34", False),
        "elsewhere": (f"cli@another-host.example:{dead.pid}:ab12cd34", False),
    }
    try:
        for n, (holder, taken) in enumerate(holders.values()):
            with db.session() as s:
                conn = repo.ensure_connection(s, name=f"shop{n}", pos_url="", web_url="", now=now)
                s.commit()
                assert conn.id is not None
            ctx = SyncContext(db, conn.id, None, None, lambda: now)  # type: ignore[arg-type]
            with db.session() as s:
                name = firstrun.lease_name(ctx.connection_id)
                assert repo.acquire_lease(s, name=name, holder=holder, now=now, ttl=firstrun.TTL)
                s.commit()
            if taken:
                with firstrun.marked(ctx, actor="U0ADMIN"), db.session() as s:
                    lease = repo.get_lease(s, name=name)
                    assert lease is not None and lease.holder.startswith("U0ADMIN@")
            else:
                with (
                    pytest.raises(UserError, match="already running"),
                    firstrun.marked(ctx, actor="U0ADMIN"),
                ):
                    pass
    finally:
        db.dispose()
