"""`sapo-sync demo` and `sapo-sync console`: the first run without any account (issue 8)."""

from __future__ import annotations

import codecs
import io
import logging
import os
import queue
import re
import selectors
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot import demo
from bot.console.launch import run_console
from bot.console.render import PLAIN
from bot.console.repl import run_repl
from bot.demo import LEAK_RATE, demo_world, sandbox_store_settings
from bot.i18n import Translator
from bot.main import BotApp, build_app
from bot.settings import Settings
from sandbox import Sandbox
from sandbox.seeds import DEMO_POS_ONLY_SKUS
from sandbox.tour import WEB_ONLY_AFTER_FIXES, Fix, ShopStaff
from storage import repo
from storage.engine import Database
from sync.engine import run_cycle

LINKED_SKU = "ATCB-DEN-L"


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "SAPO_"))}
    env["DATABASE_URL"] = "sqlite:///unused.db"
    return env


def test_demo_script_exits_zero_with_every_step_checked(tmp_path: Path) -> None:
    """The scripted tour passes each step it checks against the sandbox, says what the
    sandbox holds, says how long it took, and exits 0."""
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
    # Every web-only SKU is created on POS and every POS-only one on the web (R3).
    created = (
        rf"Summary: \d+ linked, {len(WEB_ONLY_AFTER_FIXES)} created on POS, "
        rf"{len(DEMO_POS_ONLY_SKUS)} created on the web"
    )
    assert re.search(created, out), out
    assert "1 orders pushed" in out
    assert "(0 still open)" in out
    # The last line carries the tour's total time (not asserted: CI machines vary).
    assert re.search(r"^\[\s*\d+\.\ds\] Demo finished", out, re.MULTILINE), out
    assert list(tmp_path.iterdir()) == []  # the demo database lives in a temporary directory


