"""``sapo-sync demo``: the whole product on a local sandbox shop, narrated, then the console."""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from pydantic import SecretStr

from bot.console.launch import INTERRUPTED
from bot.console.localslack import LocalSlack
from bot.console.render import PLAIN, Style
from bot.console.session import CONSOLE_USER, ConsoleSession
from bot.demo_checks import Tally, tally
from bot.i18n import Translator
from bot.main import BotApp, build_app
from bot.settings import Settings
from bot.views.problems import problem_plain
from sandbox import Sandbox
from sandbox.seeds import DEMO_POS_DEFAULT_LOCATION_ID
from sandbox.tour import ShopStaff
from sync.context import SyncContext
from sync.engine import run_cycle
from sync.preflight import run_preflight
from sync.scheduler import SyncScheduler

ALERT_CHANNEL = "CALERTS"
# The sandbox leaks 20 calls/s (real Sapo: 2/s) so the tour takes seconds, not minutes; the
# clients are told the same rate, so their pacing still never overruns the bucket.
LEAK_RATE = 20.0
# The scheduler runs 30x faster than its configured intervals (60 s orders → 2 s).
SPEED = 30.0
SALE_SKU = "TLDN-110"  # a POS-only product that the first link creates on the web
SALE_QTY = 2  # sold at the default branch, the one whose stock the web shows (R2)
ORDER_SKU = "VTB"  # a web-only product that the first link creates on POS
MISMATCH_OPTIONS = ("Màu sắc", "Kích thước")  # the POS twin's options (R10 demo product)
# How long a step may take to show its effect once the scheduler runs it (a few seconds at
# SPEED), and how long the final state may take to settle after the last step.
STEP_WAIT_S = 60.0
SETTLE_WAIT_S = 30.0


@dataclass
class Step:
    name: str
    ok: bool
    detail: str


@dataclass
class Tour:
    """The narrated steps and whether each behaved as expected."""

    out: TextIO
    t: Translator
    style: Style
    started: float = field(default_factory=time.monotonic)
    steps: list[Step] = field(default_factory=list)

    def say(self, text: str) -> None:
        elapsed = time.monotonic() - self.started
        self.out.write(f"{self.style.dim}[{elapsed:5.1f}s]{self.style.reset} {text}\n")
        self.out.flush()

    def check(self, name: str, ok: bool, detail: str) -> bool:
        self.steps.append(Step(name, ok, detail))
        mark = "✓" if ok else "✗"
        colour = self.style.accent if ok else self.style.danger
        self.say(f"{colour}{mark}{self.style.reset} {detail}")
        return ok

    @property
    def passed(self) -> bool:
        return all(step.ok for step in self.steps)


def sandbox_store_settings(sb: Sandbox) -> dict[str, Any]:
    """The Sapo half of the settings for a sandbox: both stores, its key and secret, paced
    at the demo's leak rate."""
    key, secret = SecretStr(sb.api_key), SecretStr(sb.api_secret)
    return {
        "sapo_pos_url": sb.pos_url,
        "sapo_pos_api_key": key,
        "sapo_pos_api_secret": secret,
        "sapo_web_url": sb.web_url,
        "sapo_web_api_key": key,
        "sapo_web_api_secret": secret,
        "sapo_leak_rate": LEAK_RATE,
    }


def demo_settings(sb: Sandbox, slack: LocalSlack, workdir: Path, language: str) -> Settings:
    return Settings(
        _env_file=None,
        database_url=f"sqlite:///{workdir / 'sapo-sync-demo.db'}",
        **sandbox_store_settings(sb),
        sapo_webhook_secret=SecretStr(sb.api_secret),
        slack_bot_token=SecretStr("xoxb-console"),
        slack_api_url=slack.api_url,
        slack_alert_channel=ALERT_CHANNEL,
        slack_admin_users=frozenset({CONSOLE_USER}),
        bot_language=language,
        log_level="WARNING",
    )


@contextmanager
def demo_world(
    language: str, out: TextIO, style: Style, *, updates: bool = True
) -> Iterator[tuple[Sandbox, LocalSlack, BotApp, ConsoleSession]]:
    """Sandbox + local Slack + the real bot on a fresh SQLite file; all stopped on exit."""
    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="sapo-sync-demo-")))
        sb = stack.enter_context(Sandbox(seed="demo", leak_rate=LEAK_RATE))
        slack = stack.enter_context(LocalSlack())
        settings = demo_settings(sb, slack, workdir, language)

        def scheduler(ctx: SyncContext, on_cycle: Any) -> SyncScheduler:
            return SyncScheduler(ctx, on_cycle=on_cycle, speed=SPEED)

        bot = build_app(settings, scheduler=scheduler, alert_pace_s=0.05)
        stack.callback(bot.close)
        session = ConsoleSession(
            bot.app, slack, out, style=style, alert_channel=ALERT_CHANNEL, updates=updates
        )
        yield sb, slack, bot, session


