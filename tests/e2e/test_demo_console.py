"""`sapo-sync demo` and `sapo-sync console`: the first run without any account (issue 8)."""

from __future__ import annotations

import io
import os
import re
import selectors
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.console.render import PLAIN
from bot.console.repl import run_repl
from bot.demo import demo_world
from bot.i18n import Translator
from sandbox.tour import ShopStaff
from storage import repo
from sync.engine import run_cycle

LINKED_SKU = "ATCB-DEN-L"


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "SAPO_"))}
    env["DATABASE_URL"] = "sqlite:///unused.db"
    return env


def test_demo_script_exits_zero_with_every_step_checked(tmp_path: Path) -> None:
    """The scripted tour passes each step it checks against the sandbox and exits 0."""
    done = subprocess.run(
        [sys.executable, "-m", "bot", "demo", "--script"],
        cwd=tmp_path,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "every step behaved as expected" in out
    assert "✗" not in out
    assert re.search(r"Summary: \d+ linked, 9 created on POS, 8 created on the web", out)
    assert "1 orders pushed" in out
    assert "(0 still open)" in out
    assert list(tmp_path.iterdir()) == []  # the demo database lives in a temporary directory


def _eventually(condition: Callable[[], bool], timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def _button(screen: str, label: str) -> str:
    numbers = re.findall(rf"\[(\d+)\] {label}", screen)
    assert numbers, f"no {label} button on screen:\n{screen}"
    return numbers[-1]


def test_console_compare_then_press_disconnect_with_its_confirmation() -> None:
    """Compare shows both sides; pressing Disconnect and confirming unlinks it (R14, R15)."""
    out = io.StringIO()
    with demo_world("en", out, PLAIN) as (sb, _slack, bot, session):
        with ShopStaff(sb.base_url, sb.api_key, sb.api_secret) as staff:
            staff.fix_demo_preflight_problems()
        assert run_cycle(bot.deps.ctx, actor="test").applied
        run_repl(session, io.StringIO(f"/sapo compare {LINKED_SKU}\n"), out, Translator("en"))
        assert _eventually(lambda: "View on Sapo Web" in out.getvalue())
        screen = out.getvalue()
        assert LINKED_SKU in screen
        assert "View on Sapo POS" in screen
        assert "View on Sapo Web" in screen
        number = _button(screen, "Disconnect")
        run_repl(session, io.StringIO(f"{number}\ny\nquit\n"), out, Translator("en"))

        def status() -> str | None:
            with bot.deps.ctx.db.session() as s:
                link = repo.get_link(s, connection_id=bot.deps.ctx.connection_id, sku=LINKED_SKU)
                return None if link is None else link.status

        assert _eventually(lambda: status() == "disconnected")
        assert _eventually(lambda: "disconnected" in out.getvalue()[len(screen) :].lower())


def test_console_help_and_unknown_command_answer_with_help() -> None:
    """A bare word is a /sapo subcommand; an unknown one answers with the help, not a trace."""
    out = io.StringIO()
    with demo_world("vi", out, PLAIN) as (_sb, _slack, _bot, session):
        run_repl(session, io.StringIO("help\n/sapo frobnicate\n"), out, Translator("vi"))
    screen = out.getvalue()
    assert "/sapo" in screen
    assert "frobnicate" in screen
    assert "Traceback" not in screen


def _read_until(proc: subprocess.Popen[str], pattern: str, timeout: float) -> str:
    assert proc.stdout is not None
    seen = ""
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    while pattern not in seen and time.monotonic() < deadline:
        if sel.select(timeout=0.5):
            chunk = proc.stdout.readline()
            if not chunk:
                break
            seen += chunk
    sel.close()
    return seen


def test_demo_stops_cleanly_on_ctrl_c_leaving_no_port_behind(tmp_path: Path) -> None:
    """Ctrl-C at the console stops sandbox, scheduler and bot: the process exits, ports close."""
    with subprocess.Popen(
        [sys.executable, "-u", "-m", "bot", "demo"],
        cwd=tmp_path,
        env=_env(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    ) as proc:
        try:
            seen = _read_until(proc, "sapo-sync console", 120)
            match = re.search(r"POS http://127\.0\.0\.1:(\d+)/pos", seen)
            assert match, seen
            port = int(match.group(1))
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert proc.returncode in (0, 130)
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()


def test_block_kit_is_drawn_readably() -> None:
    """Headers, fields side by side, context, entities and links read as text; buttons numbered."""
    from bot.console.render import draw

    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": "Áo thun"}},
        {
            "type": "section",
            "fields": [
                {"type": "mrkdwn", "text": "*POS*\n12"},
                {"type": "mrkdwn", "text": "*Web*\n10"},
            ],
        },
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "&lt;!channel&gt; ok"}]},
        {
            "type": "actions",
            "block_id": "b",
            "elements": [
                {
                    "type": "button",
                    "text": {"type": "plain_text", "text": "Compare"},
                    "action_id": "a",
                    "value": "v",
                },
                {
                    "type": "button",
                    "text": {"type": "plain_text", "text": "View"},
                    "action_id": "l",
                    "url": "https://x.example/p/1",
                },
            ],
        },
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": "see <https://x.example|the admin>"},
        },
    ]
    drawing = draw(blocks, first_number=5)
    text = drawing.text
    assert "Áo thun" in text
    assert "POS" in text
    assert "Web" in text
    assert "<!channel> ok" in text
    assert "[5] Compare" in text
    assert "[6] View → https://x.example/p/1" in text
    assert "the admin (https://x.example)" in text
    assert [b.action_id for b in drawing.buttons] == ["a", "l"]
