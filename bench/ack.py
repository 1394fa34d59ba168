"""Scenario 6: how fast the bot acks signed slash commands while its process runs a first link."""

from __future__ import annotations

import hashlib
import hmac
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import uvicorn

from bench.catalog import whole_products
from bench.report import AckResult
from bench.shop import ShopClock
from bot.console.localslack import LocalSlack
from bot.main import build_app
from bot.settings import Settings
from sandbox import Sandbox
from sync.engine import first_link

SECRET = "bench-signing-secret-0123456789"
USER = "U0BENCH"
GAP_S = 0.02  # between two commands: a busy team, not a flood
START_TIMEOUT_S = 10.0


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """The bot's ASGI app (HTTP mode) on a free loopback port; stopped on exit."""
    config = uvicorn.Config(
        app, host="127.0.0.1", port=0, log_config=None, lifespan="off", access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="bench-bot", daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT_S
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the bot's HTTP server did not start")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=START_TIMEOUT_S)


def signed(body: str) -> dict[str, str]:
    """Slack's request signature (v0, HMAC-SHA256 of ``v0:timestamp:body``)."""
    stamp = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256)
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": f"v0={digest.hexdigest()}",
    }


def command(slack: LocalSlack, n: int, text: str) -> str:
    return urlencode(
        {
            "team_id": "T0BENCH",
            "channel_id": "C0BENCH",
            "user_id": USER,
            "command": "/sapo",
            "text": text,
            "api_app_id": "A0BENCH",
            "response_url": slack.response_url(f"cmd{n}"),
            "trigger_id": f"trigger.{n}",
        }
    )


def settings(sb: Sandbox, slack: LocalSlack, db_path: Path) -> Settings:
    return Settings(
        _env_file=None,  # pydantic-settings: no .env file, only these values
        database_url=f"sqlite:///{db_path}",
        sapo_pos_url=sb.pos_url,
        sapo_pos_api_key=sb.api_key,
        sapo_pos_api_secret=sb.api_secret,
        sapo_web_url=sb.web_url,
        sapo_web_api_key=sb.api_key,
        sapo_web_api_secret=sb.api_secret,
        sapo_leak_rate=sb.state.config.leak_rate,
        slack_bot_token="xoxb-bench",
        slack_signing_secret=SECRET,
        slack_api_url=slack.api_url,
        slack_admin_users=USER,
        log_level="WARNING",
    )


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, round(share * len(ordered) + 0.5))
    return ordered[min(rank, len(ordered)) - 1]


def measure(sb: Sandbox, clock: ShopClock, size: int) -> AckResult:
    """``/sapo status`` round trips (signed, HTTP mode) while the same process links
    ``bench:size``; every command must also get its answer on the response URL (R13)."""
    sb.reset(f"bench:{size}")
    whole_products(sb.state)
    with LocalSlack() as slack, tempfile.TemporaryDirectory(prefix="sapo-bench-ack-") as tmp:
        config = settings(sb, slack, Path(tmp) / "bot.db")
        bot = build_app(config, clock=clock, with_scheduler=False)
        failed: list[BaseException] = []
        done = threading.Event()

        def link() -> None:
            try:
                first_link(bot.deps.ctx, actor="bench")
            except BaseException as exc:  # reported by the measuring thread
                failed.append(exc)
            finally:
                done.set()

        try:
            with serve(bot.asgi()) as url, httpx.Client(timeout=10.0, trust_env=False) as http:
                worker = threading.Thread(target=link, name="bench-first-link")
                worker.start()
                waits = _send_while(done, http, f"{url}/slack/events", slack)
                worker.join()
                _wait_answers(slack, len(waits))
        finally:
            bot.close()
        if failed:
            raise RuntimeError("the first link under load failed") from failed[0]
    ms = [w * 1000 for w in waits]
    return AckResult(len(ms), round(percentile(ms, 0.5), 1), round(percentile(ms, 0.99), 1))


def _send_while(
    done: threading.Event, http: httpx.Client, url: str, slack: LocalSlack
) -> list[float]:
    waits: list[float] = []
    while not done.is_set() or not waits:
        body = command(slack, len(waits), "status")
        started = time.perf_counter()
        response = http.post(url, content=body.encode(), headers=signed(body))
        waits.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise RuntimeError(f"the bot answered {response.status_code}: {response.text[:200]}")
        time.sleep(GAP_S)
    return waits


def _wait_answers(slack: LocalSlack, count: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while _answered(slack) < count:
        if time.monotonic() > deadline:
            raise RuntimeError(f"{_answered(slack)} of {count} commands were answered")
        time.sleep(0.05)


def _answered(slack: LocalSlack) -> int:
    """Posts on the commands' response URLs."""
    return sum(1 for call in slack.calls() if call.method.startswith("response_url/"))
