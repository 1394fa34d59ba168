"""``sapo-sync run`` in Socket Mode: the Bolt app is connected through Slack's socket, no HTTP
server is started, and a stop signal closes the socket before the process ends."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
import uvicorn
from slack_bolt import App, BoltRequest

from bot import run as run_module
from sandbox import Sandbox
from tests.bot.conftest import settings_for
from tests.bot.harness import ADMIN, CHANNEL, mrkdwn
from tests.support.fake_slack import FakeSlack

APP_TOKEN = "xapp-1-socket-test-token"


class RecordingHandler:
    """Stands in for ``SocketModeHandler``: records what ``run`` does with it and, once
    connected, sends a ``/sapo`` request over the "socket" and then asks the process to stop."""

    made: ClassVar[list[RecordingHandler]] = []
    response_url: ClassVar[str] = ""  # where the fake Slack records the answer to the command sent

    def __init__(self, app: App, app_token: str) -> None:
        self.app, self.app_token = app, app_token
        self.calls: list[str] = []
        self.answer: Any = None
        RecordingHandler.made.append(self)

    def connect(self) -> None:
        self.calls.append("connect")
        body = {
            "command": "/sapo",
            "text": "help",
            "user_id": ADMIN,
            "channel_id": CHANNEL,
            "team_id": "T0FAKE",
            "api_app_id": "A0APP",
            "trigger_id": "trigger.socket.1",
            "response_url": self.response_url,
        }
        # Socket Mode requests carry no signature: Bolt must still route them to /sapo.
        self.answer = self.app.dispatch(BoltRequest(body=body, mode="socket_mode"))
        if signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None):
            raise AssertionError("run() installed no SIGTERM handler: the signal would kill it")
        os.kill(os.getpid(), signal.SIGTERM)  # what systemd or docker stop sends

    def close(self) -> None:
        self.calls.append("close")


@pytest.fixture
def restored_signals() -> Iterator[None]:
    """``run`` installs its own SIGINT/SIGTERM handlers; put pytest's back afterwards."""
    before = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)


def test_run_with_an_app_token_connects_over_socket_mode_and_closes_on_sigterm(
    tmp_path: Path,
    slack: FakeSlack,
    sb: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
    restored_signals: None,
) -> None:
    """With SLACK_APP_TOKEN set, ``run`` hands the Bolt app to the Socket Mode handler with that
    token (no signing secret needed, no uvicorn), /sapo works over it, and SIGTERM closes the
    socket (deployment without a public URL)."""
    import slack_bolt.adapter.socket_mode as socket_mode

    served: list[object] = []
    monkeypatch.setattr(socket_mode, "SocketModeHandler", RecordingHandler)
    monkeypatch.setattr(uvicorn.Server, "run", lambda self, *a, **k: served.append(self))
    monkeypatch.setattr(RecordingHandler, "made", [])
    monkeypatch.setattr(RecordingHandler, "response_url", slack.response_url("socket"))
    settings = settings_for(
        f"sqlite:///{tmp_path}/socket.db",
        slack,
        sb,
        slack_app_token=APP_TOKEN,
        slack_signing_secret=None,
    )

    run_module.run(settings, host="127.0.0.1")

    [handler] = RecordingHandler.made
    assert isinstance(handler.app, App) and handler.app_token == APP_TOKEN
    assert handler.calls == ["connect", "close"], "connected once, closed on the signal"
    assert served == [], "no HTTP server in Socket Mode"
    assert handler.answer.status == 200
    [reply] = slack.wait_calls("response_url/socket")
    assert "/sapo" in mrkdwn(reply.body), "the command was answered over the socket"
