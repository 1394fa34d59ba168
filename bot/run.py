"""``sapo-sync run``: the bot and the scheduler in one process (Socket Mode or HTTP)."""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
from collections.abc import Iterator
from types import FrameType
from typing import Any

from bot.main import BotApp, build_app
from bot.settings import Settings, require
from sync.errors import SyncError
from sync.webhooks import register_webhooks

log = logging.getLogger(__name__)


def run(settings: Settings, *, host: str = "0.0.0.0") -> None:
    """Serve until SIGINT/SIGTERM; the scheduler starts here, never at import or build."""
    require(settings, "SLACK_BOT_TOKEN", command="run")
    socket_mode = settings.slack_app_token is not None
    if not socket_mode:
        require(settings, "SLACK_SIGNING_SECRET", command="run")
    bot = build_app(settings)
    try:
        if settings.public_url and not socket_mode:
            _register_webhooks(bot, settings.public_url)
        if bot.scheduler is not None:
            state = bot.scheduler.start()
            log.info("scheduler started state=%s", state)
        if socket_mode:
            _socket_mode(bot, settings)
        else:
            _http_mode(bot, host, settings.port)
    finally:
        bot.close()


def _register_webhooks(bot: BotApp, public_url: str) -> None:
    try:
        register_webhooks(bot.deps.ctx, public_url)
    except SyncError as exc:  # polling still syncs; say why the webhooks are missing
        log.warning("webhook registration failed error=%s", exc)


def _http_mode(bot: BotApp, host: str, port: int) -> None:
    import uvicorn

    class Server(uvicorn.Server):
        """uvicorn re-raises SIGTERM after its shutdown, killing the process before the
        scheduler and the database are closed; here a signal only asks the server to stop."""

        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            def stop(_signum: int, _frame: FrameType | None) -> None:
                self.should_exit = True

            previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
            try:
                yield
            finally:
                for sig, handler in previous.items():
                    signal.signal(sig, handler)

    log.info("serving http host=%s port=%d paths=/slack/events,/webhooks/*,/healthz", host, port)
    config = uvicorn.Config(bot.asgi(), host=host, port=port, log_config=None, access_log=False)
    Server(config).run()


def _socket_mode(bot: BotApp, settings: Settings) -> None:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    assert settings.slack_app_token is not None
    handler: Any = SocketModeHandler(bot.app, settings.slack_app_token.get_secret_value())
    stop = threading.Event()

    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    handler.connect()
    log.info("socket mode connected")
    try:
        stop.wait()
    finally:
        handler.close()