def test_demo_script_reports_a_missed_step_and_exits_non_zero(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """When staff forget to fix the R10 product its errors stay open: the tour says so and
    ``run_demo`` returns 1 instead of claiming success."""

    def forget(_staff: ShopStaff, _names: tuple[str, str]) -> Fix:
        return Fix("the polo's options", "left as they were")

    monkeypatch.setattr(ShopStaff, "fix_demo_option_mismatch", forget)
    monkeypatch.setattr(demo, "STEP_WAIT_S", 1.0)
    monkeypatch.setattr(demo, "SETTLE_WAIT_S", 0.2)
    out = io.StringIO()
    code = demo.run_demo(script=True, language="en", out=out)
    text = out.getvalue()
    assert code == 1, text
    assert "✗" in text
    assert "every step behaved as expected" not in text
    missed = re.search(r"Demo finished with misses: (.*)", text)
    assert missed, text
    assert "errors resolved" in missed.group(1).split(", ")


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


def _link_status(bot: BotApp, sku: str) -> str | None:
    with bot.deps.ctx.db.session() as s:
        link = repo.get_link(s, connection_id=bot.deps.ctx.connection_id, sku=sku)
        return None if link is None else link.status


def test_console_delete_link_asks_first_and_only_yes_deletes() -> None:
    """Delete link asks as Slack's dialog does: ``n`` leaves the link, ``y`` deletes it (R16)."""
    out = io.StringIO()
    with demo_world("en", out, PLAIN) as (sb, _slack, bot, session):
        with ShopStaff(sb.base_url, sb.api_key, sb.api_secret) as staff:
            staff.fix_demo_preflight_problems()
        assert run_cycle(bot.deps.ctx, actor="test").applied
        run_repl(session, io.StringIO(f"/sapo compare {LINKED_SKU}\n"), out, Translator("en"))
        assert _eventually(lambda: "Delete link" in out.getvalue())
        screen = out.getvalue()
        assert LINKED_SKU in screen
        assert "View on Sapo POS" in screen
        assert "View on Sapo Web" in screen
        number = _button(screen, "Delete link")
        run_repl(session, io.StringIO(f"{number}\nn\n"), out, Translator("en"))
        after_no = out.getvalue()[len(screen) :]
        assert "[y/N]" in after_no
        assert "cancelled" in after_no
        assert _link_status(bot, LINKED_SKU) == "linked"
        run_repl(session, io.StringIO(f"{number}\ny\nquit\n"), out, Translator("en"))
        assert _eventually(lambda: _link_status(bot, LINKED_SKU) == "deleted")
        assert _eventually(lambda: "deleted" in out.getvalue()[len(screen) :].lower())


def test_console_help_and_unknown_command_answer_with_help_at_once() -> None:
    """A bare word is a /sapo subcommand; an unknown one answers with the help, not a trace,
    and the prompt is back within 2 s (the answer can come before the dispatch returns)."""
    out = io.StringIO()
    with demo_world("vi", out, PLAIN) as (_sb, _slack, _bot, session):
        run_repl(session, io.StringIO("help\n"), out, Translator("vi"))
        started = time.monotonic()
        run_repl(session, io.StringIO("/sapo frobnicate\n"), out, Translator("vi"))
        took = time.monotonic() - started
    screen = out.getvalue()
    assert "/sapo" in screen
    assert "frobnicate" in screen
    assert "Traceback" not in screen
    assert took < 2.0


def _read_until(proc: subprocess.Popen[str], pattern: str, timeout: float) -> str:
    """The child's output up to ``pattern``, read from the pipe itself: a buffered readline
    could hold the pattern back while select() sees nothing more to read."""
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    decoder = codecs.getincrementaldecoder("utf-8")()
    seen = ""
    sel = selectors.DefaultSelector()
    sel.register(fd, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    while pattern not in seen and time.monotonic() < deadline:
        if sel.select(timeout=0.5):
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            seen += decoder.decode(chunk)
    sel.close()
    return seen


def _listening_ports(pid: int) -> set[int]:
    """TCP ports process ``pid`` listens on, read from /proc (Linux)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:  # closed while we looked
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for row in Path(table).read_text().splitlines()[1:]:
            fields = row.split()
            if fields[3] == "0A" and fields[9] in inodes:  # 0A: LISTEN
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads listening ports in /proc")
@pytest.mark.parametrize(
    "when",
    [
        pytest.param("sapo-sync console", id="at-the-console"),
        pytest.param("The scheduler is running", id="mid-tour"),
    ],
)
def test_demo_stops_cleanly_on_ctrl_c_leaving_no_port_behind(tmp_path: Path, when: str) -> None:
    """Ctrl-C at the console or mid-tour stops sandbox, local Slack, scheduler and bot: the
    process says so and exits 130 without a traceback, and every port it listened on closes."""
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
            seen = _read_until(proc, when, 120)
            assert when in seen, seen
            match = re.search(r"POS http://127\.0\.0\.1:(\d+)/pos", seen)
            assert match, seen
            ports = _listening_ports(proc.pid)
            assert int(match.group(1)) in ports
            assert len(ports) >= 2  # the sandbox and the local Slack at least
            proc.send_signal(signal.SIGINT)
            rest, _ = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert proc.returncode == 130, seen + rest
    assert "Demo stopped" in rest
    assert "Traceback" not in seen + rest
    for port in ports:
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


class Typist(io.TextIOBase):
    """A keyboard for a console running in another thread: ``readline`` waits for a line."""

    def __init__(self) -> None:
        self._lines: queue.Queue[str] = queue.Queue()

    def type(self, line: str) -> None:
        self._lines.put(line + "\n")

    def readline(self, size: int = -1, /) -> str:
        return self._lines.get(timeout=60)


class Screen:
    """What the console wrote, and the prompts it has shown so far."""

    def __init__(self) -> None:
        self.out = io.StringIO()

    @property
    def text(self) -> str:
        return self.out.getvalue()

    def prompts(self) -> int:
        return self.text.count("sapo> ")

    def enter(self, typist: Typist, line: str) -> tuple[str, float]:
        """Type ``line``; the screen it drew and the seconds until the prompt came back."""
        mark, shown = len(self.text), self.prompts()
        started = time.monotonic()
        typist.type(line)
        assert _eventually(lambda: self.prompts() > shown), self.text[mark:]
        return self.text[mark:], time.monotonic() - started


def _console_settings(sb: Sandbox, workdir: Path, **extra: object) -> Settings:
    return Settings(
        _env_file=None,
        database_url=f"sqlite:///{workdir / 'console.db'}",
        **sandbox_store_settings(sb),
        bot_language="en",
        **extra,
    )


def _first_link(settings: Settings) -> int:
    """What ``sapo-sync sync`` does before anyone opens the console; the connection's id."""
    token = {"slack_bot_token": SecretStr("xoxb-test")}
    bot = build_app(settings.model_copy(update=token), with_scheduler=False)
    try:
        assert run_cycle(bot.deps.ctx, actor="test").applied
        return bot.deps.ctx.connection_id
    finally:
        bot.close()


def test_console_command_runs_the_bot_on_the_configured_stores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``sapo-sync console`` on a linked shop: alerts show, compare draws both sides, a link
    button answers at once, Disconnect works for the console user, logs stay quiet (R13-R15)."""
    monkeypatch.delenv("LOG_LEVEL", raising=False)
    with Sandbox(seed="demo", leak_rate=LEAK_RATE) as sb:
        with ShopStaff(sb.base_url, sb.api_key, sb.api_secret) as staff:
            staff.fix_demo_preflight_problems()
        settings = _console_settings(sb, tmp_path)
        connection_id = _first_link(settings)
        typist, screen, codes = Typist(), Screen(), []
        console = threading.Thread(
            target=lambda: codes.append(run_console(settings, inp=typist, out=screen.out))
        )
        console.start()
        try:
            assert _eventually(lambda: screen.prompts() == 1)
            # The scheduler's first cycle meets the planted R10 option mismatch and says so.
            assert _eventually(lambda: "[#alerts]" in screen.text), screen.text
            assert "structure_options" in screen.text
            assert logging.getLogger().level == logging.WARNING

            mark = len(screen.text)
            screen.enter(typist, f"/sapo compare {LINKED_SKU}")
            assert _eventually(lambda: "View on Sapo Web" in screen.text[mark:])
            compared = screen.text[mark:]
            assert LINKED_SKU in compared
            assert "· POS" in compared
            assert "· Web" in compared

            opened, took = screen.enter(typist, _button(compared, "View on Sapo POS"))
            assert f"opens {sb.pos_url}" in opened
            assert took < 2.0

            mark = len(screen.text)
            screen.enter(typist, _button(compared, "Disconnect"))
            assert _eventually(lambda: "disconnected" in screen.text[mark:].lower())
            assert "only admins" not in screen.text.lower()
        finally:
            typist.type("quit")
            console.join(timeout=60)
        assert not console.is_alive()
        assert codes == [0]
        # LOG_LEVEL, when the environment or .env sets it, is obeyed.
        chatty = settings.model_copy(update={"log_level": "INFO"})
        assert run_console(chatty, inp=io.StringIO("quit\n"), out=io.StringIO()) == 0
        assert logging.getLogger().level == logging.INFO
    db = Database(settings.database_url)
    try:
        with db.session() as s:
            link = repo.get_link(s, connection_id=connection_id, sku=LINKED_SKU)
    finally:
        db.dispose()
    assert link is not None
    assert link.status == "disconnected"  # the console user was allowed to act


def test_a_colour_terminal_gets_escapes_and_a_plain_one_none() -> None:
    """On a terminal headers are bold and danger buttons red; piped output has no escapes."""
    from bot.console.render import Style, draw

    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": "Áo thun"}},
        {
            "type": "actions",
            "block_id": "b",
            "elements": [
                {
                    "type": "button",
                    "text": {"type": "plain_text", "text": "Delete link"},
                    "action_id": "u",
                    "value": "ATCB-DEN-L",
                    "style": "danger",
                }
            ],
        },
    ]
    ansi = Style.ansi()
    coloured = draw(blocks, style=ansi).text
    assert f"{ansi.bold}{ansi.accent}Áo thun{ansi.reset}" in coloured
    assert f"{ansi.danger}[1] Delete link{ansi.reset}" in coloured
    assert ansi.danger == "\033[31m"
    plain = draw(blocks, style=PLAIN).text
    assert "\033" not in plain
    assert plain.splitlines() == ["Áo thun", "  [1] Delete link"]
