"""``sapo-sync console``: the bot against the configured Sapo stores, Slack replaced by this
terminal. The scheduler runs too, so alert-channel posts appear as they happen."""

from __future__ import annotations

import sys
from typing import TextIO

from pydantic import SecretStr

from bot.console.localslack import LocalSlack
from bot.console.render import PLAIN, Style
from bot.console.repl import run_repl
from bot.console.session import CONSOLE_USER, ConsoleSession
from bot.i18n import Translator
from bot.main import build_app
from bot.settings import Settings, SettingsError

ALERTS = "CALERTS"
# Log lines would land between the drawn messages; like the demo, only warnings and worse
# show unless LOG_LEVEL (environment or .env) asks for more.
QUIET_LOG_LEVEL = "WARNING"
# Slack's one-post-a-second pacing is for Slack; the local stand-in takes posts as they come.
ALERT_PACE_S = 0.05
INTERRUPTED = 130  # the shell's code for a process stopped by Ctrl-C (128 + SIGINT)


def run_console(settings: Settings, *, inp: TextIO = sys.stdin, out: TextIO = sys.stdout) -> int:
    """The REPL until end of input or ``quit`` (0), or Ctrl-C (130); everything stopped after."""
    if not settings.sapo_pos_url or not settings.sapo_web_url:
        raise SettingsError(
            "SAPO_POS_URL and SAPO_WEB_URL must be set for 'sapo-sync console' "
            "(or try 'sapo-sync demo', which needs neither)"
        )
    style = Style.ansi() if out.isatty() else PLAIN
    t = Translator(settings.bot_language)
    log_level = settings.log_level if "log_level" in settings.model_fields_set else None
    with LocalSlack() as slack:
        local = settings.model_copy(
            update={
                "slack_bot_token": SecretStr("xoxb-console"),
                "slack_api_url": slack.api_url,
                "slack_alert_channel": ALERTS,
                "slack_admin_users": frozenset({CONSOLE_USER}),
                "log_level": log_level or QUIET_LOG_LEVEL,
            }
        )
        bot = build_app(local, alert_pace_s=ALERT_PACE_S)
        try:
            if bot.scheduler is not None:
                bot.scheduler.start()
            session = ConsoleSession(bot.app, slack, out, style=style, alert_channel=ALERTS)
            run_repl(session, inp, out, t)
        except KeyboardInterrupt:
            out.write("\n")
            return INTERRUPTED
        finally:
            bot.close()
    return 0
