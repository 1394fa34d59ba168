"""``sapo-sync run``'s HTTP side: Sapo webhooks, /healthz, syncs through the scheduler, and
the command itself started as a process."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import httpx

from sandbox import Sandbox
from storage import repo
from storage.engine import Database
from sync import engine
from sync.context import SyncContext
from sync.scheduler import SyncScheduler
from sync.signing import SIGNATURE_HEADER, TOPIC_HEADER, sign
from sync.webhooks import SUBSCRIPTIONS, register_webhooks
from tests.bot.conftest import BotMaker
from tests.bot.harness import ADMIN, SECRET, Harness, mrkdwn
from tests.support.fake_slack import FakeSlack
from tests.support.sapo import clients_for

HOOK_SECRET = "webhook-secret-0123456789"


def _catalog_only(ctx: SyncContext, on_cycle: Sequence[Callable[[Any], None]]) -> SyncScheduler:
    """The real scheduler running the real engine, catalog job only (no order pushes)."""
    jobs = {"catalog": lambda c: engine.run_cycle(c, actor="scheduler")}
    return SyncScheduler(ctx, jobs=jobs, on_cycle=on_cycle)


def test_webhooks_are_verified_and_trigger_work(make_bot: BotMaker) -> None:
    """``POST /webhooks/pos``: a bad signature is 401; a signed delivery is accepted once."""
    with make_bot(
        sapo_webhook_secret=HOOK_SECRET, build={"with_scheduler": True, "scheduler": _catalog_only}
    ) as bot:
        raw = b'{"id": 3939100, "name": "x"}'
        headers = {TOPIC_HEADER: "products/update", "Content-Type": "application/json"}
        bad = bot.http.post(
            f"{bot.url}/webhooks/pos",
            content=raw,
            headers={**headers, SIGNATURE_HEADER: sign(raw, "wrong-secret")},
        )
        assert bad.status_code == 401
        good_headers = {**headers, SIGNATURE_HEADER: sign(raw, HOOK_SECRET)}
        good = bot.http.post(f"{bot.url}/webhooks/pos", content=raw, headers=good_headers)
        assert good.status_code == 200 and good.json()["result"] == "accepted"
        again = bot.http.post(f"{bot.url}/webhooks/pos", content=raw, headers=good_headers)
        assert again.json()["result"] == "duplicate"
        assert bot.http.post(f"{bot.url}/webhooks/elsewhere", content=raw).status_code == 404


def test_a_webhook_is_answered_within_a_second_while_its_job_is_slow(
    make_bot: BotMaker,
) -> None:
    """Sapo gives up on a slow answer (about 5 s, then retries): ``POST /webhooks/web`` is
    answered at once while the orders job it triggers is still running."""
    running, release = threading.Event(), threading.Event()

    def slow_orders(_ctx: SyncContext) -> object:
        running.set()
        release.wait(10)
        return None

    def scheduler(ctx: SyncContext, on_cycle: Sequence[Callable[[Any], None]]) -> SyncScheduler:
        return SyncScheduler(ctx, jobs={"orders": slow_orders}, on_cycle=on_cycle)

    with make_bot(
        sapo_webhook_secret=HOOK_SECRET, build={"with_scheduler": True, "scheduler": scheduler}
    ) as bot:
        try:
            assert bot.bot.scheduler.start() == "running"
            assert running.wait(10)  # the start-up run is busy
            raw = b'{"id": 175000042, "name": "#1042"}'
            headers = {
                TOPIC_HEADER: "orders/create",
                SIGNATURE_HEADER: sign(raw, HOOK_SECRET),
                "Content-Type": "application/json",
            }
            started = time.monotonic()
            answer = bot.http.post(f"{bot.url}/webhooks/web", content=raw, headers=headers)
            elapsed = time.monotonic() - started
            assert answer.status_code == 200 and answer.json()["result"] == "accepted"
            assert elapsed < 0.5, f"answered in {elapsed:.2f} s"
            assert not release.is_set() and running.is_set()  # the job was still running
        finally:
            release.set()


def test_sync_goes_through_the_running_scheduler_and_reports_back(make_bot: BotMaker) -> None:
    """Once set up, with the scheduler running, ``/sapo sync`` triggers its job (one sync at
    a time) and the result of that run comes back to the channel; /healthz reports the jobs.
    (Before setup it runs the first link itself: tests/reliability/test_first_link_status.)"""
    with make_bot(build={"with_scheduler": True, "scheduler": _catalog_only}) as bot:
        ctx = bot.bot.deps.ctx
        with ctx.db.session() as s:
            repo.record_setup(
                s, connection_id=ctx.connection_id, cutover_at=ctx.clock(), completed_by="t"
            )
            s.commit()
        scheduler = bot.bot.scheduler
        assert scheduler.start() == "running"
        health = bot.http.get(f"{bot.url}/healthz")
        assert health.status_code == 200 and health.json()["state"] == "running"
        bot.wait(lambda: scheduler.jobs()[0].runs >= 1, what="the first scheduled run")
        started, result = bot.answers(bot.command("sync"), 2)
        assert "started a sync" in mrkdwn(started.body)
        assert result.body["response_type"] == "in_channel"
        assert "Sync done" in mrkdwn(result.body), mrkdwn(result.body)
        assert scheduler.jobs()[0].runs >= 2
        scheduler.shutdown()
        assert bot.http.get(f"{bot.url}/healthz").status_code == 503


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _sapo_sync() -> list[str]:
    return [sys.executable, "-m", "bot"]


def test_run_without_a_bot_token_names_the_missing_variable(tmp_path: Path) -> None:
    """``sapo-sync run`` without SLACK_BOT_TOKEN fails with one line naming it."""
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path)}
    done = subprocess.run(
        [*_sapo_sync(), "run"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "sapo-sync: SLACK_BOT_TOKEN must be set for 'sapo-sync run'"
    ]


def test_run_serves_slack_and_health_over_http_until_sigterm(
    tmp_path: Path, slack: FakeSlack, sb: Sandbox
) -> None:
    """``sapo-sync run`` in HTTP mode: one server for /slack/events and /healthz; the
    scheduler runs in the same process; SIGTERM stops it cleanly. With PUBLIC_URL set it
    subscribes both Sapo sides to the webhook topics, and a second start adds no duplicate."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
        "DATABASE_URL": f"sqlite:///{tmp_path}/run.db",
        "PORT": str(port),
        "SAPO_POS_URL": sb.pos_url,
        "SAPO_POS_API_KEY": sb.api_key,
        "SAPO_POS_API_SECRET": sb.api_secret,
        "SAPO_WEB_URL": sb.web_url,
        "SAPO_WEB_API_KEY": sb.api_key,
        "SAPO_WEB_API_SECRET": sb.api_secret,
        "SAPO_WEBHOOK_SECRET": HOOK_SECRET,
        "PUBLIC_URL": f"{base}/",
        "SLACK_BOT_TOKEN": "xoxb-run-test",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": slack.api_url,
        "SLACK_ADMIN_USERS": ADMIN,
    }
    with _running(tmp_path, env, base) as http:
        harness = Harness.__new__(Harness)
        harness.url, harness.slack, harness.http = base, slack, http
        sent = harness.command("help")
        assert sent.status == 200
        harness.answers(sent)
    first = _subscriptions(sb)
    assert first == {
        source: sorted((topic, f"{base}/webhooks/{source}") for topic in SUBSCRIPTIONS[source])
        for source in ("pos", "web")
    }
    # A second start registers the same way; a process start costs seconds, so this runs
    # the same call in-process: what `run` made is found, nothing is registered twice.
    pos, web = clients_for(sb)
    with pos, web:
        ctx = SyncContext(cast(Database, None), 1, pos, web, lambda: datetime.now(UTC))
        assert register_webhooks(ctx, f"{base}/") == []
    assert _subscriptions(sb) == first


@contextlib.contextmanager
def _running(tmp_path: Path, env: dict[str, str], base: str) -> Iterator[httpx.Client]:
    """``sapo-sync run`` as a process, once /healthz answers; SIGTERM must end it with 0."""
    process = subprocess.Popen(
        [*_sapo_sync(), "run", "--host", "127.0.0.1"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        with httpx.Client(trust_env=False, timeout=5) as http:
            deadline = time.monotonic() + 30
            health = None
            while time.monotonic() < deadline and process.poll() is None:
                try:
                    health = http.get(f"{base}/healthz")
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            assert health is not None, "the server never answered"
            assert health.json()["state"] in ("running", "standby")
            yield http
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
        output = ""
        if process.stdout is not None:
            output = process.stdout.read().decode()
            process.stdout.close()
    assert "xoxb-run-test" not in output and SECRET not in output, "secrets never logged"
    assert HOOK_SECRET not in output, "secrets never logged"


def _subscriptions(sb: Sandbox) -> dict[str, list[tuple[str, str]]]:
    with sb.state.lock:
        return {
            "pos": sorted((h["topic"], h["address"]) for h in sb.state.pos.webhooks.values()),
            "web": sorted((h["topic"], h["address"]) for h in sb.state.web.webhooks.values()),
        }
