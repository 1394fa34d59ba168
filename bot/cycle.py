"""After each scheduler run: publish alerts, refresh App Home, answer who asked for the run."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from bot.deps import BotDeps
from bot.listeners.home import refresh_homes

log = logging.getLogger(__name__)

Waiter = Callable[[Any], None]


class CycleHook:
    """The scheduler's ``on_cycle`` callback for the bot (runs on the scheduler's thread)."""

    def __init__(self, deps: BotDeps, client: Any) -> None:
        self.deps, self.client = deps, client
        self._lock = threading.Lock()
        self._waiting: dict[str, list[Waiter]] = {}

    def expect(self, job: str, waiter: Waiter) -> None:
        """Call ``waiter(run)`` after the next triggered run of ``job`` (``/sapo sync``)."""
        with self._lock:
            self._waiting.setdefault(job, []).append(waiter)

    def __call__(self, run: Any) -> None:
        waiters: list[Waiter] = []
        if getattr(run, "triggered", False):
            with self._lock:
                waiters = self._waiting.pop(str(run.name), [])
        for waiter in waiters:
            _safely(waiter, run, "cycle-waiter")
        if self.deps.alerts is not None:
            _safely(
                lambda _: self.deps.alerts.publish() if self.deps.alerts else None,
                run,
                "cycle-alerts",
            )
        _safely(lambda _: refresh_homes(self.deps, self.client), run, "cycle-home")


def _safely(callback: Callable[[Any], object], run: Any, what: str) -> None:
    try:
        callback(run)
    except Exception:  # one failing reaction must not keep the others from running
        log.exception("cycle hook failed what=%s job=%s", what, getattr(run, "name", "?"))
