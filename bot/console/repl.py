"""The console's read-eval-draw loop over any pair of text streams (a terminal or a test)."""

from __future__ import annotations

from typing import TextIO

from bot.console.session import ConsoleSession
from bot.i18n import Translator

QUIT = frozenset({"q", "quit", "exit", ":q"})


def run_repl(session: ConsoleSession, inp: TextIO, out: TextIO, t: Translator) -> None:
    """Read lines until end of input or ``quit``; each is a command, a button or a form."""

    def ask(prompt: str) -> str:
        out.write(prompt)
        out.flush()
        line = inp.readline()
        return line.rstrip("\n") if line else ""

    out.write(t("console.welcome") + "\n")
    while True:
        out.write("\nsapo> ")
        out.flush()
        line = inp.readline()
        if not line:
            break
        text = line.strip()
        if not text:
            continue
        if text.lower() in QUIT:
            break
        if text.isdigit():
            session.press(int(text), ask)
        elif text.lower() in ("submit", "form"):
            session.submit_view(ask)
        elif text.lower() == "cancel":
            session.pending_view = None
            out.write(t("console.form_cancelled") + "\n")
        else:
            if text.startswith("/sapo"):
                text = text[len("/sapo") :].strip()
            elif text.startswith("/"):
                out.write(t("console.unknown") + "\n")
                continue
            session.command(text)
        if session.pending_view is not None:
            out.write(t("console.form_open") + "\n")
