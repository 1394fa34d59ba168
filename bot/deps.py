"""What every listener gets: the sync context, language, time zone, admins and helpers."""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from bot.i18n import Translator
from bot.worker import Worker
from storage import repo
from sync.context import SyncContext

log = logging.getLogger(__name__)


class Scheduler(Protocol):
    """What the bot uses of ``sync.scheduler.SyncScheduler``."""

    def jobs(self) -> Sequence[Any]: ...

    def trigger(self, job: str) -> Any: ...


class RunWaiters(Protocol):
    """Who waits for the next triggered run of a job (``bot.cycle.CycleHook``)."""

    def expect(self, job: str, waiter: Callable[[Any], None]) -> None: ...


class Publisher(Protocol):
    def publish(self) -> object: ...


@dataclass
class HomeVisitors:
    """Users who opened App Home, so the dashboard is refreshed for them after each cycle."""

    limit: int = 200
    _users: dict[str, None] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, user: str) -> None:
        with self._lock:
            self._users.pop(user, None)
            self._users[user] = None
            while len(self._users) > self.limit:  # forget the least recent visitor
                self._users.pop(next(iter(self._users)))

    def users(self) -> list[str]:
        with self._lock:
            return list(self._users)


@dataclass
class BotDeps:
    ctx: SyncContext
    t: Translator
    tz: ZoneInfo
    admins: frozenset[str]
    worker: Worker
    alert_channel: str | None = None
    scheduler: Scheduler | None = None
    scheduler_healthy: Callable[[], bool | None] = lambda: None
    alerts: Publisher | None = None
    runs: RunWaiters | None = None
    homes: HomeVisitors = field(default_factory=HomeVisitors)

    def now(self) -> datetime:
        return self.ctx.clock()

    def is_admin(self, user: str | None) -> bool:
        return bool(user) and user in self.admins

    def claim(self, key: str) -> bool:
        """Record an idempotency key; False when this request or click was handled before."""
        with self.ctx.db.session() as session:
            fresh = repo.claim_delivery(
                session, connection_id=self.ctx.connection_id, key=f"slack:{key}", now=self.now()
            )
            session.commit()
        return fresh

    def release(self, key: str) -> None:
        """Forget a key claimed with ``claim`` whose work failed, so the same button (or the
        corrected modal) works again once the cause is gone."""
        with self.ctx.db.session() as session:
            repo.release_delivery(session, connection_id=self.ctx.connection_id, key=f"slack:{key}")
            session.commit()

    def audit(self, *, actor: str, action: str, subject: str, result: str, **detail: Any) -> None:
        with self.ctx.db.session() as session:
            repo.add_audit(
                session,
                connection_id=self.ctx.connection_id,
                actor=actor,
                action=action,
                subject=subject,
                result=result,
                now=self.now(),
                detail=detail or None,
            )
            session.commit()


def stamp() -> str:
    """A fresh suffix for block_ids, so a click on an outdated copy of a message is told apart."""
    return uuid.uuid4().hex[:8]