def tour(bot: BotApp, sb: Sandbox, tr: Tour) -> Tally:
    """The scripted walk through the product; every step checks what really happened."""
    t, ctx = tr.t, bot.deps.ctx
    tr.say(t("demo.sandbox", pos=sb.pos_url, web=sb.web_url))
    report = run_preflight(ctx)
    found = sum(len(f.items) for f in report.blocking)
    tr.check(
        "preflight finds problems",
        not report.ok and found >= 4,
        t("demo.preflight_found", problems=len(report.blocking), items=found),
    )
    for finding in report.blocking:
        tr.say(f"   • {problem_plain(t, finding.code, finding.params, finding.message, 300)}")
    with ShopStaff(sb.base_url, sb.api_key, sb.api_secret) as staff:
        for fix in staff.fix_demo_preflight_problems():
            tr.say(t("demo.fixed", problem=fix.problem, action=fix.action))
        report = run_preflight(ctx)
        tr.check(
            "preflight passes", report.ok, t("demo.preflight_ok", warnings=len(report.warnings))
        )
        first = run_cycle(ctx, actor="demo")
        before = tally(ctx, sb)
        tr.check(
            "first link",
            first.applied
            and before.linked > 0
            and before.web_created_seen > 0
            and before.pos_created_seen > 0
            and before.created_agree
            and before.stock_mismatches == 0,
            t(
                "demo.first_link",
                linked=before.linked,
                pos=before.pos_created_seen,
                web=before.web_created_seen,
                seconds=f"{first.duration_s:.1f}",
            ),
        )
        again = run_cycle(ctx, actor="demo")
        writes = sum(v for k, v in again.done.items() if k != "read")
        tr.check("idle cycle", writes == 0, t("demo.idle", writes=writes))
        if bot.scheduler is not None:
            bot.scheduler.start()
        tr.say(t("demo.scheduler"))
        order = staff.place_web_order(
            ORDER_SKU,
            1,
            phone="0912345678",
            email="lan.nguyen@example.com",
            last_name="Nguyễn",
            first_name="Lan",
        )
        tr.say(t("demo.order_placed", name=order["name"], sku=ORDER_SKU))
        sale = staff.sell_at_pos(SALE_SKU, SALE_QTY, DEMO_POS_DEFAULT_LOCATION_ID)
        tr.say(t("demo.sale", sku=SALE_SKU, qty=sale.quantity, branch=sale.branch))
        fix = staff.fix_demo_option_mismatch(MISMATCH_OPTIONS)
        tr.say(t("demo.fixed", problem=fix.problem, action=fix.action))
    pushed = wait_for(lambda: tally(ctx, sb).orders_on_pos_once(order["name"]), STEP_WAIT_S)
    tr.check("order pushed once", pushed, t("demo.order_pushed", name=order["name"]))
    # The first link left the web showing the branch's stock; the sale must take it down.
    expected = (before.web_stock(SALE_SKU) or 0) - SALE_QTY
    synced = wait_for(lambda: tally(ctx, sb).web_stock(SALE_SKU) == expected, STEP_WAIT_S)
    tr.check("stock flowed", synced, t("demo.stock_flowed", sku=SALE_SKU, qty=f"{expected:g}"))
    resolved = wait_for(lambda: tally(ctx, sb).errors_open == 0, STEP_WAIT_S)
    # The scheduler keeps running: a cycle that resolved the errors may still be pushing the
    # stock of the products it relinked. The state is checked once it has settled.
    wait_for(lambda: tally(ctx, sb).stock_mismatches == 0, SETTLE_WAIT_S)
    final = tally(ctx, sb)
    tr.check(
        "errors resolved",
        resolved and final.errors_raised > 0,
        t("demo.errors_resolved", raised=final.errors_raised, open=final.errors_open),
    )
    return final


def wait_for(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.25)
    return condition()


def run_demo(
    *, script: bool, language: str, inp: TextIO = sys.stdin, out: TextIO = sys.stdout
) -> int:
    """The tour, then (unless ``script``) the console; 0 when every step behaved."""
    from bot.console.repl import run_repl

    style = Style.ansi() if out.isatty() else PLAIN
    t = Translator(language)
    tr = Tour(out=out, t=t, style=style)
    try:
        with demo_world(language, out, style, updates=not script) as (sb, _slack, bot, session):
            final = tour(bot, sb, tr)
            # Created counts are read from the stores; the check below holds our database to them.
            tr.say(
                t(
                    "demo.summary",
                    linked=final.linked,
                    pos=final.pos_created_seen,
                    web=final.web_created_seen,
                    stock=final.stock_writes,
                    orders=final.orders_pushed,
                    raised=final.errors_raised,
                    open=final.errors_open,
                )
            )
            tr.check(
                "state matches",
                final.stock_mismatches == 0 and final.created_agree,
                t(
                    "demo.state_matches",
                    mismatches=final.stock_mismatches,
                    pos=final.pos_created,
                    web=final.web_created,
                ),
            )
            if not script:
                run_repl(session, inp, out, t)
    except KeyboardInterrupt:
        out.write("\n" + t("demo.stopped") + "\n")
        return INTERRUPTED
    if script:
        # Said with the elapsed time in front: the line doubles as the tour's total duration.
        failed = [s.name for s in tr.steps if not s.ok]
        seconds = f"{time.monotonic() - tr.started:.1f}"
        tr.say(
            t("demo.result_ok", seconds=seconds)
            if not failed
            else t("demo.result_failed", steps=", ".join(failed), seconds=seconds)
        )
    return 0 if tr.passed else 1
