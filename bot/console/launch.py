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


def run_console(settings: Settings, *, inp: TextIO = sys.stdin, out: TextIO = sys.stdout) -> int:
    if not settings.sapo_pos_url or not settings.sapo_web_url:
        raise SettingsError(
            "SAPO_POS_URL and SAPO_WEB_URL must be set for 'sapo-sync console' "
            "(or try 'sapo-sync demo', which needs neither)"
        )
    style = Style.ansi() if out.isatty() else PLAIN
    with LocalSlack() as slack:
        local = settings.model_copy(
            update={
                "slack_bot_token": SecretStr("xoxb-console"),
                "slack_api_url": slack.api_url,
                "slack_alert_channel": ALERTS,
                "slack_admin_users": frozenset({CONSOLE_USER}),
            }
        )
        bot = build_app(local)
        try:
            if bot.scheduler is not None:
                bot.scheduler.start()
            session = ConsoleSession(bot.app, slack, out, style=style, alert_channel=ALERTS)
            run_repl(session, inp, out, Translator(settings.bot_language))
        except KeyboardInterrupt:
            out.write("\n")
        finally:
            bot.close()
    return 0
